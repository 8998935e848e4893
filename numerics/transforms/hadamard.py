"""The fast Walsh-Hadamard transform, in place."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from ..formats.format import Format
from ..formats.rounding import Rounding
from . import _engine
from ._hadamard_matrices import ORDERS
from ._hadamard_spec import SIZES, fwht_spec, split

__all__ = ["fwht"]

Seed = int | np.random.Generator | None


def _check_order(order: int | None) -> int | None:
    if order is None:
        return None
    if isinstance(order, bool) or not isinstance(order, numbers.Integral):
        raise TypeError(f"order must be an int (1, 12, 20, 28 or 40), got {order!r}")
    if int(order) not in (1, *ORDERS):
        raise ValueError(f"order must be 1, 12, 20, 28 or 40, got {order!r}")
    return int(order)


def _check_size(n: int, order: int | None = None) -> None:
    """A clear error unless rows of ``n`` can be transformed (with ``order``)."""
    if split(n, order) is None:
        which = SIZES if order is None else f"{order} * 2**k"
        raise ValueError(f"the Walsh-Hadamard transform needs a length {which}, got {n}")


def _check_data(x) -> np.ndarray:
    """``x`` as the transforms take it (see ``_engine.check_array``), its last axis any
    length ``m * 2**k``."""
    if isinstance(x, np.ndarray) and x.ndim and x.shape[-1] and split(x.shape[-1]):
        # the type, dtype and writeability checks, on a view of one column
        _engine.check_array(x[..., :1])
        return x
    if isinstance(x, np.ndarray) and x.ndim and x.shape[-1] > 1:
        _check_size(x.shape[-1])
    return _engine.check_array(x)


def _check_block(n: int, block: int | None, order: int | None = None) -> int:
    """The block length (``n`` when None): ``m * 2**k`` dividing ``n``."""
    if block is None:
        _check_size(n, order)
        return n
    # int() would turn 2.5 into 2 and transform blocks the caller did not ask for
    if isinstance(block, bool) or not isinstance(block, numbers.Integral):
        raise TypeError(f"block must be an int ({SIZES}), got {block!r}")
    b = int(block)
    if b < 1 or b > n or n % b or split(b, order) is None:
        which = SIZES if order is None else f"{order} * 2**k"
        raise ValueError(f"block must be {which} dividing {n}, got {block!r}")
    return b


def _spec(
    n: int, block: int, normalize: bool, scale: bool, order: int | None, transpose: bool = False
) -> _engine.Spec:
    if split(block, order)[0] == 1:  # Sylvester's H is symmetric
        return _engine.fwht_spec(n, block, normalize, scale)
    return fwht_spec(n, block, normalize, scale, order, transpose)


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
    order: int | None = None,
    transpose: bool = False,
    fmt: Format | str | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    scale: bool = False,
    saturate: bool = False,
) -> np.ndarray:
    """The Walsh-Hadamard transform ``H x`` of every row of ``x``, in place: for a
    power-of-two length in Sylvester order (``H = scipy.linalg.hadamard(n)``), for a
    length ``n = m * 2**k`` with ``m`` in 12, 20, 28, 40 the Kronecker product
    ``H = H_m (x) H_{2**k}`` (element ``a 2**k + b`` is row ``a``, column ``b`` of an
    ``m x 2**k`` matrix: the butterflies transform the rows, then ``H_m`` the columns).

    ``H_m`` is the matrix of Tri Dao's fast-hadamard-transform (``csrc/code_gen.py``:
    ``had_12_paley``, ``had_20_will``, ``had_28_will``, ``had_40_tpal``), with its
    layout, so the result is that library's ``hadamard_transform_12N`` (20N, 28N, 40N)
    and the rotations built on it: Paley II for ``q = 5`` (12), Williamson (20, 28),
    Sylvester doubling of Paley I for ``q = 19`` (40); see
    :mod:`numerics.transforms._hadamard_matrices`. ``H H^T = n I``, and ``H`` is
    symmetric only for powers of two: the adjoint of a length ``m * 2**k`` is ``H^T``.

    Parameters
    ----------
    x : ndarray
        float32 or float64; the last axis has a length ``2**k``, ``12 * 2**k``,
        ``20 * 2**k``, ``28 * 2**k`` or ``40 * 2**k``. Overwritten.
    normalize : bool
        Multiply by ``1/sqrt(block)``: the orthonormal transform.
    signs : array_like of +-1, optional
        Random signs ``D`` applied *before* the transform: ``H D x`` (a randomised
        Hadamard rotation). Broadcast against ``x``; their last axis has ``n`` entries.
    block : int, optional
        Transform each run of ``block`` (a length as above, dividing ``n``) separately:
        the block-diagonal ``I (x) H_block``, as MX/NVFP4 rotations use with 16 or 32.
    order : int, optional
        The order ``m`` of the dense factor (1, 12, 20, 28 or 40). By default 1 for
        powers of two, else 12, 20 or 28 by the odd part of the block length: a
        length ``40 * 2**k`` is also ``20 * 2**(k+1)``, and takes ``H_40`` only with
        ``order=40``.
    transpose : bool
        Apply ``H^T`` instead (the adjoint; signs still come first: ``H^T D x``).
    fmt, rounding, seed, saturate
        Emulation, as in :func:`numerics.transforms.rdfft`: every sum and difference
        rounds; the normalisation multiplies by ``1/sqrt(block)`` rounded into ``fmt``
        (exact when ``block`` is a power of four). The dense stage computes each
        output left to right, ``((h_0 t_0 + h_1 t_1) + h_2 t_2) + ...``: ``m - 1``
        rounded additions or subtractions (the signs are exact).
    scale : bool
        Halve after every butterfly stage (no growth). The result is then
        ``H x / block``, or, with ``normalize``, the orthonormal result (the last
        multiplication is by ``sqrt(block)`` instead). For ``m > 1`` the dense stage
        does not scale (its outputs grow by up to ``m``); a last multiplication by
        ``1/m`` (with ``normalize``: by ``2**k / sqrt(block)``) completes it.

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

    A length 24 is ``H_12 (x) H_2``; orthonormal, it keeps the norm:

    >>> y = fwht(np.arange(24.0), normalize=True)
    >>> bool(np.isclose(np.linalg.norm(y), np.linalg.norm(np.arange(24.0))))
    True
    """
    _check_data(x)
    n = x.shape[-1]
    order = _check_order(order)
    b = _check_block(n, block, order)
    s = None if signs is None else _check_signs(signs, n)
    if s is not None:
        np.broadcast_shapes(s.shape, x.shape)
    em = _engine.emulation(fmt, rounding, seed, saturate, x.dtype)
    if s is not None:
        np.negative(x, out=x, where=np.broadcast_to(s < 0, x.shape))
    return _engine.run(_spec(n, b, bool(normalize), bool(scale), order, bool(transpose)), x, em)
