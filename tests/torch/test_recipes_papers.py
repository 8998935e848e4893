"""The recipes of the papers (Quartet, NVIDIA's NVFP4 recipe, Four Over Six, DeepSeek-V3
FP8, torchao MXFP8): each quantizer against an independent transcription of the
paper's or the authors' formula (plain numpy and Fractions, no numerics code), the
MXFP8 recipe against torchao itself, and every preset trains reproducibly."""

from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import numerics as nm  # noqa: E402
from numerics.torch import (  # noqa: E402
    Operand,
    Product,
    QuantLinear,
    Recipe,
    collect_stats,
    export_codes,
    quantize_model,
    recipes,
)

PAPERS = [
    recipes.quartet(),
    recipes.nvfp4_2d(),
    recipes.four_over_six(),
    recipes.deepseek_fp8(),
    recipes.mxfp8(),
    recipes.mxfp8("float8_e5m2", wgrad_high_precision=True),
]

# --- independent transcriptions ----------------------------------------------------------

E2M1 = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])


def _minifloat_values(ebits: int, mbits: int, bias: int, top: float) -> np.ndarray:
    """Non-negative values of a minifloat with subnormals, up to ``top``, by code."""
    vals = []
    for e in range(2**ebits):
        for m in range(2**mbits):
            v = (
                (m / 2**mbits) * 2.0 ** (1 - bias)
                if e == 0
                else (1 + m / 2**mbits) * 2.0 ** (e - bias)
            )
            if v <= top:
                vals.append(v)
    return np.array(vals)


E4M3 = _minifloat_values(4, 3, 7, 448.0)
E5M2 = _minifloat_values(5, 2, 15, 57344.0)


def rne_grid(v, grid: np.ndarray) -> np.ndarray:
    """Round to the nearest of the non-negative ``grid`` (sorted, by code), ties to the
    even code, saturating at its top; signs kept; NaN stays."""
    v = np.asarray(v, np.float64)
    a = np.abs(v)
    hi = np.clip(np.searchsorted(grid, a), 1, grid.size - 1)
    lo = hi - 1
    dlo, dhi = a - grid[lo], grid[hi] - a
    pick = np.where((dhi < dlo) | ((dhi == dlo) & (hi % 2 == 0)), hi, lo)
    out = np.where(a >= grid[-1], grid[-1], grid[pick])
    return np.where(np.isnan(v), np.nan, np.copysign(out, v))


def rne_scalar(q: Fraction, grid: np.ndarray) -> Fraction:
    """Exact round to nearest even code of a non-negative Fraction, saturating."""
    g = [Fraction(float(x)) for x in grid]
    if q >= g[-1]:
        return g[-1]
    i = next(k for k in range(len(g)) if g[k] >= q)
    if g[i] == q or i == 0:
        return g[i]
    dlo, dhi = q - g[i - 1], g[i] - q
    return g[i] if dhi < dlo or (dhi == dlo and i % 2 == 0) else g[i - 1]


def f32(q: Fraction) -> float:
    """Fraction rounded to nearest float32 (via float64: exact enough for scales)."""
    return float(np.float32(float(q)))


def hadamard(n: int) -> np.ndarray:
    h = np.array([[1.0]])
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h / np.sqrt(n)


def quest_ref(x: np.ndarray):
    """QuTLASS ``_forward_quantize_ref`` (tests/quartet_test.py), on already rotated
    data: scale 2**floor(log2(std * 2.92247856 / 6 + 1e-8)), RNE into e2m1, mask
    |x / scale| < 6."""
    b = x.astype(np.float64).reshape(*x.shape[:-1], -1, 32)
    s = b.std(axis=-1, ddof=0, keepdims=True) * (2.92247856 / 6.0) + 1e-8
    scale = np.exp2(np.floor(np.log2(s)))
    v = b / scale
    q = rne_grid(v, E2M1) * scale
    return q.reshape(x.shape), (np.abs(v) < 6).reshape(x.shape)


