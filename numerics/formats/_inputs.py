"""Checking what users pass to the casts, and building the kernels' parameter array."""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass

import numpy as np

from . import _kernels as K
from .format import Format, NanStyle
from .registry import as_format
from .rounding import Rounding, as_rounding

# Arrays at least this long go to the parallel kernels (when numba has several threads).
PARALLEL_MIN = 1 << 18


@dataclass(frozen=True)
class _Container:
    """An IEEE binary dtype data is computed in: its bits' layout."""

    dtype: np.dtype
    uint: np.dtype
    mbits: int
    bias: int
    sign_shift: int

    @property
    def emin(self) -> int:
        return 1 - self.bias

    @property
    def max(self) -> float:
        return float(np.finfo(self.dtype).max)


F32 = _Container(np.dtype(np.float32), np.dtype(np.uint32), 23, 127, 31)
F64 = _Container(np.dtype(np.float64), np.dtype(np.uint64), 52, 1023, 63)
_HALF = dict(mbits=10, emin=-14, max=65504.0)
_BF16 = dict(mbits=7, emin=-126, max=(2 - 2.0**-7) * 2.0**127)


def is_bfloat16(dtype: np.dtype) -> bool:
    """Whether ``dtype`` is ml_dtypes' bfloat16 (recognised without importing ml_dtypes)."""
    return dtype.name == "bfloat16" and dtype.itemsize == 2


_LAYOUTS = {
    "float16": _HALF,
    "bfloat16": _BF16,
    "float32": dict(mbits=F32.mbits, emin=F32.emin, max=F32.max),
    "float64": dict(mbits=F64.mbits, emin=F64.emin, max=F64.max),
}


def fits(fmt: Format, dtype: np.dtype | str) -> tuple[bool, bool]:
    """``(holds, contains)`` for a float dtype (or its name: float16, bfloat16, float32,
    float64, which also covers torch's dtypes): whether it holds every value of
    ``fmt``, and whether ``fmt`` holds every value of it."""
    d = _LAYOUTS[dtype if isinstance(dtype, str) else np.dtype(dtype).name]
    holds = (
        fmt.mbits <= d["mbits"]
        and fmt.emin - fmt.mbits >= d["emin"] - d["mbits"]
        and fmt.max <= d["max"]
    )
    contains = (
        fmt.mbits >= d["mbits"]
        and fmt.zero
        and fmt.subnormals
        and fmt.emin - fmt.mbits <= d["emin"] - d["mbits"]
        and fmt.max >= d["max"]
    )
    return holds, contains


def check_dtype_holds(fmt: Format, dtype: np.dtype | str) -> None:
    """Raise unless every value a cast into ``fmt`` can return is exact in ``dtype``.

    That holds when ``dtype`` holds every value of ``fmt``, or when ``fmt`` holds every
    value of ``dtype`` (then a cast only changes specials and out-of-range values).
    """
    if not any(fits(fmt, dtype)):
        name = dtype if isinstance(dtype, str) else dtype.name
        raise ValueError(
            f"{name} cannot hold the values of {fmt} (max {fmt.max:.4g}, smallest "
            f"{fmt.min_subnormal:.4g}, {fmt.mbits} fraction bits); pass float32 or float64 data"
        )


def as_float_array(x, what: str = "x") -> tuple[np.ndarray, str]:
    """``x`` as a float ndarray, and how to give the result back: 'array', 'pyfloat' or
    'npscalar'. Rejects ints, bools, complex and object data with a clear error."""
    if isinstance(x, np.ndarray):
        kind = "array"
        arr = x
    elif isinstance(x, np.generic):
        kind = "npscalar"
        arr = np.asarray(x)
    elif isinstance(x, bool):
        raise TypeError(f"{what} must be floating-point data, got a bool")
    elif isinstance(x, numbers.Integral):
        if float(x) != x:
            raise ValueError(f"{what}={x} is not exactly a float64; pass a float")
        return np.asarray(float(x)), "pyfloat"
    elif isinstance(x, numbers.Real):
        return np.asarray(float(x), dtype=np.float64), "pyfloat"
    elif isinstance(x, (list, tuple)):
        kind = "array"
        arr = np.asarray(x)
        if arr.dtype.kind in "iu":
            as_f = arr.astype(np.float64)
            if not np.array_equal(as_f.astype(arr.dtype), arr):
                raise ValueError(f"{what} holds integers that float64 cannot represent exactly")
            arr = as_f
    else:
        raise TypeError(f"{what} must be a float array, list or number, got {type(x).__name__}")
    dt = arr.dtype
    if not (dt in (np.float16, np.float32, np.float64) or is_bfloat16(dt)):
        hint = ""
        if dt.kind in "iub":
            hint = f"; convert explicitly, e.g. {what}.astype(np.float64)"
        elif dt.kind == "c":
            hint = "; cast the real and imaginary parts separately"
        raise TypeError(
            f"{what} must be float16, bfloat16, float32 or float64 data, got {dt.name}{hint}"
        )
    return arr, kind


