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
are contiguous, and the block start reaches the loop through :func:`opaque`, so the
alias checks stay per block. Passes with ``h <= _SMALL`` run the other way round (k
outer, blocks inner), too short a loop to vectorise either way; the butterfly group
is one compiled function (typed once, as numba's inlining would type it at each call
site) that LLVM inlines into both loops.

The first four stages (lengths 2 to 16), whose loops are too short to vectorise, run
as one straight-line codelet per block of 16 (:func:`fwd16`, :func:`inv16`),
generated from the radix-2 stages with the same operations in the same order.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .._core.jit import njit

_ONE = np.uint64(1)
_SIXTEEN = np.uint64(16)

# Passes with h up to this run k by k over all blocks (twiddles loaded once; the k
# loop is too short for a vector loop to pay for its set-up and alias checks), longer
# ones block by block with the k loop vectorised.
_SMALL = 32


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


@njit(cache=True, error_model="numpy", inline="always")
def _fwd_ends(x, i, h, q, C, S, g):
    """Forward, one block at ``i``: ``k = 0`` of both stages and ``k = h/2`` of the
    first (then its image, ``k = h/2`` of the second, its own mirror)."""
    j = i + (h << _ONE)
    a = x[i]
    b = x[i + h]
    c = x[j]
    d = x[j + h]
    a1 = (a + b) * g
    b1 = (a - b) * g
    c1 = (c + d) * g
    d1 = (c - d) * g
    x[i] = (a1 + c1) * g
    x[j] = (a1 - c1) * g
    x[i + h] = b1 * g
    x[j + h] = -d1 * g
    if q:
        # first stage, k = h/2: Re kept, Im negated
        er = x[i + q] * g
        ei = -x[i + h + q] * g
        o_r = x[j + q] * g
        o_i = -x[j + h + q] * g
        cc = C[h + q]
        ss = S[h + q]
        t1 = cc * o_r + ss * o_i
        t2 = cc * o_i - ss * o_r
        x[i + q] = (er + t1) * g
        x[i + h + q] = (er - t1) * g
        x[j + q] = (t2 - ei) * g
        x[j + h + q] = (ei + t2) * g


@njit(cache=True, error_model="numpy")
def _fwd_group(x, i, h, k, c1, s1, c2, s2, c3, s3, g):
    """Forward, one block at ``i``: butterfly ``k`` of the first stage on both halves,
    then butterflies ``k`` and ``h-k`` of the second (twiddles ``c1, s1`` of ``k`` at
    length ``2h``; ``c2, s2`` and ``c3, s3`` of ``k`` and ``h-k`` at length ``4h``)."""
    h2 = h << _ONE
    j = i + h2
    er = x[i + k]
    ei = x[i + h - k]
    o_r = x[i + h + k]
    o_i = x[i + h2 - k]
    t1 = c1 * o_r + s1 * o_i
    t2 = c1 * o_i - s1 * o_r
    ar = (er + t1) * g  # Re A_k
    br = (er - t1) * g  # Re A_{h-k}
    bi = (t2 - ei) * g  # Im A_{h-k}
    ai = (ei + t2) * g  # Im A_k
    er = x[j + k]
    ei = x[j + h - k]
    o_r = x[j + h + k]
    o_i = x[j + h2 - k]
    t1 = c1 * o_r + s1 * o_i
    t2 = c1 * o_i - s1 * o_r
    cr = (er + t1) * g  # Re B_k
    dr = (er - t1) * g  # Re B_{h-k}
    di = (t2 - ei) * g  # Im B_{h-k}
    ci = (ei + t2) * g  # Im B_k
    # second stage, butterfly k: (A_k, B_k)
    t1 = c2 * cr + s2 * ci
    t2 = c2 * ci - s2 * cr
    x[i + k] = (ar + t1) * g
    x[i + h2 - k] = (ar - t1) * g
    x[j + k] = (t2 - ai) * g
    x[j + h2 - k] = (ai + t2) * g
    # second stage, butterfly h-k: (A_{h-k}, B_{h-k})
    t1 = c3 * dr + s3 * di
    t2 = c3 * di - s3 * dr
    x[i + h - k] = (br + t1) * g
    x[i + h + k] = (br - t1) * g
    x[j + h - k] = (t2 - bi) * g
    x[j + h + k] = (bi + t2) * g


