"""numba kernels of scaled quantization: block absmax, element codes, dequantization.

Data arrive as a 2-D array whose rows are split into blocks of ``bs`` elements (the
last one may be short); every block has its own divisor ``s`` (NaN marks a NaN block)
and, for integer formats, a zero point. An element ``v`` becomes the code of
``v / s`` rounded into the element grid, computed in float64: exact for power-of-two
divisors, and a correct rounding decision for float32 input with any divisor (see
:mod:`numerics.formats.scaled`).
"""

from __future__ import annotations

import math

import numpy as np

from .._core.eft import two_prod_dekker
from .._core.jit import njit, prange
from .._core.params import (
    P_EMIN,
    P_M,
    P_MAXCODE,
    P_MODE,
    P_SRBITS,
    RDOWN,
    RNA,
    RNE,
    RODD,
    RSREQ,
    RUP,
)
from .._core.random_words import word
from .._core.rounding import ldexp_exact, rne_magnitude, round_one, round_up, to_odd

# Slots of the element-parameter array ``EP``.
(
    E_INT,  # 1: integer codes (two's complement), 0: sign-magnitude float codes
    E_QMIN,  # integer codes: clamp range
    E_QMAX,
    E_WRAP,  # integer codes: wrap modulo 2**bits instead of saturating
    E_BITS,
    E_NANCODE,  # float codes: the code elements of a NaN block get
    E_SIGNBIT,  # float codes: bit position of the sign
    E_NEGZERO,  # float codes: the format has -0
    E_FAST,  # 1: the element format has zero, subnormals and a sign (rounded inline)
    E_STATS,  # 1: count clipped and flushed elements
    E_MAYNAN,  # 1: quotients may be NaN (NaN data with given scales)
    E_LEN,
) = range(12)

# Slots of the float64 parameter array ``FP``.
(
    F_LO,  # range of the element format, in units of its quantum: values of v / s
    F_HI,  # (scaled by F_INVQ, plus the zero point) outside it count as clipped
    F_WRAPLIM,  # wrapping: below this |v / s| the grid rounds; above, v / s is an integer
    F_INVQ,  # 1 / quantum of integer formats, 1 for float formats
    F_ADDEXP,  # round to nearest even: the constants of _kernels.rne_magnitude
    F_MSUB,
    F_TWOEMIN,  # 2**emin of the element grid
    F_BIG,  # 2**(emax + 1) of the element grid: above every finite value
    F_VMAX,  # the element format's largest value (MX scale rule rceil)
    F_LEN,
) = range(10)

# MX scale modes, in the order of numerics.SCALE_MODES.
MX_FLOOR, MX_CEIL, MX_EVEN, MX_RCEIL = range(4)

# Loops over [lo, hi) count in unsigned integers: numba cannot prove a signed index
# from range(lo, hi) non-negative, and its negative-index wraparound stops the loop
# from vectorising.
_M52 = (np.int64(1) << 52) - 1
_ABS = np.int64(0x7FFFFFFFFFFFFFFF)
_TINY = 5e-324


@njit(cache=True, inline="always")
def _bits_amax(xb, lo, hi, XC):
    """Largest magnitude of ``x[lo:hi]`` from its bits ``xb`` (layout ``XC``: fraction
    bits, bias, sign position), as float64; NaN if the block holds a NaN or an Inf.
    A maximum over integer bits vectorises where one over floats cannot."""
    MB, BIAS, SSH = XC[0], XC[1], XC[2]
    absmask = (np.int64(1) << SSH) - 1
    mb = np.int64(0)
    for j in range(np.uint64(lo), np.uint64(hi)):
        mb = max(mb, np.int64(xb[j]) & absmask)
    field = mb >> MB
    if field == (absmask >> MB):
        return np.nan
    sig = (mb & ((np.int64(1) << MB) - 1)) | (np.int64(field != 0) << MB)
    return ldexp_exact(sig, max(field, 1) - BIAS - MB)


@njit(cache=True, parallel=True)
def block_absmax(xb, XC, bs, amax):
    """Per block of ``bs`` along each row of ``x`` (its bits ``xb``, layout ``XC``):
    the largest magnitude, or NaN when the block holds a NaN or an Inf."""
    rows, n = xb.shape
    for r in prange(rows):
        xr = xb[r]
        for k in range(amax.shape[1]):
            amax[r, k] = _bits_amax(xr, k * bs, min(n, (k + 1) * bs), XC)


