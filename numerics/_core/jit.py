"""The numba decorators every kernel of numerics is compiled with.

Kept in one place so that the cache policy and the threading layer are decided once.
"""

from __future__ import annotations

from numba import njit, prange

__all__ = ["njit", "prange"]
