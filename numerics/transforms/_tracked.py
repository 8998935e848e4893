"""numba kernels: the transforms emulated in a format, with exact error tracking.

The same plans as :mod:`._native` run here with one of three arithmetics:

- ``FAST``: each operation in float64, then rounded into the format. Correct for
  round-to-nearest in formats of at most 26 fraction bits: products of two format
  values are exact in float64, and a float64 sum that is inexact is so far below the
  format's half-ulp that it cannot change a nearest rounding.
- ``EXACT``: each operation's exact result as ``hi + lo`` (error-free
  transformations), rounded once into the format; the local error
  ``d = rounded - exact`` is recorded.
- ``DD``: double-double arithmetic (values ``hi + lo``), no format: the reference.

With tracking on, each element's *stage error* is kept: the computed stage output
minus the exact stage map applied to the computed stage input. The local errors of
the operations inside a butterfly enter it with the butterfly's own (linear)
coefficients, so the transform's output error is exactly the sum, over stages, of
the remaining stages applied to each stage error.

Stochastic rounding draws a random word keyed by (seed, row, stage, slot, operation),
so results do not depend on threads.
"""

from __future__ import annotations

import numpy as np

from .._core.eft import fast_two_sum, two_prod_fma, two_sum
from .._core.jit import njit, prange
from .._core.params import P_M, P_MODE, RSR
from .._core.random_words import word_if
from .._core.rounding import rne_magnitude, round_sum, round_value
from . import _steps

FAST, EXACT, DD = range(3)

# Statistics per stage: operations, inexact ones, sum of squared local errors,
# largest relative local error.
N_STATS = 4


@njit(cache=True, inline="always")
def _ld(xl, i, kind):
    return xl[i] if kind == DD else 0.0


@njit(cache=True, inline="always")
def _add(ah, al, bh, bl, kind):
    """``a + b`` as an unevaluated ``(hi, lo)``: exact for EXACT, double-double for DD."""
    if kind == FAST:
        return ah + bh, 0.0
    s, e = two_sum(ah, bh)
    return s, e + (al + bl)


@njit(cache=True, inline="always")
def _mul(ah, al, c, kind):
    """``a * c`` (``c`` a float64) as an unevaluated ``(hi, lo)``."""
    if kind == FAST:
        return ah * c, 0.0
    p, e = two_prod_fma(ah, c)
    return p, e + al * c


@njit(cache=True, inline="always")
def _r(hl, ctx, ev, acc):
    """Round ``hl = (hi, lo)``, the unevaluated ``hi + lo``: returns ``(value, value's
    low part, local error, acc)``, with the operation counted in the statistics
    ``acc`` when tracking. (Scalars and tuples only: arrays bound in inlined helpers
    cost reference counting on every operation.)"""
    hi, lo = hl
    P, key, kind, track, rne = ctx
    if kind == DD:
        if hi - hi != 0:
            return hi, 0.0, 0.0, acc
        s, e = fast_two_sum(hi, lo)
        return s, e, 0.0, acc
    if kind == FAST and rne[0]:
        # nearest even by the magic constant, inline; zero, overflow and NaN go on
        a = abs(hi)
        if a <= rne[3]:
            r = rne_magnitude(a, rne[1], rne[2])
            if 0 < r <= rne[4]:
                return (r if hi > 0 else -r), 0.0, 0.0, acc
    R = word_if(P[P_MODE] >= RSR, key, ev)
    if kind == FAST:
        return round_value(hi, R, P), 0.0, 0.0, acc
    # float64 itself (nearest even only): hi is already the rounded sum
    v = hi if P[P_M] > 50 else round_sum(hi, lo, R, P)
    d = 0.0
    if v - v == 0 and hi - hi == 0:
        s, t = two_sum(v, -hi)
        d = s + (t - lo)
    elif v == v or hi == hi:
        d = np.nan
    if track:
        n0, n1, s2, mx = acc
        n0 += 1.0
        if d != 0:
            n1 += 1.0
            s2 += d * d
            ex = abs(v - d)
            if ex > 0:
                mx = max(mx, abs(d) / ex)
        acc = (n0, n1, s2, mx)
    return v, 0.0, d, acc


