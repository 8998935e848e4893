"""The custom operators (``torch.ops.numerics.*``): CPU kernels that run numerics'
numba kernels on the tensor's own memory, fake implementations for
``torch.compile``, and autograd.

Layout: every functional op returns a new *contiguous* tensor, whatever the input's
strides (transposed, sliced, expanded), and its fake implementation says so, so that
inductor's layout assertions hold. ``rdfft_`` and ``irdfft_`` mutate their input and
return nothing; their autograd (the adjoint identities of DESIGN.md section 6) is
registered on the dispatcher, so ``torch.compile(fullgraph=True)`` traces them as one
operator each, forward and backward.

Formats travel through the schemas as strings: a name, or a lossless spec
(:func:`format_spec`) for a user-built :class:`numerics.Format`/``IntFormat``.

Bad arguments reach numerics' numpy functions unchanged, so the ops raise exactly
what those raise.
"""

from __future__ import annotations

import ast
from dataclasses import fields

import numpy as np
import torch
from torch import Tensor

from .. import formats, scaled, transforms
from .._core.containers import check_dtype_holds
from . import _device
from ._torch_cast import cast_torch

_NATIVE = (torch.float32, torch.float64)
_HALF = (torch.float16, torch.bfloat16)


# --- formats in the schemas --------------------------------------------------------------

_SPEC_CLASSES = {"Format": formats.Format, "IntFormat": formats.IntFormat}


def format_spec(fmt: formats.Format | formats.IntFormat | str) -> str:
    """The string an op's schema carries for ``fmt``: a name as given, the canonical
    name of a registered format, else every field of the format spelled out
    (``"Format(ebits=3, mbits=2, ...)"``), which :func:`resolve_format` turns back into
    an equal format with the same name. Plain Python that ``torch.compile`` traces
    (also for formats built inside the compiled code).

    Examples
    --------
    >>> import numerics as nm
    >>> format_spec(nm.get_format("e4m3"))
    'float8_e4m3fn'
    >>> resolve_format(format_spec(nm.Format(3, 2))) == nm.Format(3, 2)
    True
    """
    if isinstance(fmt, str):
        return fmt
    if isinstance(fmt, formats.Format) and fmt.name:
        try:
            known = formats.get_format(fmt.name)
        except ValueError:
            known = None
        if known is not None and known == fmt and known.name == fmt.name:
            return fmt.name
    if isinstance(fmt, (formats.Format, formats.IntFormat)):
        values = []
        for f in fields(fmt):
            v = getattr(fmt, f.name)
            values.append(f"{f.name}={v.value if isinstance(v, formats.NanStyle) else v!r}")
        return f"{type(fmt).__name__}({', '.join(values)})"
    # what numerics' own functions raise for anything else
    formats.as_format(fmt)
    raise AssertionError("as_format accepts only formats and names")


def resolve_format(spec: str) -> formats.Format | formats.IntFormat | str:
    """The format a :func:`format_spec` string stands for (a name stays a name: the
    numpy functions look it up, and raise for unknown ones)."""
    head = spec.split("(", 1)[0]
    if head not in _SPEC_CLASSES or not spec.endswith(")"):
        return spec
    call = ast.parse(spec, mode="eval").body
    if not isinstance(call, ast.Call) or call.args:
        raise ValueError(f"not a format spec: {spec!r}")
    kw = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    return _SPEC_CLASSES[head](**kw)


def _as_format(spec: str) -> formats.Format:
    return formats.as_format(resolve_format(spec))


# --- data in and out -------------------------------------------------------------------


def _work(x: Tensor) -> Tensor | np.ndarray:
    """A contiguous float32/float64 CPU tensor with ``x``'s values (16-bit floats
    widen exactly); data of any other dtype comes back as numpy sees it, so that the
    numpy function it goes to raises its own error."""
    if x.device.type != "cpu":
        x = x.detach().cpu()
    if x.dtype in _NATIVE:
        return x.detach().contiguous()
    if x.dtype in _HALF:
        return x.detach().to(torch.float32).contiguous()
    return x.detach().resolve_conj().numpy()


def _as_array(w: Tensor | np.ndarray) -> np.ndarray:
    return w if isinstance(w, np.ndarray) else w.numpy()


