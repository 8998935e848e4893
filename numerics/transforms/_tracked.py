"""numba kernels: the transforms emulated in a format, with exact error tracking.

The same plans as :mod:`._native` run here with one of three arithmetics:

- ``FAST``: each operation in float64, then rounded into the format. Correct for
  round-to-nearest in formats of at most 26 fraction bits: products of two format
  values are exact in float64, and a float64 sum that is inexact is so far below the
  format's half-ulp that it cannot change a nearest rounding; and in every mode for
  the formats whose sums and products of two values are all exact in float64
  (:func:`numerics.transforms._engine.exact_in_float64`: float8, float6, float4,
  float16).
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
from .._core.jit import njit
from .._core.params import P_M, P_MODE, RSR
from .._core.random_words import word_if
from .._core.rounding import rne_magnitude, round_sum, round_value
from . import _hadamard_kernels, _steps

FAST, EXACT, DD = range(3)

# Kernels called only from other kernels: no Python or C entry point. Each would be
# compiled for every signature (boxing every argument) and linked into every caller.
_INNER = {"no_cpython_wrapper": True, "no_cfunc_wrapper": True}

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


@njit(cache=True, **_INNER)
def _add(ah, al, bh, bl, rne):
    """``a + b`` as an unevaluated ``(hi, lo)``: float64 for FAST (``rne`` not None),
    exact for EXACT, double-double for DD."""
    if rne is not None:
        return ah + bh, 0.0
    s, e = two_sum(ah, bh)
    return s, e + (al + bl)


@njit(cache=True, **_INNER)
def _mul(ah, al, c, rne):
    """``a * c`` (``c`` a float64) as an unevaluated ``(hi, lo)``."""
    if rne is not None:
        return ah * c, 0.0
    p, e = two_prod_fma(ah, c)
    return p, e + al * c


@njit(cache=True, **_INNER)
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


@njit(cache=True, **_INNER)
def _r_dd(hl, acc):
    hi, lo = hl
    if hi - hi != 0:
        return hi, 0.0, 0.0, acc
    s, e = fast_two_sum(hi, lo)
    return s, e, 0.0, acc


@njit(cache=True, **_INNER)
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


@njit(cache=True, **_INNER)
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


@njit(cache=True, **_INNER)
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


@njit(cache=True, **_INNER)
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


@njit(cache=True, **_INNER)
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


@njit(cache=True, **_INNER)
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


@njit(cache=True, **_INNER)
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


@njit(cache=True, **_INNER)
def scale(xh, xl, g, ctx, rne, ev, st, dl):
    """Every element times ``g``, rounded."""
    acc = _start(dl)
    dd = _dd(xl)
    for i in range(xh.size):
        v, vl, d, acc = _r(_mul(xh[i], _ld(xl, i), g, rne), ctx, rne, dd, ev + 8 * i, acc)
        _put(xh, xl, dl, i, v, vl, d)
    _flush(st, acc)


# --- the other FFT algorithms: split-radix and radix-4 levels ------------------------
#
# One level runs the butterflies of the blocks of one length L (offsets given) in
# the halfcomplex layout after the bit reversal. A block of length L holds the
# halfcomplex spectra of its sub-blocks: split-radix, U (length L/2: the even
# samples), Z and Z' (L/4 each: samples 4m+1 and 4m+3); radix-4, F0, F2, F1, F3
# (L/4 each: samples 4m, 4m+2, 4m+1, 4m+3). Random words are keyed by (slot, op)
# as in :func:`fwd_stage`: the output rounding of a slot is its event 6.


@njit(cache=True, inline="always")
def _tw(C, S, q, j):
    """``(cos, sin)`` of the angle ``2 pi j / L`` (``L = 4 q``, ``0 <= j < 2 q``) from
    the stage's own table, by the exact symmetry ``w^(q + m) = -i w^m``."""
    if j < q:
        return C[q + j], S[q + j]
    return -S[j], C[j]


@njit(cache=True, **_INNER)
def _cmul(zr, zrl, zi, zil, c, s, ctx, rne, dd, ev, acc):
    """``(c - i s) z`` in :func:`fwd_stage`'s order of operations (events ``ev .. ev +
    5``): its real and imaginary parts with their low parts and stage errors."""
    m1, m1l, d1, acc = _r(_mul(zr, zrl, c, rne), ctx, rne, dd, ev, acc)
    m2, m2l, d2, acc = _r(_mul(zi, zil, s, rne), ctx, rne, dd, ev + 1, acc)
    pr, prl, d3, acc = _r(_add(m1, m1l, m2, m2l, rne), ctx, rne, dd, ev + 2, acc)
    m3, m3l, d4, acc = _r(_mul(zi, zil, c, rne), ctx, rne, dd, ev + 3, acc)
    m4, m4l, d5, acc = _r(_mul(zr, zrl, s, rne), ctx, rne, dd, ev + 4, acc)
    pi, pil, d6, acc = _r(_add(m3, m3l, -m4, -m4l, rne), ctx, rne, dd, ev + 5, acc)
    return pr, prl, d1 + d2 + d3, pi, pil, d4 - d5 + d6, acc


@njit(cache=True, **_INNER)
def _sum(a, al, da, b, bl, db, sg, ctx, rne, dd, ev, acc):
    """``a + sg b`` rounded, with its stage error from the operands' ``da``, ``db``."""
    v, vl, d, acc = _r(_add(a, al, sg * b, sg * bl, rne), ctx, rne, dd, ev, acc)
    return v, vl, d + da + sg * db, acc


