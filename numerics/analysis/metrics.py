"""Error metrics of a computed result against a reference."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..formats.format import Format
from ..formats.registry import as_format

__all__ = [
    "abs_error",
    "bias",
    "componentwise_error",
    "errors_in_u",
    "normwise_error",
    "rel_error",
    "sqnr",
    "ulp_error",
]


def _pair(x: ArrayLike, ref: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a, r = np.asarray(x), np.asarray(ref)
    for name, v in (("x", a), ("ref", r)):
        if v.dtype.kind not in "fiuc" or v.dtype == bool:
            raise TypeError(f"{name} must be numbers, got {v.dtype.name}")
    try:
        a, r = np.broadcast_arrays(a, r)
    except ValueError:
        raise ValueError(f"x of shape {a.shape} and ref of shape {r.shape} do not match") from None
    dt = np.complex128 if (a.dtype.kind == "c" or r.dtype.kind == "c") else np.float64
    return a.astype(dt), r.astype(dt)


def abs_error(x: ArrayLike, ref: ArrayLike) -> np.ndarray:
    """``|x - ref|`` elementwise.

    Examples
    --------
    >>> abs_error([1.0, 2.5], [1.0, 2.0]).tolist()
    [0.0, 0.5]
    """
    a, r = _pair(x, ref)
    return np.abs(a - r)


def rel_error(x: ArrayLike, ref: ArrayLike) -> np.ndarray:
    """``|x - ref| / |ref|`` elementwise (0 where both are 0, Inf where only ``ref`` is).

    Examples
    --------
    >>> rel_error([1.0, 2.5, 0.0], [1.0, 2.0, 0.0]).tolist()
    [0.0, 0.25, 0.0]
    """
    a, r = _pair(x, ref)
    d = np.abs(a - r)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d == 0, 0.0, d / np.abs(r))


def normwise_error(x: ArrayLike, ref: ArrayLike, ord: float | str | None = 2) -> float:
    """``||x - ref|| / ||ref||`` over the flattened arrays (``ord`` as numpy.linalg.norm).

    Examples
    --------
    >>> normwise_error([3.0, 4.5], [3.0, 4.0])
    0.1
    """
    a, r = _pair(x, ref)
    num = np.linalg.norm((a - r).ravel(), ord)
    den = np.linalg.norm(r.ravel(), ord)
    if den == 0:
        return 0.0 if num == 0 else float("inf")
    return float(num / den)


def componentwise_error(x: ArrayLike, ref: ArrayLike) -> float:
    """The largest relative error, ``max |x - ref| / |ref|``.

    Examples
    --------
    >>> componentwise_error([1.0, 2.5], [1.0, 2.0])
    0.25
    """
    e = rel_error(x, ref)
    return float(e.max()) if e.size else 0.0


def ulp_error(x: ArrayLike, ref: ArrayLike, fmt: Format | str) -> np.ndarray:
    """``|x - ref|`` in units of the last place of ``fmt`` at ``ref`` (the spacing of
    the format's values around ``ref``; subnormal spacing below the smallest normal).

    Examples
    --------
    >>> ulp_error([1.125, 0.5], [1.0, 0.5], "float8_e4m3fn").tolist()
    [1.0, 0.0]
    """
    f = as_format(fmt)
    a, r = _pair(x, ref)
    ar = np.abs(r)
    e = np.where(ar > 0, np.floor(np.log2(np.where(ar > 0, ar, 1.0))), f.emin)
    ulp = np.ldexp(1.0, (np.maximum(e, f.emin) - f.mbits).astype(np.int64))
    return np.abs(a - r) / ulp


def errors_in_u(err: ArrayLike, fmt: Format | str) -> np.ndarray:
    """Relative errors in units of the unit roundoff ``u`` of ``fmt``.

    Examples
    --------
    >>> errors_in_u([2.0**-5], "float8_e4m3fn").tolist()  # u = 2**-4
    [0.5]
    """
    return np.asarray(err, dtype=np.float64) / as_format(fmt).unit_roundoff


def sqnr(x: ArrayLike, ref: ArrayLike) -> float:
    """Signal-to-quantization-noise ratio in dB, ``10 log10(sum ref^2 / sum (x-ref)^2)``.

    Examples
    --------
    >>> sqnr([1.0, 1.1], [1.0, 1.0])
    23.010299956639805
    """
    a, r = _pair(x, ref)
    noise = float(np.sum(np.abs(a - r) ** 2))
    signal = float(np.sum(np.abs(r) ** 2))
    if noise == 0:
        return float("inf")
    return float(10 * np.log10(signal / noise)) if signal > 0 else float("-inf")


def bias(samples: ArrayLike, ref: ArrayLike, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean error of repeated (stochastic) results along ``axis``, and the standard
    error of that mean: a bias several standard errors from 0 is real.

    Examples
    --------
    >>> m, se = bias([[1.0], [1.5], [1.0], [1.5]], [1.25])
    >>> m.tolist(), se.tolist()
    ([0.0], [0.14433756729740643])
    """
    s = np.asarray(samples, dtype=np.float64)
    d = s - np.asarray(ref, dtype=np.float64)
    n = d.shape[axis]
    se = (
        d.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.full(d.mean(axis=axis).shape, np.inf)
    )
    return d.mean(axis=axis), se
