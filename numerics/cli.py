"""The ``numerics`` command line."""

from __future__ import annotations

import argparse
import os
import sys

from .analysis import format_table
from .formats import Rounding, as_format

DESCRIPTION = (
    "Emulate and analyse low-precision arithmetic: format tables, casts, and error "
    "studies of the transforms and of casts, serially, on local processes "
    "(--workers) or on a Dask cluster (--scheduler)."
)
ROUNDINGS = ", ".join(r.value for r in Rounding)
TRANSFORMS = ("rdfft", "irdfft", "dct", "idct", "fwht")
OUTPUT_FORMATS = ("txt", "csv", "json")

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


def _version() -> str:
    """The installed distribution's version, else the package's own."""
    from importlib import metadata

    try:
        return metadata.version("numerics")
    except metadata.PackageNotFoundError:
        from . import __version__

        return __version__


def _render(report, output: str) -> str:
    if output == "csv":
        return report.to_csv()
    if output == "json":
        return report.to_json()
    return report.table() + "\n"


def _prepare_out(args: argparse.Namespace, stem: str) -> str | None:
    """The path the report goes to in ``--out``, created (empty) now: an unwritable
    folder fails before the study, not after it."""
    if not args.out:
        return None
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"{stem}.{args.format}")
    open(path, "w").close()
    return path


def _run_study(args: argparse.Namespace, study, stem: str, path: str | None, plot: bool) -> None:
    text = _render(study, args.format)
    sys.stdout.write(text)
    if path is None:
        return
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print(f"wrote {path}", file=sys.stderr if args.format != "txt" else sys.stdout)
    if not plot:
        return
    try:
        import matplotlib

        matplotlib.use("Agg")
        png = os.path.join(args.out, f"{stem}.png")
        study.plot().figure.savefig(png, dpi=120, bbox_inches="tight")
        print(f"wrote {png}", file=sys.stderr if args.format != "txt" else sys.stdout)
    except ImportError:
        print("(no plot: matplotlib is not installed)", file=sys.stderr)


def _executor(args: argparse.Namespace):
    from .analysis.sweep import open_executor

    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be at least 1, got {args.workers}")
    return open_executor(args.workers, args.scheduler)


def _fft_error(args: argparse.Namespace) -> int:
    from .demo import fft_error_study

    sizes = _ints(args.sizes)
    if args.trials * max(sizes, default=0) > 2**MAX_LOG2_POINT:
        raise ValueError(
            f"--trials times the largest size must be at most 2**{MAX_LOG2_POINT} (memory); "
            f"got {args.trials} x {max(sizes)}"
        )
    stem = f"{args.transform}_error"
    path = _prepare_out(args, stem)
    with _executor(args) as executor:
        study = fft_error_study(
            args.transform,
            sizes,
            args.formats.split(","),
            args.modes.split(","),
            trials=args.trials,
            seed=args.seed,
            executor=executor,
        )
    _run_study(args, study, stem, path, plot=True)
    return 0


def _cast_error(args: argparse.Namespace) -> int:
    from .analysis import quantization_study
    from .demo import with_progress

    if args.trials * args.size > 2**MAX_LOG2_POINT:
        raise ValueError(
            f"--trials times --size must be at most 2**{MAX_LOG2_POINT} (memory); "
            f"got {args.trials} x {args.size}"
        )
    formats, modes = args.formats.split(","), args.modes.split(",")
    path = _prepare_out(args, "cast_error")
    with _executor(args) as executor:
        study = with_progress(
            len(formats) * len(modes),
            "cast error study",
            lambda step: quantization_study(
                formats,
                modes,
                size=args.size,
                trials=args.trials,
                scaling=args.scaling,
                seed=args.seed,
                progress=step,
                executor=executor,
            ),
        )
    _run_study(args, study, "cast_error", path, plot=False)
    return 0


