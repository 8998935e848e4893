"""The emulated transforms' vector lanes (numerics.transforms._lanes) against the
row-at-a-time kernels (numerics.transforms._tracked), bit for bit, and the lanes'
branch-free rounding against the scalar one. In a file of their own: their compiles
are long, and xdist's ``--dist loadfile`` then runs them beside the other transform
tests instead of after them."""

import numpy as np
import pytest

import numerics as nm
from numerics import transforms as T


def _scalar_kernels(monkeypatch):
    """Route the emulation through the row-at-a-time kernels of
    numerics.transforms._tracked (an independent implementation of the same
    arithmetic) instead of the vector lanes."""
    from numerics.transforms import _lanes

    monkeypatch.setattr(_lanes, "lane_constants", lambda *a: None)


# The lane kernels' code paths, each compiled once (compilation is this test's cost: a
# case is one kernel variant, chosen by argument types, and the formats and modes within
# a case differ in values only, so they share its compiled kernels). Each transform kind
# (dct: forward stages with halving, the twist, the reordering and a scaling; idct:
# inverse stages; fwht: Walsh-Hadamard stages and a scaling), each lane rounding
# (_round_magic, _round_magic32, _round_shift32, _round_normal, _round_sr,
# _round_bits), untracked and tracked, stochastic and not.
_LANE_CASES = (
    # FAST nearest even by the magic constant in float32 lanes, untracked
    ("dct", {"scale": True}, False, "magic32", (("float8_e4m3fn", "nearest_even"),
                                       ("float16", "nearest_even"))),
    # FAST nearest even by the float32 bits (bfloat16), untracked
    ("rdfft", {}, False, "shift32", (("bfloat16", "nearest_even"),)),
    # FAST nearest even by the magic constant in float64 lanes (formats wider than
    # the float32 lanes take), untracked
    ("irdfft", {}, False, "magic", (("float32", "nearest_even"),
                                    ("tensorfloat32", "nearest_even"))),
    # EXACT nearest even by the magic constant (of the sum rounded to odd), tracked
    ("rdfft", {}, True, "magic", (("bfloat16", "nearest_even"), ("float8_e4m3fn", "nearest_even"))),
    # the stochastic rounding with subnormals, tracked and not
    ("idct", {}, True, "sr", (("float16", "stochastic"), ("float8_e5m2", "stochastic"))),
    ("fwht", {}, False, "sr", (("float8_e4m3fn", "stochastic"), ("float6_e3m2fn", "stochastic"))),
    # the normal-range rounding (bfloat16's stochastic rounding too), tracked
    ("irdfft", {}, True, "normal", (("bfloat16", "nearest_away"), ("float16", "nearest_away"),
                                    ("bfloat16", "stochastic"))),
    # the bit rounding in every deterministic mode, tracked: unsigned zero, directed
    # rounding with saturation, to odd, nearest away
    ("fwht", {"normalize": True}, True, "bits", (("float8_e4m3fnuz", "nearest_even"),
                                         ("float8_e5m2", "down"),
                                         ("float6_e3m2fn", "odd"),
                                         ("float8_e4m3fn", "nearest_away"))),
    # the bit rounding, stochastic, untracked
    ("fwht", {}, False, "bits", (("float6_e3m2fn", "stochastic_equal"),
                        ("float8_e4m3fnuz", "stochastic"))),
)  # fmt: skip


