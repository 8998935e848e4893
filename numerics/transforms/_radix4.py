"""numba kernels: two radix-2 rdFFT stages in one pass over the data (radix 2^2).

The pass of half-length ``h`` runs the stage of length ``2h`` on the two halves of
every block of ``4h`` and then the stage of length ``4h`` on the block, in registers:
butterfly ``k`` of the first stage (``0 < k < h/2``, slots ``i+k, i+h-k, i+h+k,
i+2h-k`` and the same ``2h`` further on) produces exactly the eight slots that
butterflies ``k`` and ``h-k`` of the second stage read. So the data is read and
written once for two stages, and every slot is still written (no stale values).

Each element sees the same operations, in the same order and with the same twiddles
(``C``/``S`` of :mod:`._native`, read for both ``k`` and ``h-k``) as in two radix-2
stages, so the results are bitwise those of the radix-2 kernels and of the emulated
engine in float64 (numba does not contract products and sums into FMAs without
fastmath).

Why the loops vectorise: all indices are unsigned (numba cannot prove an index from
``range(lo, hi)`` non-negative, and its negative-index wraparound blocks the
vectorisation); the eight slot streams of a block are disjoint ranges (four walk
forward, four backward, which the vectoriser reverses with a permute), and the
twiddles are contiguous.
"""

from __future__ import annotations

import numpy as np

from .._core.jit import njit

_ONE = np.uint64(1)


@njit(cache=True)
def fwd_pass(x, lo, hi, h, C, S, g):
    """Forward stages of lengths ``2h`` and ``4h`` on every block of ``4h`` of
    ``x[lo:hi]``; every output is multiplied by ``g`` after each stage (1, or 1/2 to
    halve every stage)."""
    h = np.uint64(h)
    q = h >> _ONE
    h2 = h << _ONE
    h4 = h2 << _ONE
    for i in range(np.uint64(lo), np.uint64(hi), h4):
        j = i + h2
        # k = 0 of both stages, and k = h/2 of the first (k = h/2 of the second below)
        a = x[i]
        b = x[i + h]
        c = x[j]
        d = x[j + h]
        a1 = (a + b) * g
        b1 = (a - b) * g
        c1 = (c + d) * g
        d1 = (c - d) * g
        x[i] = (a1 + c1) * g
        x[j] = (a1 - c1) * g
        x[i + h] = b1 * g
        x[j + h] = -d1 * g
        if q:
            # first stage, k = h/2: Re kept, Im negated; then the second stage's
            # butterfly k = h/2 (its own mirror) on those four slots
            er = x[i + q] * g
            ei = -x[i + h + q] * g
            o_r = x[j + q] * g
            o_i = -x[j + h + q] * g
            cc = C[h + q]
            ss = S[h + q]
            t1 = cc * o_r + ss * o_i
            t2 = cc * o_i - ss * o_r
            x[i + q] = (er + t1) * g
            x[i + h + q] = (er - t1) * g
            x[j + q] = (t2 - ei) * g
            x[j + h + q] = (ei + t2) * g
        for k in range(_ONE, q):
            c1 = C[q + k]
            s1 = S[q + k]
            # first stage on the two halves
            er = x[i + k]
            ei = x[i + h - k]
            o_r = x[i + h + k]
            o_i = x[i + h2 - k]
            t1 = c1 * o_r + s1 * o_i
            t2 = c1 * o_i - s1 * o_r
            ar = (er + t1) * g  # Re A_k
            br = (er - t1) * g  # Re A_{h-k}
            bi = (t2 - ei) * g  # Im A_{h-k}
            ai = (ei + t2) * g  # Im A_k
            er = x[j + k]
            ei = x[j + h - k]
            o_r = x[j + h + k]
            o_i = x[j + h2 - k]
            t1 = c1 * o_r + s1 * o_i
            t2 = c1 * o_i - s1 * o_r
            cr = (er + t1) * g  # Re B_k
            dr = (er - t1) * g  # Re B_{h-k}
            di = (t2 - ei) * g  # Im B_{h-k}
            ci = (ei + t2) * g  # Im B_k
            # second stage, butterfly k: (A_k, B_k)
            c2 = C[h + k]
            s2 = S[h + k]
            t1 = c2 * cr + s2 * ci
            t2 = c2 * ci - s2 * cr
            x[i + k] = (ar + t1) * g
            x[i + h2 - k] = (ar - t1) * g
            x[j + k] = (t2 - ai) * g
            x[j + h2 - k] = (ai + t2) * g
            # second stage, butterfly h-k: (A_{h-k}, B_{h-k})
            c3 = C[h2 - k]
            s3 = S[h2 - k]
            t1 = c3 * dr + s3 * di
            t2 = c3 * di - s3 * dr
            x[i + h - k] = (br + t1) * g
            x[i + h + k] = (br - t1) * g
            x[j + h - k] = (t2 - bi) * g
            x[j + h + k] = (bi + t2) * g


