"""Sweeps as independent tasks, run in this process or on any
:class:`concurrent.futures.Executor`: a process pool on one machine, or a Dask cluster
(``distributed.Client(...).get_executor()``, or the client itself).

A sweep (an error study over formats, roundings and sizes) is a list of tasks whose
results do not depend on each other or on where they run: each task draws its random
numbers from :func:`task_rng`, keyed by the study's seed and the task's own key (its
point in the sweep, never its position in a list or chunk). So a sweep gives the same
result, bit for bit, serially or on any executor with any number of workers, and the
report of part of a sweep is the same part of the report of the whole.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np

__all__ = ["open_executor", "run_tasks", "task_rng", "task_seed"]

T = TypeVar("T")
Task = TypeVar("Task")


def _key_words(key: Sequence) -> tuple[int, ...]:
    """Four 32-bit words of a hash of ``key`` (a sequence of str, int, float, bool):
    the same in every process and Python version, unlike ``hash``."""
    try:
        text = json.dumps(list(key), separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        raise TypeError(f"a task key must be a sequence of str, int and float: {key!r}") from None
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def _seed_sequence(seed: int, key: Sequence) -> np.random.SeedSequence:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    return np.random.SeedSequence(int(seed), spawn_key=_key_words(key))


def task_rng(seed: int, key: Sequence) -> np.random.Generator:
    """The random generator of the task ``key`` of a sweep seeded with ``seed``.

    Parameters
    ----------
    seed : int
        The sweep's seed (non-negative).
    key : sequence of str, int, float
        What identifies the task in the sweep, e.g. ``("rdfft", "bfloat16", 64)``.

    Examples
    --------
    >>> a = task_rng(0, ("rdfft", "bfloat16", 64)).standard_normal(2)
    >>> b = task_rng(0, ("rdfft", "bfloat16", 64)).standard_normal(2)
    >>> c = task_rng(0, ("rdfft", "float16", 64)).standard_normal(2)
    >>> bool((a == b).all()), bool((a != c).all())
    (True, True)
    """
    return np.random.default_rng(_seed_sequence(seed, key))


def task_seed(seed: int, key: Sequence) -> int:
    """A 63-bit integer seed of the task ``key`` (for a kernel's stochastic rounding),
    independent of :func:`task_rng`'s stream for the same key.

    Examples
    --------
    >>> task_seed(0, ("x", 1)) == task_seed(0, ("x", 1)) != task_seed(1, ("x", 1))
    True
    """
    words = _seed_sequence(seed, [*key, "task_seed"]).generate_state(2, np.uint64)
    return int(words[0] >> np.uint64(1))


def _as_executor(executor: Any) -> cf.Executor:
    if isinstance(executor, cf.Executor):
        return executor
    if hasattr(executor, "get_executor") and hasattr(executor, "scheduler_info"):
        return executor.get_executor()  # a distributed.Client
    raise TypeError(
        "executor must be a concurrent.futures.Executor (or a distributed.Client), "
        f"got {type(executor).__name__}"
    )


def run_tasks(
    fn: Callable[[Task], T],
    tasks: Iterable[Task],
    *,
    executor: cf.Executor | None = None,
    progress: Callable[[Task], None] | None = None,
) -> list[T]:
    """``[fn(t) for t in tasks]``, in this process or on ``executor``.

    With an executor every task is submitted at once and ``progress`` is called as
    each finishes (in the order they finish); the results come back in the order of
    ``tasks`` whatever that order. On the first failure the tasks not yet started
    are cancelled and the error is raised.

    Parameters
    ----------
    fn : callable
        A function of one task. For a process pool or a cluster, ``fn`` and the
        tasks must pickle: a module-level function and plain data.
    tasks : iterable
    executor : concurrent.futures.Executor or distributed.Client, optional
        Where to run; None runs the tasks here, one after another.
    progress : callable, optional
        Called with each task once it is done.

    Returns
    -------
    list
        The results, in the order of ``tasks``.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(2) as pool:
    ...     run_tasks(abs, [-1, 2, -3], executor=pool)
    [1, 2, 3]
    """
    tasks = list(tasks)
    if executor is None:
        results = []
        for t in tasks:
            results.append(fn(t))
            if progress is not None:
                progress(t)
        return results
    pool = _as_executor(executor)
    futures = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
    results: list = [None] * len(tasks)
    try:
        for future in cf.as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            if progress is not None:
                progress(tasks[i])
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results


@contextlib.contextmanager
def open_executor(
    workers: int | None = None, scheduler: str | None = None
) -> Iterator[cf.Executor | None]:
    """An executor for the command line's ``--workers`` and ``--scheduler``, shut down
    on exit: None (run here) without either, a process pool of ``workers``
    processes, or the executor of a Dask cluster at the address ``scheduler``
    (needs ``distributed``).

    Examples
    --------
    >>> with open_executor() as ex:
    ...     print(ex)
    None
    """
    if workers is not None and scheduler is not None:
        raise ValueError("give --workers or --scheduler, not both")
    if scheduler is not None:
        try:
            from distributed import Client
        except ImportError:
            raise ImportError(
                "a Dask scheduler needs the distributed package: pip install distributed"
            ) from None
        with Client(scheduler) as client:
            yield client.get_executor()
        return
    if workers is None:
        yield None
        return
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int, got {workers!r}")
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool
