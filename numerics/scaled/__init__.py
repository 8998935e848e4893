"""Block and scaled quantization: MX, NVFP4, block floating point, integers, fixed
point, ternary and the {+-1, +-i} codebook.

Every quantizer returns a :class:`Quantized`: element codes shaped like the data,
plus the scales (per tensor, per channel or per block along any axis) and what is
needed to dequantize them exactly.
"""

from .discrete import TERNARY, quantize_pm1i, quantize_ternary
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
from .scaling import quantize, quantize_fixed, quantize_int

__all__ = [
    "MXINT8",
    "MX_ELEMENTS",
    "PM1I",
    "SCALE_MODES",
    "TERNARY",
    "Quantized",
    "mx_scale_exponents",
    "quantize",
    "quantize_bfp",
    "quantize_fixed",
    "quantize_int",
    "quantize_mx",
    "quantize_nvfp4",
    "quantize_pm1i",
    "quantize_ternary",
]
