"""Memory measurements for training code: the peak that torch's allocator reaches
while a function runs, and the bytes autograd keeps for backward."""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["peak_memory", "saved_for_backward"]


def peak_memory(step: Callable[[], object]) -> int:
    """The highest net number of bytes allocated by torch's CPU allocator while
    ``step()`` runs, above what was allocated before it (from torch's profiler with
    ``profile_memory=True``: every allocation and free, summed in time order).

    Memory that does not come from torch's allocator (numpy or numba arrays made
    inside custom kernels) is not seen.

    Examples
    --------
    >>> peak_memory(lambda: torch.empty(1024, dtype=torch.uint8)) >= 1024
    True
    """
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    events = [e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
    events.sort(key=lambda e: e.start_ns())
    level = peak = 0
    for e in events:
        level += e.nbytes()
        peak = max(peak, level)
    return peak


def saved_for_backward(f: Callable[[], torch.Tensor]) -> tuple[torch.Tensor, int]:
    """``f()`` and the bytes of the distinct storages autograd saved for backward
    while it ran (inputs and parameters that are saved count too).

    Examples
    --------
    >>> x = torch.ones(256, requires_grad=True)
    >>> _, kept = saved_for_backward(lambda: (x * x).sum())
    >>> kept
    1024
    """
    seen: dict[int, int] = {}

    def pack(t):
        storage = t.untyped_storage()
        seen[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = f()
    return out, sum(seen.values())