def _back(work: Tensor, like: Tensor) -> Tensor:
    """``work`` in ``like``'s dtype and device, contiguous (as the fakes promise)."""
    return work.to(dtype=like.dtype, device=like.device).contiguous()


def _fake(x: Tensor) -> Tensor:
    """What every functional op returns: ``x``'s shape, dtype and device, contiguous."""
    return x.new_empty(x.shape)


def _seed(seed: Tensor | None) -> int | None:
    if seed is None:
        return None
    s = int(seed)
    return None if s < 0 else s


def check_holds(fmt: formats.Format, dtype: torch.dtype) -> None:
    """Raise unless every value a cast into ``fmt`` returns is exact in ``dtype``
    (:func:`numerics._core.containers.check_dtype_holds`, for torch's dtypes)."""
    check_dtype_holds(fmt, str(dtype).removeprefix("torch."))


# --- cast ------------------------------------------------------------------------------


def cast_cpu(x: Tensor, fmt: str, rounding: str, saturate: bool, seed: Tensor) -> Tensor:
    """The cast of a CPU tensor through numerics' kernels."""
    f = _as_format(fmt)
    w = _work(x)
    if isinstance(w, np.ndarray):  # not float data: numerics.cast's own error
        formats.cast(w, f, rounding, saturate=saturate, seed=_seed(seed))
    check_holds(f, x.dtype)
    out = torch.empty_like(w)
    formats.cast(w.numpy(), f, rounding, saturate=saturate, seed=_seed(seed), out=out.numpy())
    return _back(out, x)


def cast_device(x: Tensor, fmt: str, rounding: str, saturate: bool, seed: Tensor) -> Tensor:
    """The cast of a tensor on any other device, in pure torch operations (the same
    bits as the kernels)."""
    f = _as_format(fmt)
    if x.dtype not in _NATIVE and x.dtype not in _HALF:
        formats.cast(x.detach().cpu().numpy(), f, rounding)  # numerics.cast's own error
    check_holds(f, x.dtype)
    w = x if x.dtype in _NATIVE else x.to(torch.float32)
    out = cast_torch(w, f, rounding, saturate=saturate, seed=_seed(seed))
    return _back(out, x)


@torch.library.custom_op("numerics::cast", mutates_args=())
def cast_op(x: Tensor, fmt: str, rounding: str, saturate: bool, seed: Tensor, ste: str) -> Tensor:
    """``x`` rounded into ``fmt`` (values in ``x``'s dtype); ``seed`` (an int64 scalar
    tensor) below 0: none."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        return cast_device(x, fmt, rounding, saturate, seed)
    return cast_cpu(x, fmt, rounding, saturate, seed)


@cast_op.register_fake
def _(x, fmt, rounding, saturate, seed, ste):
    return _fake(x)


def _ste_setup(ctx, inputs, output):
    x, fmt = inputs[0], inputs[1]
    ctx.ste = inputs[-1]
    ctx.fmax = _as_format(fmt).max if ctx.ste == "clipped" else None  # casts only
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


def quantize_mx_cpu(
    x: Tensor,
    elem: str,
    block_size: int,
    axis: int,
    scale_mode: str,
    rounding: str,
    seed: Tensor,
) -> Tensor:
    """MX fake quantization of a CPU tensor through numerics' kernels."""
    w = _work(x)
    q = scaled.quantize_mx(
        _as_array(w),
        resolve_format(elem),
        block_size=block_size,
        axis=axis,
        scale_mode=scale_mode,
        rounding=rounding,
        seed=_seed(seed),
    )
    return _dequantized(q, x, w)


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
        return _device.quantize_mx(
            x, resolve_format(elem), block_size, axis, scale_mode, rounding, seed
        )
    return quantize_mx_cpu(x, elem, block_size, axis, scale_mode, rounding, seed)


@quantize_mx_op.register_fake
def _(x, elem, block_size, axis, scale_mode, rounding, seed, ste):
    return _fake(x)