@njit(cache=True, **_INNER)
def _middle(xh, xl, dl, j1, j3, j5, j7, sa, r, ctx, rne, dd, ev, acc):
    """The butterfly at ``k = L/8`` (twiddle ``exp(-i pi/4)``, ``r`` its cosine) that
    both algorithms share: ``a = (xh[j1], sa xh[j3])`` is complex (split-radix:
    ``U_e``, ``sa = 1``; radix-4: ``F0_e + w^{2e} F2_e = (F0_e, -F2_e)``, ``sa =
    -1``), ``z, z' = xh[j5], xh[j7]`` real with ``w z + w^3 z' = r (z - z') - i r (z +
    z')``; out: ``X_e = a + that`` and ``X_{3e} = conj(a - that)``."""
    ar, arl, ai, ail = xh[j1], _ld(xl, j1), sa * xh[j3], sa * _ld(xl, j3)
    z, zl, z3, z3l = xh[j5], _ld(xl, j5), xh[j7], _ld(xl, j7)
    a, a_l, da, acc = _sum(z, zl, 0.0, z3, z3l, 0.0, -1.0, ctx, rne, dd, ev + 8 * j5, acc)
    b, b_l, db, acc = _sum(z, zl, 0.0, z3, z3l, 0.0, 1.0, ctx, rne, dd, ev + 8 * j7, acc)
    pa, pal, d1, acc = _r(_mul(a, a_l, r, rne), ctx, rne, dd, ev + 8 * j5 + 1, acc)
    pb, pbl, d2, acc = _r(_mul(b, b_l, r, rne), ctx, rne, dd, ev + 8 * j7 + 1, acc)
    dpa = r * da + d1
    dpb = r * db + d2
    v1, v1l, g1, acc = _sum(ar, arl, 0.0, pa, pal, dpa, 1.0, ctx, rne, dd, ev + 8 * j1 + 6, acc)
    v7, v7l, g7, acc = _sum(ai, ail, 0.0, pb, pbl, dpb, -1.0, ctx, rne, dd, ev + 8 * j7 + 6, acc)
    v3, v3l, g3, acc = _sum(ar, arl, 0.0, pa, pal, dpa, -1.0, ctx, rne, dd, ev + 8 * j3 + 6, acc)
    v5, v5l, g5, acc = _sum(-pb, -pbl, -dpb, ai, ail, 0.0, -1.0, ctx, rne, dd,
                            ev + 8 * j5 + 6, acc)  # fmt: skip
    _put(xh, xl, dl, j1, v1, v1l, g1)
    _put(xh, xl, dl, j3, v3, v3l, g3)
    _put(xh, xl, dl, j5, v5, v5l, g5)
    _put(xh, xl, dl, j7, v7, v7l, g7)
    return acc


@njit(cache=True, **_INNER)
def _pair(xh, xl, dl, i, half, ctx, rne, dd, ev, acc):
    """A block of length 2, ``(a, b) -> (a + b, a - b)`` (halved if ``half``: the
    inverse), the outputs' roundings at events ``ev`` and ``ev + 8``: the length-2
    level of both algorithms, bitwise that of :func:`fwd_stage` / :func:`inv_stage`
    (radix-4; split-radix keys its forward outputs as output roundings, event 6)."""
    a, al, b, bl = xh[i], _ld(xl, i), xh[i + 1], _ld(xl, i + 1)
    v, vl, d, acc = _out(_add(a, al, b, bl, rne), 0.0, half, ctx, rne, dd, ev, acc)
    w, wl, e, acc = _out(_add(a, al, -b, -bl, rne), 0.0, half, ctx, rne, dd, ev + 8, acc)
    _put(xh, xl, dl, i, v, vl, d)
    _put(xh, xl, dl, i + 1, w, wl, e)
    return acc


