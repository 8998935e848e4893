"""Tensor-core GEMM models: numerics.arith.tc_matmul against MMA-Sim (``pip install
mmasim``, optional) in one process, on one thread.

Prints ns per multiply-add for each, their ratio (after checking that both give the
same bits), and the time of a 512x512x512 FP8 GEMM on Hopper's unit.

    python benchmarks/tensor_core.py [--n 256] [--full 512] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np
from _common import best

from numerics import cast
from numerics.analysis import text_table
from numerics.arith import TensorCore, tc_matmul

# (label, numerics core, operand format, torch dtype name, mmasim class, arch, instruction)
CASES = [
    ("Hopper e4m3 -> f32 (F=13, L=32)", ("hopper", "e4m3"), "e4m3", "float8_e4m3fn",
     "WGMMA", "Hopper", "m64n8k32.f32.e4m3.e4m3"),
    ("Ampere f16 -> f32 (F=24, L=8)", ("ampere", "float16"), "float16", "float16",
     "MMA", "Ampere", "m16n8k16.f32.f16.f16.f32"),
    ("Blackwell e2m1 -> f32 (F=25, L=32)", ("blackwell", "e2m1"), "e2m1", None,
     "TCGen05MMA", "Blackwell", "m128n8k32.kind::f8f6f4.f32.e2m1.e2m1"),
]  # fmt: skip


def operands(n: int, fmt: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scale = {"e4m3": 64.0, "float16": 1.0, "e2m1": 2.0}[fmt]
    return (cast(rng.normal(0, scale, (n, n)), fmt).astype(np.float32),
            cast(rng.normal(0, scale, (n, n)), fmt).astype(np.float32))  # fmt: skip


def mmasim_op(cls: str, arch: str, instr: str):
    try:
        import torch
        from mmasim import nv_ptx
    except ImportError:
        return None, None
    torch.set_num_threads(1)
    return getattr(nv_ptx, cls)(arch, instr), torch


def to_torch(x: np.ndarray, dtype: str | None, torch):
    if dtype is None:  # fp4: one code per byte in bits 5:2
        from numerics import encode

        return torch.from_numpy(encode(x, "e2m1").astype(np.uint8)) << 2
    return torch.from_numpy(x).to(getattr(torch, dtype))


def gst_row(n: int, repeat: int) -> tuple:
    """The k=64 grouped FP4 MMA with e8m0 scales per 16 (MMA-Sim's fastest model)."""
    label = "Blackwell mxf4nvf4 k64 (F=35, G=16)"
    core = TensorCore.named("blackwell", "e2m1", block_scale="gst", scale_block=16)
    a, b = operands(n, "e2m1")
    rng = np.random.default_rng(1)
    sa = np.ldexp(1.0, rng.integers(-3, 4, (n, n // 16)))
    sb = np.ldexp(1.0, rng.integers(-3, 4, (n // 16, n)))
    ours = best(lambda: tc_matmul(a, b, core=core, a_scales=sa, b_scales=sb), repeat) / n**3 * 1e9
    op, torch = mmasim_op(
        "TCGen05MMABlockScale", "Blackwell",
        "m128n8k64.kind::mxf4nvf4.block16.f32.e2m1.e2m1.ue8m0",
    )  # fmt: skip
    if op is None:
        return (label, f"{ours:.3f}", "-", "-")
    from numerics import encode

    ca, cb = encode(a, "e2m1").astype(np.uint8), encode(b, "e2m1").astype(np.uint8)
    pa = torch.from_numpy((ca[:, 0::2] << 4) | ca[:, 1::2])  # two codes per byte along k
    pb = torch.from_numpy((cb[0::2] << 4) | cb[1::2])
    ta, tb = (torch.from_numpy(s.astype(np.float32)).to(torch.float8_e8m0fnu) for s in (sa, sb))
    zero = torch.zeros(n, n)
    want = op(pa, pb, zero, ta, tb).numpy()
    got = tc_matmul(a, b, core=core, a_scales=sa, b_scales=sb)
    assert (got.view(np.uint32) == want.view(np.uint32)).all(), "results differ"
    theirs = best(lambda: op(pa, pb, zero, ta, tb), 1) / n**3 * 1e9
    return (label, f"{ours:.3f}", f"{theirs:.2f}", f"{theirs / ours:.0f}x")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=256, help="size of the n^3 GEMMs compared")
    p.add_argument("--full", type=int, default=512, help="size of the timed FP8 GEMM")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    numba.set_num_threads(1)
    n = args.n
    print(f"n = {n}, one thread; ns per multiply-add (n^3 of them)")
    rows = []
    for label, (arch, fmt), vfmt, tdtype, cls, march, instr in CASES:
        core = TensorCore.named(arch, fmt)
        a, b = operands(n, vfmt)
        ours = best(lambda: tc_matmul(a, b, core=core), args.repeat) / n**3 * 1e9  # noqa: B023
        op, torch = mmasim_op(cls, march, instr)
        if op is None:
            rows.append((label, f"{ours:.3f}", "- (mmasim not installed)", "-"))
            continue
        ta, tb = to_torch(a, tdtype, torch), to_torch(b, tdtype, torch)
        zero = torch.zeros(n, n)
        want = op(ta, tb, zero).numpy()
        got = tc_matmul(a, b, core=core)
        assert (got.view(np.uint32) == want.view(np.uint32)).all(), "results differ"
        theirs = best(lambda: op(ta, tb, zero), 1) / n**3 * 1e9  # noqa: B023
        rows.append((label, f"{ours:.3f}", f"{theirs:.2f}", f"{theirs / ours:.0f}x"))
    rows.append(gst_row(n, args.repeat))
    print(text_table(("unit", "numerics", "mmasim", "ratio"), rows))
    core = TensorCore.named("hopper", "e4m3")
    a, b = operands(args.full, "e4m3")
    t = time.perf_counter()
    tc_matmul(a, b, core=core)
    first = time.perf_counter() - t
    full = best(lambda: tc_matmul(a, b, core=core), args.repeat)
    m = args.full
    ns = full / m**3 * 1e9
    print(f"\n{m}x{m}x{m} Hopper FP8 GEMM, one thread: {full:.3f} s ({ns:.3f} ns/MAC; "
          f"first call in this process {first:.3f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