def quartet_backward_ref(x: np.ndarray, block: int = 32) -> np.ndarray:
    """QuTLASS ``_backward_quantize_ref``: scale 2**floor(log2(amax)), elements
    RNE(x / scale * 3), read back / 3 (rounded once into float32)."""
    b = x.astype(np.float64).reshape(*x.shape[:-1], -1, block)
    scale = np.exp2(np.floor(np.log2(np.abs(b).max(axis=-1, keepdims=True))))
    q = rne_grid(b / scale * 3.0, E2M1)
    return (q * scale / 3.0).astype(np.float32).reshape(x.shape)


def tile_ref(x: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """DeepSeek-V3 inference/kernel.py ``act_quant`` on rows x cols tiles: s = amax /
    448 and y = x / s in float32, y rounded into e4m3, read back y * s; a tile of zeros
    reads back as zeros (the kernel would divide 0 by 0)."""
    x = x.astype(np.float32)
    out = np.empty_like(x)
    for i in range(0, x.shape[0], rows):
        for j in range(0, x.shape[1], cols):
            t = x[i : i + rows, j : j + cols]
            s = np.float32(np.abs(t).max()) / np.float32(448.0)
            s = np.float32(1.0) if s == 0 else s
            y = rne_grid((t / s).astype(np.float32), E4M3).astype(np.float32)
            out[i : i + rows, j : j + cols] = y * s
    return out


def rceil_ref(x: np.ndarray, grid: np.ndarray, block: int = 32) -> np.ndarray:
    """cuBLAS/torchao RCEIL: the smallest e with amax <= max * 2**e (exactly), then
    elements RNE(x / 2**e) saturated, read back times 2**e."""
    fmax = Fraction(float(grid[-1]))
    x = x.astype(np.float32)
    out = np.empty_like(x)
    b = x.reshape(x.shape[0], -1, block)
    for i in range(b.shape[0]):
        for k in range(b.shape[1]):
            amax = Fraction(float(np.abs(b[i, k]).max()))
            e = -127
            while amax > fmax * Fraction(2) ** e:
                e += 1
            q = rne_grid(b[i, k].astype(np.float64) / 2.0**e, grid) * 2.0**e
            out[i, k * block : (k + 1) * block] = q
    return out


def nvfp4_ref(x: np.ndarray, rows: int = 1, m: float = 448.0, four_over_six: bool = False):
    """NVFP4 (arXiv 2509.25149) with rows x 16 blocks: s_t = float32(amax / (m * 6)),
    block scale e4m3(amax_b / 6 / s_t), elements RNE(v / (scale_b s_t)) into e2m1; Four
    Over Six (mit-han-lab/fouroversix ``select_fouroversix``, rule "mse"): the other
    candidate e4m3(amax_b / 4 / s_t), kept where its squared error is smaller."""
    x = x.astype(np.float64)
    amax_t = Fraction(float(np.abs(x).max()))
    s_t = Fraction(f32(amax_t / (Fraction(m) * 6)))
    out = np.empty_like(x)
    for i in range(0, x.shape[0], rows):
        for j in range(0, x.shape[1], 16):
            t = x[i : i + rows, j : j + 16]
            amax = Fraction(float(np.abs(t).max()))
            best = None
            for target in (6, 4) if four_over_six else (6,):
                bs = max(rne_scalar(amax / target / s_t, E4M3), Fraction(1, 512))
                div = float(bs * s_t)
                q = rne_grid(t / div, E2M1) * div
                err = float(((q - t) ** 2).sum())
                if best is None or err < best[0]:
                    best = (err, q)
            out[i : i + rows, j : j + 16] = best[1]
    return out.astype(np.float32)


def rand(*shape, seed=0, spread=0):
    g = np.random.default_rng(seed)
    x = g.standard_normal(shape)
    if spread:
        x *= np.exp2(g.integers(-spread, spread, size=(shape[0], 1)))
    return x.astype(np.float32)


# --- Quartet -----------------------------------------------------------------------------


def test_quartet_forward_quantizer_matches_qutlass_reference():
    op = recipes.quartet().forward.a
    x = rand(24, 128, spread=20)
    x[0, :32] = 0.0  # a block of zeros: scale 2**floor(log2(1e-8)), all zero
    want, mask = quest_ref(x)
    got = op.quantize(torch.from_numpy(x), seed=0).numpy()
    np.testing.assert_array_equal(got, want.astype(np.float32))
    assert 0 < (~mask).mean() < 0.2  # the Gaussian clip saturates a few per cent


def test_quartet_backward_quantizer_matches_qutlass_reference():
    op = Operand("mx", "e2m1", prescale=recipes.QUARTET_BACKWARD_PRESCALE)
    x = rand(16, 96, spread=30, seed=2)
    got = op.quantize(torch.from_numpy(x), seed=0).numpy()
    np.testing.assert_array_equal(got, quartet_backward_ref(x))
    # the prescale keeps every element below 6: nothing clips, stochastic rounding
    # stays between the two neighbours
    sr = replace_rounding(op, "stochastic").quantize(torch.from_numpy(x), seed=5).numpy()
    b = x.astype(np.float64).reshape(16, -1, 32)
    scale = np.exp2(np.floor(np.log2(np.abs(b).max(-1, keepdims=True)))) / 3
    v = (b / scale).reshape(x.shape)
    k = np.abs(sr.astype(np.float64) / scale.repeat(32, -1).reshape(x.shape))
    lo = E2M1[np.searchsorted(E2M1, np.abs(v), side="right") - 1]
    assert np.all(np.abs(v) < 6)
    assert np.all((np.isclose(k, lo)) | (k > lo))


@pytest.mark.parametrize("mode", ["floor", "ceil"])
def test_prescaled_exponents_are_the_mx_rule(mode):
    x = rand(8, 64, seed=3, spread=60)
    x[0, :32] = 0.0
    x[1, :32] = 4.0  # amax a power of two: floor and ceil agree
    x[2, 3] = np.inf
    op = Operand("mx", "e2m1", scale_mode=mode, prescale=0.5)
    got = op._mx_exponents(torch.from_numpy(x)).numpy()[:, ::32]
    amax = np.abs(x.astype(np.float64)).reshape(8, 2, 32).max(-1)
    want = nm.mx_scale_exponents(amax, nm.get_format("e2m1"), mode)
    np.testing.assert_array_equal(got, want)


def replace_rounding(op, r):
    from dataclasses import replace

    return replace(op, rounding=r)


def test_quartet_layer_forward_and_trust_mask_follow_the_authors_code():
    """y = Q(x H) Q(w H)^T; dx = ((dy Q(w H)) * mask_x) H^T with the forward's
    quantized weight reused (requantize) and the trust mask of the forward."""
    torch.manual_seed(0)
    lin = torch.nn.Linear(64, 16, bias=False)
    fwd = recipes.quartet().forward
    rec = Recipe("q", fwd, Product(requantize=True), Product(requantize=True))
    q = QuantLinear.from_linear(lin, rec)
    x = torch.from_numpy(rand(8, 64, seed=3)).requires_grad_()
    y = q(x)
    h = hadamard(32)
    xh = (x.detach().numpy().reshape(8, 2, 32) @ h).reshape(8, 64)
    wh = (lin.weight.detach().numpy().reshape(16, 2, 32) @ h).reshape(16, 64)
    xq, mx = quest_ref(xh)
    wq, mw = quest_ref(wh)
    np.testing.assert_allclose(y.detach().numpy(), xq @ wq.T, rtol=1e-5, atol=1e-5)
    dy = rand(8, 16, seed=4)
    dx, dw = torch.autograd.grad(y, (x, lin.weight), torch.from_numpy(dy))
    want_dx = (((dy @ wq) * mx).reshape(8, 2, 32) @ h.T).reshape(8, 64)
    want_dw = (((dy.T @ xq) * mw).reshape(16, 2, 32) @ h.T).reshape(16, 64)
    np.testing.assert_allclose(dx.numpy(), want_dx, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dw.numpy(), want_dw, rtol=1e-5, atol=1e-5)


def test_quartet_backward_requantizes_the_forward_factors():
    """The whole Quartet layer with round-to-nearest gradients against numpy: each
    backward product rotates (random signs first) and requantizes dy and the forward's
    quantized factor, then the forward's mask and inverse rotation apply."""
    from numerics.torch.layers import _signs

    torch.manual_seed(1)
    lin = torch.nn.Linear(64, 32, bias=False)
    q = QuantLinear.from_linear(lin, recipes.quartet("nearest_even"), seed=4)
    x = torch.from_numpy(rand(32, 64, seed=5)).requires_grad_()
    dy = rand(32, 32, seed=6)
    dx, dw = torch.autograd.grad(q(x), (x, lin.weight), torch.from_numpy(dy))

    def rot(t, signs=None):  # H D t along the last axis, blocks of 32
        t = t if signs is None else t * signs
        return (t.reshape(*t.shape[:-1], -1, 32) @ hadamard(32)).reshape(t.shape)

    xq, mx = quest_ref(rot(x.detach().numpy().astype(np.float64)))
    wq, mw = quest_ref(rot(lin.weight.detach().numpy().astype(np.float64)))
    bq = quartet_backward_ref
    zero = torch.tensor(0)
    s_in = _signs(32, q.seed, zero, 5, torch.float64).numpy()
    s_w = _signs(32, q.seed, zero, 8, torch.float64).numpy()
    dx_rot = bq(rot(dy.astype(np.float64), s_in)) @ bq(rot(wq.T, s_in)).T
    dw_rot = bq(rot(dy.T.astype(np.float64), s_w)) @ bq(rot(xq.T, s_w)).T
    np.testing.assert_allclose(dx.numpy(), rot(dx_rot * mx), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dw.numpy(), rot(dw_rot * mw), rtol=1e-4, atol=1e-5)


# --- NVFP4: 16x16 weight blocks, tensor-scale constant, Four Over Six --------------------


@pytest.mark.parametrize("rows", [1, 16])
@pytest.mark.parametrize("m", [448.0, 256.0])
def test_nvfp4_blocks_and_tensor_scale_match_the_formula(rows, m):
    x = rand(40, 48, seed=rows, spread=6)  # 40 rows: the last tile row is short
    got = nm.quantize_nvfp4(x, block_shape=(rows, 16), tensor_scale_max=m)
    np.testing.assert_array_equal(got.dequantize(), nvfp4_ref(x, rows, m))
    assert got.tensor_scale == f32(Fraction(float(np.abs(x).max())) / (Fraction(m) * 6))


@pytest.mark.parametrize("rows", [1, 16])
def test_four_over_six_matches_the_reference_selection(rows):
    x = rand(128, 128, seed=7, spread=3)
    got = nm.quantize_nvfp4(x, block_shape=(rows, 16), scale_selection="four_over_six")
    want = nvfp4_ref(x, rows, 256.0, four_over_six=True)
    np.testing.assert_array_equal(got.dequantize(), want)
    # it picks 4 for some blocks and lowers the error
    plain = nm.quantize_nvfp4(x, block_shape=(rows, 16), tensor_scale_max=256.0)
    assert not np.array_equal(got.scales, plain.scales)
    assert ((got.dequantize() - x) ** 2).sum() < ((plain.dequantize() - x) ** 2).sum()


def test_2d_weight_blocks_make_w_and_wt_agree():
    w = torch.from_numpy(rand(48, 80, seed=9, spread=4))
    for r in (recipes.nvfp4_2d(), recipes.four_over_six(), recipes.deepseek_fp8()):
        fwd, back = r.forward.b, r.grad_input.b  # w in y = x w^T, w^T in dx = dy w
        qw = fwd.quantize(w, seed=0)
        assert torch.equal(back.quantize(w.t().contiguous(), seed=0), qw.t())
    one_d = Operand("nvfp4")  # 1x16 blocks: the transpose quantizes differently
    assert not torch.equal(
        one_d.quantize(w.t().contiguous(), seed=0), one_d.quantize(w, seed=0).t()
    )


def test_nvfp4_2d_blocks_keep_nan_blocks_and_zero_tiles():
    x = rand(32, 32, seed=1)
    x[0, 0] = np.nan
    x[16:, 16:] = 0.0
    d = nm.quantize_nvfp4(x, block_shape=(16, 16)).dequantize()
    assert np.isnan(d[:16, :16]).all() and not np.isnan(d[16:]).any()
    assert (d[16:, 16:] == 0).all()


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(block_shape=(16, 8)), "block_shape"),
        (dict(block_shape=(0, 16)), "block_shape"),
        (dict(block_shape=16), "block_shape"),
        (dict(scale_selection="best"), "scale_selection"),
        (dict(tensor_scale_max=500.0), "tensor_scale_max"),
        (dict(tensor_scale_max=0.0), "tensor_scale_max"),
    ],
)
def test_nvfp4_bad_arguments_are_named(kw, match):
    with pytest.raises(ValueError, match=match):
        nm.quantize_nvfp4(np.ones((16, 16), np.float32), **kw)