def container_view(arr: np.ndarray) -> tuple[np.ndarray, _Container]:
    """Contiguous flat container data and its layout: float16 and bfloat16 widen to
    float32, exactly."""
    if arr.dtype == np.float64:
        return np.ascontiguousarray(arr).reshape(-1), F64
    if arr.dtype == np.float32:
        return np.ascontiguousarray(arr).reshape(-1), F32
    if arr.dtype == np.float16:
        return arr.astype(np.float32).reshape(-1), F32
    bits = np.ascontiguousarray(arr).reshape(-1).view(np.uint16).astype(np.uint32) << 16
    return bits.view(np.float32), F32


def from_container(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Convert container results back to ``dtype`` (exact: checked by check_dtype_holds)."""
    if values.dtype == dtype:
        return values
    if is_bfloat16(dtype):
        return (values.view(np.uint32) >> 16).astype(np.uint16).view(dtype)
    return values.astype(dtype)


def new_seed() -> int:
    """A fresh 64-bit seed from the operating system."""
    return int.from_bytes(os.urandom(8), "little")


def seed_key(seed) -> int:
    """The kernels' 64-bit key for ``seed`` (an int, a numpy Generator, or None)."""
    if seed is None:
        seed = new_seed()
    elif isinstance(seed, np.random.Generator):
        seed = int(seed.integers(0, 2**63, dtype=np.int64))
    elif isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    seed = int(seed)
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    return int(K.mix64(np.uint64(seed) ^ np.uint64(0x6A09E667F3BCC909)))


def nan_codes(fmt: Format) -> tuple[int, int]:
    """Codes for a positive and a negative NaN (-1 where the format has none)."""
    mag_bits = fmt.ebits + fmt.mbits
    sign = 1 << mag_bits if fmt.signed else 0
    if fmt.nan is NanStyle.IEEE:
        pos = ((2**fmt.ebits - 1) << fmt.mbits) | (1 << (fmt.mbits - 1))
    elif fmt.nan is NanStyle.FN:
        pos = 2**mag_bits - 1
    elif fmt.nan is NanStyle.FNUZ:
        return sign, sign
    else:
        return -1, -1
    return pos, pos | sign


def params(
    fmt: Format,
    rounding: Rounding | str,
    *,
    saturate: bool,
    subnormals: bool,
    sr_bits: int | None,
    container: _Container,
) -> np.ndarray:
    """The int64 parameter array the kernels read (slots named in ``_kernels``): a
    fresh copy of one built once per set of arguments."""
    mode = as_rounding(rounding)
    key = (fmt, mode, bool(saturate), bool(subnormals), sr_bits, container.mbits)
    P = _PARAMS.get(key)
    if P is None:
        P = _params(fmt, mode, saturate, subnormals, sr_bits, container)
        if len(_PARAMS) < 4096:
            _PARAMS[key] = P
    return P.copy()


_PARAMS: dict[tuple, np.ndarray] = {}


def _params(fmt, mode, saturate, subnormals, sr_bits, container) -> np.ndarray:
    if sr_bits is not None:
        if mode is not Rounding.STOCHASTIC:
            raise ValueError(f"sr_bits applies to stochastic rounding only, not {mode.value}")
        if isinstance(sr_bits, bool) or not isinstance(sr_bits, numbers.Integral):
            raise TypeError(f"sr_bits must be an int, got {sr_bits!r}")
        if not 1 <= sr_bits <= 64:
            raise ValueError(f"sr_bits must be in 1..64, got {sr_bits}")
    P = np.zeros(K.P_LEN, dtype=np.int64)
    P[K.P_M] = fmt.mbits
    P[K.P_EMIN] = fmt.emin
    P[K.P_EMAX] = fmt.emax
    P[K.P_MAXCODE] = fmt.max_code
    P[K.P_ZERO] = fmt.zero
    P[K.P_SIGNED] = fmt.signed
    P[K.P_NEGZERO] = fmt.negzero
    P[K.P_HASINF] = fmt.inf
    P[K.P_HASNAN] = fmt.has_nan
    P[K.P_SUBN] = fmt.subnormals and bool(subnormals)
    P[K.P_SAT] = bool(saturate)
    P[K.P_MODE] = mode.code
    P[K.P_SRBITS] = 64 if sr_bits is None else int(sr_bits)
    P[K.P_MB] = container.mbits
    P[K.P_BIASC] = container.bias
    P[K.P_SSH] = container.sign_shift
    # codes as int64 bit patterns: float64's negative NaN wraps to a negative int64
    P[K.P_NANPOS], P[K.P_NANNEG] = (c - 2**64 if c >= 2**63 else c for c in nan_codes(fmt))
    P[K.P_SIGNPOS] = fmt.ebits + fmt.mbits
    _fast_path(P, fmt, mode, container)
    return P


def _fast_path(P: np.ndarray, fmt: Format, mode: Rounding, c: _Container) -> None:
    """Fill the fast-path slots: rounding container bits by add-and-mask is exact for
    inputs that are normal in both the container and the target and at most max."""
    d = c.mbits - fmt.mbits
    if d < 1 or mode in (Rounding.ODD, Rounding.STOCHASTIC_EQUAL):
        return
    lo = max(fmt.emin, c.emin)
    if lo > fmt.emax:
        return
    bits = np.array([math.ldexp(1.0, lo), min(fmt.max, c.max)], dtype=c.dtype).view(c.uint)
    half, low = 1 << (d - 1), (1 << d) - 1
    inc, uselsb, incpos, incneg = {
        Rounding.NEAREST_EVEN: (half - 1, 1, 0, 0),
        Rounding.NEAREST_AWAY: (half, 0, 0, 0),
        Rounding.TOWARD_ZERO: (0, 0, 0, 0),
        Rounding.UP: (0, 0, low, 0),
        Rounding.DOWN: (0, 0, 0, low),
        Rounding.STOCHASTIC: (0, 0, 0, 0),
    }[mode]
    P[K.P_FAST] = 1
    P[K.P_LOBITS], P[K.P_HIBITS] = int(bits[0]), int(bits[1])
    P[K.P_D] = d
    P[K.P_INC] = inc
    P[K.P_USELSB] = uselsb
    # with no fraction bits the code's LSB is the exponent's, whose parity differs
    # from the container exponent's when the biases differ by an odd number
    P[K.P_PFLIP] = (c.bias - fmt.bias) & 1 if fmt.mbits == 0 else 0
    P[K.P_INCPOS], P[K.P_INCNEG] = incpos, incneg


def rne_constants(fmt: Format) -> tuple[int, float]:
    """``(addexp, msub)`` of :func:`numerics.formats._kernels.rne_magnitude` for ``fmt``:
    the float64 exponent-field offset that turns ``a``'s binade into the adder's, and
    the adder of the subnormal range."""
    return (52 - fmt.mbits) << 52, 1.5 * 2.0 ** (fmt.emin - fmt.mbits + 52)


def use_parallel(n: int) -> bool:
    """Whether an array of ``n`` elements is worth the parallel kernel."""
    if n < PARALLEL_MIN:
        return False
    import numba

    return numba.get_num_threads() > 1


@dataclass(frozen=True)
class Prepared:
    """What cast and encode share: checked data in its container, and kernel inputs."""

    fmt: Format
    arr: np.ndarray  # the input as an array
    kind: str  # how to give the result back (see as_float_array)
    flat: np.ndarray  # contiguous flat container data
    container: _Container
    P: np.ndarray
    key: np.uint64
    parallel: bool


def prepare(
    x,
    fmt,
    rounding,
    *,
    saturate: bool,
    subnormals: bool,
    seed,
    sr_bits: int | None,
) -> Prepared:
    """Check every argument (raising before anything is written) and build the
    kernels' inputs."""
    fmt = as_format(fmt)
    mode = as_rounding(rounding)
    arr, kind = as_float_array(x)
    flat, cont = container_view(arr)
    P = params(fmt, mode, saturate=saturate, subnormals=subnormals, sr_bits=sr_bits, container=cont)
    key = np.uint64(seed_key(seed) if mode.is_stochastic else 0)
    return Prepared(fmt, arr, kind, flat, cont, P, key, use_parallel(flat.size))
