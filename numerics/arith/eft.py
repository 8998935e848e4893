"""Error-free transformations over arrays: ``two_sum``, ``fast_two_sum``, ``two_prod``.

Each returns the rounded result and its exact error, ``s + e == a + b`` (or
``p + e == a * b``) exactly in real arithmetic, elementwise, in float64.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._core import eft as scalar_eft
from .._core.jit import njit

__all__ = ["fast_two_sum", "two_prod", "two_sum"]


def _operands(*xs: ArrayLike) -> tuple[list[np.ndarray], tuple[int, ...], bool]:
    arrs = []
    for i, x in enumerate(xs):
        a = np.asarray(x)
        if a.dtype.kind not in "fiu" or a.dtype == bool:
            raise TypeError(f"operand {i} must be real numbers, got {a.dtype.name}")
        arrs.append(a)
    scalar = all(a.ndim == 0 for a in arrs)
    b = np.broadcast_arrays(*[a.astype(np.float64) for a in arrs])
    return [np.ascontiguousarray(t).reshape(-1) for t in b], b[0].shape, scalar


def _give(outs: tuple[np.ndarray, ...], shape: tuple[int, ...], scalar: bool):
    if scalar:
        return tuple(float(o[0]) for o in outs)
    return tuple(o.reshape(shape) for o in outs)


@njit(cache=True)
def _two_sum_arrays(a, b, s, e):
    for i in range(a.size):
        s[i], e[i] = scalar_eft.two_sum(a[i], b[i])


@njit(cache=True)
def _fast_two_sum_arrays(a, b, s, e):
    for i in range(a.size):
        s[i], e[i] = scalar_eft.fast_two_sum(a[i], b[i])


@njit(cache=True)
def _two_prod_arrays(a, b, p, e, use_fma):
    for i in range(a.size):
        if use_fma:
            p[i], e[i] = scalar_eft.two_prod_fma(a[i], b[i])
        else:
            p[i], e[i] = scalar_eft.two_prod_dekker(a[i], b[i])


def two_sum(a: ArrayLike, b: ArrayLike) -> tuple:
    """``s = fl(a + b)`` and the exact error ``e = (a + b) - s``, elementwise (Knuth's
    TwoSum; any operands that do not overflow).

    Examples
    --------
    >>> two_sum(1.0, 2.0**-60)
    (1.0, 8.673617379884035e-19)
    """
    (x, y), shape, scalar = _operands(a, b)
    s, e = np.empty_like(x), np.empty_like(x)
    _two_sum_arrays(x, y, s, e)
    return _give((s, e), shape, scalar)


def fast_two_sum(a: ArrayLike, b: ArrayLike) -> tuple:
    """As :func:`two_sum` in 3 operations instead of 6, for ``|a| >= |b|`` elementwise
    (Dekker's FastTwoSum; raises where that does not hold).

    Examples
    --------
    >>> fast_two_sum(1.0, 2.0**-60)
    (1.0, 8.673617379884035e-19)
    """
    (x, y), shape, scalar = _operands(a, b)
    bad = ~((np.abs(x) >= np.abs(y)) | (x == 0) | ~np.isfinite(x) | ~np.isfinite(y))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"fast_two_sum needs |a| >= |b|; at flat index {i}: a={x[i]!r}, b={y[i]!r}"
        )
    s, e = np.empty_like(x), np.empty_like(x)
    _fast_two_sum_arrays(x, y, s, e)
    return _give((s, e), shape, scalar)


def two_prod(a: ArrayLike, b: ArrayLike, *, method: str = "fma") -> tuple:
    """``p = fl(a * b)`` and the exact error ``e = a * b - p``, elementwise.

    ``method="fma"`` uses one fused multiply-add; ``"dekker"`` uses Veltkamp splitting
    and 17 operations, for machines without FMA (operands below ``2**995``). Both are
    exact unless the product overflows or its error underflows.

    Examples
    --------
    >>> two_prod(1.0 + 2.0**-30, 1.0 + 2.0**-30)
    (1.0000000018626451, 8.673617379884035e-19)
    """
    if method not in ("fma", "dekker"):
        raise ValueError(f"method must be 'fma' or 'dekker', got {method!r}")
    (x, y), shape, scalar = _operands(a, b)
    p, e = np.empty_like(x), np.empty_like(x)
    _two_prod_arrays(x, y, p, e, method == "fma")
    return _give((p, e), shape, scalar)