@njit(cache=True, inline="always")
def _round_mag(ab, neg, R, P):
    """Magnitude code of the float64 whose bits without sign are ``ab``, rounded into a
    signed format with zero and subnormals, with an unbounded exponent above."""
    m = P[P_M]
    emin = P[P_EMIN]
    field = ab >> 52
    sig = (ab & _M52) | (np.int64(field != 0) << 52)
    E = max(field, 1) - 1023
    e_eff = max(E, emin)
    d = 52 - m + (e_eff - E)
    dc = min(d, 63)
    kept = sig >> dc
    rem = sig & ((np.int64(1) << dc) - 1)
    code = ((e_eff - emin) << m) + kept
    if round_up(P[P_MODE], rem, dc, d, code & 1, neg, R, P[P_SRBITS]):
        code += 1
    return code


@njit(cache=True)
def _wrap(q, bits):
    """The integer ``q`` (a float64 holding an integer) modulo ``2**bits``, as int64."""
    a = abs(q)
    if not a < np.inf:
        return np.int64(0)  # a multiple of every power of two a word can hold
    if a < 2.0**62:
        k = np.int64(a)
    else:
        f, e = math.frexp(a)
        sig = np.int64(f * 2.0**53)
        u = e - 53
        k = np.int64(0) if u >= bits else (sig << u)
    k &= (np.int64(1) << bits) - 1
    return -k if q < 0 else k


@njit(cache=True)
def _general_code(v, q, z, R, P, EP, FP):
    """The code of one element ``v`` (``q = v / s``) by the exact scalar routines, and
    whether it was clipped and flushed; every case, NaN and wrapping included."""
    if q != q:
        return EP[E_NANCODE], False, False  # given scales only; integer formats reject NaN
    if q == 0.0 and v != 0.0:
        q = _TINY if v > 0 else -_TINY  # keep the direction of an underflow
    t = q * FP[F_INVQ] + z
    clip = (t > FP[F_HI]) | (t < FP[F_LO])
    b = np.int64(np.float64(q).view(np.int64))
    neg = b < 0
    wrap = EP[E_WRAP] != 0
    beyond = wrap and not abs(q) < FP[F_WRAPLIM]  # an integer beyond the grid
    if beyond:
        mag = np.int64(1)
    elif EP[E_FAST] != 0:
        mag = min(_round_mag(b & _ABS, neg, R, P), P[P_MAXCODE])
    else:
        _kind, mag, neg = round_one(np.uint64(b), R, P)
    flush = (v != 0.0) & (mag == 0)
    if EP[E_INT] == 0:
        if neg and (mag != 0 or EP[E_NEGZERO] != 0):
            mag |= np.int64(1) << EP[E_SIGNBIT]
        return mag, clip, flush
    if wrap:
        if beyond:
            kk = _wrap(q * FP[F_INVQ], EP[E_BITS])
        else:
            kk = _wrap(-np.float64(mag) if neg else np.float64(mag), EP[E_BITS])
        return _to_range(kk + z, EP[E_BITS], EP[E_QMIN]), clip, flush
    kk = (-mag if neg else mag) + z
    return min(max(kk, EP[E_QMIN]), EP[E_QMAX]), clip, flush


@njit(cache=True, inline="always")
def _toward_quotient(q, v, s):
    """``q = fl(v / s)`` replaced by the exact quotient rounded to odd in float64, so
    that rounding it into a narrower format decides as the exact quotient would (see
    :func:`numerics.formats._kernels.to_odd`). float64 data need this: a float32
    quotient never lands on a boundary."""
    p, e = two_prod_dekker(q, s)
    d = (v - p) - e  # v - p is exact (Sterbenz); d has the sign of v - q * s
    return to_odd(q, d / s)


@njit(cache=True, inline="always")
def mx_exponent(a, mode, emax, mbits, elem_max):
    """The MX shared exponent of a block with absmax ``a`` (see
    :func:`numerics.mx_scale_exponents`), as float64; NaN only for a NaN block."""
    if not a < np.inf:
        return np.nan
    if a == 0.0:
        return -127.0
    b = np.float64(a).view(np.int64)
    if (b >> 52) == 0:  # a float64 subnormal: a = f * 2**k with f in [0.5, 1)
        f, k = math.frexp(a)
        b = np.float64(f * 2.0).view(np.int64) + ((np.int64(k) - 1) << 52)
    E = (b >> 52) - 1023  # floor(log2(a)), from the bits
    frac = b & _M52
    if mode == MX_CEIL:
        E += frac != 0
    elif mode == MX_EVEN:
        E += frac >= (np.int64(1) << 52) - (np.int64(1) << (51 - mbits))
    e = E - emax
    if mode == MX_RCEIL:
        e += a > elem_max * ldexp_exact(np.int64(1), min(max(e, -1074), 1023))
    return np.float64(min(max(e, -127), 127))  # E8M0's range: clamp, never NaN