@njit(cache=True, **_INNER)
def _split_block(xh, xl, i, L, C, S, ctx, rne, dd, ev, acc, dl):
    """One split-radix block: ``X_k = U_k + P``, ``X_{k+L/2} = U_k - P``, ``X_{k+L/4} =
    U_{k+L/4} - i M``, ``X_{k+3L/4} = U_{k+L/4} + i M`` with ``P, M = w^k Z_k +- w^{3k}
    Z'_k`` (Duhamel and Hollmann 1984; the real-data form of Sorensen et al. 1987)."""
    if L == 2:
        return _pair(xh, xl, dl, i, False, ctx, rne, dd, ev + 8 * i + 6, acc)
    h = L >> 1
    q = h >> 1
    e = q >> 1
    # k = 0: U_0, Z_0, Z'_0 real; X_{L/4} = U_{L/4} - i (Z_0 - Z'_0), U_{L/4} kept
    j0, jh, j3 = i, i + h, i + 3 * q
    u0, u0l = xh[j0], _ld(xl, j0)
    z, zl, z3, z3l = xh[jh], _ld(xl, jh), xh[j3], _ld(xl, j3)
    p, pl, dp, acc = _sum(z, zl, 0.0, z3, z3l, 0.0, 1.0, ctx, rne, dd, ev + 8 * jh, acc)
    v0, v0l, g0, acc = _sum(u0, u0l, 0.0, p, pl, dp, 1.0, ctx, rne, dd, ev + 8 * j0 + 6, acc)
    vh, vhl, gh, acc = _sum(u0, u0l, 0.0, p, pl, dp, -1.0, ctx, rne, dd, ev + 8 * jh + 6, acc)
    v3, v3l, g3, acc = _sum(z3, z3l, 0.0, z, zl, 0.0, -1.0, ctx, rne, dd, ev + 8 * j3 + 6, acc)
    _put(xh, xl, dl, j0, v0, v0l, g0)
    _put(xh, xl, dl, jh, vh, vhl, gh)
    _put(xh, xl, dl, j3, v3, v3l, g3)
    if e:
        acc = _middle(xh, xl, dl, i + e, i + 3 * e, i + 5 * e, i + 7 * e, 1.0, C[q + e], ctx,
                      rne, dd, ev, acc)  # fmt: skip
    for k in range(1, e):
        s1, s2, s3, s4 = i + k, i + h - k, i + q - k, i + q + k
        s5, s6, s7, s8 = i + h + k, i + 3 * q - k, i + 3 * q + k, i + L - k
        ur, url, ui, uil = xh[s1], _ld(xl, s1), xh[s2], _ld(xl, s2)
        vr, vrl, vi, vil = xh[s3], _ld(xl, s3), xh[s4], _ld(xl, s4)
        c1, n1 = C[q + k], S[q + k]
        c3, n3 = _tw(C, S, q, 3 * k)
        ar, arl, dar, ai, ail, dai, acc = _cmul(
            xh[s5], _ld(xl, s5), xh[s6], _ld(xl, s6), c1, n1, ctx, rne, dd, ev + 8 * s5, acc
        )
        br, brl, dbr, bi, bil, dbi, acc = _cmul(
            xh[s7], _ld(xl, s7), xh[s8], _ld(xl, s8), c3, n3, ctx, rne, dd, ev + 8 * s7, acc
        )
        pr, prl, dpr, acc = _sum(ar, arl, dar, br, brl, dbr, 1.0, ctx, rne, dd, ev + 8 * s1, acc)
        pi, pil, dpi, acc = _sum(ai, ail, dai, bi, bil, dbi, 1.0, ctx, rne, dd, ev + 8 * s8, acc)
        mr, mrl, dmr, acc = _sum(ar, arl, dar, br, brl, dbr, -1.0, ctx, rne, dd, ev + 8 * s3, acc)
        mi, mil, dmi, acc = _sum(ai, ail, dai, bi, bil, dbi, -1.0, ctx, rne, dd, ev + 8 * s6, acc)
        o1 = _sum(ur, url, 0.0, pr, prl, dpr, 1.0, ctx, rne, dd, ev + 8 * s1 + 6, acc)
        o8 = _sum(ui, uil, 0.0, pi, pil, dpi, 1.0, ctx, rne, dd, ev + 8 * s8 + 6, o1[3])
        o2 = _sum(ur, url, 0.0, pr, prl, dpr, -1.0, ctx, rne, dd, ev + 8 * s2 + 6, o8[3])
        o5 = _sum(pi, pil, dpi, ui, uil, 0.0, -1.0, ctx, rne, dd, ev + 8 * s5 + 6, o2[3])
        o4 = _sum(vr, vrl, 0.0, mi, mil, dmi, 1.0, ctx, rne, dd, ev + 8 * s4 + 6, o5[3])
        o6 = _sum(-vi, -vil, 0.0, mr, mrl, dmr, -1.0, ctx, rne, dd, ev + 8 * s6 + 6, o4[3])
        o3 = _sum(vr, vrl, 0.0, mi, mil, dmi, -1.0, ctx, rne, dd, ev + 8 * s3 + 6, o6[3])
        o7 = _sum(vi, vil, 0.0, mr, mrl, dmr, -1.0, ctx, rne, dd, ev + 8 * s7 + 6, o3[3])
        acc = o7[3]
        _put(xh, xl, dl, s1, o1[0], o1[1], o1[2])
        _put(xh, xl, dl, s2, o2[0], o2[1], o2[2])
        _put(xh, xl, dl, s3, o3[0], o3[1], o3[2])
        _put(xh, xl, dl, s4, o4[0], o4[1], o4[2])
        _put(xh, xl, dl, s5, o5[0], o5[1], o5[2])
        _put(xh, xl, dl, s6, o6[0], o6[1], o6[2])
        _put(xh, xl, dl, s7, o7[0], o7[1], o7[2])
        _put(xh, xl, dl, s8, o8[0], o8[1], o8[2])
    return acc


