"""OCP MX and NVFP4 against direct transcriptions of their specifications.

The references below recompute every block from the formulas, in exact rationals
where rounding happens: per block, the absmax, the shared exponent by the scale mode,
then each element rounded into its format with ``reference.round_array`` (saturating),
never through numerics' kernels.
"""

import math
import zlib
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reference import floor_log2, round_array, round_float32, round_int

import numerics as nm

# emax_elem of each element format, from the OCP MX v1.0 specification
MX_EMAX = {"e4m3": 8, "e5m2": 15, "e2m3": 2, "e3m2": 4, "e2m1": 2, "int8": 0}
MODES = ("floor", "ceil", "even", "rceil")


def spec_exponent(amax: float, elem: str, mode: str) -> float:
    """The shared exponent, written from the definitions of the four scale modes."""
    if not math.isfinite(amax):
        return math.nan
    if amax == 0:
        return -127
    a = Fraction(amax)
    emax = MX_EMAX[elem]
    if mode == "floor":
        e = floor_log2(a) - emax
    elif mode == "ceil":
        fl = floor_log2(a)
        e = (fl if Fraction(2) ** fl == a else fl + 1) - emax
    elif mode == "even":
        mbits = 6 if elem == "int8" else nm.get_format(elem).mbits
        # amax rounded half up to the element's mbits fraction bits (torchao's EVEN)
        ulp = Fraction(2) ** (floor_log2(a) - mbits)
        e = floor_log2(math.floor(a / ulp + Fraction(1, 2)) * ulp) - emax
    else:  # rceil: the smallest power of two with amax / 2**e <= max_elem
        top = Fraction(127, 64) if elem == "int8" else Fraction(nm.get_format(elem).max)
        e = -200
        while top * Fraction(2) ** e < a:
            e += 1
    # E8M0 holds 2**-127 .. 2**127; beyond, the exponent clamps (the elements saturate)
    return min(max(e, -127), 127)


def spec_elements(v: np.ndarray, elem: str, rounding: str) -> np.ndarray:
    """Scaled values rounded into the element format, saturating."""
    if elem == "int8":  # MXINT8: k / 64 with |k| <= 127
        ks = [min(max(round_int(Fraction(float(t)) * 64, rounding), -127), 127) for t in v]
        return np.array(ks, dtype=np.float64) / 64
    return round_array(v, nm.get_format(elem), rounding, saturate=True)


def spec_mx(x, elem, mode="floor", block=32, axis=-1, rounding="nearest_even"):
    """Dequantized values and exponents of MX quantization, block by block."""
    xm = np.moveaxis(np.asarray(x, np.float64), axis, -1)
    n = xm.shape[-1]
    nb = -(-n // block)
    out = np.empty_like(xm)
    exps = np.empty(xm.shape[:-1] + (nb,))
    for idx in np.ndindex(xm.shape[:-1]):
        for k in range(nb):
            sl = slice(k * block, min(n, (k + 1) * block))
            v = xm[idx][sl]
            amax = float(np.max(np.abs(v))) if np.isfinite(v).all() else math.nan
            e = spec_exponent(amax, elem, mode)
            exps[(*idx, k)] = e
            if math.isnan(e):
                out[idx][sl] = np.nan
                continue
            scaled = np.array([float(Fraction(float(t)) / Fraction(2) ** e) for t in v])
            out[idx][sl] = spec_elements(scaled, elem, rounding) * 2.0**e
    return np.moveaxis(out, -1, axis), np.moveaxis(exps, -1, axis)


def check_mx(x, elem, mode="floor", block=32, axis=-1, rounding="nearest_even"):
    q = nm.quantize_mx(x, elem, block_size=block, axis=axis, scale_mode=mode, rounding=rounding)
    ref, exps = spec_mx(x, elem, mode, block, axis, rounding)
    got = q.dequantize(np.float64)
    np.testing.assert_array_equal(got, ref, err_msg=f"{elem} {mode} {rounding}")
    np.testing.assert_array_equal(np.log2(q.scales), exps)
    return q


def blocks_data(rng, shape, dtype=np.float32):
    """Normal data whose blocks have magnitudes spread over many binades."""
    x = rng.standard_normal(shape) * np.exp2(rng.integers(-20, 20, shape[:-1] + (1,)))
    return x.astype(dtype)


@pytest.mark.parametrize("elem", list(MX_EMAX))
@pytest.mark.parametrize("mode", MODES)
def test_mx_random_blocks_match_spec(elem, mode):
    rng = np.random.default_rng(zlib.crc32(f"{elem}{mode}".encode()))
    check_mx(blocks_data(rng, (5, 70)), elem, mode)  # 70: a short last block
    check_mx(blocks_data(rng, (40, 3)).T.copy().T, elem, mode, axis=0)


@pytest.mark.parametrize("elem", list(MX_EMAX))
@pytest.mark.parametrize("mode", MODES)
def test_mx_block_boundary_powers_of_two(elem, mode):
    # block maxima at, just below and just above powers of two and the element max
    top = 127 / 64 if elem == "int8" else nm.get_format(elem).max
    maxima = []
    for k in (-130, -126, -20, -1, 0, 1, 7, 20, 100, 126):
        for f in (1.0, 1 - 2.0**-24, 1 + 2.0**-23, top / 2 ** MX_EMAX[elem], 1.75, 1.9375):
            maxima.append(f * 2.0**k)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (len(maxima), 32))
    x[:, 5] = maxima
    x = x * np.array(maxima)[:, None]
    x[:, 5] = maxima
    x = x.astype(np.float32)
    check_mx(x, elem, mode)


