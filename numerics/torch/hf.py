"""The quantized form of Hugging Face's ``transformers.pytorch_utils.Conv1D`` (GPT-2's
projections: a linear layer with the weight stored transposed, ``(in, out)``).

The class subclasses ``Conv1D``, so it is built on first use: importing this module
does not import ``transformers``. ``numerics.torch.hf.QuantHFConv1D`` names it (pickle
finds it there too).
"""

from __future__ import annotations

from torch import Tensor

from .layers import _Counters, quant_matmul
from .recipes import Recipe

__all__ = ["QuantHFConv1D"]  # noqa: F822 (built on first access, by __getattr__)


def _build() -> type:
    from transformers.pytorch_utils import Conv1D

    class QuantHFConv1D(_Counters, Conv1D):
        """``transformers.pytorch_utils.Conv1D`` (a subclass) whose three products
        follow a recipe: ``y = x W + b`` computed as ``x (W^T)^T``, the weight
        quantized along its input axis like a linear layer's.

        Examples
        --------
        >>> import torch
        >>> from transformers.pytorch_utils import Conv1D
        >>> from numerics.torch import recipes
        >>> q = QuantHFConv1D.from_conv1d(Conv1D(8, 4), recipes.fp8())
        >>> q(torch.randn(2, 3, 4)).shape
        torch.Size([2, 3, 8])
        """

        @classmethod
        def from_conv1d(
            cls, m: Conv1D, recipe: Recipe, seed: int = 0, rank_aware: bool = True
        ) -> QuantHFConv1D:
            """A QuantHFConv1D sharing ``m``'s parameters."""
            if not isinstance(m, Conv1D):
                raise TypeError(f"from_conv1d needs a transformers Conv1D, got {type(m)}")
            return cls._adopt(m, recipe, seed, rank_aware)

        def forward(self, x: Tensor) -> Tensor:
            seed, step = self._next()
            w = self.weight.t()
            return quant_matmul(x, w, self.bias, self.recipe, seed, step, self._sink())

        def quantized_weights(self) -> dict[str, Tensor]:
            return {"": self.weight.t()}

        def __repr__(self) -> str:
            return f"QuantHFConv1D(nf={self.nf}, nx={self.nx}, recipe={self.recipe.name})"

    QuantHFConv1D.__module__ = __name__
    QuantHFConv1D.__qualname__ = "QuantHFConv1D"
    return QuantHFConv1D


def __getattr__(name: str):
    if name == "QuantHFConv1D":
        cls = _build()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