def quantize_nvfp4_cpu(
    x: Tensor,
    axis: int,
    block_rows: int,
    tensor_scale_max: float | None,
    scale_selection: str,
    rounding: str,
    seed: Tensor,
) -> Tensor:
    """NVFP4 fake quantization of a CPU tensor through numerics' kernels."""
    w = _work(x)
    q = scaled.quantize_nvfp4(
        _as_array(w),
        axis=axis,
        block_shape=(block_rows, 16),
        tensor_scale_max=tensor_scale_max,
        scale_selection=scale_selection,
        rounding=rounding,
        seed=_seed(seed),
    )
    return _dequantized(q, x, w)


@torch.library.custom_op("numerics::quantize_nvfp4", mutates_args=())
def quantize_nvfp4_op(
    x: Tensor,
    axis: int,
    block_rows: int,
    tensor_scale_max: float | None,
    scale_selection: str,
    rounding: str,
    seed: Tensor,
    ste: str,
) -> Tensor:
    """NVFP4 quantize then dequantize (``block_rows`` x 16 e4m3-scaled blocks, tensor
    scale; ``tensor_scale_max`` None: the quantizer's default)."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        args = (axis, block_rows, tensor_scale_max, scale_selection, rounding, seed)
        return _device.quantize_nvfp4(x, *args)
    return quantize_nvfp4_cpu(
        x, axis, block_rows, tensor_scale_max, scale_selection, rounding, seed
    )


@quantize_nvfp4_op.register_fake
def _(x, axis, block_rows, tensor_scale_max, scale_selection, rounding, seed, ste):
    return _fake(x)


def quantize_ternary_cpu(x: Tensor, channel_axis: int | None) -> Tensor:
    """BitNet ternary fake quantization of a CPU tensor through numerics' kernels."""
    w = _work(x)
    q = scaled.quantize_ternary(_as_array(w), channel_axis=channel_axis)
    return _dequantized(q, x, w)


@torch.library.custom_op("numerics::quantize_ternary", mutates_args=())
def quantize_ternary_op(x: Tensor, channel_axis: int | None, ste: str) -> Tensor:
    """BitNet absmean ternary quantize then dequantize (``channel_axis`` None: one
    scale for the tensor)."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        if channel_axis is not None:  # numerics' own error for an axis out of range
            scaled.quantize_ternary(np.zeros((1,) * x.dim()), channel_axis=channel_axis)
        return _device.quantize_ternary(x, channel_axis)
    return quantize_ternary_cpu(x, channel_axis)


@quantize_ternary_op.register_fake
def _(x, channel_axis, ste):
    return _fake(x)


def quantize_scaled_cpu(
    x: Tensor,
    elem: str,
    axis: int | None,
    block_size: int | None,
    channel_axis: int | None,
    symmetric: bool,
    rounding: str,
    seed: Tensor,
) -> Tensor:
    """Scaled fake quantization of a CPU tensor through numerics' kernels."""
    w = _work(x)
    q = scaled.quantize(
        _as_array(w),
        resolve_format(elem),
        axis=axis,
        block_size=block_size,
        channel_axis=channel_axis,
        symmetric=symmetric,
        rounding=rounding,
        seed=_seed(seed),
    )
    return _dequantized(q, x, w)


@torch.library.custom_op("numerics::quantize_scaled", mutates_args=())
def quantize_scaled_op(
    x: Tensor,
    elem: str,
    axis: int | None,
    block_size: int | None,
    channel_axis: int | None,
    symmetric: bool,
    rounding: str,
    seed: Tensor,
    ste: str,
) -> Tensor:
    """:func:`numerics.quantize` then dequantize: per tensor, per ``channel_axis``, per
    ``axis``, or per block of ``block_size`` along ``axis`` (None: unset)."""
    if _device.use_torch_kernels(x):  # device dispatch: the pure-torch kernels
        args = (resolve_format(elem), axis, block_size, channel_axis, symmetric, rounding, seed)
        return _device.quantize_scaled(x, *args)
    return quantize_scaled_cpu(x, elem, axis, block_size, channel_axis, symmetric, rounding, seed)


@quantize_scaled_op.register_fake
def _(x, elem, axis, block_size, channel_axis, symmetric, rounding, seed, ste):
    return _fake(x)


_register_ste(quantize_scaled_op, 9)
_register_ste(quantize_mx_op, 8)
_register_ste(quantize_nvfp4_op, 8)
_register_ste(quantize_ternary_op, 3)


