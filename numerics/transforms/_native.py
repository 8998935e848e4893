"""numba kernels: the transforms in the array's own dtype (float32 or float64), in place.

The rdFFT is Sorensen's radix-2 decimation in time for real data: after a
bit-reversal, the stage of length ``L = 2h`` combines the halfcomplex transforms of
length ``h`` held in ``x[i:i+h]`` (even samples) and ``x[i+h:i+2h]`` (odd samples)
into one of length ``L``, reading and writing the same four slots
``i+k, i+h-k, i+h+k, i+2h-k`` for each ``0 < k < h/2``. Every output slot is written
at every stage, so no stale value survives (the published rdFFT kernels skip the
store when a butterfly output is exactly zero).

Twiddles of the stage of length ``L`` lie contiguously (so the butterfly loop
vectorises): ``C[L/4 + k] = cos(2 pi k / L)``, ``S[L/4 + k] = sin(2 pi k / L)`` for
``k < L/4``; the same kernels run with a format's rounded twiddles to propagate local
errors in the error tracking.
"""

from __future__ import annotations

import numpy as np

from .._core.jit import njit, prange
from . import _hadamard_kernels, _steps

# Stages up to this length run block by block, so each block stays in cache.
_BLOCK = 4096


@njit(cache=True)
def fwd_stage(x, lo, hi, L, C, S, half):
    """Forward butterflies of length ``L`` on ``x[lo:hi]``."""
    h = L >> 1
    q = h >> 1
    g = x.dtype.type(0.5 if half else 1.0)
    for i in range(lo, hi, L):
        a = x[i]
        b = x[i + h]
        x[i] = (a + b) * g
        x[i + h] = (a - b) * g
        if q:
            x[i + q] = x[i + q] * g
            x[i + h + q] = -x[i + h + q] * g
        for k in range(1, q):
            c = C[q + k]
            s = S[q + k]
            i1, i2, i3, i4 = _steps.slots(i, h, k)
            er = x[i1]
            ei = x[i2]
            o_r = x[i3]
            o_i = x[i4]
            t1 = c * o_r + s * o_i
            t2 = c * o_i - s * o_r
            x[i1] = (er + t1) * g
            x[i2] = (er - t1) * g
            x[i3] = (t2 - ei) * g
            x[i4] = (ei + t2) * g


@njit(cache=True)
def fwd_first(x, lo, hi, half):
    """The stages of lengths 2 and 4 together, on ``x[lo:hi]``."""
    g = x.dtype.type(0.5 if half else 1.0)
    for i in range(lo, hi, 4):
        a = (x[i] + x[i + 1]) * g
        b = (x[i] - x[i + 1]) * g
        c = (x[i + 2] + x[i + 3]) * g
        d = (x[i + 2] - x[i + 3]) * g
        x[i] = (a + c) * g
        x[i + 1] = b * g
        x[i + 2] = (a - c) * g
        x[i + 3] = -d * g


@njit(cache=True)
def inv_last(x, lo, hi):
    """The inverse stages of lengths 4 and 2 together, on ``x[lo:hi]``."""
    g = x.dtype.type(0.5)
    for i in range(lo, hi, 4):
        a = (x[i] + x[i + 2]) * g
        c = (x[i] - x[i + 2]) * g
        b = x[i + 1]
        d = -x[i + 3]
        x[i] = (a + b) * g
        x[i + 1] = (a - b) * g
        x[i + 2] = (c + d) * g
        x[i + 3] = (c - d) * g


@njit(cache=True)
def inv_stage(x, lo, hi, L, C, S):
    """The exact inverse of :func:`fwd_stage` (unscaled) on ``x[lo:hi]``."""
    h = L >> 1
    q = h >> 1
    g = x.dtype.type(0.5)
    for i in range(lo, hi, L):
        a = x[i]
        b = x[i + h]
        x[i] = (a + b) * g
        x[i + h] = (a - b) * g
        if q:
            x[i + h + q] = -x[i + h + q]
        for k in range(1, q):
            c = C[q + k]
            s = S[q + k]
            i1, i2, i3, i4 = _steps.slots(i, h, k)
            A = x[i1]
            B = x[i2]
            D = x[i3]
            E = x[i4]
            er = (A + B) * g
            t1 = (A - B) * g
            t2 = (E + D) * g
            ei = (E - D) * g
            x[i1] = er
            x[i2] = ei
            x[i3] = c * t1 - s * t2
            x[i4] = s * t1 + c * t2


