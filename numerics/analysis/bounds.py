"""Rounding-error bounds: ``gamma_n``, the probabilistic bound of Higham & Mary (2019),
and the bounds of summation (recursive, pairwise, blocked), inner products and the
FFT (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ..formats.format import Format
from ..formats.registry import as_format

__all__ = [
    "fft_bound",
    "gamma",
    "gamma_prob",
    "prob_bound_confidence",
    "summation_bound",
    "unit_roundoff",
]


def unit_roundoff(fmt: Format | str) -> float:
    """The unit roundoff ``u = 2**-p`` of a format of precision ``p`` (round to nearest).

    Examples
    --------
    >>> unit_roundoff("bfloat16")
    0.00390625
    """
    return as_format(fmt).unit_roundoff


def _u(u: float | Format | str) -> float:
    if isinstance(u, (Format, str)):
        return unit_roundoff(u)
    u = float(u)
    if not 0 < u < 1:
        raise ValueError(f"u must lie in (0, 1), got {u}")
    return u


def gamma(n: int, u: float | Format | str) -> float:
    """``gamma_n = n u / (1 - n u)``: the deterministic bound on ``|prod (1 + d_i) - 1|``
    for ``n`` roundings (Higham, Lemma 3.1). Raises when ``n u >= 1``.

    Examples
    --------
    >>> gamma(10, 2.0**-11)
    0.004906771344455349
    """
    u = _u(u)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n * u >= 1:
        raise ValueError(f"gamma_n needs n u < 1; n={n}, u={u} give {n * u}")
    return n * u / (1 - n * u)


def gamma_prob(n: int, u: float | Format | str, lam: float = 1.0) -> float:
    """The probabilistic ``gamma~_n(lam) = exp(lam sqrt(n) u + n u^2 / (1 - u)) - 1``
    (Higham & Mary 2019, Theorem 2.4): for independent mean-zero rounding errors it
    bounds ``|prod (1 + d_i) - 1|`` with probability at least
    :func:`prob_bound_confidence`; close to ``lam sqrt(n) u``.

    Examples
    --------
    >>> round(gamma_prob(10**4, 2.0**-11, lam=2), 5)
    0.10522
    """
    u = _u(u)
    return math.expm1(lam * math.sqrt(n) * u + n * u * u / (1 - u))


def prob_bound_confidence(n: int, u: float | Format | str, lam: float = 1.0) -> float:
    """The probability with which :func:`gamma_prob` holds:
    ``1 - 2 n exp(-lam^2 (1 - u)^2 / 2)`` (may be negative: then it says nothing).

    Examples
    --------
    >>> round(prob_bound_confidence(100, 2.0**-11, lam=5), 4)
    0.9992
    """
    u = _u(u)
    return 1 - 2 * n * math.exp(-(lam**2) * (1 - u) ** 2 / 2)


def summation_bound(
    x: ArrayLike,
    u: float | Format | str,
    order: str = "recursive",
    *,
    block: int = 32,
    outer_u: float | Format | str | None = None,
    prob: bool = False,
    lam: float = 1.0,
) -> float:
    """A bound on ``|computed sum - exact sum|`` for the terms ``x``: ``g * sum |x_i|``
    with ``g`` the gamma of the most roundings any term goes through: ``n - 1``
    (recursive), ``ceil(log2 n)`` (pairwise), ``block - 1`` in ``u`` plus
    ``ceil(n / block) - 1`` in ``outer_u`` (blocked). ``prob=True`` uses
    :func:`gamma_prob` instead (rounding to nearest with independent errors, or
    stochastic rounding).

    Examples
    --------
    >>> summation_bound([1.0] * 1024, "float16", "pairwise")
    5.024533856722277
    """
    a = np.abs(np.asarray(x, dtype=np.float64))
    n = a.size
    s = float(a.sum())
    g = gamma_prob if prob else gamma
    kw = {"lam": lam} if prob else {}
    if n <= 1:
        return 0.0
    if order == "recursive":
        return g(n - 1, u, **kw) * s
    if order == "pairwise":
        return g(math.ceil(math.log2(n)), u, **kw) * s
    if order == "blocked":
        inner = min(block, n) - 1
        outer = math.ceil(n / block) - 1
        uo = _u(u if outer_u is None else outer_u)
        # (1 + g_inner)(1 + g_outer) - 1
        gi, go = g(inner, u, **kw), (g(outer, uo, **kw) if outer else 0.0)
        return (gi + go + gi * go) * s
    raise ValueError(f"order must be recursive, pairwise or blocked; got {order!r}")


def fft_bound(n: int, u: float | Format | str, mu: float = 0.0) -> float:
    """Higham's bound (ASNA, Theorem 24.2) on the normwise relative error of a radix-2
    FFT of length ``n`` computed in precision ``u`` with twiddle factors of relative
    error at most ``mu``: ``log2(n) eta / (1 - log2(n) eta)`` with
    ``eta = mu + gamma_4 (sqrt(2) + mu)``.

    Examples
    --------
    >>> round(fft_bound(1024, 2.0**-24, mu=2.0**-24), 10)
    3.9678e-06
    """
    if n < 2 or n & (n - 1):
        raise ValueError(f"n must be a power of two >= 2, got {n}")
    t = math.log2(n)
    eta = mu + gamma(4, u) * (math.sqrt(2) + mu)
    if t * eta >= 1:
        raise ValueError(f"the bound needs log2(n) eta < 1; got {t * eta}")
    return t * eta / (1 - t * eta)
