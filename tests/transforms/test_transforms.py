"""The transforms, native and emulated, against independent references: numpy/scipy
for the native paths, a scalar Fraction re-implementation that rounds every
operation for the emulated ones, dense matrices for the adjoint identities."""

import itertools
import math
import tracemalloc
from fractions import Fraction

import numba
import numpy as np
import pytest
import scipy.fft as sf
import scipy.linalg as sl
from reference import round_scalar

import numerics as nm
from numerics import transforms as T

RNG = np.random.default_rng(1234)
EMULATED = ("rdfft", "irdfft", "dct", "idct", "fwht")
FUNCS = {"rdfft": T.rdfft, "irdfft": T.irdfft, "dct": T.dct, "idct": T.idct, "fwht": T.fwht}
MODES = ("nearest_even", "nearest_away", "toward_zero", "up", "down", "odd")


def rel(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


# --- native rdfft --------------------------------------------------------------------


@pytest.mark.parametrize("k", range(1, 17))
def test_rdfft_float64_matches_numpy(k):
    n = 2**k
    x = RNG.standard_normal((3, n))
    y = x.copy()
    assert T.rdfft(y) is y
    ref = np.fft.rfft(x)
    got = T.halfcomplex_to_complex(y)
    assert np.abs(got - ref).max() <= 1e-12 * np.abs(ref).max()
    assert np.allclose(T.irdfft(y), x, rtol=0, atol=1e-12 * np.abs(x).max())


@pytest.mark.parametrize("k", range(1, 17))
def test_rdfft_float32_matches_float32_reference(k):
    """Against scipy's float32 FFT: both are float32 computations, each within a
    small multiple of log2(n) u32 of the exact transform."""
    n = 2**k
    x = RNG.standard_normal((2, n)).astype(np.float32)
    y = x.copy()
    T.rdfft(y)
    assert y.dtype == np.float32
    exact = np.fft.rfft(x.astype(np.float64))
    ours = rel(T.halfcomplex_to_complex(y.astype(np.float64)), exact)
    theirs = rel(sf.rfft(x).astype(np.complex128), exact)
    u32 = 2.0**-24
    assert ours <= 2 * k * u32
    assert ours <= 4 * theirs + 4 * u32
    back = T.irdfft(y)
    assert rel(back.astype(np.float64), x.astype(np.float64)) <= 4 * k * u32


def test_rdfft_length_one_and_batches():
    x = RNG.standard_normal((2, 3, 1))
    y = x.copy()
    T.rdfft(y)
    assert np.array_equal(x, y)
    x = RNG.standard_normal((2, 3, 4, 16))
    y = x.copy()
    T.rdfft(y)
    assert np.allclose(T.halfcomplex_to_complex(y), np.fft.rfft(x), atol=1e-13)


def test_every_ternary_input_of_length_8():
    """All of {-1, 0, 1}^8: outputs that are exactly zero must come out zero (the
    published rdFFT kernels keep a stale value there)."""
    x = np.array(list(itertools.product((-1.0, 0.0, 1.0), repeat=8)))
    y = x.copy()
    T.rdfft(y)
    ref = T.complex_to_halfcomplex(np.fft.rfft(x))
    assert np.abs(y - ref).max() < 1e-14
    # slots 0, 2, 4, 6 (Re X0, Re X2, Re X4, Im X2) are integers: exactly right
    ints = [0, 2, 4, 6]
    assert np.array_equal(y[:, ints], np.round(ref[:, ints]))
    z = y.copy()
    T.irdfft(z)
    assert np.abs(z - x).max() < 1e-15


def test_rdfft_is_in_place_and_allocates_nothing_proportional():
    x = RNG.standard_normal((8, 2**14))
    T.rdfft(x.copy())  # tables and compilation
    tracemalloc.start()
    T.rdfft(x)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 64 * 1024  # the data is 1 MiB


def test_non_contiguous_input():
    base = RNG.standard_normal((4, 32))
    view = base[:, ::2]
    expect = np.fft.rfft(view)
    T.rdfft(view)
    assert np.allclose(T.halfcomplex_to_complex(base[:, ::2]), expect)


@pytest.mark.parametrize(
    "call, err",
    [
        (lambda x: T.rdfft(x[..., :6]), ValueError),
        (lambda x: T.rdfft(x.astype(np.int64)), TypeError),
        (lambda x: T.rdfft(x, fmt="nope"), ValueError),
        (lambda x: T.rdfft(x, fmt="bfloat16", rounding="sideways"), ValueError),
        (lambda x: T.rdfft(x, rounding="up"), ValueError),
        (lambda x: T.rdfft(x.astype(np.float32), fmt="float64"), ValueError),
        (lambda x: T.irdfft(x[..., :3]), ValueError),
        (lambda x: T.dct(x, type=4), ValueError),
        (lambda x: T.dct(x, norm="forward"), ValueError),
        (lambda x: T.fwht(x, block=3), ValueError),
        (lambda x: T.fwht(x, block=16), ValueError),
        (lambda x: T.fwht(x, signs=np.ones(4)), ValueError),
        (lambda x: T.fwht(x, signs=np.full(8, 2.0)), ValueError),
        (lambda x: T.rdfft([1.0, 2.0]), TypeError),
    ],
)
def test_bad_input_is_rejected_and_left_untouched(call, err):
    x = RNG.standard_normal((2, 8))
    keep = x.copy()
    with pytest.raises(err):
        call(x)
    assert np.array_equal(x, keep)


def test_read_only_input():
    x = np.ones(8)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        T.rdfft(x)


def test_scale_halves_every_stage():
    x = RNG.standard_normal((2, 64))
    a, b = x.copy(), x.copy()
    T.rdfft(a)
    T.rdfft(b, scale=True)
    assert np.allclose(a / 64, b, rtol=0, atol=1e-15)
    # float8 e4m3 (max 448): 1024 ones overflow without scaling, not with it
    ones = np.ones(1024)
    assert np.isnan(T.rdfft(ones.copy(), fmt="float8_e4m3fn")[0])
    assert T.rdfft(ones.copy(), fmt="float8_e4m3fn", scale=True)[0] == 1.0


# --- halfcomplex helpers ---------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 4, 16])
def test_halfcomplex_round_trip(n):
    x = RNG.standard_normal((3, n))
    z = np.fft.rfft(x)
    h = T.complex_to_halfcomplex(z, n)
    assert np.allclose(T.halfcomplex_to_complex(h), z)
    assert T.halfcomplex_to_complex(h.astype(np.float32)).dtype == np.complex64


@pytest.mark.parametrize("conj", [False, True])
def test_halfcomplex_multiply_gives_circular_convolution(conj):
    n = 32
    a, b = RNG.standard_normal((2, n)), RNG.standard_normal(n)
    fa, fb = np.fft.rfft(a), np.fft.rfft(b)
    expect = np.fft.irfft(fa * (np.conj(fb) if conj else fb), n)
    ha, hb = a.copy(), b.copy()
    T.rdfft(ha)
    T.rdfft(hb)
    T.halfcomplex_multiply(ha, hb, conj=conj)
    assert np.allclose(T.irdfft(ha), expect)
    with pytest.raises(ValueError):
        T.halfcomplex_multiply(ha, np.ones(16))
    with pytest.raises(ValueError):
        T.halfcomplex_multiply(ha[0], ha)


# --- dct and fwht ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 4, 8, 64, 1024])
@pytest.mark.parametrize("type", [2, 3])
@pytest.mark.parametrize("norm", [None, "ortho"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dct_matches_scipy(n, type, norm, dtype):
    x = RNG.standard_normal((3, n)).astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for ours, theirs in ((T.dct, sf.dct), (T.idct, sf.idct)):
        y = x.copy()
        assert ours(y, type, norm) is y
        ref = theirs(x.astype(np.float64), type, norm=norm)
        assert np.abs(y - ref).max() <= tol * max(np.abs(ref).max(), 1)
    y = x.copy()
    T.idct(T.dct(y, type, norm), type, norm)
    assert np.abs(y - x).max() <= tol * 10


@pytest.mark.parametrize(
    "n, block",
    [(n, b) for n in (1, 2, 4, 32, 256) for b in (None, 1, 2, 4) if b is None or b <= n],
)
@pytest.mark.parametrize("normalize", [False, True])
def test_fwht_matches_hadamard(n, block, normalize):
    x = RNG.standard_normal((2, n))
    signs = RNG.choice([-1, 1], size=n)
    b = n if block is None else block
    H = sl.hadamard(b) / (math.sqrt(b) if normalize else 1)
    M = np.kron(np.eye(n // b), H) @ np.diag(signs)
    y = x.copy()
    T.fwht(y, normalize, signs, block)
    assert np.allclose(y, x @ M.T, atol=1e-12)
    y = x.copy()
    T.fwht(y, normalize, None, block, scale=True)
    expect = x @ np.kron(np.eye(n // b), H).T
    assert np.allclose(y, expect if normalize else expect / b, atol=1e-12)


# --- adjoint identities (DESIGN.md section 6) -------------------------------------------


@pytest.mark.parametrize("n", [2, 4, 8, 32])
def test_adjoint_identities(n):
    R = T.rdfft(np.eye(n)).T  # column j = rdfft(e_j)
    D = np.full(n, 0.5)
    D[0] = 1
    D[n // 2] = 1
    g = RNG.standard_normal(n)
    assert np.allclose(R.T @ g, n * T.irdfft(D * g))
    Rinv = np.linalg.inv(R)
    assert np.allclose(Rinv.T @ g, T.rdfft(g.copy()) / D / n)
    assert np.allclose(T.irdfft(np.eye(n)).T, Rinv)


# --- emulation ------------------------------------------------------------------------


def _ref_twiddles(L, f, model):
    """``(c_k, s_k)`` for ``k < L/4`` of one stage, as Fractions, by the twiddle model,
    each value rounded by the test reference (float32: by numpy)."""

    def tw(v):
        if f.name == "float32":
            return Fraction(float(np.float32(float(Fraction(v)))))
        return Fraction(round_scalar(Fraction(v), f, "nearest_even"))

    q = L // 4
    out = []
    if model == "table":
        for k in range(q):
            c, s = math.cos(2 * math.pi * k / L), math.sin(2 * math.pi * k / L)
            if k > L // 8:
                c = math.sin(2 * math.pi * (q - k) / L)
                s = math.cos(2 * math.pi * (q - k) / L)
            out.append((tw(c), tw(s)))
    elif model == "compute":
        two_pi = tw(2 * math.pi)
        for k in range(q):
            angle = float(tw(two_pi * k) / L)
            out.append((tw(math.cos(angle)), tw(math.sin(angle))))
    else:  # recurrence
        c1, s1 = tw(math.cos(2 * math.pi / L)), tw(math.sin(2 * math.pi / L))
        c, s = Fraction(1), Fraction(0)
        for _ in range(q):
            out.append((c, s))
            c, s = tw(tw(c * c1) - tw(s * s1)), tw(tw(s * c1) + tw(c * s1))
    return out


def _ref_rdfft(x, fmt, mode, compute=None, twiddles="table"):
    """Sorensen's algorithm on Python floats, every operation exact in Fractions and
    then rounded by the test reference into ``compute`` (default ``fmt``), each
    stage's outputs then rounded into ``fmt``; twiddles by the model ``twiddles`` in
    the compute format."""
    f = nm.get_format(fmt)
    cf = f if compute is None else nm.get_format(compute)

    def r(v):
        if cf.name == "float32":
            # numpy's own float32 arithmetic (the test reference would enumerate 2**32
            # values): float64 then float32 is innocuous double rounding for one
            # operation of float32 operands (Figueroa 1995)
            assert mode == "nearest_even"
            return float(np.float32(float(v)))
        return round_scalar(Fraction(v), cf, mode)

    x = [round_scalar(Fraction(float(v)), f, "nearest_even") for v in x]
    n = len(x)
    bits = n.bit_length() - 1
    x = [x[int(format(i, f"0{bits}b")[::-1], 2)] if bits else x[i] for i in range(n)]
    L = 2
    while L <= n:
        h, q = L // 2, L // 4
        tws = _ref_twiddles(L, cf, twiddles)
        for i in range(0, n, L):
            a, b = x[i], x[i + h]
            x[i], x[i + h] = r(Fraction(a) + Fraction(b)), r(Fraction(a) - Fraction(b))
            if q:
                x[i + h + q] = -x[i + h + q]
            for k in range(1, q):
                c, s = tws[k]
                i1, i2, i3, i4 = i + k, i + h - k, i + h + k, i + L - k
                er, ei, o_r, o_i = (Fraction(x[j]) for j in (i1, i2, i3, i4))
                t1 = Fraction(r(Fraction(r(c * o_r)) + Fraction(r(s * o_i))))
                t2 = Fraction(r(Fraction(r(c * o_i)) - Fraction(r(s * o_r))))
                x[i1], x[i2] = r(er + t1), r(er - t1)
                x[i3], x[i4] = r(t2 - ei), r(ei + t2)
        if cf is not f:
            x = [round_scalar(Fraction(v), f, mode) for v in x]
        L *= 2
    return np.array(x, dtype=np.float64)


@pytest.mark.parametrize("fmt", ["bfloat16", "float8_e4m3fn", "float16", "float6_e3m2fn"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", [2, 8, 32])
def test_emulated_rdfft_rounds_every_operation(fmt, mode, n):
    x = RNG.standard_normal(n) * 3
    y = x.copy()
    T.rdfft(y, fmt=fmt, rounding=mode, saturate=True)
    ref = _ref_rdfft(x, fmt, mode)
    # saturate: the reference clamps overflow to max like the kernel
    f = nm.get_format(fmt)
    ref = np.clip(ref, -f.max, f.max)
    assert np.array_equal(y, ref), (y, ref)


@pytest.mark.parametrize(
    "fmt, compute, mode",
    [("bfloat16", "float32", "nearest_even")]
    + [(f, c, m) for f, c in (("float8_e4m3fn", "float16"), ("float8_e5m2", "bfloat16"))
       for m in ("nearest_even", "toward_zero", "up", "odd")],
)  # fmt: skip
def test_emulated_rdfft_compute_and_storage_formats(fmt, compute, mode):
    """Butterflies in one format, stage outputs stored in another (the rdFFT paper's
    bf16 kernel computes in float32): against the Fraction reference, row by row."""
    x = RNG.standard_normal((3, 32)) * np.array([[1e-2], [1.0], [4.0]])
    y = x.copy()
    T.rdfft(y, fmt=fmt, rounding=mode, compute=compute)
    for row, got in zip(x, y, strict=True):
        assert np.array_equal(got, _ref_rdfft(row, fmt, mode, compute)), (fmt, compute, mode)
    # and the tracked path agrees, its stage errors including the store roundings
    r = T.error_report("rdfft", x, fmt, mode, compute=compute)
    assert np.array_equal(r.output, y)
    assert r.summary["contributions mismatch"] <= 1e-12
    assert r.summary["normwise / u"] <= r.summary["bound / u"]


@pytest.mark.parametrize("model", ["table", "compute", "recurrence"])
@pytest.mark.parametrize("fmt, compute", [("bfloat16", None), ("float16", None),
                                          ("bfloat16", "float32")])  # fmt: skip
def test_twiddle_models(model, fmt, compute):
    x = RNG.standard_normal((2, 64))
    y = x.copy()
    T.rdfft(y, fmt=fmt, compute=compute, twiddles=model)
    for row, got in zip(x, y, strict=True):
        assert np.array_equal(got, _ref_rdfft(row, fmt, "nearest_even", compute, model))
    r = T.error_report("rdfft", x, fmt, twiddles=model, compute=compute)
    assert r.summary["contributions mismatch"] <= 1e-12
    assert r.summary["normwise / u"] <= r.summary["bound / u"]


@pytest.mark.parametrize("model", ["table", "compute", "recurrence"])
def test_emulation_casts_only_in_place(model, monkeypatch):
    """An emulated transform, its error report and its study cast the input and the
    tables in place only: a cold first call then compiles one variant of the cast
    kernel (the in-place one), not two (measured: the second cost 1.7 s)."""
    from numerics._core import cast_kernels

    outs = []
    serial = cast_kernels.cast_pass

    def spy(xb, ob, *args):
        outs.append(ob)
        return serial(xb, ob, *args)

    monkeypatch.setattr(cast_kernels, "cast_pass", spy)
    # the tables and the study's inputs are cached: made afresh here
    from numerics.transforms import _engine, errors

    for cached in (_engine.rounded_tables, _engine._computed_twiddles,
                   _engine._recurrence_twiddles, errors._study_inputs):  # fmt: skip
        cached.cache_clear()
    fmt = nm.get_format("float8_e5m2")
    x = RNG.standard_normal((2, 32))
    T.rdfft(x.copy(), fmt=fmt, twiddles=model)
    T.error_report("rdfft", x, fmt, twiddles=model)
    T.error_study(sizes=[16], formats=[fmt], roundings=["nearest_even"], trials=2,
                  twiddles=model)  # fmt: skip
    assert outs and all(ob is None for ob in outs)


def test_recurrence_twiddles_err_more_than_a_table():
    """The recurrence's twiddle error grows with k: at n = 1024 in bfloat16 it is
    many times the table's half-ulp."""
    x = RNG.standard_normal(1024)
    table = T.error_report("rdfft", x, "bfloat16").summary["twiddle mu / u"]
    rec = T.error_report("rdfft", x, "bfloat16", twiddles="recurrence").summary
    assert table <= 1.0 < 4 * table < rec["twiddle mu / u"]


def test_kernel_options_are_checked():
    x = np.ones(8)
    with pytest.raises(ValueError, match="twiddles must be one of"):
        T.rdfft(x, fmt="bfloat16", twiddles="cordic")
    with pytest.raises(ValueError, match="need fmt"):
        T.rdfft(x, compute="float32")
    with pytest.raises(ValueError, match="compute and storage"):
        T.rdfft(x, fmt="bfloat16", compute="float8_e8m0fnu")
    with pytest.raises(TypeError, match="no option"):
        T.error_report("fwht", x, "bfloat16", compute="float32")
    assert np.array_equal(x, np.ones(8))


def _ref_fwht(x, fmt, mode):
    f = nm.get_format(fmt)
    x = [round_scalar(Fraction(float(v)), f, "nearest_even") for v in x]
    h = 1
    while h < len(x):
        for i in range(0, len(x), 2 * h):
            for j in range(i, i + h):
                a, b = Fraction(x[j]), Fraction(x[j + h])
                x[j], x[j + h] = round_scalar(a + b, f, mode), round_scalar(a - b, f, mode)
        h *= 2
    return np.array(x)


def _ref_dct2(x, fmt, mode, norm=None, div=1):
    """DCT-II by Makhoul's algorithm on Python floats: the even-then-reversed-odd
    reorder, :func:`_ref_rdfft` of it, and the twist by ``w_k = exp(-i pi k / 2n)``,
    ``y_k = f (cos Re V_k + sin Im V_k)`` and ``y_{n-k} = f (sin Re V_k - cos Im V_k)``
    (``f = 2``, ``sqrt(2 / n)`` for ortho, both divided by ``div``), each product and
    sum exact in Fractions, then rounded; the constants rounded to nearest into the
    format; slots 0 and n/2 scaled by ``2`` and ``sqrt 2`` (ortho: ``1 / sqrt n``)."""
    f = nm.get_format(fmt)
    n = len(x)
    r = lambda v: Fraction(round_scalar(Fraction(v), f, mode))  # noqa: E731
    t = lambda v: Fraction(round_scalar(Fraction(v), f, "nearest_even"))  # noqa: E731
    if norm == "ortho":
        g0 = gh = 1 / math.sqrt(n)
        g = math.sqrt(2 / n)
    else:
        g0, gh, g = 2.0, math.sqrt(2.0), 2.0
    x = nm.cast(np.asarray(x, dtype=np.float64), fmt)
    v = np.concatenate([x[0::2], x[1::2][::-1]])
    V = [Fraction(float(e)) for e in (_ref_rdfft(v, fmt, mode) if n > 1 else v)]
    h = n // 2
    y = list(V)
    y[0] = r(t(g0 / div) * V[0])
    if n > 1:
        y[h] = r(t(gh / div) * V[h])
    for k in range(1, h):
        c = t(g / div * math.cos(math.pi * k / (2 * n)))
        s_ = t(g / div * math.sin(math.pi * k / (2 * n)))
        re, im = V[k], V[n - k]
        y[k] = r(r(c * re) + r(s_ * im))
        y[n - k] = r(r(-c * im) + r(s_ * re))
    return np.array([float(e) for e in y])


@pytest.mark.parametrize("fmt", ["bfloat16", "float8_e4m3fn", "float8_e5m2", "float16"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("n", "norm"), [(1, None), (2, None), (8, "ortho"), (32, None)])
def test_emulated_dct_rounds_every_operation(fmt, mode, n, norm):
    x = RNG.standard_normal(n)
    y = x.copy()
    T.dct(y, 2, norm=norm, fmt=fmt, rounding=mode)
    assert np.array_equal(y, _ref_dct2(x, fmt, mode, norm)), (y, _ref_dct2(x, fmt, mode, norm))
    # the inverse of DCT-III is the same pipeline, divided by 2 n
    z = x.copy()
    T.idct(z, 3, fmt=fmt, rounding=mode)
    assert np.array_equal(z, _ref_dct2(x, fmt, mode, div=2 * n))


@pytest.mark.parametrize("mode", MODES)
def test_emulated_fwht_rounds_every_operation(mode):
    x = RNG.standard_normal(16)
    y = x.copy()
    T.fwht(y, fmt="float8_e5m2", rounding=mode)
    assert np.array_equal(y, _ref_fwht(x, "float8_e5m2", mode))


@pytest.mark.parametrize("name", EMULATED)
def test_float64_emulation_equals_native(name):
    x = RNG.standard_normal((3, 128))
    a, b = x.copy(), x.copy()
    FUNCS[name](a)
    FUNCS[name](b, fmt="float64")
    assert np.array_equal(a, b)
    r = T.error_report(name, x, "float64")  # the tracked path too
    assert np.array_equal(r.output, a)
    assert r.summary["contributions mismatch"] <= 1e-12


_VALUE_FORMATS = ("bfloat16", "float8_e5m2", "float8_e4m3fn", "float4_e2m1fn")
_VALUE_MODES = ("nearest_even", "stochastic", "toward_zero", "odd")


# A Latin square, not the product: every transform meets every format and every mode,
# and every (format, mode) pair occurs (in 20 cases, not 80: each distinct kernel
# variant compiles for seconds, and the bits themselves are checked against the scalar
# transcriptions by the tests above and in test_algorithms.py and test_lanes.py)
@pytest.mark.parametrize(
    "name, fmt, mode",
    [
        (name, fmt, _VALUE_MODES[(i + j) % 4])
        for i, name in enumerate(EMULATED)
        for j, fmt in enumerate(_VALUE_FORMATS)
    ],
)
def test_emulated_outputs_are_format_values(name, fmt, mode):
    x = RNG.standard_normal((2, 64))
    y = x.copy()
    FUNCS[name](y, fmt=fmt, rounding=mode, seed=5, saturate=True)
    assert np.array_equal(nm.cast(y, fmt, saturate=True), y)


def test_emulated_float32_data():
    x = RNG.standard_normal((2, 32)).astype(np.float32)
    a = x.copy()
    T.rdfft(a, fmt="bfloat16")
    b = x.astype(np.float64)
    T.rdfft(b, fmt="bfloat16")
    assert a.dtype == np.float32 and np.array_equal(a, b.astype(np.float32))


def test_stochastic_is_reproducible_and_thread_independent():
    x = RNG.standard_normal((128, 256))  # 2**15 values: rows in parallel on 2+ threads
    runs = []
    for threads in sorted({1, numba.get_num_threads()}):
        numba.set_num_threads(threads)
        try:
            y = x.copy()
            T.rdfft(y, fmt="bfloat16", rounding="stochastic", seed=9)
            runs.append(y)
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    y = x.copy()
    T.rdfft(y, fmt="bfloat16", rounding="stochastic", seed=9)
    runs.append(y)
    z = x.copy()
    T.rdfft(z, fmt="bfloat16", rounding="stochastic", seed=10)
    assert all(np.array_equal(runs[0], r) for r in runs)
    assert not np.array_equal(runs[0], z)


def test_stochastic_mean_error_tends_to_zero():
    """Stochastic rounding errors cancel over seeds: the mean over 64 seeds is far
    closer to the exact transform (with the format's twiddles) than any one run."""
    x = RNG.standard_normal(256)
    r = T.error_report("rdfft", x, "bfloat16")
    exact = r.reference + r.twiddle_error  # exact arithmetic, bfloat16 twiddles
    outs = []
    for seed in range(64):
        y = x.copy()
        T.rdfft(y, fmt="bfloat16", rounding="stochastic", seed=seed)
        outs.append(y)
    one = np.mean([rel(o, exact) for o in outs])
    mean = rel(np.mean(outs, axis=0), exact)
    assert mean < one / 5  # 1/8 expected


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("block", [2, 16, 32, 64])
@pytest.mark.parametrize("normalize", [False, True])
def test_blockwise_fwht_of_many_rows_equals_row_by_row(dtype, block, normalize):
    """Many short rows run joined into longer ones (numerics.transforms._engine): the
    same bits as transforming each row on its own."""
    rng = np.random.default_rng(block)
    x = rng.standard_normal((300, 4 * block)).astype(dtype)
    s = np.where(rng.random(4 * block) < 0.5, -1.0, 1.0)
    got = T.fwht(x.copy(), normalize, s, block)
    want = np.stack([T.fwht(r.copy()[None], normalize, s, block)[0] for r in x])
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8))
