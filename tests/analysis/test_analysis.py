"""Metrics, bounds against measured errors (and their tightness), ErrorReport."""

import math
from fractions import Fraction

import numpy as np
import pytest

import numerics as nm
from numerics import analysis as an
from numerics import arith


def exact_sum(x):
    return float(np.sum([Fraction(v) for v in x]))


def test_metrics_on_known_values():
    assert an.abs_error([1.0, -2.0], [1.5, -2.0]).tolist() == [0.5, 0.0]
    assert an.rel_error([1.0, 0.0, 1.0], [2.0, 0.0, 0.0]).tolist() == [0.5, 0.0, math.inf]
    assert an.normwise_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert an.normwise_error([0.0, 5.0], [3.0, 4.0], ord=np.inf) == 0.75
    assert an.componentwise_error([1.0, 3.0], [2.0, 2.0]) == 0.5
    assert an.ulp_error([2.0**-9, 1.0 + 2**-3], [0.0, 1.0], "float8_e4m3fn").tolist() == [1.0, 1.0]
    assert an.sqnr([1.0], [1.0]) == math.inf
    m, se = an.bias(np.ones((4, 2)), [1.0, 0.5])
    assert m.tolist() == [0.0, 0.5] and se.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="do not match"):
        an.abs_error([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="numbers"):
        an.abs_error(["a"], [1.0])


def test_gamma_and_its_limits():
    u = 2.0**-11
    assert an.gamma(0, u) == 0 and an.gamma(3, u) == 3 * u / (1 - 3 * u)
    assert an.gamma(5, "float16") == an.gamma(5, u)
    with pytest.raises(ValueError, match="n u < 1"):
        an.gamma(2**11, u)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        an.gamma(3, 2.0)
    assert an.gamma_prob(100, u, lam=1) < an.gamma(100, u)
    assert an.prob_bound_confidence(100, u, lam=6) > 0.99
    with pytest.raises(ValueError, match="power of two"):
        an.fft_bound(12, u)


@pytest.mark.parametrize("fmt", ["float16", "bfloat16"])
@pytest.mark.parametrize("order", ["recursive", "pairwise", "blocked"])
def test_measured_summation_error_is_below_the_bound(fmt, order):
    rng = np.random.default_rng(1)
    u = nm.get_format(fmt).unit_roundoff
    for n in [n for n in (10, 100, 1000) if n * u < 1]:  # gamma_n needs n u < 1
        x = nm.cast(rng.uniform(-1, 1, n), fmt)
        got = arith.sum(x, fmt, order=order, block=16)
        bound = an.summation_bound(x, fmt, order, block=16)
        assert abs(got - exact_sum(x)) <= bound


def test_recursive_bound_is_tight_on_adversarial_data():
    # 1, then terms just below half an ulp of the running sum: every addition loses
    # nearly its whole term; the error nears (n - 1) u sum|x| within a factor of 3
    fmt = nm.get_format("bfloat16")
    u = fmt.unit_roundoff
    n = 40
    x = np.array([1.0] + [u * (1 - 2.0**-7)] * (n - 1))
    x = nm.cast(x, fmt)
    got = arith.sum(x, fmt)
    err = abs(got - exact_sum(x))
    bound = an.summation_bound(x, fmt, "recursive")
    assert got == 1.0 and bound / 3 < err <= bound


def test_stochastic_rounding_errors_follow_the_probabilistic_bound():
    fmt = "float16"
    rng = np.random.default_rng(2)
    x = nm.cast(rng.uniform(0, 1, 2000), fmt)
    ex = exact_sum(x)
    errs = [abs(arith.sum(x, fmt, rounding="stochastic", seed=s) - ex) for s in range(20)]
    pb = an.summation_bound(x, fmt, prob=True, lam=6)
    assert an.prob_bound_confidence(2000, fmt, lam=6) > 0.99
    # the deterministic bound is 40 sum|x| (n u = 0.98); the probabilistic one 0.14 sum|x|
    assert max(errs) <= pb < 0.2 * np.abs(x).sum() < an.summation_bound(x, fmt)
    m, se = an.bias([arith.sum(x, fmt, rounding="stochastic", seed=s) for s in range(40)], ex)
    assert abs(m) < 4 * se + 1e-12  # unbiased


def test_error_report_table_and_plot():
    r = an.compare([1.0, 2.125], [1.0, 2.0], "float8_e4m3fn", title="t", bounds={"bound": 0.2})
    text = r.table()
    assert text.splitlines()[0] == "t" and "componentwise / u: 1" in text
    assert r.column("ulps").tolist() == [0.0, 0.5]  # ulp(2) = 0.25 in e4m3
    with pytest.raises(KeyError, match="columns"):
        r.column("nope")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = r.plot("abs")
    assert ax.get_ylabel() == "abs" and len(ax.lines) == 2  # the errors and the bound
    assert str(r) == text


def test_pairwise_and_blocked_bounds_on_adversarial_data():
    fmt = nm.get_format("bfloat16")
    u = fmt.unit_roundoff
    d = float(nm.cast(u * (1 - 2.0**-7), fmt))  # just below half an ulp of 1
    # pairwise: every first-level pair (1, d) loses d; the bound is log2(n) times that
    n = 64
    x = np.array([1.0, d] * (n // 2))
    err = abs(arith.sum(x, fmt, order="pairwise") - exact_sum(x))
    bound = an.summation_bound(x, fmt, "pairwise")
    assert bound / (2 * np.log2(n)) < err <= bound
    # blocked: inside each block of 32, 1 then 31 terms that are each lost
    x = np.tile([1.0] + [d] * 31, 4)
    err = abs(arith.sum(x, fmt, order="blocked", block=32, outer="float32") - exact_sum(x))
    bound = an.summation_bound(x, fmt, "blocked", block=32, outer_u="float32")
    assert bound / 3 < err <= bound
