"""Shared helpers of the format tests."""

import numpy as np

import numerics as nm

SMALL_FORMATS = [n for n in nm.format_names() if nm.get_format(n).bits <= 8]
DETERMINISTIC = ("nearest_even", "nearest_away", "toward_zero", "up", "down", "odd")


def float16_values() -> np.ndarray:
    """Every float16 bit pattern, NaNs and Infs included, as float16."""
    return np.arange(2**16, dtype=np.uint16).view(np.float16)


def same(a, b) -> np.ndarray:
    """Elementwise: equal values with equal signs, or both NaN."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    both_nan = np.isnan(a) & np.isnan(b)
    return both_nan | ((a == b) & (np.signbit(a) == np.signbit(b)))


def assert_same(got, ref, x=None, msg=""):
    ok = same(got, ref)
    if not ok.all():
        j = np.flatnonzero(~np.asarray(ok).ravel())[:5]
        xs = "" if x is None else f" x={np.asarray(x).ravel()[j]!r}"
        raise AssertionError(
            f"{msg}: {(~ok).sum()} mismatches;{xs} got={np.asarray(got).ravel()[j]!r} "
            f"ref={np.asarray(ref).ravel()[j]!r}"
        )
