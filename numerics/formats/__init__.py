"""Number formats and how to round into them.

:class:`Format` describes any binary floating-point format; :func:`get_format` looks
up the named ones; :func:`cast` rounds data into a format, :func:`encode` and
:func:`decode` convert to and from bit codes, with every :class:`Rounding` mode.
"""

from .cast import cast
from .codes import code_dtype, decode, encode, pack, unpack
from .format import Format, NanStyle
from .interop import ML_DTYPES_NAMES, as_ml_dtypes, from_ml_dtypes
from .registry import FORMATS, as_format, format_names, get_format, p3109
from .rounding import Rounding, as_rounding

__all__ = [
    "FORMATS",
    "ML_DTYPES_NAMES",
    "Format",
    "NanStyle",
    "Rounding",
    "as_format",
    "as_ml_dtypes",
    "as_rounding",
    "cast",
    "code_dtype",
    "decode",
    "encode",
    "format_names",
    "from_ml_dtypes",
    "get_format",
    "p3109",
    "pack",
    "unpack",
]
