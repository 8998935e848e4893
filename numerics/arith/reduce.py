"""Sums, dot products and matrix products as low-precision hardware computes them.

Inputs may first be rounded into an input format; each product into a product format
(or kept exact); each addition into the accumulator format, in a chosen order:
``recursive`` (left to right), ``pairwise`` (adjacent pairs, level by level) or
``blocked`` (recursive sums of ``block`` terms, then a recursive sum of those partial
sums in an ``outer`` format, as FP8 tensor cores accumulate into a wider register).
Recursive and blocked sums may be Kahan-compensated, with every step rounded in the
accumulator format. Every rounding is a single rounding of the exact result, in any
mode; stochastic rounding draws its bits from (seed, the output entry, the event's
position in that entry's computation), so results do not depend on threads, on the
kernel chosen, or on the other entries computed.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from .._core.containers import F64, is_bfloat16
from .._core.jit import run_rows
from .._core.params import check_exact_sum_format, params, rne_constants
from .._core.random_words import seed_key
from .._core.rounding import rne_array
from ..formats.cast import cast
from ..formats.format import Format
from ..formats.registry import as_format
from ..formats.rounding import Rounding, as_rounding
from . import _reduce_kernels

__all__ = ["ORDERS", "dot", "matmul", "sum"]

#: Summation orders.
ORDERS = ("recursive", "pairwise", "blocked")

Seed = int | np.random.Generator | None


def _setup(fmt_acc, order, block, outer, compensated, rounding, seed, fmt_prod=None):
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}; got {order!r}")
    if isinstance(block, bool) or not isinstance(block, numbers.Integral) or block < 1:
        raise ValueError(f"block must be a positive int, got {block!r}")
    if compensated and order == "pairwise":
        raise ValueError("compensated summation applies to the recursive and blocked orders")
    mode = as_rounding(rounding)
    fmts = [as_format(f) for f in (fmt_acc, outer or fmt_acc, fmt_prod or fmt_acc)]
    for f in fmts:
        check_exact_sum_format(f, "emulated arithmetic needs")
    P, PO, PP = (params(f, mode, saturate=False, subnormals=True, sr_bits=None, container=F64)
                 for f in fmts)  # fmt: skip
    key = np.uint64(seed_key(seed) if mode.is_stochastic else 0)
    return ORDERS.index(order), int(block), P, PO, PP, key


def _data(x: ArrayLike, fmt_in, what: str) -> np.ndarray:
    """``x`` as float64 (ints, floats and ml_dtypes' bfloat16, which widens exactly),
    rounded into ``fmt_in`` if given."""
    a = np.asarray(x)
    if a.dtype.kind not in "fiu" and not is_bfloat16(a.dtype):
        raise TypeError(f"{what} must be real numbers, got {a.dtype.name}")
    a = a.astype(np.float64)
    if fmt_in is None:
        return a
    fmt_in = as_format(fmt_in)
    # numpy's rounding where the format allows it: a first call compiles no cast
    r = rne_array(a, fmt_in)
    return cast(a, fmt_in) if r is None else r


def sum(
    x: ArrayLike,
    fmt: Format | str,
    *,
    axis: int = -1,
    order: str = "recursive",
    block: int = 32,
    outer: Format | str | None = None,
    compensated: bool = False,
    fmt_in: Format | str | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
) -> np.ndarray | float:
    """The sum of ``x`` along ``axis``, every addition rounded once into ``fmt``.

    Parameters
    ----------
    x : array_like
        The terms (float64 values, or ints or bfloat16, which widen exactly;
        ``fmt_in`` rounds them first, to nearest even).
    fmt : Format or str
        The accumulator format (at most 50 fraction bits).
    axis : int or None
        The axis summed; None sums every element (in C order). An empty axis sums
        to +0.
    order : {"recursive", "pairwise", "blocked"}
        See :mod:`numerics.arith.reduce`; ``block`` terms per block, partial sums
        accumulated in ``outer`` (default ``fmt``).
    compensated : bool
        Kahan's compensated summation, every step rounded in ``fmt``.
    rounding, seed
        The rounding of every addition (stochastic included).

    Examples
    --------
    >>> import numpy as np
    >>> ones = np.ones(2**14)
    >>> sum(ones, "float16")  # round to nearest stagnates
    2048.0
    >>> sum(ones, "float16", order="pairwise")
    16384.0
    >>> sum(ones, "float16", order="blocked", block=256, outer="float32")
    16384.0
    """
    o, b, P, PO, _, key = _setup(fmt, order, block, outer, compensated, rounding, seed)
    a = _data(x, fmt_in, "x")
    if axis is None:  # numpy's meaning: every element, in C order
        a, axis = a.reshape(-1), -1
    elif isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an int or None, got {axis!r}")
    if a.ndim == 0:
        a = a.reshape(1)
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis {axis} is out of range for an array of {a.ndim} dimensions")
    a2 = np.ascontiguousarray(np.moveaxis(a, axis, -1))
    lead = a2.shape[:-1]
    if a2.shape[-1] == 0:  # no additions: +0, as dot of empty vectors gives
        return 0.0 if not lead else np.zeros(lead)
    rows = a2.reshape(-1, a2.shape[-1])
    out = np.empty(rows.shape[0])
    _reduce_kernels.sum_rows(rows, out, o, b, P, PO, key, compensated)
    return float(out[0]) if not lead else out.reshape(lead)


def matmul(
    A: ArrayLike,
    B: ArrayLike,
    fmt: Format | str,
    *,
    fmt_in: Format | str | None = None,
    fmt_prod: Format | str | None = None,
    order: str = "recursive",
    block: int = 32,
    outer: Format | str | None = None,
    compensated: bool = False,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
) -> np.ndarray:
    """``A @ B`` as hardware with these formats computes it: inputs rounded into
    ``fmt_in``, each product into ``fmt_prod`` (exact if None: exact for inputs of up
    to 26 bits of precision), each accumulation into ``fmt`` in ``order`` (see
    :func:`sum`). Rows run in parallel; the result does not depend on threads.

    Stochastic rounding keys the random bits of each rounding by (``seed``, ``i``,
    ``j``, the step ``q`` and which rounding of it), where ``(i, j)`` is the entry's
    index in ``C``: an entry does not depend on the other rows or columns or on the
    kernel that computes it, so ``matmul(A, B[:, :5])`` is ``matmul(A, B)[:, :5]``
    and ``matmul(A[:3], B)`` is ``matmul(A, B)[:3]``; :func:`dot` is entry (0, 0) and
    row ``r`` of :func:`sum` is entry ``(r, 0)`` of a product with a column of ones.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.full((2, 300), 0.1)
    >>> matmul(A, np.ones((300, 1)), "bfloat16", fmt_in="float8_e4m3fn").ravel().tolist()
    [32.0, 32.0]
    >>> matmul(A, np.ones((300, 1)), "bfloat16", fmt_in="e4m3", order="blocked",
    ...        outer="float32").ravel().tolist()  # blocks of 32 in bf16, then fp32
    [29.625, 29.625]
    """
    o, b, P, PO, PP, key = _setup(fmt, order, block, outer, compensated, rounding, seed, fmt_prod)
    a = _data(A, fmt_in, "A")
    bm = _data(B, fmt_in, "B")
    if a.ndim != 2 or bm.ndim != 2 or a.shape[1] != bm.shape[0]:
        raise ValueError(f"matmul needs (m, k) and (k, n) matrices, got {a.shape} and {bm.shape}")
    C = np.empty((a.shape[0], bm.shape[1]))
    a = np.ascontiguousarray(a)
    use_pp = fmt_prod is not None
    if o == _reduce_kernels.PAIRWISE or compensated or bm.shape[1] < 16:  # narrow: entry by entry
        _reduce_kernels.matmul_kernel(a, bm, C, o, b, PP, use_pp, P, PO, key, compensated)
    else:  # a row of C at a time, rounded by the vectorised cast pass
        bm = np.ascontiguousarray(bm)
        fmts = [as_format(f) for f in (fmt_prod or fmt, fmt)]
        fused = as_rounding(rounding) is Rounding.NEAREST_EVEN and all(
            f.zero and f.subnormals and f.signed for f in fmts
        )
        pc, ac = (np.array([*rne_constants(f), f.max]) for f in fmts)
        # None: the paths not taken, which numba then does not compile
        rw_key = key if as_rounding(rounding).is_stochastic else None
        blocked = True if o == _reduce_kernels.BLOCKED else None
        args = (
            a, bm, C, b, PP, use_pp, P, PO, rw_key, blocked,
            True if fused else None, None if fused else True, pc, ac,
        )  # fmt: skip
        m, k = a.shape
        run_rows(_rowwise, args, m, m * k * bm.shape[1])
    return C


def _rowwise(*args) -> None:
    """:func:`numerics.arith._reduce_kernels.matmul_rowwise` over rows ``args[-2:]``:
    without the fused pass's exact redo, then with it from the first row that needs it
    (if any), so that a first call on data the pass covers does not compile the redo."""
    *rest, lo, hi = args
    stop = _reduce_kernels.matmul_rowwise(*rest, None, lo, hi)
    if stop < hi:
        _reduce_kernels.matmul_rowwise(*rest, True, stop, hi)


def dot(
    x: ArrayLike,
    y: ArrayLike,
    fmt: Format | str,
    *,
    fmt_in: Format | str | None = None,
    fmt_prod: Format | str | None = None,
    order: str = "recursive",
    block: int = 32,
    outer: Format | str | None = None,
    compensated: bool = False,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: Seed = None,
) -> float:
    """The dot product of two vectors, as :func:`matmul` computes each entry.

    Examples
    --------
    >>> dot([0.1] * 3, [1.0] * 3, "fp8_e4m3")
    0.3125
    """
    xv, yv = np.asarray(x), np.asarray(y)
    if xv.ndim != 1 or yv.shape != xv.shape:
        raise ValueError(f"dot needs two vectors of one length, got {xv.shape} and {yv.shape}")
    C = matmul(
        xv.reshape(1, -1), yv.reshape(-1, 1), fmt, fmt_in=fmt_in, fmt_prod=fmt_prod,
        order=order, block=block, outer=outer, compensated=compensated, rounding=rounding,
        seed=seed,
    )  # fmt: skip
    return float(C[0, 0])
