"""The fast Walsh-Hadamard transform, in place."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from ..formats.format import Format
from ..formats.rounding import Rounding
from . import _engine

__all__ = ["fwht"]

Seed = int | np.random.Generator | None


def _check_block(n: int, block: int | None) -> int:
    if block is None:
        return n
    # int() would turn 2.5 into 2 and transform blocks the caller did not ask for
    if isinstance(block, bool) or not isinstance(block, numbers.Integral):
        raise TypeError(f"block must be an int (a power of two), got {block!r}")
    b = int(block)
    if b < 1 or b & (b - 1) or b > n:
        raise ValueError(f"block must be a power of two no larger than {n}, got {block!r}")
    return b


def _check_signs(signs: ArrayLike, n: int) -> np.ndarray:
    s = np.asarray(signs)
    if s.shape[-1:] != (n,):
        raise ValueError(f"signs must have {n} entries along the last axis, got shape {s.shape}")
    if not np.isin(s, (-1, 1)).all():
        raise ValueError("signs must all be +1 or -1")
    return s


def fwht(
    x: np.ndarray,
    normalize: bool = False,
    signs: ArrayLike | None = None,
    block: int | None = None,
    *,
    fmt: Format | str | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    scale: bool = False,
    saturate: bool = False,
) -> np.ndarray:
    """The Walsh-Hadamard transform ``H x`` of every row of ``x`` in Sylvester order
    (``H = scipy.linalg.hadamard(n)``), in place.

    Parameters
    ----------
    x : ndarray
        float32 or float64; the last axis has a power-of-two length. Overwritten.
    normalize : bool
        Multiply by ``1/sqrt(block)``: the orthonormal transform.
    signs : array_like of +-1, optional
        Random signs ``D`` applied *before* the transform: ``H D x`` (a randomised
        Hadamard rotation). Broadcast against ``x``; their last axis has ``n`` entries.
    block : int, optional
        Transform each run of ``block`` (a power of two dividing ``n``) separately:
        the block-diagonal ``I (x) H_block``, as MX/NVFP4 rotations use with 16 or 32.
    fmt, rounding, seed, saturate
        Emulation, as in :func:`numerics.transforms.rdfft`: every sum and difference
        rounds; the normalisation multiplies by ``1/sqrt(block)`` rounded into ``fmt``
        (exact when ``block`` is a power of four).
    scale : bool
        Halve after every stage (no growth). The result is then ``H x / block``, or,
        with ``normalize``, the orthonormal result (the last multiplication is by
        ``sqrt(block)`` instead).

    Returns
    -------
    ndarray
        ``x`` itself.

    Examples
    --------
    >>> fwht(np.array([1.0, 0.0, 1.0, 0.0]))
    array([2., 2., 0., 0.])
    >>> fwht(np.array([1.0, 2.0, 3.0, 4.0]), signs=[1, -1, 1, -1], block=2)
    array([-1.,  3., -1.,  7.])
    """
    _engine.check_array(x)
    n = x.shape[-1]
    b = _check_block(n, block)
    s = None if signs is None else _check_signs(signs, n)
    if s is not None:
        np.broadcast_shapes(s.shape, x.shape)
    em = _engine.emulation(fmt, rounding, seed, saturate, x.dtype)
    if s is not None:
        np.negative(x, out=x, where=np.broadcast_to(s < 0, x.shape))
    return _engine.run(_engine.fwht_spec(n, b, bool(normalize), bool(scale)), x, em)
