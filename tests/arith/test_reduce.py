"""Emulated reductions against explicit references that round every step."""

from fractions import Fraction

import numpy as np
import pytest
from reference import round_scalar

import numerics as nm
from numerics import arith


def rnd(v, fmt):
    return round_scalar(Fraction(v), nm.get_format(fmt))


def ref_recursive(t, fmt):
    s = 0.0
    for v in t:
        s = rnd(Fraction(s) + Fraction(v), fmt)
    return s


def ref_pairwise(t, fmt):
    t = [float(v) for v in t]
    w = 1
    while w < len(t):
        for i in range(0, len(t) - w, 2 * w):
            t[i] = rnd(Fraction(t[i]) + Fraction(t[i + w]), fmt)
        w *= 2
    return rnd(t[0], fmt) if len(t) == 1 else t[0]


def ref_blocked(t, fmt, block, outer):
    parts = [ref_recursive(t[i : i + block], fmt) for i in range(0, len(t), block)]
    return ref_recursive(parts, outer)


def ref_kahan(t, fmt):
    s, c = 0.0, 0.0
    for v in t:
        y = rnd(Fraction(v) - Fraction(c), fmt)
        tt = rnd(Fraction(s) + Fraction(y), fmt)
        c = rnd(Fraction(rnd(Fraction(tt) - Fraction(s), fmt)) - Fraction(y), fmt)
        s = tt
    return s


def test_recursive_float16_equals_a_numpy_float16_loop():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3000)).astype(np.float16)
    got = arith.sum(x.astype(np.float64), "float16")
    for r in range(5):
        acc = np.float16(0)
        for v in x[r]:
            acc = np.float16(acc + v)  # numpy rounds each float16 add once
        assert got[r] == float(acc)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16, 33])
@pytest.mark.parametrize("fmt", ["float8_e4m3fn", "bfloat16", "float16"])
def test_orders_against_step_by_step_references(n, fmt):
    rng = np.random.default_rng(n)
    t = nm.cast(rng.standard_normal(n) * 3, fmt)
    assert arith.sum(t, fmt) == ref_recursive(t, fmt)
    assert arith.sum(t, fmt, order="pairwise") == ref_pairwise(t, fmt)
    got = arith.sum(t, fmt, order="blocked", block=4, outer="float16")
    assert got == ref_blocked(t, fmt, 4, "float16")
    assert arith.sum(t, fmt, compensated=True) == ref_kahan(t, fmt)


def test_dot_and_matmul_against_references():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((4, 37))
    B = rng.standard_normal((37, 3))
    C = arith.matmul(A, B, "float16", fmt_in="float8_e4m3fn", fmt_prod="bfloat16",
                     order="blocked", block=8, outer="bfloat16")  # fmt: skip
    a = nm.cast(A, "float8_e4m3fn")
    b = nm.cast(B, "float8_e4m3fn")
    for i in range(4):
        for j in range(3):
            prods = [rnd(Fraction(a[i, q]) * Fraction(b[q, j]), "bfloat16") for q in range(37)]
            assert C[i, j] == ref_blocked(prods, "float16", 8, "bfloat16")
    d = arith.dot(A[0], B[:, 0], "bfloat16", fmt_in="e4m3")
    exact = [float(Fraction(a[0, q]) * Fraction(b[q, 0])) for q in range(37)]
    assert d == ref_recursive(exact, "bfloat16")


def test_stochastic_rounding_does_not_stagnate():
    ones = np.ones(2**14)
    assert arith.sum(ones, "float16") == 2048.0
    sums = [arith.sum(ones, "float16", rounding="stochastic", seed=s) for s in range(40)]
    assert abs(np.mean(sums) - 2**14) < 0.01 * 2**14
    assert arith.sum(ones, "float16", rounding="stochastic", seed=1) == sums[1]


def test_compensated_sum_beats_its_bound():
    rng = np.random.default_rng(5)
    x = nm.cast(rng.uniform(0, 1, 4000), "bfloat16")
    exact = float(np.sum([Fraction(v) for v in x]))
    k = arith.sum(x, "bfloat16", compensated=True)
    r = arith.sum(x, "bfloat16")
    u = nm.get_format("bfloat16").unit_roundoff
    # Kahan: |error| <= (2u + O(n u^2)) sum|x|; recursive is far worse here
    assert abs(k - exact) <= (2 * u + 4000 * u * u) * np.abs(x).sum()
    assert abs(k - exact) < abs(r - exact) / 10


def test_reduction_errors_and_threads():
    with pytest.raises(ValueError, match="order"):
        arith.sum([1.0], "fp16", order="tree")
    with pytest.raises(ValueError, match="block"):
        arith.sum([1.0], "fp16", order="blocked", block=0)
    with pytest.raises(ValueError, match="compensated"):
        arith.sum([1.0], "fp16", order="pairwise", compensated=True)
    with pytest.raises(ValueError, match="matrices"):
        arith.matmul(np.ones((2, 3)), np.ones((2, 3)), "fp16")
    with pytest.raises(ValueError, match="vectors"):
        arith.dot([1.0], [1.0, 2.0], "fp16")
    import numba

    A = np.random.default_rng(0).standard_normal((64, 64))
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = arith.matmul(A, A, "bfloat16", rounding="stochastic", seed=3)
        numba.set_num_threads(before)
        many = arith.matmul(A, A, "bfloat16", rounding="stochastic", seed=3)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one, many)


