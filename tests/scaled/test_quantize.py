"""Scaled casts of any format, integers with zero points and fixed point, against exact
rational references; idempotence and error bounds as hypothesis properties."""

from fractions import Fraction

import numba
import numpy as np
import pytest
from helpers import DETERMINISTIC
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reference import round_float32, round_int, round_scalar

import numerics as nm

F32 = nm.get_format("float32")


def f32_up(q: Fraction) -> float:
    """``q`` rounded up to float32, exactly."""
    return round_float32(q, "up")


def ref_scaled(x, fmt, scales, mode="nearest_even"):
    """Each element ``x / s`` rounded (saturating) into ``fmt``, times ``s``, exactly."""
    out = [
        float(Fraction(round_scalar(Fraction(float(v)) / Fraction(float(s)), fmt, mode, True))
              * Fraction(float(s)))
        for v, s in zip(np.ravel(x), np.ravel(scales), strict=True)
    ]  # fmt: skip
    return np.array(out).reshape(np.shape(x))


@pytest.mark.parametrize("elem", ["float8_e4m3fn", "float8_e5m2", "float6_e2m3fn", "bfloat16"])
@pytest.mark.parametrize("mode", DETERMINISTIC)
def test_quantize_float_elements_per_channel(elem, mode):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((4, 9)) * [[1e-3], [1.0], [1e3], [7.0]]).astype(np.float32)
    fmt = nm.get_format(elem)
    q = nm.quantize(x, elem, channel_axis=0, rounding=mode, stats=True)
    s = [f32_up(Fraction(float(np.abs(row).max())) / Fraction(fmt.max)) for row in x]
    np.testing.assert_array_equal(q.scales.ravel(), s)
    assert q.scales.shape == (4, 1)
    want = ref_scaled(x, fmt, np.repeat(np.array(s)[:, None], 9, axis=1), mode)
    np.testing.assert_array_equal(q.dequantize(np.float64), want)
    assert q.num_clipped == 0  # scales rounded up: nothing lies beyond max


@pytest.mark.parametrize("mode", DETERMINISTIC)
def test_quantize_blocks_and_tensor(mode):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 10)).astype(np.float64) * 100
    fmt = nm.get_format("e3m2")
    q = nm.quantize(x, fmt, block_size=4, axis=1, scale_format=None, rounding=mode)
    assert q.scales.shape == (3, 3)
    s = np.repeat(q.scales, 4, axis=1)[:, :10]
    amax = np.stack([np.abs(x[:, i : i + 4]).max(axis=1) for i in (0, 4, 8)], axis=1)
    np.testing.assert_array_equal(q.scales, amax / fmt.max)  # scale_format=None: exact
    np.testing.assert_array_equal(q.dequantize(), ref_scaled(x, fmt, s, mode))
    t = nm.quantize(x, fmt, rounding=mode)
    assert t.scales.shape == (1, 1) and t.granularity == "tensor"
    s = f32_up(Fraction(float(np.abs(x).max())) / Fraction(fmt.max))
    np.testing.assert_array_equal(t.dequantize(), ref_scaled(x, fmt, np.full(x.shape, s), mode))


