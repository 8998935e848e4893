"""Pretrain a small Llama-style causal language model (built from a ``transformers``
``LlamaConfig``, no download) on Python's own standard-library sources, byte by byte,
under float32, FP8, MXFP4, NVFP4 and Quartet emulated on the CPU: training-loss curves
and validation perplexities in one plot, and one table.

Every projection of the attention and MLP blocks (q, k, v, o, gate, up, down) is
quantized by ``numerics.torch.quantize_model(model, recipe)``; the embeddings, the
RMSNorms and the output head stay in float32, as QAT recipes keep them.

    python examples/llama_lm.py [--quick] [--out DIR] [--recipes fp8,mxfp4,...] [--steps N]

Writes DIR/llama_lm.png.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as Fn
from _corpus import VOCAB, batches, corpus

from numerics.analysis import text_table
from numerics.torch import quantize_model, recipes

RECIPES = ("fp32", "fp8", "mxfp4", "nvfp4", "quartet")

# the model and the run: full (a few minutes on one CPU) and quick (seconds, for tests)
SIZES = {
    "full": dict(
        hidden=128, layers=2, heads=4, kv_heads=2, ff=384, context=128, batch=16, steps=300
    ),
    "quick": dict(hidden=32, layers=1, heads=2, kv_heads=1, ff=64, context=32, batch=4, steps=6),
}


def llama(size: dict) -> torch.nn.Module:
    """A Llama causal LM over bytes from a small config: grouped-query attention,
    SwiGLU MLP, RMSNorm, rotary positions."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=size["hidden"],
        intermediate_size=size["ff"],
        num_hidden_layers=size["layers"],
        num_attention_heads=size["heads"],
        num_key_value_heads=size["kv_heads"],
        max_position_embeddings=size["context"],
        tie_word_embeddings=False,
    )
    torch.manual_seed(0)
    return LlamaForCausalLM(config)


def split(tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The corpus's first 90% for training, the rest for validation."""
    cut = int(0.9 * len(tokens))
    return tokens[:cut], tokens[cut:]


def loss_of(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    logits = model(input_ids=x).logits
    return Fn.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))


@torch.no_grad()
def perplexity(model: torch.nn.Module, val: list[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """exp of the mean next-byte cross-entropy over the validation batches."""
    model.eval()
    loss = float(np.mean([float(loss_of(model, x, y)) for x, y in val]))
    model.train()
    return math.exp(loss)


def train(name: str, size: dict, train_tokens, val, evals: int):
    """Train under recipe ``name``: the training losses, (step, validation perplexity)
    pairs, and the seconds it took."""
    model = llama(size)
    if name != "fp32":
        model = quantize_model(model, getattr(recipes, name)(), seed=1)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    steps = size["steps"]
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps, pct_start=0.1)
    every = max(1, steps // evals)
    losses, ppl = [], [(0, perplexity(model, val))]
    t0 = time.perf_counter()
    data = batches(train_tokens, size["batch"], size["context"], steps, seed=1)
    for step, (x, y) in enumerate(data, 1):
        loss = loss_of(model, x, y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
        if step % every == 0 or step == steps:
            ppl.append((step, perplexity(model, val)))
    return losses, ppl, time.perf_counter() - t0


def plot(results: dict, title: str, path: str) -> None:
    """Training loss (moving average) and validation perplexity against the step, one
    colour per recipe, in two panels of one figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    colours = plt.get_cmap("tab10").colors[1:]
    for (name, (losses, ppl, _)), colour in zip(results.items(), colours, strict=False):
        # the float32 reference in black, dashed and on top, visible where others match it
        style = dict(color="black", ls="--", zorder=3) if name == "fp32" else dict(color=colour)
        k = min(10, max(1, len(losses) // 4))  # short runs: a line, not one point
        smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
        left.plot(np.arange(k, len(losses) + 1), smooth, label=name, **style)
        # the untrained model (perplexity ~256 for all) would flatten the differences
        steps, values = zip(*(ppl[1:] if len(ppl) > 2 else ppl), strict=True)
        right.plot(steps, values, marker="o", markersize=3, label=name, **style)
    left.set_xlabel("step")
    left.set_ylabel("nats per byte (moving average of up to 10 steps)")
    left.set_title("training loss")
    right.set_xlabel("step")
    right.set_ylabel("perplexity per byte")
    right.set_title("validation perplexity")
    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a tiny model for a few steps (tests)")
    p.add_argument("--out", default="out", help="output folder")
    p.add_argument("--recipes", default=",".join(RECIPES), help="comma-separated recipe names")
    p.add_argument("--steps", type=int, default=None, help="training steps per recipe")
    args = p.parse_args(argv)
    names = [n.strip() for n in args.recipes.split(",") if n.strip()]
    for n in names:
        if n not in RECIPES:
            p.error(f"unknown recipe {n!r}; choose from {', '.join(RECIPES)}")
    size = dict(SIZES["quick" if args.quick else "full"])
    if args.steps is not None:
        size["steps"] = max(1, args.steps)
    tokens = corpus("pretrain", max_bytes=20_000 if args.quick else 4_000_000)
    train_tokens, val_tokens = split(tokens)
    val = list(batches(val_tokens, size["batch"], size["context"], 2 if args.quick else 4, seed=2))
    evals = min(size["steps"], 2 if args.quick else 8)
    results = {}
    for n in names:
        results[n] = train(n, size, train_tokens, val, evals)
        print(f"{n}: {results[n][2]:.1f} s", flush=True)
    base = results[names[0]][1][-1][1]
    rows = [
        (
            n,
            f"{np.mean(losses[-20:]):.3f}",
            f"{ppl[-1][1]:.3f}",
            f"{ppl[-1][1] / base:.3f}",
            f"{sec:.1f}",
        )
        for n, (losses, ppl, sec) in results.items()
    ]
    header = ("recipe", "final train loss", "val perplexity", f"ppl / {names[0]}", "seconds")
    print(text_table(header, rows, rule=True))
    h = size
    layers = f"{h['layers']} layer" + ("s" if h["layers"] > 1 else "")
    title = (
        f"Llama ({layers}, d={h['hidden']}, {h['heads']} heads / {h['kv_heads']} kv, "
        f"ff={h['ff']}) on stdlib bytes, context {h['context']}, batch {h['batch']}: "
        "each recipe emulated on the CPU"
    )
    path = os.path.join(args.out, "llama_lm.png")
    plot(results, title, path)
    print(f"wrote {path}")
    return {n: (float(np.mean(ls[-20:])), ppl[-1][1]) for n, (ls, ppl, _) in results.items()}


if __name__ == "__main__":
    main()
