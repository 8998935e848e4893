"""Format: parameters, derived numbers, values(), lookup by name."""

import math

import numpy as np
import pytest
import reference as R
from helpers import SMALL_FORMATS

import numerics as nm
from numerics import Format, NanStyle

# DESIGN.md section 2: name -> (bits, bias, max, has Inf, NaN style, has -0)
TABLE = {
    "float32": (32, 127, 3.4028234663852886e38, True, "ieee", True),
    "tf32": (19, 127, (2 - 2.0**-10) * 2.0**127, True, "ieee", True),
    "bfloat16": (16, 127, (2 - 2.0**-7) * 2.0**127, True, "ieee", True),
    "float16": (16, 15, 65504.0, True, "ieee", True),
    "float8_e4m3fn": (8, 7, 448.0, False, "fn", True),
    "float8_e4m3": (8, 7, 240.0, True, "ieee", True),
    "float8_e5m2": (8, 15, 57344.0, True, "ieee", True),
    "float8_e4m3fnuz": (8, 8, 240.0, False, "fnuz", False),
    "float8_e5m2fnuz": (8, 16, 57344.0, False, "fnuz", False),
    "float8_e3m4": (8, 3, 15.5, True, "ieee", True),
    "float6_e2m3fn": (6, 1, 7.5, False, "none", True),
    "float6_e3m2fn": (6, 3, 28.0, False, "none", True),
    "float4_e2m1fn": (4, 1, 6.0, False, "none", True),
    "float8_e8m0fnu": (8, 127, 2.0**127, False, "fn", False),
    "ue4m3": (7, 7, 448.0, False, "fn", False),
}


@pytest.mark.parametrize("name", list(TABLE))
def test_design_table(name):
    f = nm.get_format(name)
    bits, bias, mx, inf, nan, negzero = TABLE[name]
    assert (f.bits, f.bias, f.max, f.inf, f.nan.value, f.negzero) == (
        bits,
        bias,
        mx,
        inf,
        nan,
        negzero,
    )


def test_e8m0_has_no_zero():
    f = nm.get_format("e8m0")
    assert not f.zero and f.min_normal == f.min_subnormal == 2.0**-127
    assert f.values()[0] == 2.0**-127 and f.num_values == 255


@pytest.mark.parametrize("name", SMALL_FORMATS)
def test_values_match_exact_decode_of_every_code(name):
    f = nm.get_format(name)
    mags = R.grid(*R.key(f))
    exact = sorted({float(v) for v in mags})
    if f.signed:
        exact = sorted({*exact, *(-v for v in exact)})
    np.testing.assert_array_equal(f.values(), np.array(exact))
    # and the derived numbers agree with that enumeration
    pos = [v for v in exact if v > 0]
    assert f.max == max(exact) and f.min_subnormal == min(pos)
    assert f.num_values == len(exact)


def test_against_ml_dtypes_finfo():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    for name in nm.ML_DTYPES_NAMES:
        fi = ml_dtypes.finfo(getattr(ml_dtypes, name))
        f = nm.get_format(name)
        assert f.max == float(fi.max), name
        assert f.min_normal == float(fi.smallest_normal), name
        assert f.min_subnormal == float(fi.smallest_subnormal), name
        assert f.eps == float(fi.eps), name
        assert f.bits == fi.bits or (name == "float8_e8m0fnu" and fi.bits == 8), name


def test_against_gfloat_formats():
    gfloat = pytest.importorskip("gfloat")
    from gfloat.formats import format_info_ocp_e2m1, format_info_ocp_e4m3, format_info_ocp_e5m2

    pairs = [
        ("float8_e4m3fn", format_info_ocp_e4m3),
        ("float8_e5m2", format_info_ocp_e5m2),
        ("float4_e2m1fn", format_info_ocp_e2m1),
    ]
    for fi in gfloat.formats.p3109_binary8_formats:
        pairs.append((fi.name, fi))
    for name, fi in pairs:
        f = nm.get_format(name)
        theirs = np.array(
            sorted(
                {
                    gfloat.decode_float(fi, i).fval
                    for i in range(2**fi.k)
                    if np.isfinite(gfloat.decode_float(fi, i).fval)
                }
            )
        )
        np.testing.assert_array_equal(f.values(), theirs, err_msg=name)
        assert f.max == fi.max and f.eps == fi.eps, name


