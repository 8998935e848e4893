"""The ``numerics`` command line."""

from __future__ import annotations

import argparse
import sys

from .formats import FORMATS, as_format

__all__ = ["format_table", "main"]


def format_table(names: list[str] | None = None) -> str:
    """A text table of named formats: bits, bias, range, specials and eps.

    Examples
    --------
    >>> print(format_table(["fp4"]).splitlines()[2].split()[:4])
    ['float4_e2m1fn', '4', '1', '6']
    """
    fmts = [as_format(n) for n in names] if names else list(FORMATS.values())
    head = ("name", "bits", "bias", "max", "min normal", "min subnormal", "Inf", "NaN", "eps")
    rows = [
        (
            str(f),
            str(f.bits),
            str(f.bias),
            f"{f.max:.6g}",
            f"{f.min_normal:.6g}",
            f"{f.min_subnormal:.6g}",
            "yes" if f.inf else "no",
            f.nan.value,
            f"{f.eps:.6g}",
        )
        for f in fmts
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(r):
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(head), rule, *(line(r) for r in rows)])


def _formats(args: argparse.Namespace) -> int:
    if args.name is None:
        print(format_table())
        return 0
    fmt = as_format(args.name)
    print(repr(fmt))
    print(format_table([fmt.name] if fmt.name else None) if fmt.name else "")
    if args.values:
        for v in fmt.values():
            print(repr(float(v)))
    return 0


def _demo(args: argparse.Namespace) -> int:
    print("Named formats of numerics (numerics formats NAME --values lists one's values):\n")
    print(format_table())
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="numerics", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("formats", help="table of named formats, or one format in detail")
    f.add_argument("name", nargs="?", help="a format name or alias")
    f.add_argument("--values", action="store_true", help="list every finite value")
    f.set_defaults(run=_formats)
    d = sub.add_parser("demo", help="the main job: what numerics is for")
    d.set_defaults(run=_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``numerics`` and ``python -m numerics``."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, TypeError) as e:
        parser.exit(2, f"numerics: error: {e}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
