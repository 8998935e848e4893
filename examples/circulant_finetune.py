"""Fine-tuning a small language model five ways, with the seed papers' claims measured.

A Llama-style causal language model (built from a ``transformers`` LlamaConfig, no
download) is pretrained on one offline corpus (the byte tokens of Python's standard
library modules a-m) and fine-tuned on another (the ``email``, ``json``, ``http``
and ``xml`` packages) with:

- full fine-tuning (every weight trains);
- LoRA (Hugging Face PEFT, rank 8) on the attention's query and value projections;
- the block-circulant adapter on torch.fft (``backend="torch.fft"``);
- the block-circulant adapter on numerics' in-place rdFFT (``backend="rdfft"``);
- the circulant-diagonal adapter (``diag . circ . diag``, the rdFFT).

For each: trainable parameters, FLOPs per training step (counted by torch's
``FlopCounterMode``, with FFT counts registered for torch's FFT ops and numerics'
block-circulant op: 2.5 p log2 p per real FFT of length p), peak training memory
(torch's profiler: the allocator's peak over one step), step time (median), and the
final validation loss. One table, one plot of the loss curves.

    python examples/circulant_finetune.py [--quick] [--out DIR] [--threads N]

Writes DIR/circulant_finetune.png.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time

import _corpus
import numpy as np
import torch
from torch.nn import functional as F

import numerics.torch as nt
from numerics.analysis import plotting, text_table
from numerics.torch.memory import peak_memory

METHODS = ("full", "lora", "block, torch.fft", "block, rdfft", "circulant-diagonal")
TARGETS = ("q_proj", "v_proj")


def build_model(hidden: int, layers: int, context: int) -> torch.nn.Module:
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=_corpus.VOCAB,
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=context,
        tie_word_embeddings=False,
    )
    return LlamaForCausalLM(config)


def loss_of(model, x, y) -> torch.Tensor:
    logits = model(input_ids=x).logits
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def pretrain(model, tokens, steps, batch, context) -> list[float]:
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for x, y in _corpus.batches(tokens, batch, context, steps, seed=1):
        opt.zero_grad()
        loss = loss_of(model, x, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def adapt(model, method: str, p: int):
    """The model prepared for ``method`` and its optimizer."""
    if method == "full":
        return model, torch.optim.AdamW(model.parameters(), lr=1e-3)
    if method == "lora":
        import peft

        config = peft.LoraConfig(r=8, lora_alpha=16, target_modules=list(TARGETS))
        model = peft.get_peft_model(model, config)
        params = [q for q in model.parameters() if q.requires_grad]
        return model, torch.optim.AdamW(params, lr=3e-3)
    kind = "diagonal" if method == "circulant-diagonal" else "block"
    backend = "torch.fft" if "torch.fft" in method else "rdfft"
    config = nt.CirculantConfig(kind=kind, p=p, target_modules=TARGETS, backend=backend)
    nt.get_circulant_model(model, config)
    # the block-circulant paper's heuristic: the circulant columns train at lr / p
    groups = nt.circulant_parameter_groups(model, lr=0.1 if kind == "block" else 0.03)
    return model, torch.optim.AdamW(groups)


def _fft_formulas():
    """FLOP counts for torch's FFT ops (FlopCounterMode counts none by default)."""
    from torch.utils.flop_counter import register_flop_formula

    def count(shape, dims, n=None):
        size = 1
        for d in dims:
            size *= (n if n is not None else shape[d]) if d == dims[-1] else shape[d]
        rows = 1
        for i, s in enumerate(shape):
            if i not in dims:
                rows *= s
        return int(rows * 2.5 * size * max(size.bit_length() - 1, 1))

    aten = torch.ops.aten
    try:

        @register_flop_formula(aten._fft_r2c)
        def _(x_shape, dim, *args, **kwargs):
            return count(x_shape, list(dim))

        @register_flop_formula(aten._fft_c2r)
        def _(x_shape, dim, normalization, last_dim_size, *args, **kwargs):
            return count(x_shape, list(dim), last_dim_size)

        @register_flop_formula(aten._fft_c2c)
        def _(x_shape, dim, *args, **kwargs):
            return 2 * count(x_shape, list(dim))

    except (ValueError, RuntimeError):
        pass  # registered already (a second run in one process)


