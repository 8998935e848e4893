"""Train a small CNN on MNIST-5000 under each training recipe (float32, FP8, MXFP4,
NVFP4, Quartet, BitNet, and as their papers run them: NVIDIA's NVFP4 with 16x16 weight
blocks, Four Over Six, DeepSeek-V3 FP8, torchao's MXFP8) emulated on the CPU: loss
curves in one plot and a table of final losses.

    python examples/recipes_cnn.py [--quick] [--out DIR] [--recipes fp8,mxfp4,...]

Writes DIR/recipes_cnn.png.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch
from _training import fit, mnist5000, plot_losses
from tqdm import tqdm

from numerics.analysis import text_table
from numerics.torch import quantize_model, recipes

RECIPES = (
    "fp32",
    "fp8",
    "mxfp4",
    "nvfp4",
    "quartet",
    "bitnet",
    "nvfp4_2d",
    "four_over_six",
    "deepseek_fp8",
    "deepseek_fp8_hopper",
    "mxfp8",
)
# DeepSeek-V3's recipe with every product computed as Hopper's FP8 tensor cores do
# (13-bit accumulation, promoted to float32 every 128 products: numerics.arith.tc_matmul)
BUILDERS = {n: getattr(recipes, n, None) for n in RECIPES}
BUILDERS["deepseek_fp8_hopper"] = lambda: recipes.deepseek_fp8(gemm="hopper")


def load(n_train: int):
    """MNIST-5000 as 1 x 28 x 28 images."""
    (X, y), (Xt, yt) = mnist5000(n_train)
    return (X.reshape(-1, 1, 28, 28), y), (Xt.reshape(-1, 1, 28, 28), yt)


def cnn() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, stride=2, padding=1),  # 14 x 14
        torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, stride=2, padding=1),  # 7 x 7
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(32 * 49, 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 10),  # the head stays in float32
    )


def train(name: str, data, epochs: int):
    model = quantize_model(cnn(), BUILDERS[name](), seed=1)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    t0 = time.perf_counter()
    losses, acc = fit(model, opt, data, epochs, name)
    return losses, acc, time.perf_counter() - t0


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a short run (for tests)")
    p.add_argument("--out", default="out", help="output folder")
    p.add_argument("--recipes", default=",".join(RECIPES), help="comma-separated recipe names")
    args = p.parse_args(argv)
    names = [n.strip() for n in args.recipes.split(",") if n.strip()]
    for n in names:
        if n not in RECIPES:
            p.error(f"unknown recipe {n!r}; choose from {', '.join(RECIPES)}")
    epochs, n_train = (1, 512) if args.quick else (3, 4000)
    data = load(n_train)
    # a bar only on a terminal: piped into a log it is a line of carriage returns
    names_bar = tqdm(names, desc="recipes", disable=not sys.stderr.isatty())
    results = {n: train(n, data, epochs) for n in names_bar}
    rows = [
        (n, f"{np.mean(losses[-20:]):.3f}", f"{acc:.3f}", f"{sec:.1f}")
        for n, (losses, acc, sec) in results.items()
    ]
    print(text_table(("recipe", "final loss", "test acc", "seconds"), rows))
    path = os.path.join(args.out, "recipes_cnn.png")
    curves = {n: losses for n, (losses, _, _) in results.items()}
    plot_losses(curves, "small CNN on MNIST-5000 under each recipe (emulated on the CPU)", path)
    print(f"wrote {path}")
    return {n: (float(np.mean(ls[-20:])), acc) for n, (ls, acc, _) in results.items()}


if __name__ == "__main__":
    main()