@njit(cache=True, **_INNER)
def _radix4_block(xh, xl, i, L, C, S, ctx, rne, dd, ev, acc, dl):
    """One radix-4 block: ``B, C, D = w^k F1_k, w^{2k} F2_k, w^{3k} F3_k``, then ``T0,
    T1 = F0_k +- C``, ``T2, T3 = B +- D`` and ``X_k, X_{k+L/2} = T0 +- T2``,
    ``X_{k+L/4}, X_{k+3L/4} = T1 -+ i T3`` (Van Loan, *Computational Frameworks for
    the FFT*, 1.9 / 2.3), each value of the halfcomplex layout computed once. ``L =
    2`` (the first level where ``log2 n`` is odd): :func:`fwd_stage`'s length-2 stage."""
    if L == 2:
        return _pair(xh, xl, dl, i, False, ctx, rne, dd, ev + 8 * i, acc)
    h = L >> 1
    q = h >> 1
    e = q >> 1
    # k = 0: all real; Re X_{L/4} = F0 - F2, Im X_{L/4} = F3 - F1
    j0, jq, jh, j3 = i, i + q, i + h, i + 3 * q
    a, a_l, f2, f2l = xh[j0], _ld(xl, j0), xh[jq], _ld(xl, jq)
    f1, f1l, f3, f3l = xh[jh], _ld(xl, jh), xh[j3], _ld(xl, j3)
    t0, t0l, d0, acc = _sum(a, a_l, 0.0, f2, f2l, 0.0, 1.0, ctx, rne, dd, ev + 8 * j0, acc)
    t2, t2l, d2, acc = _sum(f1, f1l, 0.0, f3, f3l, 0.0, 1.0, ctx, rne, dd, ev + 8 * jh, acc)
    v0, v0l, g0, acc = _sum(t0, t0l, d0, t2, t2l, d2, 1.0, ctx, rne, dd, ev + 8 * j0 + 6, acc)
    vh, vhl, gh, acc = _sum(t0, t0l, d0, t2, t2l, d2, -1.0, ctx, rne, dd, ev + 8 * jh + 6, acc)
    vq, vql, gq, acc = _sum(a, a_l, 0.0, f2, f2l, 0.0, -1.0, ctx, rne, dd, ev + 8 * jq + 6, acc)
    v3, v3l, g3, acc = _sum(f3, f3l, 0.0, f1, f1l, 0.0, -1.0, ctx, rne, dd, ev + 8 * j3 + 6, acc)
    _put(xh, xl, dl, j0, v0, v0l, g0)
    _put(xh, xl, dl, jq, vq, vql, gq)
    _put(xh, xl, dl, jh, vh, vhl, gh)
    _put(xh, xl, dl, j3, v3, v3l, g3)
    if e:
        acc = _middle(xh, xl, dl, i + e, i + 3 * e, i + 5 * e, i + 7 * e, -1.0, C[q + e], ctx,
                      rne, dd, ev, acc)  # fmt: skip
    for k in range(1, e):
        s1, s2, s3, s4 = i + k, i + q - k, i + q + k, i + h - k
        s5, s6, s7, s8 = i + h + k, i + 3 * q - k, i + 3 * q + k, i + L - k
        ar, arl, ai, ail = xh[s1], _ld(xl, s1), xh[s2], _ld(xl, s2)
        c1, n1 = C[q + k], S[q + k]
        c2, n2 = C[q + 2 * k], S[q + 2 * k]
        c3, n3 = _tw(C, S, q, 3 * k)
        br, brl, dbr, bi, bil, dbi, acc = _cmul(
            xh[s5], _ld(xl, s5), xh[s6], _ld(xl, s6), c1, n1, ctx, rne, dd, ev + 8 * s5, acc
        )
        cr, crl, dcr, ci, cil, dci, acc = _cmul(
            xh[s3], _ld(xl, s3), xh[s4], _ld(xl, s4), c2, n2, ctx, rne, dd, ev + 8 * s3, acc
        )
        er, erl, der, ei, eil, dei, acc = _cmul(
            xh[s7], _ld(xl, s7), xh[s8], _ld(xl, s8), c3, n3, ctx, rne, dd, ev + 8 * s7, acc
        )
        t0r = _sum(ar, arl, 0.0, cr, crl, dcr, 1.0, ctx, rne, dd, ev + 8 * s1, acc)
        t0i = _sum(ai, ail, 0.0, ci, cil, dci, 1.0, ctx, rne, dd, ev + 8 * s8, t0r[3])
        t1r = _sum(ar, arl, 0.0, cr, crl, dcr, -1.0, ctx, rne, dd, ev + 8 * s2, t0i[3])
        t1i = _sum(ai, ail, 0.0, ci, cil, dci, -1.0, ctx, rne, dd, ev + 8 * s6, t1r[3])
        t2r = _sum(br, brl, dbr, er, erl, der, 1.0, ctx, rne, dd, ev + 8 * s4, t1i[3])
        t2i = _sum(bi, bil, dbi, ei, eil, dei, 1.0, ctx, rne, dd, ev + 8 * s1 + 1, t2r[3])
        t3r = _sum(br, brl, dbr, er, erl, der, -1.0, ctx, rne, dd, ev + 8 * s8 + 1, t2i[3])
        t3i = _sum(bi, bil, dbi, ei, eil, dei, -1.0, ctx, rne, dd, ev + 8 * s2 + 1, t3r[3])
        acc = t3i[3]
        o1 = _sum(t0r[0], t0r[1], t0r[2], t2r[0], t2r[1], t2r[2], 1.0, ctx, rne, dd,
                  ev + 8 * s1 + 6, acc)  # fmt: skip
        o8 = _sum(t0i[0], t0i[1], t0i[2], t2i[0], t2i[1], t2i[2], 1.0, ctx, rne, dd,
                  ev + 8 * s8 + 6, o1[3])  # fmt: skip
        o4 = _sum(t0r[0], t0r[1], t0r[2], t2r[0], t2r[1], t2r[2], -1.0, ctx, rne, dd,
                  ev + 8 * s4 + 6, o8[3])  # fmt: skip
        o5 = _sum(t2i[0], t2i[1], t2i[2], t0i[0], t0i[1], t0i[2], -1.0, ctx, rne, dd,
                  ev + 8 * s5 + 6, o4[3])  # fmt: skip
        o3 = _sum(t1r[0], t1r[1], t1r[2], t3i[0], t3i[1], t3i[2], 1.0, ctx, rne, dd,
                  ev + 8 * s3 + 6, o5[3])  # fmt: skip
        o6 = _sum(t1i[0], t1i[1], t1i[2], t3r[0], t3r[1], t3r[2], -1.0, ctx, rne, dd,
                  ev + 8 * s6 + 6, o3[3])  # fmt: skip
        o2 = _sum(t1r[0], t1r[1], t1r[2], t3i[0], t3i[1], t3i[2], -1.0, ctx, rne, dd,
                  ev + 8 * s2 + 6, o6[3])  # fmt: skip
        o7 = _sum(-t1i[0], -t1i[1], -t1i[2], t3r[0], t3r[1], t3r[2], -1.0, ctx, rne, dd,
                  ev + 8 * s7 + 6, o2[3])  # fmt: skip
        acc = o7[3]
        _put(xh, xl, dl, s1, o1[0], o1[1], o1[2])
        _put(xh, xl, dl, s2, o2[0], o2[1], o2[2])
        _put(xh, xl, dl, s3, o3[0], o3[1], o3[2])
        _put(xh, xl, dl, s4, o4[0], o4[1], o4[2])
        _put(xh, xl, dl, s5, o5[0], o5[1], o5[2])
        _put(xh, xl, dl, s6, o6[0], o6[1], o6[2])
        _put(xh, xl, dl, s7, o7[0], o7[1], o7[2])
        _put(xh, xl, dl, s8, o8[0], o8[1], o8[2])
    return acc


