"""numba kernels: the transforms in the array's own dtype (float32 or float64), in place.

The rdFFT is Sorensen's radix-2 decimation in time for real data: after a
bit-reversal, the stage of length ``L = 2h`` combines the halfcomplex transforms of
length ``h`` held in ``x[i:i+h]`` (even samples) and ``x[i+h:i+2h]`` (odd samples)
into one of length ``L``, reading and writing the same four slots
``i+k, i+h-k, i+h+k, i+2h-k`` for each ``0 < k < h/2``. Every output slot is written
at every stage, so no stale value survives (the published rdFFT kernels skip the
store when a butterfly output is exactly zero).

The stages run two at a time, one pass over the data each (:mod:`._radix4`), with
the same operations in the same order as one stage at a time: the results are
bitwise those of the radix-2 stages (and of the emulated engine in float64),
whichever steps a plan starts or ends with (the error tracking runs partial plans
here). The stages of lengths 2 to 64 of a transform run before the bit reversal (after
it, inverse), where the blocks interleave and the loop over blocks vectorises
(:func:`fwd_unreversed`, :func:`inv_unreversed`); the longer ones after it.

Twiddles of the stage of length ``L`` lie contiguously (so the butterfly loops
vectorise): ``C[L/4 + k] = cos(2 pi k / L)``, ``S[L/4 + k] = sin(2 pi k / L)`` for
``k < L/4``; the same kernels run with a format's rounded twiddles to propagate local
errors in the error tracking.
"""

from __future__ import annotations

import numpy as np

from .._core import jit
from .._core.jit import njit
from . import _hadamard_kernels, _radix4, _steps
from ._radix4 import scaled

# Every kernel here compiles with numpy's error model: no integer or float division
# can divide by zero in them, and without the ZeroDivisionError paths of Python's model
# a first call compiles about 8% faster.

# Passes whose blocks are at most this long run block by block, so that each block
# stays in cache.
_BLOCK = 4096
# Rows at least this long bit-reverse tile by tile.
_TILED_BITREV = 4096
_ONE = np.uint64(1)
_TWO = np.uint64(2)


@njit(cache=True, error_model="numpy", no_cfunc_wrapper=True)
def fwd_stage(x, lo, hi, L, C, S, g):
    """Forward butterflies of length ``L`` on ``x[lo:hi]``, every output times ``g``
    (none if ``g`` is None, see :func:`._radix4.scaled`; unsigned indices, so that the
    butterfly loop vectorises)."""
    h = np.uint64(L) >> _ONE
    q = h >> _ONE
    for i in range(np.uint64(lo), np.uint64(hi), np.uint64(L)):
        a = x[i]
        b = x[i + h]
        x[i] = scaled(a + b, g)
        x[i + h] = scaled(a - b, g)
        if q:
            x[i + q] = scaled(x[i + q], g)
            x[i + h + q] = scaled(-x[i + h + q], g)
        for k in range(_ONE, q):
            c = C[q + k]
            s = S[q + k]
            er = x[i + k]
            ei = x[i + h - k]
            o_r = x[i + h + k]
            o_i = x[i + h + h - k]
            t1 = c * o_r + s * o_i
            t2 = c * o_i - s * o_r
            x[i + k] = scaled(er + t1, g)
            x[i + h - k] = scaled(er - t1, g)
            x[i + h + k] = scaled(t2 - ei, g)
            x[i + h + h - k] = scaled(ei + t2, g)


@njit(cache=True, error_model="numpy", no_cfunc_wrapper=True)
def inv_stage(x, lo, hi, L, C, S):
    """The exact inverse of :func:`fwd_stage` (unscaled) on ``x[lo:hi]``."""
    h = np.uint64(L) >> _ONE
    q = h >> _ONE
    g = x.dtype.type(0.5)
    for i in range(np.uint64(lo), np.uint64(hi), np.uint64(L)):
        a = x[i]
        b = x[i + h]
        x[i] = (a + b) * g
        x[i + h] = (a - b) * g
        if q:
            x[i + h + q] = -x[i + h + q]
        for k in range(_ONE, q):
            c = C[q + k]
            s = S[q + k]
            A = x[i + k]
            B = x[i + h - k]
            D = x[i + h + k]
            E = x[i + h + h - k]
            er = (A + B) * g
            t1 = (A - B) * g
            t2 = (E + D) * g
            ei = (E - D) * g
            x[i + k] = er
            x[i + h - k] = ei
            x[i + h + k] = c * t1 - s * t2
            x[i + h + h - k] = s * t1 + c * t2


