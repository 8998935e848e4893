"""The public functions of the PyTorch bridge: casts and fake quantizers with
straight-through gradients, the Walsh-Hadamard transform, and the in-place rdFFT with
autograd through its adjoint identities."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .. import formats, scaled, transforms
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


def _check_counter(name: str, v) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {v!r}")
    if not 0 <= v < 2**64:  # numerics.cast's range of seeds (numerics._core.random_words)
        raise ValueError(f"{name} must be in [0, 2**64), got {v}")
    return int(v)


def counter_seed(seed: int, step: int = 0, call: int = 0) -> int:
    """The stochastic-rounding seed of (``seed``, ``step``, ``call``): a pure function,
    so a run resumed at ``step`` draws exactly the bits it would have drawn, and
    different steps or calls draw independent bits. Element ``i`` of a tensor then
    draws from (this seed, ``i``). Each of the three is an int in ``[0, 2**64)``, as
    :func:`numerics.cast` takes seeds.

    Examples
    --------
    >>> counter_seed(1, 0) == counter_seed(1, 0) != counter_seed(1, 1)
    True
    """
    seed, step, call = (
        _check_counter(n, v) for n, v in (("seed", seed), ("step", step), ("call", call))
    )
    z = _mix((seed * _GOLDEN + 1) & _M64)
    z = _mix((z ^ step) * _GOLDEN & _M64)
    z = _mix((z ^ call) * _GOLDEN & _M64)
    return z >> 1  # an int64 for the op's schema


def _op_seed(rounding: str, seed: Seed, step: int | Tensor, call: int) -> Tensor:
    """The op's seed argument: an int64 scalar tensor, -1 for none. Seeds are checked
    only for stochastic rounding, as numerics' numpy functions check them."""
    if not as_rounding(rounding).is_stochastic:
        return torch.tensor(-1, dtype=torch.int64)
    if seed is None:
        raise ValueError(
            "stochastic rounding needs seed= (an int, an int64 tensor or a torch.Generator); "
            "numerics never draws from the global RNG"
        )
    if isinstance(seed, Tensor):
        if seed.is_floating_point() or seed.is_complex() or seed.dtype == torch.bool:
            raise TypeError(f"a seed tensor must hold an integer, got {seed.dtype}")
        if seed.numel() != 1:
            raise ValueError(f"a seed tensor must hold one value, got shape {tuple(seed.shape)}")
        step = step if isinstance(step, Tensor) else torch.tensor(_check_counter("step", step))
        return counter_seed_tensor(seed, step, call)
    if isinstance(seed, torch.Generator):
        seed = int(torch.randint(0, 2**62, (1,), generator=seed).item())
    elif isinstance(seed, np.random.Generator):  # as numerics.cast draws from one
        seed = int(seed.integers(0, 2**63, dtype=np.int64))
    elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            "seed must be an int, an int64 tensor, a torch.Generator or a numpy Generator, "
            f"got {seed!r}"
        )
    if isinstance(step, Tensor):
        bits = _check_counter("seed", seed)
        bits -= (1 << 64) if bits >= 1 << 63 else 0  # the int64 with the same bits
        return counter_seed_tensor(torch.tensor(bits, dtype=torch.int64), step, call)
    return torch.tensor(counter_seed(seed, step, call), dtype=torch.int64)


def _transform_seed(fmt, rounding: str, seed: Seed, step, call: int) -> Tensor | None:
    """The transforms' seed argument (None: none). Without ``fmt`` a seed only goes
    through for the numpy function to reject it."""
    if fmt is None:
        return None if seed is None else torch.tensor(0, dtype=torch.int64)
    s = _op_seed(rounding, seed, step, call)
    return None if not as_rounding(rounding).is_stochastic else s


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _numpy_error(call, what: str) -> None:
    """Raise what numerics' numpy function raises for an argument the op's schema
    cannot carry: ``call()`` runs it on a stand-in array."""
    call()
    raise TypeError(f"{what} has a type the operator cannot take")


