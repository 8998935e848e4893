"""Which kernels an op runs, and the pure-torch entry points with the ops' arguments.

CPU tensors run numba's kernels on the tensor's own memory; tensors on any other
device (CUDA, ``meta`` inside the fake implementations' callers, ...) run the pure-torch
transcriptions of :mod:`numerics.torch._torch_cast`, :mod:`~numerics.torch._torch_scaled`
and :mod:`~numerics.torch._torch_transforms`, which give the same bits.
:func:`force_torch_kernels` sends CPU tensors down the pure-torch path too, so the CPU
tests exercise exactly the code a GPU runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from torch import Tensor

from . import _torch_scaled, _torch_transforms

_FORCED = [False]


def use_torch_kernels(x: Tensor) -> bool:
    """Whether an op on ``x`` takes the pure-torch path: off the CPU, or when forced."""
    return _FORCED[0] or x.device.type != "cpu"


@contextlib.contextmanager
def force_torch_kernels(on: bool = True) -> Iterator[None]:
    """Within the block, every op runs its pure-torch kernels, CPU tensors included
    (a testing switch; not thread-safe: it is one flag for the process).

    Examples
    --------
    >>> import torch, numerics.torch as nt
    >>> with force_torch_kernels():
    ...     nt.quantize_mx(torch.tensor([1.0, 2.9, -7.0, 0.1]), "e2m1", block_size=4).tolist()
    [1.0, 3.0, -6.0, 0.0]
    """
    old = _FORCED[0]
    _FORCED[0] = bool(on)
    try:
        yield
    finally:
        _FORCED[0] = old


def _seed(seed: Tensor | None) -> int | None:
    if seed is None:
        return None
    s = int(seed)
    return None if s < 0 else s


def quantize_mx(x, elem, block_size, axis, scale_mode, rounding, seed) -> Tensor:
    return _torch_scaled.quantize_mx(
        x, elem, block_size=block_size, axis=axis, scale_mode=scale_mode, rounding=rounding,
        seed=_seed(seed),
    )  # fmt: skip


def quantize_nvfp4(x, axis, block_rows, tensor_scale_max, scale_selection, rounding, seed):
    return _torch_scaled.quantize_nvfp4(
        x,
        axis=axis,
        block_shape=(block_rows, 16),
        tensor_scale_max=tensor_scale_max,
        scale_selection=scale_selection,
        rounding=rounding,
        seed=_seed(seed),
    )


def quantize_ternary(x, channel_axis) -> Tensor:
    # the op has checked the axis (None: one scale for the tensor)
    return _torch_scaled.quantize_ternary(x, channel_axis=channel_axis)


def quantize_scaled(x, elem, axis, block_size, channel_axis, symmetric, rounding, seed):
    return _torch_scaled.quantize(
        x,
        elem,
        axis=axis,
        block_size=block_size or None,
        channel_axis=channel_axis,
        symmetric=symmetric,
        rounding=rounding,
        seed=_seed(seed),
    )


def fwht(x, normalize, signs, block) -> Tensor:
    return _torch_transforms.fwht(x, normalize, signs, block if block and block > 0 else None)


def rdfft_(x, inverse: bool) -> None:
    _torch_transforms.rdfft_(x, inverse)
