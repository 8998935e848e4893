"""Scalar rounding of one IEEE float32/float64 value into any format.

:func:`round_one` decides every element exactly, on magnitude codes: integers ordered
like the values they encode, so rounding up is ``code + 1`` (carrying into the
exponent as IEEE bit patterns do) and overflow is ``code > max_code``. The other
routines build on it: the float64 value of a rounding, the add-and-mask fast path,
the magic-constant nearest-even rounding, and the once-rounding of an exact sum.
"""

from __future__ import annotations

import math

import numpy as np

from .jit import njit
from .params import (
    FINITE,
    INF,
    NAN,
    P_BIASC,
    P_D,
    P_EMAX,
    P_EMIN,
    P_FAST,
    P_HASINF,
    P_HASNAN,
    P_HIBITS,
    P_INC,
    P_INCNEG,
    P_INCPOS,
    P_LOBITS,
    P_M,
    P_MAXCODE,
    P_MB,
    P_MODE,
    P_NEGZERO,
    P_PFLIP,
    P_SAT,
    P_SIGNED,
    P_SRBITS,
    P_SSH,
    P_SUBN,
    P_USELSB,
    P_ZERO,
    RDOWN,
    RNA,
    RNE,
    RODD,
    RSR,
    RTZ,
    RUP,
    rne_constants,
)

_U1 = np.uint64(1)
_U63 = np.uint64(63)

# Every power of two a float64 can hold, so that sig * 2**q is one exact multiply.
_POW2 = np.ldexp(1.0, np.arange(-1074, 1024))


@njit(cache=True)
def ldexp_exact(sig, q):
    """``sig * 2**q`` for results a float64 holds exactly."""
    return np.float64(sig) * _POW2[q + 1074]


@njit(cache=True)
def mag_to_float(code, m, emin, zero):
    """Value of a finite magnitude code (sign bit clear)."""
    e_field = code >> m
    frac = code & ((1 << m) - 1)
    if zero == 0:
        return ldexp_exact(frac | (1 << m), e_field + emin - m)
    if e_field == 0:
        return ldexp_exact(frac, emin - m)
    return ldexp_exact(frac | (1 << m), e_field - 1 + emin - m)


@njit(cache=True)
def round_up(mode, rem, dc, d, parity, neg, R, srbits):
    """Whether to add one ulp to the truncated code, given the discarded bits ``rem``
    (``dc`` of them kept, ``d`` discarded in truth) and the parity of the truncated code."""
    if rem == 0:
        return False
    if mode == RNE:
        half = np.int64(1) << (dc - 1)
        return rem > half or (rem == half and parity == 1)
    if mode == RNA:
        return rem >= (np.int64(1) << (dc - 1))
    if mode == RTZ:
        return False
    if mode == RUP:
        return not neg
    if mode == RDOWN:
        return neg
    if mode == RODD:
        return parity == 0
    if mode == RSR:
        # Up with probability rem / 2**d: up when rem (scaled to 64 bits, t) plus R
        # carries out, the same draw as adding R's top bits to the dropped bits.
        if d <= 64:
            t = np.uint64(rem) << np.uint64(64 - d)
        else:
            t = np.uint64(rem) >> np.uint64(min(d - 64, 63))
        if srbits < 64:
            t = t & ~((_U1 << np.uint64(64 - srbits)) - _U1)
        return t != 0 and R >= (~t + _U1)
    # RSREQ: a fair coin for inexact values
    return (R >> _U63) == _U1