def test_mx_clipping_case():
    x = np.array([957.0, 1.0], np.float32)
    q = nm.quantize_mx(x, "e4m3", stats=True)
    assert q.dequantize().tolist() == [896.0, 1.0]  # floor: 957 / 2 clips to 448
    assert q.num_clipped == 1 and q.clipped == 0.5
    r = nm.quantize_mx(x, "e4m3", scale_mode="rceil", stats=True)
    assert r.dequantize().tolist() == [960.0, 1.0]  # 957 / 4 = 239.25 rounds to 240
    assert r.num_clipped == 0
    check_mx(x, "e4m3", "floor")
    check_mx(x, "e4m3", "rceil")


@pytest.mark.parametrize("elem", list(MX_EMAX))
def test_mx_special_blocks(elem):
    x = np.zeros((6, 32), np.float32)
    x[0, 3] = np.nan  # a NaN block
    x[1, :] = 1.0
    x[1, 7] = -np.inf  # an Inf block
    # row 2: all zeros, including -0
    x[2, 4] = -0.0
    x[3, :] = np.float32(2.0**-140) * np.arange(32)  # float32 subnormals only
    x[4, :5] = [2.0**-149, -(2.0**-149), 3 * 2.0**-149, 2.0**-127, -(2.0**-126)]
    x[5, :] = np.float32(3.0e38) * np.linspace(-1, 1, 32)  # near float32's max
    for mode in MODES:
        q = check_mx(x, elem, mode)
        assert np.isnan(q.scales[:2]).all() and np.isnan(q.dequantize()[:2]).all()
        assert q.scale_codes()[:2].tolist() == [[255], [255]]
        assert q.scales[2, 0] == 2.0**-127 and q.scale_codes()[2, 0] == 0
        assert (q.dequantize()[2] == 0).all()


def test_mx_float64_input_is_rounded_once():
    # 1 + 2**-30 would round to 1.0 through float32, then the tie 1.0625 to even
    x = np.array([1.0625 + 2.0**-30, 1.0], np.float64)
    q = nm.quantize_mx(x, "e4m3")
    assert q.dequantize().tolist() == [1.125, 1.0]
    assert q.dequantize().dtype == np.float64
    # an exponent beyond E8M0 clamps to 127 and the elements saturate: finite data
    # never make a NaN block
    big = nm.quantize_mx(np.array([1e300, 1.0]), "e4m3", stats=True)
    assert big.scales.tolist() == [2.0**127]
    assert big.dequantize().tolist() == [448 * 2.0**127, 0.0] and big.clipped == 0.5