@pytest.mark.parametrize("order", ["recursive", "blocked"])
@pytest.mark.parametrize("fmt_prod", [None, "bfloat16"])
@pytest.mark.parametrize("rounding", ["nearest_even", "toward_zero"])
def test_matmul_row_kernels_equal_the_entry_by_entry_kernel(order, fmt_prod, rounding):
    """Wide products go through the row-at-a-time kernels (fused for nearest even);
    each entry must equal the dot product the entry-by-entry kernel computes, with
    zeros, overflows and inexact float64 sums among the data."""
    rng = np.random.default_rng(3)
    A = rng.standard_normal((5, 40)) * np.exp2(rng.integers(-12, 12, (5, 40)))
    B = rng.standard_normal((40, 24))
    A[0, :5] = 0.0
    A[1, 3] = 6e4  # overflows float16 accumulators
    kw = dict(fmt_in="bfloat16", fmt_prod=fmt_prod, order=order, block=8, outer="float32",
              rounding=rounding)  # fmt: skip
    C = arith.matmul(A, B, "float16", **kw)
    for i in range(5):
        for j in range(24):
            d = arith.dot(A[i], B[:, j], "float16", **kw)
            assert C[i, j] == d or (np.isnan(C[i, j]) and np.isnan(d)), (i, j, C[i, j], d)


SR = dict(rounding="stochastic", seed=11)


@pytest.mark.parametrize("order", ["recursive", "blocked"])
@pytest.mark.parametrize("fmt_prod", [None, "bfloat16"])
def test_stochastic_matmul_entries_do_not_depend_on_neighbours_or_kernel(order, fmt_prod):
    """An entry's random words are keyed by (seed, i, j, step): a prefix of the columns
    (computed entry by entry below 16 columns, row-wise above) or of the rows gives
    the same entries, and entry (0, 0) is the dot product of row 0 and column 0."""
    rng = np.random.default_rng(4)
    A = rng.standard_normal((6, 40))
    B = rng.standard_normal((40, 24))
    kw = dict(fmt_in="bfloat16", fmt_prod=fmt_prod, order=order, block=8, outer="float32", **SR)
    C = arith.matmul(A, B, "float16", **kw)  # row-wise kernel
    np.testing.assert_array_equal(arith.matmul(A, B[:, :5], "float16", **kw), C[:, :5])
    np.testing.assert_array_equal(arith.matmul(A, B[:, :17], "float16", **kw), C[:, :17])
    np.testing.assert_array_equal(arith.matmul(A[:2], B, "float16", **kw), C[:2])
    np.testing.assert_array_equal(arith.matmul(A[:3], B[:, :4], "float16", **kw), C[:3, :4])
    assert arith.dot(A[0], B[:, 0], "float16", **kw) == C[0, 0]
    # the words differ between entries and seeds: stochastic results vary with them
    other = arith.matmul(A, B, "float16", **{**kw, "seed": 12})
    assert not np.array_equal(C, other)


@pytest.mark.parametrize("width", [8, 24])  # entry by entry, row-wise
def test_stochastic_matmul_does_not_depend_on_threads(width):
    import numba

    rng = np.random.default_rng(6)
    A = rng.standard_normal((64, 64))  # rows spread over the threads
    B = rng.standard_normal((64, width))
    kw = dict(fmt_prod="bfloat16", order="blocked", block=16, **SR)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = arith.matmul(A, B, "bfloat16", **kw)
    finally:
        numba.set_num_threads(before)
    many = arith.matmul(A, B, "bfloat16", **kw)
    np.testing.assert_array_equal(one, many)
    np.testing.assert_array_equal(arith.matmul(A[:1], B, "bfloat16", **kw), one[:1])


@pytest.mark.parametrize("order", ["recursive", "pairwise", "blocked"])
def test_stochastic_sum_rows_are_keyed_like_a_matmul_with_ones(order):
    rng = np.random.default_rng(8)
    X = nm.cast(rng.standard_normal((5, 50)), "bfloat16")
    kw = dict(order=order, block=8, **SR)
    s = arith.sum(X, "float16", **kw)
    np.testing.assert_array_equal(arith.sum(X[:2], "float16", **kw), s[:2])
    ones = np.ones((50, 1))
    np.testing.assert_array_equal(arith.matmul(X, ones, "float16", **kw)[:, 0], s)
    assert arith.sum(X[0], "float16", **kw) == s[0]


@pytest.mark.parametrize(
    "fmt",
    ["float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float4_e2m1fn", "bfloat16",
     "float16", "float32", nm.Format(8, 50, name="e8m50")],
)  # fmt: skip
def test_input_rounding_equals_cast(fmt):
    # fmt_in's numpy rounding (numerics._core.rounding.rne_array) against the cast
    # kernel, bit for bit: random bit patterns, every binade's ties and neighbours
    # around the format's range, and the special values
    rng = np.random.default_rng(5)
    f = nm.get_format(fmt) if isinstance(fmt, str) else fmt
    e = np.arange(f.emin - f.mbits - 3, f.emax + 3)
    ties = np.ldexp(1.0 + (2 * rng.integers(0, 2**f.mbits, e.size) + 1) * 2.0 ** (-f.mbits - 1), e)
    near = np.concatenate([np.nextafter(ties, 0), ties, np.nextafter(ties, np.inf)])
    edges = [0.0, f.max, f.min_subnormal / 2, f.min_subnormal, f.min_normal, np.inf, np.nan, 5e-324]
    edges += [float(np.nextafter(f.max, np.inf)), f.max * (1 + 2.0 ** (-f.mbits - 1))]
    x = np.concatenate([rng.integers(0, 2**64, 4000, np.uint64).view(np.float64), near, edges])
    x = np.concatenate([x, -x])
    got = arith.reduce._data(x, fmt, "x")
    want = nm.cast(x, fmt)
    np.testing.assert_array_equal(got.view(np.uint64), want.view(np.uint64))