# --- transforms ------------------------------------------------------------------------


def _transform_data(x: Tensor) -> np.ndarray:
    """``x``'s memory as numpy sees it (the transforms raise their own errors for
    dtypes other than float32/float64)."""
    if x.dtype == torch.bfloat16:  # numpy has no bfloat16: the transforms' message
        raise TypeError("x must be float32 or float64, got bfloat16")
    return x.detach().resolve_conj().numpy()


def _emulation(fmt: str | None, rounding: str, seed: Tensor | None) -> dict:
    return dict(
        fmt=None if fmt is None else resolve_format(fmt), rounding=rounding, seed=_seed(seed)
    )


def fwht_cpu(
    x: Tensor,
    normalize: bool,
    signs: Tensor | None,
    block: int | None,
    fmt: str | None,
    rounding: str,
    seed: Tensor | None,
) -> Tensor:
    """``H D x`` of a CPU tensor (a new contiguous tensor) through numerics' kernels."""
    out = x.detach().clone(memory_format=torch.contiguous_format)
    s = None if signs is None else signs.detach().cpu().numpy()
    transforms.fwht(_transform_data(out), normalize, s, block, **_emulation(fmt, rounding, seed))
    return out


@torch.library.custom_op("numerics::fwht", mutates_args=())
def fwht_op(
    x: Tensor,
    normalize: bool,
    signs: Tensor | None,
    block: int | None,
    fmt: str | None = None,
    rounding: str = "nearest_even",
    seed: Tensor | None = None,
) -> Tensor:
    """``H D x`` along the last axis (``block`` None: one block of the whole axis),
    emulated in ``fmt`` with ``rounding`` when given."""
    if _device.use_torch_kernels(x) and fmt is None:  # device dispatch: pure torch
        return _device.fwht(x, normalize, signs, block)
    if x.device.type != "cpu":  # emulated: through host memory, same bits
        h = fwht_cpu(x.detach().cpu(), normalize, signs, block, fmt, rounding, seed)
        return h.to(x.device)
    return fwht_cpu(x, normalize, signs, block, fmt, rounding, seed)


@fwht_op.register_fake
def _(x, normalize, signs, block, fmt=None, rounding="nearest_even", seed=None):
    return _fake(x)


def _fwht_setup(ctx, inputs, output):
    _, ctx.normalize, signs, ctx.block = inputs[:4]
    ctx.save_for_backward(signs)


def _fwht_backward(ctx, grad):
    # H is symmetric: (H D)^T g = D H g, the exact adjoint (straight through an
    # emulated forward)
    (signs,) = ctx.saved_tensors
    n = grad.shape[-1]
    if n & (n - 1):  # H_m (x) H_2^k: H_20, H_28 and H_40 are not symmetric: apply H^T
        g = grad.detach().cpu().clone(memory_format=torch.contiguous_format)
        transforms.fwht(_transform_data(g), ctx.normalize, None, ctx.block, transpose=True)
        g = g.to(grad.device)
    else:
        g = fwht_op(grad, ctx.normalize, None, ctx.block)
    if signs is not None:
        g = g * signs.to(device=g.device, dtype=g.dtype)
    return g, None, None, None, None, None, None


fwht_op.register_autograd(_fwht_backward, setup_context=_fwht_setup)


def rdfft_cpu(x: Tensor, fmt: str | None, rounding: str, seed: Tensor | None) -> None:
    """The real FFT of every row of the CPU tensor ``x``, in its own memory."""
    transforms.rdfft(_transform_data(x), **_emulation(fmt, rounding, seed))


def irdfft_cpu(x: Tensor, fmt: str | None, rounding: str, seed: Tensor | None) -> None:
    """The inverse real FFT of every row of the CPU tensor ``x``, in its own memory."""
    transforms.irdfft(_transform_data(x), **_emulation(fmt, rounding, seed))