@njit(cache=True)
def mx_exponents(amax, mode, emax, mbits, elem_max, out):
    """:func:`mx_exponent` of every element of ``amax`` into ``out``."""
    for i in range(amax.size):
        out[i] = mx_exponent(amax[i], mode, emax, mbits, elem_max)


@njit(cache=True, inline="always")
def _int_slow(q, emin, dbase):
    """Whether the integer way of :func:`_fast_pass` leaves ``q`` to the fix-up: NaN,
    Inf, or a rounding that keeps more than 62 bits (a nonzero far below the grid)."""
    ab = np.float64(q).view(np.int64) & _ABS
    field = ab >> 52
    d = dbase + max(emin - (max(field, 1) - 1023), 0)
    return ((d > 62) & (ab != 0)) | (field == 2047)


@njit(cache=True, inline="always")
def _fast_pass(qb, cnt, zb, key, generic, count, anyscale, row0, P, EP, FP, codes_row):
    """Codes of ``cnt`` float64 quotients ``qb`` (zero points ``zb``), branch-free.

    Round-to-nearest-even adds and subtracts ``1.5 * 2**k`` with ``2**(k-52)`` the
    quantum at the element's exponent, so the floating-point unit rounds; other modes
    (but odd and stochastic_equal) add an increment to the integer significand. NaN
    (and for the integer way :func:`_int_slow`) is left to the fix-up. Returns the
    (clipped, flushed, left) counts of the elements it coded. ``generic``: None for
    nearest even, whose callers then compile only its loop (numba prunes a branch on an
    argument's being None), True for the other modes. ``count`` None: nearest even
    counts no clipped and flushed elements (that loop is not compiled); ``anyscale``
    None (MX scales, never NaN): no NaN quotients to look for.
    """
    mode = P[P_MODE]
    m = P[P_M]
    emin = P[P_EMIN]
    maxcode = P[P_MAXCODE]
    K_ = (
        EP[E_NEGZERO],
        np.int64(1) << EP[E_SIGNBIT],
        EP[E_QMIN],
        EP[E_QMAX],
        -np.int64(EP[E_INT] != 0),
    )
    invq = FP[F_INVQ]
    lo_ = FP[F_LO]
    hi_ = FP[F_HI]
    addexp = np.int64(FP[F_ADDEXP])
    msub = FP[F_MSUB]
    two_emin = FP[F_TWOEMIN]
    big = FP[F_BIG]
    normoff = (1023 + emin - 1) << m
    suboff = (1023 + emin) << m
    # the other modes: a_half * half + up * low (+ random bits)
    a_half = np.int64(mode == RNA)
    up_pos = -np.int64(mode == RUP)
    up_neg = -np.int64(mode == RDOWN)
    dbase = 52 - m
    nclip = 0
    nflush = 0
    nslow = 0
    if generic is None or mode == RNE:
        for i in range(cnt):
            q = qb[i]
            b = np.float64(q).view(np.int64)
            ab = b & _ABS
            a = np.int64(ab).view(np.float64)
            r = rne_magnitude(min(a, big), addexp, msub)
            if r < two_emin:
                mag = (np.float64(r + two_emin).view(np.int64) >> dbase) - suboff
            else:
                mag = (np.float64(r).view(np.int64) >> dbase) - normoff
            mag = min(mag, maxcode)
            codes_row[i] = _code(b, mag, zb[i], K_)
        # counting in the loop above would slow it down by half: count apart, on request
        if count is not None and EP[E_STATS] != 0:
            half_q = two_emin * ldexp_exact(
                np.int64(1), -m - 1
            )  # nearest even: a <= half_q gives 0
            for i in range(cnt):
                q = qb[i]
                a = abs(q)
                t = q * invq + zb[i]
                nclip += np.int64(t > hi_) + np.int64(t < lo_)  # NaN compares false
                nflush += np.int64(a > 0) - np.int64(a > half_q)
        if anyscale is not None and EP[E_MAYNAN] != 0:
            for i in range(cnt):
                nslow += np.int64(qb[i] != qb[i])
        return nclip, nflush, nslow
    for i in range(cnt):
        q = qb[i]
        b = np.float64(q).view(np.int64)
        negi = b >> 63
        ab = b & _ABS
        field = ab >> 52
        sig = (ab & _M52) | (np.int64(field != 0) << 52)
        E = max(field, 1) - 1023
        sh = max(emin - E, 0)
        d = dbase + sh
        dd = min(d, 62)
        slow = _int_slow(q, emin, dbase)
        half = np.int64(1) << (dd - 1)
        inc = a_half * half + (((up_neg & negi) | (up_pos & ~negi)) & ((half << 1) - 1))
        inc += np.int64(word(key, row0 + i) >> np.uint64(64 - dd))
        mag = min((((E + sh) - emin) << m) + ((sig + inc) >> dd), maxcode)
        codes_row[i] = _code(b, mag, zb[i], K_)
        t = q * invq + zb[i]
        ok = not slow
        nclip += ok & ((t > hi_) | (t < lo_))
        nflush += ok & (ab != 0) & (mag == 0)
        nslow += slow
    return nclip, nflush, nslow


