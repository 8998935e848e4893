"""numba kernels of emulated reductions: every addition (and product) rounded once
into its format, in a chosen order.

Stochastic rounding draws the word of event ``e`` of output entry ``(i, j)`` of a
product with ``k`` terms as ``random64(random64(key, i * EVENTS * (k + 1) + e), j)``:
a pure function of (seed, i, j, e), so an entry does not depend on the matrix's
other rows or columns, on the thread count, or on which kernel computes it. The
events of an entry: product ``q`` is ``q``; the ``c``-th rounding of the reduction
(:func:`reduce_terms`) is ``k + c``, where the recursive and blocked orders give
term ``q``'s addition ``c = 4 q`` (and Kahan's three more ``4 q + 1 .. 4 q + 3``)
and the outer addition of block ``b`` ``c = 4 k + 4 b``. The row-wise kernel draws
the same words: one key per (row, event), then the cast pass's word ``j`` of it.
"""

from __future__ import annotations

import numpy as np

from .._core.cast_kernels import cast_range
from .._core.eft import fma, two_prod_fma, two_sum
from .._core.jit import njit, prange
from .._core.params import P_MODE, RSR
from .._core.random_words import random64
from .._core.rounding import rne_magnitude, round_sum, to_odd

RECURSIVE, PAIRWISE, BLOCKED = range(3)

# Random events per term of an output entry (see the module docstring).
EVENTS = 9


@njit(cache=True)
def event_key(key, i, k, e):
    """The key of event ``e`` of row ``i`` (``k`` terms per entry): word ``j`` of it,
    ``random64(event_key, j)``, is the word of that event in entry ``(i, j)``. None for
    ``key=None`` (the deterministic modes, whose kernels then compile no hashing)."""
    if key is None:
        return None
    return random64(key, np.int64(i) * EVENTS * (k + 1) + e)


@njit(cache=True, inline="always")
def _word(stochastic, ent, e):
    """The random word of event ``e`` of the entry ``ent = (key, i, j, k)``; 0 (no
    hashing paid) unless ``stochastic``."""
    if not stochastic:
        return np.uint64(0)
    key, i, j, k = ent
    return random64(event_key(key, i, k, e), j)


@njit(cache=True, inline="always")
def _mul(a, b, P, ent, e):
    """``a * b`` rounded once into the format of ``P`` (event ``e`` of entry ``ent``)."""
    p, err = two_prod_fma(a, b)
    return round_sum(p, err, _word(P[P_MODE] >= RSR, ent, e), P)


@njit(cache=True, inline="always")
def _add(a, b, P, ent, e):
    """``a + b`` rounded once into the format of ``P`` (event ``e`` of entry ``ent``)."""
    s, err = two_sum(a, b)
    return round_sum(s, err, _word(P[P_MODE] >= RSR, ent, e), P)


@njit(cache=True)
def _chain(t, lo, hi, P, ent, e, comp):
    """Recursive sum of ``t[lo:hi]`` from 0 in the format of ``P`` (Kahan-compensated
    if ``comp``); random events from ``e`` up, four per term."""
    s = 0.0
    c = 0.0
    for i in range(lo, hi):
        j = e + 4 * (i - lo)
        if comp:
            y = _add(t[i], -c, P, ent, j)
            tt = _add(s, y, P, ent, j + 1)
            c = _add(_add(tt, -s, P, ent, j + 2), -y, P, ent, j + 3)
            s = tt
        else:
            s = _add(s, t[i], P, ent, j)
    return s


@njit(cache=True)
def reduce_terms(t, n, order, block, P, PO, ent, e, comp):
    """Sum of ``t[:n]`` (overwritten) in the order asked: recursive; pairwise (adjacent
    pairs, level by level, an odd last term carried up); blocked (recursive sums of
    ``block`` terms in ``P``, then a recursive sum of the partial sums in ``PO``).
    Random events of the entry ``ent`` from ``e`` up."""
    if n == 0:
        return 0.0
    if order == RECURSIVE:
        return _chain(t, 0, n, P, ent, e, comp)
    if order == PAIRWISE:
        if n == 1:
            return _add(0.0, t[0], P, ent, e)
        w = 1
        step = 0
        while w < n:
            for i in range(0, n - w, 2 * w):
                t[i] = _add(t[i], t[i + w], P, ent, e + step)
                step += 1
            w *= 2
        return t[0]
    nb = (n + block - 1) // block
    base = e + 4 * n
    for b in range(nb):
        t[b] = _chain(t, b * block, min(n, (b + 1) * block), P, ent, e + 4 * b * block, comp)
    return _chain(t, 0, nb, PO, ent, base, False) if nb > 1 else _add(0.0, t[0], PO, ent, base)


@njit(cache=True, parallel=True)
def sum_rows(x, out, order, block, P, PO, key, comp):
    """Each row of ``x`` summed into ``out``."""
    rows, n = x.shape
    for r in prange(rows):
        t = x[r].copy()
        # the events follow n product events, as in a matmul with a column of ones:
        # sum(X, axis=1) is matmul(X, ones((n, 1)))[:, 0], stochastic rounding too
        ent = (key, np.int64(r), np.int64(0), np.int64(n))
        out[r] = reduce_terms(t, n, order, block, P, PO, ent, n, comp)


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
            ent = (key, np.int64(i), np.int64(j), np.int64(k))
            for q in range(k):
                if use_pp:
                    t[q] = _mul(A[i, q], Bt[j, q], PP, ent, q)
                else:  # exact for inputs of up to 26 bits of precision
                    t[q] = A[i, q] * Bt[j, q]
            C[i, j] = reduce_terms(t, k, order, block, P, PO, ent, k, comp)


