"""Matrix products as a tensor core computes them: :class:`TensorCore` and
:func:`tc_matmul`.

A tensor core does not round every addition. Each MMA step takes a group of ``L``
products, multiplies exactly, aligns the products and the accumulator ``c`` to the
largest exponent among them (a product of normal operands has exponent
``e_a + e_b`` and a significand in [1, 4); subnormal operands keep their format's
minimum exponent), truncates every term toward zero to ``F`` fraction bits below that
exponent, sums exactly and normalises once into the output (round toward zero into
float32, or into float32 with 13 fraction bits for FP8 on Ada and Hopper, or to
nearest even into float16). Groups chain along k, each output becoming the next
``c``. This is the T-FDPA model of MMA-Sim (Xie, Wang, Yang, Yang, "MMA-Sim:
Bit-Accurate Reference Model of Tensor Cores and Matrix Cores", arXiv:2511.10909,
2025; ``pip install mmasim``), validated there against the hardware; its block-scaled
forms (ST-FDPA for MXFP8/6/4 at k=32, GST-FDPA for the k=64 FP4 MMAs) are modelled too.
:func:`tc_matmul` is bit-exact with mmasim 2.1.1 (the tests compare them).

Zero terms: mmasim gives zero products and a zero ``c`` the exponent ``e_zero``. Here
zero products are left out of the maximum and only a zero ``c`` gets ``e_zero``; the
results are the same, since a nonzero ``c`` always has a larger exponent than
``e_zero`` (float32 and float16 ``c`` have exponents of at least -126 and -14).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._core.containers import is_bfloat16
from .._core.jit import run_rows
from ..formats.cast import cast
from ..formats.format import Format
from ..formats.registry import as_format
from . import _tensor_core_kernels as _k

__all__ = ["ARCHS", "TensorCore", "tc_matmul"]

#: The generations :meth:`TensorCore.named` knows (NVIDIA, as MMA-Sim models them).
ARCHS = ("volta", "turing", "ampere", "ada", "hopper", "blackwell", "rtx_blackwell")

ROUNDINGS = ("rz_fp32", "rz_e8m13", "rne_fp16")
BLOCK_SCALES = (None, "st", "gst")

# MMA-Sim's nv_ptx/sim.py: fraction bits, bytes of operands per group, e_zero per output.
_F = {"volta": 23, "turing": 24, "ampere": 24, "ada": 24}
_L_BYTES = {"volta": 8, "turing": 16, "ampere": 16, "ada": 16}
_E_ZERO_F32 = {"volta": -131, "turing": -132, "ampere": -132, "ada": -132}
_E_ZERO_F16 = {"volta": -19, "turing": -20, "ampere": -20, "ada": -20}
for _a in ("hopper", "blackwell", "rtx_blackwell"):
    _F[_a], _L_BYTES[_a], _E_ZERO_F32[_a], _E_ZERO_F16[_a] = 25, 32, -133, -21

_F16, _BF16, _TF32, _F32 = (as_format(n) for n in ("float16", "bfloat16", "tf32", "float32"))
_FP8 = tuple(as_format(n) for n in ("e4m3", "e5m2"))
_F8F6F4 = (*_FP8, *(as_format(n) for n in ("e3m2", "e2m3", "e2m1")))
_E2M1, _E8M0, _UE4M3 = as_format("e2m1"), as_format("e8m0"), as_format("ue4m3")


def _fmt_name(f: Format) -> str:
    return f.name or repr(f)


def _itemsize(f: Format) -> int:
    """Bytes per operand as the hardware counts them (fp6 and fp4 take one byte)."""
    return 4 if f == _TF32 else max(1, (f.bits + 7) // 8)


def _check_int(name: str, v, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not lo <= v <= hi:
        raise ValueError(f"TensorCore.{name} must be an int in [{lo}, {hi}], got {v!r}")
    return int(v)


@dataclass(frozen=True)
class TensorCore:
    """One matrix-multiply-accumulate unit: what :func:`tc_matmul` computes.

    Build a named generation with :meth:`named`, or give every parameter to model
    another design.

    Parameters
    ----------
    a_fmt, b_fmt : Format or str
        The operand formats (at most 26 bits of precision, so products are exact).
    acc : {"float32", "float16"}
        The format of ``c`` and of each step's output.
    F : int
        Fraction bits kept below the group's largest exponent after alignment.
    L : int
        Products fused per step (the last step of a product may take fewer).
    rounding : {"rz_fp32", "rz_e8m13", "rne_fp16"}
        The normalisation of each step's sum: toward zero into float32; toward zero
        to 13 fraction bits with float32's exponent range (subnormal quantum
        2^-139); to nearest even into float16 (``acc="float16"`` only). Overflow
        gives +-Inf in every mode, as in MMA-Sim.
    e_zero : int
        The alignment exponent of a zero ``c`` (at most the smallest exponent of
        ``acc``: -126 or -14).
    block_scale : {None, "st", "gst"}
        None: plain MMAs. "st": every product is scaled by its operands' block
        scales (powers of two) before alignment (MXFP8/6/4 at k=32). "gst": groups
        of ``group`` products are summed exactly, scaled, and aligned at the scales'
        exponent (the k=64 FP4 MMAs: MXFP4, NVFP4).
    scale_fmt : Format or str or None
        Format of the block scales ("e8m0" or "ue4m3"; required with a block scale).
    scale_block : int or None
        Elements along k sharing one scale (32 or 16).
    group : int
        Products per group of the "gst" form.
    tf32_operands : bool
        Operands are float32 values whose 13 low fraction bits the unit drops
        (toward zero), as tf32 MMAs do; ``a_fmt`` and ``b_fmt`` are then tf32.
    name : str
        A label.

    Examples
    --------
    >>> core = TensorCore.named("hopper", "e4m3")
    >>> core.F, core.L, core.rounding
    (13, 32, 'rz_e8m13')
    >>> TensorCore("float16", "float16", F=24, L=8, rounding="rz_fp32", e_zero=-132).L
    8
    """

    a_fmt: Format | str
    b_fmt: Format | str | None = None
    acc: str = "float32"
    F: int = 24
    L: int = 8
    rounding: str = "rz_fp32"
    e_zero: int = -132
    block_scale: str | None = None
    scale_fmt: Format | str | None = None
    scale_block: int | None = None
    group: int = 16
    tf32_operands: bool = False
    name: str = "custom"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        a = as_format(self.a_fmt)
        b = a if self.b_fmt is None else as_format(self.b_fmt)
        set_(self, "a_fmt", a)
        set_(self, "b_fmt", b)
        for what, f in (("a_fmt", a), ("b_fmt", b)):
            if f.mbits > 25 or f.emax > 300 or f.emin < -300:
                raise ValueError(
                    f"TensorCore.{what} {_fmt_name(f)}: operands need at most 26 bits of "
                    "precision and exponents within +-300 (products must be exact)"
                )
        if self.acc not in ("float32", "float16"):
            raise ValueError(f"TensorCore.acc must be 'float32' or 'float16', got {self.acc!r}")
        if self.rounding not in ROUNDINGS:
            raise ValueError(
                f"TensorCore.rounding must be one of {', '.join(ROUNDINGS)}, got {self.rounding!r}"
            )
        if (self.rounding == "rne_fp16") != (self.acc == "float16"):
            raise ValueError(
                f"TensorCore.rounding {self.rounding!r} does not produce acc {self.acc!r}: "
                "'rne_fp16' goes with acc='float16', the RZ modes with 'float32'"
            )
        if self.block_scale not in BLOCK_SCALES:
            raise ValueError(
                f"TensorCore.block_scale must be None, 'st' or 'gst', got {self.block_scale!r}"
            )
        L = _check_int("L", self.L, 1, 4096)
        set_(self, "group", _check_int("group", self.group, 1, 64))
        # The float64 sums must stay exact: terms are below 2^(F+2) and L+1 are summed;
        # a "gst" group term is below 2^F times 4 (scale significands) times its
        # largest possible sum, and L/group+1 are summed.
        if self.block_scale == "gst":
            top = 4 * self.group * a.max * b.max
            headroom = math.ceil(math.log2(top)) + math.ceil(math.log2(L // self.group + 1))
        else:
            headroom = 2 + math.ceil(math.log2(L + 1))
        F = _check_int("F", self.F, 1, 53 - headroom)
        c_emin = -14 if self.acc == "float16" else -126
        e_zero = _check_int("e_zero", self.e_zero, -300, c_emin)
        set_(self, "F", F)
        set_(self, "L", L)
        set_(self, "e_zero", e_zero)
        if self.block_scale is None:
            if self.scale_fmt is not None or self.scale_block is not None:
                raise ValueError("TensorCore.scale_fmt and scale_block need a block_scale")
        else:
            if self.scale_fmt is None or self.scale_block is None:
                raise ValueError(
                    f"TensorCore.block_scale {self.block_scale!r} needs scale_fmt and scale_block"
                )
            sf = as_format(self.scale_fmt)
            if sf not in (_E8M0, _UE4M3):
                raise ValueError(f"TensorCore.scale_fmt must be e8m0 or ue4m3, got {_fmt_name(sf)}")
            if self.block_scale == "st" and sf != _E8M0:
                raise ValueError("TensorCore: the 'st' block scale takes e8m0 scales")
            set_(self, "scale_fmt", sf)
            blk = _check_int("scale_block", self.scale_block, 1, 4096)
            if self.acc != "float32" or self.rounding != "rz_fp32":
                raise ValueError("TensorCore: block-scaled MMAs output float32 (rz_fp32)")
            if self.block_scale == "st" and blk != L:
                raise ValueError(
                    f"TensorCore: the 'st' form scales whole steps: scale_block ({blk}) "
                    f"must equal L ({L})"
                )
            if self.block_scale == "gst":
                g = self.group
                if L % g or (blk % g and g % blk) or blk % g:
                    raise ValueError(
                        f"TensorCore: the 'gst' form needs L ({L}) and scale_block ({blk}) "
                        f"to be multiples of group ({g})"
                    )
                for what, f in (("a_fmt", a), ("b_fmt", b)):
                    if f.bits > 8 or f.inf or f.has_nan:
                        raise ValueError(
                            f"TensorCore.{what}: the 'gst' form takes formats of at most "
                            f"8 bits without Inf or NaN (e2m1), got {_fmt_name(f)}"
                        )
                span = math.log2(a.max * b.max / (a.min_subnormal * b.min_subnormal))
                if span + math.log2(g) + 1 > 53:
                    raise ValueError(
                        f"TensorCore: the 'gst' form needs exact group sums in float64; "
                        f"{_fmt_name(a)} x {_fmt_name(b)} products span 2^{span:.0f}"
                    )
        if self.tf32_operands and not (a == _TF32 and b == _TF32):
            raise ValueError("TensorCore.tf32_operands needs a_fmt and b_fmt tf32")
        set_(self, "tf32_operands", bool(self.tf32_operands))

    @classmethod
    def named(
        cls,
        arch: str,
        a_fmt: Format | str,
        b_fmt: Format | str | None = None,
        acc: str = "float32",
        *,
        block_scale: str | None = None,
        scale_fmt: Format | str = "e8m0",
        scale_block: int = 32,
    ) -> TensorCore:
        """The MMA unit of an NVIDIA generation, with MMA-Sim's parameters.

        Parameters (MMA-Sim 2.1.1, ``nv_ptx/sim.py``, arXiv:2511.10909): F = 23
        (Volta), 24 (Turing, Ampere, Ada), 25 (Hopper, Blackwell, RTX Blackwell),
        and 13 for FP8 on Ada (mma.sync) and Hopper (wgmma), whose float32 output is
        rounded toward zero to 13 fraction bits; L = 8 (Volta), 16 (Turing to Ada)
        or 32 (Hopper on) bytes of operands per step; e_zero = -131/-132/-133
        (float32 output) or -19/-20/-21 (float16). RTX Blackwell and Blackwell FP8,
        FP6 and FP4 use F = 25, L = 32. Block scales (Blackwell, RTX Blackwell):
        ``block_scale="st"`` is MXFP8/6/4 at k=32 (e8m0 scales per 32, F=25,
        e_zero=-133); ``"gst"`` is the k=64 FP4 MMA (e2m1 only; groups of 16, F=35,
        e_zero=-139, L=64; e8m0 scales per 32 or 16, or ue4m3 per 16: NVFP4).

        Parameters
        ----------
        arch : str
            One of :data:`ARCHS`.
        a_fmt, b_fmt : Format or str
            Operand formats (``b_fmt`` defaults to ``a_fmt``): float16, bfloat16,
            tf32 (float32 operands, truncated), e4m3/e5m2 (Ada on), e3m2/e2m3/e2m1
            (Blackwell, RTX Blackwell).
        acc : {"float32", "float16"}
            The output (and ``c``) format; float16 for float16 and FP8 operands.
        block_scale, scale_fmt, scale_block
            See :class:`TensorCore`.

        Examples
        --------
        >>> TensorCore.named("ampere", "bfloat16").F
        24
        >>> nvfp4 = TensorCore.named("blackwell", "e2m1", block_scale="gst",
        ...                          scale_fmt="ue4m3", scale_block=16)
        >>> nvfp4.F, nvfp4.L, nvfp4.e_zero
        (35, 64, -139)
        """
        if arch not in ARCHS:
            raise ValueError(f"arch must be one of {', '.join(ARCHS)}; got {arch!r}")
        a = as_format(a_fmt)
        b = a if b_fmt is None else as_format(b_fmt)
        label = f"{arch} {_fmt_name(a)}x{_fmt_name(b)}->{acc}"
        if acc not in ("float32", "float16"):
            raise ValueError(f"acc must be 'float32' or 'float16', got {acc!r}")
        fp8 = a in _FP8 and b in _FP8
        f8f6f4 = a in _F8F6F4 and b in _F8F6F4
        if block_scale is not None:
            if arch not in ("blackwell", "rtx_blackwell"):
                raise ValueError(f"{label}: block-scaled MMAs exist on Blackwell only")
            if acc != "float32":
                raise ValueError(f"{label}: block-scaled MMAs output float32")
            sf = as_format(scale_fmt)
            if block_scale == "st":
                if not f8f6f4 or sf != _E8M0 or scale_block != 32:
                    raise ValueError(
                        f"{label}: the k=32 block-scaled MMA (mxf8f6f4) takes e5m2, e4m3, "
                        "e3m2, e2m3 or e2m1 operands and e8m0 scales per 32"
                    )
                return cls(a, b, acc, F=25, L=32, rounding="rz_fp32", e_zero=-133,
                           block_scale="st", scale_fmt=sf, scale_block=32,
                           name=label + " st")  # fmt: skip
            if block_scale == "gst":
                ok = (sf == _E8M0 and scale_block in (16, 32)) or (
                    sf == _UE4M3 and scale_block == 16
                )
                if a != _E2M1 or b != _E2M1 or not ok:
                    raise ValueError(
                        f"{label}: the k=64 block-scaled MMA (mxf4, mxf4nvf4) takes e2m1 "
                        "operands, e8m0 scales per 32 or 16, or ue4m3 scales per 16"
                    )
                return cls(a, b, acc, F=35, L=64, rounding="rz_fp32", e_zero=-139,
                           block_scale="gst", scale_fmt=sf, scale_block=scale_block,
                           group=16, name=label + " gst")  # fmt: skip
            raise ValueError(f"block_scale must be None, 'st' or 'gst', got {block_scale!r}")
        if a in (_F16, _BF16, _TF32) or b in (_F16, _BF16, _TF32):
            if a != b:
                raise ValueError(f"{label}: float16, bfloat16 and tf32 MMAs take one type")
            if a != _F16 and arch in ("volta", "turing"):
                raise ValueError(f"{label}: {arch} MMAs take float16 operands only")
            if a != _F16 and acc != "float32":
                raise ValueError(f"{label}: bfloat16 and tf32 MMAs output float32")
        elif fp8 and arch in ("ada", "hopper", "rtx_blackwell", "blackwell"):
            pass
        elif f8f6f4 and arch in ("rtx_blackwell", "blackwell"):
            pass
        else:
            raise ValueError(f"{label}: no such MMA in MMA-Sim's model of {arch}")
        F, L = _F[arch], _L_BYTES[arch] // _itemsize(a)
        rounding = "rne_fp16" if acc == "float16" else "rz_fp32"
        if fp8 and arch in ("ada", "hopper"):
            F = 13
            rounding = "rne_fp16" if acc == "float16" else "rz_e8m13"
        e_zero = (_E_ZERO_F16 if acc == "float16" else _E_ZERO_F32)[arch]
        return cls(a, b, acc, F=F, L=L, rounding=rounding, e_zero=e_zero,
                   tf32_operands=a == _TF32, name=label)  # fmt: skip


def _as_float_array(x: ArrayLike, what: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind != "f" and not is_bfloat16(arr.dtype):
        raise TypeError(f"{what} must be a float array, got {arr.dtype.name}")
    return arr


def _check_values(x: np.ndarray, fmt: Format, what: str) -> None:
    """Raise unless every element of the float64 array ``x`` is a value of ``fmt``."""
    nan, inf = np.isnan(x), np.isinf(x)
    if nan.any() and not fmt.has_nan:
        raise ValueError(f"{what} holds NaN, which {_fmt_name(fmt)} cannot represent")
    if inf.any() and not fmt.inf:
        raise ValueError(f"{what} holds Inf, which {_fmt_name(fmt)} cannot represent")
    fin = x[~(nan | inf)]
    bad = cast(fin, fmt) != fin
    if bad.any():
        v = fin[bad][0]
        raise ValueError(
            f"{what} holds {v!r} ({int(bad.sum())} values in all), which is not a value of "
            f"{_fmt_name(fmt)}; round the data into the format first (numerics.cast)"
        )


def _operand(x: np.ndarray, fmt: Format, tf32: bool, what: str) -> np.ndarray:
    if tf32:
        if x.dtype != np.float32:  # float32 input keeps its NaN payloads
            x64 = x.astype(np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                x32 = x64.astype(np.float32)
            if not ((x32 == x64) | np.isnan(x64)).all():
                raise ValueError(f"{what} holds values that are not float32 (tf32 operands)")
            x = x32
        # the unit drops the 13 low fraction bits (a low-payload NaN becomes Inf)
        bits = np.ascontiguousarray(x).view(np.uint32) & np.uint32(0xFFFFE000)
        return bits.view(np.float32).astype(np.float64)
    x64 = x.astype(np.float64)
    _check_values(x64, fmt, what)
    return x64


def _exponents(x: np.ndarray, emin: int) -> np.ndarray:
    """Alignment exponents: floor(log2|x|), at least emin; ZERO_EXP for 0, Inf, NaN."""
    with np.errstate(invalid="ignore"):
        e = np.frexp(x)[1].astype(np.int32) - 1
    e = np.maximum(e, np.int32(emin))
    e[(x == 0) | ~np.isfinite(x)] = _k.ZERO_EXP
    return e


def _scale_parts(s: np.ndarray, fmt: Format) -> tuple[np.ndarray, np.ndarray]:
    """Block scales as significand and exponent: s = sig * 2^exp, sig in [1, 2) for
    normal scales; NaN scales give a NaN significand."""
    with np.errstate(invalid="ignore"):
        e = np.frexp(s)[1].astype(np.int32) - 1
    e = np.maximum(e, np.int32(fmt.emin))
    e[~np.isfinite(s) | (s == 0)] = 0
    return np.ldexp(s, -e), e


def _scales(x, fmt: Format, shape: tuple[int, ...], what: str) -> np.ndarray:
    if x is None:
        raise ValueError(f"this TensorCore is block-scaled: give {what}")
    s = _as_float_array(x, what).astype(np.float64)
    if fmt == _UE4M3:
        s = np.abs(s)  # the hardware ignores a ue4m3 scale's sign bit
    if s.shape[-2:] != shape:
        raise ValueError(f"{what} must have shape (..., {shape[0]}, {shape[1]}), got {s.shape}")
    _check_values(s, fmt, what)
    return s


def tc_matmul(
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike | None = None,
    *,
    core: TensorCore,
    promote_every: int | None = None,
    a_scales: ArrayLike | None = None,
    b_scales: ArrayLike | None = None,
) -> np.ndarray:
    """``D = A B + C`` as the tensor core ``core`` computes it, its MMAs chained along k.

    k is split into consecutive steps of ``core.L`` (the last may be shorter); each
    step's rounded output is the next step's ``c``. Bit-exact with MMA-Sim 2.1.1
    (see :mod:`numerics.arith.tensor_core`), NaN included (always the positive NaN
    with every payload bit set: 0x7FFFFFFF or 0x7FFF).

    Parameters
    ----------
    a : array_like, shape (..., m, k)
        Values of ``core.a_fmt`` (float arrays; other values raise). tf32 cores take
        float32 values and drop their 13 low fraction bits.
    b : array_like, shape (..., k, n)
        Values of ``core.b_fmt``. Leading dimensions broadcast.
    c : array_like, shape (..., m, n), optional
        The accumulator's start, values of ``core.acc``; zero by default.
    core : TensorCore
        The unit, e.g. ``TensorCore.named("hopper", "e4m3")``.
    promote_every : int, optional
        A multiple of ``core.L``: every chunk of this many k starts from ``c = 0``
        and its result is added into a float32 accumulator (starting at ``c``) with
        round to nearest even, as DeepSeek-V3's FP8 GEMMs do every 128.
    a_scales : array_like, shape (..., m, k // core.scale_block)
        Block scales of ``a`` (``core.scale_fmt`` values), for block-scaled cores.
    b_scales : array_like, shape (..., k // core.scale_block, n)
        Block scales of ``b``.

    Returns
    -------
    numpy.ndarray
        float32, or float16 for a float16 ``core.acc`` without promotion.

    Examples
    --------
    >>> import numpy as np
    >>> core = TensorCore.named("hopper", "e4m3")
    >>> a = np.zeros((1, 32), np.float32)
    >>> c = np.array([[1 + 2**-13 + 2**-14]], np.float32)
    >>> float(tc_matmul(a, a.T, c, core=core)[0, 0]) == 1 + 2**-13  # 13 bits pass
    True
    >>> x = np.full((1, 4096), 0.5, np.float32)
    >>> float(tc_matmul(x, x.T, core=core)[0, 0])  # every partial sum fits 13 bits
    1024.0
    """
    if not isinstance(core, TensorCore):
        raise TypeError(f"core must be a TensorCore, got {type(core).__name__}")
    A = _as_float_array(a, "a")
    B = _as_float_array(b, "b")
    if A.ndim < 2 or B.ndim < 2 or A.shape[-1] != B.shape[-2]:
        raise ValueError(
            f"tc_matmul needs (..., m, k) and (..., k, n) arrays, got {A.shape} and {B.shape}"
        )
    M, K = A.shape[-2:]
    N = B.shape[-1]
    try:
        batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    except ValueError:
        raise ValueError(
            f"the leading dimensions of a {A.shape} and b {B.shape} do not broadcast"
        ) from None
    L = core.L
    if promote_every is not None:
        if (
            isinstance(promote_every, bool)
            or not isinstance(promote_every, numbers.Integral)
            or promote_every < L
            or promote_every % L
        ):
            raise ValueError(
                f"promote_every must be a positive multiple of core.L ({L}), got {promote_every!r}"
            )
    promote = int(promote_every or 0)
    A = _operand(A, core.a_fmt, core.tf32_operands, "a")
    B = _operand(B, core.b_fmt, core.tf32_operands, "b")
    acc_fmt = as_format(core.acc)
    if c is None:
        C = np.zeros((*batch, M, N))
    else:
        C = _as_float_array(c, "c").astype(np.float64)
        _check_values(C, acc_fmt, "c")
        try:
            C = np.broadcast_to(C, (*batch, M, N))
        except ValueError:
            raise ValueError(
                f"c of shape {C.shape} does not broadcast to {(*batch, M, N)}"
            ) from None
    ea = _exponents(A, core.a_fmt.emin)
    eb = _exponents(B, core.b_fmt.emin)
    if core.block_scale is None:
        if a_scales is not None or b_scales is not None:
            raise ValueError("a_scales and b_scales need a block-scaled TensorCore")
    else:
        blk = core.scale_block
        if K % blk:
            raise ValueError(f"k ({K}) must be a multiple of core.scale_block ({blk})")
        sa = _scales(a_scales, core.scale_fmt, (M, K // blk), "a_scales")
        sb = _scales(b_scales, core.scale_fmt, (K // blk, N), "b_scales")
    nb = math.prod(batch)

    def flat(x, tail):
        return np.ascontiguousarray(np.broadcast_to(x, (*batch, *tail)).reshape(nb, *tail))

    C3 = flat(C, (M, N))
    D = np.empty((nb, M, N))
    rho = {"rz_fp32": _k.RZ_FP32, "rz_e8m13": _k.RZ_E8M13, "rne_fp16": _k.RNE_FP16}[core.rounding]
    c_emin = -14 if core.acc == "float16" else -126
    if core.block_scale == "gst":
        sa_sig, sa_e = _scale_parts(sa, core.scale_fmt)
        sb_sig, sb_e = _scale_parts(sb, core.scale_fmt)
        args = (
            flat(A, (M, K)), flat(B, (K, N)),
            flat(sa_sig, sa_sig.shape[-2:]), flat(sa_e, sa_e.shape[-2:]),
            flat(sb_sig, sb_sig.shape[-2:]), flat(sb_e, sb_e.shape[-2:]),
            C3, core.group, core.scale_block, L, core.F, core.e_zero, promote, D,
        )  # fmt: skip
        run_rows(_k.gst_matmul, args, nb * M, nb * M * N * K)
    else:
        if core.block_scale == "st":  # power-of-two scales: fold them into the operands
            sa_sig, sa_e = _scale_parts(sa, core.scale_fmt)
            sb_sig, sb_e = _scale_parts(sb, core.scale_fmt)
            rep = core.scale_block
            with np.errstate(invalid="ignore"):
                A = A * np.repeat(sa_sig * np.ldexp(1.0, sa_e), rep, axis=-1)
                B = B * np.repeat(sb_sig * np.ldexp(1.0, sb_e), rep, axis=-2)
            ea = (ea + np.repeat(sa_e, rep, axis=-1)).astype(np.int32)
            eb = (eb + np.repeat(sb_e, rep, axis=-2)).astype(np.int32)
        A3, B3 = flat(A, (M, K)), flat(B, (K, N))
        ng = -(-K // L)
        pad = ng * L - K
        bad_a = np.pad(~np.isfinite(A3), ((0, 0), (0, 0), (0, pad)))
        bad_a = bad_a.reshape(nb, M, ng, L).any(-1)
        bad_b = np.pad(~np.isfinite(B3), ((0, 0), (0, pad), (0, 0)))
        bad_b = bad_b.reshape(nb, ng, L * N).any(-1)
        args = (
            A3, B3, flat(ea, (M, K)), flat(eb, (K, N)), C3, bad_a, bad_b,
            L, core.F, rho, core.e_zero, c_emin, promote, D,
        )  # fmt: skip
        run_rows(_k.t_matmul, args, nb * M, nb * M * N * K)
    out_dtype = np.float16 if (core.acc == "float16" and not promote) else np.float32
    out = D.reshape(*batch, M, N).astype(out_dtype)
    nan = np.isnan(out)
    if nan.any():
        canon = np.array(0x7FFF if out_dtype == np.float16 else 0x7FFFFFFF)
        out[nan] = canon.astype(np.uint16 if out_dtype == np.float16 else np.uint32).view(out_dtype)
    return out
