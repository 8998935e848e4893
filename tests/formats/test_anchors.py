"""Each bug of the anchor libraries (DESIGN.md section 3), written out: numerics
agrees with the exact answer where they do not."""

import math

import numpy as np
import pytest

import numerics as nm

E4M3 = "float8_e4m3fn"


def test_pychop_chop43_zeroes_256_to_500():
    # pychop Chop(4,3) returns 0 for all of [256, 500]; the exact answers:
    x = np.array([256.0, 288.0, 300.0, 448.0, 449.0, 464.0, 465.0, 500.0])
    np.testing.assert_array_equal(
        nm.cast(x, E4M3, saturate=True), [256, 288, 288, 448, 448, 448, 448, 448]
    )
    got = nm.cast(x, E4M3)
    np.testing.assert_array_equal(got[:6], [256, 288, 288, 448, 448, 448])
    assert np.isnan(got[6:]).all()  # past 464 overflow gives NaN: e4m3fn has no Inf
    assert nm.cast(70000.0, "float16") == math.inf  # pychop gives 0


def test_round_to_odd_keeps_exact_values():
    v = nm.get_format(E4M3).values()
    np.testing.assert_array_equal(nm.cast(v, E4M3, "odd"), v)  # pychop: 1.0 -> 1.125
    assert nm.cast(1.0 + 2**-20, E4M3, "odd") == 1.125
    assert nm.cast(1.125 + 2**-20, E4M3, "odd") == 1.125


def test_negative_ties_away_and_toward_zero_not_swapped():
    assert nm.cast(-1.0625, E4M3, "nearest_away") == -1.125
    assert nm.cast(-1.0625, E4M3, "toward_zero") == -1.0
    assert nm.cast(-1.0625, E4M3, "nearest_even") == -1.0
    assert nm.cast(-1.1875, E4M3, "nearest_even") == -1.25


def test_ties_are_exact_not_within_a_tolerance():
    # pychop detects ties with a 1e-6 tolerance
    assert nm.cast(1.0625 * (1 + 1e-9), E4M3) == 1.125
    assert nm.cast(1.0625 * (1 - 1e-9), E4M3) == 1.0


def test_underflow_does_not_double_round():
    # half the smallest subnormal plus a little rounds up; pychop rounds twice to 0
    assert nm.cast(2.0**-10 * (1 + 2**-30), E4M3) == 2.0**-9
    assert nm.cast(2.0**-10, E4M3) == 0.0
    assert nm.cast(3 * 2.0**-11, E4M3) == 2.0**-9


def test_qtorch_nearest_is_ties_to_even_and_max_is_448():
    assert nm.cast(1.0625, E4M3) == 1.0  # qtorch's "nearest" is ties-away: 1.125
    assert nm.cast(480.0, E4M3, saturate=True) == 448.0  # qtorch saturates at 480
    got = nm.cast(np.array([np.nan, np.inf, -np.inf]), E4M3)
    assert np.isnan(got).all()  # qtorch: NaN and Inf become +-480
    sat = nm.cast(np.array([np.nan, np.inf, -np.inf]), E4M3, saturate=True)
    assert np.isnan(sat[0]) and list(sat[1:]) == [448.0, -448.0]


def test_qtorch_stochastic_rounding_follows_the_seed():
    x = np.full(1000, 1.03)
    a = nm.cast(x, E4M3, "stochastic", seed=5)
    assert np.array_equal(a, nm.cast(x, E4M3, "stochastic", seed=5))
    assert not np.array_equal(a, nm.cast(x, E4M3, "stochastic", seed=6))


def test_float64_input_is_not_rounded_through_float32():
    # torch 2.13 lands on 1.0 (the next test), so did ml_dtypes 0.6; ml_dtypes 0.7
    # rounds once (test_differential.py)
    assert nm.cast(1.0625 + 2**-30, E4M3) == 1.125
    assert nm.cast(np.array([1.0625 + 2**-30]), E4M3)[0] == 1.125
    assert nm.encode(1.0625 + 2**-30, E4M3) == 0x39


def test_torch_double_rounds_float64_and_drops_the_e8m0_sign():
    # the claims of README.md and docs/comparison.rst, on the installed torch: if a
    # release fixes one, this fails and the claim must go
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0625 + 2**-30], dtype=torch.float64)
    assert x.to(torch.float8_e4m3fn).double().item() == 1.0  # numerics: 1.125
    e8m0 = torch.tensor([-2.0, 0.0]).to(torch.float8_e8m0fnu).double().tolist()
    assert e8m0 == [2.0, 2.0**-127]  # numerics: NaN, NaN


def test_e8m0_ties_to_even_keeps_signs_and_has_no_zero():
    e8m0 = "float8_e8m0fnu"
    # ml_dtypes rounds ties up: 3 -> 4; the even code is 2 (0x80)
    assert nm.cast(3.0, e8m0) == 2.0 and nm.cast(1.5, e8m0) == 2.0 and nm.cast(6.0, e8m0) == 8.0
    assert nm.encode(3.0, e8m0) == 128
    # torch drops the sign (-2 -> 2) and maps 0 to 2**-127
    assert math.isnan(nm.cast(-2.0, e8m0)) and math.isnan(nm.cast(0.0, e8m0))
    assert nm.cast(1e-40, e8m0) == 2.0**-127
    assert nm.cast(0.0, e8m0, saturate=True) == 2.0**-127


@pytest.mark.parametrize("name", ["fp4", "fp6_e2m3", "fp6_e3m2"])
def test_nan_stays_nan_in_formats_without_nan(name):
    # ml_dtypes gives -0, torchao +-1.5
    got = nm.cast(np.array([np.nan, -np.nan], dtype=np.float32), name)
    assert np.isnan(got).all()
    with pytest.raises(ValueError, match="has no NaN"):
        nm.encode(np.array([1.0, np.nan]), name)


def test_scalar_and_array_agree_on_nan():
    # gfloat's scalar round raises on NaN for fp4 while its array round returns NaN
    assert math.isnan(nm.cast(float("nan"), "fp4"))
    assert np.isnan(nm.cast(np.array([np.nan]), "fp4")).all()
    for x in (float("nan"), np.array([np.nan])):
        with pytest.raises(ValueError, match="has no NaN"):
            nm.encode(x, "fp4")
