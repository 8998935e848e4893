"""The pure-torch kernels (every tensor off the CPU runs them): bit for bit the numba
kernels' results, over exhaustive element and scale codes, the special values and
random inputs, on every device at hand (the CPU always, through the testing switch
that sends CPU tensors down the pure-torch path; CUDA when there is one), and the
right shapes and dtypes on ``meta`` tensors."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import numerics as nm  # noqa: E402
import numerics.torch as nt  # noqa: E402
from numerics import transforms  # noqa: E402
from numerics.torch import _device, _torch_scaled, _torch_transforms  # noqa: E402
from numerics.torch import recipes as rc  # noqa: E402

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
MODES = [
    "nearest_even",
    "nearest_away",
    "toward_zero",
    "up",
    "down",
    "odd",
    "stochastic",
    "stochastic_equal",
]
MX = ["e4m3", "e5m2", "e2m3", "e3m2", "e2m1", "int8"]


def same_bits(ref: np.ndarray, got) -> bool:
    """Equal values with equal signs (so -0 is not 0), NaN matching NaN, same dtype."""
    got = got.detach().cpu().numpy() if isinstance(got, torch.Tensor) else got
    ref = np.asarray(ref)
    if ref.shape != got.shape or ref.dtype != got.dtype:
        return False
    eq = (ref == got) & (np.signbit(ref) == np.signbit(got))
    return bool((eq | (np.isnan(ref) & np.isnan(got))).all())


def on(device, x: np.ndarray):
    return torch.from_numpy(np.ascontiguousarray(x)).to(device)


def midpoints(values: np.ndarray, dtype) -> np.ndarray:
    """Every value of a format, both signs, the midpoints between neighbours (the ties)
    and the data values just either side of each midpoint."""
    v = np.unique(np.concatenate([values, -values]))
    mid = ((v[1:] + v[:-1]) / 2).astype(dtype)
    near = [np.nextafter(mid, dtype(np.inf)), np.nextafter(mid, dtype(-np.inf))]
    return np.concatenate([v.astype(dtype), mid, *near])


def blocks_led_by(lead: float, fill: np.ndarray, block: int, dtype) -> np.ndarray:
    """Rows of ``block`` elements: ``lead`` (which sets the block's absmax) then
    ``block - 1`` elements of ``fill`` (cycled)."""
    per = block - 1
    k = -(-fill.size // per)
    body = np.resize(fill, k * per).reshape(k, per)
    return np.concatenate([np.full((k, 1), lead), body], axis=1).astype(dtype)


SPECIAL_BLOCKS = [
    [np.nan] + [1.0] * 31,  # a NaN block
    [np.inf] + [1.0] * 31,  # an Inf block
    [-np.inf] * 32,
    [0.0] * 16 + [-0.0] * 16,  # a zero block, signed zeros
    [1e-42, -1e-45, 3e-39] + [0.0] * 29,  # float32 subnormals: scales clamp at 2**-127
    [3.0e38, -3.4e38, 1.0] + [2.0] * 29,  # the top of float32: scales clamp at 2**127
]


def mx_data(elem: str, dtype) -> np.ndarray:
    """Every element code and tie of ``elem`` at three scales (2**0, 2**-120, 2**100),
    plus the special blocks, in blocks of 32 (the last row has a short tail)."""
    fmt = nm.MXINT8 if elem == "int8" else nm.get_format(elem)
    vals = fmt.values()
    vals = vals[vals >= 0]
    cand = midpoints(vals, np.float64)
    rows = [blocks_led_by(fmt.max * 2.0**k, cand * 2.0**k, 32, dtype) for k in (0, -120, 100)]
    rows.append(np.array(SPECIAL_BLOCKS, dtype))
    x = np.concatenate(rows).reshape(-1)
    return x[: x.size - 7].reshape(1, -1)  # one row: blocks along it, a short last one


# --- MX ----------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("elem", MX)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mx_every_code_scale_mode_and_rounding(device, elem, dtype):
    x = mx_data(elem, dtype)
    xt = on(device, x)
    for scale_mode in nm.SCALE_MODES:
        for mode in MODES:
            kw = dict(scale_mode=scale_mode, rounding=mode, seed=11)
            ref = nm.quantize_mx(x, elem, **kw).dequantize()
            got = _torch_scaled.quantize_mx(xt, elem, **kw)
            assert same_bits(ref, got), (scale_mode, mode)


@pytest.mark.parametrize("device", DEVICES)
def test_mx_exponents_every_float32_binade(device):
    """The shared exponent of absmaxes at, just below and just above every power of two
    of float32 (subnormals included), in every scale mode."""
    p = np.ldexp(1.0, np.arange(-149, 128)).astype(np.float32)
    a = np.concatenate([p, np.nextafter(p, np.float32(0)), np.nextafter(p, np.float32(np.inf))])
    a = np.concatenate([a, [0.0, np.inf, np.nan, 448.0, 464.0, 480.0, 957.0]])
    for elem in MX:
        fmt = nm.MXINT8 if elem == "int8" else nm.get_format(elem)
        for mode in nm.SCALE_MODES:
            ref = nm.mx_scale_exponents(a, fmt, mode)
            got = _torch_scaled.mx_exponents(on(device, a.astype(np.float64)), mode, fmt)
            got = torch.where(torch.isfinite(on(device, a)), got.double(), torch.nan)
            assert same_bits(ref, got), (elem, mode)


# --- NVFP4 -------------------------------------------------------------------------------


def nvfp4_data(dtype) -> np.ndarray:
    """Blocks whose absmax is 6 times every e4m3 value and tie (every block-scale code
    and its rounding), filled with every fp4 value and tie at that scale; 64 columns,
    so that 2-D tiles and the special blocks mix."""
    e4m3 = nm.get_format("float8_e4m3fn").values()
    scales = midpoints(e4m3[e4m3 > 0], np.float64)
    scales = scales[(scales > 0) & (scales <= 448)]
    fp4 = midpoints(nm.get_format("float4_e2m1fn").values(), np.float64)
    fp4 = fp4[np.abs(fp4) <= 6]
    rows = [blocks_led_by(6 * s, fp4 * s, 16, dtype) for s in scales[::3]]
    rows.append(np.array(SPECIAL_BLOCKS, dtype).reshape(-1, 16))
    x = np.concatenate(rows).reshape(-1)
    return x[: x.size - x.size % 64].reshape(-1, 64)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nvfp4_every_scale_code_and_option(device, dtype):
    x = nvfp4_data(dtype)
    finite = np.where(np.isfinite(x), x, 1.0).astype(dtype)
    for data in (x, finite):  # with NaN/Inf blocks, and without (the tensor scale sees them)
        xt = on(device, data)
        for options in (
            dict(),
            dict(tensor_scale=False, scale_rounding="up"),
            dict(tensor_scale=0.25, min_block_scale=2.0**-6),
            dict(block_shape=(16, 16), tensor_scale_max=100.0),
            dict(block_shape=(16, 16), axis=0, scale_selection="four_over_six"),
            dict(block_shape=(4, 16), scale_selection="four_over_six", scale_rounding="up"),
            dict(scale_selection="four_over_six", tensor_scale=False),
        ):
            for mode in ("nearest_even", "stochastic", "toward_zero", "odd"):
                kw = dict(options, rounding=mode, seed=5)
                ref = nm.quantize_nvfp4(data, **kw).dequantize()
                got = _torch_scaled.quantize_nvfp4(xt, **kw)
                assert same_bits(ref, got), kw


# --- scaled integers and floats, ternary ---------------------------------------------------


LAYOUTS = [
    dict(),
    dict(channel_axis=0),
    dict(channel_axis=1),
    dict(block_size=16),
    dict(axis=0, block_size=5),
    dict(axis=0),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scaled_formats_layouts_and_roundings(device, dtype):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((12, 40)) * np.exp(rng.standard_normal((12, 1)) * 4)).astype(dtype)
    x[0, :4] = [0.0, -0.0, 1e-40, -3e-39]
    x[1] = 0.0
    special = x.copy()
    special[2, 3], special[3, 7] = np.nan, -np.inf
    turn = 0  # every rounding mode, two per combination in turn
    for elem in ("int4", "int8", "uint8", "int2", "e4m3", "e2m1", "bfloat16"):
        is_int = elem[0] in "iu"
        data = x if is_int else special  # integers refuse NaN and Inf
        xt = on(device, data)
        for lay in LAYOUTS:
            for sym in (True, False) if is_int else (True,):
                turn += 1
                for mode in (MODES[turn % 8], MODES[(turn + 3) % 8]):
                    kw = dict(lay, symmetric=sym, rounding=mode, seed=3)
                    ref = nm.quantize(data, elem, **kw).dequantize()
                    assert same_bits(ref, _torch_scaled.quantize(xt, elem, **kw)), (elem, kw)


@pytest.mark.parametrize("device", DEVICES)
def test_integer_grid_every_code_and_tie(device):
    """Every integer code of int4/int8 and every tie between them, per tensor (the
    scale is 1 when the absmax is qmax: then the quotients are the data)."""
    for bits in (4, 8):
        q = 2 ** (bits - 1) - 1
        k = np.arange(-q, q + 1, dtype=np.float64)
        x = np.concatenate([[q], k, k[:-1] + 0.5, np.nextafter(k[:-1] + 0.5, 0)]).astype(np.float32)
        for mode in MODES:
            ref = nm.quantize(x, f"int{bits}", rounding=mode, seed=1).dequantize()
            got = _torch_scaled.quantize(on(device, x), f"int{bits}", rounding=mode, seed=1)
            assert same_bits(ref, got), (bits, mode)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ternary(device, dtype):
    rng = np.random.default_rng(4)
    for shape in ((7, 33), (3, 1000), (5,), ()):
        x = rng.standard_normal(shape).astype(dtype)
        for ca in (None, 0, -1) if shape else (None,):
            for mode in ("nearest_even", "stochastic"):
                kw = dict(channel_axis=ca, rounding=mode, seed=2)
                ref = nm.quantize_ternary(x, **kw).dequantize()
                assert same_bits(ref, _torch_scaled.quantize_ternary(on(device, x), **kw))


@pytest.mark.parametrize("n", [1, 5, 8, 16, 127, 128, 129, 300, 1000, 4099, 70001])
def test_pairwise_sum_is_numpys(n):
    """The absmean's summation order: numpy's pairwise sum, bit for bit (data spread
    over many binades, so that any other order would round differently)."""
    rng = np.random.default_rng(n)
    a = rng.standard_normal((3, n)) * np.exp(rng.standard_normal((3, n)) * 8)
    got = _torch_scaled.pairwise_sum(torch.from_numpy(a))
    assert same_bits(a.sum(axis=1), got)
    assert n < 8 or not same_bits(a.sum(axis=1), torch.from_numpy(a).cumsum(1)[:, -1])


@pytest.mark.parametrize("device", DEVICES)
def test_clip_counts_equal_the_kernels(device):
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((6, 64)) * 10).astype(np.float32)
    x[0, 0] = 1e4
    xt = on(device, x)
    for elem in ("e4m3", "e2m1", "int8"):
        ref = nm.quantize_mx(x, elem, stats=True).num_clipped
        assert int(_torch_scaled.quantize_mx(xt, elem, stats=True)[1]) == ref
    for sel in ("max", "four_over_six"):
        ref = nm.quantize_nvfp4(x, scale_selection=sel, stats=True).num_clipped
        assert int(_torch_scaled.quantize_nvfp4(xt, scale_selection=sel, stats=True)[1]) == ref


# --- random inputs -------------------------------------------------------------------------

POOL = np.array([0.0, -0.0, 1e-45, -1e-40, 1.0, -1.5, 6.0, 448.0, 3e38, np.nan, np.inf, -np.inf])


@st.composite
def tensors(draw, finite=False):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 21), min_size=ndim, max_size=ndim)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = np.exp2(draw(st.integers(-140, 120)))
    x = rng.standard_normal(shape) * scale
    if draw(st.booleans()):  # sprinkle special values
        pool = POOL[np.isfinite(POOL)] if finite else POOL
        where = rng.random(shape) < 0.1
        x = np.where(where, rng.choice(pool, shape), x)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    with np.errstate(over="ignore"):
        return x.astype(dtype)


@settings(max_examples=40, deadline=None)
@given(
    tensors(),
    st.sampled_from(MX),
    st.sampled_from(nm.SCALE_MODES),
    st.sampled_from(MODES),
    st.integers(1, 40),
    st.integers(-3, 2),
    st.integers(0, 2**64 - 1),
)
def test_random_mx(x, elem, scale_mode, mode, block, axis, seed):
    axis = axis % x.ndim
    kw = dict(block_size=block, axis=axis, scale_mode=scale_mode, rounding=mode, seed=seed)
    ref = nm.quantize_mx(x, elem, **kw).dequantize()
    assert same_bits(ref, _torch_scaled.quantize_mx(on(DEVICES[-1], x), elem, **kw))


@settings(max_examples=25, deadline=None)
@given(
    tensors(),
    st.sampled_from(["max", "four_over_six"]),
    st.sampled_from(["nearest", "up"]),
    st.sampled_from(MODES),
    st.booleans(),
    st.integers(0, 2**32),
)
def test_random_nvfp4(x, sel, srnd, mode, two_d, seed):
    two_d = two_d and x.ndim == 2
    kw = dict(
        block_shape=(16 if two_d else 1, 16),
        scale_selection=sel,
        scale_rounding=srnd,
        rounding=mode,
        seed=seed,
    )
    ref = nm.quantize_nvfp4(x, **kw).dequantize()
    assert same_bits(ref, _torch_scaled.quantize_nvfp4(on(DEVICES[-1], x), **kw))


@settings(max_examples=40, deadline=None)
@given(
    tensors(finite=True),
    st.sampled_from(["int4", "int8", "uint4", "e4m3", "e3m2"]),
    st.sampled_from([0, 1, 2]),
    st.integers(1, 9),
    st.booleans(),
    st.sampled_from(MODES),
)
def test_random_scaled_and_ternary(x, elem, layout, block, sym, mode):
    kw = [dict(), dict(channel_axis=0), dict(axis=-1, block_size=block)][layout]
    sym = sym or elem[0] not in "iu"
    ref = nm.quantize(x, elem, symmetric=sym, rounding=mode, seed=9, **kw).dequantize()
    got = _torch_scaled.quantize(
        on(DEVICES[-1], x), elem, symmetric=sym, rounding=mode, seed=9, **kw
    )
    assert same_bits(ref, got)
    ca = 0 if layout == 1 else None
    ref = nm.quantize_ternary(x, channel_axis=ca, rounding=mode, seed=9).dequantize()
    got = _torch_scaled.quantize_ternary(on(DEVICES[-1], x), channel_axis=ca, rounding=mode, seed=9)
    assert same_bits(ref, got)


# --- transforms ------------------------------------------------------------------------------


def transform_data(rows: int, n: int, dtype, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, n)) * np.exp(rng.standard_normal((rows, n)) * 2)
    x = x.astype(dtype)
    if n >= 4:  # special values in the last row: NaN, Inf, a subnormal, -0
        x[-1, :4] = [np.nan, np.inf, np.finfo(dtype).smallest_subnormal, -0.0]
    return x


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rdfft_and_inverse_bit_for_bit(device, dtype):
    for n in (1, 2, 4, 8, 16, 64, 512, 8192):  # 8192: past the kernels' 4096 cache blocks
        x = transform_data(3, n, dtype, n)
        ref = x.copy()
        transforms.rdfft(ref)
        t = on(device, x)
        _torch_transforms.rdfft_(t)
        assert same_bits(ref, t), n
        back = ref.copy()
        transforms.irdfft(back)
        _torch_transforms.rdfft_(t, inverse=True)
        assert same_bits(back, t), n


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fwht_bit_for_bit(device, dtype):
    rng = np.random.default_rng(6)
    for n in (1, 2, 16, 256):
        x = transform_data(4, n, dtype, n)
        signs = np.where(rng.random(n) < 0.5, -1.0, 1.0).astype(dtype)
        for block in (None, 1, 2, 16):
            if block is not None and block > n:
                continue
            for normalize in (False, True):
                for s in (None, signs):
                    ref = x.copy()
                    transforms.fwht(ref, normalize, s, block)
                    st_ = None if s is None else on(device, s)
                    got = _torch_transforms.fwht(on(device, x), normalize, st_, block)
                    assert same_bits(ref, got), (n, block, normalize)


def test_transform_errors_leave_the_input_untouched():
    x = torch.ones(3, 6)
    with pytest.raises(ValueError, match="power-of-two"):
        _torch_transforms.rdfft_(x)
    assert torch.equal(x, torch.ones(3, 6))
    with pytest.raises(TypeError, match="float32 or float64"):
        _torch_transforms.rdfft_(torch.ones(4, dtype=torch.float16))
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        _torch_transforms.fwht(torch.ones(2, 4), False, torch.tensor([1.0, 2.0, 1.0, 1.0]), None)
    with pytest.raises(ValueError, match="block must be"):
        _torch_transforms.fwht(torch.ones(2, 4), False, None, 3)


# --- the ops route through the pure-torch path -------------------------------------------


def op_calls(t):
    """Every public op with a mix of options (stochastic ones seeded)."""
    return {
        "cast": lambda: nt.cast(t, "e4m3", "stochastic", seed=3),
        "mx": lambda: nt.quantize_mx(t, "e2m1", rounding="stochastic", seed=1, step=2),
        "mx_rceil": lambda: nt.quantize_mx(t, "e4m3", block_size=8, axis=0, scale_mode="rceil"),
        "nvfp4": lambda: nt.quantize_nvfp4(t, block_shape=(16, 16)),
        "nvfp4_46": lambda: nt.quantize_nvfp4(
            t, scale_selection="four_over_six", rounding="stochastic", seed=4
        ),
        "int": lambda: nt.quantize(t, "int4", block_size=16, rounding="stochastic", seed=2),
        "uint": lambda: nt.quantize(t, "uint8", symmetric=False, channel_axis=0),
        "ternary": lambda: nt.quantize_ternary(t, channel_axis=0),
        "fwht": lambda: nt.fwht(t, True, torch.ones(t.shape[-1], dtype=t.dtype), 16),
        "rdfft": lambda: nt.rdfft_(t.clone()),
        "irdfft": lambda: nt.irdfft_(t.clone()),
    }


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_ops_on_the_torch_path_equal_the_numba_path(device, dtype):
    x = torch.randn(32, 64, generator=torch.Generator().manual_seed(0)).to(dtype)
    ref = {
        k: f()
        for k, f in op_calls(x).items()
        if dtype != torch.bfloat16 or k not in ("fwht", "rdfft", "irdfft")
    }
    xd = x.to(device)
    with _device.force_torch_kernels():
        calls = op_calls(xd)
        for k, r in ref.items():
            got = calls[k]()
            assert got.device == xd.device and got.dtype == dtype, k
            assert torch.equal(got.cpu(), r) or same_bits(r.float().numpy(), got.float()), k


@pytest.mark.parametrize("device", DEVICES)
def test_gradients_on_the_torch_path(device):
    """Straight-through and transform gradients flow on the pure-torch path too."""
    x = torch.randn(4, 32, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    grads = []
    for force in (False, True):
        xd = x.to(device if force else "cpu").requires_grad_()
        with _device.force_torch_kernels(force):
            y = nt.quantize_mx(xd, "e4m3", block_size=16) * 2 + nt.fwht(xd, True)
            y = nt.rdfft_(y.clone())
            y.sum().backward()
        grads.append(xd.grad.cpu())
    assert torch.equal(grads[0], grads[1])


def test_quantized_layer_trains_the_same_on_the_torch_path():
    """Layers under Quartet (QuEST casts, prescaled MX gradients, random signs and
    Hadamard rotations, stochastic rounding) on the pure-torch path (on the last
    device at hand): the output, the gradients and the statistics equal the numba
    path's."""
    out = []
    for device in ("numba", DEVICES[-1]):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.Linear(32, 1))
        m = nt.quantize_model(net, rc.quartet(), seed=1).to("cpu" if device == "numba" else device)
        stats = nt.collect_stats(m)
        x = torch.randn(8, 64, generator=torch.Generator().manual_seed(2)).to(m[0].weight.device)
        with _device.force_torch_kernels(device != "numba"):
            y = m(x)
            y.sum().backward()
        out.append((y.detach().cpu(), m[0].weight.grad.cpu(), stats["0"]))
    assert torch.equal(out[0][0], out[1][0]) and torch.equal(out[0][1], out[1][1])
    assert out[0][2] == out[1][2]