@njit(cache=True)
def twist(x, TC, TS):
    """The DCT twist: ``x[k], x[n-k] <- (tc x[k] + ts x[n-k], ts x[k] - tc x[n-k])``,
    with the real slots 0 and n/2 scaled by ``TC[0]`` and ``TC[n/2]``."""
    n = x.size
    h = n >> 1
    x[0] = TC[0] * x[0]
    if h:
        x[h] = TC[h] * x[h]
    for k in range(1, h):
        a = x[k]
        b = x[n - k]
        x[k] = TC[k] * a + TS[k] * b
        x[n - k] = TS[k] * a - TC[k] * b


@njit(cache=True)
def wht_stage(x, h, half):
    """Walsh-Hadamard butterflies ``(a + b, a - b)`` at distance ``h``."""
    g = x.dtype.type(0.5 if half else 1.0)
    n = x.size
    for i in range(0, n, 2 * h):
        for j in range(i, i + h):
            a = x[j]
            b = x[j + h]
            x[j] = (a + b) * g
            x[j + h] = (a - b) * g


@njit(cache=True)
def run_row(x, plan, C, S, TC, TS, consts, R, inv, wht):
    """Run every step of ``plan`` on one row. ``TC``, ``inv`` and ``wht`` are None when
    the plan has no twist, inverse or Walsh-Hadamard steps: numba then prunes those
    branches, so a first rdfft does not compile their kernels."""
    n = x.size
    # a literal 0 would compile the stage kernels a second time, for Literal[int](0)
    whole = np.int64(0)
    for j in range(plan.shape[0]):
        kind = plan[j, 0]
        a = plan[j, 1]
        b = plan[j, 2]
        flag = plan[j, 3]
        if _steps.permute(x, kind, R):
            continue
        blk = min(n, _BLOCK)
        if kind == _steps.FWD:
            top = min(b, blk)
            if a <= top:
                for lo in range(0, n, blk):
                    L = a
                    if L == 2 and top >= 4:
                        fwd_first(x, lo, lo + blk, flag)
                        L = 8
                    while L <= top:
                        fwd_stage(x, lo, lo + blk, L, C, S, flag)
                        L *= 2
            L = max(a, 2 * top)
            while L <= b:
                fwd_stage(x, whole, n, L, C, S, flag)
                L *= 2
        elif kind == _steps.INV:
            if inv is None:
                continue
            L = b
            while L > blk and L >= a:
                inv_stage(x, whole, n, L, C, S)
                L //= 2
            if L >= a:
                for lo in range(0, n, blk):
                    m = L
                    while m >= a:
                        if m == 4 and a == 2:
                            inv_last(x, lo, lo + blk)
                            break
                        inv_stage(x, lo, lo + blk, m, C, S)
                        m //= 2
        elif kind == _steps.TWIST:
            if TC is not None:
                twist(x, TC, TS)
        elif kind == _steps.WHT:
            if wht is None:
                continue
            h = a
            while h <= b:
                wht_stage(x, h, flag)
                h *= 2
        elif kind == _steps.DENSE:
            if wht is not None:  # a Walsh-Hadamard plan (see _engine.native_args)
                _hadamard_kernels.dense_native(x, consts, a, b, flag)
        elif kind == _steps.SCALE:
            g = x.dtype.type(consts[a])
            for i in range(n):
                x[i] = x[i] * g


@njit(cache=True, parallel=True)
def run_rows(X, plan, C, S, TC, TS, consts, R, inv, wht):
    """:func:`run_row` on every row of the 2-d array ``X``, rows in parallel."""
    for r in prange(X.shape[0]):
        run_row(X[r], plan, C, S, TC, TS, consts, R, inv, wht)


@njit(cache=True)
def run_rows_serial(X, plan, C, S, TC, TS, consts, R, inv, wht):
    """As :func:`run_rows`, on one thread (small batches)."""
    for r in range(X.shape[0]):
        run_row(X[r], plan, C, S, TC, TS, consts, R, inv, wht)
