"""numerics: emulate and analyse low-precision arithmetic on the CPU.

The public API is re-exported here: :mod:`numerics.formats` (number formats, rounding)
and :mod:`numerics.scaled` (MX, NVFP4, ints, ternary, ...) at the top level, and the
sub-packages :mod:`numerics.arith`
(emulated arithmetic), :mod:`numerics.analysis` (error metrics, bounds, reports)
and :mod:`numerics.transforms` (in-place rdFFT, DCT and Hadamard transforms, native
or emulated, with exact error tracking).
Importing numerics never imports torch.
"""

import importlib
from typing import TYPE_CHECKING

from . import scaled
from .formats import *  # noqa: F403
from .formats import __all__ as _formats_all
from .scaled import *  # noqa: F403
from .scaled import __all__ as _scaled_all

if TYPE_CHECKING:  # imported on first access (__getattr__ below)
    from . import analysis, arith, transforms
    from .analysis import ErrorReport

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

# Imported on first access: a cast or a quantizer does not pay for the reports, the
# emulated arithmetic or the transforms (and their many kernel definitions).
_LAZY_MODULES = ("analysis", "arith", "transforms")
_LAZY_NAMES = {"ErrorReport": "analysis"}


def __getattr__(name: str):
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
