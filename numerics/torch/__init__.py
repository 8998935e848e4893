"""The PyTorch bridge: numerics' casts, fake quantizers and transforms as PyTorch
custom operators (``torch.ops.numerics.*``) with autograd, for quantization-aware
training and low-precision training emulated on the CPU.

Importing this module imports torch; ``import numerics`` never does.
"""

from .functional import (
    cast,
    counter_seed,
    fwht,
    irdfft_,
    quantize_mx,
    quantize_nvfp4,
    quantize_ternary,
    rdfft_,
)

__all__ = [
    "cast",
    "counter_seed",
    "fwht",
    "irdfft_",
    "quantize_mx",
    "quantize_nvfp4",
    "quantize_ternary",
    "rdfft_",
]
