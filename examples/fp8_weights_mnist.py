"""Train an MLP on MNIST-5000 with its weights stored only in float8_e4m3fn (no
float32 master copy): round-to-nearest updates stagnate, stochastic rounding learns
like float32.

    python examples/fp8_weights_mnist.py [--quick] [--out DIR]

The training loop is :func:`numerics.torch.training.train_mlp`: plain SGD whose
optimizer is wrapped in :class:`numerics.torch.LowPrecisionOptimizer`, which rounds
every weight into float8_e4m3fn after each step. Writes DIR/fp8_weights_mnist.png.
"""

from __future__ import annotations

import argparse

from numerics.torch.training import fp8_weights_comparison


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a short run (for tests)")
    p.add_argument("--out", default="out", help="output folder")
    args = p.parse_args(argv)
    epochs, n_train = (1, 1000) if args.quick else (8, 4000)
    results, path = fp8_weights_comparison(args.out, epochs, n_train)
    print(f"{'run':28s} {'final loss (last 20 steps)':>28s} {'test accuracy':>14s}")
    for name, (loss, acc) in results.items():
        print(f"{name:28s} {loss:28.3f} {acc:14.3f}")
    print(f"wrote {path}")
    return results


if __name__ == "__main__":
    main()