@njit(cache=True)
def inv_pass(x, lo, hi, h, C, S):
    """The exact inverse of :func:`fwd_pass` (unscaled): the inverse stage of length
    ``4h``, then that of length ``2h``, each halving, on every block of ``4h``."""
    h = np.uint64(h)
    q = h >> _ONE
    h2 = h << _ONE
    h4 = h2 << _ONE
    g = x.dtype.type(0.5)
    for i in range(np.uint64(lo), np.uint64(hi), h4):
        j = i + h2
        # second stage, k = 0 and k = h
        a = x[i]
        c = x[j]
        a1 = (a + c) * g
        c1 = (a - c) * g
        b1 = x[i + h]
        d1 = -x[j + h]
        # first stage, k = 0 on both halves
        x[i] = (a1 + b1) * g
        x[i + h] = (a1 - b1) * g
        x[j] = (c1 + d1) * g
        x[j + h] = (c1 - d1) * g
        if q:
            cc = C[h + q]
            ss = S[h + q]
            A = x[i + q]
            B = x[i + h + q]
            D = x[j + q]
            E = x[j + h + q]
            er = (A + B) * g
            t1 = (A - B) * g
            t2 = (E + D) * g
            ei = (E - D) * g
            # then the first stage's k = h/2: Im negated back
            x[i + q] = er
            x[i + h + q] = -ei
            x[j + q] = cc * t1 - ss * t2
            x[j + h + q] = -(ss * t1 + cc * t2)
        for k in range(_ONE, q):
            # second stage, butterfly k
            c2 = C[h + k]
            s2 = S[h + k]
            A = x[i + k]
            B = x[i + h2 - k]
            D = x[j + k]
            E = x[j + h2 - k]
            ar = (A + B) * g
            t1 = (A - B) * g
            t2 = (E + D) * g
            ai = (E - D) * g
            cr = c2 * t1 - s2 * t2
            ci = s2 * t1 + c2 * t2
            # second stage, butterfly h-k
            c3 = C[h2 - k]
            s3 = S[h2 - k]
            A = x[i + h - k]
            B = x[i + h + k]
            D = x[j + h - k]
            E = x[j + h + k]
            br = (A + B) * g
            t1 = (A - B) * g
            t2 = (E + D) * g
            bi = (E - D) * g
            dr = c3 * t1 - s3 * t2
            di = s3 * t1 + c3 * t2
            # first stage on the two halves
            c1 = C[q + k]
            s1 = S[q + k]
            er = (ar + br) * g
            t1 = (ar - br) * g
            t2 = (ai + bi) * g
            ei = (ai - bi) * g
            x[i + k] = er
            x[i + h - k] = ei
            x[i + h + k] = c1 * t1 - s1 * t2
            x[i + h2 - k] = s1 * t1 + c1 * t2
            er = (cr + dr) * g
            t1 = (cr - dr) * g
            t2 = (ci + di) * g
            ei = (ci - di) * g
            x[j + k] = er
            x[j + h - k] = ei
            x[j + h + k] = c1 * t1 - s1 * t2
            x[j + h2 - k] = s1 * t1 + c1 * t2