# --- meta: shapes and dtypes -----------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_meta_shapes_and_dtypes(dtype):
    x = torch.empty(32, 64, dtype=dtype, device="meta")
    for name, f in op_calls(x).items():
        if dtype == torch.float16 and name in ("fwht", "rdfft", "irdfft"):
            continue
        y = f()
        assert y.device.type == "meta" and y.shape == x.shape and y.dtype == dtype, name
    # the pure-torch functions themselves run on meta (what the fakes could call)
    kernels = [
        lambda t: _torch_scaled.quantize_mx(t, "e4m3", rounding="stochastic", seed=1),
        lambda t: _torch_scaled.quantize_nvfp4(t, scale_selection="four_over_six"),
        lambda t: _torch_scaled.quantize(t, "int4", symmetric=False, channel_axis=1),
        lambda t: _torch_scaled.quantize_ternary(t),
    ]
    for k in kernels:
        y = k(x)
        assert y.device.type == "meta" and y.shape == x.shape and y.dtype == dtype
    if dtype != torch.float16:
        assert _torch_transforms.fwht(x, True, None, 16).shape == x.shape
        _torch_transforms.rdfft_(x)


def test_signs_follow_the_device():
    from numerics.torch.layers import _signs

    s = _signs(16, torch.tensor(3), torch.tensor(1), 2, torch.float32, DEVICES[-1])
    assert s.device.type == DEVICES[-1] and set(s.cpu().tolist()) <= {-1.0, 1.0}
    ref = _signs(16, torch.tensor(3), torch.tensor(1), 2, torch.float32, "cpu")
    assert torch.equal(s.cpu(), ref)


def test_large_tensors_go_through_in_chunks(monkeypatch):
    """The cast processes large tensors in chunks (bounded temporaries); every element
    keeps its own random word, so the result does not depend on the chunking."""
    from numerics.torch import _torch_cast

    x = np.random.default_rng(8).standard_normal((8, 1000)).astype(np.float32)
    ref = nm.quantize_mx(x, "e2m1", rounding="stochastic", seed=4).dequantize()
    monkeypatch.setattr(_torch_cast, "CHUNK", 777)
    got = _torch_scaled.quantize_mx(on(DEVICES[-1], x), "e2m1", rounding="stochastic", seed=4)
    assert same_bits(ref, got)
    ref = nm.cast(x, "e5m2", "stochastic_equal", seed=6)
    got = _torch_cast.cast_torch(on(DEVICES[-1], x), nm.get_format("e5m2"), "stochastic_equal",
                                 saturate=False, seed=6)  # fmt: skip
    assert same_bits(ref, got)
