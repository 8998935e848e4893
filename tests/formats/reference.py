"""An independent reference for rounding into a format, written from the spec.

It shares no code with numerics' kernels: every code of the format is decoded exactly
with ``fractions.Fraction`` from the field layout, the finite values are sorted, and an
input is rounded by finding its two neighbours and choosing per mode. ``round_scalar``
works in Fractions; ``round_array`` vectorises the same rules in float64, where every
comparison is exact (values and midpoints of formats of up to 52 fraction bits are
float64 numbers), so the exhaustive tests stay fast. ``test_reference.py`` checks that
the two agree.
"""

from __future__ import annotations

import bisect
import math
from fractions import Fraction
from functools import cache

import numpy as np

MODES = ("nearest_even", "nearest_away", "toward_zero", "up", "down", "odd")


@cache
def grid(ebits, mbits, bias, signed, inf, nan, negzero, subnormals, zero):
    """Exact magnitudes of every finite magnitude code, in code order, and the code
    count of the top specials. ``nan`` is the style's string."""
    top = {"ieee": 2**mbits - 1, "fn": 1}.get(nan, 0) + int(inf)
    ncodes = 2 ** (ebits + mbits) - top
    mags = []
    for code in range(ncodes):
        e, f = code >> mbits, code % 2**mbits
        if zero and e == 0:
            v = Fraction(f, 2**mbits) * Fraction(2) ** (1 - bias) if subnormals else Fraction(0)
        elif zero:
            v = (1 + Fraction(f, 2**mbits)) * Fraction(2) ** (e - bias)
        else:
            v = (1 + Fraction(f, 2**mbits)) * Fraction(2) ** (e - bias)
        mags.append(v)
    return tuple(mags)


def key(fmt):
    return (
        fmt.ebits,
        fmt.mbits,
        fmt.bias,
        fmt.signed,
        fmt.inf,
        fmt.nan.value,
        fmt.negzero,
        fmt.subnormals,
        fmt.zero,
    )


def _choose(mode, x, lo, hi, lo_code, neg):
    """Pick lo or hi (magnitudes, lo < x < hi) for magnitude x of sign neg."""
    if mode == "toward_zero":
        return lo
    if mode == "up":
        return lo if neg else hi
    if mode == "down":
        return hi if neg else lo
    if mode == "odd":
        return lo if lo_code % 2 == 1 else hi
    mid = (lo + hi) / 2
    if x < mid:
        return lo
    if x > mid:
        return hi
    if mode == "nearest_away":
        return hi
    return lo if lo_code % 2 == 0 else hi


def round_scalar(x: float, fmt, mode: str = "nearest_even", saturate=False, subnormals=True):
    """The value of ``x`` rounded into ``fmt``, exactly (a float, NaN or +-Inf)."""
    mags = grid(*key(fmt))
    maxv = mags[-1]
    minv = mags[0]  # 0, or the smallest value of a format without zero
    ftz = not (subnormals and fmt.subnormals)
    m = fmt.mbits
    min_normal = Fraction(2) ** (1 - fmt.bias if fmt.zero else -fmt.bias)
    toward0 = {"toward_zero": (True, True), "odd": (True, True), "up": (False, True)}
    toward0["down"] = (True, False)

    def overflow(neg):
        # finite overflow: per rounding direction
        t0 = toward0.get(mode, (False, False))[int(neg)]
        if saturate or t0:
            return maxv
        if fmt.inf:
            return math.inf
        if fmt.nan.value != "none":
            return math.nan
        return maxv

    if math.isnan(x):
        return math.nan
    neg = math.copysign(1.0, x) < 0
    if math.isinf(x):
        if saturate:
            mag = maxv
        elif fmt.inf:
            mag = math.inf
        elif fmt.nan.value != "none":
            return math.nan
        else:
            mag = maxv
    elif x == 0:
        if not fmt.zero:
            return math.nan if (fmt.nan.value != "none" and not saturate) else float(minv)
        mag = Fraction(0)
    else:
        ax = abs(Fraction(x))
        if not fmt.zero and ax < minv:
            mag = minv
        elif ax > maxv:
            # the grid continues above max with max's spacing: the next value's code is
            # max_code + 1
            e_max = floor_log2(maxv)
            nxt = maxv + Fraction(2) ** (e_max - m)
            if ax >= nxt:
                mag = overflow(neg)
            else:
                r = _choose(mode, ax, maxv, nxt, len(mags) - 1, neg)
                mag = maxv if r == maxv else overflow(neg)
        elif ftz and ax < min_normal:
            # round with the exponent unbounded below, then flush what stays subnormal
            e = floor_log2(ax)
            q = Fraction(2) ** (e - m)
            n_lo = math.floor(ax / q)
            if n_lo * q == ax:
                r = ax
            else:
                lo, hi = n_lo * q, (n_lo + 1) * q
                parity = n_lo if m > 0 else e + fmt.bias
                r = _choose(mode, ax, lo, hi, parity, neg)
            mag = min_normal if r >= min_normal else Fraction(0)
        else:
            i = bisect.bisect_left(mags, ax)
            if mags[i] == ax:
                mag = ax
            else:
                mag = _choose(mode, ax, mags[i - 1], mags[i], i - 1, neg)
    if isinstance(mag, float) and math.isnan(mag):  # overflow to NaN
        return mag
    if neg and not fmt.signed and mag != 0:
        if saturate or fmt.nan.value == "none":
            return float(minv)
        return math.nan
    if neg and not fmt.signed:
        return 0.0
    if mag == 0:
        return -0.0 if (neg and fmt.negzero) else 0.0
    v = float(mag)
    return -v if neg else v


