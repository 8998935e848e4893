"""Stochastic rounding under ``torch.distributed``: the rank folded into the seed.

Data-parallel ranks run the same model with the same seeds. Drawn from the same
counters, their stochastic-rounding words would be equal, so the rounding noise of the
gradients they average would be perfectly correlated and would not shrink with the
number of ranks. The quantized layers therefore draw as if their seed were
``seed + rank * RANK_STRIDE`` (:func:`rank_seed`) once a process group is initialised;
rank 0 (and a process without a group) draws exactly what a single process draws.
``quantize_model(..., rank_aware=False)`` keeps the words identical across ranks.

:class:`~numerics.torch.LowPrecisionOptimizer` does not fold the rank: under data
parallelism every rank applies the same averaged gradient to the same replicated
weights, and equal rounding words keep the replicas bit-identical.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["RANK_STRIDE", "process_rank", "rank_seed"]

#: Rank ``r`` draws as seed ``seed + r * RANK_STRIDE`` would: distinct for seeds below
#: ``2**40`` and up to ``2**23`` ranks.
RANK_STRIDE = 1 << 40


@torch.compiler.assume_constant_result
def process_rank() -> int:
    """This process's rank in the default ``torch.distributed`` group, 0 without one.

    Examples
    --------
    >>> process_rank()
    0
    """
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return int(dist.get_rank())
    return 0


def rank_seed(seed: int | Tensor) -> int | Tensor:
    """``seed`` with this process's rank folded in: ``seed + rank * RANK_STRIDE``
    (unchanged on rank 0 and without a process group); an int64 tensor stays a tensor.

    Examples
    --------
    >>> rank_seed(7)
    7
    """
    r = process_rank()
    if r == 0:
        return seed
    return seed + r * RANK_STRIDE
