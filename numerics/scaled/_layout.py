"""Where the scales of a scaled quantization apply: one per tensor, per channel or per
block, and the 2-D row-block view of the data that the kernels work on."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

GRANULARITIES = ("tensor", "channel", "block")


def _axis(axis, ndim: int, what: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{what}={axis} is out of range for an array of {ndim} dimensions")
    return int(axis) % ndim


@dataclass(frozen=True)
class Layout:
    """How scales map onto an array of ``shape``.

    ``tensor``: one scale. ``channel``: one per index along ``axis`` (scales shaped like
    the data with every other axis of length 1). ``block``: blocks of ``block_size``
    consecutive elements along ``axis`` (the last one may be short: it is padded, in
    storage, to a whole block); scales shaped like the data with ``axis`` shortened to
    the number of blocks.
    """

    shape: tuple[int, ...]
    granularity: str
    axis: int | None = None
    block_size: int | None = None

    @classmethod
    def make(
        cls,
        shape: tuple[int, ...],
        *,
        axis: int | None = None,
        block_size: int | None = None,
        channel_axis: int | None = None,
    ) -> Layout:
        """Check the arguments and build the layout they describe."""
        ndim = len(shape)
        if channel_axis is not None:
            if block_size is not None or axis is not None:
                raise ValueError("pass either channel_axis, or axis/block_size, not both")
            if ndim == 0:
                raise ValueError("per-channel scales need an array with at least one axis")
            return cls(shape, "channel", _axis(channel_axis, ndim, "channel_axis"))
        if block_size is None and axis is None:
            return cls(shape, "tensor")
        if ndim == 0:
            raise ValueError("block scales need an array with at least one axis")
        a = _axis(-1 if axis is None else axis, ndim, "axis")
        if block_size is None:
            block_size = max(shape[a], 1)
        if isinstance(block_size, bool) or not isinstance(block_size, numbers.Integral):
            raise TypeError(f"block_size must be an int, got {block_size!r}")
        if not 1 <= block_size <= 2**62:  # block offsets are int64 in the kernels
            raise ValueError(f"block_size must be in 1..2**62, got {block_size}")
        return cls(shape, "block", a, int(block_size))

    # ----- the kernels' 2-D view -------------------------------------------------------
    def _moved_shape(self) -> tuple[int, ...]:
        s = list(self.shape)
        if self.granularity == "channel":
            return (s.pop(self.axis), *s)
        if self.granularity == "block":
            return (*s[: self.axis], *s[self.axis + 1 :], s[self.axis])
        return tuple(s)

    @property
    def row_shape(self) -> tuple[int, int]:
        """Shape of the 2-D view: rows, and elements per row."""
        size = int(np.prod(self.shape, dtype=np.int64))
        if self.granularity == "channel":
            rows = self.shape[self.axis]
        elif self.granularity == "block":
            n = self.shape[self.axis]
            return (size // n if n else 0, n)
        else:
            rows = size // self.shape[-1] if self.shape and self.shape[-1] else min(size, 1)
        return (rows, size // rows if rows else 0)

    @property
    def bs(self) -> int:
        """Elements per block in the 2-D view (a whole row for tensor and channel)."""
        return self.block_size if self.granularity == "block" else max(self.row_shape[1], 1)

    @property
    def nblk(self) -> int:
        """Blocks per row of the 2-D view."""
        n = self.row_shape[1]
        return -(-n // self.bs) if self.granularity == "block" else 1

    @property
    def padded_size(self) -> int:
        """Elements in storage, with the last block of each row padded."""
        rows, n = self.row_shape
        return rows * self.nblk * self.bs if self.granularity == "block" else rows * n

    def rows(self, x: np.ndarray) -> np.ndarray:
        """``x`` as the kernels' C-contiguous 2-D view (a copy only when needed)."""
        if self.granularity == "channel":
            x = np.moveaxis(x, self.axis, 0)
        elif self.granularity == "block":
            x = np.moveaxis(x, self.axis, -1)
        return np.ascontiguousarray(x).reshape(self.row_shape)

    def unrows(self, a2: np.ndarray) -> np.ndarray:
        """Undo :meth:`rows`: a C-contiguous array of the data's shape."""
        a = a2.reshape(self._moved_shape())
        if self.granularity == "channel":
            a = np.moveaxis(a, 0, self.axis)
        elif self.granularity == "block":
            a = np.moveaxis(a, -1, self.axis)
        return np.ascontiguousarray(a)

    # ----- scales ----------------------------------------------------------------------
    @property
    def scales_shape(self) -> tuple[int, ...]:
        """Shape of the scales array."""
        if self.granularity == "tensor":
            return (1,) * len(self.shape)
        if self.granularity == "channel":
            return tuple(n if i == self.axis else 1 for i, n in enumerate(self.shape))
        return tuple(self.nblk if i == self.axis else n for i, n in enumerate(self.shape))

    def scales_from_blocks(self, s2: np.ndarray) -> np.ndarray:
        """Per-(row, block) values as an array of :attr:`scales_shape`."""
        if self.granularity == "tensor":
            v = s2.reshape(-1)[:1] if s2.size else np.ones(1, s2.dtype)
            return v.reshape(self.scales_shape)
        if self.granularity == "channel":
            return s2.reshape(self.scales_shape)
        moved = (*self._moved_shape()[:-1], self.nblk)
        return np.ascontiguousarray(np.moveaxis(s2.reshape(moved), -1, self.axis))

    def scales_to_blocks(self, s: np.ndarray) -> np.ndarray:
        """Scales of :attr:`scales_shape` as a C-contiguous (rows, blocks) array."""
        rows = self.row_shape[0]
        if self.granularity == "tensor":
            return np.full((rows, 1), s.reshape(-1)[0], dtype=s.dtype)
        if self.granularity == "channel":
            return np.ascontiguousarray(s.reshape(rows, 1))
        return np.ascontiguousarray(np.moveaxis(s, self.axis, -1)).reshape(rows, self.nblk)

    def describe(self) -> str:
        """A short phrase: 'per tensor', 'per channel (axis 0)', 'blocks of 32 (axis 1)'."""
        if self.granularity == "tensor":
            return "per tensor"
        if self.granularity == "channel":
            return f"per channel (axis {self.axis})"
        return f"blocks of {self.block_size} (axis {self.axis})"