@njit(cache=True, **_INNER)
def _half(a, al, da, b, bl, db, sg, ctx, rne, dd, ev, acc):
    """``(a + sg b) / 2``: the sum rounded (event ``ev``), then halved and rounded
    (``ev + 1``), as :func:`inv_stage` does; with its stage error."""
    return _out(_add(a, al, sg * b, sg * bl, rne), da + sg * db, True, ctx, rne, dd, ev, acc)


@njit(cache=True, **_INNER)
def _unmiddle(xh, xl, dl, j1, j3, j5, j7, sa, r, ctx, rne, dd, ev, acc):
    """The inverse of :func:`_middle`: ``a = (X_e + conj X_3e) / 2``, ``that = (X_e -
    conj X_3e) / 2`` and ``z, z' = r (pa + pb), r (pb - pa)`` (``1 / (2 r) = r``)."""
    x1, x1l, x3, x3l = xh[j1], _ld(xl, j1), xh[j3], _ld(xl, j3)
    x5, x5l, x7, x7l = xh[j5], _ld(xl, j5), xh[j7], _ld(xl, j7)
    ar, arl, dar, acc = _half(x1, x1l, 0.0, x3, x3l, 0.0, 1.0, ctx, rne, dd, ev + 8 * j1, acc)
    pa, pal, dpa, acc = _half(x1, x1l, 0.0, x3, x3l, 0.0, -1.0, ctx, rne, dd, ev + 8 * j1 + 2, acc)
    ai, ail, dai, acc = _half(x7, x7l, 0.0, x5, x5l, 0.0, -1.0, ctx, rne, dd, ev + 8 * j3, acc)
    pb, pbl, dpb, acc = _half(-x7, -x7l, 0.0, x5, x5l, 0.0, -1.0, ctx, rne, dd,
                              ev + 8 * j3 + 2, acc)  # fmt: skip
    s_, sl, ds, acc = _sum(pa, pal, dpa, pb, pbl, dpb, 1.0, ctx, rne, dd, ev + 8 * j5, acc)
    t_, tl, dt, acc = _sum(pb, pbl, dpb, pa, pal, dpa, -1.0, ctx, rne, dd, ev + 8 * j7, acc)
    z, zl, d1, acc = _r(_mul(s_, sl, r, rne), ctx, rne, dd, ev + 8 * j5 + 1, acc)
    z3, z3l, d2, acc = _r(_mul(t_, tl, r, rne), ctx, rne, dd, ev + 8 * j7 + 1, acc)
    _put(xh, xl, dl, j1, ar, arl, dar)
    _put(xh, xl, dl, j3, sa * ai, sa * ail, sa * dai)
    _put(xh, xl, dl, j5, z, zl, r * ds + d1)
    _put(xh, xl, dl, j7, z3, z3l, r * dt + d2)
    return acc


@njit(cache=True, **_INNER)
def _unrot(ar, arl, dar, ai, ail, dai, c, s, ctx, rne, dd, ev, acc):
    """``conj(c - i s) a`` in :func:`inv_stage`'s order (events ``ev .. ev + 5``)."""
    zr, zrl, dzr, acc = _rot(ar, arl, dar, ai, ail, dai, c, s, -1.0, ctx, rne, dd, ev, acc)
    zi, zil, dzi, acc = _rot(ai, ail, dai, ar, arl, dar, c, s, 1.0, ctx, rne, dd, ev + 3, acc)
    return zr, zrl, dzr, zi, zil, dzi, acc


