"""numba kernels: products of matrices whose entries are halfcomplex spectra.

``out[x, y] = sum_k a[x, k] * b[k, y]`` (or ``* conj(b[k, y])``), each product the
elementwise complex product of two spectra, so a block-circulant matrix times a
batch of vectors never leaves the real domain.

The sum over ``k`` at one frequency ``t`` is a complex matrix product, and as a
real one it is ``[Re A_t | Im A_t] @ [[Re B_t, Im B_t], [-Im B_t, Re B_t]] =
[Re H_t | Im H_t]``. So the kernel gathers a few frequencies at a time into
contiguous real matrices and hands each product to BLAS (numba's ``np.dot``): the
arithmetic runs at matrix-multiply speed and the scratch memory is a few
frequencies' worth, never a copy of ``a`` or ``b``. Slots ``0`` and ``p/2`` hold real
spectra values and are plain real products.
"""

from __future__ import annotations

import numpy as np

from .._core.jit import njit, prange

# frequencies gathered per pass: each pass reads whole cache lines of a and b
_CHUNK = 8


@njit(cache=True)
def _real_slot(a, b, out, t):
    nx, nk, _ = a.shape
    ny = b.shape[1]
    am = np.empty((nx, nk), dtype=a.dtype)
    bm = np.empty((nk, ny), dtype=a.dtype)
    for x in range(nx):
        for k in range(nk):
            am[x, k] = a[x, k, t]
    for k in range(nk):
        for y in range(ny):
            bm[k, y] = b[k, y, t]
    res = np.dot(am, bm)
    for x in range(nx):
        for y in range(ny):
            out[x, y, t] = res[x, y]


@njit(cache=True)
def matmul(a, b, out, conj):
    """``out[x, y, :] = sum_k a[x, k, :] (*) b[k, y, :]`` in halfcomplex layout;
    ``conj``: the conjugate of ``b``. Each frequency's sum is one BLAS product in
    a fixed order."""
    nx, nk, p = a.shape
    ny = b.shape[1]
    q = p // 2
    _real_slot(a, b, out, 0)
    if p == 1:
        return
    _real_slot(a, b, out, q)
    sign = -1.0 if conj else 1.0
    m = min(_CHUNK, max(q - 1, 1))
    am = np.empty((m, nx, 2 * nk), dtype=a.dtype)
    bm = np.empty((m, 2 * nk, 2 * ny), dtype=a.dtype)
    res = np.empty((nx, 2 * ny), dtype=a.dtype)
    for t0 in range(1, q, m):
        width = min(m, q - t0)
        for x in range(nx):
            for k in range(nk):
                row = a[x, k]
                for j in range(width):
                    am[j, x, k] = row[t0 + j]
                    am[j, x, nk + k] = row[p - t0 - j]
        for k in range(nk):
            for y in range(ny):
                row = b[k, y]
                for j in range(width):
                    re = row[t0 + j]
                    im = sign * row[p - t0 - j]
                    bm[j, k, y] = re
                    bm[j, k, ny + y] = im
                    bm[j, nk + k, y] = -im
                    bm[j, nk + k, ny + y] = re
        for j in range(width):
            np.dot(am[j], bm[j], res)
            t = t0 + j
            for x in range(nx):
                for y in range(ny):
                    out[x, y, t] = res[x, y]
                    out[x, y, p - t] = res[x, ny + y]


@njit(cache=True, parallel=True)
def reorder_rows(x, to_perm):
    """Rows of ``x`` (2-d) from halfcomplex order into Intel IPP's "Perm" order
    ``[Re 0, Re p/2, Re 1, Im 1, Re 2, Im 2, ...]`` (``to_perm``) or back, in place:
    in Perm order a row is ``p/2`` interleaved complex numbers, the first holding the
    two real terms."""
    rows, p = x.shape
    q = p // 2
    for i in prange(rows):
        row = x[i]
        tmp = row.copy()
        if to_perm:
            row[1] = tmp[q]
            for t in range(1, q):
                row[2 * t] = tmp[t]
                row[2 * t + 1] = tmp[p - t]
        else:
            row[q] = tmp[1]
            for t in range(1, q):
                row[t] = tmp[2 * t]
                row[p - t] = tmp[2 * t + 1]
