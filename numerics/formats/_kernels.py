"""numba kernels: round IEEE float32/float64 bits into any :class:`Format`.

One scalar routine (:func:`_round_one`) decides every element; the cast and encode
drivers call it, serially or over ``prange`` chunks. Format and rounding parameters
travel in a small int64 array, so each driver compiles once per container dtype
rather than once per format or mode.

Magnitude codes are integers ordered like the values they encode, so rounding up
is ``code + 1`` (carrying into the exponent as IEEE bit patterns do) and overflow
is ``code > max_code``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

# Parameter slots of the int64 array ``P``.
(
    P_M,  # fraction bits of the target
    P_EMIN,  # exponent of the smallest normal
    P_EMAX,  # exponent of the largest finite value
    P_MAXCODE,  # magnitude code of the largest finite value
    P_ZERO,  # the target has a zero
    P_SIGNED,
    P_NEGZERO,
    P_HASINF,
    P_HASNAN,
    P_SUBN,  # subnormals produced (format has them and the caller did not disable them)
    P_SAT,
    P_MODE,
    P_SRBITS,  # random bits used by stochastic rounding, 1..64
    P_MB,  # container fraction bits: 23 or 52
    P_BIASC,  # container exponent bias: 127 or 1023
    P_SSH,  # container sign-bit position: 31 or 63
    P_NANPOS,  # code of NaN for a positive (or unsigned) NaN (if P_HASNAN)
    P_NANNEG,  # code of NaN for a negative NaN (if P_HASNAN)
    P_SIGNPOS,  # bit position of the target's sign bit
    # The fast path: inputs whose container bits lie in [P_LOBITS, P_HIBITS] are normal in
    # the target and cannot overflow, so rounding is an add and a mask on the bits.
    P_FAST,  # 1 if the fast path applies to this format and mode
    P_LOBITS,  # container bits of the smallest normal of the target
    P_HIBITS,  # container bits of the target's largest finite value
    P_D,  # container fraction bits dropped: MB - m
    P_INC,  # the increment's constant part: half - 1 (RNE), half (RNA) or 0
    P_USELSB,  # add the kept LSB (RNE)
    P_PFLIP,  # flip of that LSB where the code's parity is the exponent's (m = 0)
    P_INCPOS,  # added for positive inputs (lowmask for UP)
    P_INCNEG,  # added for negative inputs (lowmask for DOWN)
    P_LEN,
) = range(29)

# Rounding mode numbers, in the order of numerics.Rounding.
RNE, RNA, RTZ, RUP, RDOWN, RODD, RSR, RSREQ = range(8)

# Result kinds of _round_one.
FINITE, NAN, INF = 0, 1, 2

_U1 = np.uint64(1)
_U27 = np.uint64(27)
_U30 = np.uint64(30)
_U31 = np.uint64(31)
_U63 = np.uint64(63)
_U64 = np.uint64(64)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)

# Every power of two a float64 can hold, so that sig * 2**q is one exact multiply.
_POW2 = np.ldexp(1.0, np.arange(-1074, 1024))

CHUNK = 1 << 14
_BLOCK = 1 << 10


@njit(cache=True)
def mix64(z):
    """splitmix64's finaliser: a bijective 64-bit mix."""
    z = (z ^ (z >> _U30)) * _MIX1
    z = (z ^ (z >> _U27)) * _MIX2
    return z ^ (z >> _U31)


@njit(cache=True)
def random64(key, i):
    """The random word of element ``i``: a pure function of (key, i), so results do not
    depend on chunking or thread count."""
    return mix64(key + np.uint64(i + 1) * _GOLDEN)


@njit(cache=True)
def split(a):
    """Veltkamp's split of ``a`` into ``hi + lo`` with 26-bit halves (``|a| < 2**995``)."""
    c = 134217729.0 * a  # 2**27 + 1
    hi = c - (c - a)
    return hi, a - hi


@njit(cache=True)
def two_prod(a, b):
    """``(p, e)``: ``p = fl(a * b)`` and ``p + e == a * b`` exactly (Dekker), for
    ``|a|, |b| < 2**995`` and products that do not underflow."""
    p = a * b
    ah, al = split(a)
    bh, bl = split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


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
def _round_up(mode, rem, dc, d, parity, neg, R, srbits):
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
            if _round_up(mode, rem, dc, d, code & 1, neg, R, P[P_SRBITS]):
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
def _cast_general(b, R, P):
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
    return _cast_general(np.uint64(b), R, P)


_EXP = np.int64(0x7FF0000000000000)
_HALF = np.int64(1) << 51


@njit(cache=True, inline="always")
def rne_magnitude(a, addexp, msub):
    """The magnitude ``a >= 0`` rounded to nearest even into a format with zero and
    subnormals, by adding and subtracting ``M = 1.5 * 2**k``, where ``2**(k-52)`` is the
    quantum at ``a``'s exponent (at least the subnormal quantum: ``M >= msub``), so the
    floating-point unit rounds. ``(addexp, msub)`` come from
    :func:`numerics.formats._inputs.rne_constants`. Valid up to twice the format's
    largest value (callers clamp above it)."""
    M = max(
        np.int64(((np.float64(a).view(np.int64) & _EXP) + addexp) | _HALF).view(np.float64), msub
    )
    return (a + M) - M


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


