"""Error-free transformations and operations rounded once, against Fractions."""

import math
from fractions import Fraction

import numpy as np
import pytest
from helpers import DETERMINISTIC
from hypothesis import given
from hypothesis import strategies as st
from reference import round_scalar

import numerics as nm
from numerics import arith

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-(2.0**900), max_value=2.0**900)


@given(finite, finite)
def test_two_sum_is_exact(a, b):
    s, e = arith.two_sum(a, b)
    assert s == a + b and Fraction(s) + Fraction(e) == Fraction(a) + Fraction(b)
    if abs(a) >= abs(b):
        assert arith.fast_two_sum(a, b) == (s, e)


small = st.floats(allow_nan=False, allow_infinity=False, min_value=-(2.0**490), max_value=2.0**490)


@given(small, small, st.sampled_from(["fma", "dekker"]))
def test_two_prod_is_exact(a, b, method):
    p, e = arith.two_prod(a, b, method=method)
    if abs(a * b) > 2.0**-960 or (a * b == 0 and (a == 0 or b == 0)):  # e does not underflow
        assert p == a * b and Fraction(p) + Fraction(e) == Fraction(a) * Fraction(b)


def test_eft_arrays_and_errors():
    s, e = arith.two_sum([1.0, 2.0], 2.0**-60)
    assert s.tolist() == [1.0, 2.0] and e.tolist() == [2.0**-60] * 2
    with pytest.raises(ValueError, match=r"\|a\| >= \|b\|"):
        arith.fast_two_sum(1.0, 2.0)
    with pytest.raises(ValueError, match="method"):
        arith.two_prod(1.0, 2.0, method="x")
    with pytest.raises(TypeError, match="real"):
        arith.two_sum(np.array([1j]), 1.0)


FORMATS = ["float8_e4m3fn", "float8_e5m2", "float6_e2m3fn", "float4_e2m1fn", "bfloat16",
           "float16", "binary8p3se"]  # fmt: skip
OPS = {
    "add": (2, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b),
    "mul": (2, lambda a, b: a * b),
    "div": (2, lambda a, b: a / b if b != 0 else None),
    "fma": (3, lambda a, b, c: a * b + c),
    "sqrt": (1, None),
}


def exact_value(name, xs):
    if name == "sqrt":
        return None
    return OPS[name][1](*[Fraction(x) for x in xs])


@given(
    st.sampled_from(FORMATS),
    st.sampled_from(list(OPS)),
    st.sampled_from(DETERMINISTIC),
    st.lists(st.integers(0, 2**16), min_size=3, max_size=3),
)
def test_every_op_rounds_the_exact_result_once(fmt_name, op, mode, picks):
    fmt = nm.get_format(fmt_name)
    vals = fmt.values()
    xs = [float(vals[p % vals.size]) for p in picks]
    n, _ = OPS[op]
    xs = xs[:n]
    if op == "sqrt":
        xs = [abs(xs[0])]
    got, err = getattr(arith, op)(*xs, fmt, mode, error=True)
    if op == "sqrt":
        ex = Fraction(math.sqrt(xs[0]))  # float64 sqrt; refine below
        r = Fraction(xs[0])
        # the reference rounds a value strictly between the float64 neighbours of sqrt
        if ex * ex != r:
            up = Fraction(np.nextafter(float(ex), np.inf)) if ex * ex < r else ex
            lo = ex if ex * ex < r else Fraction(np.nextafter(float(ex), 0))
            ex = (up + lo) / 2  # not a boundary of a format with <= 50 fraction bits
    else:
        ex = exact_value(op, xs)
        if ex is None:
            return
    want = round_scalar(ex, fmt, mode)
    assert (got == want) or (math.isnan(got) and math.isnan(want)), (xs, got, want)
    if math.isfinite(got) and op in ("add", "sub", "mul", "fma"):
        true_err = ex - Fraction(got)
        if Fraction(float(true_err)) == true_err:  # representable: exactly that
            assert Fraction(err) == true_err
        else:  # else within an ulp of it
            assert abs(Fraction(err) - true_err) <= Fraction(np.spacing(abs(err)))


def test_ops_shapes_dtypes_and_errors():
    r = arith.add(np.ones((2, 3)), np.arange(3.0), "fp8_e4m3")
    assert r.shape == (2, 3) and r.dtype == np.float64
    assert arith.add(1.0, 1.0, "e4m3") == 2.0
    assert arith.mul(300.0, 2.0, "float8_e4m3fn") != arith.mul(300.0, 2.0, "float8_e4m3fn")  # NaN
    assert arith.mul(300.0, 2.0, "float8_e4m3fn", saturate=True) == 448.0
    with pytest.raises(ValueError, match="50 fraction bits"):
        arith.add(1.0, 1.0, "float64")
    with pytest.raises(ValueError, match="unknown format"):
        arith.add(1.0, 1.0, "e9m9")
    with pytest.raises(TypeError, match="real"):
        arith.add("a", 1.0, "e4m3")


def test_stochastic_ops_are_unbiased_and_reproducible():
    a = np.full(20000, 1.0)
    b = np.full(20000, 0.3)
    r = arith.add(a, b, "bfloat16", "stochastic", seed=4)
    np.testing.assert_array_equal(r, arith.add(a, b, "bfloat16", "stochastic", seed=4))
    assert abs(r.mean() - 1.3) < 2e-4
    assert set(np.unique(r)) == {1.296875, 1.3046875}


# ----- argument checks (issue 12, item 11) ------------------------------------------------
def test_sum_axis_none_and_empty_sums():
    x = np.arange(6.0).reshape(2, 3)
    assert arith.sum(x, "bfloat16", axis=None) == 15.0  # a TypeError before
    assert arith.sum(x.T, "float16", axis=None, order="pairwise") == 15.0
    # empty sums are +0, as the dot of empty vectors is
    assert arith.dot([], [], "bfloat16") == 0.0
    assert arith.sum(np.array([]), "bfloat16") == 0.0  # a reshape error before
    np.testing.assert_array_equal(arith.sum(np.zeros((3, 0)), "float16"), np.zeros(3))
    assert arith.sum(np.zeros((0, 3)), "float16").shape == (0,)
    with pytest.raises(TypeError, match="axis must be an int or None"):
        arith.sum(x, "bfloat16", axis=(0, 1))
    with pytest.raises(ValueError, match="axis 2 is out of range.*2 dimensions"):
        arith.sum(x, "bfloat16", axis=2)


def test_arith_accepts_bfloat16_arrays():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    v = np.array([1.0, 2.0**-8, 3.0], ml_dtypes.bfloat16)  # as cast accepts them
    w = v.astype(np.float64)
    np.testing.assert_array_equal(arith.add(v, v, "bfloat16"), arith.add(w, w, "bfloat16"))
    assert arith.sum(v, "float32") == arith.sum(w, "float32")
    assert arith.dot(v, v, "float32") == arith.dot(w, w, "float32")
    m = v.reshape(3, 1)
    np.testing.assert_array_equal(
        arith.matmul(m, m.T, "float32"), arith.matmul(w.reshape(3, 1), w.reshape(1, 3), "float32")
    )
    with pytest.raises(TypeError, match="operand 0 must be real numbers, got complex128"):
        arith.add(np.ones(2, complex), 1.0, "bfloat16")