def _on_host(kernel, inverse: bool):
    """``kernel`` for a tensor on another device: the pure-torch transform (native),
    or through host memory (emulated), the same bits either way."""

    def run(x, fmt=None, rounding="nearest_even", seed=None):
        if fmt is None and _device.use_torch_kernels(x):  # device dispatch: pure torch
            _device.rdfft_(x, inverse=inverse)
            return
        if x.device.type == "cpu":
            return kernel(x, fmt, rounding, seed)
        h = x.detach().cpu()
        kernel(h, fmt, rounding, seed)
        x.copy_(h)

    return run


def _half_weights(g: Tensor) -> Tensor:
    """``D`` of the adjoint identities: 1 at slots 0 and n/2, 1/2 elsewhere."""
    n = g.shape[-1]
    d = torch.full((n,), 0.5, dtype=g.dtype, device=g.device)
    d[0] = 1
    d[n // 2] = 1
    return d


def _rdfft_adjoint(g: Tensor) -> Tensor:
    # rdfft^T g = n irdfft(D g)
    h = (g * _half_weights(g)).contiguous()
    torch.ops.numerics.irdfft_(h)
    return h * g.shape[-1]


def _irdfft_adjoint(g: Tensor) -> Tensor:
    # irdfft^T g = D^-1 rdfft(g) / n
    h = g.clone(memory_format=torch.contiguous_format)
    torch.ops.numerics.rdfft_(h)
    return h / (_half_weights(g) * g.shape[-1])


# The in-place transforms are defined on the dispatcher directly: torch.library's
# register_autograd takes functional operators only, and an autograd.Function with
# mark_dirty around the op does not trace under torch.compile. This is what
# torch.library.custom_op registers for an operator (a kernel for every backend, a fake
# kernel, a version bump on ADInplaceOrView, an Autograd kernel), with the Autograd
# kernel recording the in-place update as autograd records torch's own in-place ops.
# The dispatcher leaves out arguments equal to their defaults: the kernels repeat them.
_LIB = torch.library.Library("numerics", "FRAGMENT")
_TRANSFORM_SCHEMA = (
    "(Tensor(a!) x, str? fmt=None, str rounding='nearest_even', Tensor? seed=None) -> ()"
)


def _define_in_place(name: str, kernel, adjoint, doc: str):
    _LIB.define(name + _TRANSFORM_SCHEMA)
    op = getattr(torch.ops.numerics, name).default
    _LIB.impl(name, _on_host(kernel, name == "irdfft_"), "CompositeExplicitAutograd")
    torch.library.register_fake(
        f"numerics::{name}", lambda x, fmt=None, rounding="nearest_even", seed=None: None, lib=_LIB
    )

    def bump_version(keyset, x, fmt=None, rounding="nearest_even", seed=None):
        torch.autograd.graph.increment_version(x)
        return op.redispatch(
            keyset & torch._C._after_ADInplaceOrView_keyset, x, fmt, rounding, seed
        )

    _LIB.impl(name, bump_version, "ADInplaceOrView", with_keyset=True)

    class InPlace(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, fmt, rounding, seed, keyset):
            with torch._C._AutoDispatchBelowAutograd():
                op.redispatch(keyset & torch._C._after_autograd_keyset, x, fmt, rounding, seed)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return adjoint(g), None, None, None, None

    InPlace.__name__ = InPlace.__qualname__ = f"{name}Backward"

    def autograd_kernel(keyset, x, fmt=None, rounding="nearest_even", seed=None):
        if torch.is_grad_enabled() and x.requires_grad:
            InPlace.apply(x, fmt, rounding, seed, keyset)
            return
        with torch._C._AutoDispatchBelowAutograd():
            op.redispatch(keyset & torch._C._after_autograd_keyset, x, fmt, rounding, seed)

    _LIB.impl(name, autograd_kernel, "Autograd", with_keyset=True)
    op.__doc__ = doc
    return op


rdfft_op = _define_in_place(
    "rdfft_",
    rdfft_cpu,
    _rdfft_adjoint,
    "The real FFT of every row of ``x``, in place, halfcomplex layout (emulated in "
    "``fmt`` when given); gradient: the exact adjoint ``n irdfft(D g)``.",
)
irdfft_op = _define_in_place(
    "irdfft_",
    irdfft_cpu,
    _irdfft_adjoint,
    "The inverse of ``rdfft_``, in place; gradient: the exact adjoint ``D^-1 rdfft(g) / n``.",
)