def test_nvfp4_2d_blocks_need_a_2d_array():
    with pytest.raises(ValueError, match="2-D"):
        nm.quantize_nvfp4(np.ones((2, 16, 16), np.float32), block_shape=(16, 16))


# --- DeepSeek-V3 FP8 ---------------------------------------------------------------------


def test_deepseek_tiles_match_act_quant():
    r = recipes.deepseek_fp8()
    x = rand(20, 300, seed=11, spread=10)  # 300: a short last tile
    x[3, 128:256] = 0.0  # a tile of zeros reads back as zeros
    got = r.forward.a.quantize(torch.from_numpy(x), seed=0).numpy()
    np.testing.assert_array_equal(got, tile_ref(x, 1, 128))
    w = rand(200, 256, seed=12, spread=4)
    got = r.forward.b.quantize(torch.from_numpy(w), seed=0).numpy()
    np.testing.assert_array_equal(got, tile_ref(w, 128, 128))
    assert {r.forward.a.fmt, r.grad_input.a.fmt, r.grad_weight.a.fmt} == {"float8_e4m3fn"}
    # the exported codes and 128x128 block scales read back as the trained weight
    lin = torch.nn.Linear(256, 200, bias=False)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(w))
    net = torch.nn.Sequential(lin, torch.nn.Linear(200, 1))
    codes = export_codes(quantize_model(net, r))["0"]
    np.testing.assert_array_equal(codes.dequantize(), tile_ref(w, 128, 128))
    assert r.promote_every == 128 and r.gemm is None