@njit(cache=True, inline="always")
def _code(b, mag, z, K_):
    """The code of magnitude ``mag`` with the sign of bits ``b``: sign-magnitude for
    float formats, clamped two's complement (plus zero point) for integers. ``K_``
    holds the constants as scalars, so that nothing is reloaded in the loop."""
    negzero, signbit, qmin, qmax, intm = K_
    negi = b >> 63
    fc = mag | (negi & -(np.int64(mag != 0) | negzero) & signbit)
    kk = min(max((mag ^ negi) - negi + z, qmin), qmax)
    return (kk & intm) | (fc & ~intm)


@njit(cache=True, inline="always")
def _row_mx_scales(xr, XC, bs, SR, vmax, dr):
    """Each block's MX scale ``2**e`` from its absmax (from the bits ``xr``; scale mode,
    emax_elem and element mbits in ``SR[1:4]``) into ``dr``; NaN for a NaN block."""
    n = xr.size
    for k in range(dr.size):
        lo = k * bs
        e = mx_exponent(_bits_amax(xr, lo, min(n, lo + bs), XC), SR[1], SR[2], SR[3], vmax)
        dr[k] = e if e != e else ldexp_exact(np.int64(1), np.int64(e))


@njit(cache=True, inline="always")
def _row_quotients(xr, dr, zr, bs, exact64, anyscale, qb, zb):
    """``qb = xr / s`` in float64 for each block of ``bs`` (divisors ``dr``; a NaN marks
    a NaN block, whose quotients are 0), an underflow to zero keeping its direction;
    ``exact64`` (float64 data) corrects inexact quotients. ``zb``: the blocks' zero
    points ``zr``, if any. ``anyscale``: None where every divisor is a power of two (MX
    scales): numba then compiles only that loop; True otherwise. One call per row:
    arrays passed per block would cost reference counting on every block."""
    n = xr.size
    for k in range(dr.size):
        lo = k * bs
        hi = min(n, lo + bs)
        s = dr[k]
        # loops, not slice assignments, which compile for much longer
        if zr.size:
            for j in range(lo, hi):
                zb[j] = zr[k]
        if s != s:
            for j in range(lo, hi):
                qb[j] = 0.0
            continue
        sb = np.float64(s).view(np.int64)
        # a power of two: multiplying is exact
        if anyscale is None or ((sb & _M52) == 0 and (sb >> 52) > 0):
            inv = 1.0 / s
            for j in range(np.uint64(lo), np.uint64(hi)):
                v = np.float64(xr[j])
                q = v * inv
                qb[j] = q if (q != 0) | (v == 0) else (_TINY if v > 0 else -_TINY)
        elif exact64:  # a loop of its own, so that the float32 one below vectorises
            for j in range(np.uint64(lo), np.uint64(hi)):
                v = np.float64(xr[j])
                q = v / s
                if 2.0**-900 < abs(v) < 2.0**900:
                    q = _toward_quotient(q, v, s)
                qb[j] = q if (q != 0) | (v == 0) else (_TINY if v > 0 else -_TINY)
        else:
            for j in range(np.uint64(lo), np.uint64(hi)):
                v = np.float64(xr[j])
                q = v / s
                qb[j] = q if (q != 0) | (v == 0) else (_TINY if v > 0 else -_TINY)


