"""Every float16 value, cast into every named format of <= 8 bits, in every
deterministic mode, saturate on and off: equal to the exact reference."""

import numpy as np
import pytest
import reference as R
from helpers import DETERMINISTIC, SMALL_FORMATS, assert_same, float16_values

import numerics as nm

X16 = float16_values()


def _inputs(fmt):
    """float16 values as they are, scaled into the format's range, and scaled so that
    they cross its subnormals and its overflow threshold."""
    base = X16.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return [
            base,
            base * (fmt.max / 65504.0),
            base * (fmt.min_subnormal / 2.0**-24),
        ]


@pytest.mark.parametrize("name", SMALL_FORMATS)
@pytest.mark.parametrize("saturate", [False, True])
def test_every_float16_value(name, saturate):
    fmt = nm.get_format(name)
    for x in _inputs(fmt):
        for mode in DETERMINISTIC:
            ref = R.round_array(x, fmt, mode, saturate)
            got64 = nm.cast(x, fmt, mode, saturate=saturate)
            assert_same(got64, ref, x, f"{name} {mode} sat={saturate} float64")
            x32 = x.astype(np.float32)
            if np.array_equal(x32.astype(np.float64), x, equal_nan=True):
                got32 = nm.cast(x32, fmt, mode, saturate=saturate)
                assert got32.dtype == np.float32
                assert_same(got32, ref, x, f"{name} {mode} sat={saturate} float32")


@pytest.mark.parametrize("name", ["float8_e4m3fn", "float8_e5m2", "float6_e2m3fn", "fp4", "e8m0"])
def test_float16_input_keeps_dtype(name):
    fmt = nm.get_format(name)
    if name == "e8m0":
        with pytest.raises(ValueError, match="float16 cannot hold"):
            nm.cast(X16, fmt)
        return
    got = nm.cast(X16, fmt)
    assert got.dtype == np.float16
    assert_same(got, R.round_array(X16.astype(np.float64), fmt), X16, name)


@pytest.mark.parametrize("name", ["float8_e4m3fn", "float8_e5m2", "float6_e3m2fn", "binary8p3se"])
@pytest.mark.parametrize("mode", DETERMINISTIC)
def test_flush_to_zero(name, mode):
    fmt = nm.get_format(name)
    x = X16.astype(np.float64) * (fmt.min_normal / 2.0**-14)
    ref = R.round_array(x, fmt, mode, subnormals=False)
    got = nm.cast(x, fmt, mode, subnormals=False)
    assert_same(got, ref, x, f"{name} {mode} ftz")
    tiny = np.abs(got[np.isfinite(got)])
    assert not np.any((tiny > 0) & (tiny < fmt.min_normal))


@pytest.mark.parametrize("name", ["float8_e4m3fn", "float8_e5m2", "fp4", "float6_e2m3fn"])
@pytest.mark.parametrize("mode", DETERMINISTIC)
def test_float64_inputs_that_would_double_round(name, mode):
    """Midpoints and neighbours of midpoints in float64, most of which a float32
    intermediate would move onto the midpoint or across it."""
    fmt = nm.get_format(name)
    v = fmt.values()
    mids = (v[1:] + v[:-1]) / 2
    pts = np.concatenate([mids, v])
    x = np.concatenate([pts, np.nextafter(pts, np.inf), np.nextafter(pts, -np.inf)])
    x = np.concatenate([x, x + x * 2.0**-30, x - x * 2.0**-30])
    ref = R.round_array(x, fmt, mode)
    assert_same(nm.cast(x, fmt, mode), ref, x, f"{name} {mode}")


@pytest.mark.parametrize("name", ["bfloat16", "float16", "tf32"])
@pytest.mark.parametrize("mode", DETERMINISTIC)
def test_wide_formats_from_float32_and_float64(name, mode):
    """16-bit and wider formats: random float32/float64 inputs against the scalar
    Fraction reference (too many codes for the vectorised one's table)."""
    fmt = nm.get_format(name)
    rng = np.random.default_rng(7)
    x = rng.standard_normal(300) * np.exp2(rng.integers(-140, 128, 300) * 0.5)
    x = np.concatenate([x, [0.0, -0.0, np.inf, -np.inf, np.nan, 2.0**-133, -(2.0**-149)]])
    with np.errstate(over="ignore"):
        for xs in (x, x.astype(np.float32)):
            got = nm.cast(xs, fmt, mode)
            ref = [R.round_scalar(float(v), fmt, mode) for v in xs]
            assert_same(got, ref, xs, f"{name} {mode} {xs.dtype}")


def test_bfloat16_input_and_output():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    x = X16.astype(np.float32).astype(ml_dtypes.bfloat16)
    got = nm.cast(x, "float8_e4m3fn")
    assert got.dtype == x.dtype
    ref = R.round_array(x.astype(np.float64), nm.get_format("float8_e4m3fn"))
    assert_same(got.astype(np.float64), ref)


def test_float32_and_float64_formats_are_identity_on_their_own_data():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(1000) * 1e30
    x32 = x.astype(np.float32)
    assert_same(nm.cast(x32, "float32"), x32)
    assert_same(nm.cast(x, "float64"), x)
    assert_same(nm.cast(x32, "float64"), x32)  # every float32 is a float64
    assert_same(nm.cast(x, "float32"), x.astype(np.float32).astype(np.float64))