@njit(cache=True, error_model="numpy")
def fwd_pass(x, lo, hi, h, C, S, g):
    """Forward stages of lengths ``2h`` and ``4h`` on every block of ``4h`` of
    ``x[lo:hi]``; every output is multiplied by ``g`` after each stage (1, or 1/2 to
    halve every stage)."""
    h = np.uint64(h)
    q = h >> _ONE
    h2 = h << _ONE
    h4 = h2 << _ONE
    lo = np.uint64(lo)
    hi = np.uint64(hi)
    for i in range(lo, hi, h4):
        _fwd_ends(x, i, h, q, C, S, g)
    if h <= _SMALL:
        for k in range(_ONE, q):
            c1 = C[q + k]
            s1 = S[q + k]
            c2 = C[h + k]
            s2 = S[h + k]
            c3 = C[h2 - k]
            s3 = S[h2 - k]
            for i in range(lo, hi, h4):
                _fwd_group(x, i, h, k, c1, s1, c2, s2, c3, s3, g)
    else:
        for i0 in range(lo, hi, h4):
            i = opaque(i0)
            for k in range(_ONE, q):
                _fwd_group(
                    x, i, h, k, C[q + k], S[q + k], C[h + k], S[h + k], C[h2 - k], S[h2 - k], g
                )


@njit(cache=True, error_model="numpy", inline="always")
def _inv_ends(x, i, h, q, C, S, g):
    """Inverse, one block at ``i``: the mirror of :func:`_fwd_ends`."""
    j = i + (h << _ONE)
    a = x[i]
    c = x[j]
    a1 = (a + c) * g
    c1 = (a - c) * g
    b1 = x[i + h]
    d1 = -x[j + h]
    x[i] = (a1 + b1) * g
    x[i + h] = (a1 - b1) * g
    x[j] = (c1 + d1) * g
    x[j + h] = (c1 - d1) * g
    if q:
        cc = C[h + q]
        ss = S[h + q]
        A = x[i + q]
        B = x[i + h + q]
        D = x[j + q]
        E = x[j + h + q]
        er = (A + B) * g
        t1 = (A - B) * g
        t2 = (E + D) * g
        ei = (E - D) * g
        # then the first stage's k = h/2: Im negated back
        x[i + q] = er
        x[i + h + q] = -ei
        x[j + q] = cc * t1 - ss * t2
        x[j + h + q] = -(ss * t1 + cc * t2)


@njit(cache=True, error_model="numpy")
def _inv_group(x, i, h, k, c1, s1, c2, s2, c3, s3, g):
    """Inverse, one block at ``i``: the mirror of :func:`_fwd_group` (second stage's
    butterflies ``k`` and ``h-k``, then the first stage's ``k`` on both halves)."""
    h2 = h << _ONE
    j = i + h2
    A = x[i + k]
    B = x[i + h2 - k]
    D = x[j + k]
    E = x[j + h2 - k]
    ar = (A + B) * g
    t1 = (A - B) * g
    t2 = (E + D) * g
    ai = (E - D) * g
    cr = c2 * t1 - s2 * t2
    ci = s2 * t1 + c2 * t2
    A = x[i + h - k]
    B = x[i + h + k]
    D = x[j + h - k]
    E = x[j + h + k]
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
    x[i + k] = er
    x[i + h - k] = ei
    x[i + h + k] = c1 * t1 - s1 * t2
    x[i + h2 - k] = s1 * t1 + c1 * t2
    er = (cr + dr) * g
    t1 = (cr - dr) * g
    t2 = (ci + di) * g
    ei = (ci - di) * g
    x[j + k] = er
    x[j + h - k] = ei
    x[j + h + k] = c1 * t1 - s1 * t2
    x[j + h2 - k] = s1 * t1 + c1 * t2


