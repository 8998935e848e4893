"""numba kernels: the emulated transforms with the rows of a batch as vector lanes.

:mod:`._tracked` runs one row at a time, one operation after another; its rounding
branches on every value, and two of a butterfly's four streams walk backwards, so
nothing vectorises. Here a chunk of ``W`` rows is transposed into an ``(n, W)`` block,
whose slot ``j`` holds element ``j`` of every row side by side: each butterfly then
runs the same operations, with the same twiddle, on ``W`` contiguous lanes, and the
rounding of each operation is branch-free integer arithmetic on the float64 bits
(:func:`_round_bits`), which the compiler vectorises.

The branch-free rounding covers zero, the subnormal range down to the smallest
subnormal, the values below it, and the normal range up to the format's largest
value, in every rounding mode. What lies outside (overflow, Inf and NaN, unsigned
formats' negatives, formats without subnormals) marks the butterfly *bad*, and its
whole chunk of rows is left as it was: :func:`numerics.transforms._engine.execute`
runs those rows again on :mod:`._tracked`'s row kernels, so the lane kernels carry no
compiled copy of the exact scalar rounding (which, linked into every level of them,
made their first compilation take about 26 s of CPU). With a storage format (which
the row kernels lack) a bad butterfly instead runs again in place with the exact
scalar rounding: each stage reads one block and writes another, so its inputs are
intact. The results
are those of :mod:`._tracked` bit for bit: the same operations in the same order, the
same random words (keyed by row, stage, slot and operation: independent of ``W`` and
of threads), and the statistics accumulated in the same order.

Six lane roundings, chosen by the constants' tuple (see :func:`_k_tuple`):
:func:`_round_bits` (every mode, subnormals, nearest rounding below them),
:func:`_round_sr` (stochastic rounding alone, subnormals and the values below them
included), :func:`_round_normal` (nearest and stochastic rounding of zero and normal
values, for wide-exponent formats), :func:`_round_magic` (nearest even by the
rows' magic constant, subnormals included), :func:`_round_magic32` (the same in
float32) and :func:`_round_shift32` (nearest even in float32 by integer arithmetic,
for the formats with float32's exponent field: bfloat16). With the last two, the
lane blocks and the tables are float32 (the block's dtype is the tables'): a vector
then holds twice the lanes, and the results are the float64 ones (see
:func:`numerics.transforms._engine._single_lanes` for why).

The lane loops take scalars and tuples only: an array argument (the constants, the
parameters, per-lane keys) costs reference counting on every call, and the loops
would not vectorise. The roundings are compiled once each and inlined by LLVM
(``forceinline``): inlined by numba instead (``inline="always"``), each call site
was typed again, about 0.5 s of CPU a site, and the first lane call compiled for 27
s. They are branch-free by masks, and written so that LLVM's vectoriser takes them
(a comparison that became an overflow intrinsic once kept the stochastic loops
scalar). The statistics counting, which branches, is not inlined (numba-inlined, it
lost counts: the stochastic mismatch of the first fast version).

:func:`numerics.transforms._engine.use_lanes` decides where the lanes run (every
stochastic and directed mode; nearest rounding from 8 rows); measured figures are
printed by ``python benchmarks/transforms.py --emulated``.

Variants are chosen by argument types, as in :mod:`._tracked`: ``fast`` (FAST: one
float64 operation then a rounding; None for EXACT and DD), ``normal`` (None, True
or the magic constants: which rounding, see :func:`_k_tuple`), ``dd`` (double-double, no
rounding), ``slow`` (the scalar rounding), ``KG`` (the per-lane random keys; None
unless stochastic), ``XL`` (low parts; None unless DD), ``DL`` (stage errors; None
unless tracking).
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload

from .._core.eft import fast_two_sum, two_sum
from .._core.jit import njit
from .._core.params import (
    P_M,
    P_NEGZERO,
    P_SIGNED,
    P_SRBITS,
    P_SUBN,
    RDOWN,
    RNA,
    RNE,
    RODD,
    RSR,
    RSREQ,
    RUP,
)
from .._core.random_words import GOLDEN, mix64
from .._core.rounding import rne_magnitude, round_sum, round_value
from . import _steps
from ._tracked import _add, _ld, _mul, _param_tuple, _put, _row

# The roundings and the helpers around them: compiled once per signature by numba and
# inlined by LLVM (alwaysinline), see the module docstring.
_FORCE = {"forceinline": True, "no_cpython_wrapper": True, "no_cfunc_wrapper": True}
_FORCE_OVERLOAD = {"forceinline": True, "error_model": "numpy"}

_ABS = np.int64(0x7FFFFFFFFFFFFFFF)
_U1 = np.uint64(1)
_U63 = np.uint64(63)
_U64 = np.uint64(64)

# Slots of the lane-rounding constants (see :func:`lane_constants`).
K_LEN = 15


def lane_constants(fmt, mode_code: int, P: np.ndarray) -> np.ndarray | None:
    """The constants of :func:`_round_bits` for ``fmt`` and the rounding of ``P``, or
    None where the branch-free rounding does not apply (formats without a zero or
    fraction bits, or above 50 fraction bits other than float64 itself)."""
    m = fmt.mbits
    ident = m == 52 and fmt.emin == -1022
    if (not ident and not (1 <= m <= 50 and fmt.zero)) or P[P_SRBITS] != 64:
        return None
    K = np.zeros(K_LEN, dtype=np.int64)
    K[0] = ident
    K[1] = 52 - m
    K[2] = fmt.emin
    K[3] = m
    K[4] = np.array(min(fmt.max, np.finfo(np.float64).max)).view(np.int64)
    K[5] = P[P_SUBN]
    K[6] = -1 if P[P_NEGZERO] else 0
    K[7] = P[P_SIGNED]
    K[8] = -1 if mode_code == RNE else 0
    K[9] = -1 if mode_code == RNA else 0
    K[10] = -1 if mode_code == RUP else 0
    K[11] = -1 if mode_code == RDOWN else 0
    K[12] = -1 if mode_code == RSR else 0
    K[13] = mode_code == RODD
    K[14] = mode_code == RSREQ
    return K


@njit(cache=True, error_model="numpy", **_FORCE)
def _tiny_draw(ab, E, R, emin, m):
    """1 where the stochastic rounding of the magnitude ``ab`` (bits, exponent ``E``),
    below the format's smallest subnormal, goes up to it, else 0: up with probability
    the value over that subnormal, by the draw of round_up (the remainder ``t``
    scaled to 64 bits, up where ``R + t`` carries out)."""
    Ec = max(E, -1022)
    sig = np.uint64((ab & ((np.int64(1) << 52) - 1)) | (np.int64(E > -1023) << 52))
    dd = emin - m - (Ec - 52)
    t = (sig << np.uint64(max(64 - dd, 0))) >> np.uint64(min(max(dd - 64, 0), 63))
    # the carry out of R + t, by halves: written as R >= ~t + 1, it became an overflow
    # intrinsic that kept the lane loops from vectorising
    return np.int64(((R >> _U1) + (t >> _U1) + (R & t & _U1)) >> _U63)


# with a Python entry point (as _round_sr): the tests call it on scalars
@njit(cache=True, error_model="numpy", forceinline=True)
def _round_bits(x, R, K):
    """``x`` rounded into the format by integer arithmetic on its bits, with no branch:
    ``(value, bad)``, where ``bad`` says the value lies outside what this covers (the
    value is then meaningless). ``R``: the random word (stochastic modes)."""
    ident, D, emin, m, maxbits, subn, negz, signed = K[0], K[1], K[2], K[3], K[4], K[5], K[6], K[7]
    m_rne, m_rna, m_up, m_dn, m_sr, odd, sreq = K[8], K[9], K[10], K[11], K[12], K[13], K[14]
    b = np.float64(x).view(np.int64)
    ab = b & _ABS
    sign = b ^ ab
    E = (ab >> 52) - 1023
    # the dropped bits: 52 - m in the normal range, more below it (subnormals)
    d = min(D + max(emin - E, 0), 52)
    low = (np.int64(1) << d) - 1
    half = np.int64(1) << (d - 1)
    negm = sign >> 63
    # the kept code's parity: its last kept bit, except at the smallest subnormal
    # (d = 52: no fraction bit kept, the code is 1 whatever the exponent's parity)
    top = np.int64(d == 52)
    inc = ((half - 1 + (((ab >> d) & 1) | top)) & m_rne) + (half & m_rna)
    inc += low & ((m_up & ~negm) | (m_dn & negm))
    inc += np.int64(R >> (_U64 - np.uint64(d))) & m_sr
    trunc = ab & ~low
    inexact = np.int64((ab & low) != 0)
    # the modes and special values by masks, not branches: numba inlines this into
    # every lane loop, and its inliner mishandles branches there
    om = -odd
    sm = -sreq
    r = ((ab + inc) & ~low & ~(om | sm)) | ((trunc | ((inexact & (1 - top)) << d)) & om)
    r |= (trunc + ((inexact & np.int64(R >> _U63)) << d)) & sm
    nz = ab != 0
    # below the smallest subnormal (d is then 52, too few): the result is that
    # subnormal or zero, as round_one decides it with the truncated code 0 and every
    # bit dropped (``dd`` of them, the value's significand ``sig`` the remainder)
    tiny = (E < emin - m) & nz
    sub = (emin - m + 1023) << 52
    hsub = sub - (np.int64(1) << 52)
    up = (np.int64(ab > hsub) & m_rne) | (np.int64(ab >= hsub) & m_rna)
    up |= 1 & ((m_up & ~negm) | (m_dn & negm))
    up |= odd | (np.int64(R >> _U63) & sreq)
    up |= _tiny_draw(ab, E, R, emin, m) & m_sr
    tm = -np.int64(tiny)
    r = (sub & -up & tm) | (r & ~tm)
    bad = (r > maxbits) | ((E < emin) & (subn == 0) & nz)
    bad |= (sign != 0) & (signed == 0)
    zm = -np.int64(r == 0)
    out = (sign & negz & zm) | ((r | sign) & ~zm)
    # float64 itself: the value as it is, bad where not finite
    im = -ident
    v = np.int64((b & im) | (out & ~im)).view(np.float64)
    return v, (bad & (ident == 0)) | ((ident != 0) & (x - x != 0))


@njit(cache=True, error_model="numpy", **_FORCE)
def _round_normal(x, R, K):
    """:func:`_round_bits` in nearest even, nearest away or stochastic rounding,
    covering zero and the normal range only (signed formats with a signed zero):
    ``(value, bad)``, subnormals and overflow bad. A third of the operations, for the
    wide-exponent formats, whose transform values are rarely subnormal."""
    D, emin, maxbits, m_rne, m_rna, m_sr = K[1], K[2], K[4], K[8], K[9], K[12]
    b = np.float64(x).view(np.int64)
    ab = b & _ABS
    half = np.int64(1) << (D - 1)
    inc = ((half - 1 + ((ab >> D) & 1)) & m_rne) + (half & m_rna)
    inc += np.int64(R >> (_U64 - np.uint64(D))) & m_sr
    r = (ab + inc) & ~((np.int64(1) << D) - 1)
    # zero rounds to itself: inc stays below the kept bits
    bad = ((ab < ((emin + 1023) << 52)) & (ab != 0)) | (r > maxbits)
    return np.int64(r | (b ^ ab)).view(np.float64), bad


@njit(cache=True, error_model="numpy", forceinline=True)
def _round_sr(x, R, K):
    """:func:`_round_bits` in stochastic rounding alone, into a signed format with a
    signed zero and subnormals: ``(value, bad)``, bad above the format's largest value
    (and for Inf and NaN). Subnormals and the values below them stay on the lanes
    (narrow formats meet them in every transform), at about half the operations of
    the general rounding."""
    D, emin, m, maxbits = K[1], K[2], K[3], K[4]
    b = np.float64(x).view(np.int64)
    ab = b & _ABS
    E = (ab >> 52) - 1023
    d = min(D + max(emin - E, 0), 52)
    r = (ab + np.int64(R >> (_U64 - np.uint64(d)))) & ~((np.int64(1) << d) - 1)
    # below the smallest subnormal (zero included): that subnormal or zero
    up = _tiny_draw(ab, E, R, emin, m)
    tm = -np.int64(E < emin - m)
    r = (((emin - m + 1023) << 52) & -up & tm) | (r & ~tm)
    return np.int64(r | (b ^ ab)).view(np.float64), r > maxbits


@njit(cache=True, error_model="numpy", **_FORCE)
def _round_magic(x, K):
    """:func:`_round_bits` for nearest even into a signed format with a signed zero and
    subnormals, by the rows' magic constant (:func:`rne_magnitude`): ``(value, bad)``,
    bad above the format's largest value (or beyond twice it, where the constant no
    longer serves) and for Inf and NaN. The float64 adder does the rounding."""
    b = np.float64(x).view(np.int64)
    ab = b & _ABS
    r = np.float64(rne_magnitude(np.int64(ab).view(np.float64), K[15],
                                 np.int64(K[16]).view(np.float64))).view(np.int64)  # fmt: skip
    return np.int64(r | (b ^ ab)).view(np.float64), (r > K[4]) | (ab > K[17])


@njit(cache=True, error_model="numpy", **_FORCE)
def _round_magic32(x, K):
    """:func:`_round_magic` in float32, for the float32 lane blocks of
    :func:`numerics.transforms._engine.single_lanes`: ``x`` (a float32, or a float64
    that one float32 rounding takes to it) rounded to nearest even into a format of at
    most 11 significant bits. The float32 rounding first is innocuous there: the
    operands are format values, and 24 >= 2 p + 2 bits (Figueroa, "When is double
    rounding innocuous?", 1995). Bad above the format's largest value, for Inf and
    NaN, and where the adder would leave float32's range (the constants' limit)."""
    # numba widens int32 arithmetic to int64: np.int32 brings each result back, the
    # constants too, so that LLVM runs the lanes as 32-bit integers (the int32 sum
    # wraps where the int64 one, truncated, would: the same bits)
    b = np.float32(x).view(np.int32)
    ab = np.int32(b & np.int32(0x7FFFFFFF))
    e = np.int32(np.int32(ab & np.int32(0x7F800000)) + np.int32(K[15]))
    M = np.int32(e | np.int32(1 << 22)).view(np.float32)
    M = max(M, np.int32(K[16]).view(np.float32))
    r = np.float32((np.int32(ab).view(np.float32) + M) - M).view(np.int32)
    bad = (r > np.int32(K[18])) | (ab > np.int32(K[17]))
    return np.int32(r | np.int32(b ^ ab)).view(np.float32), bad


@njit(cache=True, error_model="numpy", **_FORCE)
def _round_shift32(x, K):
    """:func:`_round_magic32` for a format with float32's exponent field (the same
    smallest normal and largest binade: bfloat16), by integer arithmetic on the float32
    bits: add half an ulp less one, and the last kept bit, then clear the dropped bits.
    A carry runs into the exponent field, as the value's does: a significand that
    rounds up to the next binade, a subnormal up to the smallest normal, a value past
    the largest to infinity. Six 32-bit integer operations where the magic constant
    takes ten (measured: bfloat16 rdfft of 64 x 1024 in 0.78 ms against 0.97 ms by
    the magic constant, one thread). Bad where the value rounds above the format's
    largest (its magnitude above the limit ``K[18]``), and for Inf and NaN."""
    b = np.float32(x).view(np.int32)
    # on the signed bits: a negative value's carries run as a positive one's (its
    # magnitude bits lie below the sign bit, in two's complement as in the encoding).
    # Every result back to int32 (numba widens int32 arithmetic to int64), the last
    # kept bit by a mask, not a shift: LLVM then runs the lanes as 32-bit integers
    # (a right shift, whose low bits depend on the high ones, kept them 64-bit)
    odd = np.int32(np.int32(b & np.int32(K[15])) != 0)
    r = np.int32(np.int32(b + np.int32(K[16])) + odd) & np.int32(K[17])
    return np.int32(r).view(np.float32), np.int32(b & np.int32(0x7FFFFFFF)) > np.int32(K[18])


@njit(cache=True, error_model="numpy", **_FORCE)
def _to_odd(hi, lo):
    """:func:`numerics._core.rounding.to_odd` without a branch (finite ``hi``; the
    non-finite ones are bad in :func:`_round_bits` anyway)."""
    b = np.float64(hi).view(np.int64)
    inexact = np.int64(lo != 0)
    opposite = np.int64((lo > 0) != (hi > 0))
    return np.int64((b - (opposite & inexact)) | inexact).view(np.float64)


def _lane_round(x, R, K):
    """``x`` rounded by the lane rounding the constants' tuple length names:
    ``(value, bad)``."""


@overload(_lane_round, jit_options=_FORCE_OVERLOAD)
def _lane_round_variant(x, R, K):
    count = K.count if isinstance(K, types.UniTuple) else K_LEN
    if count == K_LEN + 5:
        return lambda x, R, K: _round_shift32(x, K)
    if count == K_LEN + 4:
        return lambda x, R, K: _round_magic32(x, K)
    if count == K_LEN + 3:
        return lambda x, R, K: _round_magic(x, K)
    if count == K_LEN + 2:
        return lambda x, R, K: _round_sr(x, R, K)
    if count == K_LEN + 1:
        return lambda x, R, K: _round_normal(x, R, K)
    return lambda x, R, K: _round_bits(x, R, K)


def _rl(hi, lo, K, P, R, fast, dd, slow):
    """Round the unevaluated ``hi + lo``: ``(value, low part, local error, bad)``."""


@overload(_rl, jit_options=_FORCE_OVERLOAD)
def _rl_variant(hi, lo, K, P, R, fast, dd, slow):
    is_slow = not isinstance(slow, types.NoneType)
    if not isinstance(dd, types.NoneType):

        def rdd(hi, lo, K, P, R, fast, dd, slow):
            s, e = fast_two_sum(hi, lo)
            fin = hi - hi == 0
            return (s if fin else hi), (e if fin else 0.0), 0.0, False

        return rdd
    if not isinstance(fast, types.NoneType):
        if is_slow:
            return lambda hi, lo, K, P, R, fast, dd, slow: (round_value(hi, R, P), 0.0, 0.0, False)

        def rfast(hi, lo, K, P, R, fast, dd, slow):
            v, bad = _lane_round(hi, R, K)
            return v, 0.0, 0.0, bad

        return rfast
    if is_slow:
        return lambda hi, lo, K, P, R, fast, dd, slow: _exact_scalar(hi, lo, R, P)

    def rexact(hi, lo, K, P, R, fast, dd, slow):
        # rounded to odd into float64 first, then once more: the exact sum's rounding
        # (float64 has two bits more than any lane format but float64 itself)
        v = _unless_float64(hi, _lane_round(_to_odd(hi, lo), R, K), K)
        s, t = two_sum(v[0], -hi)
        return v[0], 0.0, s + (t - lo), v[1]

    return rexact


def _unless_float64(hi, vb, K):
    """``vb`` (the rounding's ``(value, bad)``), where the format is float64 itself
    (only :func:`_round_bits` covers it) with ``hi`` as the value: the sum rounded to
    nearest, as :func:`_exact_scalar`, not to odd."""


@overload(_unless_float64, jit_options=_FORCE_OVERLOAD)
def _unless_float64_variant(hi, vb, K):
    if isinstance(K, types.UniTuple) and K.count > K_LEN:
        return lambda hi, vb, K: vb

    def keep(hi, vb, K):
        im = -K[0]
        v = np.float64(vb[0]).view(np.int64) & ~im
        return np.int64((np.float64(hi).view(np.int64) & im) | v).view(np.float64), vb[1]

    return keep


@njit(cache=True)
def _exact_scalar(hi, lo, R, P):
    """:func:`._tracked._r_exact` with the random word given."""
    v = hi if P[P_M] > 50 else round_sum(hi, lo, R, P)
    d = 0.0
    if v - v == 0 and hi - hi == 0:
        s, t = two_sum(v, -hi)
        d = s + (t - lo)
    elif v == v or hi == hi:
        d = np.nan
    return v, 0.0, d, False


def _word(KG, w, ev):
    """The random word of in-row event ``ev`` in lane ``w`` (0 if ``KG`` is None)."""


@overload(_word, jit_options=_FORCE_OVERLOAD)
def _word_variant(KG, w, ev):
    if isinstance(KG, types.NoneType):
        return lambda KG, w, ev: np.uint64(0)
    # KG = (key, events per row, first row): the lane's key computed here, as
    # _lanes_keys did into an array (whose reads, with their reference counting, kept
    # the loops from vectorising)
    # the row key (KG[1] (KG[2] + w) + 1) GOLDEN + ev GOLDEN (see _tracked), written
    # as a part that does not depend on the lane plus w times a step, which is the
    # same modulo 2**64 and leaves the loops one 64-bit multiply a word fewer
    return lambda KG, w, ev: mix64(
        KG[0]
        + (np.uint64(KG[1]) * np.uint64(KG[2]) + _U1 + np.uint64(ev)) * GOLDEN
        + np.uint64(w) * (np.uint64(KG[1]) * GOLDEN)
    )


def _st(A, w, v, d):
    """Count one operation (value ``v``, local error ``d``) in lane ``w``'s statistics
    ``A`` (``(4, W)``; None: not tracking), in the order :func:`._tracked._count` does."""


@overload(_st)
def _st_variant(A, w, v, d):
    if isinstance(A, types.NoneType):
        return lambda A, w, v, d: None

    def st(A, w, v, d):
        A[0, w] += 1.0
        if d != 0:
            A[1, w] += 1.0
            A[2, w] += d * d
            ex = abs(v - d)
            if ex > 0:
                A[3, w] = max(A[3, w], abs(d) / ex)

    return st


def _copy_stats(A, B, W):
    """``B[:] = A`` for the statistics (nothing when not tracking)."""


@overload(_copy_stats)
def _copy_stats_variant(A, B, W):
    if isinstance(A, types.NoneType):
        return lambda A, B, W: None

    def cp(A, B, W):
        for j in range(4):
            for w in range(W):
                B[j, w] = A[j, w]

    return cp


def _half(v):
    """``v * 0.5`` in ``v``'s own type (a float32 lane stays float32: exact either way)."""


@overload(_half, jit_options=_FORCE_OVERLOAD)
def _half_variant(v):
    h = np.float32(0.5) if v == types.float32 else 0.5
    return lambda v: v * h


@njit(cache=True, error_model="numpy", **_FORCE)
def _out(hi, lo, dprev, half, K, P, KG, w, ev, fast, dd, slow, A):
    """A stage output rounded (then halved and rounded again if ``half``): value, low
    part, stage error and bad, as :func:`._tracked._out`."""
    v, vl, d, bad = _rl(hi, lo, K, P, _word(KG, w, ev), fast, dd, slow)
    _st(A, w, v, d)
    d += dprev
    if half:
        v, vl, d2, bad2 = _rl(_half(v), vl * 0.5, K, P, _word(KG, w, ev + 1), fast, dd, slow)
        _st(A, w, v, d2)
        d = d * 0.5 + d2
        bad |= bad2
    return v, vl, d, bad


# --- the stages: groups of lanes, each run again exactly if any lane is bad ----------


@njit(cache=True, error_model="numpy")
def _pair(X, XL, Y, YL, G, j1, j2, halve, K, P, KG, ev1, ev2, fast, dd, slow, A, W):
    """Outputs ``j1 <- a + b`` and ``j2 <- a - b`` (``a, b`` at ``j1, j2``), each
    rounded (``halve``: halved and rounded again)."""
    bad = False
    u1 = np.uint64(j1 * W)
    u2 = np.uint64(j2 * W)
    for w in range(np.uint64(W)):
        ah, al = X[u1 + w], _ld(XL, u1 + w)
        bh, bl = X[u2 + w], _ld(XL, u2 + w)
        s, sl = _add(ah, al, bh, bl, fast)
        t, tl = _add(ah, al, -bh, -bl, fast)
        v, vl, d, b1 = _out(s, sl, 0.0, halve, K, P, KG, w, ev1, fast, dd, slow, A)
        x, xl, e, b2 = _out(t, tl, 0.0, halve, K, P, KG, w, ev2, fast, dd, slow, A)
        _put(Y, YL, G, u1 + w, v, vl, d)
        _put(Y, YL, G, u2 + w, x, xl, e)
        bad |= b1 | b2
    return bad


@njit(cache=True, error_model="numpy")
def _single(X, XL, Y, YL, G, j, sg, halve, K, P, KG, ev, fast, dd, slow, A, W):
    """Output ``j <- sg * x_j``, halved and rounded if ``halve``."""
    bad = False
    u = np.uint64(j * W)
    for w in range(np.uint64(W)):
        # a select, not a product by the float64 sg: a float32 lane stays float32
        v, vl, d = X[u + w], _ld(XL, u + w) * sg, 0.0
        v = -v if sg < 0 else v
        if halve:
            v, vl, d, b = _rl(_half(v), vl * 0.5, K, P, _word(KG, w, ev), fast, dd, slow)
            _st(A, w, v, d)
            bad |= b
        _put(Y, YL, G, u + w, v, vl, d)
    return bad


@njit(cache=True, error_model="numpy")
def _fwd4(X, XL, Y, YL, G, i1, i2, i3, i4, c, sn, halve, K, P, KG, ev, fast, dd, slow, A, W):
    """The four outputs of a forward butterfly at slots ``i1..i4`` (see
    :func:`._steps.slots`), as :func:`._tracked.fwd_stage`."""
    bad = False
    u1, u2, u3, u4 = np.uint64(i1 * W), np.uint64(i2 * W), np.uint64(i3 * W), np.uint64(i4 * W)
    e1 = ev + 8 * i1
    for w in range(np.uint64(W)):
        erh, erl = X[u1 + w], _ld(XL, u1 + w)
        eih, eil = X[u2 + w], _ld(XL, u2 + w)
        orh, orl = X[u3 + w], _ld(XL, u3 + w)
        oih, oil = X[u4 + w], _ld(XL, u4 + w)
        p, pl = _mul(orh, orl, c, fast)
        m1, m1l, d1, b1 = _rl(p, pl, K, P, _word(KG, w, e1), fast, dd, slow)
        _st(A, w, m1, d1)
        p, pl = _mul(oih, oil, sn, fast)
        m2, m2l, d2, b2 = _rl(p, pl, K, P, _word(KG, w, e1 + 1), fast, dd, slow)
        _st(A, w, m2, d2)
        p, pl = _add(m1, m1l, m2, m2l, fast)
        t1, t1l, d3, b3 = _rl(p, pl, K, P, _word(KG, w, e1 + 2), fast, dd, slow)
        _st(A, w, t1, d3)
        p, pl = _mul(oih, oil, c, fast)
        m3, m3l, d4, b4 = _rl(p, pl, K, P, _word(KG, w, e1 + 3), fast, dd, slow)
        _st(A, w, m3, d4)
        p, pl = _mul(orh, orl, sn, fast)
        m4, m4l, d5, b5 = _rl(p, pl, K, P, _word(KG, w, e1 + 4), fast, dd, slow)
        _st(A, w, m4, d5)
        p, pl = _add(m3, m3l, -m4, -m4l, fast)
        t2, t2l, d6, b6 = _rl(p, pl, K, P, _word(KG, w, e1 + 5), fast, dd, slow)
        _st(A, w, t2, d6)
        dt1 = d1 + d2 + d3
        dt2 = d4 - d5 + d6
        a1h, a1l = _add(erh, erl, t1, t1l, fast)
        a2h, a2l = _add(erh, erl, -t1, -t1l, fast)
        a3h, a3l = _add(t2, t2l, -eih, -eil, fast)
        a4h, a4l = _add(eih, eil, t2, t2l, fast)
        v1, v1l, g1, c1 = _out(a1h, a1l, dt1, halve, K, P, KG, w, e1 + 6, fast, dd, slow, A)
        v2, v2l, g2, c2 = _out(
            a2h, a2l, -dt1, halve, K, P, KG, w, ev + 8 * i2 + 6, fast, dd, slow, A
        )
        v3, v3l, g3, c3 = _out(
            a3h, a3l, dt2, halve, K, P, KG, w, ev + 8 * i3 + 6, fast, dd, slow, A
        )
        v4, v4l, g4, c4 = _out(
            a4h, a4l, dt2, halve, K, P, KG, w, ev + 8 * i4 + 6, fast, dd, slow, A
        )
        _put(Y, YL, G, u1 + w, v1, v1l, g1)
        _put(Y, YL, G, u2 + w, v2, v2l, g2)
        _put(Y, YL, G, u3 + w, v3, v3l, g3)
        _put(Y, YL, G, u4 + w, v4, v4l, g4)
        bad |= b1 | b2 | b3 | b4 | b5 | b6 | c1 | c2 | c3 | c4
    return bad


@njit(cache=True, error_model="numpy", **_FORCE)
def _rot(ah, al, da, bh, bl, db, c, s, sgn, K, P, KG, w, ev, fast, dd, slow, A):
    """``c a + sgn s b``, each operation rounded, with its stage error (as
    :func:`._tracked._rot`) and bad."""
    p, pl = _mul(ah, al, c, fast)
    m1, m1l, d1, b1 = _rl(p, pl, K, P, _word(KG, w, ev), fast, dd, slow)
    _st(A, w, m1, d1)
    p, pl = _mul(bh, bl, s, fast)
    m2, m2l, d2, b2 = _rl(p, pl, K, P, _word(KG, w, ev + 1), fast, dd, slow)
    _st(A, w, m2, d2)
    # a select, not a product by the float64 sgn: a float32 lane stays float32
    p, pl = _add(m1, m1l, -m2 if sgn < 0 else m2, sgn * m2l, fast)
    v, vl, d3, b3 = _rl(p, pl, K, P, _word(KG, w, ev + 2), fast, dd, slow)
    _st(A, w, v, d3)
    return v, vl, c * da + sgn * s * db + d1 + sgn * d2 + d3, b1 | b2 | b3


@njit(cache=True, error_model="numpy")
def _inv4(X, XL, Y, YL, G, i1, i2, i3, i4, c, sn, K, P, KG, ev, fast, dd, slow, A, W):
    """The four outputs of an inverse butterfly, as :func:`._tracked.inv_stage`."""
    bad = False
    u1, u2, u3, u4 = np.uint64(i1 * W), np.uint64(i2 * W), np.uint64(i3 * W), np.uint64(i4 * W)
    e1 = ev + 8 * i1
    for w in range(np.uint64(W)):
        Ah, Al = X[u1 + w], _ld(XL, u1 + w)
        Bh, Bl = X[u2 + w], _ld(XL, u2 + w)
        Dh, Dl = X[u3 + w], _ld(XL, u3 + w)
        Eh, El = X[u4 + w], _ld(XL, u4 + w)
        p, pl = _add(Ah, Al, Bh, Bl, fast)
        er, erl, der, b1 = _out(p, pl, 0.0, True, K, P, KG, w, e1, fast, dd, slow, A)
        p, pl = _add(Ah, Al, -Bh, -Bl, fast)
        t1, t1l, dt1, b2 = _out(p, pl, 0.0, True, K, P, KG, w, e1 + 2, fast, dd, slow, A)
        p, pl = _add(Eh, El, Dh, Dl, fast)
        t2, t2l, dt2, b3 = _out(p, pl, 0.0, True, K, P, KG, w, e1 + 4, fast, dd, slow, A)
        p, pl = _add(Eh, El, -Dh, -Dl, fast)
        ei, eil, dei, b4 = _out(p, pl, 0.0, True, K, P, KG, w, e1 + 6, fast, dd, slow, A)
        o_r, o_rl, dor, b5 = _rot(
            t1, t1l, dt1, t2, t2l, dt2, c, sn, -1.0, K, P, KG, w, ev + 8 * i3, fast, dd, slow, A
        )
        o_i, o_il, doi, b6 = _rot(
            t2, t2l, dt2, t1, t1l, dt1, c, sn, 1.0, K, P, KG, w, ev + 8 * i4, fast, dd, slow, A
        )
        _put(Y, YL, G, u1 + w, er, erl, der)
        _put(Y, YL, G, u2 + w, ei, eil, dei)
        _put(Y, YL, G, u3 + w, o_r, o_rl, dor)
        _put(Y, YL, G, u4 + w, o_i, o_il, doi)
        bad |= b1 | b2 | b3 | b4 | b5 | b6
    return bad


@njit(cache=True, error_model="numpy")
def _twist2(X, XL, Y, YL, G, k, kk, c, s, K, P, KG, ev, fast, dd, slow, A, W):
    """The DCT twist of the pair ``k, kk = n - k`` (see :func:`._tracked.twist`)."""
    bad = False
    u1, u2 = np.uint64(k * W), np.uint64(kk * W)
    for w in range(np.uint64(W)):
        ah, al = X[u1 + w], _ld(XL, u1 + w)
        bh, bl = X[u2 + w], _ld(XL, u2 + w)
        v, vl, d, b1 = _rot(ah, al, 0.0, bh, bl, 0.0, c, s, 1.0, K, P, KG, w, ev + 8 * k,
                            fast, dd, slow, A)  # fmt: skip
        x, xl, e, b2 = _rot(bh, bl, 0.0, ah, al, 0.0, -c, s, 1.0, K, P, KG, w, ev + 8 * kk,
                            fast, dd, slow, A)  # fmt: skip
        _put(Y, YL, G, u1 + w, v, vl, d)
        _put(Y, YL, G, u2 + w, x, xl, e)
        bad |= b1 | b2
    return bad


@njit(cache=True, error_model="numpy")
def _times(X, XL, Y, YL, G, j, g, K, P, KG, ev, fast, dd, slow, A, W):
    """Output ``j <- g * x_j``, rounded."""
    bad = False
    u = np.uint64(j * W)
    for w in range(np.uint64(W)):
        p, pl = _mul(X[u + w], _ld(XL, u + w), g, fast)
        v, vl, d, b = _rl(p, pl, K, P, _word(KG, w, ev + 8 * j), fast, dd, slow)
        _st(A, w, v, d)
        _put(Y, YL, G, u + w, v, vl, d)
        bad |= b
    return bad


# Each group kernel runs with the lane rounding, and again with the exact scalar one
# if a lane was bad; the statistics are double-buffered (A in, B out) so that the
# rerun starts from the same counts. The rerun takes None for the lane constants (the
# scalar rounding reads the parameters only), so that its variant compiles once per
# arithmetic, whichever lane rounding (the constants' tuple length) the first run had.


@njit(cache=True)
def _fwd_stage(X, XL, Y, YL, G, L, C, S, half, K, P, KG, ev, fast, dd, exact, A, B, W):
    n = X.size // W
    h = L >> 1
    q = h >> 1
    for i in range(0, n, L):
        _copy_stats(A, B, W)
        if _pair(X, XL, Y, YL, G, i, i + h, half, K, P, KG, ev + 8 * i,
                 ev + 8 * (i + h), fast, dd, None, B, W):  # fmt: skip
            if exact is None:
                return A, B, True
            _copy_stats(A, B, W)
            _pair(X, XL, Y, YL, G, i, i + h, half, None, P, KG, ev + 8 * i,
                  ev + 8 * (i + h), fast, dd, True, B, W)  # fmt: skip
        A, B = B, A
        if q:
            for t in range(2):
                j = i + q + t * h
                sg = 1.0 - 2.0 * t
                _copy_stats(A, B, W)
                if _single(X, XL, Y, YL, G, j, sg, half, K, P, KG, ev + 8 * j, fast, dd,
                           None, B, W):  # fmt: skip
                    if exact is None:
                        return A, B, True
                    _copy_stats(A, B, W)
                    _single(X, XL, Y, YL, G, j, sg, half, None, P, KG, ev + 8 * j, fast, dd,
                            True, B, W)  # fmt: skip
                A, B = B, A
        for k in range(1, q):
            c = C[q + k]
            sn = S[q + k]
            i1, i2, i3, i4 = _steps.slots(i, h, k)
            _copy_stats(A, B, W)
            if _fwd4(X, XL, Y, YL, G, i1, i2, i3, i4, c, sn, half, K, P, KG, ev, fast, dd,
                     None, B, W):  # fmt: skip
                if exact is None:
                    return A, B, True
                _copy_stats(A, B, W)
                _fwd4(X, XL, Y, YL, G, i1, i2, i3, i4, c, sn, half, None, P, KG, ev, fast, dd,
                      True, B, W)  # fmt: skip
            A, B = B, A
    return A, B, False


@njit(cache=True)
def _inv_stage(X, XL, Y, YL, G, L, C, S, K, P, KG, ev, fast, dd, exact, A, B, W):
    n = X.size // W
    h = L >> 1
    q = h >> 1
    for i in range(0, n, L):
        _copy_stats(A, B, W)
        if _pair(X, XL, Y, YL, G, i, i + h, True, K, P, KG, ev + 8 * i,
                 ev + 8 * (i + h), fast, dd, None, B, W):  # fmt: skip
            if exact is None:
                return A, B, True
            _copy_stats(A, B, W)
            _pair(X, XL, Y, YL, G, i, i + h, True, None, P, KG, ev + 8 * i,
                  ev + 8 * (i + h), fast, dd, True, B, W)  # fmt: skip
        A, B = B, A
        if q:
            # exact: slot i + q is kept, slot i + h + q negated
            _single(X, XL, Y, YL, G, i + q, 1.0, False, K, P, KG, 0, fast, dd, None, B, W)
            _single(X, XL, Y, YL, G, i + h + q, -1.0, False, K, P, KG, 0, fast, dd, None, B, W)
        for k in range(1, q):
            c = C[q + k]
            sn = S[q + k]
            i1, i2, i3, i4 = _steps.slots(i, h, k)
            _copy_stats(A, B, W)
            if _inv4(X, XL, Y, YL, G, i1, i2, i3, i4, c, sn, K, P, KG, ev, fast, dd, None,
                     B, W):  # fmt: skip
                if exact is None:
                    return A, B, True
                _copy_stats(A, B, W)
                _inv4(X, XL, Y, YL, G, i1, i2, i3, i4, c, sn, None, P, KG, ev, fast, dd, True,
                      B, W)  # fmt: skip
            A, B = B, A
    return A, B, False


@njit(cache=True)
def _wht_stage(X, XL, Y, YL, G, h, half, K, P, KG, ev, fast, dd, exact, A, B, W):
    n = X.size // W
    for i in range(0, n, 2 * h):
        for j in range(i, i + h):
            _copy_stats(A, B, W)
            if _pair(X, XL, Y, YL, G, j, j + h, half, K, P, KG, ev + 8 * j,
                     ev + 8 * (j + h), fast, dd, None, B, W):  # fmt: skip
                if exact is None:
                    return A, B, True
                _copy_stats(A, B, W)
                _pair(X, XL, Y, YL, G, j, j + h, half, None, P, KG, ev + 8 * j,
                      ev + 8 * (j + h), fast, dd, True, B, W)  # fmt: skip
            A, B = B, A
    return A, B, False


@njit(cache=True)
def _twist_stage(X, XL, Y, YL, G, TC, TS, K, P, KG, ev, fast, dd, exact, A, B, W):
    n = X.size // W
    h = n >> 1
    ends = (0, h) if h > 0 else (0, 0)
    for t in range(2 if h > 0 else 1):
        j = ends[t]
        _copy_stats(A, B, W)
        if _times(X, XL, Y, YL, G, j, TC[j], K, P, KG, ev, fast, dd, None, B, W):
            if exact is None:
                return A, B, True
            _copy_stats(A, B, W)
            _times(X, XL, Y, YL, G, j, TC[j], None, P, KG, ev, fast, dd, True, B, W)
        A, B = B, A
    for k in range(1, h):
        _copy_stats(A, B, W)
        if _twist2(X, XL, Y, YL, G, k, n - k, TC[k], TS[k], K, P, KG, ev, fast, dd, None, B, W):
            if exact is None:
                return A, B, True
            _copy_stats(A, B, W)
            _twist2(X, XL, Y, YL, G, k, n - k, TC[k], TS[k], None, P, KG, ev, fast, dd, True, B, W)
        A, B = B, A
    return A, B, False


@njit(cache=True)
def _scale_stage(X, XL, Y, YL, G, g, K, P, KG, ev, fast, dd, exact, A, B, W):
    n = X.size // W
    for j in range(n):
        _copy_stats(A, B, W)
        if _times(X, XL, Y, YL, G, j, g, K, P, KG, ev, fast, dd, None, B, W):
            if exact is None:
                return A, B, True
            _copy_stats(A, B, W)
            _times(X, XL, Y, YL, G, j, g, None, P, KG, ev, fast, dd, True, B, W)
        A, B = B, A
    return A, B, False


def store_key(key: int) -> int:
    """The random key of the roundings into the storage format: another stream than
    the operations' (whose event numbers the store roundings share)."""
    return int(mix64(np.uint64(key) ^ np.uint64(0x3C6EF372FE94F82B)))


@njit(cache=True, error_model="numpy")
def _store_group(X, Y, j, K2, P2, KG2, ev, fast, slow, A, W):
    """Slot ``j``'s values rounded into the storage format (``K2``, ``P2``)."""
    bad = False
    u = np.uint64(j * W)
    for w in range(np.uint64(W)):
        v = X[u + w]
        r, _, d, b = _rl(v, 0.0, K2, P2, _word(KG2, w, ev + 8 * j), fast, None, slow)
        _st(A, w, r, d)
        Y[u + w] = r
        bad |= b
    return bad


def _add_errors(G, X, Y, n, W):
    """``G += Y - X`` (each difference exact: the rounding error of a value into a
    narrower format), or nothing when not tracking."""


@overload(_add_errors)
def _add_errors_variant(G, X, Y, n, W):
    if isinstance(G, types.NoneType):
        return lambda G, X, Y, n, W: None

    def add(G, X, Y, n, W):
        for i in range(n * W):
            G[i] += Y[i] - X[i]

    return add


def _store_stage(X, Y, G, store, KG2, ev, fast, A, B, W):
    """Round the stage output ``X`` into the storage format, into ``Y``: returns ``(A,
    B, True)``; or ``(A, B, False)`` and nothing done when ``store`` is None."""


@overload(_store_stage)
def _store_stage_variant(X, Y, G, store, KG2, ev, fast, A, B, W):
    if isinstance(store, types.NoneType):
        return lambda X, Y, G, store, KG2, ev, fast, A, B, W: (A, B, False)

    def run(X, Y, G, store, KG2, ev, fast, A, B, W):
        K2, P2 = store
        n = X.size // W
        for j in range(n):
            _copy_stats(A, B, W)
            if _store_group(X, Y, j, K2, P2, KG2, ev, fast, None, B, W):
                _copy_stats(A, B, W)
                _store_group(X, Y, j, None, P2, KG2, ev, fast, True, B, W)
            A, B = B, A
        _add_errors(G, X, Y, n, W)
        return A, B, True

    return run


# --- permutations on the lane layout ---------------------------------------------------


@njit(cache=True)
def _swap_slots(X, i, j, W):
    ui, uj = np.uint64(i * W), np.uint64(j * W)
    for w in range(np.uint64(W)):
        t = X[ui + w]
        X[ui + w] = X[uj + w]
        X[uj + w] = t


@njit(cache=True)
def _permute(X, Y, kind, R, W):
    """An exact permutation step on the block ``X`` (``Y``: scratch); False if
    ``kind`` is not one."""
    n = X.size // W
    if kind == _steps.BITREV:
        for p in range(0, R.size, 2):
            _swap_slots(X, R[p], R[p + 1], W)
        return True
    if kind == _steps.MAKHOUL or kind == _steps.UNMAKHOUL:
        # a loop, not Y[:] = X: the slice assignment's shape check and its error
        # message compile for seconds
        for i in range(X.size):
            Y[i] = X[i]
        h = n >> 1
        for k in range(h):
            a, b = 2 * k, 2 * k + 1
            c, d = k, n - 1 - k
            if kind == _steps.UNMAKHOUL:
                a, b, c, d = c, d, a, b
            ua, ub = np.uint64(a * W), np.uint64(b * W)
            uc, ud = np.uint64(c * W), np.uint64(d * W)
            for w in range(np.uint64(W)):
                X[uc + w] = Y[ua + w]
                X[ud + w] = Y[ub + w]
        return True
    return False


@njit(cache=True)
def _permute_low(XL, YL, kind, R, W):
    """:func:`_permute` of the low parts (DD), or nothing (``XL`` None)."""
    if XL is not None:
        _permute(XL, YL, kind, R, W)


def _other(XL, YL):
    """``YL`` for the DD variant (where ``XL`` is an array), else None."""


@overload(_other)
def _other_variant(XL, YL):
    if isinstance(XL, types.NoneType):
        return lambda XL, YL: None
    return lambda XL, YL: YL


def _stats(DL, nst, W):
    """Two ``(4, W)`` statistics buffers when tracking, else None."""


@overload(_stats)
def _stats_variant(DL, nst, W):
    if isinstance(DL, types.NoneType):
        return lambda DL, nst, W: (None, None)
    return lambda DL, nst, W: (np.zeros((4, W)), np.zeros((4, W)))


def _save_stats(ST, r0, s, A, W):
    """Write lane statistics ``A`` of stage ``s`` into ``ST[r0 + w, s]``."""


@overload(_save_stats)
def _save_stats_variant(ST, r0, s, A, W):
    if isinstance(A, types.NoneType):
        return lambda ST, r0, s, A, W: None

    def save(ST, r0, s, A, W):
        for w in range(W):
            for j in range(4):
                ST[r0 + w, s, j] = A[j, w]
            A[0, w] = A[1, w] = A[2, w] = A[3, w] = 0.0

    return save


def _save_errors(DLout, r0, s, G, n, W):
    """Transpose stage ``s``'s lane errors ``G`` into ``DLout[r0 + w, s]``."""


@overload(_save_errors)
def _save_errors_variant(DLout, r0, s, G, n, W):
    if isinstance(G, types.NoneType):
        return lambda DLout, r0, s, G, n, W: None

    def save(DLout, r0, s, G, n, W):
        for j in range(n):
            for w in range(W):
                DLout[r0 + w, s, j] = G[j * W + w]

    return save


def _errors_block(DLout, n, W):
    """One ``(n W)`` block of stage errors when tracking, else None."""


@overload(_errors_block)
def _errors_block_variant(DLout, n, W):
    if isinstance(DLout, types.NoneType):
        return lambda DLout, n, W: None
    return lambda DLout, n, W: np.zeros(n * W)


def _lanes_keys(key, r0, W, per_row):
    """The lanes' random keys ``(key, events per row, first row)`` (see :func:`_word`),
    or None."""


@overload(_lanes_keys)
def _lanes_keys_variant(key, r0, W, per_row):
    if isinstance(key, types.NoneType):
        return lambda key, r0, W, per_row: None
    return lambda key, r0, W, per_row: (np.uint64(key), np.int64(per_row), np.int64(r0))


def _low_block(XLo, n, W):
    """An ``(n W)`` block for the low parts in DD (``XLo`` an array), else None."""


@overload(_low_block)
def _low_block_variant(XLo, n, W):
    if isinstance(XLo, types.NoneType):
        return lambda XLo, n, W: None
    return lambda XLo, n, W: np.empty(n * W)


@njit(cache=True)
def _load(XH, X, r0, W):
    """The rows ``r0 .. r0 + W`` of ``XH`` into the lane block ``X`` (or nothing if
    ``XH`` is None)."""
    if XH is not None:
        n = XH.shape[1]
        for w in range(W):
            for j in range(n):
                X[j * W + w] = XH[r0 + w, j]


@njit(cache=True)
def _store(XH, X, r0, W):
    if XH is not None:
        n = XH.shape[1]
        for w in range(W):
            for j in range(n):
                XH[r0 + w, j] = X[j * W + w]


def _k_tuple(K, normal):
    """The lane constants as a tuple (read in every rounding, an array's reference
    counting would keep the lane loops from vectorising), whose length names the lane
    rounding (:func:`_lane_round`): 15 elements for :func:`_round_bits` (``normal``
    None), 16 for :func:`_round_normal` (True), 17 for :func:`_round_sr` (an int), 18
    for :func:`_round_magic` (its three constants), 19 for :func:`_round_magic32`
    (its four) and 20 for :func:`_round_shift32` (its four, and a fifth that only
    sets the length)."""


@njit(cache=True, **_FORCE)
def _k_base(K):
    """The 15 constants of :func:`lane_constants` as a tuple."""
    return (K[0], K[1], K[2], K[3], K[4], K[5], K[6], K[7], K[8], K[9], K[10], K[11], K[12],
            K[13], K[14])  # fmt: skip


@overload(_k_tuple)
def _k_tuple_variant(K, normal):
    if isinstance(normal, types.NoneType):
        return lambda K, normal: _k_base(K)
    if isinstance(normal, types.BaseTuple) and len(normal.types) == 5:
        # in float32 by the bits (_round_shift32): (the last kept bit, half an ulp
        # less one, the kept bits' mask, the limit's bits, 0)
        return lambda K, normal: _k_base(K) + (normal[0], normal[1], normal[2], normal[3],
                                               normal[4])  # fmt: skip
    if isinstance(normal, types.BaseTuple) and len(normal.types) == 4:
        # in float32 (_round_magic32): (addexp, the smallest M's bits, the limit's
        # bits, max's bits), all of float32
        return lambda K, normal: _k_base(K) + (normal[0], normal[1], normal[2], normal[3])
    if isinstance(normal, types.BaseTuple):
        # nearest even by the magic constant: (addexp, the smallest M's bits, 2 max's bits)
        return lambda K, normal: _k_base(K) + (normal[0], normal[1], normal[2])
    if isinstance(normal, types.Integer):
        # stochastic rounding, subnormals included (_round_sr): two elements more
        return lambda K, normal: _k_base(K) + (np.int64(2), np.int64(2))
    return lambda K, normal: _k_base(K) + (np.int64(1),)


def _store_tuple(store):
    """The storage format's ``(K, P)`` as tuples, or None."""


@overload(_store_tuple)
def _store_tuple_variant(store):
    if isinstance(store, types.NoneType):
        return lambda store: None
    return lambda store: (_k_tuple(store[0], None), _param_tuple(store[1]))


@njit(cache=True, nogil=True)
def run_chunks(XH, XLo, plan, C, S, TC, TS, consts, R, fwd, inv, wht, K, P, keys, fast, normal,
               store, ST, DLout, W, BAD, lo, hi):  # fmt: skip
    """Run ``plan`` on the chunks ``lo .. hi`` of ``W`` rows of ``XH`` (low parts ``XLo``
    in DD, else None; the last chunk narrower), each through an ``(n, W)`` lane block;
    ``BAD[c]`` is set where chunk ``c`` met a value that only the row kernels round (its
    rows are then left as they were). ``keys``: None unless stochastic, else the
    operations' and the store roundings' keys; ``fast``: True for FAST, else None;
    ``store``: None, or the constants and parameters of the storage format, into which
    every stage's outputs are rounded once more; ``ST`` receives the statistics and
    ``DLout`` (None unless tracking) the stage errors. As in :func:`._tracked.run_row`,
    the steps the plan lacks come as None (``fwd``, ``inv``, ``wht``, the tables), so
    their kernels are not compiled (numba prunes such branches on arguments only).
    The entry point itself, run in threads by :func:`numerics._core.jit.run_rows`:
    numba re-optimises a callee's whole code in every caller, and a parallel loop
    around the chunk kernel (its own level) cost about 4 s of CPU at the first call."""
    nrow, n = XH.shape
    nst = ST.shape[1]
    Kt = _k_tuple(K, normal)
    Pt = _param_tuple(P)
    st = _store_tuple(store)
    dd = _other(XLo, True)
    for c in range(lo, hi):
        r0 = c * W
        Wc = min(W, nrow - r0)
        # float64, or float32 where the tables are (see _round_magic32, _round_shift32)
        X = np.empty(n * Wc, C.dtype)
        Y = np.empty(n * Wc, C.dtype)
        XL = _low_block(XLo, n, Wc)
        YL = _low_block(XLo, n, Wc)
        _load(XH, X, r0, Wc)
        _load(XLo, XL, r0, Wc)
        G = _errors_block(DLout, n, Wc)
        A, B = _stats(DLout, nst, Wc)
        KG = _lanes_keys(_row(keys, 0), r0, Wc, 8 * n * nst)
        KG2 = _lanes_keys(_row(keys, 1), r0, Wc, 8 * n * nst)
        s = 0
        bad = False
        for jp in range(plan.shape[0]):
            if bad:
                break
            k = plan[jp, 0]
            a = plan[jp, 1]
            b = plan[jp, 2]
            flag = plan[jp, 3]
            if _permute(X, Y, k, R, Wc):
                _permute_low(XL, YL, k, R, Wc)
                continue
            count = 1
            if k == _steps.FWD or k == _steps.INV or k == _steps.WHT:
                count = 0
                v = a
                while v <= b:
                    count += 1
                    v *= 2
            for t in range(count):
                ev = 8 * n * s
                ran = True
                if k == _steps.FWD and fwd is not None:
                    A, B, bad = _fwd_stage(X, XL, Y, YL, G, a << t, C, S, flag != 0, Kt, Pt, KG,
                                           ev, fast, dd, st, A, B, Wc)  # fmt: skip
                elif k == _steps.INV and inv is not None:
                    A, B, bad = _inv_stage(X, XL, Y, YL, G, b >> t, C, S, Kt, Pt, KG, ev, fast,
                                           dd, st, A, B, Wc)  # fmt: skip
                elif k == _steps.WHT and wht is not None:
                    A, B, bad = _wht_stage(X, XL, Y, YL, G, a << t, flag != 0, Kt, Pt, KG, ev,
                                           fast, dd, st, A, B, Wc)  # fmt: skip
                elif k == _steps.TWIST and TC is not None:
                    A, B, bad = _twist_stage(X, XL, Y, YL, G, TC, TS, Kt, Pt, KG, ev, fast, dd,
                                             st, A, B, Wc)  # fmt: skip
                elif k == _steps.SCALE and consts is not None:
                    A, B, bad = _scale_stage(X, XL, Y, YL, G, consts[a], Kt, Pt, KG, ev, fast,
                                             dd, st, A, B, Wc)  # fmt: skip
                else:
                    ran = False
                if bad:
                    # a rare value the lanes do not round (without a storage format,
                    # whose reruns are exact in place): the chunk's rows, left as they
                    # were, go to the row kernels (see numerics.transforms._engine.execute)
                    break
                if ran:
                    X, Y = Y, X
                    XL, YL = YL, XL
                    A, B, stored = _store_stage(X, Y, G, st, KG2, ev, fast, A, B, Wc)
                    if stored:
                        X, Y = Y, X
                    _save_stats(ST, r0, s, A, Wc)
                    _save_errors(DLout, r0, s, G, n, Wc)
                    s += 1
        BAD[c] = bad
        if not bad:
            _store(XH, X, r0, Wc)
            _store(XLo, XL, r0, Wc)
