"""Recipes, quantized layers and model conversion: forward equals the casts the recipe
names, float32 recipes change nothing, runs are reproducible and resumable."""

import copy
import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import numerics as nm  # noqa: E402
from numerics.torch import (  # noqa: E402
    Operand,
    Product,
    QuantConv2d,
    QuantLinear,
    Recipe,
    dequantize_model,
    export_codes,
    quantize_model,
    recipes,
)

ALL = [
    recipes.fp32(),
    recipes.fp8(),
    recipes.mxfp4(),
    recipes.nvfp4(),
    recipes.quartet(),
    recipes.bitnet(),
    recipes.weight_only(),
]
F32 = Operand("cast", "float32")
IDENTITY = Recipe("f32", Product(F32, F32), Product(F32, F32), Product(F32, F32))


def mlp(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.Linear(32, 4)
    )


def data(seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(16, 64, generator=g), torch.randn(16, 4, generator=g)


def test_float32_recipe_changes_nothing():
    ref, m = mlp(), quantize_model(mlp(), IDENTITY)
    x, t = data()
    assert isinstance(m[0], QuantLinear) and type(m[3]) is torch.nn.Linear  # head kept
    y_ref, y = ref(x), m(x)
    assert torch.equal(y, y_ref)
    ((y_ref - t) ** 2).mean().backward()
    ((y - t) ** 2).mean().backward()
    for p, q in zip(ref.parameters(), m.parameters(), strict=True):
        assert torch.allclose(p.grad, q.grad, atol=1e-6)


def test_forward_equals_the_named_casts():
    torch.manual_seed(0)
    lin = torch.nn.Linear(64, 8)
    x = torch.randn(5, 64)
    q = QuantLinear.from_linear(lin, recipes.fp8())
    e4 = "float8_e4m3fn"

    def scaled(t):
        a = np.abs(t).max()
        s = 2.0 ** np.ceil(np.log2(a / 448.0))
        return nm.cast(t / s, e4, saturate=True) * s

    xn, wn = x.numpy().astype(np.float64), lin.weight.detach().numpy().astype(np.float64)
    ref = scaled(xn) @ scaled(wn).T + lin.bias.detach().numpy()
    assert np.allclose(q(x).detach().numpy(), ref, rtol=1e-6, atol=1e-6)
    # MXFP4 forward: both factors quantized along in_features
    q = QuantLinear.from_linear(lin, recipes.mxfp4())
    xq = nm.quantize_mx(x.numpy(), "e2m1").dequantize()
    wq = nm.quantize_mx(lin.weight.detach().numpy(), "e2m1").dequantize()
    ref = xq @ wq.T + lin.bias.detach().numpy()
    assert np.allclose(q(x).detach().numpy(), ref, rtol=1e-5, atol=1e-5)


def test_rotation_cancels_in_exact_products():
    torch.manual_seed(0)
    lin = torch.nn.Linear(64, 8).double()
    rot = Recipe("rot", Product(rotate=32, random_signs=True))
    q = QuantLinear.from_linear(lin, rot)
    x = torch.randn(3, 64, dtype=torch.float64)
    assert torch.allclose(q(x), lin(x))


@pytest.mark.parametrize("recipe", ALL, ids=lambda r: r.name)
def test_every_recipe_trains_a_step_and_is_reproducible(recipe):
    x, t = data()
    runs = []
    for _ in range(2):
        m = quantize_model(mlp(), recipe, seed=3)
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            loss = ((m(x) - t) ** 2).mean()
            loss.backward()
            opt.step()
        runs.append([p.detach().clone() for p in m.parameters()])
        assert torch.isfinite(loss)
    assert all(torch.equal(a, b) for a, b in zip(*runs, strict=True))


def test_resume_from_state_dict_is_bit_identical():
    x, t = data()

    def step(m, opt):
        opt.zero_grad()
        ((m(x) - t) ** 2).mean().backward()
        opt.step()

    m = quantize_model(mlp(), recipes.quartet(), seed=5)
    opt = torch.optim.SGD(m.parameters(), lr=0.05)
    step(m, opt)
    buf = io.BytesIO()
    torch.save({"model": m.state_dict(), "opt": opt.state_dict()}, buf)
    step(m, opt)
    step(m, opt)
    assert int(m[0].step) == 3

    buf.seek(0)
    saved = torch.load(buf)
    r = quantize_model(mlp(seed=9), recipes.quartet(), seed=0)  # other init and seed
    r.load_state_dict(saved["model"])
    ropt = torch.optim.SGD(r.parameters(), lr=0.05)
    ropt.load_state_dict(saved["opt"])
    step(r, ropt)
    step(r, ropt)
    for p, q in zip(m.parameters(), r.parameters(), strict=True):
        assert torch.equal(p, q)


def test_different_steps_draw_different_bits():
    lin = torch.nn.Linear(64, 8)
    q = QuantLinear.from_linear(lin, recipes.mxfp4(), seed=1)
    x = torch.randn(4, 64, requires_grad=True)
    gy = torch.randn(4, 8)  # not exact in FP4, so stochastic rounding draws
    grads = []
    for _ in range(2):
        (g,) = torch.autograd.grad(q(x), x, gy)
        grads.append(g)
    assert not torch.equal(grads[0], grads[1])  # stochastic gradients, new step
    q.eval()
    a, b = q(x), q(x)
    assert torch.equal(a, b) and int(q.step) == 2  # eval does not advance


def test_conv2d_matches_torch_and_converts_back():
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 5, 3, padding=1, stride=2)
    x = torch.randn(2, 3, 9, 9)
    q = QuantConv2d.from_conv(conv, IDENTITY)
    assert torch.allclose(q(x), conv(x), atol=1e-5)
    m = torch.nn.Sequential(conv, torch.nn.Flatten(), torch.nn.Linear(5 * 25, 2))
    quantize_model(m, recipes.fp8())
    assert isinstance(m[0], QuantConv2d)
    m(x).sum().backward()
    dequantize_model(m)
    assert type(m[0]) is torch.nn.Conv2d and m[0].weight is conv.weight
    assert torch.allclose(m[0](x), conv(x))
    with pytest.raises(TypeError):  # any groups are supported (tests/torch/test_models.py)
        QuantConv2d.from_conv(torch.nn.Conv1d(4, 4, 3), recipes.fp8())


