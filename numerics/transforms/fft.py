"""The real-domain in-place FFT (rdFFT) and the halfcomplex layout.

The halfcomplex layout of the DFT ``X`` of ``n`` real values (FFTW's R2HC): slot ``k``
holds ``Re X_k`` for ``0 <= k <= n/2`` and slot ``n - k`` holds ``Im X_k`` for
``0 < k < n/2``. It is ``n`` reals, so the transform can overwrite its input.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..formats.format import Format
from ..formats.rounding import Rounding
from . import _engine

__all__ = [
    "complex_to_halfcomplex",
    "halfcomplex_multiply",
    "halfcomplex_to_complex",
    "irdfft",
    "rdfft",
]

Seed = int | np.random.Generator | None


def rdfft(
    x: np.ndarray,
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
    """The real FFT of every row (last axis) of ``x``, in place, in halfcomplex layout.

    Radix-2 decimation in time (Sorensen et al. 1987) on the array's own memory: no
    output or scratch buffer (the cos/sin tables of each length are cached).

    Parameters
    ----------
    x : ndarray
        float32 or float64, any batch shape; the last axis has a power-of-two length.
        Overwritten by the result (a non-contiguous ``x`` goes through a contiguous
        copy).
    fmt : Format or str, optional
        Emulate the transform in this format: the input is rounded into it (to
        nearest even), the twiddles are computed in float64 and rounded into it
        once, and every real operation (each product, sum and difference) rounds
        into it with ``rounding``. ``None``: native float32/float64 arithmetic.
    rounding : Rounding or str
        The rounding of every emulated operation (any :class:`numerics.Rounding`).
    seed : int, Generator or None
        Key of stochastic rounding: each operation draws from (seed, row, stage,
        slot), so results do not depend on threads.
    scale : bool
        Halve after every stage (to avoid overflow in narrow formats); the result is
        then ``X / n``.
    saturate : bool
        Emulated overflow clamps to +-max instead of Inf/NaN.
    compute : Format or str, optional
        Compute every operation in this format, and store each stage's outputs in
        ``fmt`` (one more rounding, with ``rounding``): the rdFFT paper's bf16
        kernel (arXiv 2511.01385) computes its butterflies in float32 and keeps the
        data in bfloat16 (``fmt="bfloat16", compute="float32"``). The twiddles are
        then in the compute format. ``None``: the operations round into ``fmt``.
    twiddles : {"table", "compute", "recurrence"}
        How the emulated twiddles are made: ``"table"``, a float64 table rounded
        to nearest once (a precomputed table, as FFTW and the rdFFT kernels load);
        ``"compute"``, computed in the compute format as CUDA kernels do with
        ``cosf``/``sinf``: the angle ``fl(fl(2 pi) k) / L`` in the format, its
        cosine and sine correctly rounded into the format (float64 ``cos``/``sin``
        rounded to nearest); ``"recurrence"``, the classic ``w_k = w_{k-1} w_1``
        with every real operation rounded to nearest in the compute format, whose
        error grows with ``k`` (Van Loan, *Computational Frameworks for the FFT*,
        1.4).
    algorithm : {"radix2", "radix4", "split-radix"}
        The FFT algorithm of the emulation, each with its own real operations in
        its own order (so its own rounding errors), all in place in the halfcomplex
        layout after one bit reversal: ``"radix2"``, the radix-2 decimation in time
        above; ``"radix4"``, radix-4 butterflies (three twiddle products, then two
        levels of sums; one radix-2 stage first where ``log2 n`` is odd);
        ``"split-radix"``, Duhamel and Hollmann's split radix, ``X = U + (w^k Z +
        w^{3k} Z')`` with ``U`` of length ``n/2`` and ``Z, Z'`` of ``n/4``, in the
        real-data form of Sorensen et al. (1987). Their deterministic bounds are in
        :func:`numerics.transforms.error_report`. The native transform ignores it
        (its radix-2^2 passes are bitwise radix-2); split-radix and radix-4 take
        neither ``scale=True`` nor a separate ``compute`` format. :func:`irdfft`
        inverts each algorithm's blocks.

    Returns
    -------
    ndarray
        ``x`` itself.

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 0.0, -1.0])
    >>> rdfft(x)                       # X = [2, 1-3i, 0, 1+3i]
    array([ 2.,  1.,  0., -3.])
    >>> halfcomplex_to_complex(x)
    array([2.+0.j, 1.-3.j, 0.+0.j])
    >>> y = np.arange(8.0)
    >>> rdfft(y, fmt="bfloat16", compute="float32", twiddles="compute")[:2]
    array([28., -4.])
    >>> rdfft(np.arange(8.0), fmt="bfloat16", algorithm="split-radix")[:2]
    array([28., -4.])
    """
    _engine.check_array(x)
    em = _engine.emulation(fmt, rounding, seed, saturate, x.dtype, compute, twiddles)
    alg = _engine.plan_algorithm(em, algorithm, scale=bool(scale))
    return _engine.run(_engine.rdfft_spec(x.shape[-1], bool(scale), alg), x, em)


def irdfft(
    x: np.ndarray,
    *,
    fmt: Format | str | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
    saturate: bool = False,
    compute: Format | str | None = None,
    twiddles: str = "table",
    algorithm: str = "radix2",
) -> np.ndarray:
    """The inverse of :func:`rdfft`, in place: halfcomplex rows back to real signals.

    Each stage is the exact inverse of a forward stage (halving built in), so no
    final ``1/n`` is needed. Parameters (``compute`` and ``twiddles`` too) as for
    :func:`rdfft`; with ``algorithm``, every block of the forward algorithm is
    inverted exactly (``U_k, P = (X_k +- X_{k+n/2}) / 2`` and so on, each halving a
    rounded operation as in the radix-2 stages), levels in reverse order.

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 0.0, -1.0])
    >>> irdfft(rdfft(x))
    array([ 1.,  2.,  0., -1.])
    """
    _engine.check_array(x)
    em = _engine.emulation(fmt, rounding, seed, saturate, x.dtype, compute, twiddles)
    alg = _engine.plan_algorithm(em, algorithm)
    return _engine.run(_engine.irdfft_spec(x.shape[-1], alg), x, em)


def halfcomplex_to_complex(h: ArrayLike) -> np.ndarray:
    """numpy's ``rfft`` layout (``n/2 + 1`` complex values) of halfcomplex rows.

    Examples
    --------
    >>> halfcomplex_to_complex([10.0, -2.0, -2.0, 2.0])
    array([10.+0.j, -2.+2.j, -2.+0.j])
    """
    h = np.asarray(h)
    if h.dtype.kind != "f":
        h = h.astype(np.float64)
    n = h.shape[-1]
    if n < 1 or n & (n - 1):
        raise ValueError(f"the last axis must have a power-of-two length, got {n}")
    ctype = np.complex64 if h.dtype == np.float32 else np.complex128
    z = np.zeros(h.shape[:-1] + (n // 2 + 1,), dtype=ctype)
    z.real = h[..., : n // 2 + 1]
    if n > 2:
        z.imag[..., 1 : n // 2] = h[..., : n // 2 : -1]
    return z


def complex_to_halfcomplex(z: ArrayLike, n: int | None = None) -> np.ndarray:
    """Halfcomplex rows of length ``n`` (default ``2 (m - 1)`` for ``m`` complex values)
    from numpy's ``rfft`` layout; the imaginary parts of slots 0 and ``n/2`` are
    dropped, as ``irfft`` drops them.

    Examples
    --------
    >>> complex_to_halfcomplex(np.fft.rfft([1.0, 2.0, 0.0, -1.0]))
    array([ 2.,  1.,  0., -3.])
    """
    z = np.asarray(z)
    m = z.shape[-1]
    n = 2 * (m - 1) if n is None else int(n)
    if n < 1 or n & (n - 1) or m != n // 2 + 1:
        raise ValueError(
            f"need n/2 + 1 complex values for a power-of-two n; got {m} values and n={n}"
        )
    rtype = np.float32 if z.dtype == np.complex64 else np.float64
    h = np.empty(z.shape[:-1] + (n,), dtype=rtype)
    h[..., : n // 2 + 1] = z.real
    if n > 2:
        h[..., : n // 2 : -1] = z.imag[..., 1 : n // 2]
    return h


def halfcomplex_multiply(a: np.ndarray, b: ArrayLike, *, conj: bool = False) -> np.ndarray:
    """``a <- a * b`` (or ``a * conj(b)``) elementwise for spectra in halfcomplex
    layout, in place in ``a``: with :func:`rdfft` and :func:`irdfft` it gives circular
    convolution (or, with ``conj``, correlation) without a complex array.

    Examples
    --------
    >>> x, k = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 1.0, 0.0, 0.0])
    >>> irdfft(halfcomplex_multiply(rdfft(x), rdfft(k)))   # x shifted by one
    array([4., 1., 2., 3.])
    """
    _engine.check_array(a, "a")
    b = np.asarray(b, dtype=a.dtype)
    if b.shape[-1] != a.shape[-1]:
        raise ValueError(f"a and b need the same last axis, got {a.shape[-1]} and {b.shape[-1]}")
    try:
        fits = np.broadcast_shapes(b.shape, a.shape) == a.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"b of shape {b.shape} does not broadcast to a's shape {a.shape}")
    n = a.shape[-1]
    h = n // 2
    a[..., 0] *= b[..., 0]
    if n > 1:
        a[..., h] *= b[..., h]
    if n > 2:
        ar, ai = a[..., 1:h], a[..., :h:-1]
        br, bi = b[..., 1:h], b[..., :h:-1]
        if conj:
            bi = -bi
        re = ar * br - ai * bi
        ai[...] = ar * bi + ai * br
        ar[...] = re
    return a
