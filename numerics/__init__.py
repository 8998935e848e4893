"""numerics: emulate and analyse low-precision arithmetic on the CPU.

The public API is re-exported here; see :mod:`numerics.formats` for number formats
and rounding. Importing numerics never imports torch.
"""

from .formats import *  # noqa: F403
from .formats import __all__ as _formats_all

__version__ = "0.1.0"

__all__ = [*_formats_all, "__version__"]