@njit(cache=True)
def quantize_rows_fast(
    x, xb, XC, bs, div, zp, SR, P, EP, FP, key, generic, anyscale, codes, stats, fix, qb, zb,
    r0, r1,
):  # fmt: skip
    """Codes of rows ``r0:r1`` of ``x`` by the branch-free pass (``generic``: see
    :func:`_fast_pass`; ``anyscale``: see :func:`_row_quotients`); ``stats[r]`` gets
    its (clipped, flushed) counts, and ``fix[r] = 1`` marks a row with elements left to
    :func:`quantize_rows_fix` (all of them for a format or mode the pass does not
    handle). Split so that the exact routine compiles only when data or mode need it.

    With ``SR[0] == 1`` each block's divisor is its MX scale, computed here from the
    block's absmax (mode, emax_elem, element mbits in ``SR[1:4]``) and written to
    ``div``; otherwise ``div`` holds the divisors (NaN: a NaN block). ``SR[4] == 1``
    (float64 data) corrects inexact quotients (:func:`_toward_quotient`).

    An element is clipped when ``v / s`` (in units of the quantum, plus the zero point)
    lies outside ``[FP[F_LO], FP[F_HI]]``, and flushed when it is nonzero but its
    rounded magnitude is 0.

    ``stats`` None: nothing counted (the counting loops not compiled). The caller
    codes the NaN blocks. ``codes``: unsigned integers of the codes' width (signed
    codes come as their unsigned view), which receive each code's bits truncated from
    int64, two's complement for integer formats.

    ``qb`` and ``zb``: scratch rows (float64, and int64 zeros) from the caller: an
    allocation here would compile numba's np.empty and np.zeros on the first call.
    """
    n = x.shape[1]
    mode = P[P_MODE]
    fast = EP[E_FAST] != 0 and EP[E_WRAP] == 0 and mode != RODD and mode != RSREQ
    for r in range(r0, r1):
        if SR[0] == 1:
            _row_mx_scales(xb[r], XC, bs, SR, FP[F_VMAX], div[r])
        _row_quotients(x[r], div[r], zp[r], bs, SR[4] != 0, anyscale, qb, zb)
        if fast:
            nclip, nflush, ns = _fast_pass(
                qb, n, zb, key, generic, stats, anyscale, r * n, P, EP, FP, codes[r]
            )
            if stats is not None:
                stats[r, 0] += nclip
                stats[r, 1] += nflush
            fix[r] = ns != 0
        else:
            fix[r] = 1