def test_quantize_given_scales_and_specials():
    x = np.array([[1.0, np.nan, -np.inf, 3.0], [0.5, 2.0, -0.0, 1e9]], np.float32)
    q = nm.quantize(x, "float8_e4m3fn", channel_axis=0, scale=[[0.5], [2.0]], stats=True)
    got = q.dequantize()
    assert got[0, 0] == 1.0 and np.isnan(got[0, 1])
    assert got[0, 2] == -224.0  # -Inf saturates to -448 * 0.5
    assert got[1, 3] == 896.0 and np.signbit(got[1, 2])
    assert q.num_clipped == 2
    with pytest.raises(ValueError, match="not values of scale_format"):
        nm.quantize(x, "e4m3", scale=0.1)
    assert nm.quantize([1.0], "e4m3", scale=0.1, scale_format=None).scales.item() == 0.1
    with pytest.raises(ValueError, match="positive"):
        nm.quantize(x, "e4m3", scale=-1.0)
    with pytest.raises(ValueError, match="broadcast"):
        nm.quantize(x, "e4m3", channel_axis=0, scale=[1.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="zero points apply to integer"):
        nm.quantize(x, "e4m3", symmetric=False)
    with pytest.raises(ValueError, match="either channel_axis"):
        nm.quantize(x, "e4m3", channel_axis=0, block_size=2)
    with pytest.raises(ValueError, match="out of range"):
        nm.quantize(x, "e4m3", channel_axis=2)
    with pytest.raises(ValueError, match="block_size"):
        nm.quantize(x, "e4m3", block_size=0)
    with pytest.raises(ValueError, match="unknown format"):
        nm.quantize(x, "e9m9")
    with pytest.raises(TypeError, match="float"):
        nm.quantize(np.arange(3), "e4m3")


# ----- integers -------------------------------------------------------------------------------
def ref_int(x, scale, zp, qmin, qmax, mode):
    ks = [
        min(max(round_int(Fraction(float(v)) / Fraction(float(s)), mode) + int(z), qmin), qmax)
        for v, s, z in zip(np.ravel(x), np.ravel(scale), np.ravel(zp), strict=True)
    ]
    return np.array(ks).reshape(np.shape(x))


@pytest.mark.parametrize("bits", [2, 4, 8, 16])
@pytest.mark.parametrize("mode", DETERMINISTIC)
def test_int_symmetric_every_mode(bits, mode):
    rng = np.random.default_rng(bits)
    x = rng.standard_normal((3, 40)).astype(np.float32)
    x[0, :4] = [0.0, -0.0, 1e-30, -1e-30]
    q = nm.quantize_int(x, bits, channel_axis=0, rounding=mode)
    qmax = 2 ** (bits - 1) - 1
    s = [f32_up(Fraction(float(np.abs(r).max())) / qmax) for r in x]
    np.testing.assert_array_equal(q.scales.ravel(), s)
    s_full = np.repeat(np.array(s)[:, None], 40, axis=1)
    np.testing.assert_array_equal(q.codes, ref_int(x, s_full, np.zeros(x.shape), -qmax, qmax, mode))
    assert q.codes.dtype == (np.int8 if bits <= 8 else np.int16)
    np.testing.assert_array_equal(q.dequantize(np.float64), q.codes * s_full)


@pytest.mark.parametrize("mode", DETERMINISTIC)
@pytest.mark.parametrize("signed", [True, False])
def test_int_asymmetric_zero_points(mode, signed):
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 3, (2, 64)).astype(np.float32)
    x[1] = np.abs(x[1]) + 0.5  # all positive: the range is widened to hold 0
    q = nm.quantize_int(x, 4, signed=signed, symmetric=False, axis=1, group_size=32,
                        rounding=mode)  # fmt: skip
    qmin, qmax = (-8, 7) if signed else (0, 15)
    assert q.scales.shape == (2, 2) and q.zero_points.shape == (2, 2)
    for r in range(2):
        for g in range(2):
            v = x[r, g * 32 : (g + 1) * 32].astype(np.float64)
            lo, hi = min(v.min(), 0.0), max(v.max(), 0.0)
            s = f32_up((Fraction(hi) - Fraction(lo)) / (qmax - qmin))
            z = min(max(qmin - round_int(Fraction(lo) / Fraction(s), "nearest_even"), qmin), qmax)
            assert q.scales[r, g] == s and q.zero_points[r, g] == z
            want = ref_int(v, np.full(32, s), np.full(32, z), qmin, qmax, mode)
            np.testing.assert_array_equal(q.codes[r, g * 32 : (g + 1) * 32], want)
    np.testing.assert_array_equal(
        q.dequantize(np.float64),
        (q.codes - np.repeat(q.zero_points, 32, 1)) * np.repeat(q.scales, 32, 1),
    )


def test_int_full_range_and_given_zero_point():
    q = nm.quantize_int([-1.0, 1.0, 0.25], 8, narrow=False, scale=1 / 128, stats=True)
    assert q.codes.tolist() == [-128, 127, 32]
    assert q.num_clipped == 1  # 1.0 / (1/128) = 128 > 127
    q = nm.quantize_int([0.0, 1.0], 8, signed=False, scale=0.5, zero_point=250)
    assert q.codes.tolist() == [250, 252] and q.dequantize().tolist() == [0.0, 1.0]
    q = nm.quantize_int([10.0], 8, signed=False, scale=0.5, zero_point=250, stats=True)
    assert q.codes.tolist() == [255] and q.num_clipped == 1
    with pytest.raises(ValueError, match="NaN"):
        nm.quantize_int([np.nan], 8)
    with pytest.raises(ValueError, match="zero_point must lie"):
        nm.quantize_int([1.0], 8, scale=1.0, zero_point=200)
    with pytest.raises(ValueError, match="bits"):
        nm.quantize_int([1.0], 17)
    with pytest.raises(ValueError, match="zero_point"):
        nm.quantize_int([1.0], 8, symmetric=False, scale=1.0)


def test_int_stochastic_rounding():
    x = np.full(20000, 0.3, np.float32)
    q = nm.quantize_int(x, 4, scale=1.0, rounding="stochastic", seed=3)
    assert set(np.unique(q.codes)) == {0, 1}
    assert abs(q.codes.mean() - 0.3) < 0.01
    r = nm.quantize_int(x, 4, scale=1.0, rounding="stochastic", seed=3)
    np.testing.assert_array_equal(q.codes, r.codes)


