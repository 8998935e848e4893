"""Hardware block formats: OCP MX (MXFP8/6/4, MXINT8), generic block floating point,
and NVIDIA's NVFP4."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ..formats.cast import cast
from ..formats.format import Format
from ..formats.intformat import IntFormat
from ..formats.registry import as_format, get_format
from ..formats.rounding import Rounding
from . import _kernels
from ._layout import Layout
from .quantized import Quantized
from .scaling import block_absmax, check_element_format, encode_blocks, float_data

__all__ = [
    "FOUR_OVER_SIX_SCALE_MAX",
    "MXINT8",
    "MX_ELEMENTS",
    "SCALE_MODES",
    "SCALE_SELECTIONS",
    "mx_scale_exponents",
    "quantize_bfp",
    "quantize_mx",
    "quantize_nvfp4",
]

#: MXINT8's elements: 8-bit two's complement with an implicit 2**-6, kept symmetric.
MXINT8 = IntFormat(8, narrow=True, frac_bits=6, name="mxint8")

#: The element formats of OCP MX v1.0, by the names quantize_mx accepts.
MX_ELEMENTS: dict[str, Format | IntFormat] = {
    "float8_e4m3fn": get_format("float8_e4m3fn"),
    "float8_e5m2": get_format("float8_e5m2"),
    "float6_e2m3fn": get_format("float6_e2m3fn"),
    "float6_e3m2fn": get_format("float6_e3m2fn"),
    "float4_e2m1fn": get_format("float4_e2m1fn"),
    "int8": MXINT8,
}

#: How the shared exponent is chosen from a block's absmax (see mx_scale_exponents).
SCALE_MODES = ("floor", "ceil", "even", "rceil")

_E8M0 = get_format("float8_e8m0fnu")
_SCALE_EMAX = 127


def _emax(elem: Format | IntFormat) -> int:
    """Exponent of the element format's largest binade (emax_elem of the MX spec)."""
    return math.frexp(elem.max)[1] - 1


def mx_scale_exponents(
    amax: ArrayLike, elem: Format | IntFormat, mode: str = "floor"
) -> np.ndarray:
    """The shared exponent ``e`` (scale ``2**e``) of blocks with largest magnitude
    ``amax``, as float64 (NaN for a NaN block).

    ``floor`` (the OCP MX v1.0 rule): ``floor(log2(amax)) - emax_elem``; the block
    maximum can clip. ``ceil``: ``ceil(log2(amax)) - emax_elem``. ``even``: amax first
    rounded (half up) to the element's precision, then floor, so a maximum that would
    round into the next binade gets the larger scale. ``rceil``: the smallest ``e`` with
    ``amax <= max_elem * 2**e`` (cuBLAS and PTX; never clips). Exponents are computed
    exactly, then clamped to E8M0's range [-127, 127]; only a NaN or an Inf in the
    block makes it NaN. A block of zeros gets -127.

    The clamp at 127 is reached by finite data at the top of float32's range (MXINT8
    and block floating point, whose emax_elem is 0, under ``ceil``, ``even`` and
    ``rceil``) and by float64 data beyond it. E8M0 has no 2**128: the block keeps the
    largest scale 2**127 and its elements saturate (``stats=True`` counts them), as
    PTX's ``cvt.rp.satfinite.ue8m0x2.f32`` (cuBLAS), torchao's RCEIL and gfloat clamp.
    A NaN scale there, as microxcaling's reference code gives, would turn finite data
    into NaN: a NaN block stands for a NaN or an Inf in the data, nothing else.

    Examples
    --------
    >>> from numerics import get_format
    >>> e4m3 = get_format("float8_e4m3fn")
    >>> [float(mx_scale_exponents(957.0, e4m3, m)) for m in SCALE_MODES]
    [1.0, 2.0, 1.0, 2.0]
    """
    a = np.array(amax, dtype=np.float64, order="C")
    out = np.empty(a.shape, np.float64)
    _kernels.mx_exponents(a.reshape(-1), _mode_index(mode), _emax(elem), _mbits(elem), elem.max,
                    out.reshape(-1))  # fmt: skip
    return out


