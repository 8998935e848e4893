"""Differential tests against ml_dtypes and gfloat, as installed (ml_dtypes 0.7.0,
gfloat 0.5.2 when this was written). What each peer does differently is tested here as
the peer's current behaviour, so that a peer release that changes it fails a test and
the claims in README.md and docs/comparison.rst get revisited.

- ml_dtypes 0.7.0 rounds float64 input once, directly (0.6 rounded it through float32):
  compared on float64 values aimed at float32 ties. torch 2.13 still double-rounds
  (test_anchors.py).
- ml_dtypes turns NaN into -0 in fp6/fp4 (no NaN code); we keep NaN in the float
  container.
- ml_dtypes rounds E8M0 ties up; we round ties to the even code.
- gfloat raises on finite overflow into fp6/fp4 without saturation; we saturate (OCP).
- gfloat returns negative values for unsigned formats and 0 for E8M0; we give NaN.
- gfloat 0.5.2 has no deterministic round-to-odd (its ``StochasticOdd`` is stochastic
  rounding); its stochastic modes take caller-supplied random bits, ours draw
  counter-based bits, so SR is checked statistically (test_stochastic.py).
"""

import numpy as np
import pytest
from helpers import assert_same, float16_values

import numerics as nm

ml_dtypes = pytest.importorskip("ml_dtypes")
gfloat = pytest.importorskip("gfloat")


@pytest.mark.parametrize("name", [n for n in nm.ML_DTYPES_NAMES if n != "float8_e8m0fnu"])
def test_ml_dtypes_nearest_even_on_float32(name):
    fmt = nm.get_format(name)
    dt = getattr(ml_dtypes, name)
    x16 = float16_values().astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        for scale in (1.0, fmt.max / 65504.0, fmt.min_subnormal / 2.0**-24):
            x = (x16 * np.float32(scale)).astype(np.float32)
            theirs = x.astype(dt).astype(np.float32)
            ours = nm.cast(x, fmt)
            if not fmt.has_nan:  # ml_dtypes: NaN -> -0
                keep = ~np.isnan(x)
                x, theirs, ours = x[keep], theirs[keep], ours[keep]
            assert_same(ours, theirs, x, name)


def _tie_targets(fmt) -> np.ndarray:
    """float64 values within 2**-40 (relative) of a tie of ``fmt``, on both sides, and
    the ties: rounding them through float32 first lands on the tie, so a double
    rounding gets half of them wrong."""
    v = fmt.values()
    v = v[np.isfinite(v)]
    mid = (v[:-1] + v[1:]) / 2
    return np.concatenate([mid, mid * (1 + 2.0**-40), mid * (1 - 2.0**-40)])


@pytest.mark.parametrize("name", [n for n in nm.ML_DTYPES_NAMES if n != "float8_e8m0fnu"])
def test_ml_dtypes_rounds_float64_once(name):
    fmt = nm.get_format(name)
    x = _tie_targets(fmt)
    assert not np.array_equal(x, x.astype(np.float32))  # float32 would move them
    theirs = x.astype(getattr(ml_dtypes, name)).astype(np.float64)
    assert_same(nm.cast(x, fmt), theirs, x, f"{name} on float64 input")


@pytest.mark.parametrize("name", ["float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn"])
def test_ml_dtypes_turns_nan_into_minus_zero(name):
    theirs = np.array([np.nan], np.float32).astype(getattr(ml_dtypes, name))
    assert theirs.astype(np.float32).tolist() == [0.0]
    assert np.signbit(theirs.astype(np.float32)[0])
    assert np.isnan(nm.cast(np.array([np.nan], np.float32), name)).all()


def test_ml_dtypes_e8m0_differs_only_at_ties():
    x = np.ldexp(1.0, np.arange(-126, 127)).astype(np.float32)
    ties = x * np.float32(1.5)
    others = np.concatenate([x, x * np.float32(1.25), x * np.float32(1.75)])
    dt = ml_dtypes.float8_e8m0fnu
    with np.errstate(over="ignore"):
        assert_same(nm.cast(others, "e8m0"), others.astype(dt).astype(np.float32))
        theirs = ties.astype(dt).astype(np.float32)
    ours = nm.cast(ties, "e8m0")
    codes = nm.encode(ties, "e8m0")
    assert np.all(codes % 2 == 0)  # ties go to the even code
    assert np.all((ours == theirs) == (nm.encode(theirs, "e8m0") % 2 == 0))


MODES = {
    "nearest_even": "TiesToEven",
    "nearest_away": "TiesToAway",
    "toward_zero": "TowardZero",
    "up": "TowardPositive",
    "down": "TowardNegative",
}


def test_gfloat_has_no_round_to_odd():
    # when a gfloat release adds one, compare it in test_gfloat_round_ndarray (MODES)
    # and update docs/comparison.rst
    names = {m.name for m in gfloat.RoundMode}
    assert not {n for n in names if "odd" in n.lower() and "stochastic" not in n.lower()}
    assert "StochasticOdd" in names  # stochastic rounding, not round to odd


def _gfloat_pairs():
    from gfloat.formats import (
        format_info_ocp_e2m1,
        format_info_ocp_e2m3,
        format_info_ocp_e3m2,
        format_info_ocp_e4m3,
        format_info_ocp_e5m2,
    )

    pairs = [
        ("float8_e4m3fn", format_info_ocp_e4m3),
        ("float8_e5m2", format_info_ocp_e5m2),
        ("float6_e2m3fn", format_info_ocp_e2m3),
        ("float6_e3m2fn", format_info_ocp_e3m2),
        ("float4_e2m1fn", format_info_ocp_e2m1),
    ]
    pairs += [(fi.name, fi) for fi in gfloat.formats.p3109_binary8_formats if fi.is_signed]
    return pairs


@pytest.mark.parametrize("name, fi", _gfloat_pairs(), ids=lambda v: getattr(v, "name", v))
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("sat", [False, True])
def test_gfloat_round_ndarray(name, fi, mode, sat):
    fmt = nm.get_format(name)
    x = float16_values().astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        x = np.concatenate([x, x * (fmt.max / 65504.0), x * (fmt.min_subnormal / 2.0**-24)])
    x = x[~np.isnan(x)]
    if not sat and not fmt.has_nan and not fmt.inf:
        # gfloat raises on overflow here; compare the values it accepts
        hi = nm.cast(x, fmt, mode, saturate=True)
        lo_ok = nm.cast(x, fmt, mode)
        x = x[(np.abs(x) <= fmt.max) & np.isfinite(x) & (hi == lo_ok)]
    rnd = getattr(gfloat.RoundMode, MODES[mode])
    theirs = gfloat.round_ndarray(fi, x, rnd, sat)
    assert_same(nm.cast(x, fmt, mode, saturate=sat), theirs, x, f"{name} {mode} {sat}")
