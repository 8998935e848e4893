"""``cast``: round data into a format, keeping the input's float dtype."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._core import cast_kernels
from .._core.containers import check_dtype_holds, from_container
from ._prepare import prepare
from .format import Format
from .rounding import Rounding

__all__ = ["cast"]


def cast(
    x: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    saturate: bool = False,
    subnormals: bool = True,
    seed: int | np.random.Generator | None = None,
    sr_bits: int | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray | float:
    """Round ``x`` to the nearest values of ``fmt`` (per ``rounding``), in ``x``'s dtype.

    Each element is rounded once, directly from its input value: float64 input is
    never rounded through float32 first.

    Parameters
    ----------
    x : array_like or float
        float16, bfloat16 (ml_dtypes), float32 or float64 data, a list, or a number.
        Data of either byte order is accepted.
    fmt : Format or str
        The target format, or its name (see :func:`numerics.format_names`).
    rounding : Rounding or str
        One of :class:`numerics.Rounding`; ``"nearest_even"`` by default.
    saturate : bool
        Clamp every finite overflow and every Inf to +-max instead of the IEEE
        overflow result (Inf, else NaN, else max).
    subnormals : bool
        If False, results below the smallest normal flush to (signed) zero.
    seed : int, numpy.random.Generator or None
        Key of stochastic rounding. Element ``i`` draws its bits from (seed, i), so the
        result does not depend on threads or chunking. None draws a fresh seed.
    sr_bits : int, optional
        Random bits of stochastic rounding (1..64), as hardware with k-bit SR does:
        the discarded part is truncated to k bits before the comparison. Default: all.
    out : ndarray, optional
        Where to write the result (same shape and dtype as ``x``, either byte order);
        ``out=x`` rounds in place (as fast as into another array). An ``out`` that
        overlaps ``x`` otherwise gets the result of the cast of ``x`` as it was, as
        numpy ufuncs give.

    Returns
    -------
    ndarray or scalar
        The rounded values, in ``x``'s dtype in native byte order, as numpy ufuncs
        return (a scalar for scalar input).

    Raises
    ------
    TypeError
        For non-float data (ints, bools, complex, objects).
    ValueError
        For an unknown format or rounding mode, a bad ``out``, an impossible
        ``sr_bits``, or a dtype that cannot hold the format's values.

    Notes
    -----
    Overflow follows IEEE 754 by rounding direction: a value past the largest finite
    in the rounding direction becomes Inf where the format has Inf, NaN where it has
    only NaN, and the largest finite where it has neither. Modes toward zero (and
    ``odd``) give the largest finite. NaN stays NaN, even for formats without NaN.
    Formats without zero (E8M0) give NaN for 0 and the smallest value for anything
    below it; unsigned formats give NaN (or 0 with ``saturate``) for negative values.

    Examples
    --------
    >>> import numpy as np
    >>> cast(np.array([0.3, 464.0, 465.0, -0.0]), "float8_e4m3fn").tolist()
    [0.3125, 448.0, nan, -0.0]
    >>> cast(1.0625 + 2**-30, "fp8_e4m3")  # no double rounding through float32
    1.125
    >>> cast([1.1] * 6, "bf16", "stochastic", seed=3)  # up with probability 0.8
    array([1.09375  , 1.1015625, 1.09375  , 1.1015625, 1.09375  , 1.1015625])
    """
    p = prepare(
        x,
        fmt,
        rounding,
        saturate=saturate,
        subnormals=subnormals,
        seed=seed,
        sr_bits=sr_bits,
    )
    arr, cont = p.arr, p.container
    check_dtype_holds(p.fmt, arr.dtype)
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"out must be a numpy array, got {type(out).__name__}")
        # any byte order: numpy swaps on assignment, as ufuncs do
        if out.shape != arr.shape or out.dtype.newbyteorder("=") != arr.dtype:
            raise ValueError(
                f"out must have x's shape {arr.shape} and dtype {arr.dtype.name}, "
                f"got {out.shape} and {out.dtype.name}"
            )
        if not out.flags.writeable:
            raise ValueError("out is read-only")
    direct = out is not None and out.dtype == cont.dtype and out.flags.c_contiguous and out.size > 0
    in_place = direct and _same_elements(out, p.flat)
    if direct and not in_place and np.may_share_memory(out, p.flat):
        # out overlaps x shifted: writing element i would clobber an input not yet read
        direct = False
    res = out.reshape(-1) if direct else np.empty(p.flat.size, dtype=cont.dtype)
    xb = p.flat.view(cont.uint)
    if p.parallel:
        cast_kernels.cast_chunks(xb, res, p.P, p.key, in_place)
    else:  # the pass; the exact routine compiles and runs only if the pass left elements
        # in place, no output bits: the kernels then vectorise (see cast_kernels)
        rb = None if in_place else res.view(cont.uint)
        flo = cast_kernels.cast_pass(xb, rb, p.P, p.key, 0, xb.size, False)[0]
        if flo < xb.size:
            cast_kernels.cast_range(xb, rb, res, p.P, p.key, flo, xb.size)
    if direct:
        return out
    result = from_container(res, arr.dtype).reshape(arr.shape)
    if out is not None:
        out[...] = result
        return out
    if p.kind == "pyfloat":
        return float(result)
    if p.kind == "npscalar":
        return result[()]
    return result


def _same_elements(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether contiguous ``a`` and ``b`` are the same elements of the same memory (a cast
    from one into the other is in place, element by element)."""
    return a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.size == b.size