@pytest.mark.parametrize("rounding", ["nearest_away", "toward_zero", "up", "down", "odd"])
@pytest.mark.parametrize("elem", ["e4m3", "e2m1", "e3m2", "int8"])
def test_mx_every_rounding_mode(elem, rounding):
    rng = np.random.default_rng(7)
    check_mx(blocks_data(rng, (4, 64)), elem, "floor", rounding=rounding)
    check_mx(blocks_data(rng, (4, 64)), elem, "rceil", rounding=rounding)


@pytest.mark.parametrize("elem", ["e4m3", "e2m1", "int8"])
def test_mx_stochastic_rounding_is_the_cast_of_the_scaled_block(elem):
    # with a power-of-two scale, SR of x / 2**e draws the same bits as cast() does
    rng = np.random.default_rng(3)
    x = blocks_data(rng, (4, 64))
    q = nm.quantize_mx(x, elem, rounding="stochastic", seed=11)
    scale = np.repeat(q.scales, 32, axis=1)
    fmt = nm.MXINT8.grid() if elem == "int8" else nm.get_format(elem)
    scaled = x.astype(np.float64) / scale
    ref = nm.cast(scaled, fmt, "stochastic", saturate=True, seed=11)
    if elem == "int8":
        ref = np.clip(ref, -127 / 64, 127 / 64)
    np.testing.assert_array_equal(q.dequantize(np.float64), ref * scale)
    # reproducible, and different for another seed
    again = nm.quantize_mx(x, elem, rounding="stochastic", seed=11)
    np.testing.assert_array_equal(again.codes, q.codes)
    other = nm.quantize_mx(x, elem, rounding="stochastic", seed=12)
    assert (other.codes != q.codes).any()


def test_mx_stochastic_rounding_is_unbiased():
    x = np.full((2000, 32), 0.3, np.float32)
    x[:, 0] = 1.0
    q = nm.quantize_mx(x, "e2m1", rounding="stochastic", seed=5)
    mean = q.dequantize(np.float64)[:, 1:].mean()
    assert abs(mean - 0.3) < 0.005  # RNE would give 0.25


