"""The array cast: round float32/float64 bits into a format, serially or in chunks.

Every package's casts and fast paths reuse :func:`cast_range`: a branch-free pass over
a block (add an increment, clear the dropped bits) for the elements the parameter
block's fast range covers (:func:`cast_pass`), then
:func:`numerics._core.rounding.cast_general` for the rest (:func:`cast_fix`). They are
separate kernels so that a first call on data the pass covers compiles no exact
routine: the serial cast runs :func:`cast_pass` alone, and :func:`cast_range` from the
first element the pass leaves, if any.

In place, the output bits are given as None, not as the input array a second time:
the loops then read and write one array, which LLVM vectorises; given twice, the
vectoriser's run-time overlap check fails and the loops run scalar, about 3x slower
(measured on a 2**16-element float64 cast).
"""

from __future__ import annotations

import numpy as np
from numba.extending import overload

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
# Elements of a block below the target's normal range after which the next block runs
# the longer pass over all its elements.
_FEW = 8


def _as_container(v, xb):
    """``v`` as a scalar of ``xb``'s dtype (compiled code only, see the overload)."""
    raise NotImplementedError


@overload(_as_container)
def _as_container_impl(v, xb):
    # the pass's constants in the container's own integer type: int64 constants would
    # widen float32 bits to 64-bit lanes, half as many
    dtype = xb.dtype
    return lambda v, xb: dtype(v)


@njit(cache=True)
def cast_range(xb, ob, out, P, key, lo, hi):
    """Round ``xb[lo:hi]`` (container bits) into ``out`` (floats; ``ob`` is its bits, or
    None in place, where ``out`` is ``xb``'s floats):
    :func:`cast_pass` up to each block it leaves elements in, :func:`cast_fix` on them.
    ``key``: the random key of stochastic modes, or None (then the stochastic code is
    not compiled)."""
    longer = np.bool_(False)  # a bool, not the literal False: one signature of cast_pass
    while lo < hi:
        flo, fhi, lo, longer = cast_pass(xb, ob, P, key, lo, hi, longer)
        if flo < fhi:
            cast_fix(xb, out, P, key, flo, fhi)


@njit(cache=True)
def cast_fix(xb, out, P, key, lo, hi):
    """Round the elements of ``xb[lo:hi]`` that :func:`cast_pass` leaves (all of them
    for a format or mode without a fast path) by the exact routine. In place
    (``out``'s bits are ``xb``) the pass's results lie in its range, so they are
    skipped, and the elements it left still hold their input bits."""
    fast = P[P_FAST] != 0
    sign = np.int64(1) << P[P_SSH]
    rangemask = (sign - 1) if P[P_SIGNED] != 0 else (sign | (sign - 1))
    fastlo = P[P_FASTLO]
    hibits = P[P_HIBITS]
    zlim = P[P_ZLIM]
    for j in range(np.uint64(lo), np.uint64(hi)):  # unsigned: no negative-index checks
        t = np.int64(xb[j]) & rangemask
        if not fast or (t < fastlo and (t != 0 or zlim == 0)) or t > hibits:
            out[j] = cast_general(np.uint64(xb[j]), word(key, np.int64(j)), P)


