"""Numba kernels of :mod:`numerics.arith.tensor_core`.

Every term of a group, once truncated, is an integer multiple of the group's quantum
2^(e_max - F), held in a float64: products of operands of at most 16 bits are exact in
float64, scaling by a power of two is exact, and a group sum stays below 2^53 (terms
are below 2^(F+2), or 2^(F+13) in the grouped form, and at most 65 are added). So the
float64 arithmetic below is integer arithmetic, and it vectorises.

Loops run over the output columns innermost (contiguous rows of B), from zero, so that
LLVM vectorises them (numba's wraparound of negative indices would block it).
"""

from __future__ import annotations

import numpy as np

from .._core.jit import njit

__all__ = ["RNE_FP16", "RZ_E8M13", "RZ_FP32", "ZERO_EXP", "gst_matmul", "t_matmul"]

#: Output normalisations (the kernels' ``rho``).
RZ_FP32, RZ_E8M13, RNE_FP16 = 0, 1, 2

#: Exponent given to zero operands: far below any e_zero, so zero products never set
#: e_max. mmasim gives them e_zero instead; the results agree because c always takes
#: part with an exponent of at least e_zero (see tensor_core's module docstring).
ZERO_EXP = -10000


_EXP = np.int64(0x7FF)


@njit(inline="always")
def _c_exponents(c, c_emin, e_zero, emax, spec):
    """emax[j] = c's alignment exponent (e_zero for 0, c_emin for subnormals);
    spec[j] = c where it is Inf or NaN, else 0. Exponents come from the float64
    bits: a float32 or float16 c is normal in float64."""
    cb = c.view(np.int64)
    for j in range(c.shape[0]):
        e = np.int32(((cb[j] >> 52) & _EXP) - 1023)
        finite = e != 1024
        spec[j] = 0.0 if finite else c[j]
        emax[j] = max(e, c_emin) if (finite and c[j] != 0.0) else e_zero


@njit(inline="always")
def _scales(emax, F, bits):
    """bits[j] = the float64 bits of 2^(F - emax[j]), the group's alignment factor."""
    for j in range(emax.shape[0]):
        bits[j] = np.int64(F - emax[j] + 1023) << 52


@njit(inline="always")
def _normalise(s, emax, F, rho, spec, out, w1, w2):
    """out[j] = rho(s[j] * 2^(emax[j] - F)), or spec[j] where that is Inf or NaN;
    -0 becomes +0 and overflow gives +-Inf in every mode (as mmasim). w1, w2: int64
    work arrays of s's length."""
    keep = 10 if rho == RNE_FP16 else (13 if rho == RZ_E8M13 else 23)
    emin = -14 if rho == RNE_FP16 else -126
    big = 65536.0 if rho == RNE_FP16 else 2.0**128
    n = s.shape[0]
    f1 = w1.view(np.float64)
    f2 = w2.view(np.float64)
    sb = s.view(np.int64)
    for j in range(n):
        # the result's exponent t (emin's quantum for subnormal outputs); s is an
        # integer, so its float64 exponent is exact (and 0 gives t = emin)
        t = max(((sb[j] >> 52) & _EXP) - 1023 + emax[j] - F, emin)
        w1[j] = np.int64(emax[j] - F - t + keep + 1023) << 52
        w2[j] = np.int64(t - keep + 1023) << 52
    for j in range(n):
        if rho == RNE_FP16:  # the truncated sum is rounded: no sticky bit
            r = np.rint(s[j] * f1[j]) * f2[j]
        else:
            r = np.trunc(s[j] * f1[j]) * f2[j]
        if abs(r) >= big:
            r = np.inf if r > 0 else -np.inf
        out[j] = spec[j] if spec[j] != 0.0 else r + 0.0


@njit(cache=True)
def _row_start(c_row, promote):
    """A row's float32 accumulator (C's row), its running ``c`` (promoted chunks start
    from 0; C is then the accumulator's start) and the row's scratch arrays."""
    N = c_row.size
    acc = c_row.astype(np.float32)
    c = np.zeros(N) if promote > 0 else c_row.copy()
    scb = np.empty(N, np.int64)
    return (
        acc,
        c,
        np.empty(N, np.int32),
        scb,
        scb.view(np.float64),
        np.empty(N, np.float64),
        np.empty(N, np.float64),
        np.empty(N, np.int64),
        np.empty(N, np.int64),
    )


