"""Reports as data: DataFrames, CSV and JSON that read back to the same report, cell
for cell and bit for bit (checked by an independent comparison, not by the encoder),
and the merge of a sweep's parts into the report of the whole sweep."""

import io
import json
import math
import struct
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numerics as nm
import numerics.transforms as T
from numerics.analysis import ErrorReport, compare, quantization_study, read_report
from numerics.transforms import StudyReport, TransformReport


def same(a, b) -> bool:
    """``a`` and ``b`` are the same value: same type all the way down, floats with the
    same bits (any NaN equals any NaN: text keeps no NaN sign or payload), arrays with
    the same dtype, shape and bytes."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, nm.Format):
        return a == b and a.name == b.name
    return a == b


def same_report(a, b) -> bool:
    if type(a) is not type(b):
        return False
    names = [f for f in a.__dataclass_fields__]
    return all(same(getattr(a, f), getattr(b, f)) for f in names)


def round_trips(r):
    """The report read back from each of its encodings."""
    pd = pytest.importorskip("pandas")
    assert isinstance(r.to_frame(), pd.DataFrame)
    return {
        "json": type(r).from_json(r.to_json()),
        "json indented": read_report(io.StringIO(r.to_json(indent=2))),
        "csv": type(r).from_csv(r.to_csv()),
        "csv, any report": read_report(io.StringIO(r.to_csv())),
        "frame": type(r).from_frame(r.to_frame()),
    }


def check_round_trips(r):
    for how, back in round_trips(r).items():
        assert same_report(back, r), how
        assert back.equals(r), how


# ----- generated reports ----------------------------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 5e-324, -1.7976931348623157e308, 0.1, 1 / 3]
)
ints = st.integers(-(2**70), 2**70)
scalar = floats | ints | text | st.booleans()
cell = scalar | st.none() | st.tuples(floats, ints) | st.tuples(text)
named = st.sampled_from(nm.format_names())
formats = named.map(nm.get_format) | st.builds(
    nm.Format, st.integers(2, 8), st.integers(1, 10), name=st.none() | text
)
arrays = hnp.arrays(
    st.sampled_from([np.float64, np.float32, np.float16, np.int8, np.uint64, np.bool_]),
    hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
)
roundings = st.sampled_from(list(nm.Rounding))
meta_value = cell | formats | roundings | arrays | st.lists(ints, max_size=3)
keys = text.filter(lambda k: not k.startswith("$"))


@st.composite
def reports(draw):
    ncols = draw(st.integers(1, 4))
    nrows = draw(st.integers(0, 5))
    columns = tuple(draw(st.lists(text, min_size=ncols, max_size=ncols)))
    # each column all of one kind (typed in CSV) or mixed (JSON cells)
    kinds = [draw(st.sampled_from([floats, ints, text, st.booleans(), cell])) for _ in columns]
    rows = tuple(tuple(draw(k) for k in kinds) for _ in range(nrows))
    summary = draw(st.dictionaries(text, floats | ints, max_size=4))
    meta = draw(st.dictionaries(keys, meta_value, max_size=4))
    return ErrorReport(draw(text), columns, rows, summary, meta)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_any_report_round_trips_through_json_csv_and_frames(r):
    check_round_trips(r)


def test_json_is_strict_and_csv_floats_are_their_repr():
    r = ErrorReport(
        "t", ("k", "e"), ((1, math.inf), (2, -0.0), (3, math.nan), (4, 0.1)), {"u": 2.0**-8}
    )
    doc = json.loads(r.to_json(), parse_constant=lambda c: pytest.fail(f"non-strict {c}"))
    assert doc["rows"][0] == [1, {"$float": "inf"}] and doc["summary"] == {"u": 0.00390625}
    lines = r.to_csv().splitlines()
    assert lines[0].startswith("# numerics report {")
    assert lines[1:] == ["k,e", "1,inf", "2,-0.0", "3,nan", "4,0.1"]
    pd = pytest.importorskip("pandas")
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    df = pd.read_csv(io.StringIO(r.to_csv()), skiprows=1, **exact)
    assert df["e"].tolist()[3] == 0.1 and math.copysign(1, df["e"].tolist()[1]) == -1


def test_files_and_file_objects(tmp_path):
    r = compare([1.0, 2.125, 0.0], [1.0, 2.0, 1e-9], "float8_e4m3fn", bounds={"bound": 0.2})
    for ext, write in (("csv", r.to_csv), ("json", r.to_json)):
        path = tmp_path / f"r.{ext}"
        assert write(path) is None
        assert same_report(read_report(path), r) and same_report(read_report(str(path)), r)
        buf = io.StringIO()
        write(buf)
        assert buf.getvalue() == write()
        with open(path, "rb") as f:  # a binary file object
            assert same_report(read_report(f), r)


def test_bad_input_is_named():
    r = ErrorReport("t", ("k",), ((1,),))
    with pytest.raises(ValueError, match="first line must start"):
        ErrorReport.from_csv(io.StringIO("k\n1\n"))
    with pytest.raises(ValueError, match="version"):
        ErrorReport.from_json('{"numerics_report": 99}')
    with pytest.raises(ValueError, match="not a report's JSON"):
        ErrorReport.from_json("{nope")
    with pytest.raises(ValueError, match="not a StudyReport"):
        StudyReport.from_json(r.to_json())
    with pytest.raises(ValueError, match="unknown report type"):
        ErrorReport.from_json(r.to_json().replace("numerics.analysis.report", "os"))
    with pytest.raises(TypeError, match="cannot write"):
        ErrorReport("t", ("k",), ((object(),),)).to_json()
    with pytest.raises(ValueError, match=r"may not start with '\$'"):
        ErrorReport("t", meta={"$float": 1}).to_json()


def test_to_frame_without_pandas_says_so_and_text_needs_no_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    r = ErrorReport("t", ("k", "e"), ((1, 0.5),))
    with pytest.raises(ImportError, match="to_frame needs pandas"):
        r.to_frame()
    assert same_report(ErrorReport.from_csv(r.to_csv()), r)
    assert same_report(ErrorReport.from_json(r.to_json()), r)


# ----- real reports ---------------------------------------------------------------------

SIGNS = np.where(np.arange(16) % 3 == 0, -1.0, 1.0)


@pytest.mark.parametrize(
    "name, fmt, rounding, options",
    [
        ("rdfft", "bfloat16", "stochastic", {}),
        ("irdfft", "float16", "nearest_even", {}),
        ("dct", "float8_e4m3fn", "toward_zero", {"norm": "ortho"}),
        ("fwht", "bfloat16", "stochastic", {"signs": SIGNS, "normalize": True}),
    ],
)
def test_transform_reports_round_trip_with_their_arrays(name, fmt, rounding, options):
    x = np.random.default_rng(1).standard_normal((2, 16))
    r = T.error_report(name, x, fmt, rounding, seed=5, **options)
    assert r.meta["n"] == 16 and r.meta["format"] == nm.get_format(fmt)
    assert r.meta["rounding"] == rounding and r.meta["seed"] == 5
    check_round_trips(r)
    back = TransformReport.from_json(r.to_json())
    assert np.array_equal(back.contributions, r.contributions) and back.output.shape == (2, 16)
    # the meta reproduces the report
    again = T.error_report(
        back.meta["transform"], x, back.meta["format"], back.meta["rounding"],
        seed=back.meta["seed"], **back.meta["options"],
    )  # fmt: skip
    assert again.equals(r)


def test_study_reports_round_trip():
    s = T.error_study(sizes=[16, 32], formats=["bfloat16", "e4m3"], trials=2, seed=4)
    assert s.meta == {
        "transform": "rdfft",
        "trials": 2,
        "seed": 4,
        "keys": ("format", "log2 n", "rounding"),
    }
    check_round_trips(s)
    check_round_trips(quantization_study(["e5m2", "fp4"], ["up", "odd"], size=64, trials=2))
    check_round_trips(compare([1.0, 2.125], [1.0, 2.0], "float8_e4m3fn"))


# ----- merging the parts of a sweep -------------------------------------------------------

STUDY = dict(sizes=[16, 32], formats=["bfloat16", "float8_e4m3fn"], trials=2, seed=3)
STUDY["roundings"] = ["nearest_even", "stochastic"]


@pytest.mark.parametrize("axis", ["sizes", "formats", "roundings"])
def test_parts_of_an_error_study_merge_into_the_whole(axis):
    whole = T.error_study(**STUDY)
    parts = [T.error_study(**{**STUDY, axis: [v]}) for v in STUDY[axis]]
    merged = StudyReport.merge(parts)
    assert type(merged) is StudyReport and merged.equals(whole)
    # overlapping parts agree on their common rows
    assert StudyReport.merge([whole, *parts]).equals(whole)


def test_parts_of_a_quantization_grid_merge_into_the_whole():
    kw = dict(size=256, trials=2, seed=9)
    fmts, modes = ["bfloat16", "e4m3", "fp4"], ["nearest_even", "stochastic", "down"]
    whole = quantization_study(fmts, modes, **kw)
    by_format = [quantization_study([f], modes, **kw) for f in fmts]
    by_mode = [quantization_study(fmts, [m], **kw) for m in modes]
    assert ErrorReport.merge(by_format).equals(whole)
    assert ErrorReport.merge(by_mode).equals(whole)
    # each row is the grid's whatever part it came from
    one = quantization_study(["fp4"], ["down"], **kw)
    assert one.rows[0] == whole.rows[-1]


def test_merge_refuses_parts_of_different_sweeps():
    a = quantization_study(["e4m3"], ["nearest_even"], size=64, trials=2, seed=1)
    b = quantization_study(["e4m3"], ["stochastic"], size=64, trials=2, seed=2)
    with pytest.raises(ValueError, match="differ in more than their rows"):
        ErrorReport.merge([a, b])
    with pytest.raises(ValueError, match="at least one"):
        ErrorReport.merge([])
    meta = {"keys": ("x",)}
    with pytest.raises(ValueError, match="disagree on the row"):
        ErrorReport.merge(
            [ErrorReport("t", ("x", "e"), ((1, 0.5),), meta=meta)]
            + [ErrorReport("t", ("x", "e"), ((1, 0.25),), meta=meta)]
        )
    s = T.error_study(sizes=[16], formats=["bf16"], roundings=["nearest_even"], trials=1)
    with pytest.raises(TypeError, match="cannot merge"):
        ErrorReport.merge([a, s])
    r = T.error_report("fwht", np.ones(8), "bfloat16")
    with pytest.raises(ValueError, match="arrays cannot be merged"):
        TransformReport.merge([r, r])
