"""The kernel parameter block: slot numbers, rounding-mode numbers, and its builder.

Format and rounding parameters travel in a small int64 array ``P``, so each kernel
compiles once per container dtype rather than once per format or mode. The builder
reads a format's attributes (``mbits``, ``emin``, ...) and a rounding mode's ``code``; it never
imports the classes, so this layer depends on nothing else of numerics.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

# Parameter slots of the int64 array ``P``.
(
    P_M,  # fraction bits of the target
    P_EMIN,  # exponent of the smallest normal
    P_EMAX,  # exponent of the largest finite value
    P_MAXCODE,  # magnitude code of the largest finite value
    P_ZERO,  # the target has a zero
    P_SIGNED,
    P_NEGZERO,
    P_HASINF,
    P_HASNAN,
    P_SUBN,  # subnormals produced (format has them and the caller did not disable them)
    P_SAT,
    P_MODE,
    P_SRBITS,  # random bits used by stochastic rounding, 1..64
    P_MB,  # container fraction bits: 23 or 52
    P_BIASC,  # container exponent bias: 127 or 1023
    P_SSH,  # container sign-bit position: 31 or 63
    P_NANPOS,  # code of NaN for a positive (or unsigned) NaN (if P_HASNAN)
    P_NANNEG,  # code of NaN for a negative NaN (if P_HASNAN)
    P_SIGNPOS,  # bit position of the target's sign bit
    # The fast path: inputs whose container bits lie in [P_LOBITS, P_HIBITS] are normal in
    # the target and cannot overflow, so rounding is an add and a mask on the bits.
    P_FAST,  # 1 if the fast path applies to this format and mode
    P_LOBITS,  # container bits of the smallest normal of the target
    P_HIBITS,  # container bits of the target's largest finite value
    P_D,  # container fraction bits dropped: MB - m
    P_INC,  # the increment's constant part: half - 1 (RNE), half (RNA) or 0
    P_USELSB,  # add the kept LSB (RNE)
    P_PFLIP,  # flip of that LSB where the code's parity is the exponent's (m = 0)
    P_INCPOS,  # added for positive inputs (lowmask for UP)
    P_INCNEG,  # added for negative inputs (lowmask for DOWN)
    # The fast path's extensions below the target's normal range: inputs whose bits lie
    # in [P_SUBLO, P_LOBITS) (subnormal in the target, at least its smallest subnormal,
    # normal in the container) round on their bits with more bits dropped; those in
    # [P_FASTLO, P_SUBLO) (below the smallest subnormal) round to 0 or to it (beyond
    # P_HALFQ, the bits of half of it, to nearest); and a zero input (bits below
    # P_ZLIM: 1 where zeros keep their sign, else 0) stays as it is.
    P_SUBLO,
    P_FASTLO,
    P_HALFQ,
    P_ZLIM,
    P_LOFIELD,  # container exponent field of the target's smallest normal
    P_LEN,
) = range(34)

# Rounding mode numbers, in the order of numerics.Rounding.
RNE, RNA, RTZ, RUP, RDOWN, RODD, RSR, RSREQ = range(8)

# Result kinds of numerics._core.rounding.round_one.
FINITE, NAN, INF = 0, 1, 2

# Exact sums rounded through round-to-odd in float64 serve formats of at most this
# many fraction bits (see numerics._core.rounding.to_odd).
MAX_EXACT_SUM_BITS = 50


def check_exact_sum_format(fmt, needs: str) -> None:
    """Raise unless ``fmt`` has at most :data:`MAX_EXACT_SUM_BITS` fraction bits, the
    limit of rounding an exact ``hi + lo`` once through round-to-odd. ``needs`` opens
    the message: "emulated arithmetic needs", say."""
    if fmt.mbits > MAX_EXACT_SUM_BITS:
        raise ValueError(
            f"{needs} a format of at most {MAX_EXACT_SUM_BITS} fraction bits, not {fmt}"
        )


def nan_codes(fmt) -> tuple[int, int]:
    """Codes for a positive and a negative NaN (-1 where the format has none)."""
    mag_bits = fmt.ebits + fmt.mbits
    sign = 1 << mag_bits if fmt.signed else 0
    style = fmt.nan.value
    if style == "ieee":
        pos = ((2**fmt.ebits - 1) << fmt.mbits) | (1 << (fmt.mbits - 1))
    elif style == "fn":
        pos = 2**mag_bits - 1
    elif style == "fnuz":
        return sign, sign
    else:
        return -1, -1
    return pos, pos | sign


def params(fmt, mode, *, saturate: bool, subnormals: bool, sr_bits, container) -> np.ndarray:
    """The int64 parameter array the kernels read (its slots are named above): a fresh
    copy of one built once per set of arguments. ``fmt`` is a resolved
    ``numerics.Format`` and ``mode`` a ``numerics.Rounding`` (its ``code`` and
    ``value`` are read): the public boundary resolves names, never this layer."""
    key = (fmt, mode, bool(saturate), bool(subnormals), sr_bits, container.mbits)
    P = _PARAMS.get(key)
    if P is None:
        P = _build(fmt, mode, saturate, subnormals, sr_bits, container)
        if len(_PARAMS) < 4096:
            _PARAMS[key] = P
    return P.copy()


_PARAMS: dict[tuple, np.ndarray] = {}


def _build(fmt, mode, saturate, subnormals, sr_bits, container) -> np.ndarray:
    if sr_bits is not None:
        if mode.code != RSR:
            raise ValueError(f"sr_bits applies to stochastic rounding only, not {mode.value}")
        if isinstance(sr_bits, bool) or not isinstance(sr_bits, numbers.Integral):
            raise TypeError(f"sr_bits must be an int, got {sr_bits!r}")
        if not 1 <= sr_bits <= 64:
            raise ValueError(f"sr_bits must be in 1..64, got {sr_bits}")
    P = np.zeros(P_LEN, dtype=np.int64)
    P[P_M] = fmt.mbits
    P[P_EMIN] = fmt.emin
    P[P_EMAX] = fmt.emax
    P[P_MAXCODE] = fmt.max_code
    P[P_ZERO] = fmt.zero
    P[P_SIGNED] = fmt.signed
    P[P_NEGZERO] = fmt.negzero
    P[P_HASINF] = fmt.inf
    P[P_HASNAN] = fmt.has_nan
    P[P_SUBN] = fmt.subnormals and bool(subnormals)
    P[P_SAT] = bool(saturate)
    P[P_MODE] = mode.code
    P[P_SRBITS] = 64 if sr_bits is None else int(sr_bits)
    P[P_MB] = container.mbits
    P[P_BIASC] = container.bias
    P[P_SSH] = container.sign_shift
    # codes as int64 bit patterns: float64's negative NaN wraps to a negative int64
    P[P_NANPOS], P[P_NANNEG] = (c - 2**64 if c >= 2**63 else c for c in nan_codes(fmt))
    P[P_SIGNPOS] = fmt.ebits + fmt.mbits
    _fast_path(P, fmt, mode.code, container)
    return P


def _fast_path(P: np.ndarray, fmt, mode: int, c) -> None:
    """Fill the fast-path slots: rounding container bits by add-and-mask is exact for
    inputs that are normal in both the container and the target and at most max."""
    d = c.mbits - fmt.mbits
    if d < 1 or mode in (RODD, RSREQ):
        return
    lo = max(fmt.emin, c.emin)
    if lo > fmt.emax:
        return
    bits = np.array([math.ldexp(1.0, lo), min(fmt.max, c.max)], dtype=c.dtype).view(c.uint)
    half, low = 1 << (d - 1), (1 << d) - 1
    inc, uselsb, incpos, incneg = {
        RNE: (half - 1, 1, 0, 0),
        RNA: (half, 0, 0, 0),
        RTZ: (0, 0, 0, 0),
        RUP: (0, 0, low, 0),
        RDOWN: (0, 0, 0, low),
        RSR: (0, 0, 0, 0),
    }[mode]
    P[P_FAST] = 1
    P[P_LOBITS], P[P_HIBITS] = int(bits[0]), int(bits[1])
    P[P_LOFIELD] = lo + c.bias
    # target subnormals from its smallest one (or the container's smallest normal) up;
    # with no zero (or flushed subnormals) none: their rounding differs
    sub = fmt.zero and fmt.subnormals and bool(P[P_SUBN]) and fmt.emin > c.emin
    zeros = fmt.zero and (fmt.negzero or not fmt.signed)  # a zero keeps its sign
    q = fmt.emin - fmt.mbits  # exponent of the smallest subnormal
    lows = np.array([math.ldexp(1.0, e) for e in (max(q, c.emin), c.emin, q - 1)], c.dtype)
    lows = lows.view(c.uint)
    P[P_SUBLO] = int(lows[0]) if sub else int(bits[0])
    # deep underflow: from the container's smallest normal, where that lies below
    deep = sub and zeros and q > c.emin
    P[P_FASTLO] = int(lows[1]) if deep else P[P_SUBLO]
    P[P_HALFQ] = int(lows[2]) if deep else 0
    P[P_ZLIM] = int(zeros)
    P[P_D] = d
    P[P_INC] = inc
    P[P_USELSB] = uselsb
    # with no fraction bits the code's LSB is the exponent's, whose parity differs
    # from the container exponent's when the biases differ by an odd number
    P[P_PFLIP] = (c.bias - fmt.bias) & 1 if fmt.mbits == 0 else 0
    P[P_INCPOS], P[P_INCNEG] = incpos, incneg


def rne_constants(fmt) -> tuple[int, float]:
    """``(addexp, msub)`` of :func:`numerics._core.rounding.rne_magnitude` for ``fmt``:
    the float64 exponent-field offset that turns ``a``'s binade into the adder's, and
    the adder of the subnormal range."""
    return (52 - fmt.mbits) << 52, 1.5 * 2.0 ** (fmt.emin - fmt.mbits + 52)
