"""The custom operators (``torch.ops.numerics.*``): CPU kernels that run numerics'
numba kernels on the tensor's own memory, fake implementations for
``torch.compile``, and autograd.

Functional ops return new tensors; ``rdfft_`` and ``irdfft_`` mutate their input and
return nothing (their autograd lives in :mod:`numerics.torch.functional`).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .. import formats, scaled, transforms
from .._core.containers import check_dtype_holds
from . import _device
from ._torch_cast import cast_torch

_NATIVE = (torch.float32, torch.float64)
_HALF = (torch.float16, torch.bfloat16)


def _work(x: Tensor) -> Tensor:
    """A contiguous float32/float64 CPU tensor with ``x``'s values (a copy only when the
    dtype is 16-bit, the layout is not contiguous, or ``x`` lives on another device:
    those round-trip through host memory, with the same bits)."""
    if x.device.type != "cpu":
        x = x.detach().cpu()
    if x.dtype in _NATIVE:
        return x.detach().contiguous()
    if x.dtype in _HALF:
        return x.detach().to(torch.float32)
    raise TypeError(f"expected a floating-point tensor, got {x.dtype}")


def check_holds(fmt: formats.Format, dtype: torch.dtype) -> None:
    """Raise unless every value a cast into ``fmt`` returns is exact in ``dtype``
    (:func:`numerics._core.containers.check_dtype_holds`, for torch's dtypes)."""
    check_dtype_holds(fmt, str(dtype).removeprefix("torch."))


def _back(work: Tensor, like: Tensor) -> Tensor:
    return work.to(dtype=like.dtype, device=like.device)


def _seed(seed: Tensor) -> int | None:
    s = int(seed)
    return None if s < 0 else s


# --- cast ------------------------------------------------------------------------------


@torch.library.custom_op("numerics::cast", mutates_args=())
def cast_op(x: Tensor, fmt: str, rounding: str, saturate: bool, seed: Tensor, ste: str) -> Tensor:
    """``x`` rounded into ``fmt`` (values in ``x``'s dtype); ``seed`` (an int64 scalar
    tensor) below 0: none."""
    f = formats.as_format(fmt)
    if _device.use_torch_kernels(x):
        # the pure-torch path: the same bits, computed on the tensor's device
        if x.dtype not in _NATIVE and x.dtype not in _HALF:
            raise TypeError(f"expected a floating-point tensor, got {x.dtype}")
        check_holds(f, x.dtype)
        w = x if x.dtype in _NATIVE else x.to(torch.float32)
        return _back(cast_torch(w, f, rounding, saturate=saturate, seed=_seed(seed)), x)
    w = _work(x)
    check_holds(f, x.dtype)
    out = torch.empty_like(w)
    formats.cast(w.numpy(), f, rounding, saturate=saturate, seed=_seed(seed), out=out.numpy())
    return _back(out, x)


@cast_op.register_fake
def _(x, fmt, rounding, saturate, seed, ste):
    return torch.empty_like(x)


def _ste_setup(ctx, inputs, output):
    x, fmt = inputs[0], inputs[1]
    ctx.ste = inputs[-1]
    ctx.fmax = formats.as_format(fmt).max if ctx.ste == "clipped" else None  # casts only
    ctx.save_for_backward(x if ctx.ste == "clipped" else None)


def _ste_backward(ctx, grad):
    if ctx.ste == "identity":
        g = grad
    elif ctx.ste == "none":
        g = torch.zeros_like(grad)
    else:
        (x,) = ctx.saved_tensors
        g = grad * (x.abs() <= ctx.fmax).to(grad.dtype)
    return (g,) + (None,) * (ctx.nargs - 1)


def _register_ste(op, nargs: int) -> None:
    def setup(ctx, inputs, output):
        ctx.nargs = nargs
        _ste_setup(ctx, inputs, output)

    op.register_autograd(_ste_backward, setup_context=setup)


_register_ste(cast_op, 6)


# --- scaled and discrete fake quantization ----------------------------------------------


def _dequantized(q: scaled.Quantized, like: Tensor, w: Tensor) -> Tensor:
    return _back(torch.from_numpy(np.ascontiguousarray(q.dequantize(w.numpy().dtype))), like)


@torch.library.custom_op("numerics::quantize_mx", mutates_args=())
def quantize_mx_op(
    x: Tensor,
    elem: str,
    block_size: int,
    axis: int,
    scale_mode: str,
    rounding: str,
    seed: Tensor,
    ste: str,
) -> Tensor:
    """MX quantize then dequantize (fake quantization) along ``axis``."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        return _device.quantize_mx(x, elem, block_size, axis, scale_mode, rounding, seed)
    w = _work(x)
    q = scaled.quantize_mx(
        w.numpy(),
        elem,
        block_size=block_size,
        axis=axis,
        scale_mode=scale_mode,
        rounding=rounding,
        seed=_seed(seed),
    )
    return _dequantized(q, x, w)


@quantize_mx_op.register_fake
def _(x, elem, block_size, axis, scale_mode, rounding, seed, ste):
    return torch.empty_like(x)


@torch.library.custom_op("numerics::quantize_nvfp4", mutates_args=())
def quantize_nvfp4_op(
    x: Tensor,
    axis: int,
    block_rows: int,
    tensor_scale_max: float,
    scale_selection: str,
    rounding: str,
    seed: Tensor,
    ste: str,
) -> Tensor:
    """NVFP4 quantize then dequantize (``block_rows`` x 16 e4m3-scaled blocks, tensor
    scale; ``tensor_scale_max <= 0``: the quantizer's default)."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        args = (axis, block_rows, tensor_scale_max, scale_selection, rounding, seed)
        return _device.quantize_nvfp4(x, *args)
    w = _work(x)
    q = scaled.quantize_nvfp4(
        w.numpy(),
        axis=axis,
        block_shape=(block_rows, 16),
        tensor_scale_max=tensor_scale_max if tensor_scale_max > 0 else None,
        scale_selection=scale_selection,
        rounding=rounding,
        seed=_seed(seed),
    )
    return _dequantized(q, x, w)


@quantize_nvfp4_op.register_fake
def _(x, axis, block_rows, tensor_scale_max, scale_selection, rounding, seed, ste):
    return torch.empty_like(x)


@torch.library.custom_op("numerics::quantize_ternary", mutates_args=())
def quantize_ternary_op(x: Tensor, channel_axis: int, ste: str) -> Tensor:
    """BitNet absmean ternary quantize then dequantize (``channel_axis < -x.dim()``:
    one scale for the tensor)."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        return _device.quantize_ternary(x, channel_axis)
    w = _work(x)
    ax = channel_axis if -w.dim() <= channel_axis < w.dim() else None
    q = scaled.quantize_ternary(w.numpy(), channel_axis=ax)
    return _dequantized(q, x, w)


@quantize_ternary_op.register_fake
def _(x, channel_axis, ste):
    return torch.empty_like(x)


_NONE = -(1 << 30)  # "no axis" in the op schemas


@torch.library.custom_op("numerics::quantize_scaled", mutates_args=())
def quantize_scaled_op(
    x: Tensor,
    elem: str,
    axis: int,
    block_size: int,
    channel_axis: int,
    symmetric: bool,
    rounding: str,
    seed: Tensor,
    ste: str,
) -> Tensor:
    """:func:`numerics.quantize` then dequantize: per tensor, per ``channel_axis``, per
    ``axis``, or per block of ``block_size`` along ``axis`` (``_NONE``/0: unset)."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        args = (elem, axis, block_size, channel_axis, symmetric, rounding, seed)
        return _device.quantize_scaled(x, *args)
    w = _work(x)
    q = scaled.quantize(
        w.numpy(),
        elem,
        axis=None if axis == _NONE else axis,
        block_size=block_size or None,
        channel_axis=None if channel_axis == _NONE else channel_axis,
        symmetric=symmetric,
        rounding=rounding,
        seed=_seed(seed),
    )
    return _dequantized(q, x, w)


@quantize_scaled_op.register_fake
def _(x, elem, axis, block_size, channel_axis, symmetric, rounding, seed, ste):
    return torch.empty_like(x)


_register_ste(quantize_scaled_op, 9)
_register_ste(quantize_mx_op, 8)
_register_ste(quantize_nvfp4_op, 8)
_register_ste(quantize_ternary_op, 3)


# --- transforms ------------------------------------------------------------------------


def _float_data(x: Tensor, what: str) -> np.ndarray:
    if x.device.type != "cpu":
        raise NotImplementedError(f"{what} runs on CPU tensors, got {x.device}")
    if x.dtype not in _NATIVE:
        raise TypeError(f"{what} needs a float32 or float64 tensor, got {x.dtype}")
    return x.detach().numpy()


@torch.library.custom_op("numerics::fwht", mutates_args=())
def fwht_op(x: Tensor, normalize: bool, signs: Tensor | None, block: int) -> Tensor:
    """``H D x`` along the last axis (``block <= 0``: one block of the whole axis)."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        return _device.fwht(x, normalize, signs, block)
    out = x.detach().cpu().clone(memory_format=torch.contiguous_format)
    s = None if signs is None else signs.detach().cpu().numpy()
    transforms.fwht(_float_data(out, "fwht"), normalize, s, block if block > 0 else None)
    return out.to(x.device)


@fwht_op.register_fake
def _(x, normalize, signs, block):
    return torch.empty_like(x)


def _fwht_setup(ctx, inputs, output):
    _, ctx.normalize, signs, ctx.block = inputs
    ctx.save_for_backward(signs)


def _fwht_backward(ctx, grad):
    # H is symmetric: (H D)^T g = D H g
    (signs,) = ctx.saved_tensors
    g = fwht_op(grad.contiguous(), ctx.normalize, None, ctx.block)
    if signs is not None:
        g = g * signs.to(device=g.device, dtype=g.dtype)
    return g, None, None, None


fwht_op.register_autograd(_fwht_backward, setup_context=_fwht_setup)


@torch.library.custom_op("numerics::rdfft_", mutates_args={"x"})
def rdfft_op(x: Tensor) -> None:
    """The real FFT of every row of ``x``, in place, halfcomplex layout."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        return _device.rdfft_(x, inverse=False)
    _in_place(x, transforms.rdfft, "rdfft_")


@torch.library.custom_op("numerics::irdfft_", mutates_args={"x"})
def irdfft_op(x: Tensor) -> None:
    """The inverse of :func:`rdfft_op`, in place."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        return _device.rdfft_(x, inverse=True)
    _in_place(x, transforms.irdfft, "irdfft_")


def _in_place(x: Tensor, f, what: str) -> None:
    if x.device.type == "cpu":
        f(_float_data(x, what))
        return
    h = x.detach().cpu()
    f(_float_data(h, what))
    x.copy_(h)
