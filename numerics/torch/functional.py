"""The public functions of the PyTorch bridge: casts and fake quantizers with
straight-through gradients, the Walsh-Hadamard transform, and the in-place rdFFT with
autograd through its adjoint identities."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .. import formats
from .._core.random_words import GOLDEN, mix64
from ..formats.rounding import Rounding, as_rounding
from . import _ops
from ._torch_cast import counter_seed_tensor

__all__ = [
    "cast",
    "counter_seed",
    "fwht",
    "irdfft_",
    "quantize",
    "quantize_mx",
    "quantize_nvfp4",
    "quantize_ternary",
    "rdfft_",
]

STE = ("identity", "clipped", "none")
Seed = int | Tensor | torch.Generator | None
_M64 = (1 << 64) - 1
_GOLDEN = int(GOLDEN)


def _mix(z: int) -> int:
    return int(mix64(np.uint64(z)))


def counter_seed(seed: int, step: int = 0, call: int = 0) -> int:
    """The stochastic-rounding seed of (``seed``, ``step``, ``call``): a pure function,
    so a run resumed at ``step`` draws exactly the bits it would have drawn, and
    different steps or calls draw independent bits. Element ``i`` of a tensor then
    draws from (this seed, ``i``).

    Examples
    --------
    >>> counter_seed(1, 0) == counter_seed(1, 0) != counter_seed(1, 1)
    True
    """
    for name, v in (("seed", seed), ("step", step), ("call", call)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(f"{name} must be a non-negative int, got {v!r}")
    z = _mix((seed * _GOLDEN + 1) & _M64)
    z = _mix((z ^ step) * _GOLDEN & _M64)
    z = _mix((z ^ call) * _GOLDEN & _M64)
    return z >> 1  # an int64 for the op's schema


def _op_seed(rounding: str, seed: Seed, step: int | Tensor, call: int) -> Tensor:
    """The op's seed argument: an int64 scalar tensor, -1 for none."""
    if not as_rounding(rounding).is_stochastic:
        return torch.tensor(-1, dtype=torch.int64)
    if seed is None:
        raise ValueError(
            "stochastic rounding needs seed= (an int, an int64 tensor or a torch.Generator); "
            "numerics never draws from the global RNG"
        )
    if isinstance(seed, Tensor):
        step = step if isinstance(step, Tensor) else torch.tensor(int(step))
        return counter_seed_tensor(seed, step, call)
    if isinstance(seed, torch.Generator):
        seed = int(torch.randint(0, 2**62, (1,), generator=seed).item())
    return torch.tensor(counter_seed(seed, int(step), call), dtype=torch.int64)


def _check_ste(ste: str, allowed: tuple[str, ...] = STE) -> None:
    if ste not in allowed:
        raise ValueError(f"ste must be one of {', '.join(allowed)}; got {ste!r}")


def cast(
    t: Tensor,
    fmt: formats.Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    saturate: bool = False,
    seed: Seed = None,
    step: int = 0,
    call: int = 0,
    ste: str = "identity",
) -> Tensor:
    """``t`` rounded into ``fmt`` (as :func:`numerics.cast`), differentiable.

    Parameters
    ----------
    t : Tensor
        A CPU float16, bfloat16, float32 or float64 tensor; the result has its dtype
        (which must hold the format's values).
    fmt, rounding, saturate
        As in :func:`numerics.cast`.
    seed, step, call
        Stochastic rounding draws from :func:`counter_seed` (seed, step, call) and
        the element index: never from the global RNG. ``seed`` and ``step`` may be
        int64 tensors (a layer's buffers), which ``torch.compile`` does not specialise.
    ste : {"identity", "clipped", "none"}
        The gradient: straight through; straight through where ``|t| <= max`` and 0
        where the cast clipped; or 0.

    Examples
    --------
    >>> x = torch.tensor([0.3, 500.0], requires_grad=True)
    >>> y = cast(x, "float8_e4m3fn", saturate=True, ste="clipped")
    >>> y.detach().tolist(), torch.autograd.grad(y.sum(), x)[0].tolist()
    ([0.3125, 448.0], [1.0, 0.0])
    """
    _check_ste(ste)
    f = formats.as_format(fmt)
    r = as_rounding(rounding).value
    return _ops.cast_op(t, f.name, r, bool(saturate), _op_seed(r, seed, step, call), ste)


def quantize_mx(
    t: Tensor,
    elem: formats.Format | str = "e2m1",
    *,
    block_size: int = 32,
    axis: int = -1,
    scale_mode: str = "floor",
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    step: int = 0,
    call: int = 0,
    ste: str = "identity",
) -> Tensor:
    """MX fake quantization (:func:`numerics.quantize_mx` then dequantize), with a
    straight-through (``"identity"``) or zero (``"none"``) gradient.

    Examples
    --------
    >>> quantize_mx(torch.tensor([1.0, 2.9, -7.0, 0.1]), "e2m1", block_size=4).tolist()
    [1.0, 3.0, -6.0, 0.0]
    """
    _check_ste(ste, ("identity", "none"))
    r = as_rounding(rounding).value
    name = elem if isinstance(elem, str) else elem.name
    s = _op_seed(r, seed, step, call)
    return _ops.quantize_mx_op(t, name, int(block_size), int(axis), scale_mode, r, s, ste)


