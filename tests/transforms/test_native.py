"""The native (float32/float64) rdFFT, irdFFT and DCT: the two-stages-per-pass kernels
against an independent numpy transcription of the radix-2 stages (bitwise), against
numpy.fft and scipy.fft within error bounds of order log2(n) u, every slot written,
and the pairing of stages for every start and end a plan can have."""

import numba
import numpy as np
import pytest
import scipy.fft as sf

from numerics import transforms as T
from numerics.transforms import _engine, _native, _steps

RNG = np.random.default_rng(2026)
DTYPES = (np.float64, np.float32)


def _tables(n, dtype):
    C, S, *_ = _engine.rounded_tables(_engine.rdfft_spec(n), None, np.dtype(dtype))
    return C, S


def _radix2_numpy(x, start=2, stop=None, half=False, bitrev=True):
    """Sorensen's radix-2 stages written independently in numpy (one vectorised
    expression per butterfly output, the kernel's operation order), on a copy."""
    x = np.array(x)
    n = x.shape[-1]
    stop = n if stop is None else stop
    C, S = _tables(n, x.dtype)
    g = x.dtype.type(0.5 if half else 1.0)
    if bitrev and n > 1:
        bits = n.bit_length() - 1
        x = x[..., [int(format(i, f"0{bits}b")[::-1], 2) for i in range(n)]]
    L = start
    while L <= stop:
        h, q = L // 2, L // 4
        i = np.arange(0, n, L)
        a, b = x[..., i], x[..., i + h]
        x[..., i], x[..., i + h] = (a + b) * g, (a - b) * g
        if q:
            x[..., i + q] = x[..., i + q] * g
            x[..., i + h + q] = -x[..., i + h + q] * g
        if q > 1:
            k = np.arange(1, q)
            i1, i2 = (i[:, None] + k).ravel(), (i[:, None] + h - k).ravel()
            i3, i4 = (i[:, None] + h + k).ravel(), (i[:, None] + L - k).ravel()
            c, s = np.tile(C[q + k], len(i)), np.tile(S[q + k], len(i))
            er, ei, o_r, o_i = x[..., i1], x[..., i2], x[..., i3], x[..., i4]
            t1 = c * o_r + s * o_i
            t2 = c * o_i - s * o_r
            x[..., i1], x[..., i2] = (er + t1) * g, (er - t1) * g
            x[..., i3], x[..., i4] = (t2 - ei) * g, (ei + t2) * g
        L *= 2
    return x


