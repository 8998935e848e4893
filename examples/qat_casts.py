"""Importing numerics' casts into existing quantization-aware-training code.

An ordinary PyTorch model and training loop; the only change for QAT is two lines in
the model's forward: weights fake-quantized to int4 per output channel and
activations cast to float8_e4m3fn, both with straight-through gradients (``clipped``
for the activations: no gradient where the cast saturated). The loss curve is
compared with the float32 model's.

    python examples/qat_casts.py [--quick] [--out DIR]

Writes DIR/qat_casts.png.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import torch

import numerics.torch as nt
from numerics.analysis import plotting


class MLP(torch.nn.Module):
    def __init__(self, qat: bool):
        super().__init__()
        self.qat = qat
        self.fc1, self.fc2 = torch.nn.Linear(32, 64), torch.nn.Linear(64, 1)

    def forward(self, x):
        w = self.fc1.weight
        if self.qat:  # the QAT lines
            w = nt.quantize(w, "int4", channel_axis=0)
            x = nt.cast(x, "float8_e4m3fn", saturate=True, ste="clipped")
        h = torch.relu(torch.nn.functional.linear(x, w, self.fc1.bias))
        return self.fc2(h)


def train(qat: bool, steps: int) -> list[float]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(512, 32, generator=g)
    y = torch.sin(X[:, :4].sum(1, keepdim=True))
    torch.manual_seed(0)
    model = MLP(qat)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a short run (for tests)")
    p.add_argument("--out", default="out", help="output folder")
    args = p.parse_args(argv)
    steps = 60 if args.quick else 600
    runs = {"float32": train(False, steps), "QAT: int4 weights, e4m3 inputs": train(True, steps)}
    for name, losses in runs.items():
        print(f"{name:34s} final loss {np.mean(losses[-10:]):.3g}")
    fig, ax = plotting.new_figure(7, 4)
    plotting.plot_series(ax, None, runs)
    plotting.log_axis(ax)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (MSE)")
    ax.set_title("quantization-aware training with numerics casts")
    plotting.legend(ax)
    path = plotting.save_figure(fig, os.path.join(args.out, "qat_casts.png"))
    print(f"wrote {path}")
    return {k: float(np.mean(v[-10:])) for k, v in runs.items()}


if __name__ == "__main__":
    main()
