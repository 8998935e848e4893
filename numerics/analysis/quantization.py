"""The format x rounding grid of cast (quantization) error: each format and rounding
mode applied to the same random data, its error summarised in units of the format's u.
Runs serially or on any executor, as :mod:`numerics.analysis.sweep` describes."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ..formats import cast
from ..formats.format import Format
from ..formats.registry import as_format
from ..formats.rounding import Rounding, as_rounding
from . import metrics
from .report import ErrorReport
from .sweep import run_tasks, task_rng, task_seed

__all__ = ["QUANTIZATION_KEYS", "quantization_study"]

# the columns that name a point of the grid, in the order its loops nest
QUANTIZATION_KEYS = ("format", "rounding")
COLUMNS = ("format", "rounding", "mean / u", "max / u", "bias / u", "sqnr dB")
SCALINGS = ("amax", "none")


@dataclass(frozen=True)
class _Point:
    fmt: Format
    mode: Rounding
    size: int
    trials: int
    scaling: str
    seed: int

    def message(self) -> str:
        return f"cast {self.fmt} {self.mode.value}"


def _point(p: _Point) -> tuple:
    """The grid's row of one point, from the point alone: the data depends on the
    format (its scale) and the seed, never on the other points."""
    f, m = p.fmt, p.mode
    x0 = task_rng(p.seed, ("quantization", str(f), p.size)).standard_normal((p.trials, p.size))
    # per-tensor scaling as FP8 training does: each input's largest magnitude becomes
    # the format's largest value; the errors are measured back at the data's scale,
    # where squares of wide formats' numbers (near 3e38) do not overflow
    c = f.max / np.max(np.abs(x0), axis=1, keepdims=True) if p.scaling == "amax" else 1.0
    x = x0 * c
    key = task_seed(p.seed, ("quantization", str(f), m.value, p.size)) if m.is_stochastic else None
    q = cast(x, f, m, saturate=True, seed=key)
    u = f.unit_roundoff
    d, x = (q - x) / c, x / c
    nw = np.sqrt(np.sum(d * d, axis=1)) / np.sqrt(np.sum(x * x, axis=1)) / u
    bias = np.sum(d, axis=1) / np.sum(np.abs(x), axis=1) / u
    sqnr = float(np.mean([metrics.sqnr(x[i] + d[i], x[i]) for i in range(p.trials)]))
    return (str(f), m.value, float(nw.mean()), float(nw.max()), float(bias.mean()), sqnr)


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def quantization_study(
    formats: Sequence[Format | str] = ("bfloat16", "float16", "float8_e4m3fn", "float8_e5m2"),
    roundings: Sequence[Rounding | str] = ("nearest_even", "stochastic"),
    *,
    size: int = 4096,
    trials: int = 8,
    scaling: str = "amax",
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    executor: Executor | None = None,
) -> ErrorReport:
    """The cast error of every format and rounding mode on the same random data: a
    format x rounding grid.

    Each of ``trials`` inputs is ``size`` standard normal numbers (float64), scaled
    (with ``scaling="amax"``) so that its largest magnitude is the format's largest
    value, as per-tensor scaled quantization does, and cast into the format with
    ``saturate=True``.

    Parameters
    ----------
    formats, roundings : sequences
        The grid: formats (names or :class:`~numerics.formats.Format`) and modes.
    size, trials : int
        Numbers per input, and inputs per point.
    scaling : {"amax", "none"}
        Scale each input to the format's range, or cast the numbers as drawn.
    seed : int
        Seeds the data (the same for every rounding of a format) and the
        stochastic rounding, per point: see :mod:`numerics.analysis.sweep`.
    progress : callable, optional
        Called with a one-line message after each point.
    executor : concurrent.futures.Executor, optional
        Runs the points as independent tasks; the report is the serial run's, bit
        for bit.

    Returns
    -------
    ErrorReport
        Rows ``(format, rounding, mean / u, max / u, bias / u, sqnr dB)``: the
        normwise relative error ``||q - x|| / ||x||`` in units of u (mean and
        largest over the inputs), the mean signed error relative to ``sum |x|``
        (zero for an unbiased rounding, up to noise), and the mean SQNR.
        ``meta["keys"]`` names the grid's columns, so that reports of parts of a
        grid merge (:meth:`ErrorReport.merge`).

    Examples
    --------
    >>> r = quantization_study(["float8_e4m3fn"], ["nearest_even", "toward_zero"], trials=2)
    >>> r.column("rounding").tolist()
    ['nearest_even', 'toward_zero']
    >>> bool((r.column("max / u") <= [1, 2]).all())
    True
    """
    if not _is_int(size) or size < 1:
        raise ValueError(f"size must be an int of at least 1, got {size!r}")
    if not _is_int(trials) or trials < 1:
        raise ValueError(f"trials must be an int of at least 1, got {trials!r}")
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}, got {scaling!r}")
    fmts = [as_format(f) for f in formats]
    modes = [as_rounding(m) for m in roundings]
    points = [_Point(f, m, int(size), int(trials), scaling, int(seed)) for f in fmts for m in modes]
    step = None if progress is None else (lambda p: progress(p.message()))
    rows = run_tasks(_point, points, executor=executor, progress=step)
    meta = {
        "study": "quantization",
        "size": int(size),
        "trials": int(trials),
        "scaling": scaling,
        "seed": int(seed),
        "keys": QUANTIZATION_KEYS,
    }
    title = f"cast error over {trials} inputs of {size} normal numbers ({scaling} scaling)"
    return ErrorReport(title, COLUMNS, tuple(rows), {"trials": int(trials)}, meta)
