"""Distributed training: two DDP processes (gloo, CPU, localhost) draw independent
stochastic-rounding words by default and identical ones with ``rank_aware=False``,
while their replicated weights stay bit-identical; DataLoader workers forked after
numerics' parallel kernels ran in the parent work."""

import os
import signal
import socket
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")
if not dist.is_available() or not dist.is_gloo_available():
    pytest.skip("torch.distributed with gloo is not available", allow_module_level=True)

import torch.multiprocessing as mp  # noqa: E402

import numerics as nm  # noqa: E402
import numerics.torch as nt  # noqa: E402
from numerics.torch import recipes  # noqa: E402

TIMEOUT_S = 120  # the whole spawn; a hung process group is killed, never waited on


def _model(rank_aware: bool):
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(32, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))
    return nt.quantize_model(m, recipes.mxfp4(), lambda mod, fqn: True, rank_aware=rank_aware)


def _local_grad(model, x, t):
    model.zero_grad()
    with model.no_sync():  # this rank's gradient, before the all-reduce
        ((model(x) - t) ** 2).mean().backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def _worker(rank: int, port: int, out: str) -> None:
    from datetime import timedelta

    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=2,
        timeout=timedelta(seconds=60),
    )
    try:
        results = {}
        for rank_aware in (True, False):
            model = torch.nn.parallel.DistributedDataParallel(_model(rank_aware))
            opt = nt.LowPrecisionOptimizer(torch.optim.SGD(model.parameters(), lr=0.05), "bfloat16")
            g = torch.Generator().manual_seed(10 + rank)  # each rank its own data
            for _ in range(3):
                x, t = torch.randn(8, 32, generator=g), torch.randn(8, 4, generator=g)
                opt.zero_grad()
                loss = ((model(x) - t) ** 2).mean()
                loss.backward()
                opt.step()
            same = torch.Generator().manual_seed(99)  # the same batch on both ranks
            x, t = torch.randn(8, 32, generator=same), torch.randn(8, 4, generator=same)
            local = _local_grad(model, x, t)
            params = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
            both = [torch.empty_like(local) for _ in range(2)]
            dist.all_gather(both, local)
            pboth = [torch.empty_like(params) for _ in range(2)]
            dist.all_gather(pboth, params)
            results[rank_aware] = dict(
                grads_equal=bool(torch.equal(*both)),
                params_equal=bool(torch.equal(*pboth)),
                loss=float(loss),
            )
        if rank == 0:
            torch.save(results, out)
    finally:
        dist.destroy_process_group()
    # Leave without running finalisers: the DDP model's Reducer, freed with this frame,
    # destroys the gloo process group while holding the GIL, and joins a gloo thread
    # that needs the GIL to free a finished all-gather's tensors: a deadlock in torch
    # (pytorch/pytorch#56297, blocking destructors bound without releasing the GIL),
    # seen here in about one run in three; in gdb, ~ProcessGroupGloo joins runLoop,
    # which waits in take_gil from ~AsyncAllgatherWork
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(port: int, out: str) -> None:
    """Start the two ranks and wait for them (run in a fresh interpreter)."""
    # fork where there is one: the children inherit the imports and the kernels
    # compiled here (numba's threading layer is fork-safe), so they start in a moment
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    if method == "fork":
        _model(True)(torch.randn(2, 32)).sum().backward()
    mp.start_processes(_worker, args=(port, out), nprocs=2, join=True, start_method=method)


def test_ddp_ranks_draw_independent_words_unless_told_otherwise(tmp_path):
    """Before: every rank drew the same stochastic-rounding words (undocumented)."""
    out = str(tmp_path / "results.pt")
    # The ranks start from a fresh interpreter: forked from the test process itself,
    # they would inherit whatever earlier tests left running there (inductor's compile
    # workers, torch's thread pools), and a fork of those can hang.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = f"from tests.torch.test_distributed import _launch; _launch({_free_port()}, {out!r})"
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    log = tmp_path / "ranks.log"
    with open(log, "w") as sink:
        launcher = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=root,
            env=dict(os.environ, PYTHONPATH=path),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed whole on a timeout
        )
        try:
            launcher.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
            pytest.fail(f"the DDP processes did not finish in {TIMEOUT_S} s:\n{log.read_text()}")
    assert launcher.returncode == 0, f"a DDP rank failed:\n{log.read_text()}"
    res = torch.load(out)
    aware, same = res[True], res[False]
    assert not aware["grads_equal"]  # independent stochastic rounding per rank
    assert same["grads_equal"]  # rank_aware=False: the same words on every rank
    for r in (aware, same):  # DDP and the low-precision optimizer keep replicas equal
        assert r["params_equal"] and np.isfinite(r["loss"])


def test_rank_seed_folds_the_rank():
    assert nt.rank_seed(5) == 5  # no process group: rank 0
    from numerics.torch import distributed as nd

    assert nd.RANK_STRIDE == 1 << 40


class _Casts(torch.utils.data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        x = np.linspace(-3, 3, 4096, dtype=np.float32) + i
        q = nm.quantize_mx(x.reshape(64, 64), "e2m1")  # a parallel kernel in the worker
        return torch.from_numpy(q.dequantize(np.float32)).sum(), os.getpid()


def test_dataloader_workers_fork_after_parallel_kernels_ran():
    x = np.random.default_rng(0).standard_normal((512, 64)).astype(np.float32)
    parent = nm.quantize_mx(x, "e2m1")  # numba's threads now run in the parent
    assert parent.dequantize(np.float32).shape == x.shape
    loader = torch.utils.data.DataLoader(
        _Casts(), batch_size=2, num_workers=2, multiprocessing_context="fork", timeout=120
    )
    sums, pids = [], set()
    for s, pid in loader:
        sums.append(s)
        pids.update(pid.tolist())
    expect = torch.stack([_Casts()[i][0] for i in range(8)])
    assert torch.equal(torch.cat(sums), expect) and os.getpid() not in pids
