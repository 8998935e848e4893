"""A scalar transcription of MMA-Sim's tensor-core models in exact rationals.

Written from the description of MMA-Sim's algorithms (T-FDPA, ST-FDPA, GST-FDPA),
independently of numerics' kernels: every value is a ``Fraction`` or one of the
markers ``"nan"``, ``"+inf"``, ``"-inf"``; nothing is vectorised or in floating point.
Used on small cases only.
"""

from __future__ import annotations

import math
from fractions import Fraction

NAN, PINF, NINF = "nan", "+inf", "-inf"


def from_float(x: float):
    """A float as a Fraction or a marker."""
    if math.isnan(x):
        return NAN
    if math.isinf(x):
        return PINF if x > 0 else NINF
    return Fraction(x)


def exponent(v: Fraction, emin: int) -> int:
    """floor(log2|v|), at least emin (subnormals keep the format's emin)."""
    a = abs(v)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    return max(e, emin)


def trunc_to(v: Fraction, quantum: Fraction) -> Fraction:
    """v truncated toward zero to a multiple of quantum."""
    q = abs(v) / quantum
    n = q.numerator // q.denominator
    return n * quantum * (1 if v >= 0 else -1)


def _special_sum(markers):
    if NAN in markers:
        return NAN
    if PINF in markers and NINF in markers:
        return NAN
    if PINF in markers:
        return PINF
    if NINF in markers:
        return NINF
    return None


def _mul(x, y):
    """Product of two decoded values: a Fraction, or a marker."""
    if NAN in (x, y):
        return NAN
    xi, yi = isinstance(x, str), isinstance(y, str)
    if xi or yi:
        other = y if xi else x
        if not isinstance(other, str) and other == 0:
            return NAN
        neg = (x == NINF or (not xi and x < 0)) != (y == NINF or (not yi and y < 0))
        return NINF if neg else PINF
    return x * y


def normalise(v, rounding: str):
    """The output of one step: a float (Python float: float32 or float16 values)."""
    if isinstance(v, str):
        return {NAN: math.nan, PINF: math.inf, NINF: -math.inf}[v]
    if v == 0:
        return 0.0  # -0 never appears: +0
    keep, emin, limit = {
        "rz_fp32": (23, -126, Fraction(2) ** 128),
        "rz_e8m13": (13, -126, Fraction(2) ** 128),
        "rne_fp16": (10, -14, Fraction(2) ** 16),
    }[rounding]
    e = exponent(v, emin)
    quantum = Fraction(2) ** (e - keep)
    if rounding == "rne_fp16":
        q = v / quantum
        n = math.floor(q)
        rest = q - n
        if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and n % 2):
            n += 1
        r = n * quantum
    else:
        r = trunc_to(v, quantum)
    if abs(r) >= limit:
        return math.inf if r > 0 else -math.inf
    return float(r) + 0.0


def fdpa(terms, c, c_emin, F, e_zero, rounding, extra_markers=()):
    """One truncated fused sum. terms: list of (value, alignment exponent) with
    value a Fraction or marker; zero terms are given e_zero, as is a zero c."""
    markers = [t for t, _ in terms if isinstance(t, str)] + list(extra_markers)
    cv = from_float(c)
    if isinstance(cv, str):
        markers.append(cv)
    sp = _special_sum(markers)
    if sp:
        return normalise(sp, rounding)
    all_terms = [(v, e if v != 0 else e_zero) for v, e in terms]
    all_terms.append((cv, exponent(cv, c_emin) if cv != 0 else e_zero))
    e_max = max(e for _, e in all_terms)
    quantum = Fraction(2) ** (e_max - F)
    total = sum((trunc_to(v, quantum) for v, _ in all_terms), Fraction(0))
    return normalise(total, rounding)


def t_dot(a, b, c, *, a_emin, b_emin, F, L, e_zero, rounding, c_emin,
          a_scale_exps=None, b_scale_exps=None, promote=0):  # fmt: skip
    """One output of a chained T-FDPA (or ST-FDPA with power-of-two block scales
    given per element as exponents, NaN scales as None)."""
    acc = c
    chunk_acc = None
    if promote:
        chunk_acc, acc = c, 0.0
    for g0 in range(0, len(a), L):
        if promote and g0 and g0 % promote == 0:
            chunk_acc = _fp32_rne_add(chunk_acc, acc)
            acc = 0.0
        terms, extra = [], []
        for k in range(g0, min(g0 + L, len(a))):
            x, y = from_float(a[k]), from_float(b[k])
            p = _mul(x, y)
            if isinstance(p, str):
                terms.append((p, 0))
                continue
            e = (exponent(x, a_emin) if x != 0 else 0) + (exponent(y, b_emin) if y != 0 else 0)
            if a_scale_exps is not None:
                sa, sb = a_scale_exps[k], b_scale_exps[k]
                if sa is None or sb is None:
                    extra.append(NAN)
                    continue
                p *= Fraction(2) ** (sa + sb)
                e += sa + sb
            terms.append((p, e))
        acc = fdpa(terms, acc, c_emin, F, e_zero, rounding, extra)
        if rounding == "rne_fp16":
            c_emin = -14
        else:
            c_emin = -126
    if promote:
        return _fp32_rne_add(chunk_acc, acc)
    return acc


def _fp32_rne_add(x: float, y: float) -> float:
    import numpy as np

    return float(np.float32(x) + np.float32(y))


def gst_dot(a, b, c, sa, sb, *, G=16, block=32, L=64, F=35, e_zero=-139, scale_emin=-127):
    """One output of the chained grouped block-scaled form. sa, sb: one scale value
    per block (floats; NaN allowed)."""
    acc = c
    for g0 in range(0, len(a), L):
        terms, extra = [], []
        for q0 in range(g0, min(g0 + L, len(a)), G):
            blk = q0 // block
            s1, s2 = from_float(abs(sa[blk])), from_float(abs(sb[blk]))
            prods = [Fraction(a[k]) * Fraction(b[k]) for k in range(q0, q0 + G)]
            if NAN in (s1, s2):
                extra.append(NAN)
                continue
            if all(p == 0 for p in prods) or s1 == 0 or s2 == 0:
                terms.append((Fraction(0), e_zero))
                continue
            e1, e2 = exponent(s1, scale_emin), exponent(s2, scale_emin)
            # the group sum is not renormalised: it is aligned at the scales' exponent
            terms.append((sum(prods, Fraction(0)) * s1 * s2, e1 + e2))
        markers = list(extra)
        cv = from_float(acc)
        if isinstance(cv, str):
            markers.append(cv)
        sp = _special_sum(markers)
        if sp:
            acc = normalise(sp, "rz_fp32")
            continue
        all_terms = list(terms)
        all_terms.append((cv, exponent(cv, -126) if cv != 0 else e_zero))
        e_max = max(e for _, e in all_terms)
        quantum = Fraction(2) ** (e_max - F)
        acc = normalise(sum((trunc_to(v, quantum) for v, _ in all_terms), Fraction(0)), "rz_fp32")
    return acc
