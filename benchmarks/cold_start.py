"""Cold and warm start: the first call of the main entry points, each in a fresh process.

Cold: an empty temporary ``NUMBA_CACHE_DIR``, so numba compiles every kernel the call
reaches. Warm: a fresh process on the cache the cold run filled. The time runs from
before ``import numerics`` to the end of the first call (the import is also shown, and
the cold process's CPU time, which a loaded machine inflates less than wall time).

The warm target is what numerics may add to numba's own start: the first line, "numba
floor", is a fresh process that imports numpy and numba and runs one trivial kernel
from a warm cache (numba's first kernel load sets up its registries and imports
scipy.linalg, about 0.3 s, before any numerics code runs). Each warm time must stay
within WARM_EXTRA seconds of it.

    python benchmarks/cold_start.py [--only NAME ...] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name, target (s) for the cold run, setup, first call
CALLS = (
    ("cast", 2.0, "x = np.ones(16, np.float32)", "nm.cast(x, 'float8_e4m3fn')"),
    ("quantize_mx", 3.0, "x = np.ones(64, np.float32)", "nm.quantize_mx(x, 'e2m1').dequantize()"),
    (
        "arith.matmul",
        3.0,
        "a = np.full((32, 64), 0.1); b = np.ones((64, 32))",
        "nm.arith.matmul(a, b, 'float16', fmt_in='float8_e4m3fn')",
    ),
    ("rdfft native", 3.0, "x = np.ones(16)", "nm.transforms.rdfft(x)"),
    # rows of at most 32 run on a short kernel of their own: this one compiles the
    # passes every longer row runs
    ("rdfft native 8x1024", 3.0, "x = np.ones((8, 1024))", "nm.transforms.rdfft(x)"),
    ("irdfft native 8x1024", 3.0, "x = np.ones((8, 1024))", "nm.transforms.irdfft(x)"),
    ("rdfft bf16", 10.0, "x = np.ones(16)", "nm.transforms.rdfft(x, fmt='bf16')"),
    # a batch of 8 rows or more runs on the vector lanes (numerics.transforms._lanes)
    (
        "rdfft bf16 64x1024",
        10.0,
        "x = np.random.default_rng(0).standard_normal((64, 1024))",
        "nm.transforms.rdfft(x, fmt='bf16')",
    ),
)
WARM_EXTRA = 0.3

_FLOOR = """
import time
t0 = time.perf_counter()
import numpy as np
import numba
@numba.njit(cache=True)
def one(x):
    return x + 1
one(1.0)
t1 = time.perf_counter()
print({{"import": t1 - t0, "total": t1 - t0, "cpu": time.process_time()}})
"""

_CHILD = """
import time
t0 = time.perf_counter()
import numpy as np
import numerics as nm
t1 = time.perf_counter()
{setup}
{call}
t2 = time.perf_counter()
print({{"import": t1 - t0, "total": t2 - t0, "cpu": time.process_time()}})
"""


def first_call(setup: str, call: str, cache: str, template: str = _CHILD) -> dict:
    """Import and first-call seconds of one fresh interpreter on the numba cache ``cache``."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    code = template.format(setup=setup, call=call)
    # a file, not ``-c``: numba caches only functions defined in a file
    with tempfile.NamedTemporaryFile("w", suffix=".py", dir=cache, delete=False) as f:
        f.write(code)
    res = subprocess.run(
        [sys.executable, f.name], env=env, capture_output=True, text=True, check=False
    )
    if res.returncode != 0:
        raise RuntimeError(f"{call} failed:\n{res.stderr}")
    line = res.stdout.strip().splitlines()[-1]
    return json.loads(line.replace("'", '"'))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="names of the calls to run (default: all)")
    ap.add_argument("--keep", action="store_true", help="keep the caches (paths printed)")
    args = ap.parse_args()
    calls = [c for c in CALLS if not args.only or c[0] in args.only]
    print("first call in a fresh process (seconds, import included)")
    print(
        f"{'call':20s} {'import':>7s} {'cold':>7s} {'cpu':>7s} {'target':>7s} "
        f"{'warm':>7s} {'target':>7s}"
    )
    cache = tempfile.mkdtemp(prefix="numerics-cold-")
    try:
        first_call("", "", cache, _FLOOR)
        floor = min(first_call("", "", cache, _FLOOR)["total"] for _ in range(3))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"{'numba floor':20s} {'':7s} {'':7s} {'':7s} {'':7s} {floor:7.2f}")
    warm_target = floor + WARM_EXTRA
    for name, target, setup, call in calls:
        cache = tempfile.mkdtemp(prefix="numerics-cold-")
        try:
            cold = first_call(setup, call, cache)
            warm = first_call(setup, call, cache)
        finally:
            if args.keep:
                print(f"  cache of {name}: {cache}")
            else:
                shutil.rmtree(cache, ignore_errors=True)
        print(
            f"{name:20s} {cold['import']:7.2f} {cold['total']:7.2f} {cold['cpu']:7.2f} "
            f"{target:7.1f} {warm['total']:7.2f} {warm_target:7.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
