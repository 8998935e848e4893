"""Training recipes: how each operand of each product of a linear layer is quantized.

A linear layer computes three products: the forward ``y = x w^T``, the input gradient
``dx = dy w`` and the weight gradient ``dw = dy^T x``. A :class:`Recipe` names a
:class:`Product` for each, and a product names an :class:`Operand` quantizer for each
of its two factors, plus an optional Hadamard rotation along the contracted axis (the
rotation cancels in exact arithmetic: ``(a H)(b H)^T = a b^T``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import torch
from torch import Tensor

from . import functional

__all__ = [
    "KINDS",
    "Operand",
    "Product",
    "Recipe",
    "bitnet",
    "fp8",
    "fp32",
    "mxfp4",
    "nvfp4",
    "quartet",
    "weight_only",
]

KINDS = ("none", "cast", "tensor", "mx", "nvfp4", "ternary", "int")


@dataclass(frozen=True)
class Operand:
    """How one factor of a product is quantized along its contracted axis.

    Attributes
    ----------
    kind : str
        ``"none"`` (kept as is); ``"cast"`` (rounded into ``fmt``); ``"tensor"``
        (scaled by a power of two per tensor so its largest magnitude fits ``fmt``,
        rounded, scaled back); ``"mx"`` (MX blocks of ``block_size`` with element
        ``fmt``); ``"nvfp4"``; ``"ternary"`` (BitNet absmean); ``"int"`` (symmetric
        absmax integers of ``bits`` per row, BitNet's 8-bit activations).
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
        block are clipped before quantization and get no gradient (0: off).
    ste : str
        Straight-through gradient of the quantizer: ``"identity"`` or ``"clipped"``
        (casts: 0 where the cast clipped).

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

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown operand kind {self.kind!r}; choose from {', '.join(KINDS)}")
        if self.clip < 0:
            raise ValueError(f"clip must be >= 0, got {self.clip}")
        if self.kind == "int" and not 2 <= self.bits <= 16:
            raise ValueError(f"bits must be in 2..16, got {self.bits}")

    def quantize(
        self, t: Tensor, *, seed: int | Tensor, step: int | Tensor = 0, call: int = 0
    ) -> Tensor:
        """``t`` (contracted axis last) quantized, dequantized, differentiable."""
        if self.kind == "none":
            return t
        if self.clip > 0:
            t = _quest_clip(t, self.clip, self.block_size)
        kw = dict(seed=seed, step=step, call=call)
        if self.kind == "cast":
            return functional.cast(t, self.fmt, self.rounding, saturate=True, ste=self.ste, **kw)
        if self.kind == "tensor":
            s = _pow2_scale(t, self.fmt)
            q = functional.cast(t / s, self.fmt, self.rounding, saturate=True, ste=self.ste, **kw)
            return q * s
        if self.kind == "mx":
            n = t.shape[-1]
            bs = self.block_size if n % self.block_size == 0 else n
            return functional.quantize_mx(t, self.fmt, block_size=bs, rounding=self.rounding, **kw)
        if self.kind == "nvfp4":
            return functional.quantize_nvfp4(t, rounding=self.rounding, **kw)
        if self.kind == "ternary":
            return functional.quantize_ternary(t)
        return _absmax_int(t, self.bits)


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


def _pow2_scale(t: Tensor, fmt: str) -> Tensor:
    from .. import formats

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

    Examples
    --------
    >>> Product(Operand("cast"), Operand("cast"), rotate=32).rotate
    32
    """

    a: Operand = field(default_factory=Operand)
    b: Operand = field(default_factory=Operand)
    rotate: int = 0
    random_signs: bool = False

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

    Examples
    --------
    >>> fp8().forward.a.fmt, fp8().grad_input.a.fmt
    ('float8_e4m3fn', 'float8_e5m2')
    """

    name: str
    forward: Product = field(default_factory=Product)
    grad_input: Product = field(default_factory=Product)
    grad_weight: Product = field(default_factory=Product)

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


def quartet(clip: float = 3.0) -> Recipe:
    """Quartet-style MXFP4: the forward product Hadamard-rotated (blocks of 32) with
    QuEST-style clipping (``clip`` times the block RMS; no gradient beyond), the
    backward products rotated with random signs and rounded stochastically.

    Examples
    --------
    >>> quartet().forward.a.clip
    3.0
    """
    f = Operand("mx", "e2m1", clip=clip)
    g = Operand("mx", "e2m1", rounding="stochastic")
    w = Operand("mx", "e2m1")
    return Recipe(
        "quartet",
        Product(f, f, rotate=32),
        Product(g, w, rotate=32, random_signs=True),
        Product(g, w, rotate=32, random_signs=True),
    )


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
