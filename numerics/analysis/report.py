"""``ErrorReport``: a table of errors (by stage, term or item) with summary numbers and
bounds, as text or as a plot. The transforms' exact error tracking reuses it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ..formats.format import Format
from ..formats.registry import as_format
from . import metrics

__all__ = ["ErrorReport", "compare"]


def _fmt(v) -> str:
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if v == 0 or math.isinf(v) or math.isnan(v):
            return str(v)
        return f"{v:.4g}" if 1e-3 <= abs(v) < 1e5 else f"{v:.3e}"
    return str(v)


@dataclass(frozen=True)
class ErrorReport:
    """Errors in a table (one row per stage, term or item) and named summary numbers.

    Attributes
    ----------
    title : str
    columns : tuple of str
        Column names; the first column labels the rows.
    rows : tuple of tuples
        One tuple of values per row.
    summary : dict
        Named numbers: measured errors, bounds (names containing "bound" are drawn as
        lines by :meth:`plot`), counts.

    Examples
    --------
    >>> r = ErrorReport("demo", ("stage", "error"), ((1, 0.5), (2, 0.25)), {"bound": 1.0})
    >>> print(r.table())
    demo
    stage  error
        1    0.5
        2   0.25
    bound: 1
    """

    title: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()
    summary: Mapping[str, float] = field(default_factory=dict)

    def column(self, name: str) -> np.ndarray:
        """The values of one column.

        Examples
        --------
        >>> ErrorReport("t", ("k", "e"), ((1, 2.0),)).column("e").tolist()
        [2.0]
        """
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; columns: {', '.join(self.columns)}")
        i = self.columns.index(name)
        return np.array([row[i] for row in self.rows])

    def table(self) -> str:
        """The report as aligned text: title, table, then the summary."""
        lines = [self.title]
        if self.columns:
            cells = [list(self.columns)] + [[_fmt(v) for v in row] for row in self.rows]
            widths = [max(len(c[i]) for c in cells) for i in range(len(self.columns))]
            for c in cells:
                lines.append("  ".join(s.rjust(w) for s, w in zip(c, widths, strict=True)))
        for k, v in self.summary.items():
            lines.append(f"{k}: {_fmt(v)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def plot(self, column: str | None = None, *, ax=None, logy: bool = True):
        """Plot one column (the last by default) against the row labels, with every
        summary number whose name holds "bound" as a horizontal line. Needs
        matplotlib; returns the axes."""
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError("ErrorReport.plot needs matplotlib: pip install matplotlib") from None
        column = column or self.columns[-1]
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        labels = [str(r[0]) for r in self.rows]
        ys = np.asarray(self.column(column), dtype=np.float64)
        ax.plot(labels, ys, "o-", label=column)
        for k, v in self.summary.items():
            if "bound" in k and np.isfinite(v) and v > 0:
                ax.axhline(v, linestyle="--", label=k, color="gray")
        if logy and (ys > 0).any():
            ax.set_yscale("log")
        ax.set_xlabel(self.columns[0])
        ax.set_ylabel(column)
        ax.set_title(self.title)
        ax.legend()
        return ax


def compare(
    computed: ArrayLike,
    reference: ArrayLike,
    fmt: Format | str,
    *,
    title: str = "errors",
    bounds: Mapping[str, float] | None = None,
    labels: Sequence | None = None,
) -> ErrorReport:
    """An :class:`ErrorReport` of ``computed`` against ``reference``: per element the
    absolute and relative error and the error in ulps of ``fmt``; in the summary the
    normwise and componentwise errors (also in units of u), the SQNR, and ``bounds``.

    Examples
    --------
    >>> r = compare([1.0, 2.125], [1.0, 2.0], "float8_e4m3fn", bounds={"bound": 0.1})
    >>> r.summary["componentwise / u"]
    1.0
    """
    c, r = np.ravel(computed), np.ravel(reference)
    f = as_format(fmt)
    u = f.unit_roundoff
    absr = metrics.abs_error(c, r)
    rel = metrics.rel_error(c, r)
    ulps = metrics.ulp_error(c, r, f)
    labels = list(range(c.size)) if labels is None else list(labels)
    rows = tuple(
        (lab, float(a), float(e), float(ul))
        for lab, a, e, ul in zip(labels, absr, rel, ulps, strict=True)
    )
    nw = metrics.normwise_error(c, r)
    cw = metrics.componentwise_error(c, r)
    summary = {
        "normwise": nw,
        "normwise / u": nw / u,
        "componentwise": cw,
        "componentwise / u": cw / u,
        "sqnr dB": metrics.sqnr(c, r),
        **(bounds or {}),
    }
    return ErrorReport(title, ("element", "abs", "rel", "ulps"), rows, summary)