@njit(cache=True)
def cast_pass(xb, ob, P, key, lo, hi, longer):
    """Round the elements of ``xb[lo:hi]`` that lie in the target's normal range, in
    its subnormal range down to its smallest subnormal, and zeros on their bits into
    ``ob`` (None: into ``xb``, in place): add an increment, clear the dropped bits
    (more of them below the normal range). The others keep their input bits, and the
    pass stops at the end of the first block that holds any. Returns ``(flo, fhi,
    stop, longer)``: the span of that block holding the elements left for
    :func:`cast_fix` (empty if none; all of ``lo:hi`` for a format or mode without a
    fast path), where the pass stopped, and ``longer`` (the pass's state: whether the
    next block starts with the longer pass; False at the start).
    """
    if P[P_FAST] == 0:
        return lo, hi, hi, False
    # in place (ob None): one array read and written, see the module docstring
    if ob is None:
        dst = xb
    else:
        dst = ob
    ssh = P[P_SSH]
    sign = np.int64(1) << ssh
    absmask = sign - 1
    d = P[P_D]
    lobits = P[P_LOBITS]
    hibits = P[P_HIBITS]
    lowmask = (np.int64(1) << d) - 1
    mode = P[P_MODE]
    srbits = P[P_SRBITS]
    srshift = np.uint64(64 - d)
    srmask = ~((np.int64(1) << max(d - srbits, 0)) - 1)
    # unsigned targets leave negative inputs to the exact routine by keeping the sign
    # in the test
    rangemask = absmask if P[P_SIGNED] != 0 else (sign | absmask)
    # Blocks of a branch-free pass over every element (which the compiler vectorises).
    # Two passes: the cheaper one covers the target's normal range only; a block with
    # elements outside it runs the longer one between the first and the last of them
    # (elements between them that the cheaper pass rounded round to themselves: in
    # place, xb holds them now), and so do the blocks after a block with more than a
    # few elements below the normal range (zeros, subnormals of the target) until one
    # holds only normal elements. The loops count in unsigned integers: numba cannot
    # prove an index from range(lo, hi) non-negative, and its negative-index wraparound
    # stops the loop from vectorising (6x slower).
    consts = (
        _as_container(sign, xb), _as_container(absmask, xb),
        _as_container(rangemask, xb), _as_container(lobits, xb),
        _as_container(hibits, xb), _as_container(d, xb), _as_container(lowmask, xb),
        _as_container(P[P_INC], xb), _as_container(P[P_PFLIP], xb),
        _as_container(P[P_USELSB], xb), _as_container(P[P_INCPOS], xb),
        _as_container(P[P_INCNEG], xb),
    )  # fmt: skip
    # the longer pass: rounding modes as masks of the increment's parts, which are
    # functions of the number of bits dropped (d in the normal range, more below it)
    ext = (
        consts[0], consts[1], consts[2], consts[3], consts[4], consts[5],
        _as_container(P[P_SUBLO], xb), _as_container(P[P_ZLIM], xb),
        _as_container(P[P_LOFIELD], xb), _as_container(P[P_MB], xb), consts[8],
        _as_container(-np.int64(mode == RNE), xb),  # half - 1 plus the kept LSB
        _as_container(-np.int64(mode == RNA), xb),  # half
        _as_container(-np.int64(mode == RUP), xb),  # all dropped bits, positive inputs
        _as_container(-np.int64(mode == RDOWN), xb),  # all dropped bits, negative inputs
        _as_container(0, xb), _as_container(1, xb), _as_container(64, xb),
        _as_container(srbits, xb), _as_container(P[P_FASTLO], xb),
        _as_container(P[P_HALFQ], xb), _as_container(-np.int64(mode == RSR), xb),
    )  # fmt: skip
    zero = ext[15]
    umask = np.uint64(srmask)
    w0 = np.uint64(0)
    stochastic = False
    if key is not None:
        stochastic = mode >= RSR
    for blo in range(lo, hi, _BLOCK):
        # unsigned indices into the whole arrays: no slices or calls per block
        ulo = np.uint64(blo)
        uhi = np.uint64(min(hi, blo + _BLOCK))
        stop = np.int64(uhi)
        if not longer:
            first = uhi
            end = ulo
            nslow = 0
            below = 0
            if stochastic:
                for j in range(ulo, uhi):
                    inc = (word(key, np.int64(j)) >> srshift) & umask
                    dst[j], slow, bel = _normal_bits(xb[j], inc, consts)
                    first = min(first, j if slow else uhi)
                    end = max(end, j + np.uint64(1) if slow else ulo)
                    nslow += slow
                    below += bel
            else:
                for j in range(ulo, uhi):
                    dst[j], slow, bel = _normal_bits(xb[j], zero, consts)
                    first = min(first, j if slow else uhi)
                    end = max(end, j + np.uint64(1) if slow else ulo)
                    nslow += slow
                    below += bel
            if nslow == 0:
                continue
            if below == 0:  # NaN, Inf, overflow: nothing for the longer pass
                return np.int64(first), np.int64(end), stop, longer
            ulo = first
            uhi = end
        first = uhi
        end = ulo
        below = 0
        if stochastic:
            for j in range(ulo, uhi):
                dst[j], slow, bel = _fast_bits(xb[j], word(key, np.int64(j)), True, ext)
                first = min(first, j if slow else uhi)
                end = max(end, j + np.uint64(1) if slow else ulo)
                below += bel
        else:
            for j in range(ulo, uhi):
                dst[j], slow, bel = _fast_bits(xb[j], w0, False, ext)
                first = min(first, j if slow else uhi)
                end = max(end, j + np.uint64(1) if slow else ulo)
                below += bel
        longer = below > _FEW
        if first < end:
            return np.int64(first), np.int64(end), stop, longer
    return hi, hi, hi, longer


@njit(cache=True, inline="always")
def _normal_bits(x, inc, consts):
    """One element of the shorter pass: its rounded bits (its input bits if it lies
    outside the target's normal range: in place, the second pass reads them) and
    whether it does, and whether it lies below that range (nonzero: the longer pass may
    take it). ``inc``: the random part of the increment."""
    sign, absmask, rangemask, lobits, hibits, d, lowmask, inc0, pflip, uselsb = consts[:10]
    incpos, incneg = consts[10], consts[11]
    b = x & (sign | absmask)
    ab = b & absmask
    t = b & rangemask
    slow = (t < lobits) | (t > hibits)
    inc += inc0 + (((ab >> d) ^ pflip) & uselsb) + (incneg if b != ab else incpos)
    return (b if slow else ((ab + inc) & ~lowmask) | (b ^ ab)), slow, np.int64(t < lobits)


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
def cast_parallel(xb, ob, out, P, key, starts, fix):
    """Round every element of ``xb`` (float bits) into ``out`` (floats; ``ob``: its bits,
    None in place), over chunks of ``CHUNK`` in parallel; the same result as
    :func:`cast_range` over the whole array.
    With ``fix`` None, :func:`cast_pass` alone (no exact routine compiled): ``starts[c]``
    gets the first element of chunk ``c`` it leaves (the chunk's end if none). With
    ``fix`` True, :func:`cast_range` from ``starts[c]`` to each chunk's end, for the
    chunks whose ``starts[c]`` is before it. :func:`cast_chunks` runs both."""
    n = xb.size
    for c in prange((n + CHUNK - 1) // CHUNK):
        hi = min(n, (c + 1) * CHUNK)
        if fix is None:
            starts[c] = cast_pass(xb, ob, P, key, c * CHUNK, hi, np.bool_(False))[0]
        elif starts[c] < hi:
            cast_range(xb, ob, out, P, key, starts[c], hi)


def cast_chunks(xb, out, P, key, in_place: bool = False) -> None:
    """:func:`cast_parallel` over all of ``xb``: the pass, then the exact routine on the
    chunks it leaves elements in, if any (so that it compiles only then). ``in_place``:
    ``out`` is ``xb``'s floats."""
    n = xb.size
    ob = None if in_place else out.view(xb.dtype)
    starts = np.empty((n + CHUNK - 1) // CHUNK, np.int64)
    cast_parallel(xb, ob, out, P, key, starts, None)
    if (starts < np.minimum(n, (np.arange(starts.size) + 1) * CHUNK)).any():
        cast_parallel(xb, ob, out, P, key, starts, True)
