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
from .random_words import random64, word_if
from .rounding import cast_general

# Elements per parallel chunk.
CHUNK = 1 << 14
# Elements per block of the branch-free pass.
_BLOCK = 1 << 10


@njit(cache=True)
def cast_range(xb, ob, out, P, key, lo, hi):
    """Round ``xb[lo:hi]`` (container bits) into ``out`` (floats; ``ob`` is its bits).

    Elements in the target's normal range are rounded on their bits: add an increment,
    clear the dropped bits. Elements outside it (and every element of a mode without a
    fast path) go through round_one.
    """
    stochastic = P[P_MODE] >= RSR
    if P[P_FAST] == 0:
        for i in range(lo, hi):
            out[i] = cast_general(np.uint64(xb[i]), word_if(stochastic, key, i), P)
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
                    out[i] = cast_general(np.uint64(xb[i]), word_if(stochastic, key, i), P)


@njit(cache=True)
def cast_serial(xb, out, P, key):
    """Round every element of ``xb`` (float bits) into ``out`` (floats), one thread."""
    cast_range(xb, out.view(xb.dtype), out, P, key, 0, xb.size)


@njit(cache=True, parallel=True)
def cast_parallel(xb, out, P, key):
    """As :func:`cast_serial`, over chunks in parallel; the same result."""
    n = xb.size
    ob = out.view(xb.dtype)
    for c in prange((n + CHUNK - 1) // CHUNK):
        cast_range(xb, ob, out, P, key, c * CHUNK, min(n, (c + 1) * CHUNK))