def _stand_in(t: Tensor) -> np.ndarray:
    return np.zeros(tuple(t.shape), np.float32)


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
    step: int | Tensor = 0,
    call: int = 0,
    ste: str = "identity",
) -> Tensor:
    """``t`` rounded into ``fmt`` (as :func:`numerics.cast`), differentiable.

    Parameters
    ----------
    t : Tensor
        A float16, bfloat16, float32 or float64 tensor; the result has its dtype
        (which must hold the format's values) and is contiguous.
    fmt : Format or str
        A format's name, or any :class:`numerics.Format` (``Format(3, 2)``).
    rounding, saturate
        As in :func:`numerics.cast`.
    seed, step, call
        Stochastic rounding draws from :func:`counter_seed` (seed, step, call) and
        the element index: never from the global RNG. ``seed`` and ``step`` may be
        int64 tensors (a layer's buffers), which ``torch.compile`` does not specialise.
    ste : {"identity", "clipped", "none"}
        The gradient: straight through; straight through where ``|t| <= max`` and 0
        where the cast clipped; or 0.

    Raises
    ------
    TypeError, ValueError
        What :func:`numerics.cast` raises for the same arguments.

    Examples
    --------
    >>> x = torch.tensor([0.3, 500.0], requires_grad=True)
    >>> y = cast(x, "float8_e4m3fn", saturate=True, ste="clipped")
    >>> y.detach().tolist(), torch.autograd.grad(y.sum(), x)[0].tolist()
    ([0.3125, 448.0], [1.0, 0.0])
    >>> import numerics as nm
    >>> cast(torch.tensor([0.3, 100.0]), nm.Format(3, 2)).tolist()  # IEEE-style e3m2
    [0.3125, inf]
    """
    _check_ste(ste)
    spec = _ops.format_spec(fmt)
    r = as_rounding(rounding).value
    return _ops.cast_op(t, spec, r, bool(saturate), _op_seed(r, seed, step, call), ste)


def quantize_mx(
    t: Tensor,
    elem: formats.Format | formats.IntFormat | str = "e2m1",
    *,
    block_size: int = 32,
    axis: int = -1,
    scale_mode: str = "floor",
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    step: int | Tensor = 0,
    call: int = 0,
    ste: str = "identity",
) -> Tensor:
    """MX fake quantization (:func:`numerics.quantize_mx` then dequantize), with a
    straight-through (``"identity"``) or zero (``"none"``) gradient; ``elem`` a name or
    any element format :func:`numerics.quantize_mx` takes.

    Examples
    --------
    >>> quantize_mx(torch.tensor([1.0, 2.9, -7.0, 0.1]), "e2m1", block_size=4).tolist()
    [1.0, 3.0, -6.0, 0.0]
    """
    _check_ste(ste, ("identity", "none"))
    spec = _ops.format_spec(elem)
    r = as_rounding(rounding).value
    if not (_is_int(block_size) and _is_int(axis) and isinstance(scale_mode, str)):
        kw = dict(block_size=block_size, axis=axis, scale_mode=scale_mode, rounding=r)
        _numpy_error(lambda: scaled.quantize_mx(_stand_in(t), elem, **kw), "an argument")
    s = _op_seed(r, seed, step, call)
    return _ops.quantize_mx_op(t, spec, int(block_size), int(axis), scale_mode, r, s, ste)