def _mode_index(mode: str) -> int:
    if mode not in SCALE_MODES:
        raise ValueError(f"scale_mode must be one of {', '.join(SCALE_MODES)}; got {mode!r}")
    return SCALE_MODES.index(mode)


def _mbits(elem: Format | IntFormat) -> int:
    """Fraction bits of the element's normal numbers (integers: below the leading bit)."""
    return elem.mbits if isinstance(elem, Format) else elem.bits - 2


def _mx(
    x: ArrayLike,
    elem: Format | IntFormat,
    block_size: int,
    axis: int,
    scale_mode: str,
    rounding: Rounding | str,
    seed,
    sr_bits: int | None,
    stats: bool,
) -> Quantized:
    data, dtype = float_data(x)
    layout = Layout.make(data.shape, axis=axis, block_size=block_size)
    mx = (_mode_index(scale_mode), _emax(elem), _mbits(elem))
    div = np.empty((layout.row_shape[0], layout.nblk))
    div[...] = 2.0**-127  # what an empty array's blocks would get
    codes, nclip, nflush = encode_blocks(
        data, elem, layout, div, None, rounding, seed, sr_bits, mx=mx, stats=stats
    )
    return Quantized(
        codes,
        layout.scales_from_blocks(div),
        elem,
        _E8M0,
        "block",
        layout.axis,
        layout.block_size,
        dtype,
        num_clipped=nclip,
        num_flushed=nflush,
    )


def quantize_mx(
    x: ArrayLike,
    elem: Format | str,
    *,
    block_size: int = 32,
    axis: int = -1,
    scale_mode: str = "floor",
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: int | np.random.Generator | None = None,
    sr_bits: int | None = None,
    stats: bool = False,
) -> Quantized:
    """OCP Microscaling (MX v1.0): blocks of ``block_size`` along ``axis`` share an E8M0
    scale ``2**e``; elements are ``v / 2**e`` rounded and saturated into ``elem``.

    Parameters
    ----------
    x : array_like
        float16, bfloat16, float32 or float64 data of any shape.
    elem : str or Format
        MXFP8 ``"e4m3"``/``"e5m2"``, MXFP6 ``"e2m3"``/``"e3m2"``, MXFP4 ``"e2m1"`` (or
        their full names), or ``"int8"`` for MXINT8; any other :class:`Format` or
        :class:`IntFormat` is accepted as a custom element format.
    block_size : int
        32 in the spec. A length along ``axis`` that is not a multiple of it leaves a
        short last block (padded in storage).
    axis : int
        The axis along which blocks run.
    scale_mode : {"floor", "ceil", "even", "rceil"}
        How the shared exponent follows from the block's absmax; see
        :func:`mx_scale_exponents`. ``floor`` is the spec's.
    rounding, seed, sr_bits
        Rounding of the elements, stochastic included, as in :func:`numerics.cast`.
    stats : bool
        Count the clipped and flushed elements (:attr:`Quantized.clipped`).

    Returns
    -------
    Quantized
        Element codes (MXINT8: int8 two's complement), E8M0 scales. A block holding a
        NaN or Inf gets the NaN scale (code 0xFF), so all of it reads back as NaN;
        finite data never make a NaN block (exponents above 127 clamp, see
        :func:`mx_scale_exponents`). The values of a block can exceed its data's
        dtype (MXFP4 at ``3e38`` under ``rceil``: 4 * 2**126 = 2**128); see
        :meth:`Quantized.dequantize` for how they read back.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([957.0, 3.0, -0.1], np.float32)
    >>> quantize_mx(x, "e4m3").dequantize().tolist()  # the spec's floor clips 957
    [896.0, 3.0, -0.1015625]
    >>> quantize_mx(x, "e4m3", scale_mode="rceil").dequantize().tolist()
    [960.0, 3.0, -0.1015625]
    """
    if isinstance(elem, str) and elem.strip().lower() in ("int8", "mxint8"):
        fmt: Format | IntFormat = MXINT8
    elif isinstance(elem, IntFormat):
        fmt = elem
    else:
        fmt = check_element_format(as_format(elem))
    return _mx(x, fmt, block_size, axis, scale_mode, rounding, seed, sr_bits, stats)


def quantize_bfp(
    x: ArrayLike,
    bits: int = 8,
    *,
    block_size: int = 16,
    axis: int = -1,
    scale_mode: str = "floor",
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: int | np.random.Generator | None = None,
    sr_bits: int | None = None,
    stats: bool = False,
) -> Quantized:
    """Block floating point: a shared exponent per block and ``bits``-wide integer
    mantissas (two's complement, symmetric), ``k * 2**(e - bits + 2)`` with
    ``|k| < 2**(bits-1)``.

    The shared exponent is the block's ``floor(log2(absmax))`` (or another
    ``scale_mode`` of :func:`mx_scale_exponents`), stored as E8M0; with ``bits=8`` and
    blocks of 32 this is MXINT8.

    Examples
    --------
    >>> q = quantize_bfp([1.0, 0.3, -0.01], 4, block_size=3)
    >>> q.codes.tolist(), q.dequantize().tolist()
    ([4, 1, 0], [1.0, 0.25, 0.0])
    """
    if not isinstance(bits, int) or isinstance(bits, bool) or not 2 <= bits <= 16:
        raise ValueError(f"bits must be an int in 2..16, got {bits!r}")
    fmt = IntFormat(bits, narrow=True, frac_bits=bits - 2, name=f"bfp{bits}")
    return _mx(x, fmt, block_size, axis, scale_mode, rounding, seed, sr_bits, stats)


_FP4 = get_format("float4_e2m1fn")
_E4M3 = get_format("float8_e4m3fn")
#: float32(448 * 6): the tensor scale makes the largest block scale 448 (e4m3's max).
_NVFP4_RANGE = _E4M3.max * _FP4.max
#: How quantize_nvfp4 picks a block's scale: its absmax onto 6, or the better of 6 and 4.
SCALE_SELECTIONS = ("max", "four_over_six")
#: Four Over Six's tensor-scale constant: the largest block scale is 256, so the block
#: scale that maps a block's absmax onto 4 (1.5 times larger, at most 384) never
#: saturates e4m3 (E4M3_MAX_FOUROVERSIX in mit-han-lab/fouroversix,
#: src/fouroversix/quantize/reference.py).
FOUR_OVER_SIX_SCALE_MAX = 256.0


def _check_block_shape(block_shape, ndim: int) -> int:
    """The rows of a (rows, 16) NVFP4 block; 2-D blocks need a 2-D array."""
    ok = (
        isinstance(block_shape, tuple | list)
        and len(block_shape) == 2
        and all(isinstance(b, int) and not isinstance(b, bool) for b in block_shape)
    )
    if not ok or block_shape[1] != 16 or block_shape[0] < 1:
        raise ValueError(f"block_shape must be (rows, 16) with rows >= 1, got {block_shape!r}")
    rows = int(block_shape[0])
    if rows > 1 and ndim != 2:
        raise ValueError(f"2-D blocks {tuple(block_shape)} need a 2-D array, got {ndim} dimensions")
    return rows


def _tiles(per_block: np.ndarray, rows: int, reduce) -> np.ndarray:
    """Reduce a (rows, blocks) array of the layout's 2-D view over groups of ``rows``
    consecutive rows (a 2-D array's other axis) and broadcast the result back: the
    values of ``rows`` x 16 tiles (the last group may be short)."""
    if rows == 1 or per_block.size == 0:
        return per_block
    r, nb = per_block.shape
    g = np.concatenate([per_block, np.zeros((-r % rows, nb))]).reshape(-1, rows, nb)
    # np.maximum, not fmax: a NaN block (NaN or Inf data) makes its tile NaN
    return np.repeat(reduce.reduce(g, axis=1), rows, axis=0)[:r]


