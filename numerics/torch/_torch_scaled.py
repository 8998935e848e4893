"""The scaled quantizers in pure torch operations (MX, NVFP4, scaled integers and floats,
BitNet ternary), for tensors the numba kernels cannot reach.

Each function is fake quantization (quantize, then dequantize) and follows the numba
path of :mod:`numerics.scaled` step by step, so that the results are the same bits:

- the data's 2-D row view (the blocked axis last, or the channel axis first), as
  :class:`numerics.scaled.Quantized` lays it out, so that element ``j`` of row ``r``
  draws the random word of event ``r * n + j``;
- block absmax (NaN for a block holding a NaN or an Inf), MX exponents, NVFP4 block
  and tensor scales, absmax/range scales rounded into float32, BitNet's absmean, with
  the same float64 operations in the same order (numpy's pairwise summation included,
  see :func:`pairwise_sum`);
- the quotient ``v / s`` in float64 (float64 data with a divisor that is not a power of
  two: moved to the exact quotient rounded to odd, as the kernels do), an underflow to
  zero kept as the smallest float64 of its sign;
- its rounding into the element grid by :func:`numerics.torch._torch_cast.cast_torch`
  (the transcription of :func:`numerics._core.rounding.round_one`), saturating;
- the value times its scale in float64, rounded once into the data's dtype (float32
  results saturate instead of overflowing, as :meth:`Quantized.dequantize`).

Every step is a torch operation without data-dependent Python control flow, so the
functions run on CUDA and on ``meta`` tensors (shapes only; value checks are skipped
there). They need float64 and int64 arithmetic, which MPS lacks.
"""

from __future__ import annotations

import functools
import math
import numbers

import torch
from torch import Tensor

from .. import formats, scaled
from ..formats.intformat import IntFormat
from ..formats.rounding import as_rounding
from ..scaled.scaling import as_element_format, check_element_format
from ._torch_cast import cast_torch, pow2

_TINY = 5e-324  # the smallest float64: an underflowed quotient keeps its direction
_M52 = (1 << 52) - 1
_F32 = formats.get_format("float32")
_E4M3 = formats.get_format("float8_e4m3fn")
_FP4 = formats.get_format("float4_e2m1fn")
_F32_MAX = _F32.max
SCALE_MODES = scaled.SCALE_MODES
SCALE_SELECTIONS = ("max", "four_over_six")
FOUR_OVER_SIX_SCALE_MAX = 256.0


def _work(x: Tensor) -> Tensor:
    """``x`` as float32/float64 (16-bit floats widen exactly), on its device."""
    if x.dtype in (torch.float32, torch.float64):
        return x.detach()
    if x.dtype in (torch.float16, torch.bfloat16):
        return x.detach().to(torch.float32)
    raise TypeError(f"expected a floating-point tensor, got {x.dtype}")


def _div(a: Tensor, b: float) -> Tensor:
    """``a / b`` for a Python number ``b``, divided on ``a``'s device: CUDA replaces a
    division by a host scalar with a multiplication by its reciprocal (another rounding)."""
    return a / a.new_full((), b)


def _has_values(x: Tensor) -> bool:
    """Whether ``x``'s values can be read (value checks are skipped on ``meta``)."""
    return x.device.type != "meta"


# --- the row view -------------------------------------------------------------------


