"""The error of one GEMM on each generation's tensor cores, against K.

Operands are normal(1, 1) values scaled per tensor so the absmax lands on 448 and
rounded to float8_e4m3fn (the DeepSeek-V3 setting); every unit multiplies the same
values (they are also float16 values), so only the accumulators differ. The error is
normwise, ||D - AB|| / ||AB||, against the exact product. Hopper's FP8 unit keeps 13
fraction bits and truncates, so its error grows with K to percents; promoting every
128 to float32 (DeepSeek-V3) brings it back to float32's level.

    python examples/tensor_core_error.py [--quick] [--out DIR]

Writes DIR/tensor_core_error.png.
"""

from __future__ import annotations

import os

import numpy as np
from _cli import parse_args

from numerics import cast
from numerics.analysis import plotting
from numerics.arith import TensorCore, tc_matmul

# (label, arch, operand format, promote_every)
UNITS = [
    ("Volta f16 (F=23, L=4)", "volta", "float16", None),
    ("Ampere f16 (F=24, L=8)", "ampere", "float16", None),
    ("Ada e4m3 (F=13, L=16)", "ada", "e4m3", None),
    ("Hopper e4m3 (F=13, L=32)", "hopper", "e4m3", None),
    ("Hopper e4m3, promote every 128", "hopper", "e4m3", 128),
    ("Hopper f16 (F=25, L=16)", "hopper", "float16", None),
    ("Blackwell e4m3 (F=25, L=32)", "blackwell", "e4m3", None),
]


def operands(K: int, m: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """e4m3 operands of positive mean, absmax scaled to 448."""
    rng = np.random.default_rng(seed)
    x = rng.normal(1.0, 1.0, (m, K))
    w = rng.normal(1.0, 1.0, (K, m))
    return cast(x * (448 / np.abs(x).max()), "e4m3"), cast(w * (448 / np.abs(w).max()), "e4m3")


def errors(Ks: list[int], m: int) -> dict[str, list[float]]:
    """Normwise relative error of each unit (and of numpy's float32 matmul) per K."""
    out: dict[str, list[float]] = {label: [] for label, *_ in UNITS}
    out["numpy float32 matmul"] = []
    for K in Ks:
        a, b = operands(K, m)
        exact = a @ b  # float64: exact for these sizes (products have 8 bits)
        norm = np.linalg.norm(exact)
        for label, arch, fmt, promote in UNITS:
            d = tc_matmul(a, b, core=TensorCore.named(arch, fmt), promote_every=promote)
            out[label].append(float(np.linalg.norm(d - exact) / norm))
        f32 = a.astype(np.float32) @ b.astype(np.float32)
        out["numpy float32 matmul"].append(float(np.linalg.norm(f32 - exact) / norm))
    return out


def main(argv=None):
    args = parse_args(__doc__, argv)
    Ks = [2**k for k in range(5, 11 if args.quick else 15)]
    res = errors(Ks, 8 if args.quick else 32)
    print(f"{'unit':34s}" + "".join(f"{K:>9d}" for K in Ks))
    for label, errs in res.items():
        print(f"{label:34s}" + "".join(f"{e:9.1e}" for e in errs))

    fig, ax = plotting.new_figure(9, 4.8)
    styles = {"numpy float32 matmul": {"color": "0.45", "linestyle": ":", "marker": "x"}}
    # an exact result (error 0) has no place on a log scale: it is left out, and said so
    shown = {k: [e if e > 0 else np.nan for e in v] for k, v in res.items()}
    plotting.plot_series(ax, Ks, shown, markevery=1, styles=styles)
    if any(e == 0 for v in res.values() for e in v):
        ax.text(
            0.01,
            0.01,
            "missing points: error 0 (exact)",
            transform=ax.transAxes,
            fontsize=8,
            color="0.35",
        )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("K (inner dimension)")
    ax.set_ylabel("||D - AB|| / ||AB||")
    ax.set_title("One e4m3-valued GEMM on each tensor core (MMA-Sim's models)")
    plotting.legend(ax, outside=True)
    png = plotting.save_figure(fig, os.path.join(args.out, "tensor_core_error.png"))
    print(f"wrote {png}")
    return Ks, res


if __name__ == "__main__":
    main()
