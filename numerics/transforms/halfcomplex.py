"""Linear algebra on halfcomplex spectra: the block-circulant products of FFT-based
adapters computed without complex arrays."""

from __future__ import annotations

import numpy as np

from . import _engine, _halfcomplex_kernels

__all__ = ["halfcomplex_matmul", "halfcomplex_to_perm", "perm_to_halfcomplex"]


def halfcomplex_matmul(
    a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None, *, conj: bool = False
) -> np.ndarray:
    """The matrix product of matrices whose entries are spectra in halfcomplex layout:
    ``out[x, y] = sum_k a[x, k] * b[k, y]`` (or ``* conj(b[k, y])``), each product the
    elementwise complex product of two spectra (as :func:`halfcomplex_multiply`).

    With :func:`rdfft` and :func:`irdfft` this applies a block-circulant matrix to a
    batch of vectors: if ``b[k, y]`` is the spectrum of block ``(y, k)``'s first
    column and ``a[x, k]`` that of block ``k`` of vector ``x``, ``irdfft(out[x, y])``
    is block ``y`` of the product.

    Parameters
    ----------
    a : ndarray, shape (X, K, p)
        float32 or float64 (any strides); ``p`` a power of two.
    b : ndarray, shape (K, Y, p)
        The same dtype as ``a`` (any strides).
    out : ndarray, shape (X, Y, p), optional
        Written in full (a new array if ``None``); must not overlap ``a`` or ``b``.
    conj : bool
        Multiply by the conjugates of ``b``'s spectra (correlation instead of
        convolution: the products of the adjoint).

    Returns
    -------
    ndarray
        ``out``.

    Examples
    --------
    >>> from numerics.transforms import rdfft, irdfft
    >>> x = rdfft(np.array([[[1.0, 2.0, 3.0, 4.0]]]))       # one vector, one block
    >>> c = rdfft(np.array([[[0.0, 1.0, 0.0, 0.0]]]))       # the cyclic shift
    >>> irdfft(halfcomplex_matmul(x, c))
    array([[[4., 1., 2., 3.]]])
    """
    _engine.check_array(a, "a")
    if not isinstance(b, np.ndarray) or b.dtype != a.dtype:
        raise TypeError(f"b must be a numpy array of a's dtype {a.dtype}")
    if a.ndim != 3 or b.ndim != 3:
        raise ValueError(f"a and b must be 3-D (X, K, p) and (K, Y, p), got {a.shape}, {b.shape}")
    nx, nk, p = a.shape
    if b.shape[0] != nk or b.shape[2] != p:
        raise ValueError(f"shapes {a.shape} and {b.shape} do not chain: (X, K, p) @ (K, Y, p)")
    shape = (nx, b.shape[1], p)
    if out is None:
        out = np.empty(shape, dtype=a.dtype)
    else:
        _engine.check_array(out, "out")
        if out.shape != shape or out.dtype != a.dtype:
            raise ValueError(f"out must be {a.dtype} of shape {shape}, got {out.dtype} {out.shape}")
        if np.shares_memory(out, a) or np.shares_memory(out, b):
            raise ValueError("out must not overlap a or b")
    _halfcomplex_kernels.matmul(a, b, out, bool(conj))
    return out


def _reorder(x: np.ndarray, to_perm: bool) -> np.ndarray:
    _engine.check_array(x)
    if x.shape[-1] < 4:
        return x  # the two orders coincide
    rows = x.reshape(-1, x.shape[-1])
    if not np.shares_memory(rows, x):
        raise ValueError("x must be contiguous along its rows (reordered in place)")
    _halfcomplex_kernels.reorder_rows(rows, to_perm)
    return x


def halfcomplex_to_perm(x: np.ndarray) -> np.ndarray:
    """Reorder spectra from halfcomplex layout into "Perm" order (Intel IPP's name),
    in place: ``[Re X_0, Re X_{p/2}, Re X_1, Im X_1, Re X_2, Im X_2, ...]``. In Perm
    order each row is ``p/2`` interleaved complex numbers (``Re X_0 + i Re X_{p/2}``
    first), so a complex view of the same memory feeds complex matrix products.

    Examples
    --------
    >>> halfcomplex_to_perm(np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]))
    array([0., 4., 1., 7., 2., 6., 3., 5.])
    """
    return _reorder(x, True)


def perm_to_halfcomplex(x: np.ndarray) -> np.ndarray:
    """The inverse of :func:`halfcomplex_to_perm`, in place.

    Examples
    --------
    >>> perm_to_halfcomplex(np.array([0.0, 4.0, 1.0, 7.0, 2.0, 6.0, 3.0, 5.0]))
    array([0., 1., 2., 3., 4., 5., 6., 7.])
    """
    return _reorder(x, False)