@njit(cache=True)
def round_one(b, R, P):
    """Round one container value (its bits ``b`` as uint64) into the target format.

    Returns ``(kind, code, neg)``: kind FINITE with the magnitude code, NAN or INF, and
    the sign of the result.
    """
    m = P[P_M]
    emin = P[P_EMIN]
    maxcode = P[P_MAXCODE]
    zero = P[P_ZERO] != 0
    signed = P[P_SIGNED] != 0
    sat = P[P_SAT] != 0
    mode = P[P_MODE]
    MB = P[P_MB]
    ssh = P[P_SSH]

    neg = ((b >> np.uint64(ssh)) & _U1) == _U1
    ab = np.int64(b & ((_U1 << np.uint64(ssh)) - _U1))
    field = ab >> MB
    mant = ab & ((np.int64(1) << MB) - 1)

    if field == (np.int64(1) << (ssh - MB)) - 1:
        if mant != 0:
            return NAN, 0, neg
        # Inf converts to Inf whatever the rounding direction; only saturation clamps it.
        if not sat and P[P_HASINF] != 0:
            code = maxcode + 1
        elif not sat and P[P_HASNAN] != 0:
            return NAN, 0, neg
        else:
            code = maxcode
    elif ab == 0:
        if zero:
            return FINITE, 0, neg and P[P_NEGZERO] != 0
        if P[P_HASNAN] != 0 and not sat:
            return NAN, 0, neg
        return FINITE, 0, False
    else:
        if field == 0:
            sig = mant
            lsb = 1 - P[P_BIASC] - MB
            E = lsb + math.frexp(np.float64(sig))[1] - 1
        else:
            sig = mant | (np.int64(1) << MB)
            lsb = field - P[P_BIASC] - MB
            E = field - P[P_BIASC]
        if E > P[P_EMAX]:
            code = maxcode + 1  # beyond max before any rounding
        elif not zero and E < emin:
            code = 0  # no zero to underflow to: the smallest value
        else:
            ftz = zero and P[P_SUBN] == 0
            e_eff = E if ftz else max(E, emin)
            d = e_eff - m - lsb
            if d <= 0:
                kept = sig << (-d)
                rem = np.int64(0)
                dc = 1
            else:
                dc = min(d, 63)
                kept = sig >> dc
                rem = sig & ((np.int64(1) << dc) - 1)
            code = ((e_eff - emin) << m) + kept
            if not zero:
                code -= np.int64(1) << m
            if round_up(mode, rem, dc, d, code & 1, neg, R, P[P_SRBITS]):
                code += 1
                kept += 1
            if ftz and E < emin:
                # Flush to zero unless rounding (with unbounded exponent) reached 2**emin.
                code = (np.int64(1) << m) if (E == emin - 1 and kept == (2 << m)) else 0
        if code > maxcode:
            toward0 = (
                mode == RTZ or mode == RODD or (mode == RUP and neg) or (mode == RDOWN and not neg)
            )
            if sat or toward0:
                code = maxcode
            elif P[P_HASINF] != 0:
                code = maxcode + 1
            elif P[P_HASNAN] != 0:
                return NAN, 0, neg
            else:
                code = maxcode

    if neg and not signed and (code != 0 or not zero):
        # A negative value an unsigned format cannot hold.
        if sat or P[P_HASNAN] == 0:
            return FINITE, 0, False
        return NAN, 0, True
    if code > maxcode:
        return INF, code, neg
    if code == 0 and zero:
        return FINITE, 0, neg and P[P_NEGZERO] != 0
    return FINITE, code, neg and signed


@njit(cache=True)
def cast_general(b, R, P):
    """The float64 value of one container value rounded into the target."""
    kind, code, neg = round_one(b, R, P)
    if kind == NAN:
        v = np.nan
    elif kind == INF:
        v = np.inf
    else:
        v = mag_to_float(code, P[P_M], P[P_EMIN], P[P_ZERO])
    return -v if neg else v


