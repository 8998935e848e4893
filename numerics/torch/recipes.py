"""Training recipes: how each operand of each product of a linear layer is quantized.

A linear layer computes three products: the forward ``y = x w^T``, the input gradient
``dx = dy w`` and the weight gradient ``dw = dy^T x``. A :class:`Recipe` names a
:class:`Product` for each, and a product names an :class:`Operand` quantizer for each
of its two factors, plus an optional Hadamard rotation along the contracted axis (the
rotation cancels in exact arithmetic: ``(a H)(b H)^T = a b^T``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as Fn
from torch import Tensor

from .. import formats
from ..scaled import mx as _mx
from . import functional

__all__ = [
    "KINDS",
    "Operand",
    "Product",
    "Recipe",
    "bitnet",
    "deepseek_fp8",
    "four_over_six",
    "fp8",
    "fp32",
    "mxfp4",
    "mxfp8",
    "nvfp4",
    "nvfp4_2d",
    "quartet",
    "weight_only",
]

KINDS = ("none", "cast", "tensor", "mx", "nvfp4", "ternary", "int", "quest", "tile")
# the kinds that are a cast of t / scale: their factor is values of fmt times scales
_SCALED_CASTS = ("cast", "tensor", "quest", "tile")

#: The MSE-optimal clipping point of a unit Gaussian quantized into FP4, in standard
#: deviations: Quartet's forward scale is 2**floor(log2(QUEST_FP4_CLIP / 6 * std + 1e-8))
#: (IST-DASLab/qutlass, tests/quartet_test.py ``_forward_quantize_ref``; the same constant
#: as ``gaussian_scale=2.92247856 / 6.0`` in IST-DASLab/Quartet,
#: src/models/quantization/quantizers/mxfp4.py).
QUEST_FP4_CLIP = 2.92247856
#: Added to the scaled standard deviation before the power of two is taken, as in the
#: authors' code (same sources), so a block of zeros gets a finite scale.
QUEST_EPS = 1e-8
#: Quartet's backward prescale: elements are ``v / 2**floor(log2(amax)) * 3``, i.e. the
#: OCP MX floor scale ``2**(floor(log2(amax)) - 2)`` with a 3/4 prescale, so that
#: stochastic rounding never needs a value beyond 6 (qutlass ``_backward_quantize_ref``:
#: ``* 3.0  # * .75``; Quartet ``mxfp4_forward_kernel`` with ``quest=False``:
#: ``exp2(floor(log2(amax)) - 2) / (3/4)``).
QUARTET_BACKWARD_PRESCALE = 0.75


@dataclass(frozen=True)
class Operand:
    """How one factor of a product is quantized along its contracted axis.

    Attributes
    ----------
    kind : str
        ``"none"`` (kept as is); ``"cast"`` (rounded into ``fmt``); ``"tensor"``
        (scaled by a power of two per tensor so its largest magnitude fits ``fmt``,
        rounded, scaled back); ``"mx"`` (MX blocks of ``block_size`` with element
        ``fmt``, shared exponent by ``scale_mode``, optional ``prescale``);
        ``"nvfp4"`` (``block_rows`` x 16 blocks, ``scale_selection``,
        ``tensor_scale_max``); ``"ternary"`` (BitNet absmean); ``"int"`` (symmetric
        absmax integers of ``bits`` per row, BitNet's 8-bit activations); ``"quest"``
        (Quartet's forward: blocks of ``block_size`` scaled by the power of two at or
        below ``clip / max(fmt)`` times the block's standard deviation, elements
        saturated into ``fmt``; no gradient where ``|v| >= max(fmt) * scale``);
        ``"tile"`` (DeepSeek-V3's fine-grained scaling: ``block_rows`` x
        ``block_size`` tiles with the float32 scale ``s = amax / max(fmt)``, elements
        ``fmt(v / s)`` with the quotient in the data's dtype, as DeepSeek's
        ``act_quant`` kernel; a tile of zeros gets ``s = 1``).
    fmt : str
        Element format for cast, tensor and mx.
    rounding : str
        Any :class:`numerics.Rounding`; stochastic draws from the layer's counters.
    block_size : int
        MX block length.
    bits : int
        Integer width for ``"int"``.
    clip : float
        QuEST-style clipping: values beyond ``clip`` times the root mean square of their
        block are clipped before quantization and get no gradient (0: off). For
        ``"quest"``: the Gaussian clipping point in standard deviations
        (:data:`QUEST_FP4_CLIP` for FP4).
    ste : str
        Straight-through gradient of the quantizer: ``"identity"`` or ``"clipped"``
        (casts: 0 where the cast clipped).
    scale_mode : str
        ``"mx"``: how the shared exponent follows from the block's absmax, one of
        :data:`numerics.scaled.SCALE_MODES` (``"rceil"``: torchao's and cuBLAS's).
    prescale : float
        ``"mx"`` with ``scale_mode`` ``"floor"`` or ``"ceil"``: elements are rounded
        from ``v * prescale / 2**e`` (``2**e`` the block's MX scale) and read back as
        ``q * 2**e / prescale``
        (:data:`QUARTET_BACKWARD_PRESCALE` for Quartet's backward).
    block_rows : int
        ``"nvfp4"`` and ``"tile"``: 2-D blocks of ``block_rows`` rows (the factor's
        non-contracted axis) by the block length, so a weight and its transpose share
        scales (NVFP4: 1 or 16).
    scale_selection : str
        ``"nvfp4"``: ``"max"`` or ``"four_over_six"`` (see :func:`numerics.quantize_nvfp4`).
    tensor_scale_max : float or None
        ``"nvfp4"``: the block scale the tensor's absmax maps to (None: 448, or 256
        under four over six).
    Examples
    --------
    >>> Operand("mx", "e2m1").quantize(torch.tensor([[1.0, 2.9, -7.0, 0.1]]), seed=0).tolist()
    [[1.0, 3.0, -6.0, 0.0]]
    """

    kind: str = "none"
    fmt: str = "float8_e4m3fn"
    rounding: str = "nearest_even"
    block_size: int = 32
    bits: int = 8
    clip: float = 0.0
    ste: str = "identity"
    scale_mode: str = "floor"
    prescale: float = 1.0
    block_rows: int = 1
    scale_selection: str = "max"
    tensor_scale_max: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown operand kind {self.kind!r}; choose from {', '.join(KINDS)}")
        if not (self.clip >= 0 and math.isfinite(self.clip)):
            raise ValueError(f"clip must be a finite number >= 0, got {self.clip}")
        if self.kind == "int" and not 2 <= self.bits <= 16:
            raise ValueError(f"bits must be in 2..16, got {self.bits}")
        if isinstance(self.block_size, bool) or not (
            isinstance(self.block_size, int) and self.block_size >= 1
        ):
            raise ValueError(f"block_size must be a positive int, got {self.block_size!r}")
        if self.scale_mode not in _mx.SCALE_MODES:
            modes = ", ".join(_mx.SCALE_MODES)
            raise ValueError(f"scale_mode must be one of {modes}; got {self.scale_mode!r}")
        if not (math.isfinite(self.prescale) and self.prescale > 0):
            raise ValueError(f"prescale must be a positive finite number, got {self.prescale}")
        if self.prescale != 1 and self.kind != "mx":
            raise ValueError(f"prescale applies to 'mx' operands, not {self.kind!r}")
        if self.prescale != 1 and self.scale_mode not in ("floor", "ceil"):
            raise ValueError(
                f"prescale needs scale_mode 'floor' or 'ceil', got {self.scale_mode!r}"
            )
        if isinstance(self.block_rows, bool) or not (
            isinstance(self.block_rows, int) and self.block_rows >= 1
        ):
            raise ValueError(f"block_rows must be a positive int, got {self.block_rows!r}")
        if self.block_rows > 1 and self.kind not in ("nvfp4", "tile"):
            raise ValueError(f"block_rows applies to 'nvfp4' and 'tile', not {self.kind!r}")
        if self.kind == "nvfp4" and self.block_rows not in (1, 16):
            raise ValueError(f"NVFP4 blocks are 1x16 or 16x16; got block_rows={self.block_rows}")
        if self.scale_selection not in _mx.SCALE_SELECTIONS:
            sel = ", ".join(_mx.SCALE_SELECTIONS)
            raise ValueError(f"scale_selection must be one of {sel}; got {self.scale_selection!r}")
        if self.scale_selection != "max" and self.kind != "nvfp4":
            raise ValueError(f"scale_selection applies to 'nvfp4' operands, not {self.kind!r}")
        m = self.tensor_scale_max
        if m is not None and not (math.isfinite(m) and 0 < m <= 448):
            raise ValueError(f"tensor_scale_max must be in (0, 448], got {m!r}")
        if self.kind == "quest" and self.clip <= 0:
            raise ValueError(
                f"a 'quest' operand needs clip > 0 (QUEST_FP4_CLIP = {QUEST_FP4_CLIP} for FP4)"
            )

    def quantize(
        self, t: Tensor, *, seed: int | Tensor, step: int | Tensor = 0, call: int = 0
    ) -> Tensor:
        """``t`` (contracted axis last) quantized, dequantized, differentiable."""
        if self.kind == "none":
            return t
        if self.kind in _SCALED_CASTS:
            v, s = self.parts(t, seed=seed, step=step, call=call)
            return v if s is None else v * s
        if self.clip > 0:
            t = _quest_clip(t, self.clip, self.block_size)
        kw = dict(seed=seed, step=step, call=call)
        if self.kind == "mx" and self.prescale != 1:
            # prescale * 2**-e is exact in float64, and so is v times it; the read-back
            # q / (prescale * 2**-e) is rounded once into float64, then into t's dtype
            c = torch.exp2(-self._mx_exponents(t)) * self.prescale
            q = functional.cast(
                t.double() * c, self.fmt, self.rounding, saturate=True, ste=self.ste, **kw
            )
            return (q / c).to(t.dtype)
        if self.kind == "mx":
            n = t.shape[-1]
            bs = self.block_size if n % self.block_size == 0 else n
            return functional.quantize_mx(
                t, self.fmt, block_size=bs, scale_mode=self.scale_mode, rounding=self.rounding, **kw
            )
        if self.kind == "nvfp4":
            return functional.quantize_nvfp4(
                t,
                block_shape=(self.block_rows, 16),
                tensor_scale_max=self.tensor_scale_max,
                scale_selection=self.scale_selection,
                rounding=self.rounding,
                **kw,
            )
        if self.kind == "ternary":
            return functional.quantize_ternary(t)
        return _absmax_int(t, self.bits)

    def parts(
        self, t: Tensor, *, seed: int | Tensor, step: int | Tensor = 0, call: int = 0
    ) -> tuple[Tensor, Tensor | None]:
        """``(v, s)`` with ``quantize(t) == v * s`` exactly: ``v`` holds values of
        ``fmt`` (what a tensor core multiplies) and ``s`` the scale of every element
        (None: 1), for the ``"cast"``, ``"tensor"``, ``"quest"`` and ``"tile"`` kinds.

        Examples
        --------
        >>> v, s = Operand("tile", "e4m3", block_size=2).parts(torch.tensor([[896.0, 1.0]]), seed=0)
        >>> v.tolist(), s.tolist()
        ([[448.0, 0.5]], [[2.0, 2.0]])
        """
        if self.kind not in _SCALED_CASTS:
            raise NotImplementedError(
                f"a {self.kind!r} operand has no (values, scales) form for a tensor core; "
                f"use one of {', '.join(_SCALED_CASTS)}"
            )
        if self.clip > 0 and self.kind != "quest":
            t = _quest_clip(t, self.clip, self.block_size)
        kw = dict(seed=seed, step=step, call=call)
        if self.kind == "cast":
            return functional.cast(
                t, self.fmt, self.rounding, saturate=True, ste=self.ste, **kw
            ), None
        s = self.scales(t)
        v = functional.cast(t / s, self.fmt, self.rounding, saturate=True, ste=self.ste, **kw)
        return v, s

    def scales(self, t: Tensor) -> Tensor:
        """The scale of every element of ``t`` (contracted axis last) under a
        ``"tensor"``, ``"quest"``, ``"tile"`` or prescaled ``"mx"`` operand: the
        quantizer rounds ``t / scale`` into ``fmt`` (float64 for a prescaled MX
        operand, whose scale ``2**e / prescale`` float32 may not hold).

        Examples
        --------
        >>> Operand("tile", block_size=2).scales(torch.tensor([[448.0, 1.0, 0.0, 0.0]])).tolist()
        [[1.0, 1.0, 1.0, 1.0]]
        """
        if self.kind == "tensor":
            return _pow2_scale(t, self.fmt)
        fmax = formats.as_format(self.fmt).max
        if self.kind == "tile":
            s = _tile_absmax(t, self.block_rows, self.block_size) / fmax
            return torch.where(s == 0, 1.0, s)  # a tile of zeros: all 0; NaN stays
        if self.kind == "quest":
            return _quest_scale(t, self.block_size, self.clip / fmax).to(t.dtype)
        if self.kind == "mx" and self.prescale != 1:
            return torch.exp2(self._mx_exponents(t)) / self.prescale
        raise ValueError(f"a {self.kind!r} operand has no per-element scales")

    def _mx_exponents(self, t: Tensor) -> Tensor:
        """The MX shared exponent of each element's block (float64; NaN for a NaN
        block), as :func:`numerics.scaled.mx_scale_exponents` under ``scale_mode``
        (``"floor"`` or ``"ceil"``), in torch ops so that torch.compile traces it."""
        n = t.shape[-1]
        bs = self.block_size if n % self.block_size == 0 else n
        amax = _tile_absmax(t, 1, bs).double()
        emax = math.frexp(formats.as_format(self.fmt).max)[1] - 1
        m, k = torch.frexp(amax)  # amax = m * 2**k exactly, m in [0.5, 1)
        e = (k - 1).double()  # floor(log2(amax))
        if self.scale_mode == "ceil":
            e = e + (m != 0.5).double()
        e = torch.where(amax == 0, -127.0, e - emax).clamp(-127, 127)
        return torch.where(torch.isfinite(amax), e, torch.nan)


class _Clip(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t, c):
        keep = t.abs() <= c
        ctx.save_for_backward(keep)
        return torch.where(keep, t, torch.sign(t) * c)

    @staticmethod
    def backward(ctx, g):
        (keep,) = ctx.saved_tensors
        return g * keep.to(g.dtype), None


def _quest_clip(t: Tensor, alpha: float, block: int) -> Tensor:
    n = t.shape[-1]
    b = block if n % block == 0 else n
    blocks = t.detach().reshape(*t.shape[:-1], n // b, b)
    rms = blocks.pow(2).mean(-1, keepdim=True).sqrt()
    c = (alpha * rms).expand_as(blocks).reshape(t.shape)
    return _Clip.apply(t, c)


def _tile_absmax(t: Tensor, rows: int, cols: int) -> Tensor:
    """The absmax of the ``rows`` x ``cols`` tile (the last ones may be short) holding
    each element of ``t``, broadcast to ``t``'s shape (``rows > 1``: ``t`` is 2-D)."""
    a = t.detach().abs()
    shape = a.shape
    if rows > 1 and a.dim() != 2:
        raise ValueError(f"tiles of {rows} rows need a 2-D operand, got shape {tuple(shape)}")
    a = a.reshape(-1, shape[-1]) if a.dim() != 2 else a
    r, n = a.shape
    pr, pc = -r % rows, -n % cols
    p = Fn.pad(a, (0, pc, 0, pr)).reshape((r + pr) // rows, rows, (n + pc) // cols, cols)
    # amax propagates NaN, so a NaN or Inf makes its tile's scale NaN
    m = p.amax(dim=(1, 3)).repeat_interleave(rows, 0).repeat_interleave(cols, 1)
    return m[:r, :n].reshape(shape)


def _quest_scale(t: Tensor, block: int, c: float) -> Tensor:
    """Quartet's forward scale, in float64 as the authors' reference computes it:
    ``2**floor(log2(c * std + 1e-8))`` per block of ``block`` along the last axis
    (population standard deviation; clamped to E8M0's exponents)."""
    n = t.shape[-1]
    b = block if n % block == 0 else n
    blocks = t.detach().double().reshape(*t.shape[:-1], n // b, b)
    s = c * blocks.std(dim=-1, correction=0, keepdim=True) + QUEST_EPS
    e = torch.floor(torch.log2(s)).clamp(-127, 127)
    return torch.exp2(e).expand_as(blocks).reshape(t.shape)


def _pow2_scale(t: Tensor, fmt: str) -> Tensor:
    amax = t.detach().abs().max()
    fmax = formats.as_format(fmt).max
    ok = torch.isfinite(amax) & (amax > 0)  # branch-free, so torch.compile traces it
    safe = torch.where(ok, amax, torch.ones_like(amax))
    return torch.where(ok, torch.exp2(torch.ceil(torch.log2(safe / fmax))), 1.0).to(t.dtype)


class _RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        return torch.round(t)

    @staticmethod
    def backward(ctx, g):
        return g


def _absmax_int(t: Tensor, bits: int) -> Tensor:
    qmax = 2 ** (bits - 1) - 1
    s = t.detach().abs().amax(-1, keepdim=True).clamp_min(1e-12) / qmax
    return _RoundSTE.apply(t / s).clamp(-qmax, qmax) * s


@dataclass(frozen=True)
class Product:
    """The quantizers of the two factors of one product, and its rotation.

    Attributes
    ----------
    a, b : Operand
        The left and right factors (for ``y = x w^T``: ``x`` and ``w``).
    rotate : int
        Hadamard rotation along the contracted axis in blocks of this size (0: none).
    random_signs : bool
        Random signs before the rotation (the same signs on both factors, redrawn every
        step from the layer's counters).
    requantize : bool
        Backward products only: the second factor is the forward product's quantized
        factor (``w`` for ``grad_input``, ``x`` for ``grad_weight``, still in the
        forward's rotated domain) quantized again along the new contracted axis, and the
        result is rotated back by the forward's rotation, as Quartet's
        ``backward_qt_bf16`` kernels do (IST-DASLab/Quartet,
        quartet_qat/module/linear_fns.py). Otherwise the factor is quantized from the
        layer's input or weight.

    Examples
    --------
    >>> Product(Operand("cast"), Operand("cast"), rotate=32).rotate
    32
    """

    a: Operand = field(default_factory=Operand)
    b: Operand = field(default_factory=Operand)
    rotate: int = 0
    random_signs: bool = False
    requantize: bool = False

    def __post_init__(self) -> None:
        if self.rotate < 0 or self.rotate & (self.rotate - 1):
            raise ValueError(f"rotate must be 0 or a power of two, got {self.rotate}")


@dataclass(frozen=True)
class Recipe:
    """How a linear layer computes its three products.

    Attributes
    ----------
    name : str
    forward : Product
        ``y = x w^T`` (factors x, w; contracted over in_features).
    grad_input : Product
        ``dx = dy w`` (factors dy, w^T; contracted over out_features).
    grad_weight : Product
        ``dw = dy^T x`` (factors dy^T, x^T; contracted over the batch).
    gemm : TensorCore, str or None
        The unit that computes each product from the quantized factors, as
        :func:`numerics.arith.tc_matmul` does: a ``numerics.arith.TensorCore`` (its
        operand formats must be the factors'), or a generation's name (``"hopper"``:
        ``TensorCore.named("hopper", a_fmt, b_fmt)`` per product, so e5m2 gradients
        get an e5m2 x e4m3 unit). A factor is then ``v * s``, values ``v`` of its
        format and scales ``s`` (:meth:`Operand.parts`; the ``"cast"``, ``"tensor"``,
        ``"quest"`` and ``"tile"`` kinds): the unit multiplies the ``v``, and each
        chunk's float32 result is scaled and added into a float32 accumulator on the
        "CUDA cores": ``acc = fl(acc + fl(d * fl(s_a * s_b)))``, round to nearest, as
        DeepSeek-V3's FP8 GEMM promotes. Scales must be constant along each chunk.
        None (the default): the products of the dequantized factors in the layer's
        dtype. Products through a unit run on the CPU, outside ``torch.compile``.
    promote_every : int or None
        With ``gemm``: the chunk length along k (DeepSeek-V3's 128, four WGMMAs); None:
        the whole of k in one chain of the unit.

    Examples
    --------
    >>> fp8().forward.a.fmt, fp8().grad_input.a.fmt
    ('float8_e4m3fn', 'float8_e5m2')
    """

    name: str
    forward: Product = field(default_factory=Product)
    grad_input: Product = field(default_factory=Product)
    grad_weight: Product = field(default_factory=Product)
    gemm: object | None = None
    promote_every: int | None = None

    def __post_init__(self) -> None:
        if self.forward.requantize:
            raise ValueError("requantize applies to the backward products, not the forward")
        p = self.promote_every
        if p is not None and (isinstance(p, bool) or not isinstance(p, int) or p < 1):
            raise ValueError(f"promote_every must be a positive int or None, got {p!r}")
        from ..arith.tensor_core import ARCHS, TensorCore

        g = self.gemm
        if not (g is None or isinstance(g, TensorCore) or g in ARCHS):
            raise ValueError(
                f"gemm must be a TensorCore, one of {', '.join(ARCHS)} or None, got {g!r}"
            )
        if g is not None:
            for name in ("forward", "grad_input", "grad_weight"):
                for op in (getattr(self, name).a, getattr(self, name).b):
                    if op.kind not in _SCALED_CASTS:
                        raise ValueError(
                            f"gemm needs factors of the kinds {', '.join(_SCALED_CASTS)}; "
                            f"the {name} product has a {op.kind!r} operand"
                        )

    @property
    def weight(self) -> Operand:
        """The quantizer of the stored weight (the forward's right factor)."""
        return self.forward.b


def fp32() -> Recipe:
    """No quantization: every product in the layer's dtype.

    Examples
    --------
    >>> fp32().forward.a.kind
    'none'
    """
    return Recipe("fp32")


def fp8() -> Recipe:
    """FP8 training: e4m3 activations and weights, e5m2 gradients, each scaled per
    tensor by a power of two, rounded to nearest.

    Examples
    --------
    >>> fp8().grad_weight.a.kind
    'tensor'
    """
    e4, e5 = Operand("tensor", "float8_e4m3fn"), Operand("tensor", "float8_e5m2")
    return Recipe("fp8", Product(e4, e4), Product(e5, e4), Product(e5, e4))


def mxfp4(rounding_grad: str = "stochastic") -> Recipe:
    """MXFP4 everywhere (e2m1 elements, blocks of 32 along the contracted axis);
    gradients rounded stochastically.

    Examples
    --------
    >>> mxfp4().grad_input.a.rounding
    'stochastic'
    """
    f = Operand("mx", "e2m1")
    g = replace(f, rounding=rounding_grad)
    return Recipe("mxfp4", Product(f, f), Product(g, f), Product(g, f))


def nvfp4(rounding_grad: str = "stochastic") -> Recipe:
    """NVFP4 everywhere (16-element e4m3-scaled blocks and a tensor scale); gradients
    rounded stochastically, the weight gradient Hadamard-rotated (blocks of 16).

    Examples
    --------
    >>> nvfp4().grad_weight.rotate
    16
    """
    f = Operand("nvfp4")
    g = replace(f, rounding=rounding_grad)
    return Recipe(
        "nvfp4", Product(f, f), Product(g, f), Product(g, f, rotate=16, random_signs=True)
    )


def quartet(rounding_grad: str = "stochastic") -> Recipe:
    """Quartet (arXiv 2505.14669) MXFP4 training, as the authors' kernels compute it.

    Forward: both factors rotated by the normalised 32-point Hadamard transform, then
    quantized in blocks of 32 with the power-of-two scale
    ``2**floor(log2(2.92247856 / 6 * std + 1e-8))`` (:data:`QUEST_FP4_CLIP`, the
    MSE-optimal Gaussian clipping point for FP4 in standard deviations, over e2m1's
    max; population std of the rotated block; E8M0 scale), elements rounded to nearest
    even and saturated at 6; no gradient where ``|v / scale| >= 6`` (IST-DASLab/qutlass
    ``fusedQuantizeMx(method="quest")`` and its reference ``_forward_quantize_ref`` in
    tests/quartet_test.py). Backward: both products rotated with random signs (blocks
    of 32), their factors quantized with the MX floor scale and the 3/4 prescale
    (:data:`QUARTET_BACKWARD_PRESCALE`: elements ``v / 2**floor(log2(amax)) * 3``,
    read back divided by 3, qutlass ``_backward_quantize_ref``) and rounded
    stochastically; the second factor of each is the forward's quantized factor
    quantized again (``requantize``, quartet_qat ``backward_qt_bf16``) and the trust
    masks of the forward apply before the forward rotation is undone.

    Where this differs from the authors' code: their random signs are one vector per
    backward call, applied after the transform (``H D``), where here each product draws
    its own, applied before; the pseudo-quantization Triton kernel of
    IST-DASLab/Quartet rounds ties toward zero, the CUDA kernels (and here) to even.

    Examples
    --------
    >>> r = quartet()
    >>> r.forward.a.kind, r.forward.a.clip, r.grad_input.a.prescale
    ('quest', 2.92247856, 0.75)
    """
    f = Operand("quest", "e2m1", clip=QUEST_FP4_CLIP)
    g = Operand("mx", "e2m1", rounding=rounding_grad, prescale=QUARTET_BACKWARD_PRESCALE)
    back = Product(g, g, rotate=32, random_signs=True, requantize=True)
    return Recipe("quartet", Product(f, f, rotate=32), back, back)


def nvfp4_2d(
    rounding_grad: str = "stochastic",
    *,
    scale_selection: str = "max",
    tensor_scale_max: float | None = None,
) -> Recipe:
    """NVIDIA's NVFP4 pretraining recipe (arXiv 2509.25149, "Pretraining Large Language
    Models with NVFP4", section 4): NVFP4 everywhere with a float32 tensor scale
    (``amax / (6 * tensor_scale_max)``, 448 by default: e4m3's max); weights in 16x16
    two-dimensional blocks so that W in the forward and W^T in the backward are the
    same quantized values; activations and gradients in 1x16 blocks along the
    contracted axis; gradients rounded stochastically, the others to nearest even; the
    weight-gradient product's factors rotated by a 16-point random Hadamard transform.
    ``scale_selection="four_over_six"``: see :func:`four_over_six`.

    Examples
    --------
    >>> r = nvfp4_2d()
    >>> r.forward.b.block_rows, r.forward.a.block_rows, r.grad_weight.rotate
    (16, 1, 16)
    """
    a = Operand("nvfp4", scale_selection=scale_selection, tensor_scale_max=tensor_scale_max)
    w = replace(a, block_rows=16)
    g = replace(a, rounding=rounding_grad)
    name = "nvfp4_2d" if scale_selection == "max" else f"nvfp4_2d_{scale_selection}"
    return Recipe(name, Product(a, w), Product(g, w), Product(g, a, rotate=16, random_signs=True))


def four_over_six(
    rounding_grad: str = "stochastic", *, tensor_scale_max: float | None = None
) -> Recipe:
    """:func:`nvfp4_2d` with Four Over Six block scales (arXiv 2512.02010): every
    operand's blocks pick the scale mapping their absmax onto 6 or onto 4, whichever
    dequantizes with the smaller squared error, under the tensor scale
    ``amax / (6 * 256)`` (:data:`numerics.scaled.mx.FOUR_OVER_SIX_SCALE_MAX`), as
    mit-han-lab/fouroversix's reference quantizer.

    Examples
    --------
    >>> four_over_six().forward.b.scale_selection
    'four_over_six'
    """
    r = nvfp4_2d(rounding_grad, scale_selection="four_over_six", tensor_scale_max=tensor_scale_max)
    return replace(r, name="four_over_six")


def deepseek_fp8(block: int = 128, gemm=None) -> Recipe:
    """DeepSeek-V3's FP8 training (arXiv 2412.19437, section 3.3): e4m3 for every
    factor of every product (no e5m2), with fine-grained float32 scales
    ``s = amax / 448``: activations and gradients in 1x128 tiles along the contracted
    axis (so 128x1 tiles of x and dy in the weight-gradient product), weights in
    128x128 blocks (so W and W^T share them); elements ``e4m3(v / s)`` rounded to
    nearest, the quotient in float32 as the ``act_quant`` kernel of DeepSeek-V3's
    inference/kernel.py computes it (a tile of zeros gets ``s = 1`` and reads back as
    zeros, where that kernel would divide 0 by 0).

    The report also promotes the tensor cores' partial sums into float32 every 128
    products along k (``promote_every=128``, four WGMMAs of k=32), because Hopper's
    FP8 MMAs keep 13 fraction bits: ``gemm="hopper"`` (or
    ``numerics.arith.TensorCore.named("hopper", "e4m3")``) computes every product so,
    bit-exact with :func:`numerics.arith.tc_matmul`; with ``gemm=None`` (the default)
    the products of the dequantized factors are computed in the layer's dtype.

    Examples
    --------
    >>> r = deepseek_fp8()
    >>> r.forward.a.block_size, r.forward.b.block_rows, r.promote_every
    (128, 128, 128)
    """
    a = Operand("tile", "float8_e4m3fn", block_size=block)
    w = replace(a, block_rows=block)
    return Recipe(
        "deepseek_fp8", Product(a, w), Product(a, w), Product(a, a), gemm=gemm, promote_every=128
    )


def mxfp8(grad: str = "float8_e4m3fn", *, wgrad_high_precision: bool = False) -> Recipe:
    """MXFP8 training as torchao runs it (torchao 0.18,
    ``torchao.prototype.moe_training.mxfp8_linear``, recipe ``MXFP8_RCEIL``): every
    factor of the three products in MX blocks of 32 along its contracted axis with
    e4m3 elements and RCEIL scales (``2**ceil(log2(amax / 448))``, cuBLAS's rule);
    gradients in ``grad`` (e4m3 as torchao 0.18; ``"float8_e5m2"`` as its earlier
    ``MXLinearConfig`` allowed); ``wgrad_high_precision``: the weight gradient in the
    layer's dtype (torchao's ``MXFP8_RCEIL_WGRAD_WITH_HP``). The quantizers match
    torchao's ``to_mx(..., ScaleCalculationMode.RCEIL)`` then ``to_dtype`` bit for bit,
    except for blocks whose absmax is below ``448 * 2**-127`` (torchao's exponent 0
    then multiplies by 1 instead of ``2**127`` and flushes the block to zero).

    Examples
    --------
    >>> r = mxfp8()
    >>> r.forward.a.scale_mode, r.grad_input.a.fmt
    ('rceil', 'float8_e4m3fn')
    """
    g_fmt = formats.as_format(grad).name
    if g_fmt not in ("float8_e4m3fn", "float8_e5m2"):
        raise ValueError(f"grad must be float8_e4m3fn or float8_e5m2, got {grad!r}")
    f = Operand("mx", "float8_e4m3fn", scale_mode="rceil")
    g = replace(f, fmt=g_fmt)
    wg = Product() if wgrad_high_precision else Product(g, f)
    return Recipe("mxfp8", Product(f, f), Product(g, f), wg)


def bitnet() -> Recipe:
    """BitNet b1.58: absmean ternary weights and 8-bit absmax activations per token in
    the forward product; backward in the layer's dtype.

    Examples
    --------
    >>> bitnet().weight.kind
    'ternary'
    """
    return Recipe("bitnet", Product(Operand("int", bits=8), Operand("ternary")))


def weight_only(fmt: str = "float8_e4m3fn", kind: str = "cast") -> Recipe:
    """Only the weight quantized (``kind`` as in :class:`Operand`), as in weight-only
    quantization-aware training.

    Examples
    --------
    >>> weight_only("e2m1", "mx").weight.fmt
    'e2m1'
    """
    return Recipe("weight_only", Product(Operand(), Operand(kind, fmt)))
