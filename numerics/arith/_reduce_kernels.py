"""numba kernels of emulated reductions: every addition (and product) rounded once
into its format, in a chosen order."""

from __future__ import annotations

import numpy as np

from .._core.cast_kernels import cast_range
from .._core.eft import fma, two_prod_fma, two_sum
from .._core.jit import njit, prange
from .._core.params import P_MODE, RSR
from .._core.random_words import random64, word_if
from .._core.rounding import rne_magnitude, round_sum, to_odd

RECURSIVE, PAIRWISE, BLOCKED = range(3)


@njit(cache=True, inline="always")
def _mul(a, b, P, key, idx):
    """``a * b`` rounded once into the format of ``P``."""
    p, e = two_prod_fma(a, b)
    R = word_if(P[P_MODE] >= RSR, key, idx)
    return round_sum(p, e, R, P)


@njit(cache=True, inline="always")
def _add(a, b, P, key, idx):
    """``a + b`` rounded once into the format of ``P``."""
    s, e = two_sum(a, b)
    R = word_if(P[P_MODE] >= RSR, key, idx)
    return round_sum(s, e, R, P)


@njit(cache=True)
def _chain(t, lo, hi, P, key, idx, comp):
    """Recursive sum of ``t[lo:hi]`` from 0 in the format of ``P`` (Kahan-compensated
    if ``comp``); random indices from ``idx`` up, four per term."""
    s = 0.0
    c = 0.0
    for i in range(lo, hi):
        j = idx + 4 * (i - lo)
        if comp:
            y = _add(t[i], -c, P, key, j)
            tt = _add(s, y, P, key, j + 1)
            c = _add(_add(tt, -s, P, key, j + 2), -y, P, key, j + 3)
            s = tt
        else:
            s = _add(s, t[i], P, key, j)
    return s


@njit(cache=True)
def reduce_terms(t, n, order, block, P, PO, key, idx, comp):
    """Sum of ``t[:n]`` (overwritten) in the order asked: recursive; pairwise (adjacent
    pairs, level by level, an odd last term carried up); blocked (recursive sums of
    ``block`` terms in ``P``, then a recursive sum of the partial sums in ``PO``)."""
    if n == 0:
        return 0.0
    if order == RECURSIVE:
        return _chain(t, 0, n, P, key, idx, comp)
    if order == PAIRWISE:
        if n == 1:
            return _add(0.0, t[0], P, key, idx)
        w = 1
        step = 0
        while w < n:
            for i in range(0, n - w, 2 * w):
                t[i] = _add(t[i], t[i + w], P, key, idx + step)
                step += 1
            w *= 2
        return t[0]
    nb = (n + block - 1) // block
    base = idx + 4 * n
    for b in range(nb):
        t[b] = _chain(t, b * block, min(n, (b + 1) * block), P, key, idx + 4 * b * block, comp)
    return _chain(t, 0, nb, PO, key, base, False) if nb > 1 else _add(0.0, t[0], PO, key, base)


@njit(cache=True, parallel=True)
def sum_rows(x, out, order, block, P, PO, key, comp):
    """Each row of ``x`` summed into ``out``."""
    rows, n = x.shape
    for r in prange(rows):
        t = x[r].copy()
        out[r] = reduce_terms(t, n, order, block, P, PO, key, np.int64(r) * 8 * (n + 1), comp)


@njit(cache=True, parallel=True)
def matmul_kernel(A, B, C, order, block, PP, use_pp, P, PO, key, comp):
    """``C = A @ B`` with each product rounded into ``PP`` (if ``use_pp``; exact
    otherwise) and each accumulation into ``P`` (and ``PO`` for blocked sums)."""
    m, k = A.shape
    n = B.shape[1]
    Bt = np.ascontiguousarray(B.T)
    for i in prange(m):
        t = np.empty(k)
        for j in range(n):
            idx = (np.int64(i) * n + j) * 9 * (k + 1)
            for q in range(k):
                if use_pp:
                    t[q] = _mul(A[i, q], Bt[j, q], PP, key, idx + q)
                else:  # exact for inputs of up to 26 bits of precision
                    t[q] = A[i, q] * Bt[j, q]
            C[i, j] = reduce_terms(t, k, order, block, P, PO, key, idx + k, comp)


