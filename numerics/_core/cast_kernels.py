"""The array cast: round float32/float64 bits into a format, serially or in chunks.

Every package's casts and fast paths reuse :func:`cast_range`: a branch-free pass over
a block (add an increment, clear the dropped bits) for the elements the parameter
block's fast range covers, then :func:`numerics._core.rounding.cast_general` for the
rest.
"""

from __future__ import annotations

import numpy as np

from .jit import njit, prange
from .params import (
    P_D,
    P_FAST,
    P_FASTLO,
    P_HALFQ,
    P_HIBITS,
    P_INC,
    P_INCNEG,
    P_INCPOS,
    P_LOBITS,
    P_LOFIELD,
    P_MB,
    P_MODE,
    P_PFLIP,
    P_SIGNED,
    P_SRBITS,
    P_SSH,
    P_SUBLO,
    P_USELSB,
    P_ZLIM,
    RDOWN,
    RNA,
    RNE,
    RSR,
    RUP,
)
from .random_words import word
from .rounding import cast_general

# Elements per parallel chunk.
CHUNK = 1 << 14
# Elements per block of the branch-free pass.
_BLOCK = 256
# Elements of a block outside the shorter pass's range that the exact routine takes
# (more: the longer pass).
_FEW = 8


@njit(cache=True)
def cast_range(xb, ob, out, P, key, lo, hi):
    """Round ``xb[lo:hi]`` (container bits) into ``out`` (floats; ``ob`` is its bits).
    ``key``: the random key of stochastic modes, or None (then the stochastic code is
    not compiled).

    Elements in the target's normal range, in its subnormal range down to its smallest
    subnormal, and zeros are rounded on their bits: add an increment, clear the dropped
    bits (more of them below the normal range). The others (and every element of a mode
    without a fast path) go through round_one.
    """
    if P[P_FAST] == 0:
        for i in range(lo, hi):
            out[i] = cast_general(np.uint64(xb[i]), word(key, i), P)
        return
    ssh = P[P_SSH]
    sign = np.int64(1) << ssh
    absmask = sign - 1
    d = P[P_D]
    lobits = P[P_LOBITS]
    hibits = P[P_HIBITS]
    lowmask = (np.int64(1) << d) - 1
    inc0 = P[P_INC]
    uselsb = P[P_USELSB]
    pflip = P[P_PFLIP]
    incpos = P[P_INCPOS]
    incneg = P[P_INCNEG]
    srshift = np.uint64(64 - d)
    srmask = ~((np.int64(1) << max(d - P[P_SRBITS], 0)) - 1)
    sublo = P[P_SUBLO]
    fastlo = P[P_FASTLO]
    zlim = P[P_ZLIM]
    mode = P[P_MODE]
    srbits = P[P_SRBITS]
    # unsigned targets send negative inputs to round_one by keeping the sign in the test
    rangemask = absmask if P[P_SIGNED] != 0 else (sign | absmask)
    # Blocks of a branch-free pass over every element (which the compiler vectorises),
    # then round_one for the few outside the fast range, between the first and the last
    # of them. Two passes: the cheaper one covers the target's normal range only; a
    # block with elements below it (zeros, subnormals of the target) runs the longer
    # one, and so do the blocks after it until one holds only normal elements. The
    # loops count in unsigned integers: numba cannot prove an index from range(lo, hi)
    # non-negative, and its negative-index wraparound stops the loop from vectorising
    # (6x slower).
    # The pass's constants in the container's own integer type (read back from an array
    # of it): int64 constants would widen float32 bits to 64-bit lanes, half as many.
    c = np.empty(13, xb.dtype)
    c[0], c[1], c[2], c[3], c[4], c[5] = sign, absmask, rangemask, lobits, hibits, d
    c[6], c[7], c[8], c[9], c[10], c[11], c[12] = lowmask, inc0, pflip, uselsb, incpos, incneg, 0
    consts = (c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12])
    # the longer pass: rounding modes as masks of the increment's parts, which are
    # functions of the number of bits dropped (d in the normal range, more below it)
    e = np.empty(22, xb.dtype)
    e[0], e[1], e[2], e[3], e[4], e[5] = sign, absmask, rangemask, lobits, hibits, d
    e[6], e[7], e[8], e[9] = sublo, zlim, P[P_LOFIELD], P[P_MB]
    e[10] = pflip
    e[11] = -np.int64(mode == RNE)  # half - 1 plus the kept LSB
    e[12] = -np.int64(mode == RNA)  # half
    e[13] = -np.int64(mode == RUP)  # all dropped bits, positive inputs
    e[14] = -np.int64(mode == RDOWN)  # all dropped bits, negative inputs
    e[15], e[16], e[17], e[18] = 0, 1, 64, srbits
    e[19], e[20], e[21] = fastlo, P[P_HALFQ], -np.int64(mode == RSR)
    ext = (
        e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8], e[9], e[10],
        e[11], e[12], e[13], e[14], e[15], e[16], e[17], e[18], e[19], e[20], e[21],
    )  # fmt: skip
    zero = consts[12]
    umask = np.uint64(srmask)
    w0 = np.uint64(0)
    stochastic = False
    if key is not None:
        stochastic = mode >= RSR
    longer = False
    for blo in range(lo, hi, _BLOCK):
        # unsigned indices into the whole arrays: no slices or calls per block
        ulo = np.uint64(blo)
        uhi = np.uint64(min(hi, blo + _BLOCK))
        first = uhi
        end = ulo
        if not longer:
            nslow = 0
            if stochastic:
                for j in range(ulo, uhi):
                    inc = (word(key, np.int64(j)) >> srshift) & umask
                    ob[j], slow = _normal_bits(xb[j], inc, consts)
                    first = min(first, j if slow else uhi)
                    end = max(end, j + np.uint64(1) if slow else ulo)
                    nslow += slow
            else:
                for j in range(ulo, uhi):
                    ob[j], slow = _normal_bits(xb[j], zero, consts)
                    first = min(first, j if slow else uhi)
                    end = max(end, j + np.uint64(1) if slow else ulo)
                    nslow += slow
            if nslow <= _FEW:  # none or a few: the exact routine
                for j in range(first, end if nslow else first):
                    t = np.int64(xb[j]) & rangemask
                    if t < lobits or t > hibits:
                        out[j] = cast_general(np.uint64(xb[j]), word(key, np.int64(j)), P)
                continue
            # elements between first and end that the pass rounded already round to
            # themselves (in place, xb holds them now)
            ulo = first
            uhi = end
            longer = True
        first = uhi
        end = ulo
        below = 0
        if stochastic:
            for j in range(ulo, uhi):
                ob[j], slow, bel = _fast_bits(xb[j], word(key, np.int64(j)), True, ext)
                first = min(first, j if slow else uhi)
                end = max(end, j + np.uint64(1) if slow else ulo)
                below += bel
        else:
            for j in range(ulo, uhi):
                ob[j], slow, bel = _fast_bits(xb[j], w0, False, ext)
                first = min(first, j if slow else uhi)
                end = max(end, j + np.uint64(1) if slow else ulo)
                below += bel
        longer = below > _FEW
        for j in range(first, end):
            t = np.int64(xb[j]) & rangemask
            if (t < fastlo and (t != 0 or zlim == 0)) or t > hibits:
                out[j] = cast_general(np.uint64(xb[j]), word(key, np.int64(j)), P)


