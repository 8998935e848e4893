"""The ``numerics`` command line."""

from __future__ import annotations

import argparse
import sys

from .analysis import format_table
from .formats import as_format

# format_table moved to numerics.analysis (the one table renderer); the name stays here
__all__ = ["format_table", "main"]


def _formats(args: argparse.Namespace) -> int:
    if args.name is None:
        print(format_table())
        return 0
    fmt = as_format(args.name)
    print(repr(fmt))
    print(format_table([fmt]) if fmt.name else "")
    if args.values:
        for v in fmt.values():
            print(repr(float(v)))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo(args.out, quick=args.quick)
    return 0


def _cast(args: argparse.Namespace) -> int:
    import numpy as np

    from .formats import cast

    if args.npy:
        x = np.load(args.npy)
    elif args.values:
        x = np.array([float(v) for v in args.values], dtype=np.float64)
    else:
        raise ValueError("give values to cast, or --npy FILE")
    seed = args.seed if args.seed is not None else (0 if "stochastic" in args.rounding else None)
    y = cast(x, args.fmt, args.rounding, saturate=args.saturate, seed=seed)
    if args.out:
        np.save(args.out, y)
        print(f"wrote {args.out}")
    else:
        for a, b in zip(np.ravel(x), np.ravel(y), strict=True):
            print(f"{float(a)!r} -> {float(b)!r}")
    return 0


def _ints(text: str) -> list[int]:
    """``"4:16"`` (log2 range, inclusive) or ``"16,64,256"``."""
    if ":" in text:
        lo, hi = (int(v) for v in text.split(":"))
        return [2**k for k in range(lo, hi + 1)]
    return [int(v) for v in text.split(",")]


def _fft_error(args: argparse.Namespace) -> int:
    import os

    from .demo import fft_error_study

    study = fft_error_study(
        args.transform,
        _ints(args.sizes),
        args.formats.split(","),
        args.modes.split(","),
        trials=args.trials,
        seed=args.seed,
    )
    print(study.table())
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        txt = os.path.join(args.out, f"{args.transform}_error.txt")
        with open(txt, "w") as f:
            f.write(study.table() + "\n")
        print(f"wrote {txt}")
        try:
            import matplotlib

            matplotlib.use("Agg")
            png = os.path.join(args.out, f"{args.transform}_error.png")
            study.plot().figure.savefig(png, dpi=120, bbox_inches="tight")
            print(f"wrote {png}")
        except ImportError:
            print("(no plot: matplotlib is not installed)")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="numerics", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    f = sub.add_parser("formats", help="table of named formats, or one format in detail")
    f.add_argument("name", nargs="?", help="a format name or alias")
    f.add_argument("--values", action="store_true", help="list every finite value")
    f.set_defaults(run=_formats)
    c = sub.add_parser("cast", help="round values (or a .npy file) into a format")
    c.add_argument("fmt", help="format name or alias")
    c.add_argument("values", nargs="*", help="numbers to cast")
    c.add_argument("--npy", help="a .npy file of float16/32/64 data instead of values")
    c.add_argument("--rounding", default="nearest_even", help="any rounding mode")
    c.add_argument("--saturate", action="store_true", help="clamp overflow to +-max")
    c.add_argument("--seed", type=int, help="key of stochastic rounding")
    c.add_argument("--out", help="save the result to this .npy file")
    c.set_defaults(run=_cast)
    e = sub.add_parser("fft-error", help="the FFT butterfly rounding-error study")
    e.add_argument("--transform", default="rdfft", help="rdfft, irdfft, dct, idct or fwht")
    e.add_argument("--formats", default="bfloat16,float16,float8_e4m3fn,float8_e5m2")
    e.add_argument("--modes", default="nearest_even,stochastic", help="rounding modes")
    e.add_argument("--sizes", default="4:16", help="log2 range lo:hi, or a list n1,n2,...")
    e.add_argument("--trials", type=int, default=8, help="random inputs per point")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--out", help="folder for the table and the plot")
    e.set_defaults(run=_fft_error)
    d = sub.add_parser("demo", help="the main job: what numerics is for")
    d.add_argument("--out", default="out", help="output folder (default: out)")
    d.add_argument("--quick", action="store_true", help="a reduced run (for tests)")
    d.set_defaults(run=_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``numerics`` and ``python -m numerics``."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as e:
        parser.exit(2, f"numerics: error: {e}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
