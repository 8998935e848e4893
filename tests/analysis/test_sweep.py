"""Sweeps on executors: per-task seeds, results in task order, and the same report bit
for bit serially, on a process pool and on a two-worker Dask cluster (loopback only)."""

import concurrent.futures as cf
import threading
import time

import numpy as np
import pytest

import numerics.transforms as T
from numerics import cli
from numerics.analysis import ErrorReport, quantization_study, read_report
from numerics.analysis.sweep import open_executor, run_tasks, task_rng, task_seed

STUDY = dict(
    sizes=[16, 64],
    formats=["bfloat16", "float8_e4m3fn"],
    roundings=["nearest_even", "stochastic"],
    trials=2,
    seed=11,
)
GRID = dict(formats=["bfloat16", "e5m2"], roundings=["nearest_even", "stochastic"], size=256)


@pytest.fixture(scope="module")
def serial():
    return T.error_study(**STUDY), quantization_study(**GRID, trials=2)


def test_task_seeds_depend_on_the_seed_and_key_only():
    key = ("rdfft", "bfloat16", 64)
    a = task_rng(3, key).standard_normal(4)
    assert np.array_equal(a, task_rng(3, list(key)).standard_normal(4))
    assert not np.array_equal(a, task_rng(4, key).standard_normal(4))
    assert not np.array_equal(a, task_rng(3, ("rdfft", "bfloat16", 32)).standard_normal(4))
    seeds = {task_seed(s, (f, n)) for s in range(3) for f in ("a", "b") for n in (1, 2)}
    assert len(seeds) == 12 and all(0 <= s < 2**63 for s in seeds)
    with pytest.raises(ValueError, match="non-negative"):
        task_rng(-1, key)
    with pytest.raises(TypeError, match="task key"):
        task_seed(0, (object(),))


def test_run_tasks_keeps_task_order_and_reports_each_task_once():
    def slow_first(i):  # the first tasks finish last
        time.sleep(0.02 * (4 - i))
        return i * i

    done = []
    lock = threading.Lock()

    def progress(t):
        with lock:
            done.append(t)

    assert run_tasks(slow_first, range(5), progress=progress) == [0, 1, 4, 9, 16]
    assert done == [0, 1, 2, 3, 4]
    done.clear()
    with cf.ThreadPoolExecutor(5) as pool:
        assert run_tasks(slow_first, range(5), executor=pool, progress=progress) == [
            0, 1, 4, 9, 16,
        ]  # fmt: skip
    assert sorted(done) == [0, 1, 2, 3, 4]


def test_run_tasks_raises_the_first_failure_and_refuses_non_executors():
    def fail_on_two(i):
        if i == 2:
            raise ArithmeticError("task 2")
        return i

    with cf.ThreadPoolExecutor(2) as pool, pytest.raises(ArithmeticError, match="task 2"):
        run_tasks(fail_on_two, range(4), executor=pool)
    with pytest.raises(TypeError, match="concurrent.futures.Executor"):
        run_tasks(abs, [1], executor="tcp://127.0.0.1:8786")


@pytest.mark.parametrize("workers", [1, 2])
def test_process_pool_sweeps_are_the_serial_ones_bit_for_bit(serial, workers):
    study, grid = serial
    messages = []
    with cf.ProcessPoolExecutor(workers) as pool:
        par = T.error_study(**STUDY, executor=pool, progress=messages.append)
        g = quantization_study(**GRID, trials=2, executor=pool)
    assert par.equals(study) and g.equals(grid)
    assert sorted(messages) == sorted(
        f"rdfft {f} {m} n={n}" for f in STUDY["formats"] for n in (16, 64)
        for m in STUDY["roundings"]
    )  # fmt: skip


def test_open_executor_checks_its_arguments():
    with pytest.raises(ValueError, match="not both"), open_executor(2, "tcp://127.0.0.1:1"):
        pass
    with pytest.raises(ValueError, match="positive int"), open_executor(0):
        pass
    with open_executor(1) as pool:
        assert isinstance(pool, cf.ProcessPoolExecutor)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    lc = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        host="127.0.0.1",
        protocol="tcp",
    )
    try:
        client = distributed.Client(lc)
        try:
            yield lc, client
        finally:
            client.close()
    finally:
        lc.close()


def test_dask_cluster_sweeps_are_the_serial_ones_bit_for_bit(serial, cluster):
    study, grid = serial
    _, client = cluster
    assert len(client.scheduler_info()["workers"]) == 2
    assert T.error_study(**STUDY, executor=client.get_executor()).equals(study)
    assert quantization_study(**GRID, trials=2, executor=client).equals(grid)  # a Client too


def test_cli_scheduler_writes_the_serial_report(serial, cluster, capsys):
    lc, _ = cluster
    args = ["cast-error", "--formats", "bfloat16,e5m2", "--size", "256", "--trials", "2"]
    assert cli.main([*args, "--format", "json", "--scheduler", lc.scheduler_address]) == 0
    on_cluster = capsys.readouterr().out
    assert read_report(on_cluster).equals(serial[1])
    assert cli.main([*args, "--format", "json"]) == 0
    assert capsys.readouterr().out == on_cluster
    assert isinstance(read_report(on_cluster), ErrorReport)