@njit(cache=True)
def round_value(v, R, P):
    """The float64 ``v`` rounded into the format of ``P`` (built for the float64
    container), as a float64: add-and-mask on the bits in the format's normal range,
    :func:`round_one` elsewhere. ``R``: the random word of stochastic modes."""
    b = np.float64(v).view(np.int64)
    ab = b & np.int64(0x7FFFFFFFFFFFFFFF)
    if P[P_FAST] != 0 and P[P_LOBITS] <= ab <= P[P_HIBITS]:
        # branch-free in the sign: a branch on it mispredicts on data of random sign
        d = P[P_D]
        sign = b ^ ab
        negmask = sign >> 63
        inc = P[P_INC] + (((ab >> d) ^ P[P_PFLIP]) & P[P_USELSB])
        inc += P[P_INCPOS] ^ ((P[P_INCPOS] ^ P[P_INCNEG]) & negmask)
        if P[P_MODE] == RSR:
            inc += np.int64(R >> np.uint64(64 - d)) & ~(
                (np.int64(1) << max(d - P[P_SRBITS], 0)) - 1
            )
        return np.int64((((ab + inc) >> d) << d) | sign).view(np.float64)
    return cast_general(np.uint64(b), R, P)


_EXP = np.int64(0x7FF0000000000000)
_HALF = np.int64(1) << 51


@njit(cache=True, inline="always")
def rne_magnitude(a, addexp, msub):
    """The magnitude ``a >= 0`` rounded to nearest even into a format with zero and
    subnormals, by adding and subtracting ``M = 1.5 * 2**k``, where ``2**(k-52)`` is the
    quantum at ``a``'s exponent (at least the subnormal quantum: ``M >= msub``), so the
    floating-point unit rounds. ``(addexp, msub)`` come from
    :func:`numerics._core.params.rne_constants`. Valid up to twice the format's
    largest value (callers clamp above it)."""
    M = max(
        np.int64(((np.float64(a).view(np.int64) & _EXP) + addexp) | _HALF).view(np.float64), msub
    )
    return (a + M) - M


def rne_array(x: np.ndarray, fmt) -> np.ndarray:
    """float64 ``x`` rounded to nearest even into ``fmt`` as :func:`rne_magnitude` does,
    in numpy (nothing to compile: the first call of a reduction rounds its inputs
    without compiling a cast), or None where the format does not allow it (it needs
    zero, subnormals, -0 and at most 50 fraction bits). Elements beyond ``fmt.max``
    (NaN and Inf included) come from :func:`numerics.cast`, which then compiles.

    Examples
    --------
    >>> from numerics import get_format
    >>> rne_array(np.array([0.1, -1000.0, 1e-9]), get_format("float8_e4m3fn")).tolist()
    [0.1015625, nan, 0.0]
    """
    if not (fmt.zero and fmt.subnormals and fmt.negzero and fmt.mbits <= 50):
        return None
    addexp, msub = rne_constants(fmt)
    a = np.abs(x)
    with np.errstate(all="ignore"):  # the elements beyond the range are replaced
        M = np.maximum((((a.view(np.int64) & _EXP) + addexp) | _HALF).view(np.float64), msub)
        r = np.copysign((a + M) - M, x)
    slow = ~(a <= fmt.max)
    if slow.any():
        from ..formats.cast import cast

        r[slow] = cast(x[slow], fmt)
    return r


@njit(cache=True)
def to_odd(hi, lo):
    """The exact sum ``hi + lo`` (``hi = fl(hi + lo)``) rounded to odd in float64:
    truncated toward zero, then the last bit set if anything was cut off.

    Rounding that value into a format with at most 50 fraction bits gives what
    rounding the exact sum would (the round-to-odd theorem: the boundaries of such a
    format are float64 values with a zero last bit, which an odd value never is, and
    truncation keeps the sum's side of each)."""
    if lo == 0 or hi != hi or abs(hi) == np.inf:
        return hi
    if (lo > 0) != (hi > 0):
        hi = np.nextafter(hi, 0.0)
    return np.int64(np.float64(hi).view(np.int64) | 1).view(np.float64)


@njit(cache=True)
def round_sum(hi, lo, R, P):
    """``hi + lo`` (an exact unevaluated sum with ``hi = fl(hi + lo)``) rounded once into
    the format of ``P`` (at most 50 fraction bits), via :func:`to_odd`. Stochastic
    modes draw on the odd value, so their probability is exact to a float64 ulp."""
    return round_value(to_odd(hi, lo), R, P)
