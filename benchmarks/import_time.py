"""How long ``import numerics`` takes, each run in a fresh process, and whether it
imports torch (it must not; tests/test_package.py checks that, without a time limit).

The import compiles nothing (kernels compile on first call), so the figure does not
depend on the numba cache. On a loaded machine it grows: that is why it is a
benchmark and not a test.

    python benchmarks/import_time.py [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

CODE = (
    "import sys, time; t = time.perf_counter(); import numerics; "
    "print(time.perf_counter() - t, 'torch' in sys.modules)"
)


def import_seconds() -> tuple[float, bool]:
    """One fresh interpreter's import time of numerics, and whether torch got loaded."""
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), out[1] == "True"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--repeat", type=int, default=5, help="fresh processes (default 5)")
    args = p.parse_args(argv)
    runs = [import_seconds() for _ in range(args.repeat)]
    times = [t for t, _ in runs]
    print(
        f"import numerics: median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f} s, max {max(times):.3f} s over {args.repeat} fresh processes"
    )
    print(f"imports torch: {any(torch for _, torch in runs)}")


if __name__ == "__main__":
    main()