@njit(cache=True, inline="always")
def _out(hl, dprev, half, ctx, ev, acc):
    """Round a stage output (then halve it and round again if ``half``); returns the
    value, its low part, its stage error (given the stage error ``dprev`` the
    operands brought in) and ``acc``."""
    v, vl, d, acc = _r(hl, ctx, ev, acc)
    d += dprev
    if half:
        v, vl, d2, acc = _r((v * 0.5, vl * 0.5), ctx, ev + 1, acc)
        d = d * 0.5 + d2
    return v, vl, d, acc


@njit(cache=True, inline="always")
def _flush(st, acc):
    for j in range(N_STATS - 1):
        st[j] += acc[j]
    st[3] = max(st[3], acc[3])


@njit(cache=True, inline="always")
def _put(xh, xl, dl, i, v, vl, d, kind, track):
    xh[i] = v
    if kind == DD:
        xl[i] = vl
    if track:
        dl[i] = d


@njit(cache=True)
def fwd_stage(xh, xl, L, C, S, half, ctx, ev, st, dl):
    """Forward butterflies of length ``L``, every operation rounded."""
    kind, track = ctx[2], ctx[3]
    acc = (0.0, 0.0, 0.0, 0.0)
    n = xh.size
    h = L >> 1
    q = h >> 1
    for i in range(0, n, L):
        ah, al, bh, bl = xh[i], _ld(xl, i, kind), xh[i + h], _ld(xl, i + h, kind)
        s, sl = _add(ah, al, bh, bl, kind)
        t, tl = _add(ah, al, -bh, -bl, kind)
        v, vl, d, acc = _out((s, sl), 0.0, half, ctx, ev + 8 * i, acc)
        w, wl, e, acc = _out((t, tl), 0.0, half, ctx, ev + 8 * (i + h), acc)
        _put(xh, xl, dl, i, v, vl, d, kind, track)
        _put(xh, xl, dl, i + h, w, wl, e, kind, track)
        if q:
            for j, sg in ((i + q, 1.0), (i + h + q, -1.0)):
                v, vl, d = xh[j] * sg, _ld(xl, j, kind) * sg, 0.0
                if half:
                    v, vl, d, acc = _r((v * 0.5, vl * 0.5), ctx, ev + 8 * j, acc)
                _put(xh, xl, dl, j, v, vl, d, kind, track)
        for k in range(1, q):
            c = C[q + k]
            sn = S[q + k]
            i1, i2, i3, i4 = _steps.slots(i, h, k)
            e1 = ev + 8 * i1
            erh, erl = xh[i1], _ld(xl, i1, kind)
            eih, eil = xh[i2], _ld(xl, i2, kind)
            orh, orl = xh[i3], _ld(xl, i3, kind)
            oih, oil = xh[i4], _ld(xl, i4, kind)
            m1, m1l, d1, acc = _r(_mul(orh, orl, c, kind), ctx, e1, acc)
            m2, m2l, d2, acc = _r(_mul(oih, oil, sn, kind), ctx, e1 + 1, acc)
            t1, t1l, d3, acc = _r(_add(m1, m1l, m2, m2l, kind), ctx, e1 + 2, acc)
            m3, m3l, d4, acc = _r(_mul(oih, oil, c, kind), ctx, e1 + 3, acc)
            m4, m4l, d5, acc = _r(_mul(orh, orl, sn, kind), ctx, e1 + 4, acc)
            t2, t2l, d6, acc = _r(_add(m3, m3l, -m4, -m4l, kind), ctx, e1 + 5, acc)
            dt1 = d1 + d2 + d3
            dt2 = d4 - d5 + d6
            a1, a1l = _add(erh, erl, t1, t1l, kind)
            a2, a2l = _add(erh, erl, -t1, -t1l, kind)
            a3, a3l = _add(t2, t2l, -eih, -eil, kind)
            a4, a4l = _add(eih, eil, t2, t2l, kind)
            v1, v1l, g1, acc = _out((a1, a1l), dt1, half, ctx, e1 + 6, acc)
            v2, v2l, g2, acc = _out((a2, a2l), -dt1, half, ctx, ev + 8 * i2 + 6, acc)
            v3, v3l, g3, acc = _out((a3, a3l), dt2, half, ctx, ev + 8 * i3 + 6, acc)
            v4, v4l, g4, acc = _out((a4, a4l), dt2, half, ctx, ev + 8 * i4 + 6, acc)
            _put(xh, xl, dl, i1, v1, v1l, g1, kind, track)
            _put(xh, xl, dl, i2, v2, v2l, g2, kind, track)
            _put(xh, xl, dl, i3, v3, v3l, g3, kind, track)
            _put(xh, xl, dl, i4, v4, v4l, g4, kind, track)
    _flush(st, acc)


