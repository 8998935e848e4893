"""encode, decode, pack/unpack and the ml_dtypes bridge."""

import math

import numpy as np
import pytest
import reference as R
from helpers import SMALL_FORMATS, assert_same, float16_values

import numerics as nm


@pytest.mark.parametrize("name", SMALL_FORMATS)
def test_every_code_round_trips(name):
    fmt = nm.get_format(name)
    codes = np.arange(2**fmt.bits, dtype=nm.code_dtype(fmt))
    vals = nm.decode(codes, fmt, dtype=np.float64)
    nan = np.isnan(vals)
    back = nm.encode(vals[~nan], fmt)
    np.testing.assert_array_equal(back, codes[~nan])
    if fmt.has_nan:
        assert np.isnan(nm.decode(nm.encode(vals[nan], fmt), fmt)).all()
    # decode agrees with the exact decode of the reference, sign by sign
    mags = [float(v) for v in R.grid(*R.key(fmt))]
    n = len(mags)
    np.testing.assert_array_equal(vals[:n], mags)
    if fmt.signed:
        half = 2 ** (fmt.bits - 1)
        neg = vals[half : half + n]
        expect = [-v for v in mags]
        if not fmt.negzero:
            expect[0] = math.nan  # -0 code is NaN (fnuz) or unused
        assert_same(neg, expect)


@pytest.mark.parametrize("name", SMALL_FORMATS)
def test_decode_of_encode_is_cast(name):
    fmt = nm.get_format(name)
    x = float16_values().astype(np.float32)
    x = x[np.isfinite(x)] * np.float32(fmt.max / 65504.0)
    for mode in ("nearest_even", "up", "stochastic"):
        kw = dict(seed=1) if mode == "stochastic" else {}
        assert_same(
            nm.decode(nm.encode(x, fmt, mode, **kw), fmt, dtype=np.float64),
            nm.cast(x, fmt, mode, **kw),
        )


def test_against_ml_dtypes_bit_patterns():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    for name in nm.ML_DTYPES_NAMES:
        dt = np.dtype(getattr(ml_dtypes, name))
        fmt = nm.get_format(name)
        codes = np.arange(2**fmt.bits, dtype=np.uint16 if fmt.bits > 8 else np.uint8)
        theirs = codes.view(dt).astype(np.float64)
        assert_same(nm.decode(codes, fmt, dtype=np.float64), theirs, codes, name)


def test_wide_format_codes_are_ieee_bits():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1000) * 1e10
    np.testing.assert_array_equal(nm.encode(x, "float64"), x.view(np.uint64))
    x32 = x.astype(np.float32)
    np.testing.assert_array_equal(nm.encode(x32, "float32"), x32.view(np.uint32))
    np.testing.assert_array_equal(nm.decode(x32.view(np.uint32), "float32"), x32)
    assert nm.encode(-np.nan, "float64") == 0xFFF8000000000000
    h = x.astype(np.float16)
    np.testing.assert_array_equal(nm.encode(h, "float16"), h.view(np.uint16))
    tf = nm.encode(np.float32(1 + 2**-10 + 2**-12), "tf32")
    assert tf == (127 << 10) | 1 and nm.code_dtype("tf32") == np.uint32


def test_encode_rejects_what_the_format_cannot_hold():
    with pytest.raises(ValueError, match=r"float4_e2m1fn has no NaN.*flat index 1"):
        nm.encode(np.array([1.0, np.nan]), "fp4")
    with pytest.raises(ValueError, match="has no Inf.*saturate=True"):
        nm.encode(np.array([np.inf]), "float8_e4m3fn")
    with pytest.raises(ValueError, match="has no Inf"):
        nm.encode(-np.inf, "fp4")
    assert nm.encode(np.inf, "fp4", saturate=True) == 0b0111
    assert nm.encode(-np.inf, "float8_e4m3fn", saturate=True) == 0xFE
    assert nm.encode(1e9, "fp4") == 0b0111  # finite overflow saturates: fp4 has no Inf/NaN
    assert nm.encode(1e9, "float8_e4m3fn") == 0x7F  # NaN code
    assert nm.encode(np.nan, "float8_e4m3fnuz") == 0x80
    assert nm.encode(-np.nan, "float8_e4m3fn") == 0xFF
    assert nm.encode(np.inf, "float8_e5m2") == 0x7C


def test_encode_returns_int_for_scalars_and_keeps_shape():
    assert isinstance(nm.encode(1.0, "fp8_e4m3"), int)
    c = nm.encode(np.ones((2, 3), np.float32), "fp8_e4m3")
    assert c.shape == (2, 3) and c.dtype == np.uint8


def test_decode_checks_codes_and_dtype():
    with pytest.raises(ValueError, match=r"codes must be in \[0, 2\*\*4\)"):
        nm.decode([16], "fp4")
    with pytest.raises(ValueError, match=r"codes must be in"):
        nm.decode([-1], "fp4")
    with pytest.raises(TypeError, match="codes must be integers"):
        nm.decode([1.0], "fp4")
    with pytest.raises(ValueError, match="float16 cannot hold"):
        nm.decode([1], "bfloat16", dtype=np.float16)
    with pytest.raises(TypeError, match="float dtype"):
        nm.decode([1], "fp4", dtype=np.int32)
    assert nm.decode(np.uint8(0x38), "fp8_e4m3") == 1.0
    assert nm.decode([0x38], "fp8_e4m3", dtype=np.float16).dtype == np.float16


@pytest.mark.parametrize("bits", [2, 4])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 33])
def test_pack_round_trips(bits, n):
    rng = np.random.default_rng(n)
    codes = rng.integers(0, 2**bits, (3, n), dtype=np.uint8)
    packed = nm.pack(codes, bits=bits)
    per = 8 // bits
    assert packed.shape == (3, -(-n // per)) and packed.dtype == np.uint8
    np.testing.assert_array_equal(nm.unpack(packed, n, bits=bits), codes)


def test_pack_is_low_nibble_first_like_ml_dtypes():
    assert nm.pack([0x1, 0x2]).tolist() == [0x21]
    assert nm.pack([1, 2, 3, 0], bits=2).tolist() == [0b00111001]
    every = np.arange(16, dtype=np.uint8)
    np.testing.assert_array_equal(nm.unpack(nm.pack(every)), every)


def test_pack_errors():
    with pytest.raises(ValueError, match=r"codes must be in \[0, 16\)"):
        nm.pack([16])
    with pytest.raises(ValueError, match="bits=3"):
        nm.pack([1], bits=3)
    with pytest.raises(TypeError):
        nm.pack([1.0])
    with pytest.raises(TypeError, match="uint8"):
        nm.unpack(np.array([1], np.int32))
    with pytest.raises(ValueError, match="n=5"):
        nm.unpack(np.array([1], np.uint8), 5)


def test_ml_dtypes_interop():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    a = nm.as_ml_dtypes(np.array([1.0625 + 2**-30, -0.3]), "float8_e4m3fn")
    assert a.dtype == ml_dtypes.float8_e4m3fn
    np.testing.assert_array_equal(a.astype(np.float32), [1.125, -0.3125])
    up = nm.as_ml_dtypes([1.01], "bf16", "up")
    assert up.dtype == ml_dtypes.bfloat16 and float(up[0]) == 1.015625
    np.testing.assert_array_equal(nm.from_ml_dtypes(a), [1.125, -0.3125])
    with pytest.raises(ValueError, match="ml_dtypes has no dtype"):
        nm.as_ml_dtypes([1.0], "ue4m3")