@njit(cache=True, nogil=True)
def t_matmul(A, B, ea, eb, C, bad_a, bad_b, L, F, rho, e_zero, c_emin, promote, D, r0, r1):
    """Truncated fused dot-product-add chained along k, for every row of every batch.

    A (nb, M, K), B (nb, K, N): operand values (float64); ea, eb: their alignment
    exponents (int64; ZERO_EXP for zeros; block-scale exponents already added).
    C (nb, M, N): the initial accumulator. bad_a (nb, M, ngroups), bad_b (nb,
    ngroups): whether a group holds an Inf or NaN operand. promote: 0, or the length
    of the chunks whose partial results (from c = 0) are added into a float32
    accumulator with round to nearest even. D (nb, M, N) receives the result, for
    the flattened rows r0 to r1 (of nb * M): callers run row ranges in threads
    (nogil), which compiles much faster than numba's parallel loops.
    """
    M, K = A.shape[1:]
    N = B.shape[2]
    for r in range(r0, r1):
        t = r // M
        i = r - t * M
        a_row = A[t, i]
        ea_row = ea[t, i]
        acc, c, emax, scb, sc, s, spec, w1, w2 = _row_start(C[t, i], promote)
        g = 0
        for g0 in range(0, K, L):
            if promote > 0 and g0 > 0 and g0 % promote == 0:
                for j in range(N):
                    acc[j] = acc[j] + np.float32(c[j])
                    c[j] = 0.0
            n_k = min(L, K - g0)
            a_grp = a_row[g0 : g0 + n_k]
            ea_grp = ea_row[g0 : g0 + n_k]
            _c_exponents(c, c_emin, e_zero, emax, spec)
            for k in range(n_k):
                eak = ea_grp[k]
                eb_row = eb[t, g0 + k]
                for j in range(N):
                    emax[j] = max(emax[j], np.int32(eak + eb_row[j]))
            _scales(emax, F, scb)
            for j in range(N):
                s[j] = np.trunc(c[j] * sc[j]) if spec[j] == 0.0 else 0.0
            for k in range(n_k):
                ak = a_grp[k]
                b_row = B[t, g0 + k]
                for j in range(N):
                    s[j] += np.trunc(ak * b_row[j] * sc[j])
            if bad_a[t, i, g] or bad_b[t, g]:
                # IEEE products and sums of the non-finite terms give mmasim's rules:
                # NaN wins, Inf * 0 is NaN, Infs of both signs give NaN.
                for k in range(n_k):
                    ak = a_grp[k]
                    b_row = B[t, g0 + k]
                    for j in range(N):
                        p = ak * b_row[j]
                        if not np.isfinite(p):
                            spec[j] += p
            _normalise(s, emax, F, rho, spec, c, w1, w2)
            g += 1
        if promote > 0:
            for j in range(N):
                D[t, i, j] = acc[j] + np.float32(c[j])
        else:
            D[t, i] = c


@njit(cache=True, nogil=True)
def gst_matmul(A, B, sa, esa, sb, esb, C, G, blk, L, F, e_zero, promote, D, r0, r1):
    """The grouped, block-scaled form (k=64 FP4 MMAs): each group of G products is
    summed exactly, scaled by its block scales and aligned at the scales' exponent.

    A (nb, M, K), B (nb, K, N): e2m1 values. sa (nb, M, K // blk), sb (nb, K // blk,
    N): the scale significands (NaN for a NaN scale, 0 for a zero scale); esa, esb:
    the scale exponents (int64). Other arguments as :func:`t_matmul`; the result is
    rounded toward zero into float32.
    """
    M, K = A.shape[1:]
    N = B.shape[2]
    n_g = L // G
    for r in range(r0, r1):
        t = r // M
        i = r - t * M
        a_row = A[t, i]
        acc, c, emax, scb, sc, s, spec, w1, w2 = _row_start(C[t, i], promote)
        ps = np.empty((n_g, N), np.float64)
        nz = np.empty((n_g, N), np.float64)
        eg = np.empty((n_g, N), np.int32)
        for g0 in range(0, K, L):
            if promote > 0 and g0 > 0 and g0 % promote == 0:
                for j in range(N):
                    acc[j] = acc[j] + np.float32(c[j])
                    c[j] = 0.0
            groups = min(L, K - g0) // G
            _c_exponents(c, -126, e_zero, emax, spec)
            for q in range(groups):
                k0 = g0 + q * G
                b_ = k0 // blk
                psq = ps[q]
                nzq = nz[q]
                egq = eg[q]
                for j in range(N):
                    psq[j] = 0.0
                    nzq[j] = 0.0
                for k in range(G):
                    ak = a_row[k0 + k]
                    b_row = B[t, k0 + k]
                    for j in range(N):
                        p = ak * b_row[j]
                        psq[j] += p
                        nzq[j] += abs(p)  # > 0 unless every product is zero
                sab = sa[t, i, b_]
                ea_ = esa[t, i, b_]
                sb_row = sb[t, b_]
                esb_row = esb[t, b_]
                for j in range(N):
                    ss = sab * sb_row[j]
                    spec[j] += 0.0 * ss  # NaN for a NaN scale
                    psq[j] *= ss
                    # a group keeps its scale exponent if its products cancel to 0
                    egq[j] = ea_ + esb_row[j] if (nzq[j] != 0.0 and ss != 0.0) else e_zero
                    emax[j] = max(emax[j], egq[j])
            _scales(emax, F, scb)
            for j in range(N):
                s[j] = np.trunc(c[j] * sc[j]) if spec[j] == 0.0 else 0.0
            f1 = w1.view(np.float64)
            for q in range(groups):
                egq = eg[q]
                psq = ps[q]
                for j in range(N):  # 2^(eg + F - emax): at most 2^F, as emax >= eg
                    w1[j] = np.int64(egq[j] + F - emax[j] + 1023) << 52
                for j in range(N):  # zero groups hold 0 whatever their exponent
                    s[j] += np.trunc(psq[j] * f1[j])
            _normalise(s, emax, F, RZ_FP32, spec, c, w1, w2)
        if promote > 0:
            for j in range(N):
                D[t, i, j] = acc[j] + np.float32(c[j])
        else:
            D[t, i] = c
