"""The pure-torch kernels that every tensor off the CPU runs, against numba's kernels,
on the CPU in one process (one thread each): what the bit-exact transcription costs
where both can run. On a GPU the pure-torch kernels are elementwise passes over the
data (no host round trip); this measures the CPU only.

    NUMBA_NUM_THREADS=1 python benchmarks/torch_device_kernels.py [--repeat R] [--size N]
"""

from __future__ import annotations

import argparse

import torch
from _common import best

import numerics.torch as nt
from numerics.torch._device import force_torch_kernels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--size", type=int, default=1024, help="the data is size x size float32")
    args = ap.parse_args()
    torch.set_num_threads(1)
    x = torch.randn(args.size, args.size, generator=torch.Generator().manual_seed(0))
    ops = {
        "cast e4m3": lambda: nt.cast(x, "e4m3"),
        "mx e2m1": lambda: nt.quantize_mx(x),
        "nvfp4": lambda: nt.quantize_nvfp4(x),
        "int4 blocks of 32": lambda: nt.quantize(x, "int4", block_size=32),
        "ternary": lambda: nt.quantize_ternary(x),
        "fwht blocks of 32": lambda: nt.fwht(x, True, None, 32),
        "rdfft_": lambda: nt.rdfft_(x.clone()),
    }
    print(f"{args.size}x{args.size} float32, best of {args.repeat}, one thread")
    print(f"{'op':20s} {'numba ms':>10s} {'pure-torch ms':>14s} {'ratio':>7s}")
    for name, f in ops.items():
        a = best(f, args.repeat)
        with force_torch_kernels():
            b = best(f, args.repeat)
        print(f"{name:20s} {a * 1e3:10.1f} {b * 1e3:14.1f} {b / a:6.1f}x")


if __name__ == "__main__":
    main()