def step_flops(model, x, y) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        loss_of(model, x, y).backward()
    model.zero_grad(set_to_none=True)
    return counter.get_total_flops()


def finetune(base, method, tokens, valid, steps, batch, context, p) -> dict:
    torch.manual_seed(0)
    model, opt = adapt(copy.deepcopy(base), method, p)
    trainable = sum(q.numel() for q in model.parameters() if q.requires_grad)
    data = list(_corpus.batches(tokens, batch, context, steps, seed=2))
    flops = step_flops(model, *data[0])

    def one_step(x, y):
        opt.zero_grad()
        loss = loss_of(model, x, y)
        loss.backward()
        opt.step()
        return loss.item()

    losses, times = [], []
    for x, y in data:
        start = time.perf_counter()
        losses.append(one_step(x, y))
        times.append(time.perf_counter() - start)
    peak = peak_memory(lambda: one_step(*data[-1]))
    with torch.no_grad():
        val = statistics.fmean(loss_of(model, x, y).item() for x, y in valid)
    return {
        "trainable": trainable,
        "flops": flops,
        "peak": peak,
        "step": statistics.median(times),
        "loss": val,
        "curve": losses,
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few steps (for the tests)")
    parser.add_argument("--out", default="out")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.quick:
        hidden, layers, context, batch, p = 64, 1, 32, 4, 16
        pre_steps, steps, n_valid = 4, 3, 2
    else:
        hidden, layers, context, batch, p = 256, 4, 128, 16, 64
        pre_steps, steps, n_valid = 400, 150, 16
    _fft_formulas()
    torch.manual_seed(0)
    base = build_model(hidden, layers, context)
    pre = pretrain(base, _corpus.corpus("pretrain"), pre_steps, batch, context)
    tune = _corpus.corpus("finetune")
    split = int(0.9 * len(tune))
    valid = list(_corpus.batches(tune[split:], batch, context, n_valid, seed=3))
    results = {m: finetune(base, m, tune[:split], valid, steps, batch, context, p) for m in METHODS}

    rows = [
        [
            m,
            f"{r['trainable']:,}",
            f"{r['flops'] / 1e9:.3f}",
            f"{r['peak'] / 2**20:.1f}",
            f"{r['step'] * 1e3:.0f}",
            f"{r['loss']:.3f}",
        ]
        for m, r in results.items()
    ]
    print(
        f"Llama {layers} x {hidden}, context {context}, batch {batch}; pretrained"
        f" {pre_steps} steps (loss {pre[0]:.2f} -> {pre[-1]:.2f}), fine-tuned {steps} steps,"
        f" blocks of {p}, {args.threads} thread(s)"
    )
    headers = ["method", "trainable", "GFLOP/step", "peak MiB", "ms/step", "val loss"]
    print(text_table(headers, rows))

    curves = {}
    for m, r in results.items():
        loss = np.asarray(r["curve"])
        window = max(1, min(10, len(loss) // 5))
        # a moving average: the per-batch losses of five methods overlap into noise
        curves[f"{m} ({r['loss']:.2f})"] = np.convolve(loss, np.ones(window) / window, "valid")
    fig, ax = plotting.new_figure(7, 4.2)
    plotting.plot_series(ax, None, curves)
    ax.set_xlabel("fine-tuning step")
    ax.set_ylabel("training loss, moving average (nats per byte)")
    ax.set_title("Fine-tuning a small Llama five ways (validation loss in brackets)", fontsize=10)
    plotting.legend(ax)
    plotting.save_figure(fig, os.path.join(args.out, "circulant_finetune.png"))
    return results


if __name__ == "__main__":
    main()
