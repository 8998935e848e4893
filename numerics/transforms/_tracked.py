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

Each arithmetic compiles on its own, only when it is first used: the helpers pick
their variant from their arguments' types (``rne``, the inline-rounding tuple, is
None unless FAST; ``xl``, the low parts, is None unless DD; ``dl``, the stage errors,
and ``acc``, the statistics, are None unless tracking), so the first ``rdfft(x,
fmt=...)`` compiles FAST alone. They are ordinary compiled functions, which LLVM
inlines: numba's own inlining of them (``inline="always"``) made every stage kernel
carry all three arithmetics and took about a minute to compile.
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload

from .._core.eft import fast_two_sum, two_prod_fma, two_sum
from .._core.jit import njit, prange
from .._core.params import P_M, P_MODE, RSR
from .._core.random_words import word_if
from .._core.rounding import rne_magnitude, round_sum, round_value
from . import _hadamard_kernels, _steps

FAST, EXACT, DD = range(3)

# Statistics per stage: operations, inexact ones, sum of squared local errors,
# largest relative local error.
N_STATS = 4


def _ld(xl, i):
    """The low part of element ``i``: DD's, or 0 (``xl`` None)."""


# Inlined by numba once the variant is known: a call that takes an array counts
# references around it, which LLVM does not always remove.
@overload(_ld, inline="always")
def _ld_variant(xl, i):
    if isinstance(xl, types.NoneType):
        return lambda xl, i: 0.0
    return lambda xl, i: xl[i]


@njit(cache=True)
def _add(ah, al, bh, bl, rne):
    """``a + b`` as an unevaluated ``(hi, lo)``: float64 for FAST (``rne`` not None),
    exact for EXACT, double-double for DD."""
    if rne is not None:
        return ah + bh, 0.0
    s, e = two_sum(ah, bh)
    return s, e + (al + bl)


@njit(cache=True)
def _mul(ah, al, c, rne):
    """``a * c`` (``c`` a float64) as an unevaluated ``(hi, lo)``."""
    if rne is not None:
        return ah * c, 0.0
    p, e = two_prod_fma(ah, c)
    return p, e + al * c


@njit(cache=True)
def _count(acc, v, d):
    """``acc`` with one operation of local error ``d`` (result ``v``) counted."""
    n0, n1, s2, mx = acc
    n0 += 1.0
    if d != 0:
        n1 += 1.0
        s2 += d * d
        ex = abs(v - d)
        if ex > 0:
            mx = max(mx, abs(d) / ex)
    return n0, n1, s2, mx


def _r(hl, ctx, rne, dd, ev, acc):
    """Round ``hl = (hi, lo)``, the unevaluated ``hi + lo``: returns ``(value, value's
    low part, local error, acc)``, with the operation counted in the statistics
    ``acc`` unless it is None. ``ctx = (P, key)``; ``rne`` not None: FAST; ``dd`` not
    None: double-double, no rounding. (Scalars and tuples only: an array argument
    costs reference counting on every call.)"""


@overload(_r)
def _r_variant(hl, ctx, rne, dd, ev, acc):
    if not isinstance(dd, types.NoneType):
        return lambda hl, ctx, rne, dd, ev, acc: _r_dd(hl, acc)
    if not isinstance(rne, types.NoneType):
        return lambda hl, ctx, rne, dd, ev, acc: _r_fast(hl[0], ctx, rne, ev, acc)
    return lambda hl, ctx, rne, dd, ev, acc: _tally(_r_exact(hl, ctx, ev), acc)


@njit(cache=True)
def _r_dd(hl, acc):
    hi, lo = hl
    if hi - hi != 0:
        return hi, 0.0, 0.0, acc
    s, e = fast_two_sum(hi, lo)
    return s, e, 0.0, acc


@njit(cache=True)
def _r_fast(hi, ctx, rne, ev, acc):
    if rne[0]:
        # nearest even by the magic constant, inline; zero, overflow and NaN go on
        a = abs(hi)
        if a <= rne[3]:
            r = rne_magnitude(a, rne[1], rne[2])
            if 0 < r <= rne[4]:
                return (r if hi > 0 else -r), 0.0, 0.0, acc
    P, key = ctx
    return round_value(hi, word_if(P[P_MODE] >= RSR, key, ev), P), 0.0, 0.0, acc


