"""``ErrorReport``: a table of errors (by stage, term or item) with summary numbers and
bounds, as text, as a plot, or as data (a pandas DataFrame, CSV or JSON that read back
exactly). The transforms' exact error tracking reuses it.

:func:`text_table` is the package's one aligned-text renderer: the reports, the format
table, the command line and the demo all print through it."""

from __future__ import annotations

import dataclasses
import importlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from ..formats.format import Format
from ..formats.registry import FORMATS, as_format
from . import _records, metrics

__all__ = ["ErrorReport", "compare", "format_table", "read_report", "text_table"]

# the first line of a report's CSV; its JSON documents carry the same version number
CSV_MAGIC = "# numerics report "
VERSION = 1
_BASE_FIELDS = ("title", "columns", "rows", "summary", "meta")
R = TypeVar("R", bound="ErrorReport")


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

    The report is also data: :meth:`to_frame` gives a pandas DataFrame, and
    :meth:`to_csv` and :meth:`to_json` write text that :meth:`from_csv` and
    :meth:`from_json` (or :func:`read_report`) read back to an equal report: every
    float exactly, every field of a subclass included.

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
    meta : dict
        What the report is of (not printed): the parameters that made it, such as
        the transform, ``n``, format, rounding and seed. ``meta["keys"]``, when
        present, names the columns that identify a row (the point of a sweep), in
        the order the sweep nests them; :meth:`merge` uses it.

    Examples
    --------
    >>> r = ErrorReport("demo", ("stage", "error"), ((1, 0.5), (2, 0.25)), {"bound": 1.0})
    >>> print(r.table())
    demo
    stage  error
    1        0.5
    2       0.25
    bound: 1
    >>> ErrorReport.from_json(r.to_json()) == r
    True
    """

    title: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()
    summary: Mapping[str, float] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)

    _types: ClassVar[dict[str, type]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        ErrorReport._types[_type_name(cls)] = cls

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

    # ----- as data ---------------------------------------------------------------------
    def _extra_fields(self) -> dict[str, Any]:
        """The fields a subclass adds (a TransformReport's arrays)."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in _BASE_FIELDS
        }

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain Python values, with the report's type: what
        :meth:`to_json` writes (before encoding) and :meth:`from_dict` reads.

        Examples
        --------
        >>> ErrorReport("t", ("k", "e"), ((1, 2.0),)).to_dict()["rows"]
        [[1, 2.0]]
        """
        return {
            "numerics_report": VERSION,
            "type": _type_name(type(self)),
            "title": self.title,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "summary": dict(self.summary),
            "meta": dict(self.meta),
            "fields": self._extra_fields(),
        }

    @classmethod
    def from_dict(cls: type[R], d: Mapping[str, Any]) -> R:
        """The report that :meth:`to_dict` gave ``d``; its class is the one ``d``
        names (a subclass of the class this is called on)."""
        version = d.get("numerics_report")
        if version != VERSION:
            raise ValueError(f"not a numerics report of version {VERSION} (found {version!r})")
        klass = _report_type(d["type"], cls)
        known = {f.name for f in dataclasses.fields(klass)}
        extra = dict(d.get("fields") or {})
        bad = set(extra) - known
        if bad:
            raise ValueError(f"{klass.__name__} has no field {', '.join(sorted(bad))}")
        return klass(
            str(d["title"]),
            tuple(d["columns"]),
            tuple(tuple(r) for r in d["rows"]),
            dict(d.get("summary") or {}),
            dict(d.get("meta") or {}),
            **extra,
        )

    def to_json(self, path_or_buf=None, *, indent: int | None = None) -> str | None:
        """The report as a JSON document (strict JSON: non-finite floats and numpy
        arrays are tagged objects, see below), returned as a string, or written to
        a path or file object.

        Finite floats are JSON numbers, written as the shortest decimal that reads
        back to the same double; ``inf``, ``-inf`` and ``nan`` are
        ``{"$float": "inf"}`` and so on; tuples ``{"$tuple": [...]}``; arrays
        ``{"$array": {"dtype", "shape", "base64"}}`` (their bytes, bit for bit);
        formats ``{"$format": {...}}`` and rounding modes ``{"$rounding": ...}``.
        Rows are under ``"rows"``, one list of cells per row.

        Examples
        --------
        >>> r = ErrorReport("t", ("k", "e"), ((1, float("inf")),), {"u": 2.0**-8})
        >>> r.to_json()[:38]
        '{"numerics_report": 1, "type": "numeri'
        >>> '"rows": [[1, {"$float": "inf"}]]' in r.to_json()
        True
        """
        import json

        text = json.dumps(_records.encode(self.to_dict()), allow_nan=False, indent=indent)
        return _records.write_text(text + "\n", path_or_buf)

    @classmethod
    def from_json(cls: type[R], path_or_buf) -> R:
        """Read a report that :meth:`to_json` wrote: from a path, a file object, or
        the JSON text itself.

        Examples
        --------
        >>> r = ErrorReport("t", ("k", "e"), ((1, 0.1),), {"n": 3}, {"seed": 7})
        >>> ErrorReport.from_json(r.to_json()) == r
        True
        """
        import json

        text = _records.read_text(path_or_buf, lambda s: s.lstrip().startswith("{"))
        try:
            d = _records.decode(json.loads(text))
        except json.JSONDecodeError as e:
            raise ValueError(f"not a report's JSON: {e}") from None
        if not isinstance(d, dict):
            raise ValueError("not a report's JSON: the document is not an object")
        return cls.from_dict(d)

    def to_csv(self, path_or_buf=None) -> str | None:
        """The table as CSV, under one comment line (``# numerics report {...}``)
        that holds, as JSON, everything else: title, summary, meta, the columns'
        types and a subclass's fields. Returned as a string, or written to a path
        or file object.

        Floats are written as ``repr`` (``0.1``, ``-0.0``, ``inf``, ``nan``), which
        reads back exactly; pandas reads the table with
        ``pd.read_csv(path, skiprows=1)`` (exactly in pandas 3; pandas 2 needs
        ``float_precision="round_trip"`` for that).

        Examples
        --------
        >>> r = ErrorReport("t", ("k", "e"), ((1, 0.1), (2, -0.0)))
        >>> print(r.to_csv().splitlines()[1:])
        ['k,e', '1,0.1', '2,-0.0']
        """
        kinds = [_records.cell_type(c) for c in zip(*self.rows, strict=True)] if self.rows else []
        kinds = kinds or ["str"] * len(self.columns)
        head = self.to_dict()
        del head["rows"]
        head["dtypes"] = kinds
        text = CSV_MAGIC + _records.dumps(head) + "\n"
        text += _records.write_csv_rows(self.columns, self.rows, kinds)
        return _records.write_text(text, path_or_buf)

    @classmethod
    def from_csv(cls: type[R], path_or_buf) -> R:
        """Read a report that :meth:`to_csv` wrote: from a path, a file object, or
        the CSV text itself.

        Examples
        --------
        >>> r = ErrorReport("t", ("k", "e"), ((1, 0.1), ("total", float("nan"))))
        >>> ErrorReport.from_csv(r.to_csv()).equals(r)
        True
        """
        text = _records.read_text(path_or_buf, lambda s: s.startswith(CSV_MAGIC))
        first, _, body = text.partition("\n")
        if not first.startswith(CSV_MAGIC):
            raise ValueError(f"not a report's CSV: the first line must start {CSV_MAGIC!r}")
        head = _records.loads(first[len(CSV_MAGIC) :])
        kinds = head.pop("dtypes")
        header, rows = _records.read_csv_rows(body, kinds)
        if tuple(header) != tuple(head["columns"]):
            raise ValueError(f"the CSV's header {header} is not the report's columns")
        head["rows"] = rows
        return cls.from_dict(head)

    def to_frame(self):
        """The table as a pandas DataFrame, one column per report column (columns
        of mixed types stay Python objects); the rest of the report (title,
        summary, meta, a subclass's fields) is in ``frame.attrs["numerics_report"]``,
        so that :meth:`from_frame` gives the report back. Needs pandas.

        Examples
        --------
        >>> df = ErrorReport("t", ("k", "e"), ((1, 2.0), (2, 0.5))).to_frame()
        >>> df["e"].tolist()
        [2.0, 0.5]
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                f"{type(self).__name__}.to_frame needs pandas: pip install pandas "
                "(to_csv and to_json do not)"
            ) from None
        cols = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(self.columns)
        data = {}
        for i, values in enumerate(cols):
            kind = _records.cell_type(values) if values else "str"
            data[i] = pd.Series(list(values), dtype=None if kind in ("int", "float") else object)
        df = pd.DataFrame(data)
        df.columns = list(self.columns)
        head = self.to_dict()
        del head["rows"]
        head["dtypes"] = [_records.cell_type(c) if c else "str" for c in cols]
        df.attrs["numerics_report"] = head
        return df

    @classmethod
    def from_frame(cls: type[R], df, *, title: str | None = None) -> R:
        """A report of a DataFrame: the one :meth:`to_frame` made, or any frame
        (its columns become the report's; ``title`` names it). Integer, float and
        bool cells come back as Python values.

        Examples
        --------
        >>> r = ErrorReport("t", ("k", "e"), ((1, 2.0),), {"u": 0.5})
        >>> ErrorReport.from_frame(r.to_frame()) == r
        True
        """
        head = dict(df.attrs.get("numerics_report") or {})
        if not head:
            head = {
                "numerics_report": VERSION,
                "type": _type_name(cls),
                "title": "",
                "columns": [str(c) for c in df.columns],
            }
        if title is not None:
            head["title"] = title
        kinds = head.pop("dtypes", None) or [None] * df.shape[1]
        if len(kinds) != df.shape[1] or list(head["columns"]) != [str(c) for c in df.columns]:
            raise ValueError("the frame's columns are not the report's (was it changed?)")
        columns = [[_python(v, k) for v in df.iloc[:, i].tolist()] for i, k in enumerate(kinds)]
        head["rows"] = list(zip(*columns, strict=True)) if df.shape[0] else []
        return cls.from_dict(head)

    def equals(self, other: object) -> bool:
        """Whether ``other`` is the same report bit for bit: NaN equals NaN, but
        ``-0.0`` is not ``0.0`` and ``1`` is not ``1.0`` (``==`` says otherwise
        for all three). Every field counts, a TransformReport's arrays too.

        Examples
        --------
        >>> a = ErrorReport("t", ("k", "e"), ((1, float("nan")),))
        >>> b = ErrorReport.from_json(a.to_json())
        >>> a == b, a.equals(b)
        (False, True)
        """
        if type(other) is not type(self):
            return False
        return _records.dumps(self.to_dict()) == _records.dumps(other.to_dict())

    @classmethod
    def merge(cls: type[R], parts: Iterable[ErrorReport]) -> R:
        """One report of the parts of a sweep: the rows of every part, ordered as
        the whole sweep would order them.

        The parts must agree on everything but their rows (type, title, columns,
        summary, meta). Rows are identified by the key columns (``meta["keys"]``;
        the first column if there is none); a row found in several parts must be
        the same in each. Rows are sorted by the key columns in the order of
        ``meta["keys"]``, each column's values in the order they first appear in
        the parts: parts given in the sweep's order (or any split of the sweep by
        one of its axes) give the whole sweep's report.

        Examples
        --------
        >>> meta = {"keys": ("x",)}
        >>> a = ErrorReport("t", ("x", "e"), ((1, 0.5),), meta=meta)
        >>> b = ErrorReport("t", ("x", "e"), ((2, 0.25), (1, 0.5)), meta=meta)
        >>> ErrorReport.merge([a, b]).rows
        ((1, 0.5), (2, 0.25))
        """
        parts = list(parts)
        if not parts:
            raise ValueError("merge needs at least one report")
        first = parts[0]
        if not isinstance(first, cls):
            raise TypeError(f"{cls.__name__}.merge got a {type(first).__name__}")
        head = _records.dumps({**first.to_dict(), "rows": []})
        for p in parts[1:]:
            if type(p) is not type(first):
                raise TypeError(f"cannot merge a {type(p).__name__} into a {type(first).__name__}")
            if _records.dumps({**p.to_dict(), "rows": []}) != head:
                raise ValueError(
                    "the parts differ in more than their rows (title, columns, summary or "
                    f"meta): {first.title!r} and {p.title!r}"
                )
        if any(v is not None for v in first._extra_fields().values()):
            raise ValueError(f"a {type(first).__name__} with arrays cannot be merged")
        keys = tuple(first.meta.get("keys") or first.columns[:1])
        missing = [k for k in keys if k not in first.columns]
        if missing:
            raise ValueError(f"key columns {missing} are not columns of the report")
        at = [first.columns.index(k) for k in keys]
        order: list[dict] = [{} for _ in keys]
        by_key: dict[tuple, tuple] = {}
        for p in parts:
            for row in p.rows:
                key = tuple(_records.dumps(row[i]) for i in at)
                for seen, k in zip(order, key, strict=True):
                    seen.setdefault(k, len(seen))
                if key in by_key:
                    if _records.dumps(by_key[key]) != _records.dumps(row):
                        raise ValueError(
                            f"the parts disagree on the row {tuple(row[i] for i in at)}: "
                            f"{by_key[key]} and {row}"
                        )
                else:
                    by_key[key] = tuple(row)
        ranked = sorted(by_key, key=lambda k: tuple(o[v] for o, v in zip(order, k, strict=True)))
        return dataclasses.replace(first, rows=tuple(by_key[k] for k in ranked))

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


def _type_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _report_type(name: str, base: type) -> type:
    """The report class ``name`` names, a subclass of ``base``. Classes of numerics'
    own modules are imported on demand; no other module is imported from a file."""
    klass = ErrorReport._types.get(name)
    if name == _type_name(ErrorReport):
        klass = ErrorReport
    module, _, qualname = name.rpartition(".")
    if klass is None and module.startswith("numerics."):
        try:
            klass = getattr(importlib.import_module(module), qualname, None)
        except ImportError:
            klass = None
    if not (isinstance(klass, type) and issubclass(klass, ErrorReport)):
        raise ValueError(f"unknown report type {name!r} (import its module first)")
    if not issubclass(klass, base):
        raise ValueError(f"the data is a {klass.__name__}, not a {base.__name__}")
    return klass


def _python(v, kind: str | None):
    """A frame's cell as the Python value it was: numpy scalars unwrapped."""
    if isinstance(v, np.generic):
        v = v.item()
    if kind == "int" and isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def read_report(path_or_buf) -> ErrorReport:
    """Read a report written by ``to_csv`` or ``to_json`` (which one is told by the
    text): an :class:`ErrorReport` or whichever subclass wrote it.

    Examples
    --------
    >>> import io
    >>> r = ErrorReport("t", ("k", "e"), ((1, 0.1),))
    >>> read_report(io.StringIO(r.to_csv())) == read_report(io.StringIO(r.to_json())) == r
    True
    """
    text = _records.read_text(
        path_or_buf, lambda s: s.startswith(CSV_MAGIC) or s.lstrip().startswith("{")
    )
    if text.startswith(CSV_MAGIC):
        return ErrorReport.from_csv(text)
    return ErrorReport.from_json(text)


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
