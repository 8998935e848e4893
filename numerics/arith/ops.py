"""Elementwise arithmetic in a format: each operation rounds its exact result once.

The exact result of an operation on float64 operands is formed with error-free
transformations as an unevaluated sum ``hi + lo`` (exact for add, sub, mul and fma;
for div and sqrt ``lo`` carries the remainder's sign and size), rounded to odd in
float64 and then into the format, which rounds as the exact result would for
formats of up to 50 fraction bits (see :func:`numerics._core.rounding.to_odd`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._core import eft as scalar_eft
from .._core.containers import F64
from .._core.jit import njit
from .._core.params import P_MODE, RSR, check_exact_sum_format, params
from .._core.random_words import seed_key, word_if
from .._core.rounding import round_sum
from ..formats.format import Format
from ..formats.registry import as_format
from ..formats.rounding import Rounding, as_rounding
from .reduce import _data

__all__ = ["add", "div", "fma", "mul", "sqrt", "sub"]

ADD, SUB, MUL, DIV, FMA, SQRT = range(6)


@njit(cache=True, error_model="numpy")
def exact(op, a, b, c):
    """The exact result of ``op`` as ``(hi, lo)`` with ``hi = fl(result)``."""
    if op == ADD:
        return scalar_eft.two_sum(a, b)
    if op == SUB:
        return scalar_eft.two_sum(a, -b)
    if op == MUL:
        return scalar_eft.two_prod_fma(a, b)
    if op == DIV:
        q = a / b
        if not (np.isfinite(q) and b != 0 and q != 0):
            return q, 0.0
        return q, scalar_eft.fma(-q, b, a) / b  # the remainder is exact; its sign is the error's
    if op == SQRT:
        s = np.sqrt(a)
        if not (np.isfinite(s) and s > 0):
            return s, 0.0
        return s, scalar_eft.fma(-s, s, a) / (2 * s)
    # FMA: a * b + c = p + e + c, summed without loss
    p, e = scalar_eft.two_prod_fma(a, b)
    if not np.isfinite(p):
        return p + c, 0.0
    s, t = scalar_eft.two_sum(p, c)
    u, v = scalar_eft.two_sum(t, e)
    h, l = scalar_eft.two_sum(s, u)
    return scalar_eft.fast_two_sum(h, l + v) if h != 0 else scalar_eft.two_sum(l, v)


@njit(cache=True, error_model="numpy")
def _apply(op, a, b, c, out, err, P, key, want_err):
    stochastic = P[P_MODE] >= RSR
    for i in range(out.size):
        hi, lo = exact(op, a[i], b[i], c[i])
        v = round_sum(hi, lo, word_if(stochastic, key, i), P)
        out[i] = v
        if want_err:
            if np.isfinite(v) and np.isfinite(hi):
                s, t = scalar_eft.two_sum(hi, -v)
                err[i] = s + (t + lo)
            else:
                err[i] = np.nan


def _run(op: int, operands, fmt, rounding, seed, sr_bits, saturate, subnormals, error):
    fmt = as_format(fmt)
    check_exact_sum_format(fmt, "emulated arithmetic needs")
    mode = as_rounding(rounding)
    arrs = [_data(x, None, f"operand {i}") for i, x in enumerate(operands)]
    bc = np.broadcast_arrays(*arrs)
    shape = bc[0].shape
    flat = [np.ascontiguousarray(t).reshape(-1) for t in bc]
    while len(flat) < 3:
        flat.append(np.zeros_like(flat[0]))
    P = params(fmt, mode, saturate=saturate, subnormals=subnormals, sr_bits=sr_bits, container=F64)
    key = np.uint64(seed_key(seed) if mode.is_stochastic else 0)
    out = np.empty(flat[0].size)
    err = np.empty(flat[0].size if error else 0)
    with np.errstate(all="ignore"):
        _apply(op, flat[0], flat[1], flat[2], out, err, P, key, error)
    scalar = all(np.ndim(x) == 0 for x in operands)
    res = float(out[0]) if scalar else out.reshape(shape)
    if not error:
        return res
    return res, (float(err[0]) if scalar else err.reshape(shape))


_DOC = """{what}, rounded once into ``fmt``.

    Parameters
    ----------
    {args} : array_like
        Operands (broadcast together); float64 values, normally values of ``fmt``.
    fmt : Format or str
        The format of the result (at most 50 fraction bits).
    rounding : Rounding or str
        Any :class:`numerics.Rounding` mode.
    seed, sr_bits, saturate, subnormals
        As in :func:`numerics.cast`: stochastic rounding draws from (seed, flat
        index of the broadcast result).
    error : bool
        Also return the local rounding error ``exact - result`` as float64: exact
        whenever it is a float64 (for add, sub, mul and fma of format values it
        nearly always is), within one float64 ulp otherwise.

    Returns
    -------
    ndarray or float, or (result, error)
        float64 values of ``fmt``.

    Examples
    --------
    {example}
    """


def _documented(what: str, args: str, example: str):
    def deco(f):
        f.__doc__ = _DOC.format(what=what, args=args, example=example)
        return f

    return deco


Seed = int | np.random.Generator | None
Result = np.ndarray | float | tuple


@_documented(
    "``a + b``",
    "a, b",
    """>>> add(1.0, 2.0**-4, "float8_e4m3fn", error=True)
    (1.0, 0.0625)""",
)
def add(
    a: ArrayLike,
    b: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    seed: Seed = None,
    sr_bits: int | None = None,
    saturate: bool = False,
    subnormals: bool = True,
    error: bool = False,
) -> Result:
    return _run(ADD, (a, b), fmt, rounding, seed, sr_bits, saturate, subnormals, error)


@_documented(
    "``a - b``",
    "a, b",
    """>>> sub(1.0, 2.0**-5, "bfloat16")
    0.96875""",
)
def sub(
    a: ArrayLike,
    b: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    seed: Seed = None,
    sr_bits: int | None = None,
    saturate: bool = False,
    subnormals: bool = True,
    error: bool = False,
) -> Result:
    return _run(SUB, (a, b), fmt, rounding, seed, sr_bits, saturate, subnormals, error)


@_documented(
    "``a * b``",
    "a, b",
    """>>> mul([1.5, 3.0], 1.5, "fp4", "toward_zero")
    array([2., 4.])""",
)
def mul(
    a: ArrayLike,
    b: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    seed: Seed = None,
    sr_bits: int | None = None,
    saturate: bool = False,
    subnormals: bool = True,
    error: bool = False,
) -> Result:
    return _run(MUL, (a, b), fmt, rounding, seed, sr_bits, saturate, subnormals, error)


@_documented(
    "``a / b``",
    "a, b",
    """>>> div(1.0, 3.0, "float16", error=True)
    (0.333251953125, 8.138020833333333e-05)""",
)
def div(
    a: ArrayLike,
    b: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    seed: Seed = None,
    sr_bits: int | None = None,
    saturate: bool = False,
    subnormals: bool = True,
    error: bool = False,
) -> Result:
    return _run(DIV, (a, b), fmt, rounding, seed, sr_bits, saturate, subnormals, error)


@_documented(
    "``a * b + c``",
    "a, b, c",
    """>>> fma(3.0, 3.0, -8.0, "fp4")  # one rounding: 9 - 8 = 1
    1.0""",
)
def fma(
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    seed: Seed = None,
    sr_bits: int | None = None,
    saturate: bool = False,
    subnormals: bool = True,
    error: bool = False,
) -> Result:
    return _run(FMA, (a, b, c), fmt, rounding, seed, sr_bits, saturate, subnormals, error)


@_documented(
    "The square root of ``a``",
    "a",
    """>>> sqrt(2.0, "bfloat16", "up")
    1.421875""",
)
def sqrt(
    a: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    seed: Seed = None,
    sr_bits: int | None = None,
    saturate: bool = False,
    subnormals: bool = True,
    error: bool = False,
) -> Result:
    return _run(SQRT, (a,), fmt, rounding, seed, sr_bits, saturate, subnormals, error)
