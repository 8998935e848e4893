"""Scaled quantization into any format: per tensor, per channel or per block, with the
scale computed from the data or given; integers with zero points; fixed point.

Elements are ``v / s`` rounded once into the element format, as the exact quotient
would round. The quotient is taken in float64: exactly when ``s`` is a power of two;
otherwise correctly rounded, which decides every rounding exactly for float32 (and
narrower) input into formats of up to 24 bits of precision, since such a quotient
cannot come within 2**-53 of a rounding boundary without lying on it. For float64
input, an inexact quotient is moved one float64 toward the exact one (its residual
computed exactly with Dekker's product), which settles the ties it could land on;
this holds for magnitudes between 2**-900 and 2**900. Stochastic rounding draws on
the float64 quotient's bits, so its probabilities are exact to about 2**-52.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from .._core.containers import F64, as_float_array, use_parallel
from .._core.params import check_exact_sum_format, nan_codes, params, rne_constants
from .._core.random_words import seed_key
from ..formats.cast import cast
from ..formats.format import Format
from ..formats.intformat import IntFormat, as_int_format
from ..formats.registry import as_format
from ..formats.rounding import Rounding, as_rounding
from . import _kernels
from ._layout import Layout
from .quantized import Quantized, element_code_dtype

__all__ = ["quantize", "quantize_fixed", "quantize_int"]


def as_element_format(elem: Format | IntFormat | str) -> Format | IntFormat:
    """An element format from a :class:`Format`, an :class:`IntFormat` or a name
    (``"int4"``, ``"uint8"`` or any name :func:`numerics.get_format` knows), checked
    by :func:`check_element_format`."""
    i = as_int_format(elem)
    return i if i is not None else check_element_format(as_format(elem))


def check_element_format(elem: Format) -> Format:
    """``elem`` if the quantizers can round into it, else a ValueError naming it.

    Quotients are rounded from float64 (float64 data through round-to-odd), which
    decides correctly only for formats of at most 50 fraction bits; the kernels also
    need a power of two above the format's largest value."""
    check_exact_sum_format(elem, "scaled quantization needs")
    if elem.emax > 1022:
        raise ValueError(
            f"scaled quantization needs an element format below 2**1023, not {elem} "
            f"(largest binade 2**{elem.emax})"
        )
    return elem


def float_data(x: ArrayLike) -> tuple[np.ndarray, np.dtype]:
    """``x`` as a float32 or float64 array (float16 and bfloat16 widen exactly), and
    the dtype to give results back in (float64 for lists and numbers)."""
    arr, kind = as_float_array(x)
    dtype = arr.dtype if kind == "array" else np.dtype(np.float64)
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float32)
    return arr, dtype