def test_a_recipe_refuses_a_gemm_that_is_not_a_tensor_core():
    # products through a TensorCore are tested in test_tensor_core_recipes.py
    from dataclasses import replace

    with pytest.raises(ValueError, match="gemm must be a TensorCore"):
        replace(recipes.deepseek_fp8(), gemm=object())


# --- MXFP8 as torchao runs it -------------------------------------------------------------


@pytest.mark.parametrize("fmt, grid", [("float8_e4m3fn", E4M3), ("float8_e5m2", E5M2)])
def test_mxfp8_rceil_matches_the_cublas_rule(fmt, grid):
    x = rand(6, 128, seed=13, spread=40)
    x[0, :32] = 448.0 * 2.0**-3  # amax exactly max * 2**e: e, not e + 1
    op = Operand("mx", fmt, scale_mode="rceil")
    got = op.quantize(torch.from_numpy(x), seed=0).numpy()
    np.testing.assert_array_equal(got, rceil_ref(x, grid))


@pytest.mark.parametrize("grad", ["float8_e4m3fn", "float8_e5m2"])
def test_mxfp8_quantizers_match_torchao_bit_for_bit(grad):
    mt = pytest.importorskip("torchao.prototype.mx_formats.mx_tensor")
    from torchao.prototype.mx_formats.config import ScaleCalculationMode

    dt = getattr(torch, grad)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 256, generator=g) * torch.exp2(
        torch.randint(-40, 40, (64, 1), generator=g).float()
    )
    x[0, :32] = 0.0
    x[1, :32] = 448.0 * 2.0**-3
    x[2, 5] = float("nan")
    s, d = mt.to_mx(x, dt, 32, ScaleCalculationMode.RCEIL)
    want = mt.to_dtype(d, s, dt, 32, torch.float32)
    got = recipes.mxfp8(grad).grad_input.a.quantize(x, seed=0)
    assert torch.equal(torch.isnan(got), torch.isnan(want))
    assert torch.equal(torch.nan_to_num(got), torch.nan_to_num(want))


