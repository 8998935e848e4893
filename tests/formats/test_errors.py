"""Bad input gets a clear error; an in-place cast that refuses leaves x untouched."""

import numpy as np
import pytest

import numerics as nm


@pytest.mark.parametrize(
    "x, err, match",
    [
        (np.arange(4), TypeError, r"got int64; convert explicitly"),
        (np.ones(3, np.int8), TypeError, "got int8"),
        (np.ones(3, bool), TypeError, "got bool"),
        (np.ones(3, np.complex128), TypeError, "real and imaginary parts"),
        (np.array([1.0, None]), TypeError, "got object"),
        ("1.0", TypeError, "got str"),
        (True, TypeError, "got a bool"),
        (2**60 + 1, ValueError, "not exactly a float64"),
        ([2**60 + 1, 1], ValueError, "cannot represent exactly"),
    ],
)
def test_bad_data(x, err, match):
    with pytest.raises(err, match=match):
        nm.cast(x, "fp8_e4m3")
    with pytest.raises(err, match=match):
        nm.encode(x, "fp8_e4m3")


def test_lists_and_numbers_are_accepted():
    assert nm.cast([1, 2, 3], "fp4").tolist() == [1.0, 2.0, 3.0]
    assert nm.cast(5, "fp4") == 4.0 and isinstance(nm.cast(5, "fp4"), float)
    assert type(nm.cast(np.float32(0.3), "fp8_e4m3")) is np.float32


def test_unknown_format_and_mode():
    with pytest.raises(ValueError, match="unknown format 'fp9'"):
        nm.cast(1.0, "fp9")
    with pytest.raises(ValueError, match="unknown rounding mode 'nearest_odd'"):
        nm.cast(1.0, "fp4", "nearest_odd")
    with pytest.raises(TypeError, match="Format or a format name"):
        nm.cast(1.0, 8)


def test_bad_out():
    x = np.ones(4, np.float32)
    with pytest.raises(ValueError, match=r"out must have x's shape \(4,\) and dtype float32"):
        nm.cast(x, "fp4", out=np.empty(4, np.float64))
    with pytest.raises(ValueError, match="shape"):
        nm.cast(x, "fp4", out=np.empty(5, np.float32))
    with pytest.raises(TypeError, match="numpy array"):
        nm.cast(x, "fp4", out=[0.0] * 4)
    ro = np.ones(4, np.float32)
    ro.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        nm.cast(x, "fp4", out=ro)


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        (dict(rounding="nearest_even", sr_bits=4), ValueError, "stochastic rounding only"),
        (dict(rounding="stochastic", sr_bits=0), ValueError, "sr_bits must be in 1..64"),
        (dict(rounding="stochastic", sr_bits=65), ValueError, "sr_bits must be in 1..64"),
        (dict(rounding="stochastic", sr_bits=2.5), TypeError, "sr_bits must be an int"),
        (dict(rounding="stochastic", seed=-1), ValueError, r"seed must be in \[0, 2\*\*64\)"),
        (dict(rounding="stochastic", seed="a"), TypeError, "seed must be an int"),
    ],
)
def test_impossible_parameters_leave_in_place_input_untouched(kwargs, err, match):
    x = np.linspace(-3, 3, 11)
    before = x.copy()
    with pytest.raises(err, match=match):
        nm.cast(x, "fp4", out=x, **kwargs)
    np.testing.assert_array_equal(x, before)


def test_in_place():
    x = np.linspace(-3, 3, 11).astype(np.float32)
    ref = nm.cast(x, "fp4")
    r = nm.cast(x, "fp4", out=x)
    assert r is x
    np.testing.assert_array_equal(x, ref)
    y = np.linspace(-3, 3, 12).reshape(3, 4)[:, ::2]  # not contiguous
    ref = nm.cast(y.copy(), "fp4")
    nm.cast(y, "fp4", out=y)
    np.testing.assert_array_equal(y, ref)
    h = np.linspace(-3, 3, 7).astype(np.float16)
    nm.cast(h, "fp4", out=h)
    np.testing.assert_array_equal(h, nm.cast(np.linspace(-3, 3, 7), "fp4").astype(np.float16))