def _block_sq_error(data: np.ndarray, q: Quantized, layout: Layout) -> np.ndarray:
    """Sum of squared errors of each (row, block) of the layout's view."""
    d = layout.rows(q.dequantize(np.float64) - data.astype(np.float64))
    r, n = d.shape
    width = layout.nblk * 16
    d = np.concatenate([d, np.zeros((r, width - n))], axis=1) if width > n else d
    return (d.reshape(r, layout.nblk, 16) ** 2).sum(axis=2)


def quantize_nvfp4(
    x: ArrayLike,
    *,
    axis: int = -1,
    block_shape: tuple[int, int] = (1, 16),
    tensor_scale: bool | float = True,
    tensor_scale_max: float | None = None,
    scale_selection: str = "max",
    scale_rounding: str = "nearest",
    min_block_scale: float | None = None,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    seed: int | np.random.Generator | None = None,
    sr_bits: int | None = None,
    stats: bool = False,
) -> Quantized:
    """NVFP4: blocks of 16 fp4 (e2m1) elements along ``axis``, each block with an e4m3
    scale, and an optional float32 scale for the tensor.

    The tensor scale is ``s_t = float32(amax / (M * 6))`` over the finite values, with
    ``M = tensor_scale_max`` (448, e4m3's largest, by default; 1 for a tensor of
    zeros); ``tensor_scale=False`` uses 1, a number uses that value. Block ``b`` gets
    ``e4m3(amax_b / 6 / s_t)``, the quotient computed exactly and rounded once: to
    nearest (``"nearest"``, as torchao) or up (``"up"``, cuDNN's rule, which never clips
    an element: the tensor scale is then rounded up to float32 too, so no block scale
    saturates); elements are ``v / (scale_b * s_t)`` rounded into e2m1. Block scales
    saturate at 448, and a nonzero block's scale is at least ``min_block_scale``: by
    default e4m3's smallest subnormal 2**-9 (torchao clamps at 2**-6, its smallest
    normal; pass ``min_block_scale=2**-6`` to match). A block of zeros gets scale 0; one
    with a NaN or Inf gets the NaN scale. ``stats=True`` counts clipped and flushed
    elements.

    Parameters
    ----------
    block_shape : (rows, 16)
        ``(16, 16)``: two-dimensional blocks of a 2-D array, 16 indices along the other
        axis by 16 along ``axis``, sharing one scale, so that the quantized transpose is
        the transpose of the quantized array (NVIDIA's NVFP4 pretraining recipe, arXiv
        2509.25149, section 4: 16x16 weight blocks, so W and W^T agree in the forward
        and backward passes). The scales are still stored per row and block (repeated
        over the tile's rows).
    tensor_scale_max : float, optional
        ``M`` above: the block scale the tensor's absmax maps to. Default 448, or
        :data:`FOUR_OVER_SIX_SCALE_MAX` (256) under ``"four_over_six"``.
    scale_selection : {"max", "four_over_six"}
        ``"max"``: the block's absmax maps onto 6. ``"four_over_six"`` (Four Over Six,
        arXiv 2512.02010): each block also tries the scale that maps its absmax onto 4
        (``e4m3(amax_b / 4 / s_t)``) and keeps the one whose round-to-nearest
        dequantized block has the smaller sum of squared errors (ties: 6), as the
        authors' reference (mit-han-lab/fouroversix, ``select_fouroversix`` with the
        default "mse" rule) does; the elements are then rounded with ``rounding``. The
        reference, under stochastic rounding, compares the stochastically rounded
        candidates instead.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(2, 18, dtype=np.float32)
    >>> q = quantize_nvfp4(x, tensor_scale=False, stats=True)  # 17 / 6 rounds to 2.75: 17 clips
    >>> q.scales.ravel().tolist(), q.dequantize()[-3:].tolist(), q.clipped
    ([2.75], [16.5, 16.5, 16.5], 0.0625)
    >>> q = quantize_nvfp4(x, tensor_scale=False, scale_rounding="up", stats=True)
    >>> q.scales.ravel().tolist(), q.dequantize()[-3:].tolist(), q.clipped
    ([3.0], [12.0, 18.0, 18.0], 0.0)
    >>> x = np.array([5.0, 2.5] + [0.0] * 14, np.float32)  # onto 4: 5 and 2.5 are exact
    >>> [quantize_nvfp4(x, tensor_scale=False, scale_selection=s).dequantize()[:2].tolist()
    ...  for s in SCALE_SELECTIONS]
    [[4.875, 2.4375], [5.0, 2.5]]
    """
    if scale_rounding not in ("nearest", "up"):
        raise ValueError(f"scale_rounding must be 'nearest' or 'up', got {scale_rounding!r}")
    if scale_selection not in SCALE_SELECTIONS:
        raise ValueError(
            f"scale_selection must be one of {', '.join(SCALE_SELECTIONS)}; got {scale_selection!r}"
        )
    data, dtype = float_data(x)
    tile_rows = _check_block_shape(block_shape, data.ndim)
    if tensor_scale_max is None:
        m = FOUR_OVER_SIX_SCALE_MAX if scale_selection == "four_over_six" else _E4M3.max
    else:
        m = float(tensor_scale_max)
        if not (math.isfinite(m) and 0 < m <= _E4M3.max):
            raise ValueError(f"tensor_scale_max must be in (0, 448], got {tensor_scale_max!r}")
    layout = Layout.make(data.shape, axis=axis, block_size=16)
    amax = _tiles(block_absmax(data, layout), tile_rows, np.maximum)
    finite = amax[np.isfinite(amax)]
    tmax = float(finite.max()) if finite.size else 0.0
    mode = Rounding.NEAREST_EVEN if scale_rounding == "nearest" else Rounding.UP
    if tensor_scale is True:
        # m * 6 is exact in float64 for any float32 m, and the quotient is rounded once
        s_t = float(cast(tmax / (m * _FP4.max), "float32", mode)) if tmax > 0 else 1.0
    elif tensor_scale is False:
        s_t = 1.0
    else:
        s_t = float(tensor_scale)
        if not (math.isfinite(s_t) and s_t > 0 and float(np.float32(s_t)) == s_t):
            raise ValueError(f"tensor_scale must be a positive float32 value, got {tensor_scale!r}")
    lo = _E4M3.min_subnormal if min_block_scale is None else float(min_block_scale)
    if not _E4M3.min_subnormal <= lo <= _E4M3.max or cast(lo, _E4M3) != lo:
        raise ValueError(f"min_block_scale must be an e4m3 value in [2**-9, 448], got {lo!r}")

    def block_scales(target: float) -> np.ndarray:
        # target * s_t is exact in float64, and the quotient's rounding into e4m3 is
        # decided exactly (see numerics.formats.scaled)
        bs = cast(amax / (target * s_t), _E4M3, mode, saturate=True)
        return np.where(amax > 0, np.maximum(bs, lo), bs)

    def encode(bs: np.ndarray, rnd, want_stats: bool) -> Quantized:
        div = np.where(bs == 0, 1.0, bs * s_t)  # a zero block's elements are all 0
        codes, nclip, nflush = encode_blocks(
            data, _FP4, layout, div, None, rnd, seed, sr_bits, stats=want_stats
        )
        return Quantized(
            codes,
            layout.scales_from_blocks(bs),
            _FP4,
            _E4M3,
            "block",
            layout.axis,
            16,
            dtype,
            tensor_scale=s_t if tensor_scale is not False else None,
            num_clipped=nclip,
            num_flushed=nflush,
        )

    bs = block_scales(_FP4.max)
    if scale_selection == "four_over_six":
        bs4 = block_scales(4.0)
        err = [
            _tiles(_block_sq_error(data, encode(b, Rounding.NEAREST_EVEN, False), layout),
                   tile_rows, np.add)
            for b in (bs, bs4)
        ]  # fmt: skip
        bs = np.where(err[1] < err[0], bs4, bs)
    return encode(bs, rounding, stats)
