"""Number formats and how to round into them.

:class:`Format` describes any binary floating-point format; :func:`get_format` looks
up the named ones; :func:`cast` rounds data into a format, :func:`encode` and
:func:`decode` convert to and from bit codes, with every :class:`Rounding` mode.
The scaled quantizers (MX, NVFP4, ints, ternary, ...) live in :mod:`numerics.scaled`.
"""

from .cast import cast
from .codes import code_dtype, decode, encode, pack, unpack
from .format import Format, NanStyle
from .interop import ML_DTYPES_NAMES, as_ml_dtypes, from_ml_dtypes
from .intformat import IntFormat, as_int_format
from .registry import FORMATS, as_format, format_names, get_format, p3109
from .rounding import Rounding, as_rounding

__all__ = [
    "FORMATS",
    "ML_DTYPES_NAMES",
    "Format",
    "IntFormat",
    "NanStyle",
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
    "p3109",
    "pack",
    "unpack",
]


def __getattr__(name: str):
    # The scaled quantizers moved to numerics.scaled; the old spelling keeps working.
    from .. import scaled

    if name in scaled.__all__:
        return getattr(scaled, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
