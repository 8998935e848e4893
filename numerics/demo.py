"""The main job behind ``make demo`` / ``numerics demo``: what numerics is for, in one
run. It prints and saves to an output folder the table of named formats, the FFT
butterfly error study, an MXFP4-versus-NVFP4 comparison on a realistic weight matrix,
and (with torch and mlxtend installed) an FP8-weights training comparison.

The command line imports this module, never the reverse: the tables come from
:mod:`numerics.analysis`, and the error study with its progress bar is
:func:`fft_error_study`, which ``numerics fft-error`` runs too. The training loop of
part (d) is an example, not library code: it lives in ``examples/_training.py`` of the
repository (where ``make demo`` runs), and the part is skipped, saying why, when the
package runs without that folder (installed from a wheel)."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from .analysis import format_table, text_table

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from .transforms import StudyReport

T = TypeVar("T")

__all__ = [
    "FFT_FORMATS",
    "fft_error_study",
    "mx_vs_nvfp4",
    "run_demo",
    "weight_matrix",
    "with_progress",
]

FFT_FORMATS = ("bfloat16", "float16", "float8_e4m3fn", "float8_e5m2")
MODES = ("nearest_even", "stochastic")
# the training loop of part (d), in a repository checkout
TRAINING = Path(__file__).resolve().parent.parent / "examples" / "_training.py"


def _on_terminal() -> bool:
    """Whether stderr is a terminal: a progress bar elsewhere (a log file, a pipe, a
    notebook's captured output) is only carriage returns."""
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class _Quiet:
    """The progress bar when there is no terminal to draw it on."""

    def update(self, k: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class _Lines:
    """A plain line per update on stderr: the bar without tqdm."""

    def __init__(self, total: int, desc: str):
        self.n, self.total, self.desc = 0, total, desc

    def update(self, k: int = 1) -> None:
        self.n += k
        print(f"  {self.desc}: {self.n}/{self.total}", file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


def _progress(total: int, desc: str):
    """A tqdm bar on a terminal (plain lines without tqdm); nothing elsewhere."""
    if not _on_terminal():
        return _Quiet()
    try:
        from tqdm import tqdm
    except ImportError:
        return _Lines(total, desc)
    return tqdm(total=total, desc=desc, leave=False)


def with_progress(total: int, desc: str, run: Callable[[Callable[[str], None]], T]) -> T:
    """``run(step)`` with a progress bar of ``total`` steps, which ``step(message)``
    advances; the bar appears with the first step (so that bad arguments print only
    their error) and only on a terminal.

    Examples
    --------
    >>> with_progress(2, "demo", lambda step: [step("a"), step("b")] and "done")
    'done'
    """
    bar = None

    def step(message: str) -> None:
        nonlocal bar
        if bar is None:
            bar = _progress(total, desc)
        bar.update()

    try:
        return run(step)
    finally:
        if bar is not None:
            bar.close()


def fft_error_study(
    transform: str = "rdfft",
    sizes: Sequence[int] = (16, 64),
    formats: Sequence[str] = FFT_FORMATS,
    modes: Sequence[str] = MODES,
    trials: int = 8,
    seed: int = 0,
    executor: Executor | None = None,
) -> StudyReport:
    """:func:`numerics.transforms.error_study` with a progress bar (tqdm, on a
    terminal), as ``numerics fft-error`` and the demo run it.

    Examples
    --------
    >>> fft_error_study("fwht", [16], ["bf16"], ["nearest_even"], trials=1).rows[0][:3]
    ('bfloat16', 'nearest_even', 4)
    """
    from .transforms import error_study

    return with_progress(
        len(sizes) * len(formats) * len(modes),
        f"{transform} error study",
        lambda step: error_study(
            transform,
            sizes,
            formats,
            modes,
            trials=trials,
            seed=seed,
            progress=step,
            executor=executor,
        ),
    )


def _training():
    """The module of examples/_training.py, or None outside a repository checkout."""
    if not TRAINING.is_file():
        return None
    spec = importlib.util.spec_from_file_location("numerics_examples_training", TRAINING)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def weight_matrix(rows: int = 1024, cols: int = 1024, seed: int = 0) -> np.ndarray:
    """A float32 matrix shaped like a trained linear layer's weights: heavy-tailed
    (Student t, 4 degrees of freedom), with per-output-channel scales spread over a
    decade and a few outlier input channels, as in LLM weights.

    Examples
    --------
    >>> weight_matrix(8, 32).shape
    (8, 32)
    """
    rng = np.random.default_rng(seed)
    w = rng.standard_t(4, size=(rows, cols)) * 0.02
    w *= np.exp(rng.uniform(np.log(0.3), np.log(3.0), size=(rows, 1)))
    outliers = rng.choice(cols, size=max(1, cols // 128), replace=False)
    w[:, outliers] *= 8
    return w.astype(np.float32)


def mx_vs_nvfp4(w: np.ndarray) -> list[tuple]:
    """Rows ``(scheme, bits per element, SQNR dB, normwise error, max |error| / max |w|,
    clipped, flushed)`` for MXFP4 (scale modes floor and rceil), NVFP4 (both scale
    roundings) and per-channel int4, with the same 4-bit element budget.

    Examples
    --------
    >>> [r[0] for r in mx_vs_nvfp4(weight_matrix(16, 64))][:2]
    ['MXFP4 (floor)', 'MXFP4 (rceil)']
    """
    from . import analysis
    from .scaled import quantize_int, quantize_mx, quantize_nvfp4

    ref = w.astype(np.float64)
    out = []
    for name, q in (
        ("MXFP4 (floor)", quantize_mx(w, "e2m1", scale_mode="floor", stats=True)),
        ("MXFP4 (rceil)", quantize_mx(w, "e2m1", scale_mode="rceil", stats=True)),
        ("NVFP4 (nearest)", quantize_nvfp4(w, scale_rounding="nearest", stats=True)),
        ("NVFP4 (up)", quantize_nvfp4(w, scale_rounding="up", stats=True)),
        ("int4 per channel", quantize_int(w, 4, channel_axis=0, stats=True)),
    ):
        d = q.dequantize(np.float64)
        out.append(
            (
                name,
                8 * q.nbytes / w.size,
                analysis.sqnr(d, ref),
                analysis.normwise_error(d, ref),
                float(np.max(np.abs(d - ref)) / np.max(np.abs(ref))),
                q.clipped,
                q.flushed,
            )
        )
    return out


def _save_plot(fig, path: str) -> None:
    fig.savefig(path, dpi=120, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)


def run_demo(
    out: str = "out", quick: bool = False, echo: Callable[[str], None] = print
) -> list[str]:
    """Run the demo, writing into ``out``; returns the files written.

    ``quick`` shrinks every part (the test suite uses it).

    Examples
    --------
    >>> import tempfile
    >>> files = run_demo(tempfile.mkdtemp(), quick=True, echo=lambda s: None)
    >>> sorted(os.path.basename(f) for f in files)[:3]
    ['fft_error.png', 'fft_error.txt', 'formats.txt']
    """
    os.makedirs(out, exist_ok=True)
    files = []
    t0 = time.perf_counter()

    def write(name: str, text: str) -> None:
        path = os.path.join(out, name)
        with open(path, "w") as f:
            f.write(text + "\n")
        files.append(path)

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        plt = None

    # (a) formats
    table = format_table()
    echo("== (a) Named formats ==\n" + table)
    write("formats.txt", table)

    # (b) the FFT butterfly error study
    sizes = [2**k for k in range(4, 11 if quick else 17)]
    trials = 2 if quick else 8
    study = fft_error_study("rdfft", sizes, FFT_FORMATS, MODES, trials=trials, seed=0)
    text = study.table()
    echo("\n== (b) rdFFT rounding error against n (normwise, in units of u) ==\n" + text)
    echo(
        "Measured errors grow like sqrt(log2 n), far below Higham's worst-case bound; "
        "stochastic rounding costs about sqrt(2) in error. For float8 the deterministic "
        "bound is vacuous (inf), and at large n the smallest twiddles fall into e4m3's "
        "subnormals, so their relative error mu, and the probabilistic bound, jump."
    )
    write("fft_error.txt", text)
    if plt is not None:
        ax = study.plot()
        _save_plot(ax.figure, os.path.join(out, "fft_error.png"))
        files.append(os.path.join(out, "fft_error.png"))

    # (c) MXFP4 against NVFP4 on a realistic weight matrix
    n = 256 if quick else 2048
    w = weight_matrix(n, n)
    rows = mx_vs_nvfp4(w)
    cols = ("scheme", "bits/elem", "SQNR dB", "normwise", "max err/max", "clipped", "flushed")
    text = text_table(cols, rows)
    echo(f"\n== (c) 4-bit quantization of a {n}x{n} heavy-tailed weight matrix ==\n" + text)
    write("mx_vs_nvfp4.txt", text)
    if plt is not None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.bar([r[0] for r in rows], [r[2] for r in rows], color="C0")
        ax.set_ylabel("SQNR (dB, higher is better)")
        ax.set_title("4-bit weight quantization")
        ax.tick_params(axis="x", rotation=20)
        _save_plot(fig, os.path.join(out, "mx_vs_nvfp4.png"))
        files.append(os.path.join(out, "mx_vs_nvfp4.png"))

    # (d) FP8-weights training, with torch and mlxtend, from a repository checkout
    try:
        import mlxtend  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        training = "install the torch and examples extras for the training comparison"
    else:
        training = _training() or f"the training example is not there ({TRAINING})"
    if isinstance(training, str):
        echo(f"\n(d) skipped: {training}")
    else:
        echo("\n== (d) MLP on MNIST-5000 with weights stored in float8_e4m3fn ==")
        res, path = training.fp8_weights_comparison(out, 1 if quick else 4, 1000 if quick else 4000)
        runs = [(k, *v) for k, v in res.items()]
        echo(text_table(("run", "final loss", "test accuracy"), runs))
        files.append(path)
    echo(f"\nDone in {time.perf_counter() - t0:.0f} s. Outputs are in {os.path.abspath(out)}:")
    for f in files:
        echo(f"  {f}")
    return files
