"""Train an MLP on MNIST-5000 with its weights stored only in float8_e4m3fn (no
float32 master copy): round-to-nearest updates stagnate, stochastic rounding learns
like float32.

    python examples/fp8_weights_mnist.py [--quick] [--out DIR]

The training loop is ``train_mlp`` of ``_training.py`` (beside this script): plain SGD whose
optimizer is wrapped in :class:`numerics.torch.LowPrecisionOptimizer`, which rounds
every weight into float8_e4m3fn after each step. Writes DIR/fp8_weights_mnist.png.
"""

from __future__ import annotations

import argparse

from _training import fp8_weights_comparison

from numerics.analysis import text_table


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a short run (for tests)")
    p.add_argument("--out", default="out", help="output folder")
    args = p.parse_args(argv)
    epochs, n_train = (1, 1000) if args.quick else (8, 4000)
    results, path = fp8_weights_comparison(args.out, epochs, n_train)
    rows = [(name, f"{loss:.3f}", f"{acc:.3f}") for name, (loss, acc) in results.items()]
    print(text_table(("run", "final loss (last 20 steps)", "test accuracy"), rows))
    print(f"wrote {path}")
    return results


if __name__ == "__main__":
    main()
