"""How a transform is described to the kernels: a list of steps, and the exact
(error-free) permutations that both executors share.

A plan is an int64 array with one row ``(kind, a, b, flag)`` per step:

- ``BITREV``: bit-reversal permutation of the row;
- ``MAKHOUL`` / ``UNMAKHOUL``: the DCT reordering ``v[k] = x[2k]``,
  ``v[n-1-k] = x[2k+1]`` and its inverse;
- ``FWD``: forward rdFFT butterfly stages of lengths ``a, 2a, ..., b``; ``flag`` 1
  halves every output (per-stage scaling);
- ``INV``: inverse stages of lengths ``b, b/2, ..., a`` (each the exact inverse of a
  forward stage, halving built in);
- ``TWIST``: the DCT's post- (or pre-) multiplication by the twist table;
- ``WHT``: Walsh-Hadamard stages of half-lengths ``a, 2a, ..., b``;
- ``SCALE``: multiplication of every element by ``consts[a]``;
- ``DENSE``: the dense Hadamard stage of a length ``m * 2**k`` (``a``: the matrix's
  offset in ``consts``, ``b``: the block length, ``flag``: ``m``; see
  :mod:`._hadamard_kernels`);
- ``SPLIT`` / ``RADIX4`` (``ISPLIT`` / ``IRADIX4``): one level of the split-radix or
  radix-4 rdFFT (or of its inverse): the butterflies of the blocks of length ``a``
  whose offsets are ``O[b:flag]`` (``O``: the spec's block offsets; see
  :func:`numerics.transforms._tracked.block_level`).

Every stage that rounds is one *error stage* of the exact error tracking: each FWD,
INV and WHT length, a TWIST, a SCALE, a DENSE, a SPLIT or RADIX4 level.
"""

from __future__ import annotations

import functools

import numpy as np

from .._core.jit import njit

BITREV, MAKHOUL, UNMAKHOUL, FWD, INV, TWIST, WHT, SCALE, DENSE = range(9)
# the step kinds of the other FFT algorithms and their inverses (row kernels only)
SPLIT, RADIX4, ISPLIT, IRADIX4 = range(9, 13)
LEVELS = (SPLIT, RADIX4, ISPLIT, IRADIX4)
_NAMES = {FWD: "L", INV: "L", WHT: "h"}
_ZERO = np.uint64(0)
_ONE = np.uint64(1)


@functools.lru_cache(maxsize=64)
def bitrev_pairs(n: int) -> np.ndarray:
    """The swaps of the bit-reversal permutation of ``n`` (a power of two), flattened
    ``[i0, j0, i1, j1, ...]`` with ``i < j``."""
    bits = max(n.bit_length() - 1, 0)
    i = np.arange(n)
    j = np.zeros(n, dtype=np.int64)
    for b in range(bits):
        j |= ((i >> b) & 1) << (bits - 1 - b)
    keep = i < j
    return np.stack([i[keep], j[keep]], axis=1).reshape(-1).astype(np.int64)


@njit(cache=True)
def bitrev(x, R):
    """Swap ``x[i]`` and ``x[rev(i)]`` in place, through the pairs ``R``."""
    for p in range(0, R.size, 2):
        i = R[p]
        j = R[p + 1]
        t = x[i]
        x[i] = x[j]
        x[j] = t


@njit(cache=True)
def makhoul(x, inverse):
    """The DCT reordering (or its inverse) in place, through one row-sized copy."""
    n = np.uint64(x.size)
    t = x.copy()
    h = n >> _ONE
    m = n - _ONE
    # unsigned indices: no negative-index wraparound tests, so the loops vectorise
    if inverse:
        for k in range(_ZERO, h):
            x[k + k] = t[k]
            x[k + k + _ONE] = t[m - k]
    else:
        for k in range(_ZERO, h):
            x[k] = t[k + k]
            x[m - k] = t[k + k + _ONE]


@njit(cache=True)
def permute(x, kind, R):
    """Apply an exact permutation step (``R``: the bit-reversal pairs); False if
    ``kind`` is not one."""
    if kind == BITREV:
        bitrev(x, R)
    elif kind == MAKHOUL or kind == UNMAKHOUL:
        makhoul(x, kind == UNMAKHOUL)
    else:
        return False
    return True


@njit(cache=True, inline="always")
def slots(i, h, k):
    """The four slots a butterfly of half-length ``h`` at ``i`` pairs for ``0 < k < h/2``:
    ``Re E_k, Im E_k, Re O_k, Im O_k`` before the stage, and after it ``Re X_k,
    Re X_{h-k}, Im X_{h-k}, Im X_k``."""
    return i + k, i + h - k, i + h + k, i + 2 * h - k


def stage_lengths(a: int, b: int, kind: int) -> list[int]:
    """The stage lengths of a FWD/INV/WHT step, in the order they run."""
    out = []
    v = a
    while v <= b:
        out.append(v)
        v *= 2
    return out[::-1] if kind == INV else out


def error_stages(plan: np.ndarray) -> list[tuple[int, int, str]]:
    """``(step index, stage length or 0, label)`` for every rounding stage of ``plan``."""
    out = []
    for j, (kind, a, b, flag) in enumerate(plan):
        if kind in (FWD, INV, WHT):
            for v in stage_lengths(a, b, kind):
                out.append((j, v, f"{_NAMES[kind]}={v}"))
        elif kind == TWIST:
            out.append((j, 0, "twist"))
        elif kind == SCALE:
            out.append((j, 0, "scale"))
        elif kind == DENSE:
            out.append((j, 0, f"H_{int(flag)}"))
        elif kind in LEVELS:
            out.append((j, 0, f"L={int(a)}"))
    return out


def rest_after(plan: np.ndarray, j: int, length: int) -> np.ndarray:
    """The steps that follow error stage (``j``, ``length``): what its local errors
    pass through on their way to the output."""
    kind, a, b, flag = plan[j]
    rest = [tuple(r) for r in plan[j + 1 :]]
    if kind in (FWD, WHT) and length < b:
        rest.insert(0, (kind, 2 * length, b, flag))
    elif kind == INV and length > a:
        rest.insert(0, (kind, a, length // 2, flag))
    return np.array(rest, dtype=np.int64).reshape(-1, 4)
