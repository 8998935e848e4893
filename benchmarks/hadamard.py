"""The Walsh-Hadamard transform of lengths 2**k and m * 2**k (m = 12, 20, 28, 40):
numerics.transforms.fwht in place (one thread) against the dense product with the same
(orthonormal) matrix (``x @ H.T``, BLAS on one thread), natively, and the emulated transform (every
operation rounded into bfloat16, nearest even), in one process.

    python benchmarks/hadamard.py [--repeat R]
"""

from __future__ import annotations

import os

# one BLAS thread for the dense product (before numpy loads its BLAS)
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
from _common import best  # noqa: E402

from numerics import transforms as T  # noqa: E402

ROWS = 256
# (n, order): the powers of two next to each m * 2**k for scale
SIZES = ((4096, None), (3072, 12), (5120, 20), (7168, 28), (5120, 40), (8192, None))


def dense_matrix(n: int, order: int | None) -> np.ndarray:
    """The orthonormal H itself, as the transform of the identity (its columns)."""
    return T.fwht(np.eye(n), True, order=order).T.copy()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        print(f"fwht, {ROWS} rows, 1 thread: ms; the dense product x @ H.T (BLAS) / ours")
        print(f"{'n':>6s} {'m':>3s} {'dtype':8s} {'fwht ms':>9s} {'dense ms':>9s} {'ratio':>7s}")
        for n, order in SIZES:
            H = dense_matrix(n, order)
            for dtype in (np.float64, np.float32):
                x = np.random.default_rng(0).standard_normal((ROWS, n)).astype(dtype)
                Hd = H.astype(dtype)
                y = x.copy()
                t_ours = best(lambda y=y, o=order: T.fwht(y, True, order=o), args.repeat)
                t_dense = best(lambda x=x, Hd=Hd: x @ Hd.T, args.repeat)
                m = order or next(m for m in (1, 12, 20, 28) if n % m == 0)
                print(
                    f"{n:6d} {m:3d} {np.dtype(dtype).name:8s} {t_ours * 1e3:9.3f} "
                    f"{t_dense * 1e3:9.3f} {t_dense / t_ours:7.1f}"
                )
        print(f"\nemulated fwht, bfloat16, nearest even, {ROWS // 4} rows, 1 thread")
        for n, order in SIZES:
            x = np.random.default_rng(1).standard_normal((ROWS // 4, n))
            y = x.copy()
            t = best(lambda y=y, o=order: T.fwht(y, True, order=o, fmt="bfloat16"), args.repeat)
            print(f"{n:6d} {order or '-'!s:>3s} {t * 1e3:9.2f} ms {t * 1e9 / y.size:7.1f} ns/value")
    finally:
        numba.set_num_threads(threads)


if __name__ == "__main__":
    main()
