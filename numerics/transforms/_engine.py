"""Plans, tables and the drivers that run them natively or emulated in a format."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np

from .._core.containers import F64, fits
from .._core.params import check_exact_sum_format, params, rne_constants
from .._core.random_words import seed_key
from ..formats import cast
from ..formats.format import Format
from ..formats.registry import as_format
from ..formats.rounding import Rounding, as_rounding
from . import _lanes, _native, _steps, _tracked

# Batches with at least this many values run rows in parallel.
_PARALLEL_MIN = 1 << 15


@dataclass(frozen=True, eq=False)
class Spec:
    """A transform of rows of length ``n``: its plan and its exact (float64) tables."""

    name: str
    n: int
    plan: np.ndarray
    C: np.ndarray
    S: np.ndarray
    TC: np.ndarray
    TS: np.ndarray
    consts: np.ndarray
    R: np.ndarray

    def tables(self) -> tuple[np.ndarray, ...]:
        """The real-valued tables (which a format rounds) then the bit-reversal pairs."""
        return self.C, self.S, self.TC, self.TS, self.consts, self.R


@functools.lru_cache(maxsize=64)
def _fft_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-stage twiddles: ``cos(2 pi k / L)`` at ``L/4 + k`` for ``k < L/4``, each
    from the angle nearer zero (so the sines of small angles keep full accuracy)."""
    c = np.zeros(max(n // 2, 1))
    s = np.zeros_like(c)
    L = 4
    while L <= n:
        k = np.arange(L // 4)
        near = k <= L // 8
        ang = 2 * np.pi * np.where(near, k, L // 4 - k) / L
        c[L // 4 :][: L // 4] = np.where(near, np.cos(ang), np.sin(ang))
        s[L // 4 :][: L // 4] = np.where(near, np.sin(ang), np.cos(ang))
        L *= 2
    return c, s


def _plan(*rows) -> np.ndarray:
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


_EMPTY = np.zeros(1)


def _spec(name, n, plan, TC=_EMPTY, TS=_EMPTY, consts=_EMPTY) -> Spec:
    C, S = _fft_tables(n)
    return Spec(name, n, plan, C, S, TC, TS, consts, _steps.bitrev_pairs(n))


@functools.lru_cache(maxsize=64)
def rdfft_spec(n: int, scale: bool = False) -> Spec:
    return _spec("rdfft", n, _plan((_steps.BITREV, 0, 0, 0), (_steps.FWD, 2, n, int(scale))))


@functools.lru_cache(maxsize=64)
def irdfft_spec(n: int) -> Spec:
    return _spec("irdfft", n, _plan((_steps.INV, 2, n, 0), (_steps.BITREV, 0, 0, 0)))


@functools.lru_cache(maxsize=64)
def dct_spec(n: int, type: int, norm: str | None, inverse: bool, scale: bool) -> Spec:
    """DCT-II or DCT-III (scipy's definitions), or their inverses, through the rdFFT.

    DCT-II (Makhoul): reorder, rdFFT, then twist by ``w_k = exp(-i pi k / 2n)``:
    ``y_k = 2 Re(w_k V_k)``, ``y_{n-k} = -2 Im(w_k V_k)``. Every other variant is the
    exact inverse pipeline (twist by the conjugate, inverse rdFFT, undo the reorder)
    or the forward one with other twist constants.
    """
    forward = (type == 2) != inverse
    k = np.arange(n // 2 + 1)
    cos, sin = np.cos(np.pi * k / (2 * n)), np.sin(np.pi * k / (2 * n))
    if forward:
        # constants (slot 0, slot n/2, cos/sin factor) of the transform that is run
        if norm == "ortho":
            g0 = gh = 1 / math.sqrt(n)
            f = math.sqrt(2 / n)
        else:
            g0, gh, f = 2.0, math.sqrt(2.0), 2.0
        if inverse:  # idct of type 3 = dct-II / 2n (ortho: the same as dct-II)
            div = 1.0 if norm == "ortho" else 2.0 * n
            g0, gh, f = g0 / div, gh / div, f / div
    else:
        if norm == "ortho":
            g0 = gh = math.sqrt(n)
            f = math.sqrt(n / 2)
        else:
            g0, gh, f = 0.5, 1 / math.sqrt(2.0), 0.5
        if not inverse:  # dct-III = 2n times the inverse of dct-II
            mul = 1.0 if norm == "ortho" else 2.0 * n
            g0, gh, f = g0 * mul, gh * mul, f * mul
    TC, TS = f * cos, f * sin
    TC[0] = g0
    TC[-1] = gh if n > 1 else g0
    name = "idct" if inverse else "dct"
    if n == 1:
        return _spec(name, n, _plan((_steps.TWIST, 0, 0, 0)), TC[:1], TS[:1])
    if forward:
        plan = _plan(
            (_steps.MAKHOUL, 0, 0, 0),
            (_steps.BITREV, 0, 0, 0),
            (_steps.FWD, 2, n, int(scale)),
            (_steps.TWIST, 0, 0, 0),
        )
    else:
        if scale:
            TC, TS = TC / n, TS / n
        plan = _plan(
            (_steps.TWIST, 0, 0, 0),
            (_steps.INV, 2, n, 0),
            (_steps.BITREV, 0, 0, 0),
            (_steps.UNMAKHOUL, 0, 0, 0),
        )
    return _spec(name, n, plan, TC, TS)


@functools.lru_cache(maxsize=64)
def fwht_spec(n: int, block: int, normalize: bool, scale: bool) -> Spec:
    steps = [(_steps.WHT, 1, block // 2, int(scale))] if block > 1 else []
    consts = _EMPTY
    if normalize and block > 1:
        consts = np.array([math.sqrt(block) if scale else 1 / math.sqrt(block)])
        steps.append((_steps.SCALE, 0, 0, 0))
    return _spec("fwht", n, _plan(*steps), consts=consts)


# --- tables in a dtype or a format -------------------------------------------------


@functools.lru_cache(maxsize=128)
def rounded_tables(spec: Spec, fmt: Format | None, dtype: np.dtype) -> tuple[np.ndarray, ...]:
    """The spec's tables in ``dtype`` (``fmt=None``) or rounded to nearest into ``fmt``."""
    *real, R = spec.tables()
    if fmt is None:
        return (*(np.ascontiguousarray(t, dtype=dtype) for t in real), R)
    return (*(cast(t, fmt, saturate=True) for t in real), R)


def twiddle_error(spec: Spec, fmt: Format) -> float:
    """The largest relative representation error of the spec's twiddles in ``fmt``."""
    worst = 0.0
    tables = rounded_tables(spec, fmt, np.dtype(np.float64))
    for exact, got in zip(spec.tables()[:-1], tables[:-1], strict=True):
        nz = exact != 0
        if nz.any():
            worst = max(worst, float(np.max(np.abs(got[nz] - exact[nz]) / np.abs(exact[nz]))))
    return worst


# --- input checks ------------------------------------------------------------------


def check_array(x, what: str = "x") -> np.ndarray:
    """``x`` as a writeable float32/float64 array whose last axis is a power of two."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{what} must be a numpy array (transforms work in place), got {type(x)}")
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"{what} must be float32 or float64, got {x.dtype}")
    if x.ndim == 0:
        raise ValueError(f"{what} must have at least one axis")
    n = x.shape[-1]
    if n < 1 or n & (n - 1):
        raise ValueError(f"the last axis of {what} must have a power-of-two length, got {n}")
    if not x.flags.writeable:
        raise ValueError(f"{what} is read-only; the transforms work in place")
    return x


@dataclass(frozen=True)
class Emulation:
    """A format and rounding to emulate a transform in (``None`` format: native)."""

    fmt: Format | None = None
    mode: Rounding = Rounding.NEAREST_EVEN
    key: int = 0
    saturate: bool = False

    def kind(self, track: bool) -> int:
        nearest = self.mode in (Rounding.NEAREST_EVEN, Rounding.NEAREST_AWAY)
        fast_ok = self.fmt.mbits <= 26 or (self.fmt.mbits == 52 and self.fmt.emin == -1022)
        return _tracked.FAST if (nearest and fast_ok and not track) else _tracked.EXACT


def emulation(fmt, rounding, seed, saturate, dtype: np.dtype) -> Emulation:
    """Check and resolve the emulation arguments against the data's dtype."""
    mode = as_rounding(rounding)
    if fmt is None:
        if mode != Rounding.NEAREST_EVEN or seed is not None:
            raise ValueError("rounding and seed need fmt=...: native transforms round to nearest")
        return Emulation()
    f = as_format(fmt)
    if not (f.mbits == 52 and mode == Rounding.NEAREST_EVEN):
        check_exact_sum_format(f, "emulated transforms need")
    if dtype == np.float32 and not fits(f, "float32")[0]:
        # results are written back into the data: they must be exact there
        raise ValueError(f"float32 data cannot hold every value of {f.name}; use float64 data")
    key = seed_key(seed) if mode.is_stochastic else 0
    return Emulation(f, mode, key, bool(saturate))


def _inline_rne(em: Emulation) -> bool:
    """Whether the magic-constant rounding (:func:`numerics._core.rounding.rne_magnitude`)
    serves this emulation: nearest even into a format with signed zero and subnormals,
    narrow enough that the adder keeps every bit (not float64 itself)."""
    f = em.fmt
    nearest = em.mode == Rounding.NEAREST_EVEN
    return nearest and f.mbits <= 26 and f.zero and f.subnormals and f.negzero


def _params(em: Emulation) -> np.ndarray:
    return params(
        em.fmt, em.mode, saturate=em.saturate, subnormals=True, sr_bits=None, container=F64
    )


def _rows(x: np.ndarray) -> np.ndarray:
    return x.reshape(-1, x.shape[-1])


def native_args(plan: np.ndarray, tables: tuple) -> tuple:
    """The arguments of :func:`numerics.transforms._native.run_rows` after the rows: the
    plan, the tables, and None for the step kinds the plan lacks (the twist table, the
    inverse and Walsh-Hadamard markers), so that their kernels are not compiled."""
    C, S, TC, TS, consts, R = tables
    kinds = set(plan[:, 0].tolist())
    TC = TC if _steps.TWIST in kinds else None
    inv = True if _steps.INV in kinds else None
    wht = True if _steps.WHT in kinds else None
    return plan, C, S, TC, TS, consts, R, inv, wht


def run(spec: Spec, x: np.ndarray, em: Emulation) -> np.ndarray:
    """Run ``spec`` on every row of ``x`` in place (natively or emulated); return ``x``."""
    work = x if x.flags.c_contiguous else np.ascontiguousarray(x)
    rows = _rows(work)
    if em.fmt is None:
        args = native_args(spec.plan, rounded_tables(spec, None, x.dtype))
        big = rows.size >= _PARALLEL_MIN and rows.shape[0] > 1 and numba.get_num_threads() > 1
        (_native.run_rows if big else _native.run_rows_serial)(rows, *args)
    else:
        cast(rows, em.fmt, saturate=em.saturate, out=rows)
        r64 = rows if rows.dtype == np.float64 else rows.astype(np.float64)
        execute(spec, r64, em, track=False)
        if r64 is not rows:
            rows[...] = r64
    if work is not x:
        x[...] = work
    return x


def execute(
    spec: Spec,
    rows: np.ndarray,
    em: Emulation | None,
    track: bool = False,
    low: np.ndarray | None = None,
    twiddles_in: Format | None = None,
):
    """Run the tracked kernel on float64 ``rows`` (C-contiguous, 2-d) in place.

    ``em=None`` runs in double-double: ``low`` (same shape) holds the low parts, and
    the tables are the exact float64 ones, or those rounded into ``twiddles_in``.
    Returns the per-row stage statistics and, when tracking, the stage errors
    ``(rows, stages, n)``.
    """
    nst = len(_steps.error_stages(spec.plan))
    nrow, n = rows.shape
    ST = np.zeros((nrow, max(nst, 1), _tracked.N_STATS))
    # None selects the kernels' variants (see numerics.transforms._tracked): no stage
    # errors unless tracking, no low parts unless DD, no inline rounding unless FAST
    DL = np.zeros((nrow, nst, n)) if track else None
    if em is None:
        kind, P, key = _tracked.DD, _params(Emulation(as_format("float64"))), 0
        tabs = (
            spec.tables()
            if twiddles_in is None
            else rounded_tables(spec, twiddles_in, np.dtype(np.float64))
        )
        XL = low if low is not None else np.zeros_like(rows)
    else:
        kind, P, key = em.kind(track), _params(em), em.key
        tabs = rounded_tables(spec, em.fmt, np.dtype(np.float64))
        XL = None
    # the steps and tables the plan lacks go as None, so that their kernels compile
    # only for a plan that has them
    kinds = set(spec.plan[:, 0].tolist())
    C, S, TC, TS, consts, R = tabs
    if _steps.TWIST not in kinds:
        TC = TS = None
    if _steps.SCALE not in kinds:
        consts = None
    steps = tuple(True if k in kinds else None for k in (_steps.FWD, _steps.INV, _steps.WHT))
    big = rows.size >= _PARALLEL_MIN and nrow > 1 and numba.get_num_threads() > 1
    fmt = as_format("float64") if em is None else em.fmt
    mode = Rounding.NEAREST_EVEN if em is None else em.mode
    K = _lanes.lane_constants(fmt, mode.code, P)
    with np.errstate(all="ignore"):
        if K is not None:
            # rows as vector lanes (see numerics.transforms._lanes): the same results
            lanes = _lanes.run_lanes if big else _lanes.run_lanes_serial
            stochastic = em is not None and em.mode.is_stochastic
            lanes(rows, XL, spec.plan, C, S, TC, TS, consts, R, steps, K, P,
                  np.uint64(key) if stochastic else None,
                  True if kind == _tracked.FAST else None, ST, DL, lane_width(n))  # fmt: skip
            return ST, DL
        rne = None
        if kind == _tracked.FAST:
            rne = np.zeros(5)
            if _inline_rne(em):
                addexp, msub = rne_constants(em.fmt)
                rne[:] = (1, addexp, msub, 2 * em.fmt.max, em.fmt.max)
        kernel = _tracked.run_rows if big else _tracked.run_rows_serial
        kernel(rows, XL, spec.plan, C, S, TC, TS, consts, R, steps, P, np.uint64(key), rne, ST, DL)
    return ST, DL


def lane_width(n: int) -> int:
    """Rows per lane block: at least 16 lanes, at most 64, and about 2**16 values per
    block (two blocks then fit in a core's L2 cache)."""
    return int(min(64, max(16, (1 << 16) // n)))