@njit(cache=True, inline="always")
def _round_row(v, e, P, ek, bits, n):
    """Round the exact values ``v[:n] + e[:n]`` into the format of ``P``, in place: those
    with ``e != 0`` are first rounded to odd (:func:`numerics._core.rounding.to_odd`),
    then all go through the cast kernel's vectorised pass (``bits``: ``v``'s bits).
    Stochastic rounding draws word ``j`` of the event key ``ek``."""
    for j in range(n):
        if e[j] != 0:
            v[j] = to_odd(v[j], e[j])
    # lo as an int64, not the literal 0: a literal argument is a signature of its own,
    # so the kernel would compile once more than for the callers passing an int64
    # in place: no output bits (see numerics._core.cast_kernels)
    cast_range(bits, None, v, P, ek, np.int64(0), n)


@njit(cache=True, inline="always")
def _rne(v, addexp, msub):
    """``v`` rounded to nearest even (see :func:`numerics._core.rounding.rne_magnitude`)."""
    return np.copysign(rne_magnitude(abs(v), addexp, msub), v)


@njit(cache=True)
def _fused_row(a, B, acc, nacc, flag, PP, use_pp, P, pc, ac, redo):
    """One step ``q`` of :func:`matmul_rowwise` for round to nearest even: products,
    sums and both roundings in one pass over the row; the elements whose product or
    sum is inexact in float64, or beyond a format's range, are redone exactly if
    ``redo`` is True (None: they are left, and the exact routine is not compiled).
    Returns their number."""
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
    if redo is None:
        return nslow
    for j in range(n if nslow else 0):
        if flag[j]:
            if use_pp:  # _mul's rounding, with nearest even's word 0: no hashing compiled
                p, pe = two_prod_fma(a, B[j])
                p = round_sum(p, pe, np.uint64(0), PP)
                pe = 0.0
            else:
                p, pe = two_prod_fma(a, B[j])
            s, t = two_sum(acc[j], p)
            nacc[j] = round_sum(s, t + pe, np.uint64(0), P)
    return nslow


@njit(cache=True, nogil=True)
def matmul_rowwise(
    A, B, C, block, PP, use_pp, P, PO, key, blocked, fused, general, pc, ac, redo, r0, r1
):
    """Rows ``r0:r1`` of ``C = A @ B`` for the recursive and blocked orders, a whole row
    of ``C`` at a time (rows in threads by :func:`numerics._core.jit.run_rows`, which
    compiles much faster than a parallel loop): for each ``q``, the products
    ``A[i, q] * B[q, :]`` (rounded into ``PP``) are added into the row's accumulators,
    which are rounded into ``P``; blocked sums add each block's accumulators into outer
    ones (rounded into ``PO``) every ``block`` terms. The same roundings, in the same
    order and with the same random words, as :func:`matmul_kernel`. With ``fused`` True
    (round to nearest even into formats with subnormals; ``pc``/``ac``: their (addexp,
    msub, max)), each step is one pass (:func:`_fused_row`); with ``general`` True,
    products, sums and roundings in separate passes (every mode and format). One of the
    two is True, the other None: numba prunes a branch on an argument's being None (not
    on a bool's value), so a call compiles only the path it takes, as it does for
    ``blocked`` (True for blocked sums, else None) and for ``key`` (None for the
    deterministic modes). ``redo`` (fused only): True, or None to stop at the first row
    with an element the fused pass leaves (its exact redo not compiled) and return
    that row's index, for a call with True from it; ``r1`` if none."""
    k = A.shape[1]
    n = B.shape[1]
    for i in range(r0, r1):
        # one allocation (flag as floats too): each np.zeros/np.empty signature is a
        # compile of its own on a first call
        w = np.zeros((7, n))
        acc, nacc, flag, outer, p, pe, se = w[0], w[1], w[2], w[3], w[4], w[5], w[6]
        for q in range(k):
            a = A[i, q]
            if fused is not None:
                nslow = _fused_row(a, B[q], acc, nacc, flag, PP, use_pp, P, pc, ac, redo)
                if redo is None and nslow:
                    return i
                acc, nacc = nacc, acc
            if general is not None:
                for j in range(n):
                    pj, ej = two_prod_fma(a, B[q, j])
                    p[j] = pj
                    pe[j] = ej
                if use_pp:
                    _round_row(p, pe, PP, event_key(key, i, k, q), p.view(np.uint64), n)
                    pe[:] = 0.0
                for j in range(n):
                    s, t = two_sum(acc[j], p[j])
                    acc[j] = s
                    se[j] = t + pe[j] if pe[j] != 0 else t
                _round_row(acc, se, P, event_key(key, i, k, k + 4 * q), acc.view(np.uint64), n)
            if blocked is not None and ((q + 1) % block == 0 or q == k - 1):
                for j in range(n):
                    s, t = two_sum(outer[j], acc[j])
                    outer[j] = s
                    se[j] = t
                    acc[j] = 0.0
                ek = event_key(key, i, k, 5 * k + 4 * (q // block))
                _round_row(outer, se, PO, ek, outer.view(np.uint64), n)
        for j in range(n):
            C[i, j] = outer[j] if blocked is not None else acc[j]
    return r1
