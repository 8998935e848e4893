"""numba kernels of :func:`numerics.encode`: the bit codes of float32/float64 data."""

from __future__ import annotations

import numpy as np

from .._core.cast_kernels import CHUNK
from .._core.jit import njit, prange
from .._core.params import (
    NAN,
    P_HASINF,
    P_HASNAN,
    P_MB,
    P_NANNEG,
    P_NANPOS,
    P_SAT,
    P_SIGNPOS,
    P_SSH,
)
from .._core.random_words import word
from .._core.rounding import round_one

_U1 = np.uint64(1)


@njit(cache=True)
def _encode_range(xb, codes, P, key, lo, hi, bad):
    """Codes of ``xb[lo:hi]``; counts into ``bad`` the NaNs (slot 0) and Infs (slot 1)
    that the format cannot encode, and remembers the first offender (slots 2, 3)."""
    sign_bit = np.int64(1) << P[P_SIGNPOS]
    inf_unholdable = P[P_HASINF] == 0 and P[P_SAT] == 0
    infmask = ((_U1 << np.uint64(P[P_SSH])) - _U1) ^ ((_U1 << np.uint64(P[P_MB])) - _U1)
    absmask = (_U1 << np.uint64(P[P_SSH])) - _U1
    for i in range(lo, hi):
        R = word(key, i)
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
