"""Interop with ml_dtypes: our codes viewed as ml_dtypes arrays, and back."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .codes import decode, encode
from .format import Format
from .registry import as_format, get_format
from .rounding import Rounding

__all__ = ["ML_DTYPES_NAMES", "as_ml_dtypes", "from_ml_dtypes"]

#: Our named formats that ml_dtypes has, with the same bit layout.
ML_DTYPES_NAMES = (
    "bfloat16",
    "float8_e4m3fn",
    "float8_e4m3",
    "float8_e5m2",
    "float8_e4m3fnuz",
    "float8_e5m2fnuz",
    "float8_e3m4",
    "float6_e2m3fn",
    "float6_e3m2fn",
    "float4_e2m1fn",
    "float8_e8m0fnu",
)


def _ml_dtype(fmt: Format) -> np.dtype:
    try:
        import ml_dtypes
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("as_ml_dtypes needs ml_dtypes: pip install ml_dtypes") from e
    for name in ML_DTYPES_NAMES:
        if get_format(name) == fmt:
            return np.dtype(getattr(ml_dtypes, name))
    raise ValueError(f"ml_dtypes has no dtype for {fmt}; it has {', '.join(ML_DTYPES_NAMES)}")


def as_ml_dtypes(
    x: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    **kwargs: object,
) -> np.ndarray:
    """Round ``x`` into ``fmt`` with our exact kernels and return an ml_dtypes array.

    The codes are ours (every rounding mode, saturation and stochastic rounding, which
    ml_dtypes' own casts lack); the array is theirs.
    Keyword arguments are those of :func:`numerics.encode`.

    Examples
    --------
    >>> a = as_ml_dtypes([1.0625 + 2**-30], "float8_e4m3fn")
    >>> a.dtype.name, float(a[0])
    ('float8_e4m3fn', 1.125)
    """
    fmt = as_format(fmt)
    dt = _ml_dtype(fmt)
    codes = np.asarray(encode(x, fmt, rounding, **kwargs))
    return codes.view(dt)


def from_ml_dtypes(a: np.ndarray, dtype: DTypeLike = np.float32) -> np.ndarray:
    """Decode an ml_dtypes array (of a format listed in ``ML_DTYPES_NAMES``) to ``dtype``.

    Examples
    --------
    >>> import ml_dtypes, numpy as np
    >>> from_ml_dtypes(np.array([0.5], dtype=ml_dtypes.float4_e2m1fn))
    array([0.5], dtype=float32)
    """
    a = np.asarray(a)
    fmt = get_format(a.dtype.name)
    if a.dtype.itemsize == 1:
        codes = a.view(np.uint8)
    else:
        codes = a.view(np.uint16)
    return decode(codes, fmt, dtype=dtype)
