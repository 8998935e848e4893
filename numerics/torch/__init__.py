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
from .circulant import (
    CirculantAdapter,
    CirculantDiagonalAdapter,
    block_circulant_matrix,
    circulant_projection,
)
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
    "CirculantConfig",
    "CirculantDiagonalAdapter",
    "LowPrecisionOptimizer",
    "Operand",
    "Product",
    "QuantConv2d",
    "QuantLinear",
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
    "load_circulant",
    "load_circulant_state_dict",
    "merge_circulant",
    "quantize",
    "quantize_model",
    "quantize_mx",
    "quantize_nvfp4",
    "quantize_ternary",
    "rdfft_",
    "recipes",
    "remove_circulant",
    "save_circulant",
    "unmerge_circulant",
]
