"""torch.compile with the default backend (inductor), fullgraph, forward and backward:
every ``torch.ops.numerics`` op alone on transposed, sliced and expanded inputs, the
recipes in training steps, and the block-circulant adapter. The numerics ops must give
in the compiled run exactly what they give in eager; what inductor's own fusion of plain
float32 arithmetic changes is measured and bounded separately.

Inductor compiles cost seconds each, so the ops test compiles one graph holding all its
cases, and the recipe tests share module-scoped runs; there, inductor's code generation
grows faster than the graph, so each recipe gets a graph of its own."""

import pytest

torch = pytest.importorskip("torch")

import numerics as nm  # noqa: E402
import numerics.torch as nt  # noqa: E402
from numerics.torch import _ops, recipes  # noqa: E402

E3M2 = nm.Format(3, 2)  # a user-built format: it travels as a spec string


def _all_ops(x, s, step):
    """Every numerics op on ``x`` (float32, last axis 64), through the public wrappers;
    stochastic ones keyed by the int64 tensors ``s`` and ``step``."""
    outs = [
        nt.cast(x, "float8_e4m3fn", saturate=True, ste="clipped"),
        nt.cast(x, "bfloat16", "stochastic", seed=s, step=step),
        nt.cast(x, E3M2, saturate=True),
        nt.quantize_mx(x, "e2m1", rounding="stochastic", seed=s, step=step, call=1),
        nt.quantize_mx(x, nm.get_format("e4m3"), scale_mode="rceil"),
        nt.quantize_nvfp4(x, rounding="stochastic", seed=s, step=step, call=2),
        nt.quantize_ternary(x, channel_axis=0),
        nt.quantize(x, "int4", axis=-1, block_size=16),
        nt.quantize(x, nm.IntFormat(4, narrow=True), channel_axis=0),
        nt.fwht(x, normalize=True, block=16),
        nt.fwht(x, fmt="bfloat16", rounding="stochastic", seed=s, step=step, call=3),
    ]
    h = x * 1.0  # the in-place transforms work on a tensor of their own
    nt.rdfft_(h, fmt="bfloat16")
    outs.append(h * 1.0)
    nt.irdfft_(h)
    outs.append(h)
    return outs


def _ops_model(xs, s, step):
    return [o for x in xs for o in _all_ops(x, s, step)]


def _inputs():
    """Leaves, and the transposed, sliced and expanded views of them the ops get."""
    g = torch.Generator().manual_seed(1)
    bases = [
        torch.randn(*shape, generator=g).requires_grad_() for shape in ((64, 8), (8, 128), (1, 64))
    ]
    views = [bases[0].t(), bases[1][:, ::2], bases[2].expand(8, 64)]
    return bases, views


def test_every_op_compiles_fullgraph_and_equals_eager():
    """Forward outputs and the gradient through each output alone are bit-identical:
    the compiled backward adds only zeros for the other outputs."""
    s, step = torch.tensor(7), torch.tensor(3)
    bases, views = _inputs()
    eager = _ops_model(views, s, step)
    compiled = torch.compile(_ops_model, fullgraph=True)(views, s, step)
    assert len(eager) == len(compiled) == 39
    g = torch.Generator().manual_seed(2)
    for a, b in zip(eager, compiled, strict=True):
        assert torch.equal(a, b)
        w = torch.randn(a.shape, generator=g)
        ga = torch.autograd.grad(a, bases, w, retain_graph=True, allow_unused=True)
        gb = torch.autograd.grad(b, bases, w, retain_graph=True, allow_unused=True)
        for base, u, v in zip(bases, ga, gb, strict=True):
            # an output that does not depend on a base: None in eager, zeros compiled
            zero = torch.zeros_like(base)
            assert torch.equal(zero if u is None else u, zero if v is None else v)


# --- every recipe, one compiled model ----------------------------------------------------

RECIPES = [
    "fp8",
    "mxfp4",
    "mxfp8",
    "nvfp4",
    "nvfp4_2d",
    "four_over_six",
    "quartet",
    "bitnet",
    "deepseek_fp8",
    "weight_only",
]
KERNELS = [
    "cast_cpu",
    "quantize_mx_cpu",
    "quantize_nvfp4_cpu",
    "quantize_ternary_cpu",
    "quantize_scaled_cpu",
    "fwht_cpu",
]


# Inductor's C++ code generation is the cost here (its Python code generator, not the
# compiler): on a 2-core machine, one model per recipe took mxfp4 11 s, nvfp4 24 s,
# quartet 37 s and bitnet 6 s, and one model chaining those four 108 s against their
# 78 s one by one. So the default run compiles one small model per recipe, for four
# recipes that between them reach every kernel the ten reach: fp8 the casts, mxfp4 MX,
# nvfp4 NVFP4 and the Hadamard transform, bitnet ternary. Stochastic casts and the
# stochastic Hadamard transform under inductor are covered op by op by
# ``test_every_op_compiles_fullgraph_and_equals_eager``. The ``slow`` run
# (``make test-slow``) compiles all ten, one by one; aot_eager, which traces the same
# graphs without code generation, always runs all ten in one model.
INDUCTOR_RECIPES = ["fp8", "mxfp4", "nvfp4", "bitnet"]


class _Chain(torch.nn.Module):
    """One quantized layer per recipe: one graph compiles them all."""

    def __init__(self, names=RECIPES):
        super().__init__()
        torch.manual_seed(0)
        self.layers = torch.nn.ModuleList(
            nt.QuantLinear(32, 32, recipe=getattr(recipes, r)(), seed=RECIPES.index(r))
            for r in names
        )

    def forward(self, x):
        for layer in self.layers:
            x = torch.tanh(layer(x))
        return x.square().sum()