@njit(cache=True)
def _cast_range(xb, ob, out, P, key, lo, hi):
    """Round ``xb[lo:hi]`` (container bits) into ``out`` (floats; ``ob`` is its bits).

    Elements in the target's normal range are rounded on their bits: add an increment,
    clear the dropped bits. Elements outside it (and every element of a mode without a
    fast path) go through round_one.
    """
    stochastic = P[P_MODE] >= RSR
    if P[P_FAST] == 0:
        R = np.uint64(0)
        for i in range(lo, hi):
            if stochastic:
                R = random64(key, i)
            out[i] = _cast_general(np.uint64(xb[i]), R, P)
        return
    ssh = P[P_SSH]
    sign = np.int64(1) << ssh
    absmask = sign - 1
    d = P[P_D]
    lowmask = (np.int64(1) << d) - 1
    lobits = P[P_LOBITS]
    hibits = P[P_HIBITS]
    inc0 = P[P_INC]
    uselsb = P[P_USELSB]
    pflip = P[P_PFLIP]
    incpos = P[P_INCPOS]
    incneg = P[P_INCNEG]
    srshift = np.uint64(64 - d)
    srbits = P[P_SRBITS]
    srmask = ~((np.int64(1) << max(d - srbits, 0)) - 1)
    # unsigned targets send negative inputs to round_one by keeping the sign in the test
    rangemask = absmask if P[P_SIGNED] != 0 else (sign | absmask)
    # Blocks of a branch-free pass over every element (which the compiler vectorises),
    # then round_one for the few outside the fast range, if the block has any.
    for blo in range(lo, hi, _BLOCK):
        bhi = min(hi, blo + _BLOCK)
        nslow = 0
        for i in range(blo, bhi):
            b = np.int64(xb[i]) & (sign | absmask)
            ab = b & absmask
            t = b & rangemask
            slow = (t < lobits) | (t > hibits)
            nslow += slow
            inc = inc0 + (((ab >> d) ^ pflip) & uselsb) + (incneg if b != ab else incpos)
            if stochastic:
                inc += np.int64(random64(key, i) >> srshift) & srmask
            # slow elements keep their input bits: in place, the second pass reads them
            ob[i] = b if slow else ((ab + inc) & ~lowmask) | (b ^ ab)
        if nslow:
            for i in range(blo, bhi):
                t = np.int64(xb[i]) & rangemask
                if t < lobits or t > hibits:
                    R = random64(key, i) if stochastic else np.uint64(0)
                    out[i] = _cast_general(np.uint64(xb[i]), R, P)


@njit(cache=True)
def cast_serial(xb, out, P, key):
    """Round every element of ``xb`` (float bits) into ``out`` (floats), one thread."""
    _cast_range(xb, out.view(xb.dtype), out, P, key, 0, xb.size)


@njit(cache=True, parallel=True)
def cast_parallel(xb, out, P, key):
    """As :func:`cast_serial`, over chunks in parallel; the same result."""
    n = xb.size
    ob = out.view(xb.dtype)
    for c in prange((n + CHUNK - 1) // CHUNK):
        _cast_range(xb, ob, out, P, key, c * CHUNK, min(n, (c + 1) * CHUNK))


@njit(cache=True)
def _encode_range(xb, codes, P, key, lo, hi, bad):
    """Codes of ``xb[lo:hi]``; counts into ``bad`` the NaNs (slot 0) and Infs (slot 1)
    that the format cannot encode, and remembers the first offender (slots 2, 3)."""
    stochastic = P[P_MODE] >= RSR
    sign_bit = np.int64(1) << P[P_SIGNPOS]
    inf_unholdable = P[P_HASINF] == 0 and P[P_SAT] == 0
    infmask = ((_U1 << np.uint64(P[P_SSH])) - _U1) ^ ((_U1 << np.uint64(P[P_MB])) - _U1)
    absmask = (_U1 << np.uint64(P[P_SSH])) - _U1
    R = np.uint64(0)
    for i in range(lo, hi):
        if stochastic:
            R = random64(key, i)
        b = np.uint64(xb[i])
        if inf_unholdable and (b & absmask) == infmask:
            bad[1] += 1
            if bad[3] < 0:
                bad[3] = i
        kind, code, neg = round_one(b, R, P)
        if kind == NAN:
            c = P[P_NANNEG] if neg else P[P_NANPOS]
            if P[P_HASNAN] == 0:  # only a NaN input gives NAN in a format without NaN
                bad[0] += 1
                if bad[2] < 0:
                    bad[2] = i
                c = 0
        elif neg:
            c = code | sign_bit
        else:
            c = code
        codes[i] = c


@njit(cache=True)
def encode_serial(xb, codes, P, key, bad):
    """Codes of every element of ``xb``, one thread."""
    _encode_range(xb, codes, P, key, 0, xb.size, bad)


@njit(cache=True, parallel=True)
def encode_parallel(xb, codes, P, key, bad):
    """As :func:`encode_serial`, over chunks in parallel; the same result."""
    n = xb.size
    nchunk = (n + CHUNK - 1) // CHUNK
    bads = np.zeros((nchunk, 4), dtype=np.int64)
    bads[:, 2:] = -1
    for c in prange(nchunk):
        _encode_range(xb, codes, P, key, c * CHUNK, min(n, (c + 1) * CHUNK), bads[c])
    for c in range(nchunk):
        bad[0] += bads[c, 0]
        bad[1] += bads[c, 1]
        if bad[2] < 0:
            bad[2] = bads[c, 2]
        if bad[3] < 0:
            bad[3] = bads[c, 3]