@njit(cache=True, inline="always")
def _normal_bits(x, inc, consts):
    """One element of the shorter pass: its rounded bits (its input bits if it lies
    outside the target's normal range: in place, the second pass reads them) and
    whether it does. ``inc``: the random part of the increment."""
    sign, absmask, rangemask, lobits, hibits, d, lowmask, inc0, pflip, uselsb = consts[:10]
    incpos, incneg = consts[10], consts[11]
    b = x & (sign | absmask)
    ab = b & absmask
    t = b & rangemask
    slow = (t < lobits) | (t > hibits)
    inc += inc0 + (((ab >> d) ^ pflip) & uselsb) + (incneg if b != ab else incpos)
    return (b if slow else ((ab + inc) & ~lowmask) | (b ^ ab)), slow


@njit(cache=True, inline="always")
def _fast_bits(x, w, stochastic, consts):
    """One element of the longer pass: its rounded bits (its input bits if it lies
    outside the fast range), whether it does, and whether it lies below the normal
    range. ``w``: the random word of stochastic rounding; ``consts``: see
    :func:`cast_range`."""
    sign, absmask, rangemask, lobits, hibits, d, sublo, zlim, lofield, mb = consts[:10]
    pflip, m_rne, m_rna, m_up, m_down, zero, one, w64, srbits = consts[10:19]
    fastlo, halfq, m_sr = consts[19:]
    b = x & (sign | absmask)
    ab = b & absmask
    t = b & rangemask
    slow = ((t < fastlo) & (t >= zlim)) | (t > hibits)
    neg = b != ab
    field = ab >> mb
    # below the smallest subnormal q: 0 or q
    deep = (t < sublo) & (t != zero)
    up = (
        (m_rne if ab > halfq else zero)
        | (m_rna if ab >= halfq else zero)
        | (m_down if neg else m_up)
    )
    if stochastic:
        # up with probability ab / q: the fraction's bits scaled to 64 bits, the last
        # 64 - srbits cleared, plus the word carries out (numerics._core.rounding.round_up)
        dt = np.uint64(d + lofield - min(field, lofield))
        sig = np.uint64((ab & ((one << mb) - one)) | (one << mb))
        u64 = np.uint64(64)
        frac = sig << (u64 - min(dt, u64)) if dt <= u64 else sig >> min(dt - u64, np.uint64(63))
        frac &= ~((np.uint64(1) << np.uint64(64 - srbits)) - np.uint64(1))
        carry = (frac != np.uint64(0)) & (w >= (~frac + np.uint64(1)))
        up |= m_sr if carry else zero
    deepbits = (sublo & up) | (b ^ ab)
    # bits dropped: d, plus one per binade below the target's smallest normal (at most
    # the whole fraction; zeros and slow elements may clamp, their result is unused)
    extra = lofield - min(field, lofield)
    de = min(d + extra, mb)
    half = one << (de - one)
    low = (half << one) - one
    # below the normal range the kept LSB is the implicit bit's neighbour: force it on
    # where the whole fraction is dropped (the code is then 1)
    implicit = (one << mb) if extra != zero else zero
    lsb = ((((ab | implicit) >> de) ^ pflip) & one) & m_rne
    inc = ((half - one) & m_rne) + (half & m_rna) + lsb + (low & (m_down if neg else m_up))
    if stochastic:
        # the top de bits of the word, the last de - srbits of them cleared
        r = w >> np.uint64(w64 - de)
        keep = de - min(de, srbits)
        inc = inc + (r & ~((one << keep) - one))
    fast = deepbits if deep else ((ab + inc) & ~low) | (b ^ ab)
    return (b if slow else fast), slow, np.int64(t < lobits)


@njit(cache=True, parallel=True)
def cast_parallel(xb, out, P, key):
    """Round every element of ``xb`` (float bits) into ``out`` (floats), over chunks in
    parallel; the same result as :func:`cast_range` over the whole array."""
    n = xb.size
    ob = out.view(xb.dtype)
    for c in prange((n + CHUNK - 1) // CHUNK):
        cast_range(xb, ob, out, P, key, c * CHUNK, min(n, (c + 1) * CHUNK))