def encode_blocks(
    x: np.ndarray,
    elem: Format | IntFormat,
    layout: Layout,
    div: np.ndarray,
    zp: np.ndarray | None,
    rounding: Rounding | str,
    seed,
    sr_bits: int | None,
    *,
    wrap: bool = False,
    mx: tuple[int, int, int] | None = None,
    stats: bool = False,
    given: bool = False,
) -> tuple[np.ndarray, int | None, int | None]:
    """Element codes of ``x`` (float32/float64) divided by its block's ``div`` (rows x
    blocks; NaN marks a NaN block), with the counts of clipped and flushed elements.

    With ``mx = (scale mode index, emax_elem, element mbits)`` the kernel computes each
    block's MX scale itself, in the same pass, and writes it into ``div``. The counts
    are None unless ``stats``. ``given``: the scales were given, so NaN data does not
    make NaN blocks."""
    mode = as_rounding(rounding)
    is_int = isinstance(elem, IntFormat)
    # wrapping needs the exact integer of every |v / s| below 2**52 (above, it is one)
    grid = (elem.grid(52) if wrap else elem.grid()) if is_int else elem
    P = params(grid, mode, saturate=True, subnormals=True, sr_bits=sr_bits, container=F64)
    EP = np.zeros(_kernels.E_LEN, np.int64)
    FP = np.zeros(_kernels.F_LEN, np.float64)
    EP[_kernels.E_INT] = is_int
    EP[_kernels.E_FAST] = grid.zero and grid.subnormals and grid.signed and grid.mbits <= 50
    EP[_kernels.E_STATS] = stats
    # NaN quotients need the fix-up (NaN blocks are coded apart): NaN data, given scales
    EP[_kernels.E_MAYNAN] = given and bool(np.isnan(x).any())
    if is_int:
        EP[_kernels.E_QMIN], EP[_kernels.E_QMAX] = elem.qmin, elem.qmax
        EP[_kernels.E_WRAP], EP[_kernels.E_BITS] = wrap, elem.bits
        FP[_kernels.F_LO], FP[_kernels.F_HI] = elem.qmin, elem.qmax
        FP[_kernels.F_INVQ] = 2.0**elem.frac_bits
        FP[_kernels.F_WRAPLIM] = 2.0 ** (grid.mbits + 1 - elem.frac_bits)
    else:
        EP[_kernels.E_NANCODE] = nan_codes(elem)[0] if elem.has_nan else 0
        EP[_kernels.E_SIGNBIT] = elem.ebits + elem.mbits
        EP[_kernels.E_NEGZERO] = elem.negzero
        FP[_kernels.F_LO], FP[_kernels.F_HI] = elem.min, elem.max
        FP[_kernels.F_INVQ] = 1.0
    FP[_kernels.F_ADDEXP], FP[_kernels.F_MSUB] = rne_constants(grid)
    FP[_kernels.F_TWOEMIN] = 2.0**grid.emin
    FP[_kernels.F_BIG] = 2.0 ** (grid.emax + 1)
    FP[_kernels.F_VMAX] = elem.max
    # None for the deterministic modes: the kernels then compile no stochastic code
    key = np.uint64(seed_key(seed)) if mode.is_stochastic else None
    x2 = layout.rows(x)
    rows, n = x2.shape
    codes2 = np.empty((rows, n), dtype=element_code_dtype(elem))
    # the kernels write the codes' bits (an int64 truncated to the width), so signed
    # codes go through their unsigned view: one compiled variant per width, not per
    # dtype (int8 and uint8 codes used to compile the pass twice, about 3 s each)
    out = codes2.view(f"u{codes2.itemsize}")
    counts = np.zeros((rows, 2), np.int64)
    zp2 = np.zeros((rows, 0), np.int64) if zp is None else zp
    SR = np.zeros(5, np.int64)
    if mx is not None:
        SR[0], SR[1:4] = 1, mx
    SR[4] = x.dtype == np.float64
    if x2.size:
        xb, XC = _bits(x2)
        fix = np.zeros(rows, np.int8)
        # None for nearest even and for MX scales (powers of two, computed by the
        # kernel): the kernels then compile only the loops those take
        generic = None if mode is Rounding.NEAREST_EVEN else True
        anyscale = None if mx is not None else True
        args = (
            x2, xb, XC, layout.bs, div, zp2, SR, P, EP, FP, key, generic, anyscale,
            out, counts if stats else None, fix,
        )  # fmt: skip
        if use_parallel(x2.size):
            _kernels.quantize_rows(*args)
        else:  # the row kernel itself: a wrapper would compile (and optimise) it again
            _kernels.quantize_rows_fast(*args, np.empty(n), np.zeros(n, np.int64), 0, rows)
        nan_blocks = np.isnan(div)
        if nan_blocks.any():
            codes2[np.repeat(nan_blocks, layout.bs, axis=1)[:, :n]] = EP[_kernels.E_NANCODE]
        left = np.flatnonzero(fix)
        if left.size:
            _kernels.quantize_rows_fix(
                x2, layout.bs, div, zp2, SR, P, EP, FP, key, out, counts, left
            )
    if not stats:
        return layout.unrows(codes2), None, None
    return layout.unrows(codes2), int(counts[:, 0].sum()), int(counts[:, 1].sum())


