"""What cast and encode share: their arguments resolved once, and the kernels' inputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._core.containers import Container, as_float_array, container_view, use_parallel
from .._core.params import params
from .._core.random_words import seed_key
from .format import Format
from .registry import as_format
from .rounding import as_rounding


@dataclass(frozen=True)
class Prepared:
    """Checked data in its container, and the kernel inputs."""

    fmt: Format
    arr: np.ndarray  # the input as an array
    kind: str  # how to give the result back (see as_float_array)
    flat: np.ndarray  # contiguous flat container data
    container: Container
    P: np.ndarray
    key: np.uint64 | None  # None for the deterministic modes (see _core.random_words.word)
    parallel: bool


def prepare(
    x,
    fmt,
    rounding,
    *,
    saturate: bool,
    subnormals: bool,
    seed,
    sr_bits: int | None,
) -> Prepared:
    """Check every argument (raising before anything is written) and build the
    kernels' inputs."""
    fmt = as_format(fmt)
    mode = as_rounding(rounding)
    arr, kind = as_float_array(x)
    flat, cont = container_view(arr)
    P = params(fmt, mode, saturate=saturate, subnormals=subnormals, sr_bits=sr_bits, container=cont)
    key = np.uint64(seed_key(seed)) if mode.is_stochastic else None
    return Prepared(fmt, arr, kind, flat, cont, P, key, use_parallel(flat.size))