def _rel(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", range(0, 13))
def test_rdfft_is_bitwise_the_radix2_stages(dtype, k):
    """Pairs of stages per pass and the 16-point codelet reorder nothing: every
    output is bitwise that of one radix-2 stage at a time."""
    n = 2**k
    x = RNG.standard_normal((3, n)).astype(dtype)
    y = x.copy()
    T.rdfft(y)
    assert np.array_equal(y, _radix2_numpy(x))
    s = x.copy()
    T.rdfft(s, scale=True)
    assert np.array_equal(s, _radix2_numpy(x, half=True))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", range(1, 21))
def test_rdfft_and_irdfft_accuracy(dtype, k):
    """Against numpy.fft in float64 (float32 data: its float64 transform), normwise
    and elementwise within 2 log2(n) u of the norm of the spectrum; the inverse
    within 4 log2(n) u."""
    n = 2**k
    rows = max(1, 2**14 // n)
    x = RNG.standard_normal((rows, n)).astype(dtype)
    u = np.finfo(dtype).eps / 2
    y = x.copy()
    T.rdfft(y)
    exact = np.fft.rfft(x.astype(np.float64))
    got = T.halfcomplex_to_complex(y.astype(np.float64))
    bound = 2 * k * u + 4 * 2.0**-53  # numpy's own error in the reference
    assert _rel(got, exact) <= bound
    norms = np.linalg.norm(exact, axis=-1, keepdims=True)
    assert np.all(np.abs(got - exact) <= bound * norms)
    T.irdfft(y)
    assert _rel(y.astype(np.float64), x.astype(np.float64)) <= 4 * k * u


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_slot_is_written(dtype):
    """Unit impulses (every |X_k| = 1: a stale input 0 would show), constants (a
    stale 1 would show where X_k = 0) and the alternating signal, n = 2..256."""
    for k in range(1, 9):
        n = 2**k
        x = np.concatenate([np.eye(n), np.ones((1, n)), [(-1.0) ** np.arange(n)]])
        x = x.astype(dtype)
        y = x.copy()
        T.rdfft(y)
        ref = T.complex_to_halfcomplex(np.fft.rfft(x.astype(np.float64)), n)
        tol = 4 * k * np.finfo(dtype).eps
        assert np.abs(y - ref).max() <= tol * n
        # the spectra of the constant and the alternating row are exact
        assert np.array_equal(y[n:], ref[n:].astype(dtype))
        back = y.copy()
        T.irdfft(back)
        assert np.abs(back - x).max() <= tol


@pytest.mark.parametrize(
    "a, b",
    [(2, 2), (2, 4), (2, 8), (2, 16), (2, 32), (4, 64), (8, 64), (4, 512), (32, 1024), (2, 1024)],
)
@pytest.mark.parametrize("g", [None, 1.0, 0.5])
def test_partial_forward_and_inverse_steps(a, b, g):
    """Any run of stages ``a..b`` (the error tracking propagates through partial
    plans): the forward equals one radix-2 stage at a time, with each factor of
    :func:`_native.gain` (None: no multiplication; 1: a step that does not halve, in a
    plan where another does; 1/2: halving), and the inverse undoes it bitwise as the
    radix-2 inverse stages do."""
    n = 1024
    x = RNG.standard_normal(n)
    C, S = _tables(n, np.float64)
    y = x.copy()
    _native.fwd_steps(y, a, b, C, S, None if g is None else np.float64(g), True)
    assert np.array_equal(y, _radix2_numpy(x, a, b, g == 0.5, bitrev=False))
    z = y.copy()
    _native.inv_steps(z, a, b, C, S, True)
    w = y.copy()
    L = b
    while L >= a:
        _native.inv_stage(w, 0, n, L, C, S)
        L //= 2
    assert np.array_equal(z, w)


def test_tiled_bit_reversal():
    for k in (12, 13, 16):
        n = 2**k
        x = np.arange(n, dtype=np.float64)
        _native.bitrev_tiles(x)
        rev = [int(format(i, f"0{k}b")[::-1], 2) for i in range(n)]
        assert np.array_equal(x, np.arange(n)[rev])


def test_batches_and_threads():
    """Any batch shape; the parallel row loop gives the serial result bitwise."""
    x = RNG.standard_normal((2, 3, 4, 64))
    y = x.copy()
    T.rdfft(y)
    assert np.array_equal(y, _radix2_numpy(x))
    big = RNG.standard_normal((64, 1024)).astype(np.float32)  # >= 2^15 values
    threads = numba.get_num_threads()
    try:
        outs = []
        for t in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(t)
            outs.append(T.rdfft(big.copy()))
    finally:
        numba.set_num_threads(threads)
    assert all(np.array_equal(o, outs[0]) for o in outs)
    assert np.array_equal(outs[0], _radix2_numpy(big))


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_contiguous_and_read_only(dtype):
    base = RNG.standard_normal((4, 256)).astype(dtype)
    view = base[:, ::2]
    expect = _radix2_numpy(view)
    T.rdfft(view)
    assert np.array_equal(base[:, ::2], expect)
    ro = base.copy()
    keep = ro.copy()
    ro.flags.writeable = False
    for f in (T.rdfft, T.irdfft, T.dct):
        with pytest.raises(ValueError, match="read-only"):
            f(ro)
    assert np.array_equal(ro, keep)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("type", [2, 3])
@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dct_long_rows_match_scipy(dtype, type, norm):
    n = 2**14
    x = RNG.standard_normal((2, n)).astype(dtype)
    y = x.copy()
    T.dct(y, type=type, norm=norm)
    ref = sf.dct(x.astype(np.float64), type=type, norm=norm)
    u = np.finfo(dtype).eps / 2
    assert _rel(y.astype(np.float64), ref) <= 4 * 14 * u
    T.idct(y, type=type, norm=norm)
    assert _rel(y.astype(np.float64), x.astype(np.float64)) <= 8 * 14 * u


def _bitrev_numpy(x):
    n = x.shape[-1]
    bits = max(n.bit_length() - 1, 0)
    return x[..., [int(format(i, f"0{bits}b")[::-1], 2) if bits else 0 for i in range(n)]]


def _inverse_stages(x, b):
    """The radix-2 inverse stages of lengths ``b, b/2, ..., 2`` (one kernel call per
    stage) on each row of a copy of ``x``, before any bit reversal."""
    w = x.copy()
    n = x.shape[-1]
    C, S = _tables(n, x.dtype)
    for r in range(w.shape[0]):
        L = b
        while L >= 2:
            _native.inv_stage(w[r], 0, n, L, C, S)
            L //= 2
    return w


def _run_plan(x, *steps):
    n = x.shape[-1]
    plan = np.array(steps, dtype=np.int64).reshape(-1, 4)
    spec = _engine.rdfft_spec(n)
    tables = _engine.rounded_tables(spec, None, x.dtype)
    y = np.array(x).reshape(-1, n)
    _native.run_rows_serial(y, *_engine.native_args(plan, tables))
    return y.reshape(x.shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [*range(0, 13), 14, 16])
def test_irdfft_is_bitwise_the_radix2_inverse_stages(dtype, k):
    """The inverse's last stages run on the row after its bit reversal (interleaved
    blocks): every output is bitwise that of the radix-2 inverse stages, then the
    bit reversal (written in numpy)."""
    n = 2**k
    x = RNG.standard_normal((2, n)).astype(dtype)
    y = x.copy()
    T.irdfft(y)
    assert np.array_equal(y, _bitrev_numpy(_inverse_stages(x, n)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [13, 14, 16])
def test_long_rdfft_is_bitwise_the_radix2_stages(dtype, k):
    """Rows long enough for the tiled bit reversal and the whole-row passes."""
    x = RNG.standard_normal((1, 2**k)).astype(dtype)
    for half in (False, True):
        y = x.copy()
        T.rdfft(y, scale=half)
        assert np.array_equal(y, _radix2_numpy(x, half=half))


@pytest.mark.parametrize("b", [2, 4, 8, 16, 32, 64, 128, 512])
@pytest.mark.parametrize("half", [0, 1])
def test_bit_reversal_next_to_partial_steps(b, half):
    """A bit reversal next to a partial run of stages ``2..b`` (the error tracking's
    plans): the stages that run on the unreversed row stop at ``b``."""
    n = 1024
    x = RNG.standard_normal((2, n)).astype(np.float32)
    fwd = _run_plan(x, (_steps.BITREV, 0, 0, 0), (_steps.FWD, 2, b, half))
    assert np.array_equal(fwd, _radix2_numpy(x, 2, b, bool(half)))
    if half:
        return
    inv = _run_plan(x, (_steps.INV, 2, b, 0), (_steps.BITREV, 0, 0, 0))
    assert np.array_equal(inv, _bitrev_numpy(_inverse_stages(x, b)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [2, 4, 8, 16, 32])
@pytest.mark.parametrize("half", [0, 1])
def test_short_rows_kernel(dtype, n, half):
    """Rows of at most 32 run on the short kernel (radix-2 stages and the codelets, no
    passes): bitwise the radix-2 stages, and the full kernel, for every partial run of
    stages next to the bit reversal, forward (halving or not) and inverse."""
    assert n <= _native._SHORT
    x = RNG.standard_normal((3, n)).astype(dtype)
    spec = _engine.rdfft_spec(n)
    tables = _engine.rounded_tables(spec, None, x.dtype)
    b = 2
    while b <= n:
        plans = [((_steps.BITREV, 0, 0, 0), (_steps.FWD, 2, b, half))]
        refs = [_radix2_numpy(x, 2, b, bool(half))]
        if not half:
            plans.append(((_steps.INV, 2, b, 0), (_steps.BITREV, 0, 0, 0)))
            refs.append(_bitrev_numpy(_inverse_stages(x, b)))
        for steps, ref in zip(plans, refs, strict=True):
            short = _run_plan(x, *steps)
            assert np.array_equal(short, ref)
            full = x.copy()
            args = _engine.native_args(np.array(steps, dtype=np.int64), tables)
            _native.rows_serial(full, *args, True, None, True, True, 0, full.shape[0])
            assert np.array_equal(full, ref)
        b *= 2


@pytest.mark.parametrize("n, scale, marker", [(64, True, "halving"), (128, False, "radix2")])
def test_markers_lacking_one_the_plan_needs_are_refused(n, scale, marker):
    """A caller's markers for several plans (the error report's) must cover every
    marker of the plan it runs: without ``halving`` the kernel would run a halving
    forward step unscaled, without ``radix2`` skip a plan's lone radix-2 stage (an
    odd number of forward stages, n = 128). The rows are left untouched."""
    spec = _engine.rdfft_spec(n, scale)
    plan = spec.plan
    args = _engine.native_args(plan, _engine.rounded_tables(spec, None, np.dtype(np.float64)))
    own = _native.row_markers(n, plan)
    at = _native._MARKERS.index(marker)
    assert own[at] is True
    x = RNG.standard_normal((2, n))
    y = x.copy()
    with pytest.raises(ValueError, match=marker):
        _native.run_rows_serial(y, *args, markers=own[:at] + (None,) + own[at + 1 :])
    assert np.array_equal(y, x)
    _native.run_rows_serial(y, *args, markers=own)
    assert np.array_equal(y, _radix2_numpy(x, 2, n, scale))