def _bits(x2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bits of float32/float64 data, and their layout (fraction bits, bias, sign
    position) for the kernels."""
    if x2.dtype == np.float32:
        return x2.view(np.uint32), np.array([23, 127, 31], np.int64)
    return x2.view(np.uint64), np.array([52, 1023, 63], np.int64)


def block_absmax(x: np.ndarray, layout: Layout) -> np.ndarray:
    """Largest magnitude of each (row, block) of the layout's view; NaN where the block
    holds a NaN or an Inf."""
    x2 = layout.rows(x)
    amax = np.empty((x2.shape[0], layout.nblk), np.float64)
    if x2.size:
        _kernels.block_absmax(*_bits(x2), layout.bs, amax)
    else:
        amax[...] = 0.0
    return amax


def _block_minmax(x: np.ndarray, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """Per (row, block): min(min, 0) and max(max, 0), so that zero is in every range."""
    x2 = layout.rows(x).astype(np.float64)
    rows, n = x2.shape
    width = layout.nblk * layout.bs
    if width > n:
        x2 = np.concatenate([x2, np.zeros((rows, width - n))], axis=1)
    x3 = x2.reshape(rows, layout.nblk, layout.bs)
    return np.minimum(x3.min(axis=2, initial=0.0), 0), np.maximum(x3.max(axis=2, initial=0.0), 0)


def _round_scales(s: np.ndarray, scale_format: Format | None, rounding: Rounding) -> np.ndarray:
    """Scales rounded into ``scale_format`` and kept positive and finite; NaN (a NaN
    group's) stays NaN."""
    if scale_format is None:
        return s
    r = cast(s, scale_format, rounding, saturate=True)
    tiny = scale_format.min_subnormal if scale_format.zero else scale_format.min_normal
    return np.where((r > 0) | np.isnan(r), r, tiny)


def _given(value, shape: tuple[int, ...], what: str) -> np.ndarray:
    a = np.asarray(value)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{what} must be real numbers, got {a.dtype.name}")
    try:
        return np.broadcast_to(a, shape)
    except ValueError:
        raise ValueError(
            f"{what} of shape {a.shape} does not broadcast to the scales' shape {shape}"
        ) from None


def quantize(
    x: ArrayLike,
    elem: Format | IntFormat | str,
    *,
    axis: int | None = None,
    block_size: int | None = None,
    channel_axis: int | None = None,
    scale: ArrayLike | None = None,
    zero_point: ArrayLike | None = None,
    symmetric: bool = True,
    scale_format: Format | str | None = "float32",
    scale_rounding: Rounding | str = Rounding.UP,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: int | np.random.Generator | None = None,
    sr_bits: int | None = None,
    stats: bool = False,
) -> Quantized:
    """Scaled quantization of ``x`` into any element format, per tensor, per channel or
    per block, with the scale from the data's absmax (or range) or given.

    Parameters
    ----------
    x : array_like
        float16, bfloat16, float32 or float64 data.
    elem : Format, IntFormat or str
        The element format: a float format or its name, or an integer format
        (``"int4"``, ``"uint8"``, :class:`numerics.IntFormat`).
    axis, block_size : int, optional
        Blocks of ``block_size`` consecutive elements along ``axis`` (default -1) share
        a scale; ``axis`` alone makes the whole axis one block (e.g. per token). A
        length that is not a multiple of the block size leaves a short last block.
    channel_axis : int, optional
        One scale per index along this axis (per output channel of a weight).
        Neither: one scale for the whole tensor.
    scale : array_like, optional
        Given scales, broadcastable to the scales' shape (see :class:`Quantized`).
        By default ``s = absmax / max(elem)`` over each group, rounded into
        ``scale_format`` by ``scale_rounding`` (up by default, so nothing clips); a
        group of zeros gets scale 1. Float elements: a group holding a NaN or an Inf
        becomes a NaN group (NaN scale, NaN codes where the format has them), which
        reads back as NaN throughout, as :func:`numerics.quantize_mx` codes NaN
        blocks. Integer elements have no NaN: NaN data are refused, and so is Inf
        unless the scales are given (then it saturates).
    zero_point : array_like, optional
        Integer formats: given zero points (with ``scale``).
    symmetric : bool
        Integer formats: False picks ``s = (max - min) / (qmax - qmin)`` over each group
        (its range widened to hold 0) and the zero point ``qmin - round(min / s)``,
        as PyTorch's observers do.
    scale_format : Format, str or None
        How scales are stored (``"float32"``, ``"bfloat16"``, ``"e8m0"``...); None
        keeps them exact in float64.
    scale_rounding : Rounding or str
        Rounding of computed scales into ``scale_format``.
    rounding, seed, sr_bits
        Rounding of the elements, as in :func:`numerics.cast`. Elements beyond the
        element format's range saturate.
    stats : bool
        Count the clipped and flushed elements (:attr:`Quantized.clipped`).

    Returns
    -------
    Quantized

    Raises
    ------
    ValueError
        For NaN in data bound for an integer format (or Inf, with computed scales),
        bad scales or zero points, an element format the kernels cannot round into
        (over 50 fraction bits), or an impossible layout.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)
    >>> q = quantize(w, "int8", channel_axis=0)
    >>> q.codes.tolist(), q.scales.ravel().tolist()  # absmax / 127, rounded up to float32
    ([[63, -127], [127, 16]], [0.007874016650021076, 0.015748033300042152])
    >>> quantize(w, "fp8_e4m3", block_size=2).dequantize().tolist()
    [[0.5, -1.0], [2.0, 0.25]]
    """
    elem = as_element_format(elem)
    data, dtype = float_data(x)
    layout = Layout.make(data.shape, axis=axis, block_size=block_size, channel_axis=channel_axis)
    sfmt = None if scale_format is None else as_format(scale_format)
    srnd = as_rounding(scale_rounding)
    is_int = isinstance(elem, IntFormat)
    if is_int and np.isnan(data).any():
        raise ValueError(f"x holds NaN, which the integer format {elem} cannot represent")
    if not is_int and (zero_point is not None or not symmetric):
        raise ValueError(f"zero points apply to integer formats, not to {elem}")
    shape = layout.scales_shape
    zp_k = None
    if scale is not None:
        s = np.array(_given(scale, shape, "scale"), dtype=np.float64)
        if not (np.isfinite(s).all() and (s > 0).all()):
            raise ValueError("scale must be positive and finite")
        if sfmt is not None and not np.array_equal(cast(s, sfmt, saturate=True), s):
            raise ValueError(
                f"the given scales are not values of scale_format {sfmt}; pass "
                "scale_format=None to keep them exact"
            )
        if zero_point is not None:
            z = np.asarray(_given(zero_point, shape, "zero_point"))
            if z.dtype.kind not in "iu" and not np.array_equal(z, np.round(z)):
                raise ValueError("zero_point must hold integers")
            z = z.astype(np.int64)
            if (z < elem.qmin).any() or (z > elem.qmax).any():
                raise ValueError(f"zero_point must lie in [{elem.qmin}, {elem.qmax}] for {elem}")
            zp_k = z
        elif not symmetric:
            raise ValueError("with a given scale, pass zero_point for an asymmetric format")
    elif zero_point is not None:
        raise ValueError("zero_point needs a given scale too")
    elif is_int and np.isinf(data).any():
        raise ValueError(f"x holds Inf, which gives no finite scale for the integer format {elem}")
    elif symmetric:
        amax = block_absmax(data, layout)
        if layout.granularity == "tensor":  # the view's rows are not groups
            amax = amax.max(keepdims=True)  # NaN (a NaN or Inf) propagates
        s2 = np.where(amax == 0, 1.0, amax / elem.max)  # NaN: a NaN group
        s = layout.scales_from_blocks(_round_scales(s2, sfmt, srnd))
    else:
        lo, hi = _block_minmax(data, layout)
        if layout.granularity == "tensor":
            lo, hi = lo.min(keepdims=True), hi.max(keepdims=True)
        width = (elem.qmax - elem.qmin) * elem.quantum
        s2 = _round_scales(np.where(hi > lo, (hi - lo) / width, 1.0), sfmt, srnd)
        z2 = elem.qmin - np.round(lo / (s2 * elem.quantum))
        z2 = np.clip(z2, elem.qmin, elem.qmax).astype(np.int64)
        s, zp_k = layout.scales_from_blocks(s2), layout.scales_from_blocks(z2)
    div = layout.scales_to_blocks(s)
    zp2 = None if zp_k is None else layout.scales_to_blocks(zp_k)
    codes, nclip, nflush = encode_blocks(
        data, elem, layout, div, zp2, rounding, seed, sr_bits, stats=stats, given=scale is not None
    )
    return Quantized(
        codes,
        s,
        elem,
        sfmt,
        layout.granularity,
        layout.axis,
        layout.block_size,
        dtype,
        zero_points=zp_k,
        num_clipped=nclip,
        num_flushed=nflush,
    )


def quantize_int(
    x: ArrayLike,
    bits: int = 8,
    *,
    signed: bool = True,
    symmetric: bool = True,
    narrow: bool | None = None,
    channel_axis: int | None = None,
    axis: int | None = None,
    group_size: int | None = None,
    scale: ArrayLike | None = None,
    zero_point: ArrayLike | None = None,
    scale_format: Format | str | None = "float32",
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: int | np.random.Generator | None = None,
    sr_bits: int | None = None,
    stats: bool = False,
) -> Quantized:
    """Integer quantization (intN or uintN, N = 2..16): symmetric or with zero points,
    per tensor, per channel (``channel_axis``) or per group (``group_size`` along
    ``axis``).

    Symmetric signed formats are narrow by default (``[-(2**(N-1) - 1), 2**(N-1) - 1]``,
    scale ``absmax / qmax``); pass ``narrow=False`` for the full two's-complement
    range. Other arguments are those of :func:`quantize`.

    Examples
    --------
    >>> q = quantize_int([-1.0, 0.0, 2.0], 4, signed=False, symmetric=False)
    >>> q.codes.tolist(), q.zero_points.ravel().tolist(), q.scales.ravel().tolist()
    ([0, 5, 15], [5], [0.20000000298023224])
    """
    if isinstance(bits, bool) or not isinstance(bits, numbers.Integral) or not 2 <= bits <= 16:
        raise ValueError(f"bits must be an int in 2..16, got {bits!r}")
    if narrow is None:
        narrow = signed and symmetric
    fmt = IntFormat(int(bits), signed=signed, narrow=narrow)
    return quantize(
        x,
        fmt,
        axis=axis,
        block_size=group_size,
        channel_axis=channel_axis,
        scale=scale,
        zero_point=zero_point,
        symmetric=symmetric,
        scale_format=scale_format,
        rounding=rounding,
        seed=seed,
        sr_bits=sr_bits,
        stats=stats,
    )


def quantize_fixed(
    x: ArrayLike,
    word_length: int,
    frac_length: int,
    *,
    signed: bool = True,
    overflow: str = "saturate",
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: int | np.random.Generator | None = None,
    sr_bits: int | None = None,
    stats: bool = False,
) -> Quantized:
    """Fixed point: ``x`` rounded to a multiple of ``2**-frac_length`` held in a
    ``word_length``-bit two's-complement (or unsigned) word.

    Parameters
    ----------
    word_length : int
        2 to 32 bits.
    frac_length : int
        Fraction bits (negative: the quantum is a power of two above 1).
    overflow : {"saturate", "wrap"}
        Clamp to the word's range, or keep the low ``word_length`` bits of the rounded
        integer (as two's-complement hardware does).
    stats : bool
        Count the clipped and flushed elements (:attr:`Quantized.clipped`).

    Examples
    --------
    >>> q = quantize_fixed([0.3, 1.75, -2.5], 4, 1)
    >>> q.codes.tolist(), q.dequantize().tolist()
    ([1, 4, -5], [0.5, 2.0, -2.5])
    >>> quantize_fixed([4.5], 4, 1, overflow="wrap").dequantize().tolist()
    [-3.5]
    """
    if overflow not in ("saturate", "wrap"):
        raise ValueError(f"overflow must be 'saturate' or 'wrap', got {overflow!r}")
    fmt = IntFormat(word_length, signed=signed, frac_bits=frac_length)
    data, dtype = float_data(x)
    if np.isnan(data).any():
        raise ValueError("x holds NaN, which fixed point cannot represent")
    wrap = overflow == "wrap"
    if wrap and np.isinf(data).any():
        raise ValueError("x holds Inf, which has no wrapped fixed-point value")
    layout = Layout.make(data.shape)
    rows = layout.row_shape[0]
    div = np.ones((rows, 1))
    codes, nclip, nflush = encode_blocks(
        data, fmt, layout, div, None, rounding, seed, sr_bits, wrap=wrap, stats=stats
    )
    return Quantized(
        codes,
        np.ones(layout.scales_shape),
        fmt,
        None,
        "tensor",
        None,
        None,
        dtype,
        num_clipped=nclip,
        num_flushed=nflush,
    )
