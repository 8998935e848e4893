"""The PyTorch bridge: numerics' casts, fake quantizers and transforms as PyTorch
custom operators (``torch.ops.numerics.*``) with autograd, for quantization-aware
training and low-precision training emulated on the CPU.

Importing this module imports torch; ``import numerics`` never does.
"""

from . import recipes
from .circulant import CirculantAdapter, block_circulant_matrix
from .functional import (
    cast,
    counter_seed,
    fwht,
    irdfft_,
    quantize,
    quantize_mx,
    quantize_nvfp4,
    quantize_ternary,
    rdfft_,
)
from .layers import (
    QuantConv2d,
    QuantLinear,
    collect_stats,
    dequantize_model,
    export_codes,
    quantize_model,
)
from .optim import LowPrecisionOptimizer
from .recipes import Operand, Product, Recipe

__all__ = [
    "CirculantAdapter",
    "LowPrecisionOptimizer",
    "Operand",
    "Product",
    "QuantConv2d",
    "QuantLinear",
    "Recipe",
    "block_circulant_matrix",
    "cast",
    "collect_stats",
    "counter_seed",
    "dequantize_model",
    "export_codes",
    "fwht",
    "irdfft_",
    "quantize",
    "quantize_model",
    "quantize_mx",
    "quantize_nvfp4",
    "quantize_ternary",
    "rdfft_",
    "recipes",
]
