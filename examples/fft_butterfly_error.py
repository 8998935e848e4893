"""The rounding error of FFT butterflies, accounted for exactly.

One emulated rdFFT in bfloat16: every operation's local rounding error is found with
error-free transformations, and each stage's contribution to the output error is
carried through the remaining stages; the contributions (plus the twiddles'
representation error) add up to the measured error. Then the study: normwise error
against n for bfloat16, float16 and float8 under nearest and stochastic rounding,
with Higham's bound and the probabilistic one.

    python examples/fft_butterfly_error.py [--quick] [--out DIR]

Writes DIR/fft_stages.png and DIR/fft_study.png.
"""

from __future__ import annotations

import os

import numpy as np
from _cli import parse_args

from numerics import transforms as T
from numerics.analysis import plotting


def main(argv=None):
    args = parse_args(__doc__, argv)

    n = 256 if args.quick else 4096
    x = np.random.default_rng(0).standard_normal(n)
    report = T.error_report("rdfft", x, "bfloat16")
    print(report.table())
    s = report.summary
    print(
        f"\nThe stages' contributions add up to the measured rounding error to within "
        f"{s['contributions mismatch']:.1e} (relative)."
    )
    ax = report.plot("contribution / u")
    stages_png = plotting.save_figure(ax.figure, os.path.join(args.out, "fft_stages.png"))

    sizes = [2**k for k in range(4, 11 if args.quick else 17)]
    study = T.error_study(
        "rdfft", sizes, ["bfloat16", "float16", "float8_e4m3fn"], trials=2 if args.quick else 8
    )
    print()
    print(study.table())
    study_png = plotting.save_figure(study.plot().figure, os.path.join(args.out, "fft_study.png"))
    print(f"wrote {stages_png} and {study_png}")
    return report, study


if __name__ == "__main__":
    main()
