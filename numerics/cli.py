"""The ``numerics`` command line."""

from __future__ import annotations

import argparse
import os
import sys

from .analysis import format_table
from .formats import as_format

# format_table moved to numerics.analysis (the one table renderer); the name stays here
__all__ = ["format_table", "main"]

# --values lists at most this many codes' worth of values: float32 and float64 would
# print for hours (float64 never ends), tf32 half a million lines
MAX_VALUES_BITS = 16
# fft-error holds a few float64 arrays of trials * n values per point
MAX_LOG2_SIZE = 24
MAX_LOG2_POINT = 25
# options of `cast` that take an argument (the argument may look like a number)
_CAST_OPTIONS_WITH_ARGUMENT = ("--npy", "--rounding", "--seed", "--out")


def _formats(args: argparse.Namespace) -> int:
    if args.name is None:
        print(format_table())
        return 0
    fmt = as_format(args.name)
    if args.values and fmt.bits > MAX_VALUES_BITS:
        # refused before printing anything, so the error is the only output
        raise ValueError(
            f"{fmt.name or fmt} has 2**{fmt.bits} codes, too many to list; "
            f"--values lists formats of at most {MAX_VALUES_BITS} bits"
        )
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


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None


def _cast(args: argparse.Namespace) -> int:
    import numpy as np

    from .formats import cast

    if args.npy:
        x = np.load(args.npy)
    elif args.values:
        x = np.array([_float(v) for v in args.values], dtype=np.float64)
    else:
        raise ValueError("give values to cast, or --npy FILE")
    seed = args.seed if args.seed is not None else (0 if "stochastic" in args.rounding else None)
    y = cast(x, args.fmt, args.rounding, saturate=args.saturate, seed=seed)
    if args.out:
        # np.save(name) appends ".npy" to a name without it; write the path as given
        with open(args.out, "wb") as f:
            np.save(f, y)
        print(f"wrote {args.out}")
    else:
        for a, b in zip(np.ravel(x), np.ravel(y), strict=True):
            print(f"{float(a)!r} -> {float(b)!r}")
    return 0


def _ints(text: str) -> list[int]:
    """``"4:16"`` (log2 range, inclusive) or ``"16,64,256"``, each at most
    ``2**MAX_LOG2_SIZE``."""
    try:
        if ":" in text:
            lo, hi = (int(v) for v in text.split(":"))
            sizes = None if hi > MAX_LOG2_SIZE else [2**k for k in range(lo, hi + 1)]
        else:
            sizes = [int(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(
            f"--sizes takes lo:hi (log2, inclusive) or n1,n2,...; got {text!r}"
        ) from None
    if sizes is None or max(sizes, default=0) > 2**MAX_LOG2_SIZE:
        raise ValueError(f"--sizes must be at most 2**{MAX_LOG2_SIZE}; got {text!r}")
    return sizes


def _fft_error(args: argparse.Namespace) -> int:
    from .demo import fft_error_study

    sizes = _ints(args.sizes)
    if args.trials * max(sizes, default=0) > 2**MAX_LOG2_POINT:
        raise ValueError(
            f"--trials times the largest size must be at most 2**{MAX_LOG2_POINT} (memory); "
            f"got {args.trials} x {max(sizes)}"
        )
    txt = None
    if args.out:
        # fail on an unwritable folder now, not after the study
        os.makedirs(args.out, exist_ok=True)
        txt = os.path.join(args.out, f"{args.transform}_error.txt")
        open(txt, "w").close()
    study = fft_error_study(
        args.transform,
        sizes,
        args.formats.split(","),
        args.modes.split(","),
        trials=args.trials,
        seed=args.seed,
    )
    print(study.table())
    if txt:
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
    f.add_argument(
        "--values",
        action="store_true",
        help=f"list every finite value (formats of at most {MAX_VALUES_BITS} bits)",
    )
    f.set_defaults(run=_formats)
    c = sub.add_parser("cast", help="round values (or a .npy file) into a format")
    c.add_argument("fmt", help="format name or alias")
    c.add_argument("values", nargs="*", help="numbers to cast (negative ones too: -1e-3, -inf)")
    c.add_argument("--npy", help="a .npy file of float16/32/64 data instead of values")
    c.add_argument("--rounding", default="nearest_even", help="any rounding mode")
    c.add_argument("--saturate", action="store_true", help="clamp overflow to +-max")
    c.add_argument("--seed", type=int, help="key of stochastic rounding")
    c.add_argument("--out", help="save the result as .npy data to this path")
    c.set_defaults(run=_cast)
    e = sub.add_parser("fft-error", help="the FFT butterfly rounding-error study")
    e.add_argument("--transform", default="rdfft", help="rdfft, irdfft, dct, idct or fwht")
    e.add_argument("--formats", default="bfloat16,float16,float8_e4m3fn,float8_e5m2")
    e.add_argument("--modes", default="nearest_even,stochastic", help="rounding modes")
    e.add_argument(
        "--sizes",
        default="4:16",
        help=f"log2 range lo:hi, or a list n1,n2,... (at most 2**{MAX_LOG2_SIZE})",
    )
    e.add_argument("--trials", type=int, default=8, help="random inputs per point")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--out", help="folder for the table and the plot")
    e.set_defaults(run=_fft_error)
    d = sub.add_parser("demo", help="the main job: what numerics is for")
    d.add_argument("--out", default="out", help="output folder (default: out)")
    d.add_argument("--quick", action="store_true", help="a reduced run (for tests)")
    d.set_defaults(run=_demo)
    return p


def _negative_numbers_as_values(argv: list[str]) -> list[str]:
    """``cast``'s arguments with each negative number marked as a value.

    argparse takes ``-1e-3`` and ``-inf`` for options (it knows only ``-1`` and
    ``-1.5`` as negative numbers), so without this they would need ``--``. A token
    that does not start with ``-`` is never an option, and ``float`` ignores the
    leading space that this adds.
    """
    out = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return out + argv[i:]
        if token in _CAST_OPTIONS_WITH_ARGUMENT:
            out += argv[i : i + 2]
            i += 2
            continue
        if token.startswith("-") and token != "-":
            try:
                float(token)
            except ValueError:
                pass
            else:
                token = " " + token
        out.append(token)
        i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``numerics`` and ``python -m numerics``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["cast"]:
        argv = ["cast", *_negative_numbers_as_values(argv[1:])]
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # `numerics formats fp8 --values | head`
        sys.stderr.close()
        return 0
    except (ValueError, TypeError, OSError) as e:
        parser.exit(2, f"numerics: error: {e}\n")
    except MemoryError:
        parser.exit(2, f"numerics: error: out of memory running {args.command}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
