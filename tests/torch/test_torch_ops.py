"""The PyTorch bridge's operators: opcheck, gradients (STE exact, gradcheck, adjoint
identities against torch.fft), agreement with the numpy path bit for bit, compile
with fullgraph, and the counter-keyed stochastic rounding."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import numerics as nm  # noqa: E402
import numerics.torch as nt  # noqa: E402
from numerics.torch import _ops  # noqa: E402

GEN = torch.Generator().manual_seed(0)
MODES = ["nearest_even", "nearest_away", "toward_zero", "up", "down", "odd", "stochastic"]


def randn(*shape, dtype=torch.float32):
    return torch.randn(*shape, generator=GEN, dtype=dtype)


# --- opcheck -------------------------------------------------------------------------

NO_SEED = torch.tensor(-1)
FUNCTIONAL_OPS = [
    (_ops.cast_op, ("float8_e4m3fn", "nearest_even", False, NO_SEED, "identity")),
    (_ops.cast_op, ("bfloat16", "stochastic", False, torch.tensor(7), "clipped")),
    (_ops.cast_op, (_ops.format_spec(nm.Format(3, 2)), "nearest_even", True, NO_SEED, "clipped")),
    (_ops.quantize_mx_op, ("e2m1", 32, -1, "floor", "nearest_even", NO_SEED, "identity")),
    (_ops.quantize_nvfp4_op, (-1, 1, None, "max", "stochastic", torch.tensor(3), "identity")),
    (_ops.quantize_nvfp4_op, (-1, 16, 256.0, "four_over_six", "nearest_even", NO_SEED, "identity")),
    (_ops.quantize_ternary_op, (0, "identity")),
    (_ops.quantize_ternary_op, (None, "identity")),
    (_ops.quantize_scaled_op, ("int4", -1, 16, None, True, "nearest_even", NO_SEED, "identity")),
    (
        _ops.quantize_scaled_op,
        ("int8", None, None, 0, False, "stochastic", torch.tensor(2), "identity"),
    ),
    (_ops.fwht_op, (True, None, 16, None, "nearest_even", None)),
    (_ops.fwht_op, (False, None, None, "bfloat16", "stochastic", torch.tensor(5))),
]

# every layout a caller may hand over: the kernels and the fakes must agree on strides
LAYOUTS = {
    "contiguous": lambda: randn(32, 64, dtype=torch.float64),
    "transposed": lambda: randn(64, 32, dtype=torch.float64).t(),
    "sliced": lambda: randn(32, 128, dtype=torch.float64)[:, ::2],
    "expanded": lambda: randn(1, 64, dtype=torch.float64).expand(32, 64),
}


@pytest.mark.parametrize("op, args", FUNCTIONAL_OPS)
def test_opcheck_functional_ops(op, args):
    x = randn(4, 64, dtype=torch.float64).requires_grad_()
    torch.library.opcheck(op, (x, *args))


@pytest.mark.parametrize("layout", [k for k in LAYOUTS if k != "contiguous"])
@pytest.mark.parametrize("op, args", FUNCTIONAL_OPS)
def test_fake_and_real_strides_agree(op, args, layout):
    """The crash inductor met (``expected size 64==64, stride 8==1``): every op returns a
    contiguous tensor, and its fake says so, whatever the input's layout. (The fake
    tensor check of opcheck: its autograd and AOT checks run on contiguous inputs above,
    which keeps this fast.)"""
    x = LAYOUTS[layout]()
    torch.library.opcheck(op, (x, *args), test_utils=("test_schema", "test_faketensor"))
    y = op(x, *args)
    assert y.is_contiguous() and y.shape == x.shape
    assert torch.equal(y, op(x.contiguous(), *args))


def test_opcheck_transform_ops():
    x = randn(3, 16, dtype=torch.float64).requires_grad_()
    signs = torch.tensor([1.0, -1.0] * 8, dtype=torch.float64)
    torch.library.opcheck(_ops.fwht_op, (x, True, signs, 4))
    torch.library.opcheck(_ops.fwht_op, (x, False, None, None))
    torch.library.opcheck(_ops.fwht_op, (randn(16, 3, dtype=torch.float64).t(), False, None, None))
    torch.library.opcheck(_ops.rdfft_op, (randn(3, 16),))
    torch.library.opcheck(_ops.irdfft_op, (randn(3, 16, dtype=torch.float64),))
    for op in (_ops.rdfft_op, _ops.irdfft_op):
        torch.library.opcheck(op, (randn(3, 16, dtype=torch.float64), "bfloat16"))
        torch.library.opcheck(op, (randn(3, 16), "e4m3", "stochastic", torch.tensor(9)))
        torch.library.opcheck(op, (randn(16, 3).t(),))  # in place on a transposed view


# --- the numpy path, bit for bit -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["float8_e4m3fn", "float8_e5m2", "bfloat16", "float4_e2m1fn"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cast_equals_numpy_path(fmt, mode, dtype):
    x = randn(1000, dtype=dtype) * 4
    y = nt.cast(x, fmt, mode, seed=5, step=2, call=1)
    seed = nt.counter_seed(5, 2, 1) if mode == "stochastic" else None
    ref = nm.cast(x.numpy(), fmt, mode, seed=seed)
    assert y.dtype == dtype
    assert np.array_equal(y.numpy(), ref, equal_nan=True)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_cast_of_16_bit_tensors(dtype):
    x = randn(256).to(dtype)
    y = nt.cast(x, "float8_e4m3fn")
    assert y.dtype == dtype
    assert np.array_equal(y.float().numpy(), nm.cast(x.float().numpy(), "float8_e4m3fn"))
    with pytest.raises(ValueError, match="cannot hold"):
        nt.cast(x, "float16" if dtype == torch.bfloat16 else "bfloat16")


def test_quantizers_equal_numpy_path():
    x = randn(8, 64)
    q = nm.quantize_mx(x.numpy(), "e2m1").dequantize()
    assert np.array_equal(nt.quantize_mx(x).numpy(), q)
    q = nm.quantize_nvfp4(x.numpy()).dequantize()
    assert np.array_equal(nt.quantize_nvfp4(x).numpy(), q)
    q = nm.quantize(x.numpy(), "int4", block_size=16).dequantize()
    assert np.array_equal(nt.quantize(x, "int4", block_size=16).numpy(), q)
    q = nm.quantize(x.numpy(), "e4m3", channel_axis=0).dequantize()
    assert np.array_equal(nt.quantize(x, "e4m3", channel_axis=0).numpy(), q)
    q = nm.quantize(x.numpy(), "uint8", symmetric=False).dequantize()
    assert np.array_equal(nt.quantize(x, "uint8", symmetric=False).numpy(), q)
    q = nm.quantize_ternary(x.numpy(), channel_axis=0).dequantize()
    assert np.array_equal(nt.quantize_ternary(x, channel_axis=0).numpy(), q)
    s = nt.counter_seed(3)
    q = nm.quantize_mx(x.numpy(), "e2m1", rounding="stochastic", seed=s).dequantize()
    assert np.array_equal(nt.quantize_mx(x, rounding="stochastic", seed=3).numpy(), q)


# --- gradients -------------------------------------------------------------------------


def test_ste_gradients_are_exact():
    x = torch.tensor([0.3, -1000.0, 448.0, 460.0, float("nan")], requires_grad=True)
    g = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    for ste, expect in (
        ("identity", [1.0, 2.0, 3.0, 4.0, 5.0]),
        ("clipped", [1.0, 0.0, 3.0, 0.0, 0.0]),
        ("none", [0.0] * 5),
    ):
        y = nt.cast(x, "float8_e4m3fn", saturate=True, ste=ste)
        (gx,) = torch.autograd.grad(y, x, g)
        assert gx.tolist() == expect, ste
    for q in (
        nt.quantize_mx,
        nt.quantize_nvfp4,
        nt.quantize_ternary,
        lambda t: nt.quantize(t, "int4"),
    ):
        xx = randn(64).requires_grad_()
        (gx,) = torch.autograd.grad(q(xx).sum(), xx)
        assert torch.equal(gx, torch.ones(64))


def test_fwht_gradcheck():
    x = randn(2, 16, dtype=torch.float64).requires_grad_()
    signs = torch.tensor([1.0, -1.0, -1.0, 1.0] * 4, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda t: nt.fwht(t, True, signs, 8), (x,))
    assert torch.autograd.gradcheck(lambda t: nt.fwht(t), (x,))


def test_rdfft_inplace_gradcheck_and_torch_fft():
    x = randn(3, 16, dtype=torch.float64).requires_grad_()
    assert torch.autograd.gradcheck(lambda t: nt.rdfft_(t.clone()), (x,))
    assert torch.autograd.gradcheck(lambda t: nt.irdfft_(t.clone()), (x,))
    # against torch.fft's gradient through the same halfcomplex layout
    w = randn(3, 16, dtype=torch.float64)
    (g1,) = torch.autograd.grad((nt.rdfft_(x.clone()) * w).sum(), x)
    z = torch.fft.rfft(x)
    hc = torch.cat([z.real, z.imag[..., 1:-1].flip(-1)], dim=-1)
    (g2,) = torch.autograd.grad((hc * w).sum(), x)
    assert torch.allclose(g1, g2)


def test_rdfft_is_in_place():
    x = randn(2, 8)
    ptr = x.data_ptr()
    y = nt.rdfft_(x)
    assert y is x and x.data_ptr() == ptr
    nt.irdfft_(x)


# --- compile ---------------------------------------------------------------------------


def test_compile_fullgraph():
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(16, 16)

        def forward(self, x):
            h = nt.fwht(x, normalize=True)
            h = nt.cast(h, "float8_e4m3fn", saturate=True)
            w = nt.cast(self.lin.weight, "float8_e4m3fn", saturate=True, ste="clipped")
            return torch.nn.functional.linear(h, w, self.lin.bias)

    m = M()
    x = randn(4, 16)
    eager = m(x)
    compiled = torch.compile(m, fullgraph=True, backend="aot_eager")
    out = compiled(x)
    assert torch.equal(out, eager)
    out.sum().backward()
    assert m.lin.weight.grad is not None


# --- stochastic rounding keys ------------------------------------------------------------


def test_counter_seed_is_reproducible_and_distinct():
    seeds = {nt.counter_seed(1, s, c) for s in range(20) for c in range(5)}
    assert len(seeds) == 100
    assert all(0 <= s < 2**63 for s in seeds)
    x = randn(4096)
    a = nt.cast(x, "bfloat16", "stochastic", seed=1, step=3)
    b = nt.cast(x, "bfloat16", "stochastic", seed=1, step=3)
    c = nt.cast(x, "bfloat16", "stochastic", seed=1, step=4)
    assert torch.equal(a, b) and not torch.equal(a, c)
    g = torch.Generator().manual_seed(4)
    d = nt.cast(x, "bfloat16", "stochastic", seed=g)
    e = nt.cast(x, "bfloat16", "stochastic", seed=torch.Generator().manual_seed(4))
    assert torch.equal(d, e)
    # tensor counters give the same bits as ints
    f = nt.cast(x, "bfloat16", "stochastic", seed=torch.tensor(1), step=torch.tensor(3))
    assert torch.equal(f, a)
    from numerics.torch._torch_cast import counter_seed_tensor

    for s, k, c in ((0, 0, 0), (5, 123456, 7), (2**62, 3, 1)):
        t = counter_seed_tensor(torch.tensor(s), torch.tensor(k), c)
        assert int(t) == nt.counter_seed(s, k, c)


@pytest.mark.parametrize(
    "call, err",
    [
        (lambda x: nt.cast(x, "bfloat16", "stochastic"), ValueError),
        (lambda x: nt.cast(x, "bfloat16", ste="sometimes"), ValueError),
        (lambda x: nt.cast(x, "nope"), ValueError),
        (lambda x: nt.cast(x.to(torch.int32), "bfloat16"), TypeError),
        (lambda x: nt.quantize_mx(x, ste="clipped"), ValueError),
        (lambda x: nt.rdfft_(x[:, :3].contiguous()), ValueError),
        (lambda x: nt.counter_seed(-1), ValueError),
    ],
)
def test_bad_arguments(call, err):
    x = randn(2, 8)
    keep = x.clone()
    with pytest.raises(err):
        call(x)
    assert torch.equal(x, keep)


# --- bad input: the numpy functions' errors, exactly ------------------------------------

TR = nm.transforms
# (torch call, numpy call) on x (2 x 8 float32) and its numpy array a
SAME_ERRORS = {
    "unknown format": (lambda x: nt.cast(x, "fp9"), lambda a: nm.cast(a, "fp9")),
    "format of a wrong type": (lambda x: nt.cast(x, 3), lambda a: nm.cast(a, 3)),
    "unknown rounding": (
        lambda x: nt.cast(x, "bf16", "sideways"),
        lambda a: nm.cast(a, "bf16", "sideways"),
    ),
    "float16 cannot hold": (
        lambda x: nt.cast(x.half(), "bfloat16"),
        lambda a: nm.cast(a.astype(np.float16), "bfloat16"),
    ),
    "integer data": (
        lambda x: nt.cast(x.int(), "e4m3"),
        lambda a: nm.cast(a.astype(np.int32), "e4m3"),
    ),
    "seed 2**64": (
        lambda x: nt.cast(x, "bf16", "stochastic", seed=2**64),
        lambda a: nm.cast(a, "bf16", "stochastic", seed=2**64),
    ),
    "seed -1": (
        lambda x: nt.cast(x, "bf16", "stochastic", seed=-1),
        lambda a: nm.cast(a, "bf16", "stochastic", seed=-1),
    ),
    "mx element": (lambda x: nt.quantize_mx(x, "fp9"), lambda a: nm.quantize_mx(a, "fp9")),
    "mx block_size 0": (
        lambda x: nt.quantize_mx(x, block_size=0),
        lambda a: nm.quantize_mx(a, "e2m1", block_size=0),
    ),
    "mx block_size 2.5": (
        lambda x: nt.quantize_mx(x, block_size=2.5),
        lambda a: nm.quantize_mx(a, "e2m1", block_size=2.5),
    ),
    "mx axis": (lambda x: nt.quantize_mx(x, axis=2), lambda a: nm.quantize_mx(a, "e2m1", axis=2)),
    "mx scale_mode": (
        lambda x: nt.quantize_mx(x, scale_mode="round"),
        lambda a: nm.quantize_mx(a, "e2m1", scale_mode="round"),
    ),
    "nvfp4 block_shape": (
        lambda x: nt.quantize_nvfp4(x, block_shape=(1, 8)),
        lambda a: nm.quantize_nvfp4(a, block_shape=(1, 8)),
    ),
    "nvfp4 2-D blocks of 3-D data": (
        lambda x: nt.quantize_nvfp4(x.reshape(2, 2, 4), block_shape=(16, 16), axis=-1),
        lambda a: nm.quantize_nvfp4(a.reshape(2, 2, 4), block_shape=(16, 16), axis=-1),
    ),
    "nvfp4 tensor_scale_max": (
        lambda x: nt.quantize_nvfp4(x, tensor_scale_max=-1.0),
        lambda a: nm.quantize_nvfp4(a, tensor_scale_max=-1.0),
    ),
    "nvfp4 scale_selection": (
        lambda x: nt.quantize_nvfp4(x, scale_selection="min"),
        lambda a: nm.quantize_nvfp4(a, scale_selection="min"),
    ),
    "ternary channel_axis 5": (
        lambda x: nt.quantize_ternary(x, channel_axis=5),
        lambda a: nm.quantize_ternary(a, channel_axis=5),
    ),
    "ternary NaN": (
        lambda x: nt.quantize_ternary(x * np.nan),
        lambda a: nm.quantize_ternary(a * np.nan),
    ),
    "quantize element": (lambda x: nt.quantize(x, "int1"), lambda a: nm.quantize(a, "int1")),
    "quantize channel_axis and axis": (
        lambda x: nt.quantize(x, "int8", channel_axis=0, axis=1),
        lambda a: nm.quantize(a, "int8", channel_axis=0, axis=1),
    ),
    "quantize block_size 1.5": (
        lambda x: nt.quantize(x, "int8", axis=1, block_size=1.5),
        lambda a: nm.quantize(a, "int8", axis=1, block_size=1.5),
    ),
    "fwht length": (lambda x: nt.fwht(x[:, :6]), lambda a: TR.fwht(a[:, :6].copy())),
    "fwht block": (lambda x: nt.fwht(x, block=3), lambda a: TR.fwht(a, block=3)),
    "fwht block 2.5": (lambda x: nt.fwht(x, block=2.5), lambda a: TR.fwht(a, block=2.5)),
    "fwht signs": (
        lambda x: nt.fwht(x, signs=torch.full((8,), 0.5)),
        lambda a: TR.fwht(a, signs=np.full(8, 0.5)),
    ),
    "fwht format": (lambda x: nt.fwht(x, fmt="fp9"), lambda a: TR.fwht(a, fmt="fp9")),
    "fwht float16": (lambda x: nt.fwht(x.half()), lambda a: TR.fwht(a.astype(np.float16))),
    "rdfft length": (
        lambda x: nt.rdfft_(x[:, :6].contiguous()),
        lambda a: TR.rdfft(a[:, :6].copy()),
    ),
    "rdfft rounding without fmt": (
        lambda x: nt.rdfft_(x, rounding="stochastic"),
        lambda a: TR.rdfft(a, rounding="stochastic"),
    ),
    "rdfft float32 data, float64 format": (
        lambda x: nt.rdfft_(x, fmt="float64"),
        lambda a: TR.rdfft(a, fmt="float64"),
    ),
    "irdfft format": (lambda x: nt.irdfft_(x, fmt="fp9"), lambda a: TR.irdfft(a, fmt="fp9")),
}


@pytest.mark.parametrize("case", list(SAME_ERRORS))
def test_bad_input_raises_what_numpy_raises(case):
    torch_call, numpy_call = SAME_ERRORS[case]
    x = randn(2, 8)
    keep = x.clone()
    with pytest.raises(Exception) as numpy_error:
        numpy_call(x.numpy().copy())
    with pytest.raises(Exception) as torch_error:
        torch_call(x)
    assert type(torch_error.value) is type(numpy_error.value)
    assert str(torch_error.value) == str(numpy_error.value)
    assert torch.equal(x, keep)  # an in-place op that rejects its input leaves it as it was


def test_custom_formats_everywhere():
    x = randn(4, 32, dtype=torch.float64)
    a = x.numpy()
    e3m2, mine = nm.Format(3, 2), nm.Format(4, 3, 7, inf=False, nan="fn", name="mine")
    for f in (e3m2, mine, nm.Format(5, 4)):
        assert np.array_equal(nt.cast(x, f).numpy(), nm.cast(a, f))
        spec = _ops.format_spec(f)
        back = _ops.resolve_format(spec)
        assert back == f and back.name == f.name and isinstance(spec, str)
    assert _ops.format_spec(nm.get_format("e4m3")) == "float8_e4m3fn"
    assert _ops.format_spec(mine) != "mine"  # not registered: the spec, not the label
    ref = nm.quantize_mx(a, e3m2, block_size=8).dequantize()
    assert np.array_equal(nt.quantize_mx(x, e3m2, block_size=8).numpy(), ref)
    i4 = nm.IntFormat(4, narrow=True)
    ref = nm.quantize(a, i4, channel_axis=0).dequantize()
    assert np.array_equal(nt.quantize(x, i4, channel_axis=0).numpy(), ref)
    h = x.clone()
    nt.rdfft_(h, fmt=e3m2)
    assert np.array_equal(h.numpy(), nm.transforms.rdfft(a.copy(), fmt=e3m2), equal_nan=True)
    assert np.array_equal(
        nt.fwht(x, fmt=e3m2).numpy(), nm.transforms.fwht(a.copy(), fmt=e3m2), equal_nan=True
    )
    # a Recipe operand may name its format by object too
    op = nt.Operand("cast", e3m2)
    assert np.array_equal(op.quantize(x, seed=0).numpy(), nm.cast(a, e3m2, saturate=True))


def test_seeds_outside_numpys_range_raise():
    x = randn(16)
    for seed in (2**64, -1):
        with pytest.raises(ValueError, match=r"seed must be in \[0, 2\*\*64\)"):
            nt.cast(x, "bf16", "stochastic", seed=seed)
    with pytest.raises(TypeError, match="seed must be an int"):
        nt.cast(x, "bf16", "stochastic", seed=1.5)
    with pytest.raises(TypeError, match="must hold an integer"):
        nt.cast(x, "bf16", "stochastic", seed=torch.tensor(1.5))
    with pytest.raises(ValueError, match="step must be in"):
        nt.counter_seed(1, 2**64)
    # the largest seed works, and differs from 0 (2**64 used to wrap to 0 silently)
    top = nt.cast(x, "bf16", "stochastic", seed=2**64 - 1)
    assert torch.equal(top, nt.cast(x, "bf16", "stochastic", seed=2**64 - 1))
    assert not torch.equal(top, nt.cast(x, "bf16", "stochastic", seed=0))
    # a seed above 2**63 with a tensor step: the same bits as with an int step
    s = nt.cast(x, "bf16", "stochastic", seed=2**63 + 5, step=torch.tensor(2))
    assert torch.equal(s, nt.cast(x, "bf16", "stochastic", seed=2**63 + 5, step=2))


def test_emulated_transforms_equal_numpy_and_take_the_exact_adjoint():
    x = randn(3, 16, dtype=torch.float64)
    for name in ("rdfft", "irdfft"):
        h = x.clone()
        getattr(nt, name + "_")(h, fmt="bfloat16", rounding="stochastic", seed=4, step=1)
        ref = getattr(nm.transforms, name)(
            x.numpy().copy(), fmt="bfloat16", rounding="stochastic", seed=nt.counter_seed(4, 1)
        )
        assert np.array_equal(h.numpy(), ref)
        # the gradient is the native transform's (straight through the roundings)
        xr = x.clone().requires_grad_()
        w = randn(3, 16, dtype=torch.float64)
        (g1,) = torch.autograd.grad((getattr(nt, name + "_")(xr * 1, fmt="e4m3") * w).sum(), xr)
        (g2,) = torch.autograd.grad((getattr(nt, name + "_")(xr * 1) * w).sum(), xr)
        assert torch.equal(g1, g2)
    s = torch.tensor([1.0, -1.0] * 8, dtype=torch.float64)
    got = nt.fwht(x, True, s, 8, fmt="bfloat16", rounding="stochastic", seed=2)
    ref = nm.transforms.fwht(
        x.numpy().copy(), True, s.numpy(), 8, fmt="bfloat16", rounding="stochastic",
        seed=nt.counter_seed(2),
    )  # fmt: skip
    assert np.array_equal(got.numpy(), ref)
    xr = x.clone().requires_grad_()
    (g1,) = torch.autograd.grad((nt.fwht(xr, True, s, 8, fmt="e4m3") * x).sum(), xr)
    (g2,) = torch.autograd.grad((nt.fwht(xr, True, s, 8) * x).sum(), xr)
    assert torch.equal(g1, g2)


def test_in_place_ops_bump_the_version_counter():
    """A tensor saved for backward and then transformed in place is caught, as with
    torch's own in-place ops."""
    x = randn(2, 8).requires_grad_()
    y = x * 1
    z = y.sin()  # saves y
    nt.rdfft_(y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    with torch.inference_mode():
        nt.rdfft_(torch.ones(2, 8))  # no version counters there


# --- the pure-torch path (other devices) -------------------------------------------------


def test_pure_torch_cast_matches_the_kernels_on_every_float16_value():
    """Every float16 value (as float32, and scaled to each format's max) through every
    named format float32 can hold, in every mode, saturating or not."""
    from numerics.torch._torch_cast import cast_torch

    x16 = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float32)
    modes = MODES + ["stochastic_equal"]
    for name in nm.format_names():
        f = nm.get_format(name)
        if f.mbits > 23 or f.emin - f.mbits < -149 or f.max > 3.4e38:
            continue
        scale = np.float32(f.max / 65504.0) if f.max > 65504 else np.float32(1.0)
        with np.errstate(invalid="ignore"):
            x = x16 * scale
        for mode in modes:
            for sat in (False, True):
                ref = nm.cast(x, f, mode, saturate=sat, seed=7)
                got = cast_torch(torch.from_numpy(x), f, mode, saturate=sat, seed=7).numpy()
                same = (ref.view(np.uint32) == got.view(np.uint32)) | (
                    np.isnan(ref) & np.isnan(got)
                )
                assert same.all(), (name, mode, sat, x[~same][:3], ref[~same][:3], got[~same][:3])


def test_pure_torch_cast_float64():
    from numerics.torch._torch_cast import cast_torch

    x = np.random.default_rng(0).standard_normal(4096) * 3
    x[:4] = [0.0, -0.0, np.inf, np.nan]
    for fmt in ("bfloat16", "float8_e4m3fn", "float32"):
        for mode in MODES:
            ref = nm.cast(x, fmt, mode, seed=3)
            got = cast_torch(torch.from_numpy(x), nm.get_format(fmt), mode, saturate=False, seed=3)
            assert np.array_equal(ref, got.numpy(), equal_nan=True)
