"""Cast float32 -> float8_e4m3fn values: numerics against copy and the anchors.

Runs every contender in one process on the same 10**7 float32 values and prints
ns/element and ratios to ``np.copyto`` into a preallocated array (the cost of touching
the data once; ``x.copy()`` also pays for a fresh allocation and is shown beside it).
The targets (DESIGN section 8): nearest even at most 2x, stochastic at most 3x, on one
thread; two threads no slower than one. Contenders that are not installed are skipped.

    python benchmarks/cast.py [--n N] [--repeat R]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import ratio_tables

import numerics as nm


def contenders(x, n_small):
    out = np.empty_like(x)
    yield "np.copyto(out, x)", lambda: np.copyto(out, x), x.size
    yield "x.copy()", lambda: x.copy(), x.size
    yield "numerics RNE", lambda: nm.cast(x, "float8_e4m3fn", out=out), x.size
    # in place on a copy of x (from its second run on, values of the format: the
    # branch-free pass does the same work on them)
    y = x.copy()
    yield "numerics RNE in place", lambda: nm.cast(y, "float8_e4m3fn", out=y), x.size
    yield (
        "numerics SR",
        lambda: nm.cast(x, "float8_e4m3fn", "stochastic", seed=1, out=out),
        x.size,
    )
    yield (
        "numerics SR sr_bits=8",
        lambda: nm.cast(x, "float8_e4m3fn", "stochastic", seed=1, sr_bits=8, out=out),
        x.size,
    )
    try:
        import ml_dtypes

        yield (
            "ml_dtypes round trip",
            lambda: x.astype(ml_dtypes.float8_e4m3fn).astype(np.float32),
            x.size,
        )
    except ImportError:
        pass
    try:
        import torch

        t = torch.from_numpy(x)
        yield "torch .to(float8_e4m3fn) and back", lambda: t.to(torch.float8_e4m3fn).float(), x.size
        try:
            from qtorch.quant import float_quantize

            yield (
                "qtorch float_quantize(4, 3)",
                lambda: float_quantize(t, exp=4, man=3, rounding="nearest"),
                x.size,
            )
        except Exception as e:  # qtorch builds a C++ extension on first use
            print(f"(qtorch unavailable: {type(e).__name__}: {str(e)[:80]})")
    except ImportError:
        pass
    xs = x[:n_small]
    try:
        import gfloat
        from gfloat.formats import format_info_ocp_e4m3

        yield (
            "gfloat round_ndarray",
            lambda: gfloat.round_ndarray(format_info_ocp_e4m3, xs),
            xs.size,
        )
    except ImportError:
        pass
    try:
        from pychop import Chop

        ch = Chop(exp_bits=4, sig_bits=3, rmode=1)
        yield "pychop Chop(4,3)", lambda: ch(xs), xs.size
    except Exception as e:
        print(f"(pychop unavailable: {type(e).__name__}: {str(e)[:80]})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=10**7)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--small", type=int, default=10**6, help="elements for the slow anchors")
    args = p.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal(args.n).astype(np.float32) * 10
    title = f"{args.n:.0e} float32 -> float8_e4m3fn values"
    ratio_tables(title, lambda: contenders(x, args.small), x.size, args.repeat, 2)


if __name__ == "__main__":
    main()