@njit(cache=True, error_model="numpy")
def inv_pass(x, lo, hi, h, C, S):
    """The exact inverse of :func:`fwd_pass` (unscaled): the inverse stage of length
    ``4h``, then that of length ``2h``, each halving, on every block of ``4h``."""
    h = np.uint64(h)
    q = h >> _ONE
    h2 = h << _ONE
    h4 = h2 << _ONE
    lo = np.uint64(lo)
    hi = np.uint64(hi)
    g = x.dtype.type(0.5)
    for i in range(lo, hi, h4):
        _inv_ends(x, i, h, q, C, S, g)
    if h <= _SMALL:
        for k in range(_ONE, q):
            c1 = C[q + k]
            s1 = S[q + k]
            c2 = C[h + k]
            s2 = S[h + k]
            c3 = C[h2 - k]
            s3 = S[h2 - k]
            for i in range(lo, hi, h4):
                _inv_group(x, i, h, k, c1, s1, c2, s2, c3, s3, g)
    else:
        for i0 in range(lo, hi, h4):
            i = opaque(i0)
            for k in range(_ONE, q):
                _inv_group(
                    x, i, h, k, C[q + k], S[q + k], C[h + k], S[h + k], C[h2 - k], S[h2 - k], g
                )


@njit(cache=True, error_model="numpy")
def fwd16(x, lo, hi, C, S):
    """The forward stages of lengths 2, 4, 8 and 16 on every block of 16 of
    ``x[lo:hi]`` (generated: the operations of :func:`._native.fwd_stage`, in its order)."""
    c3 = C[3]
    s3 = S[3]
    c5 = C[5]
    s5 = S[5]
    c6 = C[6]
    s6 = S[6]
    c7 = C[7]
    s7 = S[7]
    for i in range(np.uint64(lo), np.uint64(hi), _SIXTEEN):
        v = x[i : i + _SIXTEEN]  # constant indices: no index arithmetic to type
        x0 = v[0]
        x1 = v[1]
        x2 = v[2]
        x3 = v[3]
        x4 = v[4]
        x5 = v[5]
        x6 = v[6]
        x7 = v[7]
        x8 = v[8]
        x9 = v[9]
        x10 = v[10]
        x11 = v[11]
        x12 = v[12]
        x13 = v[13]
        x14 = v[14]
        x15 = v[15]
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
        v[0] = t47
        v[1] = t52
        v[2] = t58
        v[3] = t64
        v[4] = t30
        v[5] = t65
        v[6] = t59
        v[7] = t53
        v[8] = t48
        v[9] = t54
        v[10] = t60
        v[11] = t66
        v[12] = t49
        v[13] = t67
        v[14] = t61
        v[15] = t55


@njit(cache=True, error_model="numpy")
def inv16(x, lo, hi, C, S):
    """The inverse stages of lengths 16, 8, 4 and 2 on every block of 16 of
    ``x[lo:hi]`` (generated: the operations of :func:`._native.inv_stage`, in its order)."""
    g = x.dtype.type(0.5)
    c3 = C[3]
    s3 = S[3]
    c5 = C[5]
    s5 = S[5]
    c6 = C[6]
    s6 = S[6]
    c7 = C[7]
    s7 = S[7]
    for i in range(np.uint64(lo), np.uint64(hi), _SIXTEEN):
        v = x[i : i + _SIXTEEN]  # constant indices: no index arithmetic to type
        x0 = v[0]
        x1 = v[1]
        x2 = v[2]
        x3 = v[3]
        x4 = v[4]
        x5 = v[5]
        x6 = v[6]
        x7 = v[7]
        x8 = v[8]
        x9 = v[9]
        x10 = v[10]
        x11 = v[11]
        x12 = v[12]
        x13 = v[13]
        x14 = v[14]
        x15 = v[15]
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
        v[0] = t52
        v[1] = t53
        v[2] = t54
        v[3] = t55
        v[4] = t56
        v[5] = t57
        v[6] = t58
        v[7] = t59
        v[8] = t60
        v[9] = t61
        v[10] = t62
        v[11] = t63
        v[12] = t64
        v[13] = t65
        v[14] = t66
        v[15] = t67