@njit(cache=True, inline="always")
def _rot(ah, al, da, bh, bl, db, c, s, sgn, ctx, ev, acc):
    """``c a + sgn s b`` rounded at each operation, with its stage error given the
    operands' stage errors ``da``, ``db``."""
    kind = ctx[2]
    m1, m1l, d1, acc = _r(_mul(ah, al, c, kind), ctx, ev, acc)
    m2, m2l, d2, acc = _r(_mul(bh, bl, s, kind), ctx, ev + 1, acc)
    v, vl, d3, acc = _r(_add(m1, m1l, sgn * m2, sgn * m2l, kind), ctx, ev + 2, acc)
    return v, vl, c * da + sgn * s * db + d1 + sgn * d2 + d3, acc


@njit(cache=True)
def inv_stage(xh, xl, L, C, S, ctx, ev, st, dl):
    """The inverse butterflies of length ``L`` (halving built in), every operation
    rounded."""
    kind, track = ctx[2], ctx[3]
    acc = (0.0, 0.0, 0.0, 0.0)
    n = xh.size
    h = L >> 1
    q = h >> 1
    for i in range(0, n, L):
        ah, al, bh, bl = xh[i], _ld(xl, i, kind), xh[i + h], _ld(xl, i + h, kind)
        v, vl, d, acc = _out(_add(ah, al, bh, bl, kind), 0.0, True, ctx, ev + 8 * i, acc)
        w, wl, e, acc = _out(_add(ah, al, -bh, -bl, kind), 0.0, True, ctx, ev + 8 * (i + h), acc)
        _put(xh, xl, dl, i, v, vl, d, kind, track)
        _put(xh, xl, dl, i + h, w, wl, e, kind, track)
        if q:
            j = i + h + q
            _put(xh, xl, dl, j, -xh[j], -_ld(xl, j, kind), 0.0, kind, track)
            if track:
                dl[i + q] = 0.0
        for k in range(1, q):
            c = C[q + k]
            sn = S[q + k]
            i1, i2, i3, i4 = _steps.slots(i, h, k)
            e1 = ev + 8 * i1
            Ah, Al = xh[i1], _ld(xl, i1, kind)
            Bh, Bl = xh[i2], _ld(xl, i2, kind)
            Dh, Dl = xh[i3], _ld(xl, i3, kind)
            Eh, El = xh[i4], _ld(xl, i4, kind)
            er, erl, der, acc = _out(_add(Ah, Al, Bh, Bl, kind), 0.0, True, ctx, e1, acc)
            t1, t1l, dt1, acc = _out(_add(Ah, Al, -Bh, -Bl, kind), 0.0, True, ctx, e1 + 2, acc)
            t2, t2l, dt2, acc = _out(_add(Eh, El, Dh, Dl, kind), 0.0, True, ctx, e1 + 4, acc)
            ei, eil, dei, acc = _out(_add(Eh, El, -Dh, -Dl, kind), 0.0, True, ctx, e1 + 6, acc)
            o_r, o_rl, dor, acc = _rot(
                t1, t1l, dt1, t2, t2l, dt2, c, sn, -1.0, ctx, ev + 8 * i3, acc
            )
            o_i, o_il, doi, acc = _rot(
                t2, t2l, dt2, t1, t1l, dt1, c, sn, 1.0, ctx, ev + 8 * i4, acc
            )
            _put(xh, xl, dl, i1, er, erl, der, kind, track)
            _put(xh, xl, dl, i2, ei, eil, dei, kind, track)
            _put(xh, xl, dl, i3, o_r, o_rl, dor, kind, track)
            _put(xh, xl, dl, i4, o_i, o_il, doi, kind, track)
    _flush(st, acc)