@pytest.mark.parametrize("case", range(len(_LANE_CASES)))
def test_lanes_match_the_row_kernels(case, monkeypatch):
    """The vector-lane kernels against the row-at-a-time ones, bit for bit, outputs,
    statistics and stage errors, on data with subnormals, values below them, zeros
    and overflow (the lanes' exact fix-up); and the lane width changes nothing."""
    from numerics.transforms import _engine, _lanes, _tracked

    name, opts, track, rounding, runs_of = _LANE_CASES[case]
    seen = []

    def spy(*args):
        normal = args[16]  # which lane rounding (see numerics.transforms._lanes)
        seen.append("bits" if normal is None else "normal" if normal is True
                    else "sr" if normal == 2 else "magic" if len(normal) == 3
                    else "magic32" if len(normal) == 4 else "shift32")  # fmt: skip
        return serial(*args)

    serial = _lanes.run_chunks
    monkeypatch.setattr(_lanes, "run_chunks", spy)
    monkeypatch.setattr(_engine, "LANES", True)
    monkeypatch.setattr(_engine, "_LANES_MIN_ROWS", 1)
    widths = (_engine.lane_width, lambda n, itemsize: 4)  # one chunk of 9 rows; 4, 4, 1
    rng = np.random.default_rng(5 + case)
    scale = rng.choice([1e-3, 1e-5, 0.0, 1.0, 40.0], (9, 1))
    spec = T.errors._spec(name, 16, opts)
    for fmt, mode in runs_of:
        x = nm.cast(rng.standard_normal((9, 16)) * scale, fmt)
        em = _engine.emulation(fmt, mode, 3, mode == "down", np.dtype(np.float64))
        fast = mode.startswith("nearest") or _engine.exact_in_float64(nm.get_format(fmt))
        assert em.kind(track) == (_tracked.FAST if fast and not track else _tracked.EXACT)
        runs = []
        for width in widths:
            monkeypatch.setattr(_engine, "lane_width", width)
            y = x.copy()
            runs.append((y, *_engine.execute(spec, y, em, track=track)))
        assert seen == [rounding] * len(widths), (fmt, mode, seen)
        seen.clear()
        with monkeypatch.context() as m:
            _scalar_kernels(m)
            m.setattr(_engine, "LANES", False)
            y = x.copy()
            runs.append((y, *_engine.execute(spec, y, em, track=track)))
        for run in runs[1:]:
            for a, b in zip(runs[0], run, strict=True):
                assert (a is None and b is None) or np.array_equal(a, b, equal_nan=True), (
                    name, fmt, mode, track)  # fmt: skip


@pytest.mark.parametrize("fmt", ["float8_e4m3fn", "float6_e3m2fn", "float8_e5m2"])
def test_lane_rounding_below_the_smallest_subnormal(fmt):
    """The lanes' branch-free roundings (the general one, and the stochastic one of
    its own) of values below the smallest subnormal (and of
    subnormals and normal values about it) against the scalar rounding the row kernels
    use (round_value), bit for bit, in every mode, with the same random words: the
    stochastic draw there (up with probability the value over the smallest subnormal)
    keeps the lanes on these values instead of sending them to the row kernels."""
    from numerics._core.rounding import round_value
    from numerics.transforms import _engine, _lanes

    f = nm.get_format(fmt)
    rng = np.random.default_rng(11)
    tiny = f.min_subnormal
    # from just below the smallest subnormal down to float64's own subnormals
    mags = np.concatenate([
        tiny * rng.uniform(0.0, 1.0, 300),
        tiny * np.ldexp(rng.uniform(0.5, 1.0, 300), rng.integers(-60, 0, 300)),
        np.ldexp(rng.uniform(0.5, 1.0, 50), rng.integers(-1074, -1000, 50)),
        [tiny / 2, tiny * 0.75, tiny, tiny * 3.5, 5e-324, 0.0],
        tiny * rng.uniform(1.0, 64.0, 100),
    ])  # fmt: skip
    xs = mags * rng.choice([-1.0, 1.0], mags.size)
    words = rng.integers(0, 2**64, xs.size, dtype=np.uint64, endpoint=False)
    words[:4] = (0, 2**64 - 1, 2**63, 2**63 - 1)
    for mode in ("nearest_even", "nearest_away", "up", "down", "odd", "stochastic",
                 "stochastic_equal", "toward_zero"):  # fmt: skip
        em = _engine.emulation(fmt, mode, 3, False, np.dtype(np.float64))
        P = _engine._params(em)
        K = tuple(int(k) for k in _lanes.lane_constants(f, em.mode.code, P))
        ups = 0
        for x, R in zip(xs.tolist(), words, strict=True):
            v, bad = _lanes._round_bits(x, R, K)
            want = round_value(x, R, P)
            assert not bad, (fmt, mode, x)
            assert np.float64(v).view(np.int64) == np.float64(want).view(np.int64), (
                fmt, mode, x, int(R), v, want)  # fmt: skip
            ups += abs(want) == tiny and abs(x) < tiny
            if mode == "stochastic":
                # the stochastic rounding of its own (subnormals included)
                v, bad = _lanes._round_sr(x, R, (*K, 2, 2))
                assert not bad and np.float64(v).view(np.int64) == np.float64(want).view(
                    np.int64), (fmt, x, int(R), v, want)  # fmt: skip
        # the modes that round some of these up to the smallest subnormal did so
        if mode in ("up", "down", "odd", "stochastic", "stochastic_equal"):
            assert ups > 0, (fmt, mode)


