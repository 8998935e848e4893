"""The low-precision optimizer wrapper: float8 weights keep learning with stochastic
rounding where round-to-nearest stagnates; runs are reproducible and resumable."""

import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import numerics as nm  # noqa: E402
from numerics.torch import LowPrecisionOptimizer  # noqa: E402

E4M3 = "float8_e4m3fn"


def regression(rounding, steps=300, kahan=False, seed=0):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(64, 8, generator=g)
    w_true = torch.linspace(0.5, 1.5, 8)
    y = X @ w_true
    w = torch.nn.Parameter(torch.ones(8))
    opt = LowPrecisionOptimizer(
        torch.optim.SGD([w], lr=0.006), E4M3, rounding, seed=seed, kahan=kahan
    )
    for _ in range(steps):
        opt.zero_grad()
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        opt.step()
        assert torch.equal(w.detach(), torch.from_numpy(nm.cast(w.detach().numpy(), E4M3)))
    return float(((X @ w.detach() - y) ** 2).mean()), w.detach().clone(), opt


def test_stochastic_rounding_learns_where_nearest_stagnates():
    start, _, _ = regression("nearest_even", steps=0)
    rn, w_rn, _ = regression("nearest_even")
    sr, _, _ = regression("stochastic")
    kahan, _, _ = regression("nearest_even", kahan=True)
    assert torch.equal(w_rn, torch.ones(8))  # every update is below half an ulp at 1
    assert rn == start
    assert sr < start / 4
    assert kahan < start / 4  # compensation also recovers the lost updates


def test_reproducible_and_resumable():
    a = regression("stochastic", steps=50, seed=3)
    b = regression("stochastic", steps=50, seed=3)
    c = regression("stochastic", steps=50, seed=4)
    assert torch.equal(a[1], b[1]) and not torch.equal(a[1], c[1])

    def run(w, opt, n, X):
        for _ in range(n):
            opt.zero_grad()
            (X @ w).pow(2).mean().backward()
            opt.step()

    X = torch.randn(16, 8, generator=torch.Generator().manual_seed(1))
    w = torch.nn.Parameter(torch.ones(8))
    opt = LowPrecisionOptimizer(torch.optim.Adam([w], lr=0.01), E4M3, seed=2, kahan=True)
    run(w, opt, 3, X)
    buf = io.BytesIO()
    torch.save({"w": w.detach().clone(), "opt": opt.state_dict()}, buf)
    run(w, opt, 4, X)
    buf.seek(0)
    saved = torch.load(buf)
    w2 = torch.nn.Parameter(saved["w"])
    opt2 = LowPrecisionOptimizer(torch.optim.Adam([w2], lr=0.01), E4M3, seed=0, kahan=True)
    opt2.load_state_dict(saved["opt"])
    run(w2, opt2, 4, X)
    assert torch.equal(w, w2)


def test_state_format_rounds_momenta():
    w = torch.nn.Parameter(torch.randn(32))
    opt = LowPrecisionOptimizer(torch.optim.Adam([w], lr=0.01), "bfloat16", state_fmt=E4M3)
    w.grad = torch.randn(32)
    opt.step()
    m = opt.optimizer.state[w]["exp_avg"]
    assert torch.equal(m, torch.from_numpy(nm.cast(m.numpy(), E4M3, saturate=True)))
    assert opt.param_groups[0]["lr"] == 0.01


# --- a torch.optim.Optimizer: schedulers, groups, state, hooks, state dicts ----------


def _lrs(make_opt, make_sched, steps=6):
    w = torch.nn.Parameter(torch.ones(4))
    opt = make_opt([w])
    sched = make_sched(opt)
    lrs = []
    for _ in range(steps):
        w.grad = torch.ones(4)
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs, opt


@pytest.mark.parametrize(
    "make_sched",
    [
        lambda o: torch.optim.lr_scheduler.StepLR(o, 1, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4),
        lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda k: 1 / (k + 1)),
    ],
    ids=["StepLR", "CosineAnnealingLR", "LambdaLR"],
)
def test_schedulers_drive_the_wrapped_optimizer(make_sched):
    """Before: StepLR(LowPrecisionOptimizer(...)) raised 'is not an Optimizer'."""

    def wrapped(ps):
        return LowPrecisionOptimizer(torch.optim.SGD(ps, lr=0.1), "bfloat16", seed=0)

    ref, _ = _lrs(lambda ps: torch.optim.SGD(ps, lr=0.1), make_sched)
    got, opt = _lrs(wrapped, make_sched)
    assert isinstance(opt, torch.optim.Optimizer)
    assert got == ref and len(set(ref)) > 1
    assert opt.optimizer.param_groups[0]["lr"] == ref[-1]  # the wrapped optimizer's lr