@pytest.mark.parametrize(
    "dtype, mode, n",
    [(dtype, mode, 5000) for dtype in (np.float32, np.float64)
     for mode in ("nearest_even", "up", "stochastic")]
    # the parallel kernel (in place: its own variant), with and without random words
    + [(np.float64, "nearest_even", 1 << 19), (np.float32, "stochastic", 1 << 19)],
)  # fmt: skip
def test_in_place_equals_out_of_place_on_every_kind_of_value(dtype, mode, n):
    specials = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -3e-3, 1e6, -470.0, 460.0]
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.standard_normal(n), specials * 300]).astype(dtype)
    rng.shuffle(x)
    for name in ("float8_e4m3fn", "float8_e5m2", "fp4", "e8m0"):
        ref = nm.cast(x, name, mode, seed=7)
        y = x.copy()
        nm.cast(y, name, mode, seed=7, out=y)
        np.testing.assert_array_equal(y.view(np.uint8), ref.view(np.uint8), err_msg=name)


def test_empty_and_zero_d():
    assert nm.cast(np.empty(0), "fp4").shape == (0,)
    z = nm.cast(np.array(1.3), "fp4")
    assert isinstance(z, np.ndarray) and z.shape == () and z == 1.5


def test_out_overlapping_x_gets_the_cast_of_x_as_it_was():
    buf = np.arange(1.0, 9.0)
    nm.cast(buf[:-1], "e4m3", out=buf[1:])  # the reproducer gave all ones
    assert buf.tolist() == [1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1000, 1 << 19])  # serial and parallel kernels
@pytest.mark.parametrize("shift", [1, -1, 1000])
def test_out_overlapping_x_shifted(dtype, n, shift):
    buf = np.random.default_rng(n).standard_normal(n + abs(shift)).astype(dtype) * 100
    x, out = (buf[:-shift], buf[shift:]) if shift > 0 else (buf[-shift:], buf[:shift])
    for mode in ("nearest_even", "stochastic"):
        ref = nm.cast(x.copy(), "float8_e4m3fn", mode, seed=5)
        assert nm.cast(x, "float8_e4m3fn", mode, seed=5, out=out) is out
        np.testing.assert_array_equal(out, ref)
        buf[:] = np.random.default_rng(n).standard_normal(buf.size) * 100


def test_out_reversed_view_of_x():
    x = np.linspace(-5, 5, 11)
    ref = nm.cast(x, "fp4")
    nm.cast(x, "fp4", out=x[::-1])
    np.testing.assert_array_equal(x, ref[::-1])


@pytest.mark.parametrize("native", [np.float16, np.float32, np.float64])
def test_non_native_byte_order(native):
    swapped = np.dtype(native).newbyteorder("S")
    values = [0.3, -1.7, 465.0, np.inf, np.nan, -0.0, 1e-3]
    x = np.array(values, swapped)
    ref = nm.cast(np.array(values, native), "float8_e4m3fn")
    got = nm.cast(x, "float8_e4m3fn")  # "must be ... float64 data, got float64" before
    assert got.dtype == native  # native, as numpy ufuncs return
    np.testing.assert_array_equal(got, ref)
    out = np.empty(len(values), swapped)
    assert nm.cast(np.array(values, native), "float8_e4m3fn", out=out) is out
    np.testing.assert_array_equal(out, ref)
    nm.cast(x, "float8_e4m3fn", out=x)  # in place keeps x's byte order
    assert x.dtype == swapped
    np.testing.assert_array_equal(x, ref)
    codes = nm.encode(np.array(values[:4], swapped), "float8_e4m3fn", saturate=True)
    np.testing.assert_array_equal(codes, nm.encode(values[:4], "float8_e4m3fn", saturate=True))
    as_swapped = nm.decode(
        codes.astype(np.dtype(np.uint16).newbyteorder("S")), "float8_e4m3fn", swapped
    )
    assert as_swapped.dtype == swapped
    np.testing.assert_array_equal(as_swapped, nm.decode(codes, "float8_e4m3fn", native))
