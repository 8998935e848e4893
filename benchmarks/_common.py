"""What the benchmark scripts share: best-of-R timing and the table of ratios to copy,
run on one thread and on all of numba's (and torch's) threads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numba

from numerics.analysis import text_table


def best(f: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``f``, in seconds, after one warm-up run."""
    f()  # warm up (JIT, caches)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def ratio_tables(
    title: str,
    contenders: Callable[[], Iterable[tuple[str, Callable[[], object], int]]],
    full_size: int,
    repeat: int,
    slow_repeat: int = 1,
) -> None:
    """Print ns/element and the ratio to the first contender (a copy), per thread
    count. Contenders yield (name, function, elements processed)."""
    threads = numba.get_num_threads()
    try:
        for nthreads in sorted({1, threads}):
            numba.set_num_threads(nthreads)
            try:
                import torch

                torch.set_num_threads(nthreads)
            except ImportError:
                pass
            print(f"\n{title}, {nthreads} thread(s)")
            rows = []
            base = None
            for name, f, n in contenders():
                ns = best(f, repeat if n == full_size else slow_repeat) / n * 1e9
                base = base or ns
                rows.append((name, f"{ns:.2f}", f"{ns / base:.2f}"))
            print(text_table(("contender", "ns/elem", "x copy"), rows))
    finally:
        numba.set_num_threads(threads)
