"""numba kernels: two radix-2 rdFFT stages in one pass over the data (radix 2^2).

The pass of half-length ``h`` runs the stage of length ``2h`` on the two halves of
every block of ``4h`` and then the stage of length ``4h`` on the block, in registers:
butterfly ``k`` of the first stage (``0 < k < h/2``, slots ``i+k, i+h-k, i+h+k,
i+2h-k`` and the same ``2h`` further on) produces exactly the eight slots that
butterflies ``k`` and ``h-k`` of the second stage read. So the data is read and
written once for two stages, and every slot is still written (no stale values).

Each element sees the same operations, in the same order and with the same twiddles
(``C``/``S`` of :mod:`._native`, read for both ``k`` and ``h-k``) as in two radix-2
stages, so the results are bitwise those of the radix-2 kernels and of the emulated
engine in float64 (numba does not contract products and sums into FMAs without
fastmath).

Why the loops vectorise: all indices are unsigned (numba cannot prove an index from
``range(lo, hi)`` non-negative, and its negative-index wraparound blocks the
vectorisation); the eight slot streams of a block are disjoint ranges (four walk
forward, four backward, which the vectoriser reverses with a permute), the twiddles
are contiguous, and each stream reaches the loop as an argument of its own, which
numba marks noalias (``STREAMS``), so LLVM needs no runtime overlap checks. (Where
numba lacks that flag, the block start reaches the loop through :func:`opaque`, so
that the checks stay per block.) The butterfly group is one compiled function (typed
once, as numba's inlining would type it at each call site) that takes its eight slots
and that LLVM inlines into every loop.

The short stages run on the row *before* its bit reversal (after it, inverse), where
their blocks interleave: block ``rev(b)`` of ``2^s`` values (``N = n / 2^s`` blocks)
holds its slot ``j`` at ``b + rev(j) N``, so each slot of consecutive blocks is a
contiguous stream and the loop over blocks vectorises (in the bit-reversed row their
k loops, 7 iterations at ``h = 16``, are too short for a vector). The first four
stages (lengths 2 to 16) run so as one straight-line codelet per block (:func:`fwd16`,
:func:`inv16`, generated from the radix-2 stages with the same operations in the same
order), the pass of ``h = 16`` as :func:`fwd_pass` with ``N > 0``; halving forward
transforms run passes of ``h`` = 1, 4 and 16 instead of the codelet. Only the order
in which the blocks are visited changes, never an element's operations.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array

from .._core.jit import njit

_ZERO = np.uint64(0)
_ONE = np.uint64(1)

# The options of the kernels that only other kernels call: numba generates no Python
# or C entry point for them (wrappers that LLVM would optimise and emit for nothing;
# about 1 s of a first rdfft of long rows). Every kernel here compiles with numpy's
# error model (see :mod:`._native`).
CALLEE = dict(cache=True, error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)
# The options of the loops over butterfly groups (:func:`_group_loops`). The eight
# slot streams of a group loop are disjoint; each passes as an argument of its own (the
# same array eight times) and numba marks every pointer argument noalias (C's restrict,
# which holds: the locations one stream writes are read and written through its own
# argument only). LLVM then vectorises the loop with none of the runtime overlap checks
# of each pair of streams and twiddles (about 130 instructions before every loop) and
# none of the minimum trip count they imposed (25 groups; fewer ran scalar). Measured
# on 1024 rows of 1024 float32, one thread: the pass of h = 64, 0.75 -> 0.59 ms; the
# interleaved pass of h = 16, 0.60 -> 0.51 ms; the whole rdfft 1.4-1.5x -> 1.0-1.1x
# scipy.fft.rfft.
STREAMS = dict(CALLEE, noalias=True)


@intrinsic
def opaque(typingctx, v):
    """``v`` unchanged, through an empty inline assembly statement that the optimiser
    cannot see through. A block's start passed through it is no affine function of the
    block loop's counter, so LLVM keeps the vectorised butterfly loop's alias checks
    per block (where the eight streams are disjoint) instead of widening them to the
    whole row and hoisting them out of the block loop, where they fail and every block
    runs the scalar loop."""
    if v != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        fn = ir.FunctionType(ir.IntType(64), [ir.IntType(64)])
        return builder.asm(fn, "", "=r,0", args, side_effect=False)

    return types.uint64(v), codegen


@intrinsic
def distinct(typingctx, a):
    """The array ``a`` (the same data), its data pointer through an empty inline
    assembly statement: LLVM no longer knows that the two are one object. A loop that
    walks ``a`` forward and its copy backward then vectorises behind a runtime overlap
    check of the two ranges; on one array, two streams of opposite strides are an
    unknown dependence that LLVM gives up on."""
    if not isinstance(a, types.Array):
        return None

    def codegen(context, builder, signature, args):
        src = make_array(signature.args[0])(context, builder, args[0])
        i64 = ir.IntType(64)
        fn = ir.FunctionType(i64, [i64])
        p = builder.asm(fn, "", "=r,0", [builder.ptrtoint(src.data, i64)], side_effect=False)
        out = make_array(signature.return_type)(context, builder)
        populate_array(
            out,
            data=builder.inttoptr(p, src.data.type),
            shape=src.shape,
            strides=src.strides,
            itemsize=src.itemsize,
            meminfo=src.meminfo,
        )
        res = out._getvalue()
        context.nrt.incref(builder, signature.return_type, res)
        return res

    return a(a), codegen


@njit(**CALLEE)
def scaled(v, g):
    """``v * g``, or ``v`` itself if ``g`` is None. The forward kernels take ``g`` None
    where no stage halves: numba then compiles no multiplication, where a runtime factor
    of 1 is one more operation per output that LLVM may not drop (a float32 rdfft of
    1024 x 1024, one thread: 1.25-1.41x scipy.fft.rfft with them, 0.96-1.10x
    without)."""
    if g is None:
        return v
    return v * g


@njit(**CALLEE)
def _fwd_ends(x, i0, i1, i2, i3, m0, m1, m2, m3, mid, cc, ss, g):
    """Forward, one block: ``k = 0`` of both stages (slots ``i0..i3``: ``i, i+h, j,
    j+h`` with ``j = i+2h``) and, if ``mid``, ``k = h/2`` of the first (slots
    ``m0..m3``: ``q`` further on; its image, ``k = h/2`` of the second, is its own
    mirror). ``cc, ss``: the twiddle of ``k = h/2`` at length ``4h``."""
    a = x[i0]
    b = x[i1]
    c = x[i2]
    d = x[i3]
    a1 = scaled(a + b, g)
    b1 = scaled(a - b, g)
    c1 = scaled(c + d, g)
    d1 = scaled(c - d, g)
    x[i0] = scaled(a1 + c1, g)
    x[i2] = scaled(a1 - c1, g)
    x[i1] = scaled(b1, g)
    x[i3] = scaled(-d1, g)
    if mid:
        # first stage, k = h/2: Re kept, Im negated
        er = scaled(x[m0], g)
        ei = scaled(-x[m1], g)
        o_r = scaled(x[m2], g)
        o_i = scaled(-x[m3], g)
        t1 = cc * o_r + ss * o_i
        t2 = cc * o_i - ss * o_r
        x[m0] = scaled(er + t1, g)
        x[m1] = scaled(er - t1, g)
        x[m2] = scaled(t2 - ei, g)
        x[m3] = scaled(ei + t2, g)


@njit(**CALLEE)
def _fwd_group(
    x0, x1, x2, x3, x4, x5, x6, x7, p0, p1, p2, p3, p4, p5, p6, p7, c1, s1, c2, s2, c3, s3, g
):
    """Forward, one block: butterfly ``k`` of the first stage on both halves (slots
    ``p0..p3``: ``i+k, i+h-k, i+h+k, i+2h-k``, and ``p4..p7``: the same ``2h`` further
    on), then butterflies ``k`` and ``h-k`` of the second (twiddles ``c1, s1`` of ``k``
    at length ``2h``; ``c2, s2`` and ``c3, s3`` of ``k`` and ``h-k`` at length ``4h``)."""
    er = x0[p0]
    ei = x1[p1]
    o_r = x2[p2]
    o_i = x3[p3]
    t1 = c1 * o_r + s1 * o_i
    t2 = c1 * o_i - s1 * o_r
    ar = scaled(er + t1, g)  # Re A_k
    br = scaled(er - t1, g)  # Re A_{h-k}
    bi = scaled(t2 - ei, g)  # Im A_{h-k}
    ai = scaled(ei + t2, g)  # Im A_k
    er = x4[p4]
    ei = x5[p5]
    o_r = x6[p6]
    o_i = x7[p7]
    t1 = c1 * o_r + s1 * o_i
    t2 = c1 * o_i - s1 * o_r
    cr = scaled(er + t1, g)  # Re B_k
    dr = scaled(er - t1, g)  # Re B_{h-k}
    di = scaled(t2 - ei, g)  # Im B_{h-k}
    ci = scaled(ei + t2, g)  # Im B_k
    # second stage, butterfly k: (A_k, B_k)
    t1 = c2 * cr + s2 * ci
    t2 = c2 * ci - s2 * cr
    x0[p0] = scaled(ar + t1, g)
    x3[p3] = scaled(ar - t1, g)
    x4[p4] = scaled(t2 - ai, g)
    x7[p7] = scaled(ai + t2, g)
    # second stage, butterfly h-k: (A_{h-k}, B_{h-k})
    t1 = c3 * dr + s3 * di
    t2 = c3 * di - s3 * dr
    x1[p1] = scaled(br + t1, g)
    x2[p2] = scaled(br - t1, g)
    x5[p5] = scaled(t2 - bi, g)
    x6[p6] = scaled(bi + t2, g)


@njit(cache=True, error_model="numpy", inline="always")
def log2(m):
    """``log2 m`` of a power of two ``m >= 1``."""
    k = 0
    while m > 1:
        m >>= 1
        k += 1
    return k


@njit(**CALLEE)
def _slots(s, bits, N):
    """Where slots ``s, h + s, 2h + s, 3h + s`` (``s < h``) of a block of ``4h = 2^bits``
    lie from the block's start in the row before its bit reversal (``N``: the number of
    blocks): slot ``t`` lies at ``rev(t) N``, and the two top bits of a slot are the two
    lowest of its reverse, so they are ``r, r + 2N, r + N, r + 3N`` with ``r = rev(s)
    N``. (One bit-reversal loop per four slots: LLVM unrolls each copy of it.)"""
    r = _ZERO
    for _ in range(bits):
        r = (r << _ONE) | (s & _ONE)
        s >>= _ONE
    r *= N
    return r, r + (N << _ONE), r + N, r + N + (N << _ONE)


def _group_loops(group):
    """The two loops over the butterfly groups of ``group`` (:func:`_fwd_group` or
    :func:`_inv_group`), each with its slot stream ``t`` through ``xt`` (see
    ``STREAMS``). One source for both directions: numba compiles a closure once for
    each function it closes over, and caches both."""

    @njit(**STREAMS)
    def blocks(x0, x1, x2, x3, x4, x5, x6, x7, C, S, i, h, g):
        """The groups ``0 < k < h/2`` of the block of ``4h`` at ``i`` of the
        bit-reversed row."""
        q = h >> _ONE
        h2 = h << _ONE
        j = i + h2
        for k in range(_ONE, q):
            group(
                x0, x1, x2, x3, x4, x5, x6, x7,
                i + k, i + h - k, i + h + k, j - k, j + k, j + h - k, j + h + k, j + h2 - k,
                C[q + k], S[q + k], C[h + k], S[h + k], C[h2 - k], S[h2 - k], g,
            )  # fmt: skip

    @njit(**STREAMS)
    def interleaved(x0, x1, x2, x3, x4, x5, x6, x7, p0, p1, p2, p3, p4, p5, p6, p7, N,
                    c1, s1, c2, s2, c3, s3, g):  # fmt: skip
        """Group ``k`` of each of the ``N`` interleaved blocks of the row before its
        bit reversal (after it, inverse), its slots ``p0..p7`` from each block's start
        (:func:`_slots`)."""
        for i in range(_ZERO, N):
            group(
                x0, x1, x2, x3, x4, x5, x6, x7,
                i + p0, i + p1, i + p2, i + p3, i + p4, i + p5, i + p6, i + p7,
                c1, s1, c2, s2, c3, s3, g,
            )  # fmt: skip

    return blocks, interleaved


_fwd_blocks, _fwd_interleaved = _group_loops(_fwd_group)


@njit(**CALLEE)
def fwd_pass(x, lo, hi, h, C, S, g, N):
    """Forward stages of lengths ``2h`` and ``4h`` on every block of ``4h`` of
    ``x[lo:hi]``; every output is multiplied by ``g`` after each stage (1/2 to halve
    every stage, or 1; None: no multiplication, see :func:`scaled`). ``N > 0``: on the
    whole row before its bit reversal, where the ``N = n/4h`` blocks interleave (block
    ``rev(b)``'s slot ``s`` at ``b + rev(s) N``), so that the block loop is the
    contiguous one."""
    h = np.uint64(h)
    q = h >> _ONE
    h2 = h << _ONE
    h4 = h2 << _ONE
    lo = np.uint64(lo)
    N = np.uint64(N)
    if N:
        bits = log2(h4)
        i0, i1, i2, i3 = _slots(_ZERO, bits, N)
        m0, m1, m2, m3 = _slots(q, bits, N)
        cc = C[h + q]
        ss = S[h + q]
        for i in range(_ZERO, N):
            _fwd_ends(
                x, i + i0, i + i1, i + i2, i + i3, i + m0, i + m1, i + m2, i + m3, q, cc, ss, g
            )
        for k in range(_ONE, q):
            c1 = C[q + k]
            s1 = S[q + k]
            c2 = C[h + k]
            s2 = S[h + k]
            c3 = C[h2 - k]
            s3 = S[h2 - k]
            # slots k, h + k, 2h + k, 3h + k and h - k, 2h - k, 3h - k, 4h - k
            p0, p2, p4, p6 = _slots(k, bits, N)
            p1, p3, p5, p7 = _slots(h - k, bits, N)
            _fwd_interleaved(
                x, x, x, x, x, x, x, x, p0, p1, p2, p3, p4, p5, p6, p7, N, c1, s1, c2, s2, c3, s3, g
            )
        return
    cc = C[h + q]
    ss = S[h + q]
    for i0 in range(lo, np.uint64(hi), h4):
        i = opaque(i0)
        j = i + h2
        _fwd_ends(x, i, i + h, j, j + h, i + q, i + h + q, j + q, j + h + q, q, cc, ss, g)
        _fwd_blocks(x, x, x, x, x, x, x, x, C, S, i, h, g)


@njit(**CALLEE)
def _inv_ends(x, i0, i1, i2, i3, m0, m1, m2, m3, mid, cc, ss, g):
    """Inverse, one block: the mirror of :func:`_fwd_ends` (the same slots)."""
    a = x[i0]
    c = x[i2]
    a1 = (a + c) * g
    c1 = (a - c) * g
    b1 = x[i1]
    d1 = -x[i3]
    x[i0] = (a1 + b1) * g
    x[i1] = (a1 - b1) * g
    x[i2] = (c1 + d1) * g
    x[i3] = (c1 - d1) * g
    if mid:
        A = x[m0]
        B = x[m1]
        D = x[m2]
        E = x[m3]
        er = (A + B) * g
        t1 = (A - B) * g
        t2 = (E + D) * g
        ei = (E - D) * g
        # then the first stage's k = h/2: Im negated back
        x[m0] = er
        x[m1] = -ei
        x[m2] = cc * t1 - ss * t2
        x[m3] = -(ss * t1 + cc * t2)


@njit(**CALLEE)
def _inv_group(
    x0, x1, x2, x3, x4, x5, x6, x7, p0, p1, p2, p3, p4, p5, p6, p7, c1, s1, c2, s2, c3, s3, g
):
    """Inverse, one block: the mirror of :func:`_fwd_group` (the same slots; second
    stage's butterflies ``k`` and ``h-k``, then the first stage's ``k`` on both halves)."""
    A = x0[p0]
    B = x3[p3]
    D = x4[p4]
    E = x7[p7]
    ar = (A + B) * g
    t1 = (A - B) * g
    t2 = (E + D) * g
    ai = (E - D) * g
    cr = c2 * t1 - s2 * t2
    ci = s2 * t1 + c2 * t2
    A = x1[p1]
    B = x2[p2]
    D = x5[p5]
    E = x6[p6]
    br = (A + B) * g
    t1 = (A - B) * g
    t2 = (E + D) * g
    bi = (E - D) * g
    dr = c3 * t1 - s3 * t2
    di = s3 * t1 + c3 * t2
    er = (ar + br) * g
    t1 = (ar - br) * g
    t2 = (ai + bi) * g
    ei = (ai - bi) * g
    x0[p0] = er
    x1[p1] = ei
    x2[p2] = c1 * t1 - s1 * t2
    x3[p3] = s1 * t1 + c1 * t2
    er = (cr + dr) * g
    t1 = (cr - dr) * g
    t2 = (ci + di) * g
    ei = (ci - di) * g
    x4[p4] = er
    x5[p5] = ei
    x6[p6] = c1 * t1 - s1 * t2
    x7[p7] = s1 * t1 + c1 * t2


_inv_blocks, _inv_interleaved = _group_loops(_inv_group)


@njit(**CALLEE)
def inv_pass(x, lo, hi, h, C, S, N):
    """The exact inverse of :func:`fwd_pass` (unscaled): the inverse stage of length
    ``4h``, then that of length ``2h``, each halving, on every block of ``4h`` (``N``:
    as there)."""
    h = np.uint64(h)
    q = h >> _ONE
    h2 = h << _ONE
    h4 = h2 << _ONE
    lo = np.uint64(lo)
    N = np.uint64(N)
    g = x.dtype.type(0.5)
    if N:
        bits = log2(h4)
        i0, i1, i2, i3 = _slots(_ZERO, bits, N)
        m0, m1, m2, m3 = _slots(q, bits, N)
        cc = C[h + q]
        ss = S[h + q]
        for i in range(_ZERO, N):
            _inv_ends(
                x, i + i0, i + i1, i + i2, i + i3, i + m0, i + m1, i + m2, i + m3, q, cc, ss, g
            )
        for k in range(_ONE, q):
            c1 = C[q + k]
            s1 = S[q + k]
            c2 = C[h + k]
            s2 = S[h + k]
            c3 = C[h2 - k]
            s3 = S[h2 - k]
            # slots k, h + k, 2h + k, 3h + k and h - k, 2h - k, 3h - k, 4h - k
            p0, p2, p4, p6 = _slots(k, bits, N)
            p1, p3, p5, p7 = _slots(h - k, bits, N)
            _inv_interleaved(
                x, x, x, x, x, x, x, x, p0, p1, p2, p3, p4, p5, p6, p7, N, c1, s1, c2, s2, c3, s3, g
            )
        return
    cc = C[h + q]
    ss = S[h + q]
    for i0 in range(lo, np.uint64(hi), h4):
        i = opaque(i0)
        j = i + h2
        _inv_ends(x, i, i + h, j, j + h, i + q, i + h + q, j + q, j + h + q, q, cc, ss, g)
        _inv_blocks(x, x, x, x, x, x, x, x, C, S, i, h, g)


@njit(**CALLEE)
def fwd16(x, C, S):
    """The forward stages of lengths 2, 4, 8 and 16 on the row ``x`` before its bit
    reversal: its ``N = n/16`` blocks of 16 interleave, block ``rev(i)``'s value ``j``
    at ``i + rev(j) N``, so that consecutive blocks are consecutive values and the
    block loop vectorises (generated: the operations of :func:`._native.fwd_stage`,
    in its order)."""
    N = np.uint64(x.size) >> np.uint64(4)
    c3 = C[3]
    s3 = S[3]
    c5 = C[5]
    s5 = S[5]
    c6 = C[6]
    s6 = S[6]
    c7 = C[7]
    s7 = S[7]
    o1 = N * np.uint64(8)
    o2 = N * np.uint64(4)
    o3 = N * np.uint64(12)
    o4 = N * np.uint64(2)
    o5 = N * np.uint64(10)
    o6 = N * np.uint64(6)
    o7 = N * np.uint64(14)
    o8 = N * np.uint64(1)
    o9 = N * np.uint64(9)
    o10 = N * np.uint64(5)
    o11 = N * np.uint64(13)
    o12 = N * np.uint64(3)
    o13 = N * np.uint64(11)
    o14 = N * np.uint64(7)
    o15 = N * np.uint64(15)
    for i in range(_ZERO, N):
        x0 = x[i]
        x1 = x[i + o1]
        x2 = x[i + o2]
        x3 = x[i + o3]
        x4 = x[i + o4]
        x5 = x[i + o5]
        x6 = x[i + o6]
        x7 = x[i + o7]
        x8 = x[i + o8]
        x9 = x[i + o9]
        x10 = x[i + o10]
        x11 = x[i + o11]
        x12 = x[i + o12]
        x13 = x[i + o13]
        x14 = x[i + o14]
        x15 = x[i + o15]
        t1 = x0 + x1
        t2 = x0 - x1
        t3 = x2 + x3
        t4 = x2 - x3
        t5 = x4 + x5
        t6 = x4 - x5
        t7 = x6 + x7
        t8 = x6 - x7
        t9 = x8 + x9
        t10 = x8 - x9
        t11 = x10 + x11
        t12 = x10 - x11
        t13 = x12 + x13
        t14 = x12 - x13
        t15 = x14 + x15
        t16 = x14 - x15
        t17 = t1 + t3
        t18 = t1 - t3
        t19 = -t4
        t20 = t5 + t7
        t21 = t5 - t7
        t22 = -t8
        t23 = t9 + t11
        t24 = t9 - t11
        t25 = -t12
        t26 = t13 + t15
        t27 = t13 - t15
        t28 = -t16
        t29 = t17 + t20
        t30 = t17 - t20
        t31 = -t21
        t32 = c3 * t6 + s3 * t22
        t33 = c3 * t22 - s3 * t6
        t34 = t2 + t32
        t35 = t2 - t32
        t36 = t33 - t19
        t37 = t19 + t33
        t38 = t23 + t26
        t39 = t23 - t26
        t40 = -t27
        t41 = c3 * t14 + s3 * t28
        t42 = c3 * t28 - s3 * t14
        t43 = t10 + t41
        t44 = t10 - t41
        t45 = t42 - t25
        t46 = t25 + t42
        t47 = t29 + t38
        t48 = t29 - t38
        t49 = -t39
        t50 = c5 * t43 + s5 * t46
        t51 = c5 * t46 - s5 * t43
        t52 = t34 + t50
        t53 = t34 - t50
        t54 = t51 - t37
        t55 = t37 + t51
        t56 = c6 * t24 + s6 * t40
        t57 = c6 * t40 - s6 * t24
        t58 = t18 + t56
        t59 = t18 - t56
        t60 = t57 - t31
        t61 = t31 + t57
        t62 = c7 * t44 + s7 * t45
        t63 = c7 * t45 - s7 * t44
        t64 = t35 + t62
        t65 = t35 - t62
        t66 = t63 - t36
        t67 = t36 + t63
        x[i] = t47
        x[i + o1] = t52
        x[i + o2] = t58
        x[i + o3] = t64
        x[i + o4] = t30
        x[i + o5] = t65
        x[i + o6] = t59
        x[i + o7] = t53
        x[i + o8] = t48
        x[i + o9] = t54
        x[i + o10] = t60
        x[i + o11] = t66
        x[i + o12] = t49
        x[i + o13] = t67
        x[i + o14] = t61
        x[i + o15] = t55


@njit(**CALLEE)
def inv16(x, C, S):
    """The inverse stages of lengths 16, 8, 4 and 2 on the row ``x`` after its bit
    reversal, the blocks interleaved as in :func:`fwd16` (generated: the operations of
    :func:`._native.inv_stage`, in its order)."""
    N = np.uint64(x.size) >> np.uint64(4)
    g = x.dtype.type(0.5)
    c3 = C[3]
    s3 = S[3]
    c5 = C[5]
    s5 = S[5]
    c6 = C[6]
    s6 = S[6]
    c7 = C[7]
    s7 = S[7]
    o1 = N * np.uint64(8)
    o2 = N * np.uint64(4)
    o3 = N * np.uint64(12)
    o4 = N * np.uint64(2)
    o5 = N * np.uint64(10)
    o6 = N * np.uint64(6)
    o7 = N * np.uint64(14)
    o8 = N * np.uint64(1)
    o9 = N * np.uint64(9)
    o10 = N * np.uint64(5)
    o11 = N * np.uint64(13)
    o12 = N * np.uint64(3)
    o13 = N * np.uint64(11)
    o14 = N * np.uint64(7)
    o15 = N * np.uint64(15)
    for i in range(_ZERO, N):
        x0 = x[i]
        x1 = x[i + o1]
        x2 = x[i + o2]
        x3 = x[i + o3]
        x4 = x[i + o4]
        x5 = x[i + o5]
        x6 = x[i + o6]
        x7 = x[i + o7]
        x8 = x[i + o8]
        x9 = x[i + o9]
        x10 = x[i + o10]
        x11 = x[i + o11]
        x12 = x[i + o12]
        x13 = x[i + o13]
        x14 = x[i + o14]
        x15 = x[i + o15]
        t1 = (x0 + x8) * g
        t2 = (x0 - x8) * g
        t3 = -x12
        t4 = (x1 + x7) * g
        t5 = (x1 - x7) * g
        t6 = (x15 + x9) * g
        t7 = (x15 - x9) * g
        t8 = c5 * t5 - s5 * t6
        t9 = s5 * t5 + c5 * t6
        t10 = (x2 + x6) * g
        t11 = (x2 - x6) * g
        t12 = (x14 + x10) * g
        t13 = (x14 - x10) * g
        t14 = c6 * t11 - s6 * t12
        t15 = s6 * t11 + c6 * t12
        t16 = (x3 + x5) * g
        t17 = (x3 - x5) * g
        t18 = (x13 + x11) * g
        t19 = (x13 - x11) * g
        t20 = c7 * t17 - s7 * t18
        t21 = s7 * t17 + c7 * t18
        t22 = (t1 + x4) * g
        t23 = (t1 - x4) * g
        t24 = -t13
        t25 = (t4 + t16) * g
        t26 = (t4 - t16) * g
        t27 = (t7 + t19) * g
        t28 = (t7 - t19) * g
        t29 = c3 * t26 - s3 * t27
        t30 = s3 * t26 + c3 * t27
        t31 = (t2 + t3) * g
        t32 = (t2 - t3) * g
        t33 = -t15
        t34 = (t8 + t20) * g
        t35 = (t8 - t20) * g
        t36 = (t9 + t21) * g
        t37 = (t9 - t21) * g
        t38 = c3 * t35 - s3 * t36
        t39 = s3 * t35 + c3 * t36
        t40 = (t22 + t10) * g
        t41 = (t22 - t10) * g
        t42 = -t28
        t43 = (t23 + t24) * g
        t44 = (t23 - t24) * g
        t45 = -t30
        t46 = (t31 + t14) * g
        t47 = (t31 - t14) * g
        t48 = -t37
        t49 = (t32 + t33) * g
        t50 = (t32 - t33) * g
        t51 = -t39
        t52 = (t40 + t25) * g
        t53 = (t40 - t25) * g
        t54 = (t41 + t42) * g
        t55 = (t41 - t42) * g
        t56 = (t43 + t29) * g
        t57 = (t43 - t29) * g
        t58 = (t44 + t45) * g
        t59 = (t44 - t45) * g
        t60 = (t46 + t34) * g
        t61 = (t46 - t34) * g
        t62 = (t47 + t48) * g
        t63 = (t47 - t48) * g
        t64 = (t49 + t38) * g
        t65 = (t49 - t38) * g
        t66 = (t50 + t51) * g
        t67 = (t50 - t51) * g
        x[i] = t52
        x[i + o1] = t53
        x[i + o2] = t54
        x[i + o3] = t55
        x[i + o4] = t56
        x[i + o5] = t57
        x[i + o6] = t58
        x[i + o7] = t59
        x[i + o8] = t60
        x[i + o9] = t61
        x[i + o10] = t62
        x[i + o11] = t63
        x[i + o12] = t64
        x[i + o13] = t65
        x[i + o14] = t66
        x[i + o15] = t67