def test_quantize_model_filter_and_dequantize():
    m = mlp()
    w = m[0].weight
    quantize_model(m, recipes.fp8(), filter_fn=lambda name, mod: name == "2")
    assert type(m[0]) is torch.nn.Linear and isinstance(m[2], QuantLinear)
    quantize_model(dequantize_model(m), recipes.fp8())
    assert isinstance(m[0], QuantLinear) and m[0].weight is w
    dequantize_model(m)
    assert all(type(c) in (torch.nn.Linear, torch.nn.ReLU) for c in m)


@pytest.mark.parametrize("recipe", ALL[1:], ids=lambda r: r.name)
def test_export_codes_dequantize_to_the_forward_weight(recipe):
    m = quantize_model(mlp(), recipe)
    codes = export_codes(m)
    assert set(codes) == {"0", "2"}
    w = m[0].weight.detach()
    got = codes["0"].dequantize(np.float32)
    expect = recipe.weight.quantize(w, seed=0).detach().numpy()
    if recipe.weight.kind == "int":
        expect = nm.quantize_int(w.numpy(), 8, channel_axis=0).dequantize()
    assert np.allclose(got, expect, rtol=1e-6, atol=1e-7)


def test_operand_validation():
    with pytest.raises(ValueError):
        Operand("fp5")
    with pytest.raises(ValueError):
        Operand("int", bits=1)
    with pytest.raises(ValueError):
        Product(rotate=12)
    assert copy.deepcopy(recipes.quartet()) == recipes.quartet()


def test_statistics_on_request():
    from numerics.torch import collect_stats

    m = quantize_model(mlp(), recipes.mxfp4(), seed=1)
    x, t = data()
    assert m[0].stats is None
    stats = collect_stats(m)
    ((m(x * 100) - t) ** 2).mean().backward()
    s = stats["0"]
    assert set(s) == {"forward", "grad_input", "grad_weight"}
    f = s["forward"]["a"]
    assert 0 <= f["clipped"] <= 1 and 0 <= f["flushed"] <= 1
    # the stochastic gradient operand is unbiased within a few standard errors
    g = s["grad_weight"]["a"]
    assert abs(g["bias"]) < 5 * g["bias_se"] + 1e-3
    # e4m3 casts of large values clip; tiny ones flush
    w = torch.tensor([1e4, 1.0, 1e-9, 0.0])
    from numerics.torch.layers import operand_stats

    st = operand_stats(Operand("cast"), w, torch.tensor([448.0, 1.0, 0.0, 0.0]))
    assert st["clipped"] == 0.25 and st["flushed"] == 0.25
    collect_stats(m, False)
    assert m[0].stats is None


def test_quantized_model_compiles_fullgraph_and_matches_eager():
    x, t = data()
    runs = []
    for compiled in (False, True):
        m = quantize_model(mlp(), recipes.quartet(), seed=2)
        f = torch.compile(m, fullgraph=True, backend="aot_eager") if compiled else m
        opt = torch.optim.SGD(m.parameters(), lr=0.05)
        for _ in range(3):
            opt.zero_grad()
            ((f(x) - t) ** 2).mean().backward()
            opt.step()
        runs.append([p.detach().clone() for p in m.parameters()])
        assert int(m[0].step) == 3
    assert all(torch.equal(a, b) for a, b in zip(*runs, strict=True))
    # the counters are tensors in the graph: further steps reuse it
    with torch._dynamo.config.patch(error_on_recompile=True):
        for _ in range(5):
            opt.zero_grad()
            ((f(x) - t) ** 2).mean().backward()
            opt.step()
    assert int(m[0].step) == 8