def floor_log2(v: Fraction) -> int:
    """``floor(log2(v))`` of a positive rational, exactly."""
    e = v.numerator.bit_length() - v.denominator.bit_length()
    if Fraction(2) ** e > v:
        e -= 1
    if Fraction(2) ** (e + 1) <= v:
        e += 1
    return e


def round_array(x: np.ndarray, fmt, mode="nearest_even", saturate=False, subnormals=True):
    """``round_scalar`` over an array, vectorised in exact float64 comparisons.

    Covers formats with subnormals (or without zero); formats rounded with flush to
    zero use :func:`round_scalar` on the values below the smallest normal.
    """
    x = np.asarray(x, dtype=np.float64)
    mags = np.array([float(v) for v in grid(*key(fmt))])
    codes = np.arange(mags.size)
    maxv, minv = mags[-1], mags[0]
    m = fmt.mbits
    e_max = floor_log2(Fraction(maxv))
    nxt = maxv + 2.0 ** (e_max - m)
    ext = np.append(mags, nxt)  # the grid continued one step above max
    ax = np.abs(x)
    neg = np.signbit(x)
    out = np.full(x.shape, np.nan)
    fin = np.isfinite(x) & (x != 0)
    i0 = np.searchsorted(ext, ax, side="left")
    exact = ext[np.minimum(i0, ext.size - 1)] == ax
    i = np.clip(i0, 1, ext.size - 1)
    hi = ext[i]
    lo = ext[i - 1]
    lo_code = codes[np.minimum(i - 1, codes.size - 1)]
    mid = (lo + hi) / 2
    if mode == "toward_zero":
        up = np.zeros(x.shape, bool)
    elif mode == "up":
        up = ~neg
    elif mode == "down":
        up = neg.copy()
    elif mode == "odd":
        up = lo_code % 2 == 0
    elif mode == "nearest_away":
        up = ax >= mid
    else:
        up = (ax > mid) | ((ax == mid) & (lo_code % 2 == 1))
    mag = np.where(exact, ax, np.where(up, hi, lo))
    over = fin & ((ax >= nxt) | (mag > maxv))
    t0 = {
        "toward_zero": np.ones(x.shape, bool),
        "odd": np.ones(x.shape, bool),
        "up": neg,
        "down": ~neg,
    }.get(mode, np.zeros(x.shape, bool))
    if fmt.inf:
        ovf = np.inf
    elif fmt.nan.value != "none":
        ovf = np.nan
    else:
        ovf = maxv
    mag = np.where(over, np.where(t0 | saturate, maxv, ovf), mag)
    if not fmt.zero:
        mag = np.where(fin & (ax < minv), minv, mag)
    out = np.where(fin, mag, out)
    # zeros, infinities
    zero_out = 0.0 if fmt.zero else (np.nan if (fmt.nan.value != "none" and not saturate) else minv)
    out = np.where(x == 0, zero_out, out)
    if saturate:
        inf_out = maxv
    else:
        inf_out = np.inf if fmt.inf else (np.nan if fmt.nan.value != "none" else maxv)
    out = np.where(np.isinf(x), inf_out, out)
    # signs
    if fmt.signed:
        keep_neg = neg & ~((out == 0) & (not fmt.negzero))
        out = np.where(keep_neg & ~np.isnan(out), -out, out)
    else:
        bad = neg & ~np.isnan(out) & ((out != 0) | (not fmt.zero))
        bad_out = minv if (saturate or fmt.nan.value == "none") else np.nan
        out = np.where(bad, bad_out, out)
    ftz = not (subnormals and fmt.subnormals) and fmt.zero
    if ftz:
        small = fin & (ax < 2.0 ** (1 - fmt.bias))
        for j in np.flatnonzero(small.ravel()):
            out.flat[j] = round_scalar(float(x.flat[j]), fmt, mode, saturate, subnormals)
    return out


INT_MODES = MODES


def round_int(x: Fraction, mode: str) -> int:
    """``x`` rounded to an integer per ``mode`` (no range limits), exactly."""
    lo = math.floor(x)
    if lo == x:
        return lo
    hi = lo + 1
    if mode == "toward_zero":
        return lo if x > 0 else hi
    if mode == "up":
        return hi
    if mode == "down":
        return lo
    if mode == "odd":
        return lo if lo % 2 else hi
    mid = Fraction(lo) + Fraction(1, 2)
    if x != mid:
        return lo if x < mid else hi
    if mode == "nearest_away":
        return hi if x > 0 else lo
    return lo if lo % 2 == 0 else hi


def round_float32(q: Fraction, mode: str) -> float:
    """``q`` rounded to float32 per ``mode``, exactly (subnormals included; no
    overflow): its 24-bit grid without building the 2**32 codes of round_scalar."""
    if q == 0:
        return 0.0
    ulp = Fraction(2) ** (max(floor_log2(abs(q)), -126) - 23)
    return float(round_int(q / ulp, mode) * ulp)