@pytest.mark.parametrize(
    "fmt, rounding",
    [("bfloat16", "shift32"), ("bfloat16", "magic32"), ("float16", "magic32"),
     ("float8_e4m3fn", "magic32"), ("float8_e5m2", "magic32"), ("float4_e2m1fn", "magic32")],
)  # fmt: skip
def test_float32_lane_rounding_is_the_float64_one(fmt, rounding):
    """The float32 lanes' roundings (_round_magic32, and _round_shift32 for bfloat16,
    the format that takes it) of a float32 sum, difference or product of two values of
    the format is the rounding of the float64 result (what the row kernels round), bit
    for bit, subnormals, zeros and signs included, and it says bad exactly where that
    rounding overflows (and, the magic constant, beyond its adder's limit): the double
    rounding is innocuous (see numerics.transforms._engine._single_lanes). Every pair of
    values for the 8-bit and smaller formats; for bfloat16 and float16 random pairs,
    most of them with a product or a sum about the smallest subnormal, where float32
    itself is subnormal for bfloat16."""
    from numba import njit

    from numerics._core.params import rne_constants
    from numerics.transforms import _engine, _lanes

    f = nm.get_format(fmt)
    em = _engine.emulation(fmt, "nearest_even", None, False, np.dtype(np.float64))
    assert _engine._single_lanes(em, None)
    shift = _engine._shift32_constants(f)
    # the engine takes the bit rounding wherever it applies, and it applies to bfloat16
    assert (shift is not None) == (fmt == "bfloat16")
    K = (*(int(k) for k in _lanes.lane_constants(f, em.mode.code, _engine._params(em))),
         *(shift if rounding == "shift32" else _engine._magic32_constants(f)))  # fmt: skip

    # the magic constant's adder limit (bad beyond it); the bit rounding has none
    limit = np.inf if rounding == "shift32" else np.array(K[17], dtype=np.int32).view(np.float32)

    addexp, msub = rne_constants(f)
    K64 = (*K[:15], addexp, *(int(np.array(v).view(np.int64)) for v in (msub, 2 * f.max)))

    @njit
    def lane_round(xs, K):
        out = np.empty(xs.size, xs.dtype)
        bad = np.empty(xs.size, np.bool_)
        for i in range(xs.size):
            out[i], bad[i] = _lanes._lane_round(xs[i], np.uint64(0), K)
        return out, bad

    values = f.values() if f.bits <= 8 else None
    if values is not None:
        values = values[np.isfinite(values)]
        a, b = (v.ravel() for v in np.meshgrid(values, values))
    else:
        rng = np.random.default_rng(3)
        m = 400_000
        # the exponents spread over the whole range, and pairs whose product lands
        # about the smallest subnormal
        e = rng.integers(f.emin - f.mbits - 2, f.emax + 1, (2, m))
        e[:, : m // 2] = (f.emin - f.mbits) // 2 + rng.integers(-4, 5, (2, m // 2))
        mags = np.ldexp(rng.uniform(1.0, 2.0, (2, m)), e)
        a, b = (nm.cast(v * rng.choice([-1.0, 1.0], m), f) for v in mags)
        keep = np.isfinite(a) & np.isfinite(b)
        a, b = a[keep], b[keep]
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    assert np.array_equal(a32, a) and np.array_equal(b32, b)
    for op in (np.add, np.subtract, np.multiply):
        with np.errstate(all="ignore"):
            want = nm.cast(op(a, b), f)
            got, bad = lane_round(op(a32, b32), K)
        # bad where the float64 lanes' rounding is (a value that rounds above the
        # format's largest: the row kernels overflow or saturate it), and beyond the
        # float32 adder's limit (bfloat16 from 2**112 on)
        over = lane_round(op(a, b), K64)[1]
        beyond = np.abs(op(a32, b32)) > limit
        assert np.array_equal(bad, over | beyond), (fmt, op)
        ok = ~bad
        assert np.array_equal(got[ok].astype(np.float64).view(np.int64),
                              want[ok].view(np.int64)), (fmt, op)  # fmt: skip


@pytest.mark.parametrize("saturate", [False, True])
def test_bfloat16_lanes_overflow_as_the_rows(saturate, monkeypatch):
    """bfloat16 on the float32 lanes (_round_shift32) where butterflies overflow the
    format: the chunks that meet it run on the row kernels, and the results are the
    rows' (infinities, or the largest value saturated), bit for bit; the other chunks
    stay on the lanes."""
    from numerics.transforms import _engine

    rng = np.random.default_rng(17)
    x = rng.standard_normal((64, 64))
    x[40:48] *= 2.0e38  # one chunk of the default lane width overflows
    runs = []
    for lanes in (True, False):
        monkeypatch.setattr(_engine, "LANES", lanes)
        y = x.copy()
        T.rdfft(y, fmt="bfloat16", saturate=saturate)
        runs.append(y)
    assert np.array_equal(runs[0], runs[1], equal_nan=True)
    assert np.isinf(runs[1]).any() != saturate
    assert np.isfinite(runs[1][:40]).all()


@pytest.mark.parametrize(
    "fmt, mode",
    [("float8_e4m3fn", "stochastic"), ("float16", "stochastic"),
     ("float6_e3m2fn", "stochastic_equal"), ("float8_e5m2", "up")],
)  # fmt: skip
def test_fast_arithmetic_rounds_as_exact_where_float64_is_exact(fmt, mode, monkeypatch):
    """Untracked, a format whose every float64 operation on two of its values is exact
    (exact_in_float64) runs FAST (a float64 operation, then the rounding) in every
    mode: the same bits as EXACT (the error-free transformation, then the rounding of
    its sum), on the lanes (the stochastic rounding with subnormals, the normal-range
    one, the bit rounding) and on the rows, on data with subnormals, values below
    them, zeros and overflow."""
    from numerics.transforms import _engine, _tracked

    em = _engine.emulation(fmt, mode, 3, False, np.dtype(np.float64))
    assert em.kind(False) == _tracked.FAST and em.kind(True) == _tracked.EXACT
    rng = np.random.default_rng(23)
    scale = rng.choice([1e-3, 1e-5, 0.0, 1.0, 40.0], (9, 1))
    x = nm.cast(rng.standard_normal((9, 16)) * scale, fmt)
    spec = T.errors._spec("fwht", 16, {})
    runs = []
    for kind in (_tracked.FAST, _tracked.EXACT):
        monkeypatch.setattr(_engine.Emulation, "kind", lambda self, track, k=kind: k)
        for lanes in (True, False):
            monkeypatch.setattr(_engine, "LANES", lanes)
            y = x.copy()
            _engine.execute(spec, y, em, track=False)
            runs.append(y)
    for y in runs[1:]:
        assert np.array_equal(y, runs[0], equal_nan=True)


@pytest.mark.parametrize(
    "fmt", ["float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float6_e3m2fn", "float4_e2m1fn"]
)
def test_exact_in_float64_every_pair(fmt):
    """exact_in_float64 against every pair of finite values of the 8-bit and smaller
    formats: each float64 sum, difference and product is the exact rational one."""
    from fractions import Fraction

    from numerics.transforms import _engine

    f = nm.get_format(fmt)
    assert _engine.exact_in_float64(f)
    v = f.values()
    v = np.unique(v[np.isfinite(v)])
    a, b = (t.ravel() for t in np.meshgrid(v, v))
    exact = {float(t): Fraction(float(t)) for t in v}
    for op, fop in ((np.add, Fraction.__add__), (np.subtract, Fraction.__sub__),
                    (np.multiply, Fraction.__mul__)):  # fmt: skip
        got = op(a, b)
        assert all(Fraction(float(g)) == fop(exact[float(p)], exact[float(q)])
                   for g, p, q in zip(got, a, b, strict=True)), (fmt, op)  # fmt: skip


def test_exact_in_float64_bounds():
    """The bound is tight where it fails: bfloat16's largest value plus its smallest
    subnormal is not a float64; float16's extreme pairs are exact."""
    from fractions import Fraction

    from numerics.transforms import _engine

    bf, half = nm.get_format("bfloat16"), nm.get_format("float16")
    assert not _engine.exact_in_float64(bf) and _engine.exact_in_float64(half)
    assert Fraction(bf.max + bf.min_subnormal) != Fraction(bf.max) + Fraction(bf.min_subnormal)
    for p, q in ((half.max, half.min_subnormal), (-half.max, half.min_subnormal),
                 (half.max, half.max), (half.min_subnormal, half.min_subnormal)):  # fmt: skip
        assert Fraction(p + q) == Fraction(p) + Fraction(q)
        assert Fraction(p * q) == Fraction(p) * Fraction(q)