def test_mx_nd_and_axes():
    rng = np.random.default_rng(9)
    x = blocks_data(rng, (3, 4, 40))
    for axis in (0, 1, 2, -1):
        q = nm.quantize_mx(x, "e3m2", axis=axis, block_size=8)
        assert q.codes.shape == x.shape
        expected = list(x.shape)
        expected[axis] = -(-x.shape[axis] // 8)
        assert q.scales.shape == tuple(expected)
        ref, _ = spec_mx(x, "e3m2", block=8, axis=axis)
        np.testing.assert_array_equal(q.dequantize(np.float64), ref)


def test_mx_dtypes():
    x = np.array([0.1, -3.0, 500.0], np.float16)
    q = nm.quantize_mx(x, "e4m3")
    assert q.dequantize().dtype == np.float16
    np.testing.assert_array_equal(q.dequantize(np.float64), spec_mx(x, "e4m3")[0])
    y = nm.quantize_mx([0.1, -3.0, 500.0], "e4m3").dequantize()
    assert y.dtype == np.float64


def test_bfp_is_mxint_of_its_width():
    rng = np.random.default_rng(2)
    x = blocks_data(rng, (6, 64))
    q = nm.quantize_bfp(x, 8, block_size=32)
    np.testing.assert_array_equal(q.codes, nm.quantize_mx(x, "int8").codes)
    for bits in (2, 4, 12):
        q = nm.quantize_bfp(x, bits, block_size=16)
        qmax = 2 ** (bits - 1) - 1
        assert np.abs(q.codes).max() <= qmax
        v = x.astype(np.float64).reshape(6, 4, 16)
        e = np.floor(np.log2(np.abs(v).max(axis=2, keepdims=True)))
        ks = np.array(
            [round_int(Fraction(float(t)) / Fraction(2.0 ** (ee - bits + 2)), "nearest_even")
             for t, ee in zip(v.ravel(), np.broadcast_to(e, v.shape).ravel(), strict=True)]
        ).reshape(v.shape)  # fmt: skip
        np.testing.assert_array_equal(q.codes.reshape(v.shape), np.clip(ks, -qmax, qmax))


# ----- differential: gfloat's block quantizer --------------------------------------------
gfloat = pytest.importorskip("gfloat")


@pytest.mark.parametrize(
    "elem,gname",
    [("e4m3", "format_info_ocp_e4m3"), ("e5m2", "format_info_ocp_e5m2"),
     ("e2m3", "format_info_ocp_e2m3"), ("e3m2", "format_info_ocp_e3m2"),
     ("e2m1", "format_info_ocp_e2m1")],
)  # fmt: skip
def test_mx_matches_gfloat_quantize_block(elem, gname):
    """gfloat's quantize_block with compute_scale_amax is the spec's floor rule. It
    differs deliberately on NaN (its log2 of a NaN max raises warnings and yields NaN
    elements only by accident), so the data here are finite float32."""
    from gfloat import formats
    from gfloat.block import BlockFormatInfo, compute_scale_amax, quantize_block

    fi = BlockFormatInfo("mx", getattr(formats, gname), 32, formats.format_info_ocp_e8m0)
    rng = np.random.default_rng(4)
    x = blocks_data(rng, (30, 32)).astype(np.float64)
    ours = nm.quantize_mx(x, elem).dequantize()
    for row, got in zip(x, ours, strict=True):
        np.testing.assert_array_equal(got, quantize_block(fi, row, compute_scale_amax))


# ----- NVFP4 --------------------------------------------------------------------------------
E4M3 = nm.get_format("float8_e4m3fn")
FP4 = nm.get_format("float4_e2m1fn")


def spec_nvfp4(x, tensor_scale=True, scale_rounding="nearest", lo=2.0**-9):
    """NVFP4 block by block: s_t = fp32(amax / 2688); scale = e4m3(amax_b / 6 / s_t)."""
    x = np.asarray(x, np.float64)
    fin = x[np.isfinite(x)]
    amax = float(np.abs(fin).max()) if fin.size else 0.0
    mode = "nearest_even" if scale_rounding == "nearest" else "up"
    s_t = 1.0
    if tensor_scale and amax > 0:  # float32(amax / 2688), rounded like the block scales
        s_t = round_float32(Fraction(amax) / 2688, mode)
    out = np.empty_like(x)
    n = x.shape[-1]
    scales = []
    for idx in np.ndindex(x.shape[:-1]):
        for k in range(0, n, 16):
            v = x[idx][k : k + 16]
            if not np.isfinite(v).all():
                out[idx][k : k + 16] = np.nan
                scales.append(np.nan)
                continue
            ab = Fraction(float(np.abs(v).max()))
            want = float(ab / 6 / Fraction(s_t))
            # the exact quotient's rounding: the float64 quotient is exact here or the
            # reference rounds the nearest float64, whose e4m3 rounding is the same
            s = float(round_array(np.array([want]), E4M3, mode, saturate=True)[0])
            if ab > 0:
                s = max(s, lo)
            scales.append(s)
            if s == 0:
                out[idx][k : k + 16] = 0.0
                continue
            d = Fraction(s) * Fraction(s_t)
            scaled = np.array([float(Fraction(float(t)) / d) for t in v])
            out[idx][k : k + 16] = round_array(scaled, FP4, saturate=True) * float(d)
    return out, np.array(scales), s_t


@pytest.mark.parametrize("scale_rounding", ["nearest", "up"])
@pytest.mark.parametrize("tensor_scale", [True, False])
def test_nvfp4_matches_formula(scale_rounding, tensor_scale):
    rng = np.random.default_rng(8)
    x = blocks_data(rng, (6, 48))
    x[2, :16] = 0
    q = nm.quantize_nvfp4(x, tensor_scale=tensor_scale, scale_rounding=scale_rounding)
    ref, scales, s_t = spec_nvfp4(x, tensor_scale, scale_rounding)
    np.testing.assert_array_equal(q.dequantize(np.float64), ref)
    np.testing.assert_array_equal(q.scales.ravel(), scales)
    assert q.tensor_scale == (s_t if tensor_scale else None)
    assert q.scales[2, 0] == 0 and (q.dequantize()[2, :16] == 0).all()


@given(
    hnp.arrays(np.float32, (3, 32), elements=st.floats(-(2.0**100), 2.0**100, width=32)),
    st.booleans(),
)
def test_nvfp4_up_never_clips(x, tensor_scale):
    q = nm.quantize_nvfp4(x, scale_rounding="up", tensor_scale=tensor_scale, stats=True)
    if tensor_scale:
        assert q.num_clipped == 0
    ref, _, _ = spec_nvfp4(x, tensor_scale, "up")
    np.testing.assert_array_equal(q.dequantize(np.float64), ref)


def test_nvfp4_options_and_specials():
    x = np.ones((2, 16), np.float32)
    x[1, 3] = np.nan
    q = nm.quantize_nvfp4(x)
    assert np.isnan(q.scales[1]).all() and np.isnan(q.dequantize()[1]).all()
    assert q.scale_codes()[1, 0] == 0x7F
    assert (q.dequantize()[0] == 1).all()
    # tiny blocks keep a nonzero scale, at the floor chosen
    t = np.full((1, 16), 1e-6, np.float32)
    assert nm.quantize_nvfp4(t, tensor_scale=False).scales.item() == 2.0**-9
    assert nm.quantize_nvfp4(t, tensor_scale=False, min_block_scale=2.0**-6).scales.item() == (
        2.0**-6
    )
    ref, _, _ = spec_nvfp4(t, False, lo=2.0**-6)
    got = nm.quantize_nvfp4(t, tensor_scale=False, min_block_scale=2.0**-6).dequantize(np.float64)
    np.testing.assert_array_equal(got, ref)
    with pytest.raises(ValueError, match="scale_rounding"):
        nm.quantize_nvfp4(x, scale_rounding="down")
    with pytest.raises(ValueError, match="tensor_scale"):
        nm.quantize_nvfp4(x, tensor_scale=0.1)  # not a float32 value
    with pytest.raises(ValueError, match="min_block_scale"):
        nm.quantize_nvfp4(x, min_block_scale=1e-9)
    assert nm.quantize_nvfp4(x, tensor_scale=float(np.float32(0.1))).tensor_scale == float(
        np.float32(0.1)
    )


# ----- the top of float32's range (issue 12, item 9) -------------------------------------
F32_MAX = float(np.finfo(np.float32).max)


@pytest.mark.parametrize("elem", list(MX_EMAX))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("top", [3e38, F32_MAX])
def test_mx_top_of_float32_is_finite(elem, mode, top):
    """Finite float32 data give a finite E8M0 scale in every mode (the exponent clamps
    at 127, the elements saturate), and a float32 dequantization saturates where an
    element rounded up past 2**128 (MXFP4 at 3e38 under rceil: 4 * 2**126)."""
    x = (np.float32(top) * np.linspace(-1, 1, 32)).astype(np.float32)
    x[-1] = np.float32(top)
    q = check_mx(x, elem, mode)  # exact values and exponents against the spec
    assert np.isfinite(q.scales).all() and q.scale_codes().max() <= 254
    ref, _ = spec_mx(x, elem, mode)
    want = np.clip(ref, -F32_MAX, F32_MAX).astype(np.float32)  # saturating, then RNE
    got = q.dequantize()
    assert got.dtype == np.float32 and np.isfinite(got).all()
    np.testing.assert_array_equal(got, want)


def test_mx_refuses_elements_and_blocks_it_cannot_hold():
    with pytest.raises(ValueError, match="50 fraction bits.*float64"):
        nm.quantize_mx(np.ones(32), "float64")
    with pytest.raises(ValueError, match="block_size must be in 1..2\\*\\*62"):
        nm.quantize_mx(np.ones(32), "e4m3", block_size=2**70)
    with pytest.raises(ValueError, match="block_size"):
        nm.quantize_bfp(np.ones(32), 8, block_size=2**70)