@njit(cache=True)
def quantize_rows_fix(x, bs, div, zp, SR, P, EP, FP, key, codes, stats, rows):
    """The elements :func:`quantize_rows_fast` left in ``rows``, by the exact scalar
    routines (:func:`_general_code`): NaN quotients, the rare integer cases of
    :func:`_int_slow`, and every element of a format or mode the pass does not take."""
    n = x.shape[1]
    mode = P[P_MODE]
    fast = EP[E_FAST] != 0 and EP[E_WRAP] == 0 and mode != RODD and mode != RSREQ
    rne = mode == RNE
    emin = P[P_EMIN]
    dbase = 52 - P[P_M]
    qb = np.empty(n, np.float64)
    zb = np.zeros(n, np.int64)
    for i in range(rows.size):
        r = rows[i]
        xr = x[r]
        _row_quotients(xr, div[r], zp[r], bs, SR[4] != 0, True, qb, zb)
        nclip = 0
        nflush = 0
        for j in range(n):
            q = qb[j]
            if fast and not (q != q or (not rne and _int_slow(q, emin, dbase))):
                continue
            if div[r, j // bs] != div[r, j // bs]:
                continue  # a NaN block: coded already
            R = word(key, r * n + j)
            c, clip, flush = _general_code(np.float64(xr[j]), q, zb[j], R, P, EP, FP)
            codes[r, j] = c
            nclip += clip
            nflush += flush
        stats[r, 0] += nclip
        stats[r, 1] += nflush


@njit(cache=True)
def _to_range(k, bits, qmin):
    """``k`` modulo ``2**bits`` in ``[qmin, qmin + 2**bits)`` (qmin is 0 or -2**(bits-1))."""
    w = np.int64(1) << bits
    k = (k - qmin) % w
    return k + qmin


@njit(cache=True, parallel=True)
def quantize_rows(x, xb, XC, bs, div, zp, SR, P, EP, FP, key, generic, anyscale, codes, stats, fix):
    """:func:`quantize_rows_fast` over every row of ``x``, in parallel over rows (the
    same result)."""
    rows = x.shape[0]
    step = max(1, (1 << 14) // max(1, x.shape[1]))
    for c in prange((rows + step - 1) // step):
        r1 = min(rows, (c + 1) * step)
        qb = np.empty(x.shape[1], np.float64)
        zb = np.zeros(x.shape[1], np.int64)
        quantize_rows_fast(
            x, xb, XC, bs, div, zp, SR, P, EP, FP, key, generic, anyscale, codes, stats, fix,
            qb, zb, c * step, r1,
        )  # fmt: skip


@njit(cache=True)
def dequantize_rows_range(codes, bs, scale, zp, table, quantum, is_int, arith, DP, out, r0, r1):
    """Rows ``r0:r1`` of :func:`dequantize_rows`."""
    n = codes.shape[1]
    has_zp = zp.shape[1] > 0
    # Float codes decode arithmetically (sig * 2**e, which vectorises) where ``arith``
    # (True, else None) says the format allows it; the codes of NaN and Inf, and other
    # formats, read the table. ``is_int``: True for integer codes, else None. numba
    # prunes a branch on an argument's being None, so a call compiles only its loop.
    m, emin, magmask, maxcode, nan0 = DP[1], DP[2], DP[3], DP[4], DP[5]
    fmask = (np.int64(1) << m) - 1
    signbit = magmask + 1
    for r in range(r0, r1):
        c = codes[r]
        o = out[r]
        for k in range(scale.shape[1]):
            s = scale[r, k]
            lo = k * bs
            hi = min(n, lo + bs)
            if is_int is not None:
                sq = quantum * s
                z = zp[r, k] if has_zp else 0
                for j in range(np.uint64(lo), np.uint64(hi)):
                    o[j] = np.float64(np.int64(c[j]) - z) * sq
            elif arith is not None:
                nspecial = 0
                for j in range(np.uint64(lo), np.uint64(hi)):
                    cj = np.int64(c[j])
                    mag = cj & magmask
                    field = mag >> m
                    sig = (mag & fmask) | (np.int64(field != 0) << m)
                    p2 = np.int64((max(field, 1) + emin - 1 - m + 1023) << 52).view(np.float64)
                    v = np.float64(sig) * p2 * s
                    o[j] = -v if cj & signbit else v
                    nspecial += (mag > maxcode) | (cj == nan0)
                if nspecial:
                    for j in range(np.uint64(lo), np.uint64(hi)):
                        cj = np.int64(c[j])
                        if (cj & magmask) > maxcode or cj == nan0:
                            o[j] = table[cj] * s
            else:
                for j in range(np.uint64(lo), np.uint64(hi)):
                    o[j] = table[c[j]] * s


@njit(cache=True, parallel=True)
def dequantize_rows(codes, bs, scale, zp, table, quantum, is_int, arith, DP, out):
    """Element values times their block's scale (minus zero points), computed in
    float64 and rounded once into ``out``'s dtype. ``DP``: see :func:`decode_params`;
    ``is_int`` and ``arith``: see :func:`dequantize_rows_range`."""
    rows = codes.shape[0]
    step = max(1, (1 << 14) // max(1, codes.shape[1]))
    for c in prange((rows + step - 1) // step):
        dequantize_rows_range(
            codes,
            bs,
            scale,
            zp,
            table,
            quantum,
            is_int,
            arith,
            DP,
            out,
            c * step,
            min(rows, (c + 1) * step),
        )


def decode_params(fmt) -> np.ndarray:
    """The arithmetic decoding of :func:`dequantize_rows` for a float element format:
    ``(on, m, emin, magnitude mask, max code, the fnuz NaN code or -1)``. On for formats
    with zero and subnormals whose codes fit 16 bits (every MX and NVFP4 element)."""
    on = fmt.zero and fmt.subnormals and fmt.bits <= 16
    magmask = (1 << (fmt.ebits + fmt.mbits)) - 1
    nan0 = magmask + 1 if fmt.nan.value == "fnuz" else -1
    if not fmt.signed:
        magmask = (1 << fmt.bits) - 1
    return np.array([on, fmt.mbits, fmt.emin, magmask, fmt.max_code, nan0], np.int64)