def test_groups_state_zero_grad_and_hooks():
    w = torch.nn.Parameter(torch.ones(4))
    inner = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    opt = LowPrecisionOptimizer(inner, E4M3, seed=0)
    assert opt.param_groups is inner.param_groups and opt.state is inner.state
    assert opt.defaults is inner.defaults
    v = torch.nn.Parameter(torch.full((3,), 0.3))  # 0.3 is not an e4m3 value
    opt.add_param_group({"params": [v], "lr": 0.01})
    assert len(inner.param_groups) == 2 and inner.param_groups[1]["lr"] == 0.01
    assert set(v.tolist()) <= {0.28125, 0.3125}  # rounded (stochastically) into e4m3
    calls = []
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append(o))
    w.grad, v.grad = torch.ones(4), torch.ones(3)
    opt.step()
    assert calls == [opt] and "momentum_buffer" in opt.state[v]
    for p in (w, v):  # both groups stored in the format
        assert torch.equal(p.detach(), torch.from_numpy(nm.cast(p.detach().numpy(), E4M3)))
    opt.zero_grad()
    assert w.grad is None and v.grad is None


def test_state_dict_has_the_torch_layout_and_resumes_with_a_scheduler():
    X = torch.randn(16, 8, generator=torch.Generator().manual_seed(1))

    def make(w):
        opt = LowPrecisionOptimizer(torch.optim.Adam([w], lr=0.05), E4M3, seed=2, kahan=True)
        return opt, torch.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)

    def run(w, opt, sched, n):
        for _ in range(n):
            opt.zero_grad()
            (X @ w).sin().pow(2).mean().backward()
            opt.step()
            sched.step()

    w = torch.nn.Parameter(torch.ones(8))
    opt, sched = make(w)
    run(w, opt, sched, 3)
    buf = io.BytesIO()
    torch.save({"w": w.detach().clone(), "opt": opt.state_dict(), "s": sched.state_dict()}, buf)
    sd = opt.state_dict()
    assert {"state", "param_groups", "low_precision"} <= set(sd)
    run(w, opt, sched, 4)

    buf.seek(0)
    saved = torch.load(buf)
    w2 = torch.nn.Parameter(saved["w"])
    opt2, sched2 = make(w2)
    opt2.load_state_dict(saved["opt"])
    sched2.load_state_dict(saved["s"])
    run(w2, opt2, sched2, 4)
    assert torch.equal(w, w2)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"] < 0.05
    # a plain torch state dict loads too (a fresh low-precision run)
    plain = torch.optim.Adam([torch.nn.Parameter(torch.ones(8))], lr=0.05)
    opt2.load_state_dict(plain.state_dict())
    assert opt2.steps == opt.steps  # counters untouched by a plain state dict


@pytest.mark.parametrize("state_too", [False, True])
def test_a_format_without_a_name_is_kept_whole(state_too):
    # the optimizer used to keep only ``fmt.name``: a format built by hand has none
    # (TypeError at the first rounding), and a same-named format would be another one
    fmt = nm.Format(3, 2)  # e3m2 with IEEE-style Inf/NaN: no registered name
    assert fmt.name is None
    w = torch.nn.Parameter(torch.linspace(-3.0, 3.0, 16, dtype=torch.float32))
    opt = LowPrecisionOptimizer(
        torch.optim.Adam([w], lr=0.01),
        fmt,
        "nearest_even",
        state_fmt=fmt if state_too else None,
    )
    start = w.detach().clone()
    assert torch.equal(
        start, torch.from_numpy(nm.cast(np.linspace(-3, 3, 16, dtype=np.float32), fmt))
    )
    w.grad = torch.ones(16)
    opt.step()
    assert torch.equal(w.detach(), torch.from_numpy(nm.cast(w.detach().numpy(), fmt)))
    if state_too:
        m = opt.state[w]["exp_avg"]
        assert torch.equal(m, torch.from_numpy(nm.cast(m.numpy(), fmt)))
    restored = LowPrecisionOptimizer(torch.optim.Adam([torch.nn.Parameter(start)], lr=0.01), fmt)
    restored.load_state_dict(opt.state_dict())
    assert restored.fmt == fmt
