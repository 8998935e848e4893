"""Error analysis: metrics, bounds, :class:`ErrorReport` (as text, plots, DataFrames,
CSV and JSON), the aligned text tables (:func:`text_table`, :func:`format_table`) that
every report prints through, and sweeps on any executor (:mod:`numerics.analysis.sweep`,
:func:`quantization_study`)."""

from .bounds import (
    fft_bound,
    gamma,
    gamma_prob,
    prob_bound_confidence,
    summation_bound,
    unit_roundoff,
)
from .metrics import (
    abs_error,
    bias,
    componentwise_error,
    errors_in_u,
    normwise_error,
    rel_error,
    sqnr,
    ulp_error,
)
from .quantization import quantization_study
from .report import ErrorReport, compare, format_table, read_report, text_table
from .sweep import run_tasks, task_rng, task_seed

__all__ = [
    "ErrorReport",
    "abs_error",
    "bias",
    "compare",
    "componentwise_error",
    "errors_in_u",
    "fft_bound",
    "format_table",
    "gamma",
    "gamma_prob",
    "normwise_error",
    "prob_bound_confidence",
    "quantization_study",
    "read_report",
    "rel_error",
    "run_tasks",
    "sqnr",
    "summation_bound",
    "task_rng",
    "task_seed",
    "text_table",
    "ulp_error",
    "unit_roundoff",
]