def _axis(axis, ndim: int, what: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{what}={axis} is out of range for an array of {ndim} dimensions")
    return int(axis) % ndim


class _Rows:
    """The 2-D row view of :class:`numerics.scaled.Quantized`'s layout, for tensors:
    ``tensor`` (rows of the last axis), ``channel`` (one row per index along ``axis``)
    or ``block`` (rows along ``axis``, cut into blocks of ``bs``)."""

    def __init__(self, shape, granularity: str, axis: int | None = None, bs: int | None = None):
        self.shape, self.granularity, self.axis = tuple(shape), granularity, axis
        size = math.prod(self.shape)
        if granularity == "channel":
            rows = self.shape[axis]
            self.row_shape = (rows, size // rows if rows else 0)
        elif granularity == "block":
            n = self.shape[axis]
            self.row_shape = (size // n if n else 0, n)
        else:
            rows = size // self.shape[-1] if self.shape and self.shape[-1] else min(size, 1)
            self.row_shape = (rows, size // rows if rows else 0)
        n = self.row_shape[1]
        self.bs = bs if granularity == "block" else max(n, 1)
        self.nblk = -(-n // self.bs) if granularity == "block" else 1

    @classmethod
    def make(cls, shape, *, axis=None, block_size=None, channel_axis=None) -> _Rows:
        """As :meth:`numerics.scaled._layout.Layout.make`, with its checks and messages."""
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
        if not 1 <= block_size <= 2**62:
            raise ValueError(f"block_size must be in 1..2**62, got {block_size}")
        return cls(shape, "block", a, int(block_size))

    def rows(self, x: Tensor) -> Tensor:
        if self.granularity == "channel":
            x = x.movedim(self.axis, 0)
        elif self.granularity == "block":
            x = x.movedim(self.axis, -1)
        return x.contiguous().reshape(self.row_shape)

    def unrows(self, a2: Tensor) -> Tensor:
        s = list(self.shape)
        if self.granularity == "channel":
            a = a2.reshape(s.pop(self.axis), *s).movedim(0, self.axis)
        elif self.granularity == "block":
            n = s.pop(self.axis)
            a = a2.reshape(*s, n).movedim(-1, self.axis)
        else:
            a = a2.reshape(self.shape)
        return a.contiguous()

    def blocks(self, a2: Tensor, fill: float = 0.0) -> Tensor:
        """``(rows, n)`` as ``(rows, nblk, block)``, the last block padded with ``fill``."""
        r, n = a2.shape
        if self.nblk <= 1:
            return a2.reshape(r, 1, n)
        pad = self.nblk * self.bs - n
        if pad:
            a2 = torch.cat([a2, a2.new_full((r, pad), fill)], dim=1)
        return a2.reshape(r, self.nblk, self.bs)

    def per_element(self, b: Tensor) -> Tensor:
        """Per-(row, block) values ``(rows, nblk)`` repeated over their blocks' elements."""
        r, n = self.row_shape
        if self.nblk <= 1:
            return b[:, :1].expand(r, n)
        return b.unsqueeze(-1).expand(r, self.nblk, self.bs).reshape(r, -1)[:, :n]


def block_absmax(x2: Tensor, lay: _Rows) -> Tensor:
    """Largest magnitude (float64) of each (row, block); NaN where the block holds a NaN
    or an Inf (:func:`numerics.scaled._kernels.block_absmax`)."""
    if x2.shape[1] == 0:
        return x2.new_zeros((x2.shape[0], lay.nblk), dtype=torch.float64)
    a = lay.blocks(x2.abs()).amax(dim=-1).to(torch.float64)  # amax propagates NaN
    return torch.where(torch.isinf(a), torch.nan, a)


# --- numpy's summation order ------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _pairwise_plan(n: int):
    """The tree of numpy's pairwise summation of ``n`` numbers (``pairwise_sum`` in
    numpy's ``loops_utils.h``): leaves of at most 128 (summed with 8 accumulators, or
    one below 8), each inner node splitting at half rounded down to a multiple of 8.
    Returns the leaves by size, and the inner nodes by height (for one batched add
    per height)."""
    leaves: dict[int, list[tuple[int, int]]] = {}
    inner: dict[int, list[tuple[int, int, int]]] = {}
    count = [0]

    def node(lo: int, m: int) -> tuple[int, int]:
        i = count[0]
        count[0] += 1
        if m <= 128:
            leaves.setdefault(m, []).append((i, lo))
            return i, 0
        m2 = m // 2
        m2 -= m2 % 8
        (a, ha), (b, hb) = node(lo, m2), node(lo + m2, m - m2)
        h = max(ha, hb) + 1
        inner.setdefault(h, []).append((i, a, b))
        return i, h

    node(0, n)
    return count[0], leaves, [inner[h] for h in sorted(inner)]


def _leaf_sums(x: Tensor) -> Tensor:
    """numpy's sum of each row of ``x`` (``(..., m)``, ``m <= 128``) in its order."""
    m = x.shape[-1]
    if m < 8:
        res = torch.zeros_like(x[..., 0])
        for i in range(m):
            res = res + x[..., i]
        return res
    r = x[..., :8]
    i = 8
    while i < m - (m % 8):
        r = r + x[..., i : i + 8]
        i += 8
    res = ((r[..., 0] + r[..., 1]) + (r[..., 2] + r[..., 3])) + (
        (r[..., 4] + r[..., 5]) + (r[..., 6] + r[..., 7])
    )
    for j in range(i, m):
        res = res + x[..., j]
    return res


def pairwise_sum(a2: Tensor) -> Tensor:
    """The sum of each row of ``a2`` (``(rows, n)``) as ``numpy.sum(axis=1)`` computes it
    on a C-contiguous float64 array: the same additions in the same order, batched."""
    rows, n = a2.shape
    if n <= 128:
        return _leaf_sums(a2)
    total, leaves, heights = _pairwise_plan(n)
    vals = a2.new_zeros((rows, total))
    dev = a2.device
    for m, items in leaves.items():
        ids = torch.tensor([i for i, _ in items], device=dev)
        idx = torch.tensor([lo for _, lo in items], device=dev)[:, None] + torch.arange(
            m, device=dev
        )
        vals[:, ids] = _leaf_sums(a2[:, idx])
    for items in heights:
        ids, a, b = (torch.tensor(c, device=dev) for c in zip(*items, strict=True))
        vals[:, ids] = vals[:, a] + vals[:, b]
    return vals[:, 0]


# --- element rounding and dequantization ----------------------------------------------


def _two_prod_dekker(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """:func:`numerics._core.eft.two_prod_dekker`, elementwise (no fused multiply-add)."""
    p = a * b

    def split(v):
        c = 134217729.0 * v
        hi = c - (c - v)
        return hi, v - hi

    ah, al = split(a)
    bh, bl = split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _to_odd(hi: Tensor, lo: Tensor) -> Tensor:
    """:func:`numerics._core.rounding.to_odd`, elementwise."""
    keep = (lo == 0) | torch.isnan(hi) | torch.isinf(hi)
    toward = torch.where((lo > 0) != (hi > 0), torch.nextafter(hi, torch.zeros_like(hi)), hi)
    odd = (toward.view(torch.int64) | 1).view(torch.float64)
    return torch.where(keep, hi, odd)


def _quotients(x2: Tensor, div_e: Tensor) -> Tensor:
    """``x / s`` in float64 per element (``div_e``: each element's divisor; NaN marks a
    NaN block, whose quotients are 0), as :func:`numerics.scaled._kernels._row_quotients`."""
    v = x2.to(torch.float64)
    q = v / div_e  # a power of two: exact, as the kernels' multiplication by 1 / s
    if x2.dtype == torch.float64:
        sb = div_e.view(torch.int64)
        pow2_s = ((sb & _M52) == 0) & ((sb >> 52) > 0)
        p, e = _two_prod_dekker(q, div_e)
        d = (v - p) - e
        moved = _to_odd(q, d / div_e)
        mid = (v.abs() > 2.0**-900) & (v.abs() < 2.0**900)
        q = torch.where(pow2_s | ~mid, q, moved)
    q = torch.where(torch.isnan(div_e), 0.0, q)
    tiny = torch.where(v > 0, _TINY, -_TINY)
    return torch.where((q == 0) & (v != 0), tiny, q)


def _grid(elem):
    return elem.grid() if isinstance(elem, IntFormat) else elem


def _dequantized(
    x2: Tensor,
    elem,
    lay: _Rows,
    div: Tensor,
    scale: Tensor,
    zp: Tensor | None,
    rounding,
    seed,
    out_dtype: torch.dtype,
    stats: bool = False,
):
    """The rows ``x2`` divided by their blocks' ``div`` (float64 ``(rows, nblk)``, NaN:
    a NaN block), rounded into ``elem`` (saturating), then read back as element times
    ``scale`` (minus zero points ``zp`` first) in float64, rounded into ``out_dtype``.
    With ``stats``, also the number of clipped elements."""
    div_e = lay.per_element(div)
    q = _quotients(x2, div_e)
    mode = as_rounding(rounding)
    r = cast_torch(q, _grid(elem), mode, saturate=True, seed=seed if mode.is_stochastic else 0)
    scale_e = lay.per_element(scale)
    if isinstance(elem, IntFormat):
        z = 0 if zp is None else lay.per_element(zp)
        mag = (r * 2.0**elem.frac_bits).to(torch.int64)  # the grid's signed integer
        code = torch.clamp(mag + z, elem.qmin, elem.qmax)
        v = (code - z).to(torch.float64) * (elem.quantum * scale_e)
        lo, hi, invq = elem.qmin, elem.qmax, 2.0**elem.frac_bits
    else:
        z = 0
        v = r * scale_e
        lo, hi, invq = elem.min, elem.max, 1.0
    v = torch.where(torch.isnan(div_e), torch.nan, v)
    if out_dtype == torch.float32:
        big = torch.isfinite(v) & (v.abs() > _F32_MAX)  # saturate, as dequantize() does
        v = torch.where(big, torch.where(v > 0, _F32_MAX, -_F32_MAX), v)
    v = v.to(out_dtype)
    if not stats:
        return v
    t = q * invq + z
    return v, ((t > hi) | (t < lo)).sum()


def _empty(x: Tensor, stats: bool):
    out = torch.empty_like(x, memory_format=torch.contiguous_format)
    return (out, out.new_zeros((), dtype=torch.int64)) if stats else out


def _finish(v2: Tensor, lay: _Rows, like: Tensor) -> Tensor:
    return lay.unrows(v2).to(like.dtype)


# --- MX ---------------------------------------------------------------------------------


def _mx_element(elem):
    if isinstance(elem, str) and elem.strip().lower() in ("int8", "mxint8"):
        return scaled.MXINT8
    if isinstance(elem, IntFormat):
        return elem
    return check_element_format(formats.as_format(elem))


def _elem_emax(elem) -> int:
    return math.frexp(elem.max)[1] - 1


def _elem_mbits(elem) -> int:
    return elem.mbits if isinstance(elem, formats.Format) else elem.bits - 2


def mx_exponents(a: Tensor, mode: str, elem) -> Tensor:
    """:func:`numerics.scaled.mx_scale_exponents` of float64 absmaxes ``a`` (int64; a
    NaN block's is undefined, see the mask ``~isfinite(a)``)."""
    if mode not in SCALE_MODES:
        raise ValueError(f"scale_mode must be one of {', '.join(SCALE_MODES)}; got {mode!r}")
    f, k = torch.frexp(a)  # a = f * 2**k exactly, f in [0.5, 1): subnormals included
    E = k.to(torch.int64) - 1  # floor(log2(a))
    if mode == "ceil":
        E = E + (f != 0.5).to(torch.int64)
    elif mode == "even":
        # the fraction field at least 2**52 - 2**(51 - mbits): a rounds up a binade
        E = E + (f >= 1.0 - 2.0 ** -(_elem_mbits(elem) + 2)).to(torch.int64)
    e = E - _elem_emax(elem)
    if mode == "rceil":
        e = e + (a > elem.max * pow2(e.clamp(-1074, 1023))).to(torch.int64)
    e = torch.where(a == 0, -127, e.clamp(-127, 127))
    return torch.where(torch.isfinite(a), e, 0)


def quantize_mx(
    x: Tensor,
    elem="e2m1",
    *,
    block_size: int = 32,
    axis: int = -1,
    scale_mode: str = "floor",
    rounding="nearest_even",
    seed: int | None = None,
    stats: bool = False,
):
    """:func:`numerics.quantize_mx` then dequantize, in torch operations (see the module
    docstring); ``stats``: also the number of clipped elements."""
    fmt = _mx_element(elem)
    if scale_mode not in SCALE_MODES:
        raise ValueError(f"scale_mode must be one of {', '.join(SCALE_MODES)}; got {scale_mode!r}")
    mode = as_rounding(rounding)
    w = _work(x)
    lay = _Rows.make(tuple(w.shape), axis=axis, block_size=block_size)
    if w.numel() == 0:
        return _empty(x, stats)
    x2 = lay.rows(w)
    amax = block_absmax(x2, lay)
    div = torch.where(torch.isfinite(amax), pow2(mx_exponents(amax, scale_mode, fmt)), torch.nan)
    out = _dequantized(x2, fmt, lay, div, div, None, mode, seed, w.dtype, stats)
    if stats:
        return _finish(out[0], lay, x), out[1]
    return _finish(out, lay, x)


# --- NVFP4 ------------------------------------------------------------------------------


def _tiles(per_block: Tensor, rows: int, op: str) -> Tensor:
    """numerics.scaled.mx._tiles: reduce groups of ``rows`` consecutive rows of a
    ``(rows, blocks)`` array, broadcast back; ``"max"`` (NaN propagates) or ``"sum"``
    in numpy's order (pairwise over a lone column, else row after row)."""
    if rows == 1 or per_block.numel() == 0:
        return per_block
    r, nb = per_block.shape
    pad = -r % rows
    g = torch.cat([per_block, per_block.new_zeros((pad, nb))]).reshape(-1, rows, nb)
    if op == "max":
        red = g.amax(dim=1)
    elif nb == 1:
        red = pairwise_sum(g[:, :, 0])[:, None]
    else:
        red = g[:, 0]
        for i in range(1, rows):
            red = red + g[:, i]
    return red.repeat_interleave(rows, dim=0)[:r]


def _block_sq_error(v2: Tensor, x2: Tensor, lay: _Rows) -> Tensor:
    """Per (row, block): the sum of squared errors of the dequantized rows ``v2``
    (float64), 16 per block (padded with zeros), in numpy's order."""
    d = v2 - x2.to(torch.float64)
    r, n = d.shape
    width = lay.nblk * 16
    if width > n:
        d = torch.cat([d, d.new_zeros((r, width - n))], dim=1)
    d = d.reshape(r, lay.nblk, 16)
    return _leaf_sums(d * d)


def quantize_nvfp4(
    x: Tensor,
    *,
    axis: int = -1,
    block_shape: tuple[int, int] = (1, 16),
    tensor_scale: bool | float = True,
    tensor_scale_max: float | None = None,
    scale_selection: str = "max",
    scale_rounding: str = "nearest",
    min_block_scale: float | None = None,
    rounding="nearest_even",
    seed: int | None = None,
    stats: bool = False,
):
    """:func:`numerics.quantize_nvfp4` then dequantize, in torch operations (see the
    module docstring); ``stats``: also the number of clipped elements."""
    if scale_rounding not in ("nearest", "up"):
        raise ValueError(f"scale_rounding must be 'nearest' or 'up', got {scale_rounding!r}")
    if scale_selection not in SCALE_SELECTIONS:
        raise ValueError(
            f"scale_selection must be one of {', '.join(SCALE_SELECTIONS)}; got {scale_selection!r}"
        )
    w = _work(x)
    ok = (
        isinstance(block_shape, tuple | list)
        and len(block_shape) == 2
        and all(isinstance(b, int) and not isinstance(b, bool) for b in block_shape)
    )
    if not ok or block_shape[1] != 16 or block_shape[0] < 1:
        raise ValueError(f"block_shape must be (rows, 16) with rows >= 1, got {block_shape!r}")
    tile_rows = int(block_shape[0])
    if tile_rows > 1 and w.dim() != 2:
        raise ValueError(
            f"2-D blocks {tuple(block_shape)} need a 2-D array, got {w.dim()} dimensions"
        )
    if tensor_scale_max is None:
        m = FOUR_OVER_SIX_SCALE_MAX if scale_selection == "four_over_six" else _E4M3.max
    else:
        m = float(tensor_scale_max)
        if not (math.isfinite(m) and 0 < m <= _E4M3.max):
            raise ValueError(f"tensor_scale_max must be in (0, 448], got {tensor_scale_max!r}")
    lay = _Rows.make(tuple(w.shape), axis=axis, block_size=16)
    if w.numel() == 0:
        return _empty(x, stats)
    x2 = lay.rows(w)
    amax = _tiles(block_absmax(x2, lay), tile_rows, "max")
    tmax = torch.where(torch.isfinite(amax), amax, 0.0).amax()
    smode = "nearest_even" if scale_rounding == "nearest" else "up"
    if tensor_scale is True:
        q_t = cast_torch(_div(tmax, m * _FP4.max).reshape(1), _F32, smode, saturate=False, seed=0)
        s_t = torch.where(tmax > 0, q_t[0], 1.0)
    elif tensor_scale is False:
        s_t = tmax.new_ones(())
    else:
        v = float(tensor_scale)
        if not (math.isfinite(v) and v > 0 and float(torch.tensor(v).float()) == v):
            raise ValueError(f"tensor_scale must be a positive float32 value, got {tensor_scale!r}")
        s_t = tmax.new_full((), v)
    lo = _E4M3.min_subnormal if min_block_scale is None else float(min_block_scale)
    if not _E4M3.min_subnormal <= lo <= _E4M3.max or float(formats.cast(lo, _E4M3)) != lo:
        raise ValueError(f"min_block_scale must be an e4m3 value in [2**-9, 448], got {lo!r}")

    def block_scales(target: float) -> Tensor:
        bs = cast_torch(amax / (target * s_t), _E4M3, smode, saturate=True, seed=0)
        return torch.where(amax > 0, torch.clamp_min(bs, lo), bs)

    def encode(bs: Tensor, rnd, out_dtype, want_stats: bool):
        div = torch.where(bs == 0, 1.0, bs * s_t)
        return _dequantized(x2, _FP4, lay, div, bs * s_t, None, rnd, seed, out_dtype, want_stats)

    bs = block_scales(_FP4.max)
    if scale_selection == "four_over_six":
        bs4 = block_scales(4.0)
        err = [
            _tiles(_block_sq_error(encode(b, "nearest_even", torch.float64, False), x2, lay),
                   tile_rows, "sum")
            for b in (bs, bs4)
        ]  # fmt: skip
        bs = torch.where(err[1] < err[0], bs4, bs)
    out = encode(bs, rounding, w.dtype, stats)
    if stats:
        return _finish(out[0], lay, x), out[1]
    return _finish(out, lay, x)


# --- scaled integers and floats ---------------------------------------------------------


def _round_scales(s: Tensor) -> Tensor:
    """Scales rounded up into float32, kept positive; NaN stays NaN (the kernels'
    ``_round_scales`` with the defaults of :func:`numerics.quantize`)."""
    r = cast_torch(s, _F32, "up", saturate=True, seed=0)
    return torch.where((r > 0) | torch.isnan(r), r, _F32.min_subnormal)


def quantize(
    x: Tensor,
    elem,
    *,
    axis: int | None = None,
    block_size: int | None = None,
    channel_axis: int | None = None,
    symmetric: bool = True,
    rounding="nearest_even",
    seed: int | None = None,
    stats: bool = False,
):
    """:func:`numerics.quantize` then dequantize (scales from the data, stored as
    float32 rounded up), in torch operations (see the module docstring)."""
    fmt = as_element_format(elem)
    w = _work(x)
    lay = _Rows.make(tuple(w.shape), axis=axis, block_size=block_size, channel_axis=channel_axis)
    is_int = isinstance(fmt, IntFormat)
    if is_int and _has_values(w) and bool(torch.isnan(w).any()):
        raise ValueError(f"x holds NaN, which the integer format {fmt} cannot represent")
    if not is_int and not symmetric:
        raise ValueError(f"zero points apply to integer formats, not to {fmt}")
    if is_int and _has_values(w) and bool(torch.isinf(w).any()):
        raise ValueError(f"x holds Inf, which gives no finite scale for the integer format {fmt}")
    if w.numel() == 0:
        return _empty(x, stats)
    x2 = lay.rows(w)
    zp = None
    if symmetric:
        amax = block_absmax(x2, lay)
        if lay.granularity == "tensor":  # the view's rows are not groups
            amax = amax.amax().reshape(1, 1) if amax.numel() else amax.new_zeros((1, 1))
        s = _round_scales(torch.where(amax == 0, 1.0, _div(amax, fmt.max)))
    else:
        b = lay.blocks(x2.to(torch.float64))
        lo = torch.clamp_max(b.amin(dim=-1), 0.0) if b.numel() else b.new_zeros(b.shape[:2])
        hi = torch.clamp_min(b.amax(dim=-1), 0.0) if b.numel() else b.new_zeros(b.shape[:2])
        if lay.granularity == "tensor":
            lo, hi = lo.amin().reshape(1, 1), hi.amax().reshape(1, 1)
        width = (fmt.qmax - fmt.qmin) * fmt.quantum
        s = _round_scales(torch.where(hi > lo, _div(hi - lo, width), 1.0))
        z = fmt.qmin - torch.round(lo / (s * fmt.quantum))
        zp = torch.clamp(z, fmt.qmin, fmt.qmax).to(torch.int64)
    if lay.granularity == "tensor":
        rows = lay.row_shape[0]
        s = s.expand(rows, 1)
        zp = None if zp is None else zp.expand(rows, 1)
    out = _dequantized(x2, fmt, lay, s, s, zp, rounding, seed, w.dtype, stats)
    if stats:
        return _finish(out[0], lay, x), out[1]
    return _finish(out, lay, x)


# --- ternary ----------------------------------------------------------------------------


def quantize_ternary(
    x: Tensor,
    *,
    channel_axis: int | None = None,
    eps: float = 1e-5,
    rounding="nearest_even",
    seed: int | None = None,
    stats: bool = False,
):
    """:func:`numerics.quantize_ternary` then dequantize, in torch operations (see the
    module docstring): the absmean in numpy's summation order, stored as float32."""
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < math.inf:
        raise ValueError(f"eps must be a positive finite number, got {eps!r}")
    w = _work(x)
    if _has_values(w) and bool(torch.isnan(w).any()):
        raise ValueError("x holds NaN, which ternary codes cannot represent")
    if _has_values(w) and bool(torch.isinf(w).any()):
        raise ValueError("x holds Inf, which makes the absmean scale infinite")
    lay = _Rows.make(tuple(w.shape), channel_axis=channel_axis)
    if w.numel() == 0:
        return _empty(x, stats)
    a2 = lay.rows(w).to(torch.float64).abs()
    if lay.granularity == "tensor":  # one group: the whole tensor as one row
        a2 = a2.reshape(1, -1)
    n = a2.shape[1]
    gamma = _div(pairwise_sum(a2), n) if n else a2.new_zeros(a2.shape[0])
    s = torch.clamp_min(gamma, float(eps)).to(torch.float32).to(torch.float64)[:, None]
    qlay = _Rows.make(tuple(w.shape), channel_axis=channel_axis)
    x2 = qlay.rows(w)
    if qlay.granularity == "tensor":
        s = s.expand(qlay.row_shape[0], 1)
    out = _dequantized(x2, scaled.TERNARY, qlay, s, s, None, rounding, seed, w.dtype, stats)
    if stats:
        return _finish(out[0], qlay, x), out[1]
    return _finish(out, qlay, x)
