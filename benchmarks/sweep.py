"""A sweep on two local processes against the same sweep run serially: the rdFFT
error study (formats x roundings x sizes) and the format x rounding cast-error grid,
each numba kernel on one thread, timed interleaved in one process (best of R), with
the check that both runs give the same report bit for bit. ``--dask`` adds a
two-worker ``distributed.LocalCluster`` (loopback only).

    python benchmarks/sweep.py [--repeat R] [--quick] [--dask]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import time

# one numba thread per process, set before numba starts: the workers inherit it, so
# the speed-up is that of the processes, not of threads fighting over the cores
os.environ["NUMBA_NUM_THREADS"] = "1"

from numerics.analysis import quantization_study, text_table
from numerics.transforms import error_study


def sweeps(quick: bool):
    study = dict(
        sizes=[2**k for k in range(6, 10 if quick else 13)],
        formats=("bfloat16", "float16", "float8_e4m3fn", "float8_e5m2"),
        roundings=("nearest_even", "stochastic"),
        trials=4 if quick else 8,
    )
    grid = dict(
        formats=("bfloat16", "float16", "float8_e4m3fn", "float8_e5m2", "fp6_e2m3", "fp4"),
        roundings=("nearest_even", "toward_zero", "odd", "stochastic"),
        size=2**14 if quick else 2**17,
        trials=4,
    )
    npoints = len(study["sizes"]) * len(study["formats"]) * len(study["roundings"])
    return [
        (f"rdfft error study, {npoints} points", lambda ex: error_study(**study, executor=ex)),
        (
            f"cast-error grid, {len(grid['formats']) * len(grid['roundings'])} points",
            lambda ex: quantization_study(**grid, executor=ex),
        ),
    ]


def timed(f):
    t = time.perf_counter()
    r = f()
    return time.perf_counter() - t, r


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="a smaller sweep")
    p.add_argument("--dask", action="store_true", help="also on a 2-worker LocalCluster")
    args = p.parse_args()
    executors = {"2 processes": cf.ProcessPoolExecutor(2)}
    cluster = None
    if args.dask:
        import distributed

        cluster = distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            host="127.0.0.1",
        )
        executors["Dask, 2 workers"] = distributed.Client(cluster).get_executor()
    try:
        rows = []
        for name, run in sweeps(args.quick):
            serial = run(None)  # warm-up: compiles (or loads) every kernel
            for ex in executors.values():
                run(ex)  # warm-up: starts the workers, loads the kernels there
            best = {"serial": float("inf"), **{k: float("inf") for k in executors}}
            for _ in range(args.repeat):  # interleaved, so that the load is shared
                t, r = timed(lambda run=run: run(None))
                best["serial"] = min(best["serial"], t)
                for k, ex in executors.items():
                    t, r = timed(lambda run=run, ex=ex: run(ex))
                    best[k] = min(best[k], t)
                    if not r.equals(serial):
                        raise AssertionError(f"{name} on {k} differs from the serial run")
            for k in executors:
                rows.append((name, k, best["serial"], best[k], best["serial"] / best[k]))
        cpus = os.cpu_count()
        print(f"sweeps, best of {args.repeat}, numba on 1 thread per process, {cpus} CPUs")
        print("(each run on an executor gave the serial report bit for bit)")
        cols = ("sweep", "executor", "serial s", "executor s", "speed-up")
        print(text_table(cols, rows, rule=True))
    finally:
        for ex in executors.values():
            ex.shutdown()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main()