@njit(**_radix4.CALLEE)
def gain(halving, half, x):
    """The factor of a forward step's outputs after each stage: None (no
    multiplication, :func:`._radix4.scaled`) if ``halving`` is None (no forward step of
    the plan halves), else 1/2 if this step halves (``half``), 1 if not."""
    if halving is None:
        return None
    return x.dtype.type(0.5 if half else 1.0)


@njit(cache=True, error_model="numpy", inline="always")
def bitrev(x, R, tiles):
    """Swap ``x[i]`` and ``x[rev(i)]``: tile by tile (:func:`bitrev_tiles`) unless
    ``tiles`` is None (rows shorter than ``_TILED_BITREV``), else through the pairs
    ``R``."""
    if tiles is not None:
        bitrev_tiles(x)
        return
    # unsigned indices: no negative-index wraparound tests
    for p in range(np.uint64(0), np.uint64(R.size), _TWO):
        i = np.uint64(R[p])
        j = np.uint64(R[p + _ONE])
        t = x[i]
        x[i] = x[j]
        x[j] = t


@njit(cache=True, error_model="numpy", inline="always")
def _rev3(a):
    return ((a & 1) << 2) | (a & 2) | ((a & 4) >> 2)


@njit(cache=True, error_model="numpy", no_cfunc_wrapper=True)
def bitrev_tiles(x):
    """The bit-reversal permutation of a row of ``2^B >= 64`` values, cache-friendly:
    writing ``i = (a, m, b)`` with 3-bit ``a`` and ``b``, ``rev(i) = (rev b, rev m,
    rev a)``, so the 8 x 8 values with middle bits ``m`` swap with those with middle
    bits ``rev m``: 16 runs of 8 contiguous values (a cache line of float64) instead
    of a cache miss per value. (Runs of 16 would put 16 lines 2^(B-4) apart, in one
    set of the 8-way caches.)"""
    n = x.size
    bits = np.uint64(_log2(n))
    three = np.uint64(3)
    shift = bits - three
    M = np.uint64(1) << (bits - np.uint64(6))
    r = np.uint64(0)  # rev(m), advanced by a reversed-bit increment
    for m in range(np.uint64(0), M):
        if m <= r:
            lo = m << three
            rlo = r << three
            for a in range(np.uint64(0), np.uint64(8)):
                ia = (a << shift) | lo
                ja = rlo | _rev3(a)
                for b in range(np.uint64(0), np.uint64(8)):
                    i = ia | b
                    j = ja | (_rev3(b) << shift)
                    if m < r or i < j:
                        t = x[i]
                        x[i] = x[j]
                        x[j] = t
        bit = M >> _ONE
        while r & bit:
            r ^= bit
            bit >>= _ONE
        r |= bit


@njit(cache=True, error_model="numpy", inline="always")
def fwd_steps(x, a, b, C, S, g, radix2):
    """The forward stages of lengths ``a, 2a, ..., b`` on the bit-reversed row, every
    output times ``g`` (:func:`gain`): pairs of stages in one pass each
    (:func:`._radix4.fwd_pass`), then one radix-2 stage if their number is odd
    (``radix2`` is None only if it is even). The passes whose blocks fit ``_BLOCK`` run
    block by block, so that each block stays in cache."""
    n = x.size
    if a > b:
        return
    single = _log2(b // a) % 2 == 0  # an odd number of stages
    end = b // 2 if single else b
    # (not min() or max(): numba compiles each of those as a kernel of its own)
    blk = n if n < _BLOCK else _BLOCK
    top = end if end < blk else blk
    # lo = 0 and N = 0 as int64 variables, not literals: a literal argument would
    # compile a second specialisation of the kernel
    zero = np.int64(0)
    for lo in range(0, n, blk):
        m = a
        while 2 * m <= top:
            _radix4.fwd_pass(x, lo, lo + blk, m >> 1, C, S, g, zero)
            m *= 4
    L = a
    while 2 * L <= top:
        L *= 4
    while 2 * L <= end:
        _radix4.fwd_pass(x, zero, n, L >> 1, C, S, g, zero)
        L *= 4
    if single:
        if radix2 is not None:
            fwd_stage(x, zero, n, b, C, S, g)


@njit(cache=True, error_model="numpy", inline="always")
def inv_steps(x, a, b, C, S, radix2):
    """The inverse stages of lengths ``b, b/2, ..., a`` on the row that is bit-reversed
    after them (the mirror of :func:`fwd_steps`): one radix-2 stage first if their
    number is odd (``radix2``: as there), then pairs of stages in one pass each, large
    ones over the whole row, then block by block."""
    n = x.size
    if a > b:
        return
    blk = n if n < _BLOCK else _BLOCK  # (not min(): see fwd_steps)
    zero = np.int64(0)  # not a literal (see fwd_steps)
    L = b
    if _log2(b // a) % 2 == 0:
        if radix2 is not None:
            inv_stage(x, zero, n, b, C, S)
        L = b // 2
    while L >= 2 * a and L > blk:
        _radix4.inv_pass(x, zero, n, L >> 2, C, S, zero)
        L //= 4
    if L >= 2 * a:
        for lo in range(0, n, blk):
            m = L
            while m >= 2 * a:
                _radix4.inv_pass(x, lo, lo + blk, m >> 2, C, S, zero)
                m //= 4


@njit(cache=True, error_model="numpy", inline="always")
def unreversed(plan, f, kind):
    """How far the ``kind`` (FWD or INV) step ``f`` of ``plan``, next to a bit
    reversal, runs on the row before that reversal (after it, for INV): its stages of
    lengths 2 to 64 (16 for rows of 16 and 32; 0, none, for shorter ones or a step
    that does not start at length 2, and for a halving INV step)."""
    if plan[f, 0] != kind or plan[f, 1] != 2 or (kind == _steps.INV and plan[f, 3]):
        return 0
    b = plan[f, 2]
    return 64 if b >= 64 else (16 if b >= 16 else 0)


@njit(cache=True, error_model="numpy", inline="always")
def fwd_unreversed(x, s, C, S, half, g):
    """The forward stages of lengths 2 to ``s`` (16 or 64), on the row before its bit
    reversal (:func:`._radix4.fwd16`, :func:`._radix4.fwd_pass` with ``N > 0``), every
    output times ``g`` (:func:`gain`): halving, three passes instead of the codelet."""
    n = np.int64(x.size)
    zero = np.int64(0)
    h = np.int64(16)
    if half:
        h = np.int64(1)
    else:
        _radix4.fwd16(x, C, S)
    while 4 * h <= s:
        _radix4.fwd_pass(x, zero, n, h, C, S, g, n // (4 * h))
        h *= 4


@njit(cache=True, error_model="numpy", inline="always")
def inv_unreversed(x, s, C, S):
    """The inverse of :func:`fwd_unreversed` (unhalved), on the row after its bit
    reversal."""
    n = np.int64(x.size)
    zero = np.int64(0)
    if s >= 64:
        _radix4.inv_pass(x, zero, n, np.int64(16), C, S, n // 64)
    _radix4.inv16(x, C, S)


_log2 = _radix4.log2


@njit(cache=True, error_model="numpy", no_cfunc_wrapper=True)
def twist(x, TC, TS):
    """The DCT twist: ``x[k], x[n-k] <- (tc x[k] + ts x[n-k], ts x[k] - tc x[n-k])``,
    with the real slots 0 and n/2 scaled by ``TC[0]`` and ``TC[n/2]``."""
    n = np.uint64(x.size)
    h = n >> _ONE
    x[0] = TC[0] * x[0]
    if h:
        x[h] = TC[h] * x[h]
    y = _radix4.distinct(x)  # x[n-k] through y: the loop vectorises
    for k in range(_ONE, h):
        a = x[k]
        b = y[n - k]
        x[k] = TC[k] * a + TS[k] * b
        y[n - k] = TS[k] * a - TC[k] * b


@njit(cache=True, error_model="numpy", no_cfunc_wrapper=True)
def wht_stage(x, h, half):
    """Walsh-Hadamard butterflies ``(a + b, a - b)`` at distance ``h``."""
    g = x.dtype.type(0.5 if half else 1.0)
    n = x.size
    for i in range(0, n, 2 * h):
        for j in range(i, i + h):
            a = x[j]
            b = x[j + h]
            x[j] = (a + b) * g
            x[j + h] = (a - b) * g


# Rows at most this long run on the short kernel (see run_rows_serial).
_SHORT = 32


_MARKERS = ("full", "tiles", "radix2", "halving")


def row_markers(n: int, plan: np.ndarray) -> tuple:
    """The markers of :func:`rows_serial` for rows of ``n`` values: ``full`` (None for
    rows of at most ``_SHORT``: the short kernel), ``tiles`` (None for rows shorter
    than ``_TILED_BITREV``), ``radix2`` (True on the short kernel, which runs every
    stage alone; on the full one None unless a FWD or INV step has an odd number of
    stages: the unreversed stages and the passes take them two by two, so only then
    does one run alone) and ``halving`` (None unless a FWD step halves)."""
    steps = plan.tolist()
    halving = True if any(kind == _steps.FWD and flag for kind, _, _, flag in steps) else None
    if n <= _SHORT:
        return None, None, True, halving
    odd = any(
        (b // a).bit_length() % 2  # the number of stages a, 2a, ..., b
        for kind, a, b, _ in steps
        if kind in (_steps.FWD, _steps.INV)
    )
    return True, (True if n >= _TILED_BITREV else None), (True if odd else None), halving


def run_rows_serial(X, plan, C, S, TC, TS, consts, R, inv, wht, perm, fwd, markers=None):
    """Run every step of ``plan`` on every row of the 2-d array ``X``, on one thread
    (:func:`rows_serial`). Rows of at most ``_SHORT`` values run on its short variant,
    which only compiles the radix-2 stages and the codelets, not the passes: a first
    rdfft of a short row compiles in about half the time, and its results are bitwise
    those of the passes. ``markers``: :func:`row_markers` of ``plan`` by default; a
    caller that runs several plans passes those of all of them together, so that one
    compiled variant serves every plan. They must cover it: each marker None in them
    removes code the plan may need (without ``radix2`` a lone stage would be skipped,
    without ``halving`` a halving step run unscaled)."""
    own = row_markers(X.shape[1], plan)
    if markers is None:
        markers = own
    else:
        pairs = zip(_MARKERS, own, markers, strict=True)
        missing = [name for name, need, have in pairs if need and have is None]
        if missing:
            raise ValueError(f"the markers lack {', '.join(missing)}, which this plan needs")
    rows_serial(X, plan, C, S, TC, TS, consts, R, inv, wht, perm, fwd, *markers, 0, X.shape[0])


def run_rows(X, plan, C, S, TC, TS, consts, R, inv, wht, perm, fwd):
    """:func:`run_rows_serial`, the rows split over numba's thread count (the same
    result). Python threads run the one compiled :func:`rows_serial` (it releases the
    GIL): a numba parallel loop around it was a kernel of its own, whose first call
    compiled for about 13 s of CPU (measured, the test suite's compile events)."""
    args = (X, plan, C, S, TC, TS, consts, R, inv, wht, perm, fwd, *row_markers(X.shape[1], plan))
    jit.run_rows(rows_serial, args, X.shape[0], X.shape[0] << 20)


@njit(cache=True, error_model="numpy", no_cfunc_wrapper=True, nogil=True)
def rows_serial(X, plan, C, S, TC, TS, consts, R, inv, wht, perm, fwd, full, tiles, radix2,
                halving, lo, hi):  # fmt: skip
    """Run every step of ``plan`` on the rows ``lo .. hi`` of the 2-d array ``X``, on
    one thread.
    ``TC``, ``consts``, ``inv``, ``wht``, ``perm`` and ``fwd`` are None when the plan has
    no twist, scaling or dense Hadamard, inverse, Walsh-Hadamard, DCT-reordering or
    forward steps: numba then prunes those branches, so a first rdfft does not compile
    their kernels (nor a first irdfft the forward passes). numba prunes a ``marker is
    None`` test only where the marker is None (True keeps both branches), so each
    marker is None where the code it guards is not needed (:func:`row_markers`):
    ``full`` None (rows of at most 32): the forward and inverse stages run one radix-2
    stage at a time, except the codelet of lengths 2 to 16 next to the bit reversal
    (the passes and their re-optimisation in this kernel then are not compiled);
    ``tiles`` None: the bit reversal runs through the pairs ``R``, not tile by tile;
    ``radix2`` None: no stage runs alone, and every call of the radix-2 stage kernels
    sits under a test of it (the short kernel's too, which the full one keeps);
    ``halving`` None: no forward step halves, and the forward kernels run without their
    factor (:func:`gain`). (The
    row loop and the plan's interpreter are one kernel, and the step drivers inline
    into it: each kernel level that calls another re-optimises and re-emits the machine
    code of everything below it, which dominated the first call's compile time.)"""
    n = X.shape[1]
    m = plan.shape[0]
    zero = np.int64(0)  # not a literal (see fwd_steps)
    for r in range(lo, hi):
        x = X[r]
        for j in range(m):
            kind = plan[j, 0]
            a = plan[j, 1]
            b = plan[j, 2]
            flag = plan[j, 3]
            if kind == _steps.BITREV:
                # (nested: numba prunes a None test only when it stands alone)
                if fwd is not None:
                    if j + 1 < m:
                        s = unreversed(plan, j + 1, _steps.FWD)
                        if full is None:
                            if s and not plan[j + 1, 3]:
                                _radix4.fwd16(x, C, S)
                        elif s:
                            fwd_unreversed(
                                x, s, C, S, plan[j + 1, 3], gain(halving, plan[j + 1, 3], x)
                            )
                bitrev(x, R, tiles)
                if inv is None:  # (a condition numba prunes by itself, with no `and`)
                    continue
                if j > 0:
                    s = unreversed(plan, j - 1, _steps.INV)
                    if full is None:
                        if s:
                            _radix4.inv16(x, C, S)
                    elif s:
                        inv_unreversed(x, s, C, S)
            elif kind == _steps.MAKHOUL or kind == _steps.UNMAKHOUL:
                if perm is not None:
                    _steps.makhoul(x, kind == _steps.UNMAKHOUL)
            elif kind == _steps.FWD:
                if fwd is None:
                    continue
                if j > 0 and plan[j - 1, 0] == _steps.BITREV:
                    s = unreversed(plan, j, _steps.FWD)
                    if full is None and flag:
                        s = 0  # (the short kernel halves with radix-2 stages)
                    a = a if a > 2 * s else 2 * s  # (not max(): see fwd_steps)
                if full is None:
                    if radix2 is not None:
                        g = gain(halving, flag, x)
                        L = a
                        while L <= b:
                            fwd_stage(x, zero, n, L, C, S, g)
                            L *= 2
                else:
                    fwd_steps(x, a, b, C, S, gain(halving, flag, x), radix2)
            elif kind == _steps.INV:
                if inv is None:
                    continue
                if j + 1 < m and plan[j + 1, 0] == _steps.BITREV:
                    s = unreversed(plan, j, _steps.INV)
                    a = a if a > 2 * s else 2 * s
                if full is None:
                    if radix2 is not None:
                        L = b
                        while L >= a:
                            inv_stage(x, zero, n, L, C, S)
                            L //= 2
                else:
                    inv_steps(x, a, b, C, S, radix2)
            elif kind == _steps.TWIST:
                if TC is not None:
                    twist(x, TC, TS)
            elif kind == _steps.WHT:
                if wht is None:
                    continue
                h = a
                while h <= b:
                    wht_stage(x, h, flag)
                    h *= 2
            elif kind == _steps.DENSE:
                # (wht: a Walsh-Hadamard plan; consts: one with a dense stage or a
                # scaling; see _engine.native_args)
                if wht is not None:
                    if consts is not None:
                        _hadamard_kernels.dense_native(x, consts, a, b, flag)
            elif kind == _steps.SCALE:
                if consts is not None:
                    g = x.dtype.type(consts[a])
                    for i in range(n):
                        x[i] = x[i] * g
