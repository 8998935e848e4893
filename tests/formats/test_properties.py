"""Hypothesis: random formats and random float64 inputs."""

import math

import numpy as np
import reference as R
from helpers import DETERMINISTIC, assert_same
from hypothesis import assume, given
from hypothesis import strategies as st

import numerics as nm
from numerics import Format


@st.composite
def formats(draw, max_code_bits=18):
    ebits = draw(st.integers(1, 8))
    mbits = draw(st.integers(0, min(10, max_code_bits - ebits)))
    nan = draw(st.sampled_from(["ieee", "fn", "fnuz", "none"]))
    signed = draw(st.booleans())
    zero = draw(st.booleans()) if not signed and nan != "fnuz" else True
    subnormals = zero and draw(st.booleans())
    bias = draw(st.integers(-2, 2**ebits)) if ebits > 1 else draw(st.integers(-1, 2))
    kw = dict(signed=signed, inf=draw(st.booleans()), nan=nan, zero=zero, subnormals=subnormals)
    if nan == "fnuz" or not signed or not zero:
        kw["negzero"] = False
    try:
        return Format(ebits, mbits, bias, **kw)
    except ValueError:
        assume(False)


def inputs(fmt):
    scaled = st.floats(-1.5, 1.5).map(lambda t: t * fmt.max)
    tiny = st.floats(-4, 4).map(lambda t: t * fmt.min_subnormal)
    return st.one_of(st.floats(allow_nan=True, allow_infinity=True), scaled, tiny)


@given(data=st.data(), fmt=formats(max_code_bits=12))
def test_agrees_with_fraction_reference(data, fmt):
    xs = data.draw(st.lists(inputs(fmt), min_size=1, max_size=8))
    mode = data.draw(st.sampled_from(DETERMINISTIC))
    sat = data.draw(st.booleans())
    subn = data.draw(st.booleans())
    x = np.array(xs)
    got = nm.cast(x, fmt, mode, saturate=sat, subnormals=subn)
    ref = [R.round_scalar(v, fmt, mode, sat, subn) for v in xs]
    assert_same(got, ref, x, f"{fmt!r} {mode} sat={sat} subn={subn}")


@given(data=st.data(), fmt=formats())
def test_idempotent_monotone_and_between_neighbours(data, fmt):
    xs = data.draw(st.lists(inputs(fmt).filter(math.isfinite), min_size=2, max_size=8))
    x = np.sort(np.array(xs))
    mode = data.draw(st.sampled_from(DETERMINISTIC))
    r = nm.cast(x, fmt, mode, saturate=True)
    assert_same(nm.cast(r, fmt, mode, saturate=True), r, x, "idempotent")
    ok = ~np.isnan(r)
    assert np.all(np.diff(r[ok]) >= 0), "monotone"
    lo = nm.cast(x, fmt, "down", saturate=True)
    hi = nm.cast(x, fmt, "up", saturate=True)
    inrange = ok & (x >= fmt.min) & (x <= fmt.max)
    if not fmt.subnormals:  # flush to zero ignores the rounding direction, as hardware does
        inrange &= np.abs(x) >= fmt.min_normal
    if fmt.zero:
        assert np.all((lo <= x)[inrange]) and np.all((x <= hi)[inrange])
    assert np.all(((r == lo) | (r == hi))[inrange])
    if mode == "toward_zero":
        assert np.all((np.abs(r) <= np.abs(x))[inrange])


@given(
    x=st.floats(allow_nan=False, allow_infinity=False, width=64),
    name=st.sampled_from(["float8_e4m3fn", "float8_e5m2", "fp4", "bf16", "fp16", "e8m0"]),
)
def test_float64_input_never_double_rounds(x, name):
    """Rounding float64 directly equals the Fraction reference, while rounding through
    float32 first may not."""
    fmt = nm.get_format(name)
    with np.errstate(over="ignore"):
        assert_same(nm.cast(x, fmt), R.round_scalar(x, fmt), x, name)


def test_mode_properties_say_what_the_cast_does():
    """``is_nearest`` and ``is_stochastic`` against the casts themselves: between two
    bfloat16 neighbours (1 and 1 + 2**-7), a nearest mode takes a quarter of the way
    down and three quarters up, every time; a stochastic one gives both neighbours
    across repeated copies of one value; the others one result per value."""
    lower, gap = 1.0, 2.0**-7
    x = np.repeat([lower + gap / 4, lower + 3 * gap / 4], 256)
    for mode in nm.Rounding:
        y = nm.cast(x, "bfloat16", mode, seed=0)
        quarter, three_quarters = y[:256], y[256:]
        nearest = (quarter == lower).all() and (three_quarters == lower + gap).all()
        varies = len(set(quarter)) > 1 and len(set(three_quarters)) > 1
        assert mode.is_nearest == nearest, mode
        assert mode.is_stochastic == varies, mode