@njit(cache=True)
def _r_exact(hl, ctx, ev):
    hi, lo = hl
    P, key = ctx
    R = word_if(P[P_MODE] >= RSR, key, ev)
    # float64 itself (nearest even only): hi is already the rounded sum
    v = hi if P[P_M] > 50 else round_sum(hi, lo, R, P)
    d = 0.0
    if v - v == 0 and hi - hi == 0:
        s, t = two_sum(v, -hi)
        d = s + (t - lo)
    elif v == v or hi == hi:
        d = np.nan
    return v, d


def _tally(vd, acc):
    """``(v, 0, d, acc)`` for the rounding ``vd = (v, d)``, counted in ``acc`` unless
    it is None (kept out of :func:`_r_exact`, which serves both)."""


@overload(_tally)
def _tally_variant(vd, acc):
    if isinstance(acc, types.NoneType):
        return lambda vd, acc: (vd[0], 0.0, vd[1], acc)
    return lambda vd, acc: (vd[0], 0.0, vd[1], _count(acc, vd[0], vd[1]))


@njit(cache=True, inline="always")
def _out(hl, dprev, half, ctx, rne, dd, ev, acc):
    """Round a stage output (then halve it and round again if ``half``); returns the
    value, its low part, its stage error (given the stage error ``dprev`` the
    operands brought in) and ``acc``."""
    v, vl, d, acc = _r(hl, ctx, rne, dd, ev, acc)
    d += dprev
    if half:
        v, vl, d2, acc = _r((v * 0.5, vl * 0.5), ctx, rne, dd, ev + 1, acc)
        d = d * 0.5 + d2
    return v, vl, d, acc


def _dd(xl):
    """The DD marker the rounding helpers take: None unless ``xl`` holds low parts (a
    scalar, not the array, which would count references around every call)."""


@overload(_dd)
def _dd_variant(xl):
    if isinstance(xl, types.NoneType):
        return lambda xl: None
    return lambda xl: True


def _start(dl):
    """The statistics of a stage: zeros when tracking (``dl`` an array), else None."""


@overload(_start)
def _start_variant(dl):
    # chosen by type: a None-or-tuple result would be an optional, checked at run time
    if isinstance(dl, types.NoneType):
        return lambda dl: None
    return lambda dl: (0.0, 0.0, 0.0, 0.0)


@njit(cache=True)
def _flush(st, acc):
    if acc is not None:
        for j in range(N_STATS - 1):
            st[j] += acc[j]
        st[3] = max(st[3], acc[3])


def _put(xh, xl, dl, i, v, vl, d):
    """Store element ``i``: its value, its low part (DD) and its stage error (tracking)."""


@overload(_put, inline="always")
def _put_variant(xh, xl, dl, i, v, vl, d):
    low = not isinstance(xl, types.NoneType)
    err = not isinstance(dl, types.NoneType)

    def put(xh, xl, dl, i, v, vl, d):
        xh[i] = v
        if low:
            xl[i] = vl
        if err:
            dl[i] = d

    return put