def _train_step(model, x, calls, monkeypatch):
    """Loss and gradients of one step, and every numerics kernel call (its inputs and
    output) on the way."""

    def recorder(name, kernel):
        def run(*args):
            out = kernel(*args)
            # copies: inductor reuses the output's buffer for later work
            saved = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
            calls.append((name, saved, out.clone()))
            return out

        return run

    with monkeypatch.context() as m:
        for name in KERNELS:
            m.setattr(_ops, name, recorder(name, getattr(_ops, name)))
        loss = model(x)
        loss.backward()
    return loss.detach(), [p.grad for p in model.parameters()]


def _same_call(a, b) -> bool:
    return a[0] == b[0] and all(
        torch.equal(u, v) if isinstance(u, torch.Tensor) else u == v
        for u, v in zip(a[1], b[1], strict=True)
    )


def _step(names, backend, x, mp):
    """Loss, gradients and kernel calls of one training step of a chain of ``names``,
    in eager (``backend`` None) or compiled fullgraph by ``backend``."""
    torch._dynamo.reset()
    model = _Chain(names)
    fn = model if backend is None else torch.compile(model, fullgraph=True, backend=backend)
    calls = []
    loss, grads = _train_step(fn, x, calls, mp)
    return loss, grads, calls


def _runs(inductor_recipes):
    """One training step of the all-recipes model in eager and under aot_eager (the
    compiled graphs run op by op), and of a one-layer model per recipe of
    ``inductor_recipes`` in eager and under inductor, on a transposed input (the
    backward products quantize transposed factors too)."""
    x = torch.randn(32, 16, generator=torch.Generator().manual_seed(4)).t()
    mp = pytest.MonkeyPatch()
    return {
        None: _step(RECIPES, None, x, mp),
        "aot_eager": _step(RECIPES, "aot_eager", x, mp),
        "eager_subset": [_step([r], None, x, mp) for r in inductor_recipes],
        "inductor": [_step([r], "inductor", x, mp) for r in inductor_recipes],
    }


@pytest.fixture(scope="module")
def runs():
    return _runs(INDUCTOR_RECIPES)


@pytest.fixture(scope="module")
def runs_all():
    return _runs(RECIPES)


def test_inductor_recipes_reach_every_kernel(runs):
    """The default inductor models reach every numerics kernel the ten recipes reach."""
    reached = {c[0] for _, _, calls in runs["inductor"] for c in calls}
    assert reached == {c[0] for c in runs[None][2]}


def test_every_recipe_compiles_and_aot_eager_equals_eager(runs):
    """The compiled graphs, run without code generation, give the eager step bit for
    bit: the loss and every gradient."""
    loss, grads, _ = runs[None]
    loss2, grads2, _ = runs["aot_eager"]
    assert torch.equal(loss, loss2)
    for a, b in zip(grads, grads2, strict=True):
        assert torch.equal(a, b)


def _check_inductor_ops(runs):
    matched = total = 0
    for (_, _, eager), (_, _, compiled) in zip(runs["eager_subset"], runs["inductor"], strict=True):
        assert compiled
        for call in compiled:
            same = [e for e in eager if _same_call(call, e)]
            for e in same:
                assert torch.equal(call[2], e[2]), call[0]
            matched += bool(same)
        total += len(compiled)
    # measured: 11 of the default four's 15 calls get bit-identical inputs; the others'
    # inputs come out of fused divisions and reductions (t / s, block statistics) a
    # last bit apart
    assert matched >= 0.3 * total


def _check_inductor_step(runs):
    for (loss, grads, _), (loss2, grads2, _) in zip(
        runs["eager_subset"], runs["inductor"], strict=True
    ):
        assert torch.allclose(loss, loss2, rtol=1e-5)
        for a, b in zip(grads, grads2, strict=True):
            assert torch.isfinite(b).all()
            assert (a - b).norm() <= 0.05 * a.norm() + 1e-6


def test_inductor_numerics_ops_equal_eager(runs):
    """Under inductor, every numerics kernel call fed the same input as an eager call
    gives the same output, bit for bit; the others are fed inputs that inductor's own
    fused float32 arithmetic upstream computed differently (see the guide)."""
    _check_inductor_ops(runs)


def test_inductor_training_step_is_close_to_eager(runs):
    """What inductor's fusion of the plain float32 arithmetic changes: the last bits
    of the loss, and gradients through operators that round their slightly different
    inputs to neighbouring values."""
    _check_inductor_step(runs)


@pytest.mark.slow
def test_inductor_every_recipe(runs_all):
    """The two inductor checks above on all ten recipes, one model each."""
    _check_inductor_ops(runs_all)
    _check_inductor_step(runs_all)


# --- the block-circulant adapter -----------------------------------------------------------


def test_circulant_adapter_compiles_fullgraph():
    torch.manual_seed(5)
    layer = nt.CirculantAdapter(torch.nn.Linear(32, 16).double(), p=8, scale=0.5)
    with torch.no_grad():
        layer.c.normal_()
    x = torch.randn(4, 32, dtype=torch.float64, requires_grad=True)
    y = layer(x)
    gx, gc = torch.autograd.grad(y.square().sum(), (x, layer.c))
    compiled = torch.compile(layer, fullgraph=True)
    y2 = compiled(x)
    gx2, gc2 = torch.autograd.grad(y2.square().sum(), (x, layer.c))
    # the rdFFTs are the numba kernels in both; the einsums and sums are inductor's
    assert torch.allclose(y, y2, rtol=1e-12, atol=1e-12)
    assert torch.allclose(gx, gx2, rtol=1e-12, atol=1e-12)
    assert torch.allclose(gc, gc2, rtol=1e-12, atol=1e-12)