def test_mxfp8_layer_matches_torchao_mxfp8_linear():
    """The whole layer (forward and both gradients) against torchao's emulated
    MXFP8 linear, which dequantizes and multiplies in float32 as QuantLinear does."""
    lin_mod = pytest.importorskip("torchao.prototype.moe_training.mxfp8_linear")
    from torchao.prototype.mx_formats.config import ScaleCalculationMode
    from torchao.quantization.quantize_.common.kernel_preference import KernelPreference

    torch.manual_seed(0)
    lin = torch.nn.Linear(64, 32, bias=False)
    x = torch.randn(64, 64, requires_grad=True)
    y = lin_mod._to_mxfp8_then_scaled_mm(
        x, lin.weight, KernelPreference.EMULATED, ScaleCalculationMode.RCEIL
    )
    gy = torch.randn_like(y)
    want = (y, *torch.autograd.grad(y, (x, lin.weight), gy))
    x2 = x.detach().clone().requires_grad_()
    y2 = QuantLinear.from_linear(lin, recipes.mxfp8())(x2)
    got = (y2, *torch.autograd.grad(y2, (x2, lin.weight), gy))
    for a, b in zip(got, want, strict=True):
        assert torch.equal(a, b)


# --- every preset -------------------------------------------------------------------------


def mlp(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.Linear(32, 4)
    )


