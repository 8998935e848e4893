"""The PyTorch bridge: numerics' casts, fake quantizers and transforms as PyTorch
custom operators (``torch.ops.numerics.*``) with autograd, for quantization-aware
training and low-precision training emulated on the CPU.

Importing this module imports torch; ``import numerics`` never does.
"""

from . import recipes
from .adapters import (
    CirculantConfig,
    circulant_parameter_groups,
    circulant_state_dict,
    get_circulant_model,
    load_circulant,
    load_circulant_state_dict,
    merge_circulant,
    remove_circulant,
    save_circulant,
    unmerge_circulant,
)
from .attention import QuantMultiheadAttention
from .circulant import (
    CirculantAdapter,
    CirculantDiagonalAdapter,
    block_circulant_matrix,
    circulant_projection,
)
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
from .memory import peak_memory, saved_for_backward
from .optim import LowPrecisionOptimizer
from .recipes import Operand, Product, Recipe

__all__ = [
    "CirculantAdapter",
    "CirculantConfig",
    "CirculantDiagonalAdapter",
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
    "circulant_parameter_groups",
    "circulant_projection",
    "circulant_state_dict",
    "collect_stats",
    "counter_seed",
    "dequantize_model",
    "export_codes",
    "fwht",
    "get_circulant_model",
    "irdfft_",
    "is_quantized",
    "load_circulant",
    "load_circulant_state_dict",
    "merge_circulant",
    "peak_memory",
    "quant_matmul",
    "quantize",
    "quantize_model",
    "quantize_mx",
    "quantize_nvfp4",
    "quantize_ternary",
    "rank_seed",
    "rdfft_",
    "recipes",
    "remove_circulant",
    "save_circulant",
    "saved_for_backward",
    "unmerge_circulant",
]