@njit(cache=True, inline="always")
def _round_row(v, e, P, key, event, bits, n):
    """Round the exact values ``v[:n] + e[:n]`` into the format of ``P``, in place: those
    with ``e != 0`` are first rounded to odd (:func:`numerics._core.rounding.to_odd`),
    then all go through the cast kernel's vectorised pass (``bits``: ``v``'s bits).
    Stochastic rounding draws from (``key``, ``event``, ``j``)."""
    for j in range(n):
        if e[j] != 0:
            v[j] = to_odd(v[j], e[j])
    ek = random64(key, event - 1)
    cast_range(bits, bits, v, P, ek, 0, n)


@njit(cache=True, inline="always")
def _rne(v, addexp, msub):
    """``v`` rounded to nearest even (see :func:`numerics._core.rounding.rne_magnitude`)."""
    return np.copysign(rne_magnitude(abs(v), addexp, msub), v)


@njit(cache=True)
def _fused_row(a, B, acc, nacc, flag, PP, use_pp, P, pc, ac, key):
    """One step ``q`` of :func:`matmul_rowwise` for round to nearest even: products,
    sums and both roundings in one pass over the row; the elements whose product or
    sum is inexact in float64, or beyond a format's range, are redone exactly."""
    n = acc.size
    paddexp, pmsub, pmax = np.int64(pc[0]), pc[1], pc[2]
    aaddexp, amsub, amax = np.int64(ac[0]), ac[1], ac[2]
    nslow = 0
    for j in range(n):
        b = B[j]
        p = a * b
        slow = fma(a, b, -p) != 0
        if use_pp:
            slow |= abs(p) > pmax
            p = _rne(p, paddexp, pmsub)
        s, t = two_sum(acc[j], p)
        slow |= (t != 0) | (abs(s) > amax)
        nacc[j] = _rne(s, aaddexp, amsub)
        flag[j] = slow
        nslow += slow
    for j in range(n if nslow else 0):
        if flag[j]:
            if use_pp:
                p = _mul(a, B[j], PP, key, 0)
                pe = 0.0
            else:
                p, pe = two_prod_fma(a, B[j])
            s, t = two_sum(acc[j], p)
            nacc[j] = round_sum(s, t + pe, np.uint64(0), P)


@njit(cache=True, parallel=True)
def matmul_rowwise(A, B, C, block, PP, use_pp, P, PO, key, blocked, fused, pc, ac):
    """``C = A @ B`` for the recursive and blocked orders, a whole row of ``C`` at a
    time: for each ``q``, the products ``A[i, q] * B[q, :]`` (rounded into ``PP``) are
    added into the row's accumulators, which are rounded into ``P``; blocked sums add
    each block's accumulators into outer ones (rounded into ``PO``) every ``block``
    terms. The same roundings, in the same order, as :func:`matmul_kernel`. With
    ``fused`` (round to nearest even into formats with subnormals; ``pc``/``ac``: their
    (addexp, msub, max)), each step is one pass (:func:`_fused_row`)."""
    m, k = A.shape
    n = B.shape[1]
    for i in prange(m):
        acc = np.zeros(n)
        nacc = np.zeros(n)
        flag = np.zeros(n, np.bool_)
        outer = np.zeros(n)
        p = np.empty(n)
        pe = np.zeros(n)
        se = np.zeros(n)
        pbits = p.view(np.uint64)
        abits = acc.view(np.uint64)
        obits = outer.view(np.uint64)
        base = np.int64(i) * (3 * k + 3)
        for q in range(k):
            a = A[i, q]
            if fused:
                _fused_row(a, B[q], acc, nacc, flag, PP, use_pp, P, pc, ac, key)
                acc, nacc = nacc, acc
            else:
                for j in range(n):
                    pj, ej = two_prod_fma(a, B[q, j])
                    p[j] = pj
                    pe[j] = ej
                if use_pp:
                    _round_row(p, pe, PP, key, base + 3 * q, pbits, n)
                    pe[:] = 0.0
                for j in range(n):
                    s, t = two_sum(acc[j], p[j])
                    acc[j] = s
                    se[j] = t + pe[j] if pe[j] != 0 else t
                _round_row(acc, se, P, key, base + 3 * q + 1, abits, n)
            if blocked and ((q + 1) % block == 0 or q == k - 1):
                for j in range(n):
                    s, t = two_sum(outer[j], acc[j])
                    outer[j] = s
                    se[j] = t
                    acc[j] = 0.0
                _round_row(outer, se, PO, key, base + 3 * q + 2, obits, n)
        for j in range(n):
            C[i, j] = outer[j] if blocked else acc[j]
