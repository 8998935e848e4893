"""The native transforms in pure torch operations (the Walsh-Hadamard transform, the
rdFFT and its inverse), for tensors the numba kernels cannot reach.

Each is a transcription of :mod:`numerics.transforms._native`, one stage at a time over
every row and butterfly at once: the same float32/float64 operations, in the same
order, on the same operands (twiddles from :func:`numerics._core.twiddles.fft_tables`
rounded into the data's dtype), so the results are the same bits as the numba
kernels'. Every operation is a separate torch kernel (no fused multiply-add), as in
the numba kernels, which LLVM compiles without contraction. The kernels work in place;
these build each stage's output in a new tensor (O(n) per row) and copy it back.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
from torch import Tensor

from .._core.twiddles import fft_tables

_NATIVE = (torch.float32, torch.float64)


def _check(x: Tensor, what: str) -> int:
    """The row length of ``x``, checked as the numba path checks it."""
    if x.dtype not in _NATIVE:
        raise TypeError(f"{what} needs a float32 or float64 tensor, got {x.dtype}")
    if x.dim() == 0:
        raise ValueError("x must have at least one axis")
    n = x.shape[-1]
    if n < 1 or n & (n - 1):
        raise ValueError(f"the last axis of x must have a power-of-two length, got {n}")
    return n


# --- Walsh-Hadamard -----------------------------------------------------------------------


def fwht(x: Tensor, normalize: bool, signs: Tensor | None, block: int | None) -> Tensor:
    """:func:`numerics.transforms.fwht` of ``x`` (not in place): ``H D x`` along the last
    axis in blocks of ``block`` (None: the whole axis), ``1/sqrt(block)`` rounded into
    the dtype when normalising."""
    n = _check(x, "fwht")
    b = n
    if block is not None:
        b = int(block)
        if b < 1 or b & (b - 1) or b > n:
            raise ValueError(f"block must be a power of two no larger than {n}, got {block!r}")
    y = x.detach().clone(memory_format=torch.contiguous_format)  # the result owns its memory
    if signs is not None:
        if tuple(signs.shape[-1:]) != (n,):
            raise ValueError(
                f"signs must have {n} entries along the last axis, got shape {tuple(signs.shape)}"
            )
        s = signs.detach().to(y.device)
        if s.device.type != "meta" and not bool(((s == 1) | (s == -1)).all()):
            raise ValueError("signs must all be +1 or -1")
        torch.broadcast_shapes(s.shape, y.shape)
        y = torch.where(torch.broadcast_to(s < 0, y.shape), -y, y)
    lead = y.shape[:-1]
    h = 1
    while h < b:
        z = y.reshape(*lead, n // (2 * h), 2, h)
        a, c = z[..., 0, :], z[..., 1, :]
        y = torch.stack([a + c, a - c], dim=-2).reshape(*lead, n)
        h *= 2
    if normalize and b > 1:
        g = torch.tensor(np.array(1 / math.sqrt(b)), device=y.device).to(y.dtype)
        y = y * g
    return y


# --- rdFFT --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _bitrev(n: int) -> Tensor:
    bits = max(n.bit_length() - 1, 0)
    i = torch.arange(n)
    j = torch.zeros(n, dtype=torch.int64)
    for k in range(bits):
        j |= ((i >> k) & 1) << (bits - 1 - k)
    return j


def _tables(n: int, dtype: torch.dtype, device) -> tuple[Tensor, Tensor]:
    """The twiddles in ``dtype`` (rounded to nearest, as numpy's conversion)."""
    C, S = fft_tables(n)
    return (torch.from_numpy(C).to(dtype).to(device), torch.from_numpy(S).to(dtype).to(device))


def _fwd_stage(y: Tensor, L: int, C: Tensor, S: Tensor) -> Tensor:
    """:func:`numerics.transforms._native.fwd_stage` (unscaled) on rows ``y``."""
    r, n = y.shape
    z = y.reshape(r, n // L, L)
    h, q = L // 2, L // 4
    a, b = z[..., :1], z[..., h : h + 1]
    if q == 0:
        return torch.cat([a + b, a - b], dim=-1).reshape(r, n)
    c, s = C[q + 1 : 2 * q], S[q + 1 : 2 * q]  # k = 1 .. q-1
    er = z[..., 1:q]  # slot k
    ei = z[..., q + 1 : h].flip(-1)  # slot h - k
    o_r = z[..., h + 1 : h + q]  # slot h + k
    o_i = z[..., h + q + 1 :].flip(-1)  # slot 2h - k
    t1 = c * o_r + s * o_i
    t2 = c * o_i - s * o_r
    parts = [
        a + b,
        er + t1,
        z[..., q : q + 1],
        (er - t1).flip(-1),
        a - b,
        t2 - ei,
        -z[..., h + q : h + q + 1],
        (ei + t2).flip(-1),
    ]
    return torch.cat(parts, dim=-1).reshape(r, n)


def _inv_stage(y: Tensor, L: int, C: Tensor, S: Tensor, half: Tensor) -> Tensor:
    """:func:`numerics.transforms._native.inv_stage` on rows ``y``."""
    r, n = y.shape
    z = y.reshape(r, n // L, L)
    h, q = L // 2, L // 4
    a, b = z[..., :1], z[..., h : h + 1]
    if q == 0:
        return torch.cat([(a + b) * half, (a - b) * half], dim=-1).reshape(r, n)
    c, s = C[q + 1 : 2 * q], S[q + 1 : 2 * q]
    A = z[..., 1:q]
    B = z[..., q + 1 : h].flip(-1)
    D = z[..., h + 1 : h + q]
    E = z[..., h + q + 1 :].flip(-1)
    er = (A + B) * half
    t1 = (A - B) * half
    t2 = (E + D) * half
    ei = (E - D) * half
    parts = [
        (a + b) * half,
        er,
        z[..., q : q + 1],
        ei.flip(-1),
        (a - b) * half,
        c * t1 - s * t2,
        -z[..., h + q : h + q + 1],
        (s * t1 + c * t2).flip(-1),
    ]
    return torch.cat(parts, dim=-1).reshape(r, n)


def rdfft_(x: Tensor, inverse: bool = False) -> None:
    """:func:`numerics.transforms.rdfft` (or ``irdfft``) of every row of ``x``, written
    back into ``x``."""
    n = _check(x, "irdfft_" if inverse else "rdfft_")
    if x.numel() == 0:
        return
    rows = x.detach().reshape(-1, n)
    C, S = _tables(n, x.dtype, x.device)
    rev = _bitrev(n).to(x.device)
    if inverse:
        half = torch.tensor(0.5, dtype=x.dtype, device=x.device)
        y = rows
        L = n
        while L >= 2:
            y = _inv_stage(y, L, C, S, half)
            L //= 2
        y = y[:, rev]
    else:
        y = rows[:, rev]
        L = 2
        while L <= n:
            y = _fwd_stage(y, L, C, S)
            L *= 2
    with torch.no_grad():
        x.copy_(y.reshape(x.shape))
