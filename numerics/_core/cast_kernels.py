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
    P_HIBITS,
    P_INC,
    P_INCNEG,
    P_INCPOS,
    P_LOBITS,
    P_MODE,
    P_PFLIP,
    P_SIGNED,
    P_SRBITS,
    P_SSH,
    P_USELSB,
    RSR,
)
from .random_words import word
from .rounding import cast_general

# Elements per parallel chunk.
CHUNK = 1 << 14
# Elements per block of the branch-free pass.
_BLOCK = 256


@njit(cache=True)
def cast_range(xb, ob, out, P, key, lo, hi):
    """Round ``xb[lo:hi]`` (container bits) into ``out`` (floats; ``ob`` is its bits).
    ``key``: the random key of stochastic modes, or None (then the stochastic code is
    not compiled).

    Elements in the target's normal range are rounded on their bits: add an increment,
    clear the dropped bits. Elements outside it (and every element of a mode without a
    fast path) go through round_one.
    """
    if P[P_FAST] == 0:
        for i in range(lo, hi):
            out[i] = cast_general(np.uint64(xb[i]), word(key, i), P)
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
    # then round_one for the few outside the fast range, between the first and the last
    # of them. The loops count in unsigned integers: numba cannot prove an index from
    # range(lo, hi) non-negative, and its negative-index wraparound stops the
    # vectorisation (6x slower).
    # The pass's constants in the container's own integer type (read back from an array
    # of it): int64 constants would widen float32 bits to 64-bit lanes, half as many.
    c = np.empty(13, xb.dtype)
    c[0], c[1], c[2], c[3], c[4], c[5] = sign, absmask, rangemask, lobits, hibits, d
    c[6], c[7], c[8], c[9], c[10], c[11], c[12] = lowmask, inc0, pflip, uselsb, incpos, incneg, 0
    consts = (c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12])
    zero = consts[12]
    umask = np.uint64(srmask)
    stochastic = False
    if key is not None:
        stochastic = P[P_MODE] >= RSR
    for blo in range(lo, hi, _BLOCK):
        # unsigned indices into the whole arrays: no slices or calls per block
        ulo = np.uint64(blo)
        uhi = np.uint64(min(hi, blo + _BLOCK))
        first = uhi
        end = ulo
        if stochastic:
            for j in range(ulo, uhi):
                inc = (word(key, np.int64(j)) >> srshift) & umask
                ob[j], slow = _fast_bits(xb[j], inc, consts)
                first = min(first, j if slow else uhi)
                end = max(end, j + np.uint64(1) if slow else ulo)
        else:
            for j in range(ulo, uhi):
                ob[j], slow = _fast_bits(xb[j], zero, consts)
                first = min(first, j if slow else uhi)
                end = max(end, j + np.uint64(1) if slow else ulo)
        for j in range(first, end):
            t = np.int64(xb[j]) & rangemask
            if t < lobits or t > hibits:
                out[j] = cast_general(np.uint64(xb[j]), word(key, np.int64(j)), P)


@njit(cache=True, inline="always")
def _fast_bits(x, inc, consts):
    """One element of the branch-free pass: its rounded bits (its input bits if it lies
    outside the fast range: in place, the second pass reads them) and whether it does.
    ``inc``: the random part of the increment; ``consts``: see :func:`cast_range`."""
    sign, absmask, rangemask, lobits, hibits, d, lowmask, inc0, pflip, uselsb = consts[:10]
    incpos, incneg = consts[10], consts[11]
    b = x & (sign | absmask)
    ab = b & absmask
    t = b & rangemask
    slow = (t < lobits) | (t > hibits)
    inc += inc0 + (((ab >> d) ^ pflip) & uselsb) + (incneg if b != ab else incpos)
    return (b if slow else ((ab + inc) & ~lowmask) | (b ^ ab)), slow


@njit(cache=True, parallel=True)
def cast_parallel(xb, out, P, key):
    """Round every element of ``xb`` (float bits) into ``out`` (floats), over chunks in
    parallel; the same result as :func:`cast_range` over the whole array."""
    n = xb.size
    ob = out.view(xb.dtype)
    for c in prange((n + CHUNK - 1) // CHUNK):
        cast_range(xb, ob, out, P, key, c * CHUNK, min(n, (c + 1) * CHUNK))
