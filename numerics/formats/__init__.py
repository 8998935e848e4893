"""Number formats and how to round into them.

:class:`Format` describes any binary floating-point format; :func:`get_format` looks
up the named ones; :func:`cast` rounds data into a format, :func:`encode` and
:func:`decode` convert to and from bit codes, with every :class:`Rounding` mode.
Scaled formats (:func:`quantize_mx`, :func:`quantize_nvfp4`, :func:`quantize`,
:func:`quantize_int`, ...) return a :class:`Quantized`: element codes plus scales.
"""

from .cast import cast
from .codes import code_dtype, decode, encode, pack, unpack
from .discrete import TERNARY, quantize_pm1i, quantize_ternary
from .format import Format, NanStyle
from .interop import ML_DTYPES_NAMES, as_ml_dtypes, from_ml_dtypes
from .intformat import IntFormat, as_int_format
from .mx import (
    MX_ELEMENTS,
    MXINT8,
    SCALE_MODES,
    mx_scale_exponents,
    quantize_bfp,
    quantize_mx,
    quantize_nvfp4,
)
from .quantized import PM1I, Quantized
from .registry import FORMATS, as_format, format_names, get_format, p3109
from .rounding import Rounding, as_rounding
from .scaled import quantize, quantize_fixed, quantize_int

__all__ = [
    "FORMATS",
    "ML_DTYPES_NAMES",
    "MXINT8",
    "MX_ELEMENTS",
    "PM1I",
    "SCALE_MODES",
    "TERNARY",
    "Format",
    "IntFormat",
    "NanStyle",
    "Quantized",
    "Rounding",
    "as_format",
    "as_int_format",
    "as_ml_dtypes",
    "as_rounding",
    "cast",
    "code_dtype",
    "decode",
    "encode",
    "format_names",
    "from_ml_dtypes",
    "get_format",
    "mx_scale_exponents",
    "p3109",
    "pack",
    "quantize",
    "quantize_bfp",
    "quantize_fixed",
    "quantize_int",
    "quantize_mx",
    "quantize_nvfp4",
    "quantize_pm1i",
    "quantize_ternary",
    "unpack",
]
