"""The PyTorch bridge: numerics' casts, fake quantizers and transforms as PyTorch
custom operators (``torch.ops.numerics.*``) with autograd, for quantization-aware
training and low-precision training emulated on the CPU.

Importing this module imports torch; ``import numerics`` never does.
"""

from . import recipes
from .attention import QuantMultiheadAttention
from .circulant import CirculantAdapter, block_circulant_matrix
from .convert import QuantizationReport, dequantize_model, quantize_model
from .distributed import rank_seed
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
    QuantConv1d,
    QuantConv2d,
    QuantLinear,
    collect_stats,
    export_codes,
    is_quantized,
    quant_matmul,
)
from .optim import LowPrecisionOptimizer
from .recipes import Operand, Product, Recipe

__all__ = [
    "CirculantAdapter",
    "LowPrecisionOptimizer",
    "Operand",
    "Product",
    "QuantConv1d",
    "QuantConv2d",
    "QuantLinear",
    "QuantMultiheadAttention",
    "QuantizationReport",
    "Recipe",
    "block_circulant_matrix",
    "cast",
    "collect_stats",
    "counter_seed",
    "dequantize_model",
    "export_codes",
    "fwht",
    "irdfft_",
    "is_quantized",
    "quant_matmul",
    "quantize",
    "quantize_model",
    "quantize_mx",
    "quantize_nvfp4",
    "quantize_ternary",
    "rank_seed",
    "rdfft_",
    "recipes",
]
