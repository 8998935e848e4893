"""The command line the example scripts share: ``--quick`` and ``--out DIR``.

Example code, not library code: the scripts beside it import it as ``_cli``, and the
docs gallery skips it (files starting with ``_`` are not run as examples).
"""

from __future__ import annotations

import argparse
import os


def parse_args(doc: str, argv: list[str] | None = None) -> argparse.Namespace:
    """The arguments of a script whose docstring is ``doc``: ``quick`` (a short run,
    for tests) and ``out`` (the output folder, created if missing).

    Examples
    --------
    >>> import tempfile
    >>> args = parse_args("A demo.", ["--quick", "--out", tempfile.mkdtemp()])
    >>> args.quick, os.path.isdir(args.out)
    (True, True)
    """
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a short run (for tests)")
    p.add_argument("--out", default="out", help="output folder")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    return args