def test_p3109_table():
    f = nm.p3109(4)
    assert f.name == "binary8p4se" and f.bias == 8 and f.max == 224.0 and not f.negzero
    assert nm.p3109(4, extended=False).max == 240.0
    u = nm.p3109(8, signed=False, extended=False)
    assert u.bias == 1 and not u.signed
    with pytest.raises(ValueError, match="precision must be in 1..7"):
        nm.p3109(8)
    assert nm.get_format("p3109_k8p3ue") is nm.get_format("binary8p3ue")


def test_lookup_aliases_and_case():
    assert nm.get_format("FP8_E4M3") is nm.get_format("float8_e4m3fn")
    assert nm.get_format("fp4").name == "float4_e2m1fn"
    assert nm.get_format(" bf16 ").name == "bfloat16"
    assert nm.as_format(nm.get_format("fp16")) is nm.get_format("fp16")


def test_unknown_name_lists_close_names():
    with pytest.raises(ValueError, match=r"unknown format 'float8_e4m3f'.*float8_e4m3fn"):
        nm.get_format("float8_e4m3f")
    with pytest.raises(TypeError):
        nm.get_format(3)
    with pytest.raises(TypeError):
        nm.as_format(3.5)


def test_equality_ignores_name_and_repr_is_readable():
    mine = Format(4, 3, 7, inf=False, nan="fn")
    assert mine == nm.get_format("fp8_e4m3") and hash(mine) == hash(nm.get_format("fp8_e4m3"))
    r = repr(nm.get_format("fp8_e4m3"))
    assert r == "Format(name='float8_e4m3fn', ebits=4, mbits=3, bias=7, inf=False, nan='fn')"
    assert repr(Format(5, 10)) == "Format(ebits=5, mbits=10, bias=15)"
    assert str(Format(3, 2, signed=False, negzero=False)) == "ue3m2"


def test_custom_format_numbers():
    e3m2 = Format(3, 2)  # IEEE-style: top binade for Inf/NaN
    assert e3m2.max == 14.0 and e3m2.emax == 3 and e3m2.emin == -2
    assert e3m2.min_normal == 0.25 and e3m2.min_subnormal == 0.0625
    assert e3m2.eps == 0.25 and e3m2.unit_roundoff == 0.125 and e3m2.precision == 3
    e6m9 = Format(6, 9)
    assert e6m9.max == (2 - 2.0**-9) * 2.0**31
    daz = Format(4, 3, 7, subnormals=False)
    assert daz.min_subnormal == daz.min_normal == 2.0**-6
    assert 2.0**-9 not in daz.values()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(ebits=0, mbits=3), "ebits must be in 1..11"),
        (dict(ebits=12, mbits=3), "ebits must be in 1..11"),
        (dict(ebits=4, mbits=-1), "mbits must be in 0..52"),
        (dict(ebits=4, mbits=53), "mbits must be in 0..52"),
        (dict(ebits=4, mbits=3, nan="weird"), "nan must be one of"),
        (dict(ebits=4, mbits=3, signed=False, negzero=True), "unsigned format cannot"),
        (dict(ebits=4, mbits=3, nan="fnuz", signed=False), "needs signed=True"),
        (dict(ebits=4, mbits=3, nan="fnuz", negzero=True), "negzero must be False"),
        (dict(ebits=4, mbits=0), "needs at least one fraction bit"),
        (dict(ebits=4, mbits=3, zero=False), "no subnormals"),
        (dict(ebits=1, mbits=0, inf=True, nan="fn"), "leave no finite"),
        (dict(ebits=11, mbits=3, bias=2000), "exceeds float64"),
        (dict(ebits=4, mbits=3, bias=1.5), "bias must be an int"),
        (dict(ebits=4.0, mbits=3), "ebits must be an int"),
    ],
)
def test_impossible_parameters_are_rejected(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Format(**kwargs)


def test_frozen_and_nanstyle_strings():
    f = nm.get_format("fp4")
    with pytest.raises(AttributeError):
        f.ebits = 3
    assert Format(4, 3, nan="FN".lower()).nan is NanStyle.FN


def test_magnitude_value_specials():
    f = nm.get_format("float8_e5m2")
    assert f.magnitude_value(0x7C) == math.inf and math.isnan(f.magnitude_value(0x7D))
    with pytest.raises(ValueError, match="out of range"):
        f.magnitude_value(0x80)