@njit(cache=True)
def twist(xh, xl, TC, TS, ctx, ev, st, dl):
    """The DCT twist (see :func:`._native.twist`), every operation rounded."""
    kind, track = ctx[2], ctx[3]
    acc = (0.0, 0.0, 0.0, 0.0)
    n = xh.size
    h = n >> 1
    for j in range(0, max(h, 1) + 1, max(h, 1)):
        v, vl, d, acc = _r(_mul(xh[j], _ld(xl, j, kind), TC[j], kind), ctx, ev + 8 * j, acc)
        _put(xh, xl, dl, j, v, vl, d, kind, track)
    for k in range(1, h):
        ah, al = xh[k], _ld(xl, k, kind)
        bh, bl = xh[n - k], _ld(xl, n - k, kind)
        v, vl, d, acc = _rot(ah, al, 0.0, bh, bl, 0.0, TC[k], TS[k], 1.0, ctx, ev + 8 * k, acc)
        w, wl, e, acc = _rot(
            bh, bl, 0.0, ah, al, 0.0, -TC[k], TS[k], 1.0, ctx, ev + 8 * (n - k), acc
        )
        _put(xh, xl, dl, k, v, vl, d, kind, track)
        _put(xh, xl, dl, n - k, w, wl, e, kind, track)
    _flush(st, acc)


@njit(cache=True)
def wht_stage(xh, xl, h, half, ctx, ev, st, dl):
    """Walsh-Hadamard butterflies at distance ``h``, every operation rounded."""
    kind, track = ctx[2], ctx[3]
    acc = (0.0, 0.0, 0.0, 0.0)
    n = xh.size
    for i in range(0, n, 2 * h):
        for j in range(i, i + h):
            ah, al, bh, bl = xh[j], _ld(xl, j, kind), xh[j + h], _ld(xl, j + h, kind)
            v, vl, d, acc = _out(_add(ah, al, bh, bl, kind), 0.0, half, ctx, ev + 8 * j, acc)
            w, wl, e, acc = _out(
                _add(ah, al, -bh, -bl, kind), 0.0, half, ctx, ev + 8 * (j + h), acc
            )
            _put(xh, xl, dl, j, v, vl, d, kind, track)
            _put(xh, xl, dl, j + h, w, wl, e, kind, track)
    _flush(st, acc)


@njit(cache=True)
def scale(xh, xl, g, ctx, ev, st, dl):
    """Every element times ``g``, rounded."""
    kind, track = ctx[2], ctx[3]
    acc = (0.0, 0.0, 0.0, 0.0)
    for i in range(xh.size):
        v, vl, d, acc = _r(_mul(xh[i], _ld(xl, i, kind), g, kind), ctx, ev + 8 * i, acc)
        _put(xh, xl, dl, i, v, vl, d, kind, track)
    _flush(st, acc)


