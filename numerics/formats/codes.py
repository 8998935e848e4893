"""Bit codes: ``encode`` values into a format's codes, ``decode`` them, ``pack`` nibbles."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .._core.containers import check_dtype_holds, is_bfloat16
from . import _encode_kernels
from ._prepare import prepare
from .format import Format
from .registry import as_format
from .rounding import Rounding

__all__ = ["code_dtype", "decode", "encode", "pack", "unpack"]


def code_dtype(fmt: Format | str) -> np.dtype:
    """The unsigned dtype that holds ``fmt``'s codes: uint8 up to 8 bits, then uint16,
    uint32, uint64.

    Examples
    --------
    >>> code_dtype("bfloat16")
    dtype('uint16')
    """
    bits = as_format(fmt).bits
    for dt in (np.uint8, np.uint16, np.uint32, np.uint64):
        if bits <= 8 * np.dtype(dt).itemsize:
            return np.dtype(dt)
    raise AssertionError("formats are at most 64 bits")


def encode(
    x: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    saturate: bool = False,
    subnormals: bool = True,
    seed: int | np.random.Generator | None = None,
    sr_bits: int | None = None,
) -> np.ndarray | int:
    """Round ``x`` into ``fmt`` and return the bit codes (sign | exponent | fraction).

    Rounding is exactly that of :func:`numerics.cast` with the same arguments, so
    ``decode(encode(x, f), f) == cast(x, f)`` (NaNs aside). ``x`` may be of either
    byte order; the codes are native.

    Returns
    -------
    ndarray or int
        Codes in :func:`code_dtype` of the format; an int for scalar input.

    Raises
    ------
    ValueError
        If ``x`` holds a NaN and the format has no NaN, or an Inf and the format has
        no Inf (unless ``saturate=True``, which encodes Inf as +-max).

    Examples
    --------
    >>> encode([1.0, -448.0, 0.3], "float8_e4m3fn")
    array([ 56, 254,  42], dtype=uint8)
    >>> encode(float("inf"), "fp4", saturate=True)
    7
    """
    p = prepare(
        x,
        fmt,
        rounding,
        saturate=saturate,
        subnormals=subnormals,
        seed=seed,
        sr_bits=sr_bits,
    )
    fmt = p.fmt
    codes = np.empty(p.flat.size, dtype=code_dtype(fmt))
    bad = np.array([0, 0, -1, -1], dtype=np.int64)
    kernel = _encode_kernels.encode_parallel if p.parallel else _encode_kernels.encode_serial
    kernel(p.flat.view(p.container.uint), codes, p.P, p.key, bad)
    if bad[0]:
        raise ValueError(
            f"{fmt} has no NaN: cannot encode the {bad[0]} NaN(s) in x "
            f"(first at flat index {bad[2]})"
        )
    if bad[1]:
        raise ValueError(
            f"{fmt} has no Inf: cannot encode the {bad[1]} Inf(s) in x (first at flat index "
            f"{bad[3]}); pass saturate=True to encode them as +-max"
        )
    codes = codes.reshape(p.arr.shape)
    return int(codes) if p.kind != "array" else codes


def _decode_float64(codes: np.ndarray, fmt: Format) -> np.ndarray:
    """Values of ``codes`` (uint64) as float64, computed field by field."""
    m, mag_bits = fmt.mbits, fmt.ebits + fmt.mbits
    mag = codes & np.uint64(2**mag_bits - 1)
    neg = ((codes >> np.uint64(mag_bits)) & np.uint64(1)).astype(bool) if fmt.signed else False
    e_field = (mag >> np.uint64(m)).astype(np.int64)
    frac = (mag & np.uint64(2**m - 1)).astype(np.float64)
    if fmt.zero:
        normal = e_field > 0
        sig = np.where(normal, frac + 2.0**m, frac if fmt.subnormals else 0.0)
        q = np.maximum(e_field, 1) - 1 + fmt.emin - m
    else:
        sig = frac + 2.0**m
        q = e_field + fmt.emin - m
    vals = np.ldexp(sig, q)
    vals[mag > np.uint64(fmt.max_code)] = np.nan
    if fmt.inf:
        vals[mag == np.uint64(fmt.max_code + 1)] = np.inf
    vals = np.where(neg, -vals, vals)
    if fmt.nan.value == "fnuz":
        vals[codes == np.uint64(1 << mag_bits)] = np.nan
    return vals


_TABLES: dict[Format, np.ndarray] = {}


def value_table(fmt: Format) -> np.ndarray:
    """The float64 value of every code of ``fmt`` (at most 16 bits), indexed by code;
    read-only and built once per format.

    Examples
    --------
    >>> value_table("float4_e2m1fn")[:4]
    array([0. , 0.5, 1. , 1.5])
    """
    fmt = as_format(fmt)
    tab = _TABLES.get(fmt)
    if tab is None:
        tab = _decode_float64(np.arange(2**fmt.bits, dtype=np.uint64), fmt)
        tab.setflags(write=False)
        _TABLES[fmt] = tab
    return tab


def decode(codes: ArrayLike, fmt: Format | str, dtype: DTypeLike = np.float32) -> np.ndarray:
    """The values of bit codes of ``fmt``, as ``dtype`` (float32 by default; either byte
    order, as asked). Codes may be of either byte order.

    Exponent-zero codes of a format without subnormals read as zero; unused codes of
    unsigned formats' sign position do not exist (codes must be below ``2**bits``).

    Raises
    ------
    TypeError
        For non-integer codes.
    ValueError
        For codes outside ``[0, 2**fmt.bits)``, or a ``dtype`` that cannot hold the
        format's values exactly.

    Examples
    --------
    >>> decode([56, 254, 127], "float8_e4m3fn")
    array([   1., -448.,   nan], dtype=float32)
    """
    fmt = as_format(fmt)
    scalar = np.isscalar(codes)
    c = np.asarray(codes)
    if c.dtype.kind not in "iu":
        raise TypeError(f"codes must be integers, got {c.dtype.name}")
    dtype = np.dtype(dtype)
    native = dtype.newbyteorder("=")
    if not (native in (np.float16, np.float32, np.float64) or is_bfloat16(native)):
        raise TypeError(f"dtype must be a float dtype, got {dtype.name}")
    check_dtype_holds(fmt, dtype)
    if c.size and (c.min() < 0 or int(c.max()) >= 2**fmt.bits):
        raise ValueError(f"codes must be in [0, 2**{fmt.bits}) for {fmt}")
    if fmt.bits <= 16:
        vals = value_table(fmt)[c.astype(np.intp)]
    else:
        vals = _decode_float64(c.astype(np.uint64), fmt)
    if is_bfloat16(native):
        f32 = vals.astype(np.float32)
        vals = (f32.view(np.uint32) >> 16).astype(np.uint16).view(native)
    vals = vals.astype(dtype, copy=False)
    return vals[()] if scalar else vals


def _check_bits(bits: int) -> None:
    if bits not in (2, 4, 6):
        raise ValueError(f"pack and unpack handle 2-, 4- and 6-bit codes, got bits={bits}")


def pack(codes: ArrayLike, *, bits: int = 4) -> np.ndarray:
    """Pack ``bits``-wide codes (2, 4 or 6) along the last axis into bytes, lowest first.

    Two 4-bit codes per byte, low nibble first (as ml_dtypes and torch's
    ``float4_e2m1fn_x2``); four 2-bit codes per byte; four 6-bit codes per three bytes
    (code ``j`` in bits ``6j..6j+5`` of a little-endian 24-bit word). An axis whose
    length is not a multiple of the codes per group is padded with zero codes: pass its
    length to :func:`unpack` to drop them.

    Examples
    --------
    >>> pack([1, 2, 3]).tolist()
    [33, 3]
    >>> pack([63, 1, 0, 0], bits=6).tolist()
    [127, 0, 0]
    """
    _check_bits(bits)
    c = np.asarray(codes)
    if c.dtype.kind not in "iu":
        raise TypeError(f"codes must be integers, got {c.dtype.name}")
    if c.ndim == 0:
        raise ValueError("pack needs at least one axis")
    if c.size and (c.min() < 0 or c.max() >= 1 << bits):
        raise ValueError(f"codes must be in [0, {1 << bits}) to pack {bits} bits")
    per = 4 if bits == 6 else 8 // bits  # codes per group of (bits * per / 8) bytes
    n = c.shape[-1]
    pad = (-n) % per
    c = c.astype(np.uint32)
    if pad:
        c = np.concatenate([c, np.zeros(c.shape[:-1] + (pad,), np.uint32)], axis=-1)
    c = c.reshape(c.shape[:-1] + (-1, per))
    word = np.zeros(c.shape[:-1], dtype=np.uint32)
    for j in range(per):
        word |= c[..., j] << np.uint32(bits * j)
    nbytes = bits * per // 8
    out = np.stack([(word >> np.uint32(8 * b)).astype(np.uint8) for b in range(nbytes)], axis=-1)
    return out.reshape(out.shape[:-2] + (-1,))


def unpack(packed: ArrayLike, n: int | None = None, *, bits: int = 4) -> np.ndarray:
    """Undo :func:`pack`: bytes to ``bits``-wide codes (uint8) along the last axis,
    keeping the first ``n`` (all by default).

    Examples
    --------
    >>> unpack(pack([1, 2, 3]), 3).tolist()
    [1, 2, 3]
    """
    _check_bits(bits)
    p = np.asarray(packed)
    if p.dtype != np.uint8:
        raise TypeError(f"packed codes must be uint8, got {p.dtype.name}")
    if p.ndim == 0:
        raise ValueError("unpack needs at least one axis")
    per = 4 if bits == 6 else 8 // bits
    nbytes = bits * per // 8
    if p.shape[-1] % nbytes:
        raise ValueError(f"{bits}-bit codes come in groups of {nbytes} bytes; got {p.shape[-1]}")
    g = p.reshape(p.shape[:-1] + (-1, nbytes)).astype(np.uint32)
    word = np.zeros(g.shape[:-1], dtype=np.uint32)
    for b in range(nbytes):
        word |= g[..., b] << np.uint32(8 * b)
    mask = np.uint32((1 << bits) - 1)
    parts = [((word >> np.uint32(bits * j)) & mask).astype(np.uint8) for j in range(per)]
    out = np.stack(parts, axis=-1).reshape(p.shape[:-1] + (-1,))
    if n is not None:
        if not 0 <= n <= out.shape[-1] or out.shape[-1] - n >= per:
            raise ValueError(f"n={n} does not fit {p.shape[-1]} packed bytes")
        out = out[..., :n]
    return out
