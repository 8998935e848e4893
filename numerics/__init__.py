"""numerics: emulate and analyse low-precision arithmetic on the CPU.

The public API is re-exported here: :mod:`numerics.formats` (number formats, rounding)
and :mod:`numerics.scaled` (MX, NVFP4, ints, ternary, ...) at the top level, and the
sub-packages :mod:`numerics.arith`
(emulated arithmetic), :mod:`numerics.analysis` (error metrics, bounds, reports)
and :mod:`numerics.transforms` (in-place rdFFT, DCT and Hadamard transforms, native
or emulated, with exact error tracking).
Importing numerics never imports torch.
"""

from . import analysis, arith, scaled, transforms
from .analysis import ErrorReport
from .formats import *  # noqa: F403
from .formats import __all__ as _formats_all
from .scaled import *  # noqa: F403
from .scaled import __all__ as _scaled_all

__version__ = "0.1.0"

__all__ = [
    *_formats_all,
    *_scaled_all,
    "ErrorReport",
    "__version__",
    "analysis",
    "arith",
    "scaled",
    "transforms",
]
