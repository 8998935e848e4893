"""The exact error tracking of the emulated transforms (``error_report``,
``error_study``): the stage contributions add up to the rounding error, the measured
error stays within the deterministic bound, and the reports' rows, options and plots.
A file of its own, apart from ``test_transforms.py``: with an empty numba cache each
takes minutes, and ``--dist loadfile`` runs a file on one worker."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numerics as nm
from numerics import transforms as T

RNG = np.random.default_rng(4321)
EMULATED = ("rdfft", "irdfft", "dct", "idct", "fwht")
FUNCS = {name: getattr(T, name) for name in EMULATED}


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(EMULATED),
    fmt=st.sampled_from(["bfloat16", "float16", "float8_e5m2", "float32"]),
    mode=st.sampled_from(["nearest_even", "stochastic", "toward_zero", "up"]),
    k=st.integers(1, 9),
    seed=st.integers(0, 2**32),
)
def test_contributions_sum_to_the_rounding_error(name, fmt, mode, k, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 2**k))
    r = T.error_report(name, x, fmt, mode, seed=seed)
    assert r.summary["contributions mismatch"] <= 1e-12
    # and the report's output is what the public transform computes
    y = x.copy()
    FUNCS[name](y, fmt=fmt, rounding=mode, seed=seed)
    assert np.array_equal(y, r.output)
    assert r.contributions.shape == (len(r.rows) - 2, 2, 2**k)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(EMULATED),
    fmt=st.sampled_from(["bfloat16", "float16", "float32"]),
    mode=st.sampled_from(["nearest_even", "stochastic", "toward_zero"]),
    k=st.integers(1, 11),
    seed=st.integers(0, 2**32),
)
def test_measured_error_within_deterministic_bound(name, fmt, mode, k, seed):
    x = np.random.default_rng(seed).standard_normal(2**k)
    r = T.error_report(name, x, fmt, mode, seed=seed)
    assert r.summary["normwise / u"] <= r.summary["bound / u"]


def test_report_rows_and_local_errors():
    x = RNG.standard_normal(64)
    r = T.error_report("rdfft", x, "bfloat16")
    labels = r.column("stage").tolist()
    assert labels == [f"L={2**k}" for k in range(1, 7)] + ["twiddles", "total"]
    assert (r.column("local max / u")[:-2] <= 1.0).all()  # nearest: within u
    assert r.column("inexact")[-1] == r.column("inexact")[:-2].sum()
    # contributions add up to the measured total (with the twiddle part)
    total = r.output - r.reference
    assert np.allclose(r.contributions.sum(0) + r.twiddle_error, total, rtol=0, atol=1e-12)
    assert "bound / u" in r.table()
    # the float64 twiddle reference agrees with numpy's FFT
    assert np.allclose(T.halfcomplex_to_complex(r.reference), np.fft.rfft(nm.cast(x, "bfloat16")))


def test_report_options_and_errors():
    x = RNG.standard_normal(16)
    r = T.error_report("fwht", x, "bfloat16", normalize=True, block=8, signs=np.ones(16))
    assert r.column("stage").tolist()[-3] == "scale"
    r = T.error_report("dct", x, "float16", type=3, norm="ortho")
    assert r.column("stage").tolist()[0] == "twist"
    with pytest.raises(ValueError, match="unknown transform"):
        T.error_report("fft", x, "bfloat16")
    with pytest.raises(TypeError, match="no option"):
        T.error_report("rdfft", x, "bfloat16", block=4)


def test_report_and_study_plots():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    r = T.error_report("rdfft", RNG.standard_normal(32), "bfloat16")
    assert r.plot().get_title().startswith("rdfft")
    s = T.error_study(sizes=[16, 64], formats=["bfloat16", "float8_e4m3fn"], trials=2)
    assert len(s.rows) == 2 * 2 * 2
    assert s.plot().get_xlabel() == "log2 n"


def test_error_study_within_bounds():
    s = T.error_study(sizes=[16, 256, 4096], formats=["bfloat16", "float16"], trials=4, seed=3)
    assert (s.column("max / u") <= s.column("bound / u")).all()
    # nearest-even errors grow slower than the worst case
    ne = [r for r in s.rows if r[1] == "nearest_even" and r[0] == "bfloat16"]
    assert ne[-1][3] < ne[-1][5] / 4
    with pytest.raises(ValueError):
        T.error_study(sizes=[12])
    with pytest.raises(ValueError):
        T.error_study(transform="fft")


def test_fwht_and_error_study_refuse_non_integers_and_negative_seeds():
    with pytest.raises(TypeError, match="block must be an int.*2.5"):
        T.fwht(np.ones(8), block=2.5)  # silently used blocks of 2 before
    assert T.fwht(np.ones(8), block=np.int64(2)).tolist() == [2.0, 0.0] * 4
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        T.error_study(sizes=[16], formats=["float16"], trials=1, seed=-1)
    with pytest.raises(ValueError, match="trials must be an int"):
        T.error_study(sizes=[16], formats=["float16"], trials=1.5)
    with pytest.raises(ValueError, match="sizes must be powers of two.*16.5"):
        T.error_study(sizes=[16.5], formats=["float16"], trials=1)