@njit(cache=True, **_INNER)
def _unsplit_block(xh, xl, i, L, C, S, ctx, rne, dd, ev, acc, dl):
    """The exact inverse of :func:`_split_block` (halving built in): ``U_k, P = (X_k +-
    X_{k+L/2}) / 2``, ``U_{k+L/4}, -i M = (X_{k+L/4} +- X_{k+3L/4}) / 2``, then
    ``Z_k = conj(w^k) (P + M) / 2`` and ``Z'_k = conj(w^3k) (P - M) / 2``."""
    if L == 2:
        return _pair(xh, xl, dl, i, True, ctx, rne, dd, ev + 8 * i, acc)
    h = L >> 1
    q = h >> 1
    e = q >> 1
    j0, jh, j3 = i, i + h, i + 3 * q
    x0, x0l, xh_, xhl, x3, x3l = xh[j0], _ld(xl, j0), xh[jh], _ld(xl, jh), xh[j3], _ld(xl, j3)
    u0, u0l, du, acc = _half(x0, x0l, 0.0, xh_, xhl, 0.0, 1.0, ctx, rne, dd, ev + 8 * j0, acc)
    p, pl, dp, acc = _half(x0, x0l, 0.0, xh_, xhl, 0.0, -1.0, ctx, rne, dd, ev + 8 * j0 + 2, acc)
    z, zl, dz, acc = _half(p, pl, dp, x3, x3l, 0.0, -1.0, ctx, rne, dd, ev + 8 * jh, acc)
    z3, z3l, dz3, acc = _half(p, pl, dp, x3, x3l, 0.0, 1.0, ctx, rne, dd, ev + 8 * j3, acc)
    _put(xh, xl, dl, j0, u0, u0l, du)
    _put(xh, xl, dl, jh, z, zl, dz)
    _put(xh, xl, dl, j3, z3, z3l, dz3)
    if e:
        acc = _unmiddle(xh, xl, dl, i + e, i + 3 * e, i + 5 * e, i + 7 * e, 1.0, C[q + e], ctx,
                        rne, dd, ev, acc)  # fmt: skip
    for k in range(1, e):
        s1, s2, s3, s4 = i + k, i + h - k, i + q - k, i + q + k
        s5, s6, s7, s8 = i + h + k, i + 3 * q - k, i + 3 * q + k, i + L - k
        x1, x1l, x2, x2l = xh[s1], _ld(xl, s1), xh[s2], _ld(xl, s2)
        x3, x3l, x4, x4l = xh[s3], _ld(xl, s3), xh[s4], _ld(xl, s4)
        x5, x5l, x6, x6l = xh[s5], _ld(xl, s5), xh[s6], _ld(xl, s6)
        x7, x7l, x8, x8l = xh[s7], _ld(xl, s7), xh[s8], _ld(xl, s8)
        ur = _half(x1, x1l, 0.0, x2, x2l, 0.0, 1.0, ctx, rne, dd, ev + 8 * s1, acc)
        pr = _half(x1, x1l, 0.0, x2, x2l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s1 + 2, ur[3])
        ui = _half(x8, x8l, 0.0, x5, x5l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s2, pr[3])
        pi = _half(x8, x8l, 0.0, x5, x5l, 0.0, 1.0, ctx, rne, dd, ev + 8 * s2 + 2, ui[3])
        vr = _half(x4, x4l, 0.0, x3, x3l, 0.0, 1.0, ctx, rne, dd, ev + 8 * s3, pi[3])
        mi = _half(x4, x4l, 0.0, x3, x3l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s3 + 2, vr[3])
        vi = _half(x7, x7l, 0.0, x6, x6l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s4, mi[3])
        mr = _half(-x6, -x6l, 0.0, x7, x7l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s4 + 2, vi[3])
        ar = _half(pr[0], pr[1], pr[2], mr[0], mr[1], mr[2], 1.0, ctx, rne, dd, ev + 8 * s5, mr[3])
        ai = _half(pi[0], pi[1], pi[2], mi[0], mi[1], mi[2], 1.0, ctx, rne, dd, ev + 8 * s6, ar[3])
        br = _half(pr[0], pr[1], pr[2], mr[0], mr[1], mr[2], -1.0, ctx, rne, dd, ev + 8 * s7,
                   ai[3])  # fmt: skip
        bi = _half(pi[0], pi[1], pi[2], mi[0], mi[1], mi[2], -1.0, ctx, rne, dd, ev + 8 * s8,
                   br[3])  # fmt: skip
        c1, n1 = C[q + k], S[q + k]
        c3, n3 = _tw(C, S, q, 3 * k)
        zr, zrl, dzr, zi, zil, dzi, acc = _unrot(ar[0], ar[1], ar[2], ai[0], ai[1], ai[2], c1, n1,
                                                 ctx, rne, dd, ev + 8 * s5 + 2, bi[3])  # fmt: skip
        wr, wrl, dwr, wi, wil, dwi, acc = _unrot(br[0], br[1], br[2], bi[0], bi[1], bi[2], c3, n3,
                                                 ctx, rne, dd, ev + 8 * s7 + 2, acc)  # fmt: skip
        _put(xh, xl, dl, s1, ur[0], ur[1], ur[2])
        _put(xh, xl, dl, s2, ui[0], ui[1], ui[2])
        _put(xh, xl, dl, s3, vr[0], vr[1], vr[2])
        _put(xh, xl, dl, s4, vi[0], vi[1], vi[2])
        _put(xh, xl, dl, s5, zr, zrl, dzr)
        _put(xh, xl, dl, s6, zi, zil, dzi)
        _put(xh, xl, dl, s7, wr, wrl, dwr)
        _put(xh, xl, dl, s8, wi, wil, dwi)
    return acc