@njit(cache=True)
def fwd_stage(xh, xl, L, C, S, half, ctx, rne, ev, st, dl):
    """Forward butterflies of length ``L``, every operation rounded."""
    acc = _start(dl)
    dd = _dd(xl)
    n = xh.size
    h = L >> 1
    q = h >> 1
    for i in range(0, n, L):
        ah, al, bh, bl = xh[i], _ld(xl, i), xh[i + h], _ld(xl, i + h)
        s, sl = _add(ah, al, bh, bl, rne)
        t, tl = _add(ah, al, -bh, -bl, rne)
        v, vl, d, acc = _out((s, sl), 0.0, half, ctx, rne, dd, ev + 8 * i, acc)
        w, wl, e, acc = _out((t, tl), 0.0, half, ctx, rne, dd, ev + 8 * (i + h), acc)
        _put(xh, xl, dl, i, v, vl, d)
        _put(xh, xl, dl, i + h, w, wl, e)
        if q:
            for t in range(2):  # (i + q, +1), (i + h + q, -1); a loop over a tuple of
                j = i + q + t * h  # pairs would count references on every pass
                sg = 1.0 - 2.0 * t
                v, vl, d = xh[j] * sg, _ld(xl, j) * sg, 0.0
                if half:
                    v, vl, d, acc = _r((v * 0.5, vl * 0.5), ctx, rne, dd, ev + 8 * j, acc)
                _put(xh, xl, dl, j, v, vl, d)
        for k in range(1, q):
            c = C[q + k]
            sn = S[q + k]
            i1, i2, i3, i4 = _steps.slots(i, h, k)
            e1 = ev + 8 * i1
            erh, erl = xh[i1], _ld(xl, i1)
            eih, eil = xh[i2], _ld(xl, i2)
            orh, orl = xh[i3], _ld(xl, i3)
            oih, oil = xh[i4], _ld(xl, i4)
            m1, m1l, d1, acc = _r(_mul(orh, orl, c, rne), ctx, rne, dd, e1, acc)
            m2, m2l, d2, acc = _r(_mul(oih, oil, sn, rne), ctx, rne, dd, e1 + 1, acc)
            t1, t1l, d3, acc = _r(_add(m1, m1l, m2, m2l, rne), ctx, rne, dd, e1 + 2, acc)
            m3, m3l, d4, acc = _r(_mul(oih, oil, c, rne), ctx, rne, dd, e1 + 3, acc)
            m4, m4l, d5, acc = _r(_mul(orh, orl, sn, rne), ctx, rne, dd, e1 + 4, acc)
            t2, t2l, d6, acc = _r(_add(m3, m3l, -m4, -m4l, rne), ctx, rne, dd, e1 + 5, acc)
            dt1 = d1 + d2 + d3
            dt2 = d4 - d5 + d6
            a1 = _add(erh, erl, t1, t1l, rne)
            a2 = _add(erh, erl, -t1, -t1l, rne)
            a3 = _add(t2, t2l, -eih, -eil, rne)
            a4 = _add(eih, eil, t2, t2l, rne)
            v1, v1l, g1, acc = _out(a1, dt1, half, ctx, rne, dd, e1 + 6, acc)
            v2, v2l, g2, acc = _out(a2, -dt1, half, ctx, rne, dd, ev + 8 * i2 + 6, acc)
            v3, v3l, g3, acc = _out(a3, dt2, half, ctx, rne, dd, ev + 8 * i3 + 6, acc)
            v4, v4l, g4, acc = _out(a4, dt2, half, ctx, rne, dd, ev + 8 * i4 + 6, acc)
            _put(xh, xl, dl, i1, v1, v1l, g1)
            _put(xh, xl, dl, i2, v2, v2l, g2)
            _put(xh, xl, dl, i3, v3, v3l, g3)
            _put(xh, xl, dl, i4, v4, v4l, g4)
    _flush(st, acc)


@njit(cache=True, inline="always")
def _rot(ah, al, da, bh, bl, db, c, s, sgn, ctx, rne, dd, ev, acc):
    """``c a + sgn s b`` rounded at each operation, with its stage error given the
    operands' stage errors ``da``, ``db``."""
    m1, m1l, d1, acc = _r(_mul(ah, al, c, rne), ctx, rne, dd, ev, acc)
    m2, m2l, d2, acc = _r(_mul(bh, bl, s, rne), ctx, rne, dd, ev + 1, acc)
    v, vl, d3, acc = _r(_add(m1, m1l, sgn * m2, sgn * m2l, rne), ctx, rne, dd, ev + 2, acc)
    return v, vl, c * da + sgn * s * db + d1 + sgn * d2 + d3, acc


@njit(cache=True)
def inv_stage(xh, xl, L, C, S, ctx, rne, ev, st, dl):
    """The inverse butterflies of length ``L`` (halving built in), every operation
    rounded."""
    acc = _start(dl)
    dd = _dd(xl)
    n = xh.size
    h = L >> 1
    q = h >> 1
    for i in range(0, n, L):
        ah, al, bh, bl = xh[i], _ld(xl, i), xh[i + h], _ld(xl, i + h)
        v, vl, d, acc = _out(_add(ah, al, bh, bl, rne), 0.0, True, ctx, rne, dd, ev + 8 * i, acc)
        w, wl, e, acc = _out(
            _add(ah, al, -bh, -bl, rne), 0.0, True, ctx, rne, dd, ev + 8 * (i + h), acc
        )
        _put(xh, xl, dl, i, v, vl, d)
        _put(xh, xl, dl, i + h, w, wl, e)
        if q:
            j = i + h + q
            _put(xh, xl, dl, j, -xh[j], -_ld(xl, j), 0.0)
            if dl is not None:
                dl[i + q] = 0.0
        for k in range(1, q):
            c = C[q + k]
            sn = S[q + k]
            i1, i2, i3, i4 = _steps.slots(i, h, k)
            e1 = ev + 8 * i1
            Ah, Al = xh[i1], _ld(xl, i1)
            Bh, Bl = xh[i2], _ld(xl, i2)
            Dh, Dl = xh[i3], _ld(xl, i3)
            Eh, El = xh[i4], _ld(xl, i4)
            er, erl, der, acc = _out(_add(Ah, Al, Bh, Bl, rne), 0.0, True, ctx, rne, dd, e1, acc)
            t1, t1l, dt1, acc = _out(
                _add(Ah, Al, -Bh, -Bl, rne), 0.0, True, ctx, rne, dd, e1 + 2, acc
            )
            t2, t2l, dt2, acc = _out(
                _add(Eh, El, Dh, Dl, rne), 0.0, True, ctx, rne, dd, e1 + 4, acc
            )
            ei, eil, dei, acc = _out(
                _add(Eh, El, -Dh, -Dl, rne), 0.0, True, ctx, rne, dd, e1 + 6, acc
            )
            o_r, o_rl, dor, acc = _rot(
                t1, t1l, dt1, t2, t2l, dt2, c, sn, -1.0, ctx, rne, dd, ev + 8 * i3, acc
            )
            o_i, o_il, doi, acc = _rot(
                t2, t2l, dt2, t1, t1l, dt1, c, sn, 1.0, ctx, rne, dd, ev + 8 * i4, acc
            )
            _put(xh, xl, dl, i1, er, erl, der)
            _put(xh, xl, dl, i2, ei, eil, dei)
            _put(xh, xl, dl, i3, o_r, o_rl, dor)
            _put(xh, xl, dl, i4, o_i, o_il, doi)
    _flush(st, acc)