def quantize_nvfp4(
    t: Tensor,
    *,
    axis: int = -1,
    block_shape: tuple[int, int] = (1, 16),
    tensor_scale_max: float | None = None,
    scale_selection: str = "max",
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    step: int = 0,
    call: int = 0,
    ste: str = "identity",
) -> Tensor:
    """NVFP4 fake quantization (:func:`numerics.quantize_nvfp4` then dequantize), with
    its ``block_shape`` (``(16, 16)``: 2-D blocks of a 2-D tensor), ``tensor_scale_max``
    and ``scale_selection`` (``"four_over_six"``).

    Examples
    --------
    >>> quantize_nvfp4(torch.linspace(-1, 1, 16)).shape
    torch.Size([16])
    >>> w, tiles = torch.randn(32, 32), (16, 16)  # W and W^T share 2-D block scales
    >>> torch.equal(quantize_nvfp4(w, block_shape=tiles).T, quantize_nvfp4(w.T, block_shape=tiles))
    True
    """
    _check_ste(ste, ("identity", "none"))
    r = as_rounding(rounding).value
    rows, cols = block_shape
    if cols != 16:
        raise ValueError(f"block_shape must be (rows, 16), got {block_shape!r}")
    m = 0.0 if tensor_scale_max is None else float(tensor_scale_max)
    if tensor_scale_max is not None and not m > 0:
        raise ValueError(f"tensor_scale_max must be positive, got {tensor_scale_max!r}")
    s = _op_seed(r, seed, step, call)
    return _ops.quantize_nvfp4_op(t, int(axis), int(rows), m, scale_selection, r, s, ste)


def quantize(
    t: Tensor,
    elem: formats.Format | formats.IntFormat | str,
    *,
    axis: int | None = None,
    block_size: int | None = None,
    channel_axis: int | None = None,
    symmetric: bool = True,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    step: int | Tensor = 0,
    call: int = 0,
    ste: str = "identity",
) -> Tensor:
    """Scaled fake quantization (:func:`numerics.quantize` then dequantize) into any
    element format: integers (``"int4"``), fixed point or floats, per tensor, per
    channel or per block, symmetric or with zero points.

    Examples
    --------
    >>> w = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
    >>> [round(v, 3) for v in quantize(w, "int8", channel_axis=0).flatten().tolist()]
    [0.496, -1.0, 2.0, 0.252]
    """
    _check_ste(ste, ("identity", "none"))
    r = as_rounding(rounding).value
    name = elem if isinstance(elem, str) else elem.name
    none = _ops._NONE
    return _ops.quantize_scaled_op(
        t,
        name,
        none if axis is None else int(axis),
        int(block_size or 0),
        none if channel_axis is None else int(channel_axis),
        bool(symmetric),
        r,
        _op_seed(r, seed, step, call),
        ste,
    )


def quantize_ternary(
    t: Tensor, *, channel_axis: int | None = None, ste: str = "identity"
) -> Tensor:
    """BitNet ternary fake quantization (:func:`numerics.quantize_ternary`).

    Examples
    --------
    >>> quantize_ternary(torch.tensor([0.9, -0.1, -2.0, 0.4])).tolist()
    [0.8500000238418579, 0.0, -0.8500000238418579, 0.0]
    """
    _check_ste(ste, ("identity", "none"))
    ax = _ops._NONE if channel_axis is None else int(channel_axis)
    return _ops.quantize_ternary_op(t, ax, ste)


def fwht(
    t: Tensor, normalize: bool = False, signs: Tensor | None = None, block: int | None = None
) -> Tensor:
    """The Walsh-Hadamard transform ``H D t`` along the last axis
    (:func:`numerics.transforms.fwht`), signs applied *before* the transform.

    Examples
    --------
    >>> fwht(torch.tensor([1.0, 0.0, 1.0, 0.0])).tolist()
    [2.0, 2.0, 0.0, 0.0]
    """
    return _ops.fwht_op(t, bool(normalize), signs, 0 if block is None else int(block))


def _half_weights(g: Tensor) -> Tensor:
    """``D`` of the adjoint identities: 1 at slots 0 and n/2, 1/2 elsewhere."""
    n = g.shape[-1]
    d = torch.full((n,), 0.5, dtype=g.dtype, device=g.device)
    d[0] = 1
    d[n // 2] = 1
    return d


class _Rdfft(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        _ops.rdfft_op(x)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        # rdfft^T g = n irdfft(D g)
        h = (g * _half_weights(g)).contiguous()
        _ops.irdfft_op(h)
        return h * g.shape[-1]


class _Irdfft(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        _ops.irdfft_op(x)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        # irdfft^T g = D^-1 rdfft(g) / n
        h = g.clone(memory_format=torch.contiguous_format)
        _ops.rdfft_op(h)
        return h / (_half_weights(g) * g.shape[-1])


def rdfft_(t: Tensor) -> Tensor:
    """The real FFT of every row of ``t`` in place (halfcomplex layout), with autograd
    through the adjoint identity ``rdfft^T g = n irdfft(D g)``: no complex tensor and
    no copy of the activations.

    Examples
    --------
    >>> rdfft_(torch.tensor([1.0, 2.0, 0.0, -1.0])).tolist()
    [2.0, 1.0, 0.0, -3.0]
    """
    return _Rdfft.apply(t)


def irdfft_(t: Tensor) -> Tensor:
    """The inverse of :func:`rdfft_`, in place, with autograd through
    ``irdfft^T g = D^-1 rdfft(g) / n``.

    Examples
    --------
    >>> irdfft_(torch.tensor([2.0, 1.0, 0.0, -3.0])).tolist()
    [1.0, 2.0, 0.0, -1.0]
    """
    return _Irdfft.apply(t)
