"""The named formats, IEEE P3109 binary formats, and lookup by name or alias."""

from __future__ import annotations

import difflib

from .format import Format, NanStyle

__all__ = ["FORMATS", "as_format", "format_names", "get_format", "p3109"]


def p3109(precision: int, *, signed: bool = True, extended: bool = True, bits: int = 8) -> Format:
    """An IEEE P3109 binary format ``binary{bits}p{precision}{s|u}{e|f}``.

    Per the P3109 interim report: no negative zero; signed formats use the -0 code
    (0x80) for NaN and have bias ``2**(bits-precision-1)``; unsigned formats use the
    top code for NaN and have bias ``2**(bits-precision)``. Extended formats put
    +-Inf on the code below NaN (0x7F/0xFF signed, 0xFE unsigned); finite ones don't.

    Examples
    --------
    >>> f = p3109(3)
    >>> f.name, f.max, f.min_subnormal
    ('binary8p3se', 49152.0, 7.62939453125e-06)
    """
    if not 2 <= bits <= 16:
        raise ValueError(f"P3109 width must be in 2..16 bits, got {bits}")
    top = bits - 1 if signed else bits
    if not 1 <= precision <= top:
        raise ValueError(
            f"P3109 {'signed' if signed else 'unsigned'} binary{bits} precision must be in "
            f"1..{top}, got {precision}"
        )
    ebits = bits - precision + (0 if signed else 1)
    bias = 2 ** (bits - precision - 1) if signed else 2 ** (bits - precision)
    name = f"binary{bits}p{precision}{'s' if signed else 'u'}{'e' if extended else 'f'}"
    return Format(
        ebits,
        precision - 1,
        bias,
        signed=signed,
        inf=extended,
        nan=NanStyle.FNUZ if signed else NanStyle.FN,
        negzero=False,
        name=name,
    )


def _named() -> dict[str, tuple[Format, tuple[str, ...]]]:
    fn, fnuz, none = NanStyle.FN, NanStyle.FNUZ, NanStyle.NONE
    table: list[tuple[Format, tuple[str, ...]]] = [
        (Format(11, 52, name="float64"), ("fp64", "double")),
        (Format(8, 23, name="float32"), ("fp32", "single")),
        (Format(8, 10, name="tf32"), ("tensorfloat32",)),
        (Format(8, 7, name="bfloat16"), ("bf16",)),
        (Format(5, 10, name="float16"), ("fp16", "half")),
        (Format(4, 3, 7, inf=False, nan=fn, name="float8_e4m3fn"), ("fp8_e4m3", "e4m3", "e4m3fn")),
        (Format(4, 3, 7, name="float8_e4m3"), ("e4m3_ieee",)),
        (Format(5, 2, 15, name="float8_e5m2"), ("fp8_e5m2", "e5m2")),
        (Format(4, 3, 8, inf=False, nan=fnuz, name="float8_e4m3fnuz"), ("e4m3fnuz",)),
        (Format(5, 2, 16, inf=False, nan=fnuz, name="float8_e5m2fnuz"), ("e5m2fnuz",)),
        (Format(3, 4, 3, name="float8_e3m4"), ("e3m4",)),
        (Format(2, 3, 1, inf=False, nan=none, name="float6_e2m3fn"), ("fp6_e2m3", "e2m3")),
        (Format(3, 2, 3, inf=False, nan=none, name="float6_e3m2fn"), ("fp6_e3m2", "e3m2")),
        (Format(2, 1, 1, inf=False, nan=none, name="float4_e2m1fn"), ("fp4", "fp4_e2m1", "e2m1")),
        (
            Format(8, 0, 127, signed=False, inf=False, nan=fn, subnormals=False, zero=False,
                   name="float8_e8m0fnu"),
            ("e8m0", "e8m0fnu", "mx_scale"),
        ),
        (Format(4, 3, 7, signed=False, inf=False, nan=fn, name="ue4m3"), ("nvfp4_scale",)),
    ]  # fmt: skip
    for signed in (True, False):
        for precision in range(1, 8 if signed else 9):
            for extended in (True, False):
                f = p3109(precision, signed=signed, extended=extended)
                gfloat_name = (
                    f"p3109_k8p{precision}{'s' if signed else 'u'}{'e' if extended else 'f'}"
                )
                table.append((f, (gfloat_name,)))
    return {f.name: (f, aliases) for f, aliases in table}


_TABLE = _named()

#: Every named format, by canonical name.
FORMATS: dict[str, Format] = {name: f for name, (f, _) in _TABLE.items()}

_LOOKUP: dict[str, Format] = {}
for _name, (_fmt, _aliases) in _TABLE.items():
    for _key in (_name, *_aliases):
        _LOOKUP[_key.lower()] = _fmt


def format_names(*, aliases: bool = False) -> list[str]:
    """Canonical names of the named formats (with their aliases if asked).

    Examples
    --------
    >>> "float8_e4m3fn" in format_names()
    True
    """
    return sorted(_LOOKUP) if aliases else list(FORMATS)


def get_format(name: str) -> Format:
    """Look up a named format by name or alias, ignoring case.

    Raises
    ------
    ValueError
        For an unknown name, listing the closest known names.

    Examples
    --------
    >>> get_format("FP8_E4M3").name
    'float8_e4m3fn'
    """
    if not isinstance(name, str):
        raise TypeError(f"a format name must be a str, got {type(name).__name__}")
    key = name.strip().lower()
    try:
        return _LOOKUP[key]
    except KeyError:
        close = difflib.get_close_matches(key, _LOOKUP, n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(
            f"unknown format {name!r}{hint} (numerics.format_names() lists them all)"
        ) from None


def as_format(fmt: Format | str) -> Format:
    """Return ``fmt`` if it is a :class:`Format`, else look it up by name.

    Examples
    --------
    >>> as_format("fp4").max
    6.0
    """
    if isinstance(fmt, Format):
        return fmt
    if isinstance(fmt, str):
        return get_format(fmt)
    raise TypeError(f"expected a Format or a format name, got {type(fmt).__name__}")