@pytest.mark.parametrize("recipe", PAPERS, ids=lambda r: r.name)
def test_every_paper_recipe_trains_three_steps_reproducibly(recipe):
    g = torch.Generator().manual_seed(1)
    x, t = torch.randn(32, 128, generator=g), torch.randn(32, 4, generator=g)
    runs = []
    for _ in range(2):
        m = quantize_model(mlp(), recipe, seed=3)
        stats = collect_stats(m)
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            loss = ((m(x) - t) ** 2).mean()
            loss.backward()
            opt.step()
            assert torch.isfinite(loss)
        runs.append([p.detach().clone() for p in m.parameters()])
        assert 0 <= stats["0"]["grad_weight"]["a"]["clipped"] <= 1
    assert all(torch.equal(a, b) for a, b in zip(*runs, strict=True))
    if recipe.name != "quartet":  # its backward's 4/3 scales have no E8M0 code
        codes = export_codes(m)["0"]
        assert codes.codes.shape == m[0].weight.shape


def test_quartet_weight_cannot_be_exported_with_its_prescale():
    r = Recipe("p", Product(b=Operand("mx", "e2m1", prescale=0.75)))
    m = quantize_model(mlp(), r)
    with pytest.raises(ValueError, match="prescale"):
        export_codes(m)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(kind="mx", scale_mode="round"), "scale_mode"),
        (dict(kind="cast", prescale=0.75), "prescale"),
        (dict(kind="mx", prescale=0.0), "prescale"),
        (dict(kind="mx", prescale=0.75, scale_mode="rceil"), "prescale needs"),
        (dict(kind="mx", block_rows=16), "block_rows"),
        (dict(kind="nvfp4", block_rows=8), "1x16 or 16x16"),
        (dict(kind="tile", block_rows=0), "block_rows"),
        (dict(kind="mx", scale_selection="four_over_six"), "scale_selection"),
        (dict(kind="nvfp4", scale_selection="best"), "scale_selection"),
        (dict(kind="nvfp4", tensor_scale_max=1000.0), "tensor_scale_max"),
        (dict(kind="quest", fmt="e2m1"), "clip > 0"),
        (dict(kind="mx", block_size=0), "block_size"),
    ],
)
def test_bad_operands_are_named(kw, match):
    with pytest.raises(ValueError, match=match):
        Operand(**kw)


def test_bad_recipes_are_named():
    with pytest.raises(ValueError, match="backward products"):
        Recipe("r", Product(requantize=True))
    with pytest.raises(ValueError, match="promote_every"):
        Recipe("r", promote_every=0)
    with pytest.raises(ValueError, match="grad must be"):
        recipes.mxfp8("e2m1")
