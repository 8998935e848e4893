"""The low-precision optimizer wrapper: float8 weights keep learning with stochastic
rounding where round-to-nearest stagnates; runs are reproducible and resumable."""

import io

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
