"""Error-free transformations for numba kernels, and a fused multiply-add.

``fma`` is LLVM's ``llvm.fma`` intrinsic: one rounding of ``a * b + c``, by the
hardware instruction where the processor has one and by libm's exact fallback
elsewhere.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .jit import njit


@intrinsic
def fma(typingctx, a, b, c):
    """``a * b + c`` rounded once (float32 or float64, all three the same type)."""
    if not (a == b == c and a in (types.float32, types.float64)):
        return None
    sig = a(a, b, c)

    def codegen(context, builder, signature, args):
        ty = ir.DoubleType() if a == types.float64 else ir.FloatType()
        f = builder.module.declare_intrinsic("llvm.fma", [ty], ir.FunctionType(ty, [ty, ty, ty]))
        return builder.call(f, args)

    return sig, codegen


@njit(cache=True)
def two_sum(a, b):
    """``(s, e)``: ``s = fl(a + b)`` and ``s + e == a + b`` exactly (Knuth; 6 flops, no
    condition on the operands, barring overflow)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@njit(cache=True)
def fast_two_sum(a, b):
    """As :func:`two_sum`, in 3 flops, for ``|a| >= |b|`` (or ``a == 0``) (Dekker)."""
    s = a + b
    return s, b - (s - a)


@njit(cache=True)
def two_prod_fma(a, b):
    """``(p, e)``: ``p = fl(a * b)`` and ``p + e == a * b`` exactly, with one FMA
    (barring overflow, and underflow of ``e``)."""
    p = a * b
    return p, fma(a, b, -p)


@njit(cache=True)
def split(a):
    """Veltkamp's split of ``a`` into ``hi + lo`` with 26-bit halves (``|a| < 2**995``)."""
    c = 134217729.0 * a  # 2**27 + 1
    hi = c - (c - a)
    return hi, a - hi


@njit(cache=True)
def two_prod_dekker(a, b):
    """``(p, e)``: ``p = fl(a * b)`` and ``p + e == a * b`` exactly (Dekker), for
    ``|a|, |b| < 2**995`` and products that do not underflow."""
    p = a * b
    ah, al = split(a)
    bh, bl = split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl
