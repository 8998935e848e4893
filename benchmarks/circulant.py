"""The block-circulant adapter's product, forward + backward, against torch.fft.

Three implementations of the same ``dW x`` (``x``: tokens x d, ``dW``: d x d in
circulant blocks of ``p``), each timed (best of ``--repeat``) and measured for

- the bytes autograd keeps for backward (distinct storages seen by
  ``saved_tensors_hooks``; the input ``x`` and the parameter ``c`` count too), and
- the peak memory allocated over forward + backward above what was allocated
  before (:func:`numerics.torch.memory.peak_memory`: torch's profiler, every
  allocation and free of torch's CPU allocator summed in time order; the rdFFT
  kernel's own scratch, a few frequencies' worth of real matrices from numba, is
  outside torch's allocator and not counted: at most 8 x tokens x 2 x d/p x 2 reals).

The anchors:

- "torch.fft layer": a strong plain-torch layer, written here independently: rfft of
  the input blocks and of the block columns, one complex einsum over input blocks,
  one irfft per output block, autograd through torch's own ops;
- "PEFT C3A": Hugging Face PEFT's block-circular convolution (the C3A authors' own
  code, a custom autograd Function over complex FFTs), if installed.

Run: ``python benchmarks/circulant.py [--tokens 512] [--d 1024] [--p 64]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))

from numerics.analysis import text_table
from numerics.torch import CirculantAdapter
from numerics.torch.memory import peak_memory, saved_for_backward


def torch_fft_delta(c: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    _, s, p = c.shape
    spectra = torch.fft.rfft(x.reshape(-1, s, p))
    kernels = torch.fft.rfft(c)
    h = torch.einsum("rsk,nsk->nrk", kernels, spectra)
    return torch.fft.irfft(h, n=p).reshape(x.shape[0], -1)


def peft_delta(c: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    from peft.tuners.c3a.utils import BlockCircularConvolution

    return BlockCircularConvolution.apply(x, c)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--d", type=int, default=1024)
    parser.add_argument("--p", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import numba

    numba.set_num_threads(args.threads)
    n, d, p = args.tokens, args.d, args.p
    torch.manual_seed(0)
    layer = CirculantAdapter(torch.nn.Linear(d, d), p, init="gaussian")
    c = layer.c
    x = torch.randn(n, d, requires_grad=True)
    cases = [
        ("in-place rdFFT (numerics)", lambda: layer.delta(x)),
        ("torch.fft layer", lambda: torch_fft_delta(c, x)),
    ]
    try:
        import peft  # noqa: F401

        cases.append(("PEFT C3A", lambda: peft_delta(c, x)))
    except ImportError:
        pass
    steps, kept = {}, {}
    for name, f in cases:
        out, kept[name] = saved_for_backward(f)
        g = torch.randn_like(out)

        def step(f=f, g=g):
            torch.autograd.grad(f(), (x, c), g)

        step()
        steps[name] = step
    # interleaved rounds, best of each: on a shared machine the wall clock swings, the
    # thread's CPU time much less (one thread does all the work)
    wall = {name: float("inf") for name in steps}
    cpu = dict(wall)
    for _ in range(args.repeat):
        for name, step in steps.items():
            w, t = time.perf_counter(), time.thread_time()
            step()
            cpu[name] = min(cpu[name], time.thread_time() - t)
            wall[name] = min(wall[name], time.perf_counter() - w)
    rows, measured = [], {}
    for name, step in steps.items():
        peak = peak_memory(step)
        measured[name] = (cpu[name], peak, kept[name])
        rows.append(
            [
                name,
                f"{cpu[name] * 1e3:.2f}",
                f"{wall[name] * 1e3:.2f}",
                f"{peak / 2**20:.2f}",
                f"{kept[name] / 2**20:.2f}",
            ]
        )
    t0, peak0, _ = measured["torch.fft layer"]
    print(
        f"block-circulant dW x, {n} tokens, {d} -> {d}, blocks of {p}, forward + backward,"
        f" {args.threads} thread(s)"
    )
    headers = ["implementation", "CPU ms", "wall ms", "peak MiB", "kept MiB"]
    print(text_table(headers, rows))
    t, peak, _ = measured["in-place rdFFT (numerics)"]
    print(
        f"\nrdFFT / torch.fft layer: time {t / t0:.2f}x (target <= 1.2x),"
        f" peak memory {peak / peak0:.2f}x (target <= 0.75x)"
    )


if __name__ == "__main__":
    main()