@njit(cache=True, **_INNER)
def _unradix4_block(xh, xl, i, L, C, S, ctx, rne, dd, ev, acc, dl):
    """The exact inverse of :func:`_radix4_block` (halving built in): ``T0, T2 = (X_k
    +- X_{k+L/2}) / 2``, ``T1, -i T3 = (X_{k+L/4} +- X_{k+3L/4}) / 2``, then ``F0, w^2k
    F2 = (T0 +- T1) / 2`` and ``w^k F1, w^3k F3 = (T2 +- T3) / 2``, untwiddled by the
    conjugates; ``L = 2``: :func:`inv_stage`'s length-2 stage."""
    if L == 2:
        return _pair(xh, xl, dl, i, True, ctx, rne, dd, ev + 8 * i, acc)
    h = L >> 1
    q = h >> 1
    e = q >> 1
    j0, jq, jh, j3 = i, i + q, i + h, i + 3 * q
    x0, x0l, xq, xql = xh[j0], _ld(xl, j0), xh[jq], _ld(xl, jq)
    xh_, xhl, x3, x3l = xh[jh], _ld(xl, jh), xh[j3], _ld(xl, j3)
    t0, t0l, d0, acc = _half(x0, x0l, 0.0, xh_, xhl, 0.0, 1.0, ctx, rne, dd, ev + 8 * j0, acc)
    t2, t2l, d2, acc = _half(x0, x0l, 0.0, xh_, xhl, 0.0, -1.0, ctx, rne, dd, ev + 8 * jh, acc)
    f0, f0l, g0, acc = _half(t0, t0l, d0, xq, xql, 0.0, 1.0, ctx, rne, dd, ev + 8 * j0 + 2, acc)
    f2, f2l, g2, acc = _half(t0, t0l, d0, xq, xql, 0.0, -1.0, ctx, rne, dd, ev + 8 * jq, acc)
    f1, f1l, g1, acc = _half(t2, t2l, d2, x3, x3l, 0.0, -1.0, ctx, rne, dd, ev + 8 * jh + 2, acc)
    f3, f3l, g3, acc = _half(t2, t2l, d2, x3, x3l, 0.0, 1.0, ctx, rne, dd, ev + 8 * j3, acc)
    _put(xh, xl, dl, j0, f0, f0l, g0)
    _put(xh, xl, dl, jq, f2, f2l, g2)
    _put(xh, xl, dl, jh, f1, f1l, g1)
    _put(xh, xl, dl, j3, f3, f3l, g3)
    if e:
        acc = _unmiddle(xh, xl, dl, i + e, i + 3 * e, i + 5 * e, i + 7 * e, -1.0, C[q + e], ctx,
                        rne, dd, ev, acc)  # fmt: skip
    for k in range(1, e):
        s1, s2, s3, s4 = i + k, i + q - k, i + q + k, i + h - k
        s5, s6, s7, s8 = i + h + k, i + 3 * q - k, i + 3 * q + k, i + L - k
        x1, x1l, x2, x2l = xh[s1], _ld(xl, s1), xh[s2], _ld(xl, s2)
        x3, x3l, x4, x4l = xh[s3], _ld(xl, s3), xh[s4], _ld(xl, s4)
        x5, x5l, x6, x6l = xh[s5], _ld(xl, s5), xh[s6], _ld(xl, s6)
        x7, x7l, x8, x8l = xh[s7], _ld(xl, s7), xh[s8], _ld(xl, s8)
        t0r = _half(x1, x1l, 0.0, x4, x4l, 0.0, 1.0, ctx, rne, dd, ev + 8 * s1, acc)
        t2r = _half(x1, x1l, 0.0, x4, x4l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s1 + 2, t0r[3])
        t0i = _half(x8, x8l, 0.0, x5, x5l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s8, t2r[3])
        t2i = _half(x8, x8l, 0.0, x5, x5l, 0.0, 1.0, ctx, rne, dd, ev + 8 * s8 + 2, t0i[3])
        t1r = _half(x3, x3l, 0.0, x2, x2l, 0.0, 1.0, ctx, rne, dd, ev + 8 * s3, t2i[3])
        t3i = _half(x3, x3l, 0.0, x2, x2l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s3 + 2, t1r[3])
        t1i = _half(x6, x6l, 0.0, x7, x7l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s6, t3i[3])
        t3r = _half(-x6, -x6l, 0.0, x7, x7l, 0.0, -1.0, ctx, rne, dd, ev + 8 * s6 + 2, t1i[3])
        a_r = _half(t0r[0], t0r[1], t0r[2], t1r[0], t1r[1], t1r[2], 1.0, ctx, rne, dd,
                    ev + 8 * s1 + 4, t3r[3])  # fmt: skip
        a_i = _half(t0i[0], t0i[1], t0i[2], t1i[0], t1i[1], t1i[2], 1.0, ctx, rne, dd,
                    ev + 8 * s2, a_r[3])  # fmt: skip
        c_r = _half(t0r[0], t0r[1], t0r[2], t1r[0], t1r[1], t1r[2], -1.0, ctx, rne, dd,
                    ev + 8 * s3 + 4, a_i[3])  # fmt: skip
        c_i = _half(t0i[0], t0i[1], t0i[2], t1i[0], t1i[1], t1i[2], -1.0, ctx, rne, dd,
                    ev + 8 * s4, c_r[3])  # fmt: skip
        b_r = _half(t2r[0], t2r[1], t2r[2], t3r[0], t3r[1], t3r[2], 1.0, ctx, rne, dd,
                    ev + 8 * s5, c_i[3])  # fmt: skip
        b_i = _half(t2i[0], t2i[1], t2i[2], t3i[0], t3i[1], t3i[2], 1.0, ctx, rne, dd,
                    ev + 8 * s6 + 4, b_r[3])  # fmt: skip
        d_r = _half(t2r[0], t2r[1], t2r[2], t3r[0], t3r[1], t3r[2], -1.0, ctx, rne, dd,
                    ev + 8 * s7, b_i[3])  # fmt: skip
        d_i = _half(t2i[0], t2i[1], t2i[2], t3i[0], t3i[1], t3i[2], -1.0, ctx, rne, dd,
                    ev + 8 * s8 + 4, d_r[3])  # fmt: skip
        c1, n1 = C[q + k], S[q + k]
        c2, n2 = C[q + 2 * k], S[q + 2 * k]
        c3, n3 = _tw(C, S, q, 3 * k)
        f2r, f2rl, g2r, f2i, f2il, g2i, acc = _unrot(c_r[0], c_r[1], c_r[2], c_i[0], c_i[1],
                                                     c_i[2], c2, n2, ctx, rne, dd, ev + 8 * s4 + 2,
                                                     d_i[3])  # fmt: skip
        f1r, f1rl, g1r, f1i, f1il, g1i, acc = _unrot(b_r[0], b_r[1], b_r[2], b_i[0], b_i[1],
                                                     b_i[2], c1, n1, ctx, rne, dd, ev + 8 * s5 + 2,
                                                     acc)  # fmt: skip
        f3r, f3rl, g3r, f3i, f3il, g3i, acc = _unrot(d_r[0], d_r[1], d_r[2], d_i[0], d_i[1],
                                                     d_i[2], c3, n3, ctx, rne, dd, ev + 8 * s7 + 2,
                                                     acc)  # fmt: skip
        _put(xh, xl, dl, s1, a_r[0], a_r[1], a_r[2])
        _put(xh, xl, dl, s2, a_i[0], a_i[1], a_i[2])
        _put(xh, xl, dl, s3, f2r, f2rl, g2r)
        _put(xh, xl, dl, s4, f2i, f2il, g2i)
        _put(xh, xl, dl, s5, f1r, f1rl, g1r)
        _put(xh, xl, dl, s6, f1i, f1il, g1i)
        _put(xh, xl, dl, s7, f3r, f3rl, g3r)
        _put(xh, xl, dl, s8, f3i, f3il, g3i)
    return acc


