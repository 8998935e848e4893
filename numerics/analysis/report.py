"""``ErrorReport``: a table of errors (by stage, term or item) with summary numbers and
bounds, as text or as a plot. The transforms' exact error tracking reuses it.

:func:`text_table` is the package's one aligned-text renderer: the reports, the format
table, the command line and the demo all print through it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ..formats.format import Format
from ..formats.registry import FORMATS, as_format
from . import metrics

__all__ = ["ErrorReport", "compare", "format_table", "text_table"]


def _fmt(v) -> str:
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if v == 0 or math.isinf(v) or math.isnan(v):
            return str(v)
        return f"{v:.4g}" if 1e-3 <= abs(v) < 1e5 else f"{v:.3e}"
    return str(v)


def text_table(columns: Sequence[str], rows: Iterable[Sequence], *, rule: bool = False) -> str:
    """Rows as aligned text under a header: the first column (the row labels)
    left-aligned, the others right-aligned.

    Strings are printed as given; integers in full; other floats with 4 significant
    digits, in scientific notation outside ``[1e-3, 1e5)``.

    Parameters
    ----------
    columns : sequence of str
        The header.
    rows : iterable of sequences
        One sequence of ``len(columns)`` cells per row.
    rule : bool
        Draw a line of dashes under the header.

    Examples
    --------
    >>> print(text_table(("scheme", "SQNR dB"), [("MXFP4", 17.123456), ("int4", 9.0)], rule=True))
    scheme  SQNR dB
    ------  -------
    MXFP4     17.12
    int4          9
    """
    cells = [[str(c) for c in columns]] + [[_fmt(v) for v in row] for row in rows]
    for r in cells[1:]:
        if len(r) != len(columns):
            raise ValueError(f"a row has {len(r)} cells for {len(columns)} columns: {r}")
    widths = [max(len(c[i]) for c in cells) for i in range(len(columns))]

    def line(r: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()

    lines = [line(r) for r in cells]
    if rule:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_table(names: Sequence[str | Format] | None = None) -> str:
    """A text table of formats (every named one by default): bits, bias, range,
    specials and machine epsilon.

    Examples
    --------
    >>> print(format_table(["fp4"]).splitlines()[2].split()[:4])
    ['float4_e2m1fn', '4', '1', '6']
    """
    fmts = [as_format(n) for n in names] if names else list(FORMATS.values())
    head = ("name", "bits", "bias", "max", "min normal", "min subnormal", "Inf", "NaN", "eps")
    rows = [
        (
            str(f),
            str(f.bits),
            str(f.bias),
            f"{f.max:.6g}",
            f"{f.min_normal:.6g}",
            f"{f.min_subnormal:.6g}",
            "yes" if f.inf else "no",
            f.nan.value,
            f"{f.eps:.6g}",
        )
        for f in fmts
    ]
    return text_table(head, rows, rule=True)


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
    1        0.5
    2       0.25
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
            lines.append(text_table(self.columns, self.rows))
        for k, v in self.summary.items():
            lines.append(f"{k}: {_fmt(v)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def plot(self, column: str | None = None, *, ax=None, logy: bool = True):
        """Plot one column (the last by default) against the row labels, with every
        summary number whose name holds "bound" as a labelled horizontal line, in the
        style of :mod:`numerics.analysis.plotting`. Needs matplotlib; returns the
        axes."""
        from . import plotting

        column = column or self.columns[-1]
        if ax is None:
            _, ax = plotting.new_figure(7, 4)
        labels = [str(r[0]) for r in self.rows]
        ys = np.asarray(self.column(column), dtype=np.float64)
        x = np.arange(len(labels))
        ax.plot(x, ys, label=column, **plotting.series_style(0))
        plotting.category_axis(ax, labels)
        bounds = [(k, v) for k, v in self.summary.items() if "bound" in k]
        for i, (k, v) in enumerate(bounds):
            if np.isfinite(v) and v > 0:
                style = plotting.LINESTYLES[1 + i % (len(plotting.LINESTYLES) - 1)]
                ax.axhline(v, linestyle=style, color="0.35", linewidth=1.2, label=k)
                plotting.label_line(ax, x[-1] if len(x) else 0, v, k)
        if logy and (ys > 0).any():
            ax.set_yscale("log")
        ax.set_xlabel(self.columns[0])
        ax.set_ylabel(column)
        ax.set_title(self.title)
        plotting.legend(ax)
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
