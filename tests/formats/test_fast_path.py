"""The cast kernel's branch-free passes (normal range; below it: the target's
subnormals, values below its smallest subnormal, zeros) against the scalar routine
``round_one`` element by element, in every mode with a fast path, stochastic with and
without ``sr_bits``, in place and not, on data that switches between the passes, through
the range kernel and through the public serial cast (the pass alone, the exact routine
only from the first element the pass leaves)."""

import numba
import numpy as np
import pytest

import numerics as nm
from numerics._core import cast_kernels
from numerics._core.random_words import word
from numerics._core.rounding import cast_general
from numerics.formats._prepare import prepare


@numba.njit(cache=False)
def _scalar(xb, P, key, out):
    for i in range(xb.size):
        out[i] = cast_general(np.uint64(xb[i]), word(key, i), P)


def _data():
    rng = np.random.default_rng(0)
    spread = rng.standard_normal(3000) * np.exp2(rng.integers(-40, 12, 3000))
    # blocks of only normal values, then ReLU-like blocks (half zeros), then tiny ones
    normal = rng.standard_normal(1024) * 100
    relu = np.maximum(rng.standard_normal(1024), 0)
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 2.0**-130, -(2.0**-149), 2.0**-1074]
    return np.concatenate([spread, normal, relu, normal, spread / 2**10, special])


X = _data()
FORMATS = [
    "float8_e4m3fn",
    "float8_e5m2",
    "float4_e2m1fn",
    "float6_e2m3fn",
    "float8_e4m3fnuz",
    "float8_e3m4",
    "bfloat16",
    "ue4m3",
    "e8m0",
    nm.Format(3, 2),
]
MODES = [
    ("nearest_even", None),
    ("nearest_away", None),
    ("toward_zero", None),
    ("up", None),
    ("down", None),
    ("stochastic", None),
    ("stochastic", 3),
    ("stochastic", 13),
]


@pytest.mark.parametrize("fmt", FORMATS, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("start", [0, 3000], ids=["spread-first", "normal-first"])
def test_fast_passes_equal_the_scalar_routine(fmt, dtype, start):
    # from 3000: blocks the pass covers come before the first element it leaves
    xs = X[start:].astype(dtype)
    for mode, sr_bits in MODES:
        for saturate in (False, True):
            for subnormals in (True, False):
                seed = 5 if mode == "stochastic" else None
                p = prepare(xs, fmt, mode, saturate=saturate, subnormals=subnormals,
                            seed=seed, sr_bits=sr_bits)  # fmt: skip
                cont = p.container
                xb = p.flat.view(cont.uint)
                want = np.empty(xb.size, np.float64)
                _scalar(xb, p.P, p.key, want)
                want = want.astype(cont.dtype).view(cont.uint)
                got = np.empty(xb.size, cont.dtype)
                cast_kernels.cast_range(xb, got.view(cont.uint), got, p.P, p.key, 0, xb.size)
                inplace = p.flat.copy()
                ib = inplace.view(cont.uint)
                # in place: no output bits (the loops then read and write one array)
                cast_kernels.cast_range(ib, None, inplace, p.P, p.key, 0, ib.size)
                # the public serial path: the pass alone, then cast_range from the first
                # element it leaves
                kw = dict(saturate=saturate, subnormals=subnormals, seed=seed, sr_bits=sr_bits)
                public = nm.cast(xs, fmt, mode, **kw)
                public_inplace = xs.copy()
                nm.cast(public_inplace, fmt, mode, out=public_inplace, **kw)
                nan = np.isnan(want.view(cont.dtype))
                what = f"{fmt} {dtype.__name__} {mode} {sr_bits} sat={saturate} sub={subnormals}"
                for res in (got.view(cont.uint), ib, public.view(cont.uint),
                            public_inplace.view(cont.uint)):  # fmt: skip
                    bad = (res != want) & ~(nan & np.isnan(res.view(cont.dtype)))
                    assert not bad.any(), f"{what}: {xs[bad][:4]}"


def test_relu_outputs_take_the_fast_pass():
    """Zeros keep their sign and subnormal results are exact (the values the pass now
    rounds): a check on the outcome, not on the path."""
    x = np.array(
        [0.0, -0.0, 2.0**-8, 2.0**-10, 3 * 2.0**-10, 2.0**-11, -(2.0**-10)] * 40, np.float32
    )
    got = nm.cast(x, "float8_e4m3fn")
    # e4m3's subnormals are k * 2**-9: 2**-10 is a tie to 0, 3 * 2**-10 one to 2 * 2**-9
    want = [0.0, -0.0, 2.0**-8, 0.0, 2.0**-8, 0.0, -0.0] * 40
    assert np.array_equal(got, np.array(want, np.float32))
    assert np.array_equal(np.signbit(got), np.signbit(np.array(want)))
