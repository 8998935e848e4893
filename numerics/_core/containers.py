"""The IEEE containers data is computed in, and the checks on what users pass.

Kernels work on the bits of float32 or float64 arrays; float16 and ml_dtypes'
bfloat16 widen to float32 exactly. A result goes back into the input's dtype only
where that is exact, which :func:`check_dtype_holds` makes sure of before anything
is written.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

# Arrays at least this long go to the parallel kernels (when numba has several threads).
PARALLEL_MIN = 1 << 18


@dataclass(frozen=True)
class Container:
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


F32 = Container(np.dtype(np.float32), np.dtype(np.uint32), 23, 127, 31)
F64 = Container(np.dtype(np.float64), np.dtype(np.uint64), 52, 1023, 63)
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


def fits(fmt, dtype: np.dtype | str) -> tuple[bool, bool]:
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


def check_dtype_holds(fmt, dtype: np.dtype | str) -> None:
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
    """``x`` as a float ndarray in native byte order, and how to give the result back:
    'array', 'pyfloat' or 'npscalar'. Rejects ints, bools, complex and object data with
    a clear error."""
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
    if not arr.dtype.isnative:
        # kernels read native bits; results come back native, as numpy ufuncs return
        arr = arr.astype(arr.dtype.newbyteorder("="))
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


def container_view(arr: np.ndarray) -> tuple[np.ndarray, Container]:
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


def use_parallel(n: int) -> bool:
    """Whether an array of ``n`` elements is worth the parallel kernel."""
    if n < PARALLEL_MIN:
        return False
    import numba

    return numba.get_num_threads() > 1
