"""FFT-based adapters for fine-tuning a frozen ``nn.Linear``, computed with the
in-place real FFT (no complex tensors, no dense weight change):

- :class:`CirculantAdapter`, the block-circulant adapter (Ding et al., "Block
  Circulant Adapter for Large Language Models", IJCAI 2025, arXiv 2505.00582): the
  weight change is an ``r x s`` grid of ``p x p`` circulant blocks, each stored as its
  first column;
- :class:`CirculantDiagonalAdapter` (Ding, Chen, Liao and Wang, "Parameter-Efficient
  Fine-Tuning with Circulant and Diagonal Vectors", IJCAI 2025, arXiv 2505.00580): the
  weight change is a product of interleaved diagonal and (block-)circulant factors.

Both apply their circulant factors through ``torch.ops.numerics.block_circulant``
(see :mod:`numerics.torch._circulant_ops`), which compiles under ``torch.compile``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from ._circulant_ops import block_circulant, check_backend

__all__ = [
    "CirculantAdapter",
    "CirculantDiagonalAdapter",
    "block_circulant_matrix",
    "circulant_projection",
    "halfcomplex_parts",
]

_BLOCK_INITS = ("zero", "projection", "gaussian", "xavier_uniform", "kaiming_uniform")


def halfcomplex_parts(h: Tensor) -> tuple[Tensor, Tensor]:
    """The real and imaginary parts (``p/2 + 1`` each) of halfcomplex rows.

    Examples
    --------
    >>> re, im = halfcomplex_parts(torch.tensor([2.0, 1.0, 0.0, -3.0]))
    >>> re.tolist(), im.tolist()
    ([2.0, 1.0, 0.0], [0.0, -3.0, 0.0])
    """
    p = h.shape[-1]
    q = p // 2
    zero = torch.zeros_like(h[..., :1])
    im = torch.cat([zero, h[..., q + 1 :].flip(-1), zero], dim=-1) if p > 1 else zero
    return h[..., : q + 1], im


def block_circulant_matrix(c: Tensor) -> Tensor:
    """The dense ``(r p) x (s p)`` matrix of the blocks' first columns ``c`` (r, s, p):
    block ``(i, j)`` has entries ``c[i, j, (m - l) mod p]``.

    Examples
    --------
    >>> block_circulant_matrix(torch.tensor([[[1.0, 2.0, 3.0]]])).tolist()
    [[1.0, 3.0, 2.0], [2.0, 1.0, 3.0], [3.0, 2.0, 1.0]]
    """
    r, s, p = c.shape
    idx = (torch.arange(p, device=c.device)[:, None] - torch.arange(p, device=c.device)) % p
    return c[:, :, idx].permute(0, 2, 1, 3).reshape(r * p, s * p)


def circulant_projection(w: Tensor, p: int) -> Tensor:
    """The block columns ``c`` (r, s, p) of the block-circulant matrix nearest to
    ``w`` in the Frobenius norm, cropped to ``w``'s shape: each ``p x p`` block of
    ``w`` averaged along its wrapped diagonals (over the entries that exist, when
    ``p`` does not divide the shape).

    Examples
    --------
    >>> w = block_circulant_matrix(torch.tensor([[[1.0, 2.0]], [[3.0, 4.0]]]))
    >>> circulant_projection(w, 2).tolist()
    [[[1.0, 2.0]], [[3.0, 4.0]]]
    """
    out_f, in_f = w.shape
    r, s = -(-out_f // p), -(-in_f // p)
    pad = (0, s * p - in_f, 0, r * p - out_f)
    padded = F.pad(w, pad)
    inside = F.pad(torch.ones_like(w), pad)  # the entries that exist (no padding)
    m = torch.arange(p, device=w.device)
    sums, counts = [], []
    for grid in (padded, inside):
        blocks = grid.reshape(r, p, s, p).permute(0, 2, 1, 3)  # (r, s, row m, column l)
        # entry (m, l) lies on wrapped diagonal d = (m - l) mod p
        diagonal = [blocks[:, :, m, (m - d) % p].sum(-1) for d in range(p)]
        (sums if grid is padded else counts).append(torch.stack(diagonal, dim=-1))
    # the least-squares value of each diagonal: the mean of its existing entries
    return sums[0] / counts[0].clamp(min=1)


def _check_block(base: nn.Module, p: int) -> None:
    if not isinstance(base, nn.Linear):
        raise TypeError(f"the base layer must be an nn.Linear, got {type(base).__name__}")
    if not isinstance(p, int) or p < 1 or p & (p - 1):
        raise ValueError(f"the block size p must be a power of two, got {p!r}")


class _FFTAdapter(nn.Module):
    """What both adapters share: the frozen base, padding to whole blocks, the
    block-circulant op's options, and merging."""

    def __init__(self, base, p, scale, backend, fft_format, fft_compute, rounding, seed):
        super().__init__()
        _check_block(base, p)
        self.base, self.p, self.scale = base, p, float(scale)
        self.backend = check_backend(backend)
        self.fft_format = "" if fft_format is None else str(fft_format)
        self.fft_compute = "" if fft_compute is None else str(fft_compute)
        self.rounding = str(rounding)
        self.seed = -1 if seed is None else int(seed)
        self.in_features, self.out_features = base.in_features, base.out_features
        self.s, self.r = -(-self.in_features // p), -(-self.out_features // p)
        for prm in base.parameters():
            prm.requires_grad_(False)
        self.merged = False
        self._original: Tensor | None = None

    @property
    def weight(self) -> Tensor:
        """The base layer's weight (merged or not)."""
        return self.base.weight

    @property
    def bias(self) -> Tensor | None:
        return self.base.bias

    def _circulant(self, x: Tensor, c: Tensor, width: int, height: int) -> Tensor:
        """``B(c) x`` for rows ``x`` (N, width) padded to whole blocks, cropped to
        ``height`` outputs."""
        blocks = c.shape[1] * self.p
        if width < blocks:
            x = F.pad(x, (0, blocks - width))
        options = self.backend, self.fft_format, self.fft_compute, self.rounding, self.seed
        y = block_circulant(x.contiguous(), c, *options)
        return y[:, :height] if y.shape[1] > height else y

    def delta(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def delta_weight(self) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        y = self.base(x)
        if self.merged:
            return y
        lead = x.shape[:-1]
        d = self.delta(x.reshape(-1, self.in_features))
        return y + self.scale * d.reshape(*lead, self.out_features)

    def merged_weight(self) -> Tensor:
        """``W + scale * dW`` as a dense matrix (for export)."""
        if self.merged:
            return self.base.weight
        return self.base.weight + self.scale * self.delta_weight()

    @torch.no_grad()
    def merge(self, keep_original: bool = True) -> None:
        """Add ``scale * dW`` into the base weight, so the forward pass is the base
        layer's alone. ``keep_original`` keeps the weight as it was (a copy), so that
        :meth:`unmerge` restores it bit for bit; otherwise unmerging subtracts, which
        rounds.

        Examples
        --------
        >>> layer = CirculantAdapter(torch.nn.Linear(8, 8), p=4, init="gaussian")
        >>> x = torch.randn(2, 8)
        >>> y = layer(x); layer.merge()
        >>> torch.allclose(layer(x), y, atol=1e-6)
        True
        """
        if self.merged:
            return
        self._original = self.base.weight.detach().clone() if keep_original else None
        self.base.weight.add_(self.scale * self.delta_weight().to(self.base.weight.dtype))
        self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        """Undo :meth:`merge` (exactly when it kept the original weight)."""
        if not self.merged:
            return
        if self._original is not None:
            self.base.weight.copy_(self._original)
        else:
            self.base.weight.sub_(self.scale * self.delta_weight().to(self.base.weight.dtype))
        self._original = None
        self.merged = False

    def extra_repr(self) -> str:
        fft = f", fft_format={self.fft_format!r}" if self.fft_format else ""
        return f"p={self.p}, scale={self.scale}, backend={self.backend!r}{fft}"


class CirculantAdapter(_FFTAdapter):
    """``y = base(x) + scale * dW x`` with ``dW`` block-circulant: an ``r x s`` grid
    of circulant ``p x p`` blocks, block ``(i, j)`` stored as its first column
    ``c[i, j]`` (``r = ceil(out/p)``, ``s = ceil(in/p)``; feature counts that ``p``
    does not divide are zero-padded, and ``dW`` is the top-left ``out x in`` part).

    ``dW x`` is a sum of circular convolutions, ``h_i = sum_j c_ij * x_j``: the blocks
    of ``x`` and ``c`` go through the in-place rdFFT, their halfcomplex spectra are
    multiplied and summed over ``j``, and one in-place inverse per output block gives
    ``h``. Backward recomputes the input's spectra instead of keeping them.

    Parameters
    ----------
    base : torch.nn.Linear
        The frozen layer (its parameters stop requiring gradients).
    p : int
        Block size, a power of two.
    scale : float
        Multiplies the adapter's output.
    init : str
        ``"zero"`` (``dW = 0``: the adapted model starts as the pretrained one);
        ``"projection"``: ``c`` starts as the block-circulant part of the pretrained
        weight (:func:`circulant_projection`), and the base weight keeps the rest, so
        the layer's function is unchanged but training starts from the circulant
        component (as PiSSA does for LoRA's principal components);
        ``"gaussian"`` (normal, std ``1/sqrt(in)``), ``"xavier_uniform"``,
        ``"kaiming_uniform"`` (as PEFT's C3A adapter).
    backend : str
        ``"rdfft"`` (numerics' in-place FFT, CPU tensors) or ``"torch.fft"``
        (complex spectra, any device; tensors on other devices use it anyway).
    fft_format, fft_compute, rounding, seed
        Emulate every FFT of the adapter in this format (e.g. ``"bfloat16"``) with
        this rounding (:func:`numerics.transforms.rdfft`); with ``fft_compute`` (e.g.
        ``"float32"``) the butterflies compute in that format and store in
        ``fft_format``, the rdFFT paper's bf16 setting. The spectra's products run in
        the tensor's precision. ``None``: native.

    Notes
    -----
    The paper's stability heuristic divides the learning rate of ``c`` by ``p``,
    since each ``c_ij`` drives ``p`` outputs through its cyclic shifts:
    :func:`numerics.torch.circulant_parameter_groups` builds those groups.

    Examples
    --------
    >>> layer = CirculantAdapter(torch.nn.Linear(16, 8), p=4)
    >>> layer.c.shape, layer(torch.randn(2, 16)).shape
    (torch.Size([2, 4, 4]), torch.Size([2, 8]))
    """

    def __init__(
        self,
        base: nn.Linear,
        p: int,
        scale: float = 1.0,
        *,
        init: str = "zero",
        backend: str = "rdfft",
        fft_format: str | None = None,
        fft_compute: str | None = None,
        rounding: str = "nearest_even",
        seed: int | None = None,
    ):
        super().__init__(base, p, scale, backend, fft_format, fft_compute, rounding, seed)
        if init not in _BLOCK_INITS:
            raise ValueError(f"unknown init {init!r}: expected one of {_BLOCK_INITS}")
        w = base.weight
        self.c = nn.Parameter(torch.zeros(self.r, self.s, p, dtype=w.dtype, device=w.device))
        self.init = init
        self._initialise(init)

    @torch.no_grad()
    def _initialise(self, init: str) -> None:
        fan_in, fan_out = self.in_features, self.out_features
        if init == "projection":
            self.c.copy_(circulant_projection(self.base.weight, self.p))
            self.base.weight.sub_(self.delta_weight())
        elif init == "gaussian":
            nn.init.normal_(self.c, std=1.0 / math.sqrt(fan_in))
        elif init == "xavier_uniform":
            a = math.sqrt(3.0) * math.sqrt(2.0 / (fan_in + fan_out))
            nn.init.uniform_(self.c, -a, a)
        elif init == "kaiming_uniform":
            a = math.sqrt(1.0 / fan_in)
            nn.init.uniform_(self.c, -a, a)

    def delta(self, x: Tensor) -> Tensor:
        """``dW x`` for rows ``x`` (N, in_features)."""
        return self._circulant(x, self.c, self.in_features, self.out_features)

    def delta_weight(self) -> Tensor:
        """``dW`` as a dense ``out x in`` matrix (without ``scale``)."""
        return block_circulant_matrix(self.c)[: self.out_features, : self.in_features]


class CirculantDiagonalAdapter(_FFTAdapter):
    """``y = base(x) + scale * dW x`` with ``dW`` a product of interleaved diagonal and
    circulant factors (arXiv 2505.00580), never formed:

    ``dW = diag(a_{2m-1}) C_{2m-2} diag(a_{2m-3}) ... C_2 diag(a_1)``

    with ``m`` diagonal vectors ``a`` and ``m - 1`` circulant factors ``C``. The paper
    factorises after Huhtanen and Peramaki (2015), who showed that any ``n x n``
    matrix is such a product of at most ``2n - 1`` factors, and uses ``m = 2``
    (``diag . circ . diag``) in its experiments; for non-square weights it partitions
    the circulant factor into ``p x p`` circulant blocks (``ceil(out/p) x
    ceil(in/p)`` of them). Here ``C_2`` maps the ``in`` features to the ``out``
    features (blocks of ``p``) and every later circulant factor is ``out x out``
    (blocks of ``p``; one circulant when ``p = out``).

    Initialisation (``init="zero"``): ``a_1 .. a_{2m-3}`` are ones, the circulant
    columns are normal with std ``1/sqrt(fan_in)`` and the last diagonal
    ``a_{2m-1}`` is zero, so ``dW = 0`` at the start and the first step moves
    ``a_{2m-1}`` (as LoRA starts ``B`` at zero). The paper does not fix an
    initialisation in the text we could check; this one keeps the pretrained
    function at step 0 like every additive adapter. ``init="gaussian"`` makes the last
    diagonal normal too.

    Parameters
    ----------
    base : torch.nn.Linear
        The frozen layer.
    p : int
        Block size of the circulant factors, a power of two.
    factors : int
        ``m``, the number of diagonal factors (``2m - 1`` factors in all), at least 1.
    scale, backend, fft_format, fft_compute, rounding, seed
        As :class:`CirculantAdapter`.

    Examples
    --------
    >>> layer = CirculantDiagonalAdapter(torch.nn.Linear(16, 8), p=8)
    >>> [tuple(a.shape) for a in layer.diagonals], [tuple(c.shape) for c in layer.circulants]
    ([(16,), (8,)], [(1, 2, 8)])
    """

    def __init__(
        self,
        base: nn.Linear,
        p: int,
        scale: float = 1.0,
        *,
        factors: int = 2,
        init: str = "zero",
        backend: str = "rdfft",
        fft_format: str | None = None,
        fft_compute: str | None = None,
        rounding: str = "nearest_even",
        seed: int | None = None,
    ):
        super().__init__(base, p, scale, backend, fft_format, fft_compute, rounding, seed)
        if not isinstance(factors, int) or factors < 1:
            raise ValueError(f"factors (m, the number of diagonals) must be >= 1, got {factors!r}")
        if factors == 1 and self.in_features != self.out_features:
            raise ValueError("one factor (a diagonal) needs a square weight; use factors >= 2")
        if init not in ("zero", "gaussian"):
            raise ValueError(f"unknown init {init!r}: expected 'zero' or 'gaussian'")
        w = base.weight
        like = {"dtype": w.dtype, "device": w.device}
        sizes = [self.in_features] + [self.out_features] * (factors - 1)
        self.diagonals = nn.ParameterList(nn.Parameter(torch.ones(n, **like)) for n in sizes)
        shapes = ([(self.r, self.s, p)] + [(self.r, self.r, p)] * (factors - 2))[: factors - 1]
        self.circulants = nn.ParameterList(nn.Parameter(torch.empty(sh, **like)) for sh in shapes)
        self.factors, self.init = factors, init
        with torch.no_grad():
            for c in self.circulants:
                nn.init.normal_(c, std=1.0 / math.sqrt(c.shape[1] * p))
            last = self.diagonals[-1]
            if init == "zero":
                last.zero_()
            else:
                nn.init.normal_(last)

    def delta(self, x: Tensor) -> Tensor:
        """``dW x`` for rows ``x`` (N, in_features)."""
        # indexing, not slicing: a sliced ParameterList wraps its tensors anew,
        # which would cut them out of functional_call's and compile's graphs
        y = x * self.diagonals[0]
        width = self.in_features
        for i, c in enumerate(self.circulants):
            y = self._circulant(y, c, width, self.out_features) * self.diagonals[i + 1]
            width = self.out_features
        return y

    def delta_weight(self) -> Tensor:
        """``dW`` as a dense ``out x in`` matrix (without ``scale``)."""
        w = torch.diag(self.diagonals[0])
        width = self.in_features
        for i, c in enumerate(self.circulants):
            blocks = block_circulant_matrix(c)[: self.out_features, :width]
            w = self.diagonals[i + 1][:, None] * (blocks @ w)
            width = self.out_features
        return w