def test_stochastic_rounding_is_independent_of_threads():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 512)).astype(np.float32)  # big enough for prange
    before = numba.get_num_threads()
    results = []
    try:
        for threads in {1, before}:
            numba.set_num_threads(threads)
            results.append(nm.quantize_mx(x, "e2m1", rounding="stochastic", seed=9).codes)
            results.append(nm.quantize_int(x, 4, channel_axis=0, rounding="sr", seed=9).codes)
    finally:
        numba.set_num_threads(before)
    for a, b in zip(results[::2], results[2::2], strict=False):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(results[1::2], results[3::2], strict=False):
        np.testing.assert_array_equal(a, b)


# ----- fixed point ----------------------------------------------------------------------------
def ref_fixed(x, wl, fl, signed, overflow, mode):
    qmin, qmax = (-(2 ** (wl - 1)), 2 ** (wl - 1) - 1) if signed else (0, 2**wl - 1)
    out = []
    for v in np.ravel(x):
        k = round_int(Fraction(float(v)) * Fraction(2) ** fl, mode)
        if overflow == "wrap":
            k = (k - qmin) % 2**wl + qmin
        else:
            k = min(max(k, qmin), qmax)
        out.append(k)
    return np.array(out).reshape(np.shape(x))


@pytest.mark.parametrize("mode", DETERMINISTIC)
@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
@pytest.mark.parametrize(
    "wl,fl,signed", [(8, 4, True), (4, 1, True), (12, -3, False), (32, 20, True)]
)
def test_fixed_point(mode, overflow, wl, fl, signed):
    rng = np.random.default_rng(wl)
    x = np.concatenate([
        rng.standard_normal(200) * 2.0 ** rng.integers(-12, 30, 200),
        [0.0, -0.0, 2.0**-fl / 2, -(2.0**-fl) / 2, 1.5 * 2.0**-fl, 2.0**60 + 2.0**40, -1e30,
         2.0**55 * 3, 7.5],
    ])  # fmt: skip
    q = nm.quantize_fixed(x, wl, fl, signed=signed, overflow=overflow, rounding=mode)
    np.testing.assert_array_equal(q.codes, ref_fixed(x, wl, fl, signed, overflow, mode))
    np.testing.assert_array_equal(q.dequantize(np.float64), q.codes * 2.0**-fl)
    assert q.nbytes == -(-len(x) * wl // 8)  # no stored scale


def test_fixed_point_errors():
    with pytest.raises(ValueError, match="NaN"):
        nm.quantize_fixed([np.nan], 8, 4)
    with pytest.raises(ValueError, match="Inf"):
        nm.quantize_fixed([np.inf], 8, 4, overflow="wrap")
    assert nm.quantize_fixed([np.inf], 8, 4).codes.tolist() == [127]
    with pytest.raises(ValueError, match="overflow"):
        nm.quantize_fixed([1.0], 8, 4, overflow="clip")
    with pytest.raises(ValueError, match="bits"):
        nm.quantize_fixed([1.0], 40, 4)


# ----- properties -------------------------------------------------------------------------------
finite32 = st.floats(-(2.0**60), 2.0**60, width=32)


@given(hnp.arrays(np.float32, (4, 32), elements=finite32),
       st.sampled_from(["e4m3", "e5m2", "e2m3", "e3m2", "e2m1", "int8"]),
       st.sampled_from(["floor", "ceil", "even", "rceil"]))  # fmt: skip
def test_mx_dequantize_quantize_is_idempotent(x, elem, mode):
    y = nm.quantize_mx(x, elem, scale_mode=mode).dequantize()
    z = nm.quantize_mx(y, elem, scale_mode=mode).dequantize()
    np.testing.assert_array_equal(z, y)


@given(hnp.arrays(np.float32, (3, 16), elements=finite32), st.sampled_from([2, 4, 8]))
def test_int_dequantize_quantize_is_idempotent(x, bits):
    # in float64: k * s with a float32 scale is not always a float32
    y = nm.quantize_int(x, bits, channel_axis=0).dequantize(np.float64)
    z = nm.quantize_int(y, bits, channel_axis=0).dequantize(np.float64)
    np.testing.assert_array_equal(z, y)


@given(hnp.arrays(np.float32, (4, 32), elements=finite32),
       st.sampled_from(["e4m3", "e5m2", "e2m3", "e2m1"]))  # fmt: skip
def test_mx_error_is_half_a_scaled_ulp(x, elem):
    fmt = nm.get_format(elem)
    q = nm.quantize_mx(x, elem, stats=True)
    y = q.dequantize(np.float64)
    s = np.repeat(q.scales, 32, axis=1)
    v = x.astype(np.float64) / s
    inside = np.abs(v) <= fmt.max
    e = np.maximum(np.floor(np.log2(np.where(v == 0, 1, np.abs(v)))), fmt.emin)
    half_ulp = 2.0 ** (e - fmt.mbits - 1) * s
    assert (np.abs(y - x)[inside] <= half_ulp[inside]).all()
    assert q.num_clipped == (~inside).sum()
    assert q.num_flushed == ((x != 0) & (y == 0)).sum()
    with pytest.raises(ValueError, match="stats=True"):
        _ = nm.quantize_mx(x, elem).clipped


@pytest.mark.parametrize("mode", DETERMINISTIC)
@pytest.mark.parametrize("elem", ["e2m1", "e4m3", "int8"])
def test_statistics_agree_across_kernel_paths(mode, elem):
    """The counts of the branch-free passes equal those of the exact fix-up routine,
    which stochastic_equal always takes (and its codes are those of some neighbour)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 64)).astype(np.float32) * np.exp2(rng.integers(-6, 6, (8, 1)))
    q = nm.quantize_mx(x, elem, rounding=mode, stats=True)
    s = np.repeat(q.scales, 32, axis=1)
    v = x.astype(np.float64) / s
    top = 127 / 64 if elem == "int8" else nm.get_format(elem).max
    assert q.num_clipped == (np.abs(v) > top).sum()
    assert q.num_flushed == ((x != 0) & (q.dequantize() == 0)).sum()
    g = nm.quantize_mx(x, elem, rounding="stochastic_equal", seed=1, stats=True)
    assert g.num_clipped == q.num_clipped


# ----- NaN and Inf groups, per-tensor groups (issue 12, item 4) ------------------------------
@pytest.mark.parametrize("elem", ["e4m3", "e5m2", "e2m1", "bf16"])
@pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
def test_quantize_nan_or_inf_makes_a_nan_group(elem, special):
    # the reproducer: [448, 1] before
    q = nm.quantize(np.array([special, 1.0]), elem)
    assert np.isnan(q.scales).all() and np.isnan(q.dequantize()).all()
    # per channel and per block: the other groups are untouched. With E8M0 scales every
    # value here is exact, so the clean groups read back as the data themselves.
    x = np.array([[1.0, 2.0, 4.0, 0.5], [1.0, special, 2.0, 0.25], [0.5, 1.0, 2.0, 4.0]])
    for kw in ({"channel_axis": 0}, {"block_size": 2}, {"axis": 1}):
        q = nm.quantize(x, elem, scale_format="e8m0", **kw)
        got = q.dequantize()
        bad = np.zeros(x.shape, bool)
        if "block_size" in kw:
            bad[1, :2] = True
        else:
            bad[1] = True
        assert np.isnan(got[bad]).all(), kw
        np.testing.assert_array_equal(got[~bad], x[~bad], err_msg=str(kw))
        nan_scales = np.isnan(q.scales)
        assert nan_scales.sum() == 1 and (q.scale_codes()[nan_scales] == 0xFF).all()


def test_quantize_integer_formats_refuse_inf_without_given_scales():
    with pytest.raises(ValueError, match="Inf.*int8"):
        nm.quantize(np.array([np.inf, 1.0]), "int8")
    with pytest.raises(ValueError, match="Inf"):
        nm.quantize_int(np.array([-np.inf, 1.0]), 4, symmetric=False)
    # with given scales Inf saturates, as every out-of-range element does
    q = nm.quantize(np.array([np.inf, 1.0]), "int8", scale=1.0)
    assert q.codes.tolist() == [127, 1]


def test_quantize_per_tensor_scale_covers_every_row():
    # the scale came from the first row alone: 40 saturated to 2
    x = np.array([[1.0, 2.0], [3.0, 40.0]])
    q = nm.quantize(x, "e4m3", scale_format="e8m0")  # 40 / 448 rounded up: 2**-3
    assert q.scales.ravel().tolist() == [0.125]
    np.testing.assert_array_equal(q.dequantize(), x)
    a = nm.quantize_int(np.array([[0.0, 1.0], [2.0, 3.0]]), 8, signed=False, symmetric=False)
    assert a.codes.max() == 255 and a.codes.min() == 0
    np.testing.assert_allclose(a.dequantize(), [[0, 1], [2, 3]], atol=3 / 255 / 2 * 1.0001)


def test_quantize_refuses_element_formats_and_block_sizes_it_cannot_hold():
    with pytest.raises(ValueError, match="50 fraction bits.*float64"):
        nm.quantize(np.ones(4), "float64")
    with pytest.raises(ValueError, match="block_size must be in 1..2\\*\\*62"):
        nm.quantize(np.ones(4), "e4m3", block_size=2**70)