@njit(cache=True)
def run_row(xh, xl, plan, C, S, TC, TS, consts, R, ctx, ev0, ST, DL):
    """Run every step of ``plan`` on one row. ``ST[s]`` gathers the statistics of
    error stage ``s`` and (when tracking) ``DL[s]`` receives its stage errors; random
    words of stage ``s`` are keyed from ``ev0 + 8 n s``."""
    kind, track = ctx[2], ctx[3]
    n = xh.size
    s = 0
    for j in range(plan.shape[0]):
        k = plan[j, 0]
        a = plan[j, 1]
        b = plan[j, 2]
        flag = plan[j, 3]
        if _steps.permute(xh, k, R):
            if kind == DD:
                _steps.permute(xl, k, R)
            continue
        if k == _steps.FWD or k == _steps.WHT:
            v = a
            while v <= b:
                ev = ev0 + 8 * n * s
                dl = DL[s if track else 0]
                if k == _steps.FWD:
                    fwd_stage(xh, xl, v, C, S, flag, ctx, ev, ST[s], dl)
                else:
                    wht_stage(xh, xl, v, flag, ctx, ev, ST[s], dl)
                s += 1
                v *= 2
        elif k == _steps.INV:
            v = b
            while v >= a:
                inv_stage(xh, xl, v, C, S, ctx, ev0 + 8 * n * s, ST[s], DL[s if track else 0])
                s += 1
                v //= 2
        else:
            ev = ev0 + 8 * n * s
            dl = DL[s if track else 0]
            if k == _steps.TWIST:
                twist(xh, xl, TC, TS, ctx, ev, ST[s], dl)
            else:
                scale(xh, xl, consts[a], ctx, ev, ST[s], dl)
            s += 1


@njit(cache=True)
def _param_tuple(P):
    """The kernel parameters as a tuple: the inlined helpers read them without the
    reference counting an array costs."""
    return (
        P[0],
        P[1],
        P[2],
        P[3],
        P[4],
        P[5],
        P[6],
        P[7],
        P[8],
        P[9],
        P[10],
        P[11],
        P[12],
        P[13],
        P[14],
        P[15],
        P[16],
        P[17],
        P[18],
        P[19],
        P[20],
        P[21],
        P[22],
        P[23],
        P[24],
        P[25],
        P[26],
        P[27],
    )


@njit(cache=True)
def _run_one(row, XH, XL, plan, tabs, ctx, ST, DL):
    # parallel lowering may hand the row index over as a uint64, which min() with an
    # int64 would turn into a float
    r = np.int64(row)
    n = XH.shape[1]
    q = ctx[4]  # the inline nearest-even rounding: on?, addexp, msub, 2 max, max
    rne = (q[0] != 0, np.int64(q[1]), q[2], q[3], q[4])
    ctx = (_param_tuple(ctx[0]), ctx[1], ctx[2], ctx[3], rne)
    xl = XL[min(r, XL.shape[0] - 1)]  # one dummy row unless DD
    dl = DL[min(r, DL.shape[0] - 1)]  # one dummy row unless tracking
    ev0 = 8 * n * ST.shape[1] * r
    C, S, TC, TS, consts, R = tabs
    run_row(XH[r], xl, plan, C, S, TC, TS, consts, R, ctx, ev0, ST[r], dl)


@njit(cache=True, parallel=True)
def run_rows(XH, XL, plan, C, S, TC, TS, consts, R, P, key, kind, track, rne, ST, DL):
    """:func:`run_row` on every row, rows in parallel. ``XL`` (the low parts) is used
    in DD only; ``DL`` has one row per data row when tracking. ``rne`` (float64) turns
    on the inline nearest-even rounding of FAST: ``(1, addexp, msub, 2 max, max)``,
    or zeros."""
    ctx = (P, key, kind, track, rne)
    tabs = (C, S, TC, TS, consts, R)
    for r in prange(XH.shape[0]):
        _run_one(r, XH, XL, plan, tabs, ctx, ST, DL)