class _HelpFormatter(argparse.HelpFormatter):
    """Help that shows each option's default (unless it has none, or is a flag)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "%(default)" in text or any(
            action.default is v for v in (None, False, argparse.SUPPRESS)
        ):
            return text
        if not action.option_strings and action.nargs not in ("?", "*"):
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _sweep_options(p: argparse.ArgumentParser) -> None:
    """Where a study runs, and what it writes."""
    p.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        default="txt",
        help="the report as an aligned table, CSV or JSON (both read back exactly "
        "with numerics.analysis.read_report)",
    )
    p.add_argument("--out", help="folder for the report (and the plot)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, metavar="N", help="run the points on N local processes"
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the points on the Dask cluster of this scheduler (tcp://host:8786); "
        "needs the distributed package",
    )


def _parser() -> argparse.ArgumentParser:
    kw = {"formatter_class": _HelpFormatter}
    p = _Parser(prog="numerics", description=DESCRIPTION, **kw)
    p.add_argument("--version", action="version", version=f"numerics {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    f = sub.add_parser(
        "formats",
        help="table of named formats, or one format in detail",
        description="The table of named formats, or one format in detail.",
        **kw,
    )
    f.add_argument("name", nargs="?", help="a format name or alias (all formats without one)")
    f.add_argument(
        "--values",
        action="store_true",
        help=f"list every finite value (formats of at most {MAX_VALUES_BITS} bits)",
    )
    f.set_defaults(run=_formats)
    c = sub.add_parser(
        "cast",
        help="round values (or a .npy file) into a format",
        description="Round numbers (or a .npy file of float data) into a format.",
        **kw,
    )
    c.add_argument("fmt", help="format name or alias")
    c.add_argument("values", nargs="*", help="numbers to cast (negative ones too: -1e-3, -inf)")
    c.add_argument("--npy", help="a .npy file of float16/32/64 data instead of values")
    c.add_argument("--rounding", default="nearest_even", help=f"one of: {ROUNDINGS}")
    c.add_argument("--saturate", action="store_true", help="clamp overflow to +-max")
    c.add_argument("--seed", type=int, help="key of stochastic rounding (0 when not given)")
    c.add_argument("--out", help="save the result as .npy data to this path")
    c.set_defaults(run=_cast)
    e = sub.add_parser(
        "fft-error",
        help="the FFT butterfly rounding-error study",
        description="The normwise error of an emulated transform against n, for several "
        "formats and rounding modes, over random inputs, with the error bounds.",
        **kw,
    )
    e.add_argument("--transform", default="rdfft", choices=TRANSFORMS, help="the transform")
    e.add_argument(
        "--formats",
        default="bfloat16,float16,float8_e4m3fn,float8_e5m2",
        help="comma-separated format names",
    )
    e.add_argument(
        "--modes",
        default="nearest_even,stochastic",
        help=f"comma-separated rounding modes, each one of: {ROUNDINGS}",
    )
    e.add_argument(
        "--sizes",
        default="4:16",
        help=f"log2 range lo:hi, or a list n1,n2,... (at most 2**{MAX_LOG2_SIZE})",
    )
    e.add_argument("--trials", type=int, default=8, help="random inputs per point")
    e.add_argument("--seed", type=int, default=0, help="seeds the inputs and the rounding")
    _sweep_options(e)
    e.set_defaults(run=_fft_error)
    q = sub.add_parser(
        "cast-error",
        help="the format x rounding grid of cast error",
        description="The error of casting the same random data into each format with "
        "each rounding mode, in units of the format's u.",
        **kw,
    )
    q.add_argument(
        "--formats",
        default="bfloat16,float16,float8_e4m3fn,float8_e5m2",
        help="comma-separated format names",
    )
    q.add_argument(
        "--modes",
        default="nearest_even,stochastic",
        help=f"comma-separated rounding modes, each one of: {ROUNDINGS}",
    )
    q.add_argument("--size", type=int, default=4096, help="numbers per input")
    q.add_argument("--trials", type=int, default=8, help="random inputs per point")
    q.add_argument(
        "--scaling",
        choices=("amax", "none"),
        default="amax",
        help="scale each input's largest magnitude to the format's largest value, or not",
    )
    q.add_argument("--seed", type=int, default=0, help="seeds the inputs and the rounding")
    _sweep_options(q)
    q.set_defaults(run=_cast_error)
    d = sub.add_parser(
        "demo",
        help="the main job: what numerics is for",
        description="Tables and plots of what numerics is for, written to a folder.",
        **kw,
    )
    d.add_argument("--out", default="out", help="output folder")
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
    except (ValueError, TypeError, OSError, ImportError) as e:
        parser.exit(2, f"numerics: error: {e}\n")
    except MemoryError:
        parser.exit(2, f"numerics: error: out of memory running {args.command}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