@njit(cache=True, **_INNER)
def block_level(xh, xl, kind, L, O, C, S, ctx, rne, ev, st, dl, sr, r4, isr, ir4):
    """One level of the split-radix (``kind`` SPLIT) or radix-4 (RADIX4) FFT, or of
    their inverses (ISPLIT, IRADIX4): the blocks of length ``L`` at the offsets
    ``O``, every operation rounded. Slots no block of the level touches keep a zero
    stage error. ``sr``, ``r4``, ``isr``, ``ir4``: a marker per kind, True where the
    plan has such levels, else None: numba prunes the branches on None arguments at
    compile time, so that a split-radix rdfft compiles no radix-4 or inverse block."""
    acc = _start(dl)
    dd = _dd(xl)
    for b in range(O.size):
        i = O[b]
        if kind == _steps.SPLIT and sr is not None:
            acc = _split_block(xh, xl, i, L, C, S, ctx, rne, dd, ev, acc, dl)
        elif kind == _steps.RADIX4 and r4 is not None:
            acc = _radix4_block(xh, xl, i, L, C, S, ctx, rne, dd, ev, acc, dl)
        elif kind == _steps.ISPLIT and isr is not None:
            acc = _unsplit_block(xh, xl, i, L, C, S, ctx, rne, dd, ev, acc, dl)
        elif kind == _steps.IRADIX4 and ir4 is not None:
            acc = _unradix4_block(xh, xl, i, L, C, S, ctx, rne, dd, ev, acc, dl)
    _flush(st, acc)


def _row(X, r):
    """Row ``r`` of ``X``, or None where ``X`` is."""


@overload(_row)
def _row_variant(X, r):
    if isinstance(X, types.NoneType):
        return lambda X, r: None
    return lambda X, r: X[r]


@njit(cache=True, **_INNER)
def run_row(xh, xl, plan, C, S, TC, TS, consts, R, fwd, inv, wht, O, lv, ctx, rne, ev0, ST, DL):
    """Run every step of ``plan`` on one row. ``ST[s]`` gathers the statistics of
    error stage ``s`` and (when tracking) ``DL[s]`` receives its stage errors; random
    words of stage ``s`` are keyed from ``ev0 + 8 n s``. The steps the plan lacks are
    None (``fwd``, ``inv``, ``wht``, whose stages run where they are True; the twist
    tables ``TC``, ``TS``; the constants of a scaling; ``O``, the block offsets of
    split-radix and radix-4 levels, and ``lv`` their kinds' markers, see
    :func:`block_level`):
    numba then leaves their kernels out, and compiles them when a plan needs them."""
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
        elif k >= _steps.SPLIT and O is not None:
            block_level(xh, xl, k, a, O[b:flag], C, S, ctx, rne, ev0 + 8 * n * s, ST[s],
                        _row(DL, s), lv[0], lv[1], lv[2], lv[3])  # fmt: skip
            s += 1


@njit(cache=True, **_INNER)
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


@njit(cache=True, **_INNER)
def _run_one(r, XH, XL, plan, tabs, steps, P, key, rne, ST, DL):
    n = XH.shape[1]
    ev0 = 8 * n * ST.shape[1] * r
    C, S, TC, TS, consts, R = tabs
    fwd, inv, wht, O, sr, r4, isr, ir4 = steps
    ctx = (_param_tuple(P), key)
    lv = (sr, r4, isr, ir4)
    run_row(XH[r], _row(XL, r), plan, C, S, TC, TS, consts, R, fwd, inv, wht, O, lv, ctx,
            _rne_tuple(rne), ev0, ST[r], _row(DL, r))  # fmt: skip


@njit(cache=True, nogil=True)
def run_rows_serial(XH, XL, plan, C, S, TC, TS, consts, R, steps, P, key, rne, ST, DL, lo, hi):
    """:func:`run_row` on the rows ``lo .. hi``. ``XL`` (the low parts) is an array in
    DD only and ``DL`` (one row of stage errors per data row) when tracking, None
    otherwise; ``rne`` (float64 ``(1, addexp, msub, 2 max, max)``, or zeros: off) in
    FAST only. ``steps``: ``(fwd, inv, wht, O, *lv)``, each True (``O``: the block
    offsets) where the plan has such steps, else None (see :func:`run_row`), as are
    the tables of steps it lacks. Each row's random words are keyed by its index, so
    :func:`numerics._core.jit.run_rows` may split the rows over threads (a numba
    parallel loop around this was a kernel of its own to compile)."""
    tabs = (C, S, TC, TS, consts, R)
    for r in range(lo, hi):
        _run_one(np.int64(r), XH, XL, plan, tabs, steps, P, key, rne, ST, DL)
