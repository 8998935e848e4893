"""Error analysis: metrics, bounds, :class:`ErrorReport`, and the aligned text tables
(:func:`text_table`, :func:`format_table`) that every report prints through."""

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
from .report import ErrorReport, compare, format_table, read_report, text_table

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
    "read_report",
    "rel_error",
    "sqnr",
    "summation_bound",
    "text_table",
    "ulp_error",
    "unit_roundoff",
]
