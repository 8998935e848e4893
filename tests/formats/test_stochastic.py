"""Stochastic rounding: distribution, unbiasedness, reproducibility, sr_bits."""

import numba
import numpy as np
import pytest

import numerics as nm
from numerics._core import cast_kernels, containers, params, random_words

E4M3 = "float8_e4m3fn"


def _binomial_ok(k, n, p, z=6.0):
    return abs(k / n - p) <= z * np.sqrt(p * (1 - p) / n) + 1 / n


@pytest.mark.parametrize("frac", [0.001, 0.25, 0.5, 0.7, 0.999])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probability_of_rounding_up_is_the_fractional_distance(frac, dtype):
    n = 40000
    x = np.full(n, 1.0 + frac * 0.125, dtype=dtype)  # ulp of e4m3 at 1 is 0.125
    frac = float((x[0] - 1.0) / 0.125)
    r = nm.cast(x, E4M3, "stochastic", seed=11)
    assert set(np.unique(r)) <= {1.0, 1.125}
    assert _binomial_ok(int((r == 1.125).sum()), n, frac)


@pytest.mark.parametrize("name", ["float8_e4m3fn", "float8_e5m2", "fp4", "bfloat16"])
def test_mean_is_unbiased(name):
    fmt = nm.get_format(name)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 64) * fmt.max / 4
    x = np.concatenate([x, rng.uniform(-4, 4, 16) * fmt.min_subnormal])  # subnormal range
    reps = 4000
    r = nm.cast(np.tile(x, reps), fmt, "stochastic", seed=3).reshape(reps, -1)
    lo = nm.cast(x, fmt, "down")
    hi = nm.cast(x, fmt, "up")
    sd = (hi - lo) / 2 / np.sqrt(reps)
    assert np.all(np.abs(r.mean(axis=0) - x) <= 6 * sd + 1e-300)
    assert np.all((r == lo) | (r == hi))


def test_deep_underflow_probability_is_exact():
    # below the smallest subnormal, 2**-9: rounds up with probability 0.375 exactly
    tiny = 2.0**-9 * 0.375
    x = np.full(200000, tiny)
    r = nm.cast(x, E4M3, "stochastic", seed=1)
    assert _binomial_ok(int((r > 0).sum()), x.size, 0.375)


@pytest.mark.parametrize("mode", ["stochastic", "stochastic_equal"])
def test_exact_values_never_move(mode):
    v = nm.get_format(E4M3).values()
    np.testing.assert_array_equal(nm.cast(np.tile(v, 50), E4M3, mode, seed=2), np.tile(v, 50))


def test_stochastic_equal_is_a_fair_coin():
    x = np.full(40000, 1.0 + 0.01 * 0.125)
    r = nm.cast(x, E4M3, "stochastic_equal", seed=9)
    assert _binomial_ok(int((r == 1.125).sum()), x.size, 0.5)


def test_same_seed_same_result_and_prefix_independence():
    rng = np.random.default_rng(5)
    x = rng.standard_normal(10000)
    a = nm.cast(x, E4M3, "stochastic", seed=123)
    np.testing.assert_array_equal(a, nm.cast(x, E4M3, "stochastic", seed=123))
    np.testing.assert_array_equal(a[:777], nm.cast(x[:777], E4M3, "stochastic", seed=123))
    np.testing.assert_array_equal(
        a.reshape(100, 100), nm.cast(x.reshape(100, 100), E4M3, "stochastic", seed=123)
    )
    assert not np.array_equal(a, nm.cast(x, E4M3, "stochastic", seed=124))
    g1 = nm.cast(x, E4M3, "stochastic", seed=np.random.default_rng(1))
    g2 = nm.cast(x, E4M3, "stochastic", seed=np.random.default_rng(1))
    np.testing.assert_array_equal(g1, g2)


def test_seed_none_draws_fresh_bits():
    x = np.full(1000, 1.06)
    assert not np.array_equal(nm.cast(x, E4M3, "sr"), nm.cast(x, E4M3, "sr"))


def test_independent_of_threads_and_chunking():
    rng = np.random.default_rng(8)
    x = rng.standard_normal(3 * cast_kernels.CHUNK + 123)
    # elements the branch-free pass leaves to the exact routine, in chunks 0 and 2 only
    x[[5, 2 * cast_kernels.CHUNK + 7, 3 * cast_kernels.CHUNK - 1]] = [1000.0, np.nan, -np.inf]
    fmt = nm.get_format(E4M3)
    P = params.params(
        fmt,
        nm.Rounding.STOCHASTIC,
        saturate=False,
        subnormals=True,
        sr_bits=None,
        container=containers.F64,
    )
    key = np.uint64(random_words.seed_key(42))
    serial = np.empty_like(x)
    cast_kernels.cast_range(x.view(np.uint64), serial.view(np.uint64), serial, P, key, 0, x.size)
    before = numba.get_num_threads()
    try:
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(threads)
            par = np.empty_like(x)
            cast_kernels.cast_chunks(x.view(np.uint64), par, P, key)
            np.testing.assert_array_equal(par, serial)
            # in place (no output bits: the vectorised loops of one array)
            par = x.copy()
            cast_kernels.cast_chunks(par.view(np.uint64), par, P, key, in_place=True)
            np.testing.assert_array_equal(par, serial)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(nm.cast(x, fmt, "stochastic", seed=42), serial)


@pytest.mark.parametrize("k", [1, 2, 4, 8])
def test_sr_bits_never_rounds_up_a_residual_below_2_to_minus_k(k):
    ulp = 0.125
    below = np.full(20000, 1.0 + ulp * (2.0**-k) * 0.999)
    assert (nm.cast(below, E4M3, "stochastic", seed=4, sr_bits=k) == 1.0).all()
    # a residual of exactly j/2**k ulp rounds up with probability j/2**k
    j = 2 ** (k - 1)
    at = np.full(40000, 1.0 + ulp * j / 2**k)
    r = nm.cast(at, E4M3, "stochastic", seed=4, sr_bits=k)
    assert _binomial_ok(int((r == 1.125).sum()), at.size, j / 2**k)


def test_stochastic_overflow_follows_ieee():
    x = np.full(10000, 460.0)  # between 448 and the next grid point, 480
    r = nm.cast(x, E4M3, "stochastic", seed=0)
    assert set(np.unique(r[~np.isnan(r)])) == {448.0} and np.isnan(r).any()
    rs = nm.cast(x, E4M3, "stochastic", seed=0, saturate=True)
    assert (rs == 448.0).all()
