"""Codebook quantizers: BitNet b1.58 ternary weights and the {+1, +i, -1, -i} codebook
of iFairy."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from ..formats.intformat import IntFormat
from ..formats.registry import get_format
from ..formats.rounding import Rounding
from ._layout import Layout
from .quantized import PM1I, Quantized
from .scaling import float_data, quantize

__all__ = ["TERNARY", "quantize_pm1i", "quantize_ternary"]

#: The ternary element format {-1, 0, 1} (two bits, symmetric).
TERNARY = IntFormat(2, narrow=True, name="ternary")

_F32 = get_format("float32")


def _check_eps(eps: float) -> float:
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < np.inf:
        raise ValueError(f"eps must be a positive finite number, got {eps!r}")
    return float(eps)


def _group_means(a: np.ndarray, layout: Layout, mask: np.ndarray | None = None) -> np.ndarray:
    """Mean of ``a`` over each group of the layout (over ``mask`` only, 0 if empty)."""
    a2 = layout.rows(a)
    m2 = np.ones(a2.shape, bool) if mask is None else layout.rows(mask)
    if layout.granularity == "tensor":  # the view's rows are not groups: use one row
        a2, m2 = a2.reshape(1, -1), m2.reshape(1, -1)
    cnt = m2.sum(axis=1)
    tot = np.where(m2, a2, 0.0).sum(axis=1)
    mean = np.divide(tot, cnt, out=np.zeros_like(tot), where=cnt > 0)
    return layout.scales_from_blocks(mean[:, None])


def quantize_ternary(
    x: ArrayLike,
    *,
    channel_axis: int | None = None,
    eps: float = 1e-5,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: int | np.random.Generator | None = None,
    stats: bool = False,
) -> Quantized:
    """BitNet b1.58 ternary weights: ``clip(round(w / gamma), -1, 1)`` with the absmean
    scale ``gamma = max(mean|w|, eps)`` per tensor (or per channel along
    ``channel_axis``).

    ``gamma`` is computed in float64 and stored as float32 (rounded to nearest);
    ``w / gamma`` is rounded exactly (BitNet multiplies by a rounded ``1 / gamma``).
    Codes are int8 in {-1, 0, 1}; ``rounding`` may be any mode (stochastic included);
    ``stats=True`` counts the clipped (``|w| > 1.5 gamma``) and flushed weights.

    Examples
    --------
    >>> q = quantize_ternary([0.4, -1.2, 0.05, 0.8])
    >>> q.codes.tolist(), q.scales.ravel().tolist()
    ([1, -1, 0, 1], [0.612500011920929])
    """
    eps = _check_eps(eps)
    data, _ = float_data(x)
    if np.isnan(data).any():
        raise ValueError("x holds NaN, which ternary codes cannot represent")
    if np.isinf(data).any():
        raise ValueError("x holds Inf, which makes the absmean scale infinite")
    layout = Layout.make(data.shape, channel_axis=channel_axis)
    gamma = _group_means(np.abs(data.astype(np.float64)), layout)
    s = np.maximum(gamma, eps).astype(np.float32).astype(np.float64)
    return quantize(
        x, TERNARY, channel_axis=channel_axis, scale=s, scale_format=_F32, rounding=rounding,
        seed=seed, stats=stats,
    )  # fmt: skip


def quantize_pm1i(
    x: ArrayLike,
    im: ArrayLike | None = None,
    *,
    channel_axis: int | None = None,
    eps: float = 1e-5,
) -> Quantized:
    """The {+1, +i, -1, -i} codebook of iFairy: each complex weight ``w`` becomes the
    fourth root of unity of its phase sector, with two scales.

    The phase ``phi = angle(w)`` picks +1 on ``[-pi/4, pi/4)``, +i on
    ``[pi/4, 3pi/4)``, -i on ``[-3pi/4, -pi/4)`` and -1 on the rest. Sectors are decided
    exactly by comparing the real and imaginary parts (never through a rounded angle);
    ``w = 0`` (either sign) counts as phase 0. The scales are ``s_re = mean|Re w|`` over
    the weights coded +-1 and ``s_im = mean|Im w|`` over those coded +-i, each at least
    ``eps``, stored as float32.

    Parameters
    ----------
    x : array_like
        Complex weights, or their real parts when ``im`` is given.
    im : array_like, optional
        Imaginary parts, shaped like ``x``.
    channel_axis : int, optional
        Separate scales per index along this axis.

    Returns
    -------
    Quantized
        int8 codes ``k`` standing for ``i**k`` (0: +1, 1: +i, 2: -1, 3: -i), ``scales``
        holding ``s_re`` and ``scales_imag`` holding ``s_im``; ``dequantize()`` gives
        complex values.

    Examples
    --------
    >>> q = quantize_pm1i([1 + 0.5j, 0.2 + 1j, -2 - 1j, 1 - 1j])
    >>> q.codes.tolist(), q.scales.ravel().tolist(), q.scales_imag.ravel().tolist()
    ([0, 1, 2, 0], [1.3333333730697632], [1.0])
    """
    eps = _check_eps(eps)
    if im is None:
        z = np.asarray(x)
        if z.dtype.kind != "c":
            raise TypeError(
                f"x must be complex (or pass the imaginary parts as im), got {z.dtype.name}"
            )
        re, imag = z.real.astype(np.float64), z.imag.astype(np.float64)
        dtype = z.dtype
    else:
        re32, dtype = float_data(x)
        im32, _ = float_data(im)
        if re32.shape != im32.shape:
            raise ValueError(f"x and im must have one shape, got {re32.shape} and {im32.shape}")
        re, imag = re32.astype(np.float64), im32.astype(np.float64)
    if np.isnan(re).any() or np.isnan(imag).any():
        raise ValueError("x holds NaN, which the codebook cannot represent")
    if np.isinf(re).any() or np.isinf(imag).any():
        raise ValueError("x holds Inf, which makes the codebook's scales infinite")
    c1 = (imag > 0) & (-imag < re) & (re <= imag)
    c2 = (re < 0) & (re < imag) & (imag <= -re)
    c3 = (imag < 0) & (imag <= re) & (re < -imag)
    codes = (c1 * 1 + c2 * 2 + c3 * 3).astype(np.int8)  # the rest, and 0, are +1
    layout = Layout.make(re.shape, channel_axis=channel_axis)
    real_coded = codes % 2 == 0
    s_re = _group_means(np.abs(re), layout, real_coded)
    s_im = _group_means(np.abs(imag), layout, ~real_coded)
    s_re = np.maximum(s_re, eps).astype(np.float32).astype(np.float64)
    s_im = np.maximum(s_im, eps).astype(np.float32).astype(np.float64)
    return Quantized(
        codes,
        s_re,
        PM1I,
        _F32,
        layout.granularity,
        layout.axis,
        None,
        np.dtype(dtype),
        scales_imag=s_im,
    )
