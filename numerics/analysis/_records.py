"""Lossless text encodings of report values: JSON documents and CSV tables that read
back to the very same Python values.

JSON's numbers carry finite floats exactly (Python writes the shortest decimal that
reads back to the same double), and its integers stay integers. What plain JSON cannot
say is tagged with a one-key object whose key starts with ``$``:

- ``{"$float": "inf"}`` (also ``"-inf"``, ``"nan"``): the non-finite floats, since
  strict JSON has no Infinity or NaN;
- ``{"$tuple": [...]}``: a tuple (a plain JSON list reads back as a list);
- ``{"$array": {"dtype": "<f8", "shape": [...], "base64": "..."}}``: a numpy array,
  its bytes as they are (bit for bit, NaN payloads included);
- ``{"$format": {...}}``: a :class:`~numerics.formats.Format`, every field and its name;
- ``{"$rounding": "nearest_even"}``: a :class:`~numerics.formats.Rounding`.

A CSV table is typed per column (``int``, ``float``, ``str``, ``bool``, or ``json``
for columns of mixed or other values, whose cells are JSON text); floats are written
as ``repr``, which reads back exactly with ``float``.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import json
import math
import os
from collections.abc import Mapping
from enum import Enum

import numpy as np

from ..formats.format import Format
from ..formats.rounding import Rounding

__all__ = ["cell_type", "decode", "encode", "parse_cell", "read_text", "write_cell", "write_text"]


def encode(v):
    """``v`` as a JSON-able value that :func:`decode` turns back into ``v``."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else {"$float": repr(f)}
    if isinstance(v, Rounding):
        return {"$rounding": v.value}
    if isinstance(v, Enum):
        raise TypeError(f"cannot write the enum value {v!r}; use its .value")
    if isinstance(v, str):
        return v
    if isinstance(v, Format):
        d = {f.name: getattr(v, f.name) for f in dataclasses.fields(v)}
        d["nan"] = v.nan.value
        return {"$format": d}
    if isinstance(v, np.ndarray):
        if v.dtype.hasobject or v.dtype.fields is not None:
            raise TypeError(f"cannot write an array of dtype {v.dtype}")
        data = base64.b64encode(np.ascontiguousarray(v).tobytes()).decode("ascii")
        return {"$array": {"dtype": v.dtype.str, "shape": list(v.shape), "base64": data}}
    if isinstance(v, tuple):
        return {"$tuple": [encode(x) for x in v]}
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, Mapping):
        out = {}
        for k, x in v.items():
            if not isinstance(k, str):
                raise TypeError(f"mapping keys must be strings to be written, got {k!r}")
            if k.startswith("$"):
                raise ValueError(f"mapping keys may not start with '$' (a type tag): {k!r}")
            out[k] = encode(x)
        return out
    raise TypeError(f"cannot write a value of type {type(v).__name__}: {v!r}")


def decode(v):
    """The value that :func:`encode` made ``v`` from."""
    if isinstance(v, list):
        return [decode(x) for x in v]
    if not isinstance(v, dict):
        return v
    if len(v) == 1:
        (tag, x), *_ = v.items()
        if tag == "$float":
            return float(x)
        if tag == "$tuple":
            return tuple(decode(y) for y in x)
        if tag == "$rounding":
            return Rounding(x)
        if tag == "$format":
            return Format(**x)
        if tag == "$array":
            raw = base64.b64decode(x["base64"])
            return np.frombuffer(raw, dtype=np.dtype(x["dtype"])).reshape(x["shape"]).copy()
        if tag.startswith("$"):
            raise ValueError(f"unknown type tag {tag!r} in a report")
    return {k: decode(x) for k, x in v.items()}


def dumps(v) -> str:
    """One line of strict JSON (no NaN or Infinity tokens)."""
    return json.dumps(encode(v), allow_nan=False, separators=(",", ":"))


def loads(text: str):
    return decode(json.loads(text))


# ----- CSV cells ------------------------------------------------------------------------


def _kind(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, (int, np.integer)):
        return "int"
    if isinstance(v, (float, np.floating)):
        return "float"
    if isinstance(v, str):
        return "str"
    return "json"


def cell_type(values) -> str:
    """The CSV type of a column: the common kind of its cells, else ``"json"``."""
    kinds = {_kind(v) for v in values}
    return kinds.pop() if len(kinds) == 1 else "json"


def write_cell(v, kind: str) -> str:
    if kind == "float":
        return repr(float(v))
    if kind in ("int", "bool"):
        return str(int(v) if kind == "int" else bool(v))
    if kind == "str":
        return v
    return dumps(v)


def parse_cell(text: str, kind: str):
    if kind == "float":
        return float(text)
    if kind == "int":
        return int(text)
    if kind == "bool":
        if text not in ("True", "False"):
            raise ValueError(f"not a bool cell: {text!r}")
        return text == "True"
    if kind == "str":
        return text
    if kind == "json":
        return loads(text)
    raise ValueError(f"unknown column type {kind!r} in a report")


def write_csv_rows(columns, rows, kinds) -> str:
    buf = io.StringIO()
    # CRLF, as RFC 4180 has it: the writer then quotes a field holding a lone "\r"
    # too, which it leaves bare with a "\n" terminator (and the reader then splits)
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([write_cell(v, k) for v, k in zip(row, kinds, strict=True)])
    return buf.getvalue()


def read_csv_rows(text: str, kinds) -> tuple[list[str], list[tuple]]:
    r = csv.reader(io.StringIO(text))
    header = next(r, None)
    if header is None:
        raise ValueError("the report's CSV has no header row")
    rows = []
    for line in r:
        if len(line) != len(kinds):
            raise ValueError(f"a CSV row has {len(line)} cells for {len(kinds)} columns")
        rows.append(tuple(parse_cell(c, k) for c, k in zip(line, kinds, strict=True)))
    return header, rows


# ----- files ----------------------------------------------------------------------------


def write_text(text: str, path_or_buf) -> str | None:
    """``text`` itself when ``path_or_buf`` is None, else written to the path or into
    the file object (and None returned), as pandas' writers do."""
    if path_or_buf is None:
        return text
    if isinstance(path_or_buf, (str, os.PathLike)):
        with open(path_or_buf, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    else:
        path_or_buf.write(text)
    return None


def read_text(src, looks_like_content) -> str:
    """The text of a path, a file object, or ``src`` itself when it is a string that
    ``looks_like_content`` (what the writers return without a path)."""
    if isinstance(src, str) and looks_like_content(src):
        return src
    if isinstance(src, (str, os.PathLike)):
        with open(src, encoding="utf-8", newline="") as f:
            return f.read()
    if hasattr(src, "read"):
        text = src.read()
        return text.decode("utf-8") if isinstance(text, bytes) else text
    raise TypeError(f"expected a path, a file object or the text, got {type(src).__name__}")
