"""MXFP4 and NVFP4 quantize + dequantize of a 4096 x 4096 float32 matrix: numerics
against ``np.copyto`` into a preallocated array and the block quantizers of gfloat and
pychop, in one process.

Prints ns/element and ratios to ``np.copyto`` (``x.copy()``, which also allocates, is
shown beside it). The target (DESIGN section 8): quantize + dequantize at most 4x copy
on one thread. The slow anchors run on the first rows
only (``--small`` elements) and are reported per element. Anchors that are not
installed are skipped.

    python benchmarks/scaled.py [--rows R] [--cols C] [--repeat R]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import ratio_tables

import numerics as nm


def contenders(x, n_small):
    out = np.empty_like(x)
    yield "np.copyto(out, x)", lambda: np.copyto(out, x), x.size
    yield "x.copy()", lambda: x.copy(), x.size
    yield "numerics MXFP4 quantize", lambda: nm.quantize_mx(x, "e2m1"), x.size
    yield "numerics MXFP4 q+dq", lambda: nm.quantize_mx(x, "e2m1").dequantize(), x.size
    yield (
        "numerics MXFP4 q+dq, stochastic",
        lambda: nm.quantize_mx(x, "e2m1", rounding="stochastic", seed=1).dequantize(),
        x.size,
    )
    yield "numerics MXFP8 e4m3 q+dq", lambda: nm.quantize_mx(x, "e4m3").dequantize(), x.size
    yield "numerics NVFP4 q+dq", lambda: nm.quantize_nvfp4(x).dequantize(), x.size
    yield (
        "numerics NVFP4 q+dq, scale up",
        lambda: nm.quantize_nvfp4(x, scale_rounding="up").dequantize(),
        x.size,
    )
    rows = max(1, n_small // x.shape[1])
    xs = x[:rows]
    try:
        from gfloat import formats
        from gfloat.block import BlockFormatInfo, compute_scale_amax, quantize_block

        e2m1, e8m0 = formats.format_info_ocp_e2m1, formats.format_info_ocp_e8m0
        fi = BlockFormatInfo("mxfp4", e2m1, 32, e8m0)
        blocks = xs.reshape(-1, 32).astype(np.float64)

        def gfloat_mx():
            return [quantize_block(fi, b, compute_scale_amax) for b in blocks]

        yield "gfloat quantize_block MXFP4", gfloat_mx, xs.size
    except ImportError:
        pass
    try:
        from pychop import mx_quantize

        yield "pychop mx_quantize MXFP4", lambda: mx_quantize(xs, format="mxfp4_e2m1"), xs.size
    except ImportError:
        pass


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, default=4096)
    p.add_argument("--cols", type=int, default=4096)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--small", type=int, default=2**15, help="elements for the slow anchors")
    args = p.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.rows, args.cols)).astype(np.float32)
    title = f"{args.rows} x {args.cols} float32, quantize (+ dequantize)"
    ratio_tables(title, lambda: contenders(x, args.small), x.size, args.repeat)


if __name__ == "__main__":
    main()
