"""Radix-2, radix-4 and split-radix FFTs: their rounding errors against their bounds.

The same emulated rdFFT computed by three algorithms, each with its own real
operations in its own order: radix-2 (Sorensen et al. 1987), radix-4 (three twiddle
products, then two levels of sums per butterfly) and split-radix (Duhamel and
Hollmann 1984, in its real-data form). First one transform of each, with every
rounding error accounted for exactly; then the normwise error against n in
bfloat16, round to nearest, on the same random inputs for every algorithm, with
each algorithm's deterministic bound (``t eta / (1 - t eta)`` for its ``t`` levels)
and the probabilistic one.

    python examples/fft_algorithms.py [--quick] [--out DIR]

Writes DIR/fft_algorithms.png.
"""

from __future__ import annotations

import os

import numpy as np
from _cli import parse_args

from numerics import transforms as T
from numerics.analysis import plotting, text_table

ALGORITHMS = ("radix2", "radix4", "split-radix")


def main(argv=None):
    args = parse_args(__doc__, argv)

    n = 256 if args.quick else 4096
    x = np.random.default_rng(0).standard_normal(n)
    rows = []
    for alg in ALGORITHMS:
        s = T.error_report("rdfft", x, "bfloat16", algorithm=alg)
        ops = s.column("ops")
        rows.append(
            (
                alg,
                len(ops) - 2,
                int(ops[-1]),
                s.summary["normwise / u"],
                s.summary["bound / u"],
                s.summary["contributions mismatch"],
            )
        )
    cols = ("algorithm", "levels", "real ops", "normwise / u", "bound / u", "mismatch")
    print(f"One rdfft of n = {n} in bfloat16, round to nearest:")
    print(text_table(cols, rows))

    sizes = [2**k for k in range(4, 11 if args.quick else 17)]
    study = T.error_study(
        "rdfft",
        sizes,
        ["bfloat16"],
        ["nearest_even"],
        trials=2 if args.quick else 8,
        algorithm=ALGORITHMS,
    )
    print()
    print(study.table())
    ax = study.plot()
    ax.set_title("rdfft in bfloat16, round to nearest: three algorithms")
    png = plotting.save_figure(ax.figure, os.path.join(args.out, "fft_algorithms.png"))
    print(f"wrote {png}")
    return rows, study


if __name__ == "__main__":
    main()