@njit(cache=True)
def twist(xh, xl, TC, TS, ctx, rne, ev, st, dl):
    """The DCT twist (see :func:`._native.twist`), every operation rounded."""
    acc = _start(dl)
    dd = _dd(xl)
    n = xh.size
    h = n >> 1
    # slots 0 and n/2 (just slot 0 for n = 1)
    for j in range(0, h + 1, max(h, 1)):
        v, vl, d, acc = _r(_mul(xh[j], _ld(xl, j), TC[j], rne), ctx, rne, dd, ev + 8 * j, acc)
        _put(xh, xl, dl, j, v, vl, d)
    for k in range(1, h):
        ah, al = xh[k], _ld(xl, k)
        bh, bl = xh[n - k], _ld(xl, n - k)
        v, vl, d, acc = _rot(
            ah, al, 0.0, bh, bl, 0.0, TC[k], TS[k], 1.0, ctx, rne, dd, ev + 8 * k, acc
        )
        w, wl, e, acc = _rot(
            bh, bl, 0.0, ah, al, 0.0, -TC[k], TS[k], 1.0, ctx, rne, dd, ev + 8 * (n - k), acc
        )
        _put(xh, xl, dl, k, v, vl, d)
        _put(xh, xl, dl, n - k, w, wl, e)
    _flush(st, acc)


@njit(cache=True)
def wht_stage(xh, xl, h, half, ctx, rne, ev, st, dl):
    """Walsh-Hadamard butterflies at distance ``h``, every operation rounded."""
    acc = _start(dl)
    dd = _dd(xl)
    n = xh.size
    for i in range(0, n, 2 * h):
        for j in range(i, i + h):
            ah, al, bh, bl = xh[j], _ld(xl, j), xh[j + h], _ld(xl, j + h)
            v, vl, d, acc = _out(
                _add(ah, al, bh, bl, rne), 0.0, half, ctx, rne, dd, ev + 8 * j, acc
            )
            w, wl, e, acc = _out(
                _add(ah, al, -bh, -bl, rne), 0.0, half, ctx, rne, dd, ev + 8 * (j + h), acc
            )
            _put(xh, xl, dl, j, v, vl, d)
            _put(xh, xl, dl, j + h, w, wl, e)
    _flush(st, acc)


@njit(cache=True)
def scale(xh, xl, g, ctx, rne, ev, st, dl):
    """Every element times ``g``, rounded."""
    acc = _start(dl)
    dd = _dd(xl)
    for i in range(xh.size):
        v, vl, d, acc = _r(_mul(xh[i], _ld(xl, i), g, rne), ctx, rne, dd, ev + 8 * i, acc)
        _put(xh, xl, dl, i, v, vl, d)
    _flush(st, acc)


def _row(X, r):
    """Row ``r`` of ``X``, or None where ``X`` is."""


@overload(_row)
def _row_variant(X, r):
    if isinstance(X, types.NoneType):
        return lambda X, r: None
    return lambda X, r: X[r]


