"""The twiddle tables of the radix-2 rdFFT, shared by the numba kernels
(:mod:`numerics.transforms`) and their pure-torch transcription (:mod:`numerics.torch`),
which must read the very same float64 values to give the same bits."""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=64)
def fft_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-stage twiddles: ``cos(2 pi k / L)`` at ``L/4 + k`` for ``k < L/4``, each
    from the angle nearer zero (so the sines of small angles keep full accuracy)."""
    c = np.zeros(max(n // 2, 1))
    s = np.zeros_like(c)
    L = 4
    while L <= n:
        k = np.arange(L // 4)
        near = k <= L // 8
        ang = 2 * np.pi * np.where(near, k, L // 4 - k) / L
        c[L // 4 :][: L // 4] = np.where(near, np.cos(ang), np.sin(ang))
        s[L // 4 :][: L // 4] = np.where(near, np.sin(ang), np.cos(ang))
        L *= 2
    return c, s
