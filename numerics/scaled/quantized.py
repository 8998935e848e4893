"""The result of a scaled quantization: :class:`Quantized`."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from .._core.containers import is_bfloat16, use_parallel
from ..formats.codes import code_dtype, decode, encode, pack, unpack, value_table
from ..formats.format import Format
from ..formats.intformat import IntFormat
from ..formats.registry import as_format
from . import _kernels
from ._layout import Layout

__all__ = ["PM1I", "Quantized"]

#: The element "format" of the {+1, +i, -1, -i} codebook: code k stands for i**k.
PM1I = "pm1i"

# Float codes of arrays up to this size dequantize in numpy (table lookups, the kernel's
# products): a first call on small data then compiles no kernel, for a few microseconds
# more per call than the kernel would take.
_SMALL = 1 << 12


@dataclass(frozen=True, eq=False)
class Quantized:
    """Element codes and scales: what a scaled quantizer stores, and how to read it back.

    The value of element ``j`` is ``element(codes[j]) * scale * tensor_scale`` (minus
    the zero point first, for asymmetric integers), where ``scale`` is the scale of the
    group ``j`` belongs to: one per tensor, per channel or per block (see
    ``granularity``).

    Attributes
    ----------
    codes : ndarray
        Element codes, shaped like the data. Float formats: their bit codes (uint8 up to
        8 bits). :class:`IntFormat`: the integers, two's complement. The {+1, +i, -1, -i}
        codebook: int8 k standing for ``i**k``.
    scales : ndarray
        The scales' values (float64; NaN marks a NaN block), shaped like the data with
        every axis of length 1 except the channel axis (per channel) or with the block
        axis shortened to the number of blocks (per block).
    fmt : Format, IntFormat or "pm1i"
        The element format.
    scale_format : Format or None
        How scales are stored (E8M0 for MX, float8_e4m3fn for NVFP4, float32...); None
        when the scale is implicit (fixed point).
    granularity : {"tensor", "channel", "block"}
    axis : int or None
        The channel axis, or the axis along which blocks run.
    block_size : int or None
    dtype : numpy dtype
        The input's dtype: what :meth:`dequantize` returns by default.
    zero_points : ndarray or None
        Asymmetric integer formats: the zero point of each group (shaped like scales).
    tensor_scale : float or None
        A second, per-tensor float32 scale (NVFP4's two-level scaling).
    scales_imag : ndarray or None
        The {+1, +i, -1, -i} codebook: the scale of the imaginary codes.
    num_clipped : int or None
        Elements whose scaled value lay outside the element format's range (and were
        clamped to it); None unless the quantizer was called with ``stats=True``.
    num_flushed : int or None
        Nonzero elements that became zero (likewise on request).

    Examples
    --------
    >>> import numpy as np
    >>> from numerics import quantize_mx
    >>> q = quantize_mx(np.linspace(-1, 1, 64, dtype=np.float32), "fp4")
    >>> q.scales.ravel().tolist(), q.nbytes
    ([0.25, 0.25], 34)
    """

    codes: np.ndarray
    scales: np.ndarray
    fmt: Format | IntFormat | str
    scale_format: Format | None
    granularity: str
    axis: int | None
    block_size: int | None
    dtype: np.dtype
    zero_points: np.ndarray | None = None
    tensor_scale: float | None = None
    scales_imag: np.ndarray | None = None
    num_clipped: int | None = None
    num_flushed: int | None = None

    # ----- shape and storage ----------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the quantized data."""
        return self.codes.shape

    @property
    def layout(self) -> Layout:
        """Where the scales apply (see :class:`numerics.scaled._layout.Layout`)."""
        if self.granularity == "tensor":
            return Layout(self.shape, "tensor")
        if self.granularity == "channel":
            return Layout(self.shape, "channel", self.axis)
        return Layout(self.shape, "block", self.axis, self.block_size)

    @property
    def element_bits(self) -> int:
        """Width of one element code in storage."""
        if isinstance(self.fmt, str):
            return 2
        return self.fmt.bits

    @property
    def nbytes(self) -> int:
        """Bytes a real kernel stores: packed element codes (each row's last block padded
        to a whole block), the scales, zero points and the tensor scale."""
        lay = self.layout
        rows = lay.row_shape[0]
        per_row = lay.padded_size // rows if rows else 0
        total = rows * math.ceil(per_row * self.element_bits / 8)
        nscales = int(self.scales.size) * (2 if self.scales_imag is not None else 1)
        if self.scale_format is not None:
            total += nscales * math.ceil(self.scale_format.bits / 8)
        if self.zero_points is not None:
            total += int(self.zero_points.size) * math.ceil(self.element_bits / 8)
        if self.tensor_scale is not None:
            total += 4
        return total

    def _fraction(self, count: int | None) -> float:
        if count is None:
            raise ValueError(
                "statistics were not collected: pass stats=True to the quantizer "
                "(counting costs about a sixth of its time)"
            )
        return count / self.codes.size if self.codes.size else 0.0

    @property
    def clipped(self) -> float:
        """Fraction of the elements that were clipped to the element format's range
        (with ``stats=True``)."""
        return self._fraction(self.num_clipped)

    @property
    def flushed(self) -> float:
        """Fraction of the elements that were nonzero and became zero (with
        ``stats=True``)."""
        return self._fraction(self.num_flushed)

    # ----- reading back ---------------------------------------------------------------
    def elements(self) -> np.ndarray:
        """The element values before scaling (float64; complex for the codebook).

        Examples
        --------
        >>> from numerics import quantize_int
        >>> quantize_int([0.5, -1.0], 8).elements().tolist()  # scale: 1/127, rounded up
        [63.0, -127.0]
        """
        if self.fmt == PM1I:
            return np.array([1, 1j, -1, -1j])[self.codes]
        if isinstance(self.fmt, IntFormat):
            return self.codes.astype(np.float64) * self.fmt.quantum
        return decode(self.codes, self.fmt, np.float64)

    def _full_scales(self) -> np.ndarray:
        s = self.scales
        if self.tensor_scale is not None:
            s = s * self.tensor_scale
        return s

    def _largest(self, scale2: np.ndarray, zp2: np.ndarray) -> float:
        """A bound on the magnitude of every finite value the codes and scales stand
        for (infinite element codes aside)."""
        # scales are positive or NaN (a NaN group's); fmax passes over NaN
        top = float(np.fmax.reduce(scale2, axis=None)) if scale2.size else 0.0
        top = 0.0 if top != top else top
        if isinstance(self.fmt, IntFormat):
            z = int(np.abs(zp2).max()) if zp2.size else 0
            return (max(-self.fmt.qmin, self.fmt.qmax) + z) * self.fmt.quantum * top
        return self.fmt.max * top

    def dequantize(self, dtype: DTypeLike | None = None) -> np.ndarray:
        """The values the codes and scales stand for, computed exactly and rounded once
        (to nearest even) into ``dtype`` (the input's dtype by default).

        float16, bfloat16 and float32 results saturate: a finite value beyond the
        dtype's largest becomes it, never Inf. Such values arise only at the top of
        the dtype's range, where an element rounded up past the data (MXFP4 at
        ``3e38`` under ``rceil``: 4 * 2**126 = 2**128, which float32 lacks), so the
        largest finite value is the nearer one to the data; ``dtype=np.float64``
        gives them exactly. A NaN group reads back as NaN throughout.

        Examples
        --------
        >>> import numpy as np
        >>> from numerics import quantize_mx
        >>> quantize_mx(np.array([957.0, 1.0], np.float32), "e4m3").dequantize().tolist()
        [896.0, 1.0]
        """
        if self.fmt == PM1I:
            return self._dequantize_pm1i(dtype)
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        if not (dtype in (np.float16, np.float32, np.float64) or is_bfloat16(dtype)):
            raise TypeError(f"dtype must be a float dtype, got {dtype.name}")
        lay = self.layout
        rows, n = lay.row_shape
        codes2 = lay.rows(self.codes)
        scale2 = lay.scales_to_blocks(self._full_scales().astype(np.float64))
        zp2 = (
            lay.scales_to_blocks(self.zero_points.astype(np.int64))
            if self.zero_points is not None
            else np.zeros((rows, 0), np.int64)
        )
        limit = None if dtype == np.float64 else as_format(dtype.name).max
        # float64 first where a value could overflow the dtype, so that it saturates
        big = limit is not None and self._largest(scale2, zp2) > limit
        direct = dtype in (np.float32, np.float64) and not big
        out = np.empty((rows, n), dtype=dtype if direct else np.float64)
        is_int = isinstance(self.fmt, IntFormat)
        dp = np.zeros(6, np.int64)
        if is_int:
            table, quantum = np.zeros(1), self.fmt.quantum
        elif self.fmt.bits <= 16:
            table, quantum = value_table(self.fmt), 1.0
            dp = _kernels.decode_params(self.fmt)
        else:
            table = None
        if table is None:
            rep = np.repeat(scale2, lay.bs, axis=1)[:, :n] if n else scale2[:, :0]
            out[...] = decode(codes2, self.fmt, np.float64) * rep
        elif out.size and not is_int and out.size <= _SMALL:
            # the same products in numpy: a first call on a small array compiles no kernel
            out[...] = table[codes2] * np.repeat(scale2, lay.bs, axis=1)[:, :n]
        elif out.size:
            # None, not False: the kernel then compiles only the loop it runs
            arith = True if dp[0] else None
            args = (codes2, lay.bs, scale2, zp2, table, quantum, is_int or None, arith, dp, out)
            if use_parallel(out.size):
                _kernels.dequantize_rows(*args)
            else:  # the row kernel itself: a wrapper would compile it again
                _kernels.dequantize_rows_range(*args, 0, rows)
        values = lay.unrows(out)
        if direct:
            return values
        if big:
            over = np.isfinite(values) & (np.abs(values) > limit)
            values[over] = np.copysign(limit, values[over])
        if dtype == np.float32:
            return values.astype(np.float32)
        from ..formats.cast import cast

        if dtype == np.float16:
            return values.astype(np.float16)  # numpy rounds float64 to float16 directly
        f32 = cast(values, "bfloat16").astype(np.float32)
        return (f32.view(np.uint32) >> 16).astype(np.uint16).view(dtype)

    def _dequantize_pm1i(self, dtype: DTypeLike | None) -> np.ndarray:
        lay = self.layout
        re = lay.scales_to_blocks(self.scales)
        im = lay.scales_to_blocks(self.scales_imag)
        c = lay.rows(self.codes)
        rep = lay.row_shape[1]
        sre = np.repeat(re, rep, axis=1) if c.size else re[:, :0]
        sim = np.repeat(im, rep, axis=1) if c.size else im[:, :0]
        out = np.where(c % 2 == 0, sre * (1 - c), 1j * sim * (2 - c))
        if dtype is None:
            dtype = np.complex64 if self.dtype in (np.float32, np.complex64) else np.complex128
        return lay.unrows(out.astype(dtype))

    # ----- storage -------------------------------------------------------------------------
    def _unsigned_codes(self) -> np.ndarray:
        if isinstance(self.fmt, IntFormat):
            return self.codes.astype(np.int64) & (2**self.fmt.bits - 1)
        return self.codes.astype(np.int64)

    def packed_codes(self) -> np.ndarray:
        """The element codes as stored: each row of the blocked view (blocks padded with
        zero codes) packed into bytes, lowest bits first. Integers are stored in two's
        complement; 2-, 4- and 6-bit codes share bytes (see :func:`numerics.pack`).

        Examples
        --------
        >>> import numpy as np
        >>> from numerics import quantize_mx
        >>> quantize_mx(np.ones(32, np.float32), "fp4").packed_codes().shape
        (1, 16)
        """
        lay = self.layout
        rows, n = lay.row_shape
        c = lay.rows(self._unsigned_codes())
        width = lay.padded_size // rows if rows else 0
        if width > n:
            c = np.concatenate([c, np.zeros((rows, width - n), np.int64)], axis=1)
        bits = self.element_bits
        if bits in (2, 4, 6):
            return pack(c, bits=bits)
        if bits in (8, 16, 32):
            return np.ascontiguousarray(c.astype(f"<u{bits // 8}")).view(np.uint8)
        raise ValueError(
            f"{bits}-bit element codes have no packed layout here (2, 4, 6, 8, 16, 32)"
        )

    def scale_codes(self) -> np.ndarray:
        """The scales as stored: codes of :attr:`scale_format` (E8M0 and float8 scales as
        uint8, float32 scales as their uint32 bit patterns).

        Examples
        --------
        >>> import numpy as np
        >>> from numerics import quantize_mx
        >>> quantize_mx(np.ones(32, np.float32), "e4m3").scale_codes().tolist()
        [119]
        """
        if self.scale_format is None:
            raise ValueError("this quantization stores no scales (its scale is implicit)")
        return encode(self.scales, self.scale_format)

    def _packed_row_bytes(self) -> int:
        """Bytes per row of :meth:`packed_codes`."""
        lay = self.layout
        rows = lay.row_shape[0]
        width = lay.padded_size // rows if rows else 0
        bits = self.element_bits
        if bits in (2, 4, 6):
            per = 4 if bits == 6 else 8 // bits  # codes per group, as pack() groups them
            return -(-width // per) * (bits * per // 8)
        if bits in (8, 16, 32):
            return width * bits // 8
        raise ValueError(
            f"{bits}-bit element codes have no packed layout here (2, 4, 6, 8, 16, 32)"
        )

    def from_packed(self, packed: np.ndarray, scale_codes: np.ndarray | None = None) -> Quantized:
        """A Quantized like this one, with codes (and scales) read back from storage:
        ``q.from_packed(q.packed_codes(), q.scale_codes())`` equals ``q``.

        ``packed`` must be a uint8 array of exactly the size :meth:`packed_codes`
        gives (any shape: it is read in C order), and ``scale_codes`` an array of the
        dtype and size :meth:`scale_codes` gives; anything else is refused (TypeError
        for the type, ValueError for the size or an integer code out of range) rather
        than decoded as garbage.

        Examples
        --------
        >>> import numpy as np
        >>> from numerics import quantize_mx
        >>> q = quantize_mx(np.linspace(-1, 1, 64, dtype=np.float32), "fp4")
        >>> r = q.from_packed(q.packed_codes(), q.scale_codes())
        >>> bool((r.dequantize() == q.dequantize()).all())
        True
        """
        lay = self.layout
        rows, n = lay.row_shape
        bits = self.element_bits
        nbytes = rows * self._packed_row_bytes()
        if not isinstance(packed, np.ndarray) or packed.dtype != np.uint8:
            got = packed.dtype.name if isinstance(packed, np.ndarray) else type(packed).__name__
            raise TypeError(f"packed must be a uint8 array, as packed_codes() gives; got {got}")
        if packed.size != nbytes:
            raise ValueError(
                f"packed holds {packed.size} bytes; this quantization's codes take {nbytes} "
                f"({rows} rows of {nbytes // rows if rows else 0})"
            )
        p2 = np.ascontiguousarray(packed).reshape(rows, -1)
        if bits in (2, 4, 6):
            c = unpack(p2, None, bits=bits)
        else:
            c = p2.view(f"<u{bits // 8}")
        c = c[:, :n].astype(np.int64)
        if isinstance(self.fmt, IntFormat):
            if self.fmt.signed:
                c = np.where(c >= 2 ** (self.fmt.bits - 1), c - 2**self.fmt.bits, c)
            if c.size and (c.min() < self.fmt.qmin or c.max() > self.fmt.qmax):
                raise ValueError(
                    f"packed holds codes outside [{self.fmt.qmin}, {self.fmt.qmax}] of {self.fmt}"
                )
        codes = lay.unrows(c.astype(self.codes.dtype))
        scales = self.scales
        if scale_codes is not None:
            scales = self._scales_from_codes(scale_codes)
        return dataclasses.replace(self, codes=codes, scales=scales)

    def _scales_from_codes(self, scale_codes: np.ndarray) -> np.ndarray:
        """The scales that ``scale_codes`` (as :meth:`scale_codes` gives) stand for."""
        if self.scale_format is None:
            raise ValueError("this quantization stores no scales (its scale is implicit)")
        want = code_dtype(self.scale_format)
        if not isinstance(scale_codes, np.ndarray) or scale_codes.dtype != want:
            got = (
                scale_codes.dtype.name
                if isinstance(scale_codes, np.ndarray)
                else type(scale_codes).__name__
            )
            raise TypeError(
                f"scale_codes must be a {want.name} array of {self.scale_format} codes, "
                f"as scale_codes() gives; got {got}"
            )
        if scale_codes.size != self.scales.size:
            raise ValueError(
                f"scale_codes holds {scale_codes.size} codes; this quantization has "
                f"{self.scales.size} scales"
            )
        scales = decode(scale_codes, self.scale_format, np.float64)
        return scales.reshape(self.scales.shape)

    def __repr__(self) -> str:
        lay = self.layout
        stats = ""
        if self.num_clipped is not None:
            stats = f", clipped={self.clipped:.3g}, flushed={self.flushed:.3g}"
        return (
            f"Quantized({self.fmt}, shape={self.shape}, {lay.describe()}, "
            f"scale_format={self.scale_format}{stats})"
        )


def element_code_dtype(fmt: Format | IntFormat | str) -> np.dtype:
    """The dtype of element codes of ``fmt``."""
    if isinstance(fmt, IntFormat):
        return fmt.code_dtype
    if isinstance(fmt, str):
        return np.dtype(np.int8)
    return code_dtype(fmt)