@njit(cache=True)
def run_row(xh, xl, plan, C, S, TC, TS, consts, R, fwd, inv, wht, ctx, rne, ev0, ST, DL):
    """Run every step of ``plan`` on one row. ``ST[s]`` gathers the statistics of
    error stage ``s`` and (when tracking) ``DL[s]`` receives its stage errors; random
    words of stage ``s`` are keyed from ``ev0 + 8 n s``. The steps the plan lacks are
    None (``fwd``, ``inv``, ``wht``, whose stages run where they are True; the twist
    tables ``TC``, ``TS``; the constants of a scaling): numba then leaves their
    kernels out, and compiles them when a plan needs them."""
    n = xh.size
    s = 0
    for j in range(plan.shape[0]):
        k = plan[j, 0]
        a = plan[j, 1]
        b = plan[j, 2]
        flag = plan[j, 3]
        if _steps.permute(xh, k, R):
            if xl is not None:
                _steps.permute(xl, k, R)
            continue
        if k == _steps.FWD and fwd is not None:
            v = a
            while v <= b:
                fwd_stage(xh, xl, v, C, S, flag, ctx, rne, ev0 + 8 * n * s, ST[s], _row(DL, s))
                s += 1
                v *= 2
        elif k == _steps.WHT and wht is not None:
            v = a
            while v <= b:
                wht_stage(xh, xl, v, flag, ctx, rne, ev0 + 8 * n * s, ST[s], _row(DL, s))
                s += 1
                v *= 2
        elif k == _steps.INV and inv is not None:
            v = b
            while v >= a:
                inv_stage(xh, xl, v, C, S, ctx, rne, ev0 + 8 * n * s, ST[s], _row(DL, s))
                s += 1
                v //= 2
        elif k == _steps.TWIST and TC is not None:
            twist(xh, xl, TC, TS, ctx, rne, ev0 + 8 * n * s, ST[s], _row(DL, s))
            s += 1
        elif k == _steps.DENSE and wht is not None and consts is not None:
            _hadamard_kernels.dense_stage(
                xh, xl, consts, a, b, flag, ctx, rne, ev0 + 8 * n * s, ST[s], _row(DL, s)
            )
            s += 1
        elif k == _steps.SCALE and consts is not None:
            scale(xh, xl, consts[a], ctx, rne, ev0 + 8 * n * s, ST[s], _row(DL, s))
            s += 1


@njit(cache=True)
def _param_tuple(P):
    """The kernel parameters as a tuple: the helpers read them without the reference
    counting an array costs."""
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


def _rne_tuple(q):
    """The inline nearest-even rounding of FAST as a tuple (on?, addexp, msub, 2 max,
    max), or None (EXACT, DD)."""


@overload(_rne_tuple)
def _rne_tuple_variant(q):
    if isinstance(q, types.NoneType):
        return lambda q: None
    return lambda q: (q[0] != 0, np.int64(q[1]), q[2], q[3], q[4])


@njit(cache=True)
def _run_one(r, XH, XL, plan, tabs, steps, P, key, rne, ST, DL):
    n = XH.shape[1]
    ev0 = 8 * n * ST.shape[1] * r
    C, S, TC, TS, consts, R = tabs
    fwd, inv, wht = steps
    ctx = (_param_tuple(P), key)
    run_row(XH[r], _row(XL, r), plan, C, S, TC, TS, consts, R, fwd, inv, wht, ctx,
            _rne_tuple(rne), ev0, ST[r], _row(DL, r))  # fmt: skip


@njit(cache=True)
def run_rows_serial(XH, XL, plan, C, S, TC, TS, consts, R, steps, P, key, rne, ST, DL):
    """:func:`run_row` on every row. ``XL`` (the low parts) is an array in DD only and
    ``DL`` (one row of stage errors per data row) when tracking, None otherwise;
    ``rne`` (float64 ``(1, addexp, msub, 2 max, max)``, or zeros: off) in FAST only.
    ``steps``: ``(fwd, inv, wht)``, each True where the plan has such steps, else None
    (see :func:`run_row`), as are the tables of steps it lacks."""
    tabs = (C, S, TC, TS, consts, R)
    for r in range(XH.shape[0]):
        _run_one(np.int64(r), XH, XL, plan, tabs, steps, P, key, rne, ST, DL)


@njit(cache=True, parallel=True)
def run_rows(XH, XL, plan, C, S, TC, TS, consts, R, steps, P, key, rne, ST, DL):
    """As :func:`run_rows_serial`, rows in parallel; the same result."""
    tabs = (C, S, TC, TS, consts, R)
    for r in prange(XH.shape[0]):
        # parallel lowering may hand the row index over as a uint64
        _run_one(np.int64(r), XH, XL, plan, tabs, steps, P, key, rne, ST, DL)