def quantize_nvfp4(
    t: Tensor,
    *,
    axis: int = -1,
    block_shape: tuple[int, int] = (1, 16),
    tensor_scale_max: float | None = None,
    scale_selection: str = "max",
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    step: int | Tensor = 0,
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
    m = tensor_scale_max
    shape_ok = (
        isinstance(block_shape, (tuple, list))
        and len(block_shape) == 2
        and _is_int(block_shape[0])
        and block_shape[1] == 16
    )
    if not (
        shape_ok
        and _is_int(axis)
        and (m is None or _is_real(m))
        and isinstance(scale_selection, str)
    ):
        kw = dict(axis=axis, block_shape=block_shape, tensor_scale_max=m, rounding=r)
        kw["scale_selection"] = scale_selection
        _numpy_error(lambda: scaled.quantize_nvfp4(_stand_in(t), **kw), "an argument")
    rows = int(block_shape[0])
    m = None if m is None else float(m)
    s = _op_seed(r, seed, step, call)
    return _ops.quantize_nvfp4_op(t, int(axis), rows, m, scale_selection, r, s, ste)


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
    element format: integers (``"int4"``, ``IntFormat(4, narrow=True)``), fixed point
    or floats, per tensor, per channel or per block, symmetric or with zero points.

    Examples
    --------
    >>> w = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
    >>> [round(v, 3) for v in quantize(w, "int8", channel_axis=0).flatten().tolist()]
    [0.496, -1.0, 2.0, 0.252]
    """
    _check_ste(ste, ("identity", "none"))
    spec = _ops.format_spec(elem)
    r = as_rounding(rounding).value
    ints = (axis, block_size, channel_axis)
    if not all(v is None or _is_int(v) for v in ints):
        kw = dict(axis=axis, block_size=block_size, channel_axis=channel_axis, rounding=r)
        _numpy_error(lambda: scaled.quantize(_stand_in(t), elem, **kw), "an argument")
    axis, block_size, channel_axis = (None if v is None else int(v) for v in ints)
    s = _op_seed(r, seed, step, call)
    return _ops.quantize_scaled_op(
        t, spec, axis, block_size, channel_axis, bool(symmetric), r, s, ste
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
    if not (channel_axis is None or _is_int(channel_axis)):
        call = lambda: scaled.quantize_ternary(_stand_in(t), channel_axis=channel_axis)  # noqa: E731
        _numpy_error(call, "channel_axis")
    ax = None if channel_axis is None else int(channel_axis)
    return _ops.quantize_ternary_op(t, ax, ste)


def fwht(
    t: Tensor,
    normalize: bool = False,
    signs: Tensor | None = None,
    block: int | None = None,
    *,
    fmt: formats.Format | str | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    step: int | Tensor = 0,
    call: int = 0,
) -> Tensor:
    """The Walsh-Hadamard transform ``H D t`` along the last axis
    (:func:`numerics.transforms.fwht`), signs applied *before* the transform; a new
    contiguous tensor.

    ``fmt`` emulates it in that format, every sum and difference rounded with
    ``rounding`` (stochastic: keyed by :func:`counter_seed` of ``seed``, ``step``,
    ``call``); the gradient is then the exact adjoint ``D H g`` (straight through the
    roundings).

    Examples
    --------
    >>> fwht(torch.tensor([1.0, 0.0, 1.0, 0.0])).tolist()
    [2.0, 2.0, 0.0, 0.0]
    >>> fwht(torch.tensor([1.0, 2.0 ** -9, 0.0, 0.0]), fmt="bfloat16").tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    if signs is not None and not isinstance(signs, Tensor):
        signs = torch.as_tensor(np.asarray(signs))
    if not (block is None or _is_int(block)):
        _numpy_error(lambda: transforms.fwht(_stand_in(t), block=block), "block")
    spec = None if fmt is None else _ops.format_spec(fmt)
    r = as_rounding(rounding).value
    s = _transform_seed(fmt, r, seed, step, call)
    b = None if block is None else int(block)
    return _ops.fwht_op(t, bool(normalize), signs, b, spec, r, s)


def _in_place(op, t: Tensor, fmt, rounding, seed, step, call) -> Tensor:
    spec = None if fmt is None else _ops.format_spec(fmt)
    r = as_rounding(rounding).value
    op(t, spec, r, _transform_seed(fmt, r, seed, step, call))
    return t


def rdfft_(
    t: Tensor,
    *,
    fmt: formats.Format | str | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    step: int | Tensor = 0,
    call: int = 0,
) -> Tensor:
    """The real FFT of every row of ``t`` in place (halfcomplex layout), with autograd
    through the adjoint identity ``rdfft^T g = n irdfft(D g)``: no complex tensor and
    no copy of the activations. Compiles with ``torch.compile(fullgraph=True)``.

    ``fmt`` emulates the transform in that format (:func:`numerics.transforms.rdfft`:
    every real operation rounded with ``rounding``; stochastic rounding keyed by
    :func:`counter_seed` of ``seed``, ``step``, ``call``); the gradient is then the
    exact adjoint (straight through the roundings).

    Examples
    --------
    >>> rdfft_(torch.tensor([1.0, 2.0, 0.0, -1.0])).tolist()
    [2.0, 1.0, 0.0, -3.0]
    >>> rdfft_(torch.tensor([1.0, 2.0, 0.0, -1.0]), fmt="e4m3").tolist()
    [2.0, 1.0, 0.0, -3.0]
    """
    return _in_place(_ops.rdfft_op, t, fmt, rounding, seed, step, call)


def irdfft_(
    t: Tensor,
    *,
    fmt: formats.Format | str | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    step: int | Tensor = 0,
    call: int = 0,
) -> Tensor:
    """The inverse of :func:`rdfft_`, in place, with autograd through
    ``irdfft^T g = D^-1 rdfft(g) / n``; ``fmt``, ``rounding``, ``seed``: as for
    :func:`rdfft_`.

    Examples
    --------
    >>> irdfft_(torch.tensor([2.0, 1.0, 0.0, -3.0])).tolist()
    [1.0, 2.0, 0.0, -1.0]
    """
    return _in_place(_ops.irdfft_op, t, fmt, rounding, seed, step, call)
