"""Discrete cosine transforms of types II and III, in place through the rdFFT."""

from __future__ import annotations

import numpy as np

from ..formats.format import Format
from ..formats.rounding import Rounding
from . import _engine

__all__ = ["dct", "idct"]

Seed = int | np.random.Generator | None


def _check(type: int, norm: str | None) -> None:
    if type not in (2, 3):
        raise ValueError(f"type must be 2 or 3, got {type!r}")
    if norm not in (None, "ortho"):
        raise ValueError(f"norm must be None or 'ortho', got {norm!r}")


def _algorithm(em: _engine.Emulation, algorithm: str, type: int, inverse: bool, scale: bool):
    """The rdFFT algorithm of a DCT pipeline (``scale`` halves the forward pipeline's
    FFT stages, dct-II and idct-III; the inverse pipeline's twist instead)."""
    forward = (type == 2) != inverse
    return _engine.plan_algorithm(em, algorithm, scale=scale and forward)


def dct(
    x: np.ndarray,
    type: int = 2,
    norm: str | None = None,
    *,
    fmt: Format | str | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    scale: bool = False,
    saturate: bool = False,
    compute: Format | str | None = None,
    twiddles: str = "table",
    algorithm: str = "radix2",
) -> np.ndarray:
    """The DCT of type 2 or 3 of every row of ``x`` (scipy.fft.dct's definitions), in
    place.

    Type 2 reorders the row (Makhoul 1980: even samples ascending, odd samples
    descending, through one row-sized copy per row), takes its :func:`rdfft` and
    multiplies by the twist ``exp(-i pi k / 2n)``; type 3 runs the inverse pipeline.

    Parameters
    ----------
    x : ndarray
        float32 or float64; the last axis has a power-of-two length. Overwritten.
    type : {2, 3}
    norm : {None, "ortho"}
        As in scipy: ``None`` is unnormalised (type 2 has a factor 2), ``"ortho"``
        orthonormal.
    fmt, rounding, seed, saturate, compute, twiddles
        Emulation, as in :func:`numerics.transforms.rdfft`; the twist constants
        (with the normalisation folded in) are rounded into the compute format
        once, whatever the twiddle model.
    algorithm : {"radix2", "radix4", "split-radix"}
        The emulated rdFFT's algorithm (see :func:`numerics.transforms.rdfft`), or
        of its inverse in the inverse pipeline (dct type 3, idct type 2).
    scale : bool
        Halve after every FFT stage (type 2) or divide the twist by ``n`` (type 3):
        the result is the transform divided by ``n``.

    Returns
    -------
    ndarray
        ``x`` itself.

    Examples
    --------
    >>> dct(np.array([1.0, 2.0, 3.0, 4.0]))
    array([20.        , -6.30864406,  0.        , -0.44834153])
    """
    _engine.check_array(x)
    _check(type, norm)
    em = _engine.emulation(fmt, rounding, seed, saturate, x.dtype, compute, twiddles)
    alg = _algorithm(em, algorithm, type, False, bool(scale))
    return _engine.run(_engine.dct_spec(x.shape[-1], type, norm, False, bool(scale), alg), x, em)


def idct(
    x: np.ndarray,
    type: int = 2,
    norm: str | None = None,
    *,
    fmt: Format | str | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    scale: bool = False,
    saturate: bool = False,
    compute: Format | str | None = None,
    twiddles: str = "table",
    algorithm: str = "radix2",
) -> np.ndarray:
    """The inverse of :func:`dct` of the same type and norm (scipy.fft.idct), in place.

    Parameters as for :func:`dct`.

    Examples
    --------
    >>> idct(dct(np.array([1.0, 2.0, 3.0, 4.0])))
    array([1., 2., 3., 4.])
    """
    _engine.check_array(x)
    _check(type, norm)
    em = _engine.emulation(fmt, rounding, seed, saturate, x.dtype, compute, twiddles)
    alg = _algorithm(em, algorithm, type, True, bool(scale))
    return _engine.run(_engine.dct_spec(x.shape[-1], type, norm, True, bool(scale), alg), x, em)
