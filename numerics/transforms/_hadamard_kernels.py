"""numba kernels: the dense ``m``-point stage of the Walsh-Hadamard transforms of
length ``m * 2**k`` (``H_m (x) H_{2**k}``), natively and emulated.

A row of a block of length ``B = m s`` (``s = 2**k``) is an ``m x s`` matrix, the
element ``a s + b`` in row ``a``; after the butterflies (``H_s`` on every row), the
dense stage applies ``H_m`` to every column ``b``. Plan step: ``(DENSE, offset, B,
m)``, the matrix row by row at ``consts[offset:offset + m*m]`` (entries +-1).

Operation order (it defines the rounding): output ``a`` of a column is the recursive
sum, left to right, ``((h_0 t_0 + h_1 t_1) + h_2 t_2) + ...``: the first term is
exact (a sign), then ``m - 1`` additions or subtractions, each rounded. Its stage error
is the sum of their local errors. Stochastic rounding keys operation ``j`` of output
``i`` by ``2**62 + (ev + 8 i) * 64 + j`` (``ev`` the stage's base event), apart from
the events of the butterfly stages (``ev + 8 i + op``, below ``2**56``).
"""

from __future__ import annotations

import numpy as np

from .._core.jit import njit
from . import _tracked

# columns of a block handled together by the native kernel (its inner loop runs along
# them, contiguous, so it vectorises); the scratch is m * _CHUNK values
_CHUNK = 64
_TAG = np.int64(1) << np.int64(62)


@njit(cache=True)
def dense_native(x, consts, off, block, m):
    """``H_m`` on every column of every block of ``x``, in place, in ``x``'s dtype."""
    n = x.size
    s = block // m
    w = min(s, _CHUNK)
    T = np.empty((m, w), dtype=x.dtype)
    for p in range(0, n, block):
        for b0 in range(0, s, w):
            c = min(w, s - b0)
            for a in range(m):
                for q in range(c):
                    T[a, q] = x[p + a * s + b0 + q]
            for a in range(m):
                o = p + a * s + b0
                h0 = consts[off + a * m]
                for q in range(c):
                    x[o + q] = h0 * T[0, q]
                for j in range(1, m):
                    h = consts[off + a * m + j]
                    for q in range(c):
                        x[o + q] = x[o + q] + h * T[j, q]


@njit(cache=True)
def dense_stage(xh, xl, consts, off, block, m, ctx, rne, ev, st, dl):
    """As :func:`dense_native` with every addition rounded (see
    :mod:`numerics.transforms._tracked` for the arithmetics and the arguments)."""
    acc = _tracked._start(dl)
    dd = _tracked._dd(xl)
    n = xh.size
    s = block // m
    th = np.empty(m)
    tl = np.empty(m)
    for p in range(0, n, block):
        for b in range(s):
            for a in range(m):
                th[a] = xh[p + a * s + b]
                tl[a] = _tracked._ld(xl, p + a * s + b)
            for a in range(m):
                i = p + a * s + b
                e0 = _TAG + (ev + 8 * i) * 64
                h = consts[off + a * m]
                v, vl, d = h * th[0], h * tl[0], 0.0
                for j in range(1, m):
                    h = consts[off + a * m + j]
                    hl = _tracked._add(v, vl, h * th[j], h * tl[j], rne)
                    v, vl, dj, acc = _tracked._r(hl, ctx, rne, dd, e0 + j, acc)
                    d += dj
                _tracked._put(xh, xl, dl, i, v, vl, d)
    _tracked._flush(st, acc)
