"""Counter-based random words for stochastic rounding.

The word of event ``i`` is a pure function of (key, i): splitmix64's finaliser over
``key + (i + 1) * golden``. Results therefore do not depend on chunking, thread
count or the neighbouring data.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from .jit import njit

_U27 = np.uint64(27)
_U30 = np.uint64(30)
_U31 = np.uint64(31)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# splitmix64's multipliers (also transcribed into torch tensor arithmetic by numerics.torch)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
# Mixed into a user's seed so that seed 0 does not give key 0.
_SEED_SALT = np.uint64(0x6A09E667F3BCC909)


@njit(cache=True)
def mix64(z):
    """splitmix64's finaliser: a bijective 64-bit mix."""
    z = (z ^ (z >> _U30)) * MIX1
    z = (z ^ (z >> _U27)) * MIX2
    return z ^ (z >> _U31)


@njit(cache=True)
def random64(key, i):
    """The random word of event ``i``: a pure function of (key, i)."""
    return mix64(key + np.uint64(i + 1) * GOLDEN)


@njit(cache=True)
def word_if(stochastic, key, i):
    """The random word of event ``i`` when ``stochastic``, else 0 (no hashing paid)."""
    return random64(key, i) if stochastic else np.uint64(0)


@njit(cache=True)
def word(key, i):
    """The random word of event ``i``, or 0 for ``key=None``. Kernels take ``key=None``
    for the deterministic modes: numba then prunes the stochastic code at compile time,
    so a first nearest-even call does not compile it."""
    if key is None:
        return np.uint64(0)
    return random64(key, i)


def new_seed() -> int:
    """A fresh 64-bit seed from the operating system."""
    return int.from_bytes(os.urandom(8), "little")


def seed_key(seed) -> int:
    """The kernels' 64-bit key for ``seed`` (an int, a numpy Generator, or None)."""
    if seed is None:
        seed = new_seed()
    elif isinstance(seed, np.random.Generator):
        seed = int(seed.integers(0, 2**63, dtype=np.int64))
    elif isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    seed = int(seed)
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    return int(mix64(np.uint64(seed) ^ _SEED_SALT))
