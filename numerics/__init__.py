"""numerics: emulate and analyse low-precision arithmetic on the CPU.

The public API is re-exported here; see :mod:`numerics.formats` for number formats
and rounding. Importing numerics never imports torch.
"""

from .formats import (
    FORMATS,
    ML_DTYPES_NAMES,
    Format,
    NanStyle,
    Rounding,
    as_format,
    as_ml_dtypes,
    as_rounding,
    cast,
    code_dtype,
    decode,
    encode,
    format_names,
    from_ml_dtypes,
    get_format,
    p3109,
    pack,
    unpack,
)

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "ML_DTYPES_NAMES",
    "Format",
    "NanStyle",
    "Rounding",
    "__version__",
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
