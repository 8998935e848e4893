"""The emulated FFT algorithms (``algorithm="radix4"``, ``"split-radix"``) against
independent scalar references: each algorithm transcribed recursively on complex
spectra (not level by level on halfcomplex slots, as the kernels run), every real
operation exact in Fractions and rounded by the test reference into the format."""

import contextlib
import math
from fractions import Fraction

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import round_scalar

import numerics as nm
from numerics import transforms as T
from tests.transforms.test_transforms import _ref_twiddles

ALGORITHMS = ("radix4", "split-radix")
MODES = ("nearest_even", "nearest_away", "toward_zero", "up", "down", "odd")
RNG = np.random.default_rng(2024)


class _Ref:
    """The rounding and twiddles of one emulation, for the transcriptions."""

    def __init__(self, fmt, mode, twiddles="table"):
        self.f = None if fmt is None else nm.get_format(fmt)
        self.mode = mode
        self.model = twiddles
        self.tables = {}

    def r(self, v):
        """``v`` rounded into the format (saturating, as the kernels run); no format:
        float64 nearest, to check the transcriptions themselves."""
        if self.f is None:
            return Fraction(float(v))
        return Fraction(round_scalar(Fraction(v), self.f, self.mode, saturate=True))

    def tw(self, L, j):
        """``(cos, sin)`` of ``2 pi j / L`` for ``0 <= j < L/2``: the table's ``k < L/4``
        values, and ``w^(L/4 + m) = -i w^m`` beyond."""
        if L not in self.tables:
            f = self.f or nm.get_format("float32")  # float32: rounded by numpy
            exact = self.f is None
            self.tables[L] = (
                _ref_twiddles(L, f, self.model)
                if not exact
                else [
                    (
                        Fraction(math.cos(2 * math.pi * k / L)),
                        Fraction(math.sin(2 * math.pi * k / L)),
                    )
                    for k in range(L // 4)
                ]
            )
        q = L // 4
        if j < q:
            return self.tables[L][j]
        c, s = self.tables[L][j - q]
        return -s, c

    def cmul(self, z, c, s):
        """``(c - i s) z`` as the kernels order it: two products and a sum per part."""
        zr, zi = z
        r = self.r
        return r(r(c * zr) + r(s * zi)), r(r(c * zi) - r(s * zr))


def _split(x, R):
    """The split-radix DFT ``X_0 .. X_{L/2}`` of real ``x`` as (re, im) pairs:
    ``X = U + (w^k Z + w^3k Z')``, recursively on the even, 4m+1 and 4m+3 samples."""
    L, r = len(x), R.r
    if L == 1:
        return [(x[0], 0)]
    if L == 2:
        return [(r(x[0] + x[1]), 0), (r(x[0] - x[1]), 0)]
    U, Z, Z3 = _split(x[0::2], R), _split(x[1::4], R), _split(x[3::4], R)
    q, e = L // 4, L // 8
    X = [None] * (L // 2 + 1)
    p = r(Z[0][0] + Z3[0][0])
    X[0] = (r(U[0][0] + p), 0)
    X[2 * q] = (r(U[0][0] - p), 0)
    X[q] = (U[q][0], r(Z3[0][0] - Z[0][0]))
    if e:
        ur, ui = U[e]
        z, z3 = Z[e][0], Z3[e][0]
        c = R.tw(L, e)[0]
        pa, pb = r(c * r(z - z3)), r(c * r(z + z3))
        X[e] = (r(ur + pa), r(ui - pb))
        X[3 * e] = (r(ur - pa), r(-pb - ui))
    for k in range(1, e):
        ur, ui = U[k]
        vr, vi = U[q - k]
        ar, ai = R.cmul(Z[k], *R.tw(L, k))
        br, bi = R.cmul(Z3[k], *R.tw(L, 3 * k))
        pr, pi, mr, mi = r(ar + br), r(ai + bi), r(ar - br), r(ai - bi)
        X[k] = (r(ur + pr), r(ui + pi))
        X[2 * q - k] = (r(ur - pr), r(pi - ui))
        X[q + k] = (r(vr + mi), r(-vi - mr))
        X[q - k] = (r(vr - mi), r(vi - mr))
    return X


def _radix4(x, R):
    """The radix-4 DFT (radix-2 at length 2): ``X_{k + jL/4} = sum_m (-i)^{jm} w^{mk}
    F_m``, by ``T0, T1 = F0 +- w^2k F2``, ``T2, T3 = w^k F1 +- w^3k F3``."""
    L, r = len(x), R.r
    if L == 1:
        return [(x[0], 0)]
    if L == 2:
        return [(r(x[0] + x[1]), 0), (r(x[0] - x[1]), 0)]
    F0, F1, F2, F3 = (_radix4(x[m::4], R) for m in range(4))
    q, e = L // 4, L // 8
    X = [None] * (L // 2 + 1)
    t0, t2 = r(F0[0][0] + F2[0][0]), r(F1[0][0] + F3[0][0])
    X[0] = (r(t0 + t2), 0)
    X[2 * q] = (r(t0 - t2), 0)
    X[q] = (r(F0[0][0] - F2[0][0]), r(F3[0][0] - F1[0][0]))
    if e:
        a, ai = F0[e][0], -F2[e][0]
        z, z3 = F1[e][0], F3[e][0]
        c = R.tw(L, e)[0]
        pa, pb = r(c * r(z - z3)), r(c * r(z + z3))
        X[e] = (r(a + pa), r(ai - pb))
        X[3 * e] = (r(a - pa), r(-pb - ai))
    for k in range(1, e):
        ar, ai = F0[k]
        br, bi = R.cmul(F1[k], *R.tw(L, k))
        cr, ci = R.cmul(F2[k], *R.tw(L, 2 * k))
        dr, di = R.cmul(F3[k], *R.tw(L, 3 * k))
        t0r, t0i, t1r, t1i = r(ar + cr), r(ai + ci), r(ar - cr), r(ai - ci)
        t2r, t2i, t3r, t3i = r(br + dr), r(bi + di), r(br - dr), r(bi - di)
        X[k] = (r(t0r + t2r), r(t0i + t2i))
        X[2 * q - k] = (r(t0r - t2r), r(t2i - t0i))
        X[q + k] = (r(t1r + t3i), r(t1i - t3r))
        X[q - k] = (r(t1r - t3i), r(-t1i - t3r))
    return X


def _unrot(R, a, c, s):
    """``conj(c - i s) a`` as the inverse kernels order it."""
    ar, ai = a
    r = R.r
    return r(r(c * ar) - r(s * ai)), r(r(c * ai) + r(s * ar))


def _unsplit(X, R):
    """The inverse of :func:`_split` on ``X_0 .. X_{L/2}``: every block undone with
    halved sums (``(a + b) / 2``: the sum rounded, then its half rounded), then the
    sub-spectra inverted recursively."""
    L = 2 * (len(X) - 1) if len(X) > 1 else 1
    r = R.r

    def h(v):
        return r(r(v) / 2)

    if L == 1:
        return [X[0][0]]
    if L == 2:
        return [h(X[0][0] + X[1][0]), h(X[0][0] - X[1][0])]
    q, e = L // 4, L // 8
    U, Z, Z3 = [None] * (q + 1), [None] * (e + 1), [None] * (e + 1)
    x0, xh, x3 = X[0][0], X[2 * q][0], X[q][1]
    p = h(x0 - xh)
    U[0], U[q] = (h(x0 + xh), 0), (X[q][0], 0)
    Z[0], Z3[0] = (h(p - x3), 0), (h(p + x3), 0)
    if e:
        (x1, x7), (x3, x5) = X[e], X[3 * e]
        c = R.tw(L, e)[0]
        pa, pb = h(x1 - x3), h(-x7 - x5)
        U[e] = (h(x1 + x3), h(x7 - x5))
        Z[e], Z3[e] = (r(c * r(pa + pb)), 0), (r(c * r(pb - pa)), 0)
    for k in range(1, e):
        (x1, x8), (x2, x5) = X[k], X[2 * q - k]
        (x4, x6), (x3, x7) = X[q + k], X[q - k]
        pr, pi, mi, mr = h(x1 - x2), h(x8 + x5), h(x4 - x3), h(-x6 - x7)
        U[k], U[q - k] = (h(x1 + x2), h(x8 - x5)), (h(x4 + x3), h(x7 - x6))
        Z[k] = _unrot(R, (h(pr + mr), h(pi + mi)), *R.tw(L, k))
        Z3[k] = _unrot(R, (h(pr - mr), h(pi - mi)), *R.tw(L, 3 * k))
    x = [None] * L
    x[0::2], x[1::4], x[3::4] = _unsplit(U, R), _unsplit(Z, R), _unsplit(Z3, R)
    return x


def _unradix4(X, R):
    """The inverse of :func:`_radix4`, as :func:`_unsplit` inverts :func:`_split`."""
    L = 2 * (len(X) - 1) if len(X) > 1 else 1
    r = R.r

    def h(v):
        return r(r(v) / 2)

    if L == 1:
        return [X[0][0]]
    if L == 2:
        return [h(X[0][0] + X[1][0]), h(X[0][0] - X[1][0])]
    q, e = L // 4, L // 8
    F = [[None] * (e + 1) for _ in range(4)]
    x0, xh, xq, x3 = X[0][0], X[2 * q][0], X[q][0], X[q][1]
    t0, t2 = h(x0 + xh), h(x0 - xh)
    F[0][0], F[2][0] = (h(t0 + xq), 0), (h(t0 - xq), 0)
    F[1][0], F[3][0] = (h(t2 - x3), 0), (h(t2 + x3), 0)
    if e:
        (x1, x7), (x3, x5) = X[e], X[3 * e]
        c = R.tw(L, e)[0]
        pa, pb = h(x1 - x3), h(-x7 - x5)
        F[0][e], F[2][e] = (h(x1 + x3), 0), (-h(x7 - x5), 0)
        F[1][e], F[3][e] = (r(c * r(pa + pb)), 0), (r(c * r(pb - pa)), 0)
    for k in range(1, e):
        (x1, x8), (x4, x5) = X[k], X[2 * q - k]
        (x3, x6), (x2, x7) = X[q + k], X[q - k]
        t0r, t2r, t0i, t2i = h(x1 + x4), h(x1 - x4), h(x8 - x5), h(x8 + x5)
        t1r, t3i, t1i, t3r = h(x3 + x2), h(x3 - x2), h(x6 - x7), h(-x6 - x7)
        F[0][k] = (h(t0r + t1r), h(t0i + t1i))
        F[2][k] = _unrot(R, (h(t0r - t1r), h(t0i - t1i)), *R.tw(L, 2 * k))
        F[1][k] = _unrot(R, (h(t2r + t3r), h(t2i + t3i)), *R.tw(L, k))
        F[3][k] = _unrot(R, (h(t2r - t3r), h(t2i - t3i)), *R.tw(L, 3 * k))
    x = [None] * L
    for m in range(4):
        x[m::4] = _unradix4(F[m], R)
    return x


def _ref_irdfft(hc, fmt, mode, algorithm, twiddles="table"):
    """An algorithm's inverse transcription on the halfcomplex row ``hc`` rounded (to
    nearest even) into ``fmt``."""
    R = _Ref(fmt, mode, twiddles)
    v = [R.r(t) if R.f is None else Fraction(round_scalar(Fraction(float(t)), R.f))
         for t in hc]  # fmt: skip
    n = len(v)
    X = [(v[k], v[n - k] if 0 < k < n // 2 else 0) for k in range(n // 2 + 1)]
    x = (_unsplit if algorithm == "split-radix" else _unradix4)(X, R)
    return np.array([float(t) for t in x])


def _ref_rdfft(x, fmt, mode, algorithm, twiddles="table"):
    """The halfcomplex row of an algorithm's transcription on ``x`` rounded (to
    nearest even) into ``fmt``."""
    R = _Ref(fmt, mode, twiddles)
    x = [R.r(v) if R.f is None else Fraction(round_scalar(Fraction(float(v)), R.f))
         for v in x]  # fmt: skip
    X = (_split if algorithm == "split-radix" else _radix4)(x, R)
    n = len(x)
    h = [0.0] * n
    for k in range(n // 2 + 1):
        h[k] = X[k][0]
        if 0 < k < n // 2:
            h[n - k] = X[k][1]
    return np.array([float(v) for v in h])


def test_transcriptions_compute_the_dft():
    """The references themselves, in float64 arithmetic, are DFTs and inverse DFTs."""
    for algorithm in ALGORITHMS:
        for n in (1, 2, 4, 8, 16, 64, 128):
            x = RNG.standard_normal(n)
            got = _ref_rdfft(x, None, "nearest_even", algorithm)
            want = T.complex_to_halfcomplex(np.fft.rfft(x), n) if n > 1 else x
            assert np.allclose(got, want, atol=1e-12), (algorithm, n)
            back = _ref_irdfft(want, None, "nearest_even", algorithm)
            assert np.allclose(back, x, atol=1e-14), (algorithm, n)


# the forward transforms also in float16
DIRECTIONS = [(False, f) for f in ("bfloat16", "float8_e4m3fn", "float16", "float6_e3m2fn")] + [
    (True, f) for f in ("bfloat16", "float8_e4m3fn", "float6_e3m2fn")
]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(("inverse", "fmt"), DIRECTIONS)
@pytest.mark.parametrize("mode", MODES)
def test_emulated_algorithms_round_every_operation(algorithm, inverse, fmt, mode):
    transform, reference = (T.irdfft, _ref_irdfft) if inverse else (T.rdfft, _ref_rdfft)
    for n in (2, 4, 8, 16, 32, 64):
        x = RNG.standard_normal(n) * 2
        y = x.copy()
        transform(y, fmt=fmt, rounding=mode, saturate=True, algorithm=algorithm)
        ref = reference(x, fmt, mode, algorithm)
        assert np.array_equal(y, ref), (algorithm, inverse, fmt, mode, n, y, ref)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("model", ["table", "compute", "recurrence"])
def test_twiddle_models_in_every_algorithm(algorithm, model):
    x = RNG.standard_normal((2, 128))
    y = x.copy()
    T.rdfft(y, fmt="bfloat16", twiddles=model, algorithm=algorithm)
    for row, got in zip(x, y, strict=True):
        assert np.array_equal(got, _ref_rdfft(row, "bfloat16", "nearest_even", algorithm, model))
    r = T.error_report("rdfft", x, "bfloat16", twiddles=model, algorithm=algorithm)
    assert np.array_equal(r.output, y)
    assert r.summary["contributions mismatch"] <= 1e-12
    assert r.summary["normwise / u"] <= r.summary["bound / u"]
    z = y.copy()
    T.irdfft(z, fmt="bfloat16", twiddles=model, algorithm=algorithm)
    for row, got in zip(y, z, strict=True):
        assert np.array_equal(got, _ref_irdfft(row, "bfloat16", "nearest_even", algorithm, model))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(
    "fmt, mode",
    [("bfloat16", "nearest_even"), ("float8_e4m3fn", "up"), ("float16", "stochastic"),
     ("float8_e5m2", "stochastic_equal"), ("float6_e3m2fn", "odd")],
)  # fmt: skip
def test_error_decomposition_is_exact(algorithm, fmt, mode):
    """Per-level contributions plus the twiddle part sum to the measured error; the
    tracked run gives the transform's own bits (the stochastic key included); the
    statistics count every operation of every level."""
    n = 256
    x = RNG.standard_normal((3, n))
    r = T.error_report("rdfft", x, fmt, mode, seed=7, algorithm=algorithm)
    y = x.copy()
    T.rdfft(y, fmt=fmt, rounding=mode, seed=7, algorithm=algorithm)
    assert np.array_equal(r.output, y)
    total = r.output - r.reference
    assert np.allclose(r.contributions.sum(0) + r.twiddle_error, total, rtol=0, atol=1e-12)
    assert r.summary["contributions mismatch"] <= 1e-12
    assert r.summary["normwise / u"] <= r.summary["bound / u"]
    k = int(math.log2(n))
    want = [f"L={2**j}" for j in range(1, k + 1)]
    if algorithm == "radix4":
        want = [f"L={4**j}" for j in range(1, k // 2 + 1)]
    assert r.column("stage").tolist()[:-2] == want
    # real operations per transform: the known counts of each algorithm's butterflies
    ops = r.column("ops")[-1] / 3
    assert ops == _op_count(n, algorithm)
    # and the inverse: its levels in reverse order, the decomposition as exact
    r = T.error_report("irdfft", y, fmt, mode, seed=7, algorithm=algorithm)
    z = y.copy()
    T.irdfft(z, fmt=fmt, rounding=mode, seed=7, algorithm=algorithm)
    assert np.array_equal(r.output, z)
    assert r.column("stage").tolist()[:-2] == want[::-1]
    assert r.summary["contributions mismatch"] <= 1e-12
    assert r.summary["normwise / u"] <= r.summary["bound / u"]


def _op_count(n, algorithm):
    """Real operations of one transform, counted from the butterflies' definitions."""
    if n == 1:
        return 0
    if n == 2:
        return 2
    e = n // 8
    if algorithm == "split-radix":
        block = 4 + (8 if e else 0) + max(e - 1, 0) * 24
        return block + _op_count(n // 2, algorithm) + 2 * _op_count(n // 4, algorithm)
    block = 6 + (8 if e else 0) + max(e - 1, 0) * 34
    return block + 4 * _op_count(n // 4, algorithm)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_stochastic_rounding_is_keyed(algorithm):
    x = RNG.standard_normal((4, 64))
    runs = []
    for seed in (1, 1, 2):
        y = x.copy()
        T.rdfft(y, fmt="bfloat16", rounding="stochastic", seed=seed, algorithm=algorithm)
        runs.append(y)
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])
    # nor on the threads that run the rows (a batch big enough to run in parallel)
    x = RNG.standard_normal((64, 512))
    runs = []
    for threads in (1, 2):
        with _threads(threads):
            y = x.copy()
            T.rdfft(y, fmt="bfloat16", rounding="stochastic", seed=3, algorithm=algorithm)
            runs.append(y)
    assert np.array_equal(runs[0], runs[1])


@contextlib.contextmanager
def _threads(k):
    old = numba.get_num_threads()
    numba.set_num_threads(min(k, numba.config.NUMBA_NUM_THREADS))
    try:
        yield
    finally:
        numba.set_num_threads(old)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_dct_pipelines_take_the_algorithm(algorithm):
    """dct-II and idct-III run the algorithm's rdFFT between the reorder and the twist,
    dct-III and idct-II its inverse: DCTs of the right values, their own rounding
    errors, an exact decomposition."""
    import scipy.fft as sf

    x = RNG.standard_normal((2, 64))
    for name, fn, t in (("dct", T.dct, 2), ("idct", T.idct, 3), ("dct", T.dct, 3),
                        ("idct", T.idct, 2)):  # fmt: skip
        y = x.copy()
        fn(y, t, fmt="float16", algorithm=algorithm)
        want = (sf.dct if name == "dct" else sf.idct)(nm.cast(x, "float16"), t)
        assert np.abs(y - want).max() <= 1e-2 * np.abs(want).max()
        r = T.error_report(name, x, "float16", type=t, algorithm=algorithm)
        assert np.array_equal(r.output, y)
        assert r.summary["contributions mismatch"] <= 1e-12
        assert "twist" in r.column("stage").tolist()


def test_native_transforms_ignore_the_algorithm():
    x = RNG.standard_normal((2, 64))
    want = T.rdfft(x.copy())
    for algorithm in ALGORITHMS:
        assert np.array_equal(T.rdfft(x.copy(), algorithm=algorithm), want)
        assert np.array_equal(T.irdfft(want.copy(), algorithm=algorithm), T.irdfft(want.copy()))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x: T.rdfft(x, fmt="bfloat16", algorithm="radix8"), "algorithm must be one of"),
        (lambda x: T.rdfft(x, algorithm="radix8"), "algorithm must be one of"),
        (lambda x: T.rdfft(x, fmt="bfloat16", scale=True, algorithm="radix4"), "scale=True"),
        (lambda x: T.rdfft(x, fmt="bfloat16", compute="float32", algorithm="split-radix"),
         "compute and storage"),
        (lambda x: T.irdfft(x, fmt="bfloat16", algorithm="split"), "algorithm must"),
        (lambda x: T.dct(x, 2, fmt="bfloat16", scale=True, algorithm="radix4"), "scale=True"),
        (lambda x: T.error_report("rdfft", x, "bfloat16", scale=True, algorithm="radix4"),
         "scale=True"),
        (lambda x: T.error_study(sizes=[16], algorithm=("radix2", "fft")), "algorithm must"),
        (lambda x: T.error_study("fwht", [16], algorithm=("radix4",)), "FFT-based"),
    ],
)  # fmt: skip
def test_bad_algorithm_options_are_refused(call, match):
    x = RNG.standard_normal(16)
    keep = x.copy()
    with pytest.raises(ValueError, match=match):
        call(x)
    assert np.array_equal(x, keep)
    with pytest.raises(TypeError, match="no option"):
        T.error_report("fwht", x, "bfloat16", algorithm="radix4")


def test_study_shows_the_algorithms_side_by_side():
    s = T.error_study(sizes=[16, 128], formats=["bfloat16"], roundings=["nearest_even"],
                      trials=3, algorithm=("radix2", "radix4", "split-radix"))  # fmt: skip
    assert s.columns[:4] == ("format", "rounding", "algorithm", "log2 n")
    assert s.column("algorithm").tolist() == ["radix2"] * 2 + ["radix4"] * 2 + ["split-radix"] * 2
    assert (s.column("max / u") <= s.column("bound / u")).all()
    # each algorithm's own bound: radix-4 has half the levels
    b = {(r[2], r[3]): r[5] for r in s.rows}
    assert b[("radix4", 7)] < b[("split-radix", 7)] <= b[("radix2", 7)]
    # the same inputs for every algorithm: one algorithm alone gives its rows
    one = T.error_study(sizes=[16, 128], formats=["bfloat16"], roundings=["nearest_even"],
                        trials=3, algorithm="split-radix")  # fmt: skip
    assert one.columns == ("format", "rounding", "log2 n", "mean / u", "max / u",
                           "bound / u", "prob bound / u")  # fmt: skip
    assert [r[:2] + r[3:] for r in s.rows[4:]] == list(one.rows)
    pytest.importorskip("matplotlib").use("Agg")
    assert s.plot().get_xlabel() == "log2 n"


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(ALGORITHMS),
    st.booleans(),
    st.integers(0, 6),
    st.sampled_from(["bfloat16", "float8_e5m2", "float16"]),
    st.sampled_from(MODES),
    st.integers(0, 2**32 - 1),
)
def test_property_algorithms_match_their_transcriptions(algorithm, inverse, k, fmt, mode, seed):
    """Any length, format, deterministic mode and data (zeros, ties, large and tiny
    values mixed), forward or inverse: the kernel's bits are the transcription's."""
    rng = np.random.default_rng(seed)
    n = 2**k
    x = rng.standard_normal(n) * rng.choice([0.0, 2.0**-8, 1.0, 16.0], n)
    y = x.copy()
    fn, ref = (T.irdfft, _ref_irdfft) if inverse else (T.rdfft, _ref_rdfft)
    fn(y, fmt=fmt, rounding=mode, saturate=True, algorithm=algorithm)
    assert np.array_equal(y, ref(x, fmt, mode, algorithm))
