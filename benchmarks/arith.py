"""Emulated float8 dot products and matrix products: numerics.arith against the same
computation written with numpy and a cast after every operation (inputs cast to
float8_e4m3fn, each product rounded to bfloat16, each accumulation to float16; the
way users emulate it today with ml_dtypes or pychop), in one process.

Prints the time of each and the speed-up. Both compute the same bits (checked).

    python benchmarks/arith.py [--n N] [--m M]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import best

import numerics as nm
from numerics import arith

E4M3, BF16, F16 = "float8_e4m3fn", "bfloat16", "float16"


def ml_dtypes_cast(ml_dtypes):
    types = {E4M3: ml_dtypes.float8_e4m3fn, BF16: ml_dtypes.bfloat16, F16: np.float16}

    def cast(v, name):
        return np.asarray(v, np.float64).astype(types[name]).astype(np.float64)

    return cast


def numpy_dot(x, y, cast):
    """Recursive float16 accumulation of bfloat16-rounded products, one cast per op."""
    x, y = cast(x, E4M3), cast(y, E4M3)
    acc = 0.0
    for a, b in zip(x, y, strict=True):
        acc = cast(acc + cast(a * b, BF16), F16)
    return float(acc)


def numpy_matmul(A, B, cast):
    """The same for every entry at once: a loop over k of whole-matrix operations."""
    A, B = cast(A, E4M3), cast(B, E4M3)
    acc = np.zeros((A.shape[0], B.shape[1]))
    for q in range(A.shape[1]):
        acc = cast(acc + cast(np.outer(A[:, q], B[q]), BF16), F16)
    return acc


def ours_dot(x, y):
    return arith.dot(x, y, F16, fmt_in=E4M3, fmt_prod=BF16)


def ours_matmul(A, B):
    return arith.matmul(A, B, F16, fmt_in=E4M3, fmt_prod=BF16)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=4096, help="dot product length")
    p.add_argument("--m", type=int, default=256, help="matrix size (m x m times m x m)")
    args = p.parse_args()
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(args.n) / 8, rng.standard_normal(args.n) / 8
    A, B = rng.standard_normal((args.m, args.m)) / 8, rng.standard_normal((args.m, args.m)) / 8
    casts = {"numerics.cast": lambda v, f: nm.cast(np.asarray(v, np.float64), f)}
    try:
        import ml_dtypes

        casts = {"ml_dtypes": ml_dtypes_cast(ml_dtypes), **casts}
    except ImportError:
        pass
    t_dot = best(lambda: ours_dot(x, y), 5)
    t_mm = best(lambda: ours_matmul(A, B), 3)
    print(f"dot n={args.n}: numerics.arith {t_dot * 1e3:9.3f} ms")
    print(f"matmul {args.m}^3: numerics.arith {t_mm * 1e3:9.1f} ms")
    for name, cast in casts.items():
        # ml_dtypes rounds float64 through float32 (double rounding): count what differs
        same_dot = numpy_dot(x, y, cast) == ours_dot(x, y)
        diff = int((numpy_matmul(A, B, cast) != ours_matmul(A, B)).sum())
        print(f"numpy + {name}: dot equal: {same_dot}; matmul entries that differ: {diff}")
        td = best(lambda cast=cast: numpy_dot(x, y, cast), 1)
        tm = best(lambda cast=cast: numpy_matmul(A, B, cast), 1)
        print(f"dot with numpy + {name}: {td * 1e3:9.1f} ms  ({td / t_dot:7.0f}x slower)")
        print(f"matmul with numpy + {name}: {tm * 1e3:9.1f} ms  ({tm / t_mm:7.1f}x slower)")


if __name__ == "__main__":
    main()
