"""The plans of the Walsh-Hadamard transforms of length ``m * 2**k`` (``m`` in 12, 20,
28, 40): ``H_m (x) H_{2**k}``, the butterflies then the dense stage."""

from __future__ import annotations

import functools
import math

import numpy as np

from . import _engine, _steps
from ._hadamard_matrices import ORDERS, hadamard_matrix

SIZES = "2**k, 12 * 2**k, 20 * 2**k, 28 * 2**k or 40 * 2**k"


def split(n: int, order: int | None = None) -> tuple[int, int] | None:
    """``(m, 2**k)`` with ``n = m * 2**k`` for the Hadamard order ``m`` (``order``, or by
    default 1 for a power of two, else the order among 12, 20, 28 whose odd part is
    ``n``'s: 40 only when asked, as ``40 * 2**k = 20 * 2**(k+1)``); None if there is
    none."""
    if n < 1:
        return None
    choices = (order,) if order is not None else (1, *ORDERS[:3])
    for m in choices:
        if m in (1, *ORDERS) and n % m == 0:
            s = n // m
            if not s & (s - 1):
                return m, s
    return None


@functools.lru_cache(maxsize=64)
def fwht_spec(
    n: int,
    block: int,
    normalize: bool,
    scale: bool,
    order: int | None = None,
    transpose: bool = False,
):
    """The spec of ``fwht`` on rows of ``n`` in blocks of ``block = m * 2**k``.

    ``scale`` halves after every butterfly stage and multiplies by ``1/m`` at the end
    (``m`` is not a power of two: the dense stage itself does not scale), or with
    ``normalize`` by ``2**k / sqrt(block)``. ``transpose``: ``H^T`` (``H_m`` of orders
    20, 28, 40 is not symmetric)."""
    m, s = split(block, order)
    steps = [(_steps.WHT, 1, s // 2, int(scale))] if s > 1 else []
    steps.append((_steps.DENSE, 1, block, m))
    if scale:
        c = s / math.sqrt(block) if normalize else 1.0 / m
    else:
        c = 1.0 / math.sqrt(block)
    if normalize or scale:
        steps.append((_steps.SCALE, 0, 0, 0))
    H = hadamard_matrix(m)
    consts = np.concatenate([[c], (H.T if transpose else H).reshape(-1).astype(np.float64)])
    return _engine._spec("fwht", n, _engine._plan(*steps), consts=consts)
