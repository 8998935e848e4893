"""Plans, tables and the drivers that run them natively or emulated in a format."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np

from .._core.containers import F64, fits
from .._core.jit import run_rows
from .._core.params import (
    P_NEGZERO,
    P_SIGNED,
    P_SUBN,
    check_exact_sum_format,
    params,
    rne_constants,
)
from .._core.random_words import GOLDEN, seed_key
from .._core.twiddles import fft_tables
from ..formats import cast
from ..formats.format import Format
from ..formats.registry import as_format
from ..formats.rounding import Rounding, as_rounding
from . import _lanes, _native, _steps, _tracked

# Batches with at least this many values run rows in parallel.
_PARALLEL_MIN = 1 << 15

# Whether the emulation runs on vector lanes (numerics.transforms._lanes) where they
# are faster than the row kernels (numerics.transforms._tracked): see
# :func:`use_lanes`. Separate compute and storage formats always use them. On: the
# lanes are 4-9x faster, and with an empty numba cache their first call on a 64x1024
# bfloat16 batch compiles in about 9 s of CPU (benchmarks/cold_start.py), within the
# 10 s a first emulated transform may take (27 s while numba, not LLVM, inlined the
# roundings into every call site). False routes everything to the row kernels.
LANES = True

# Rows below which nearest rounding (FAST) stays on the row kernels: a narrow lane
# block does not vectorise, and the rows' inline nearest-even rounding is as fast.
_LANES_MIN_ROWS = 8


def use_lanes(em: Emulation | None, kind: int, nrow: int) -> bool:
    """Whether an emulation runs on the vector lanes (given that its formats have lane
    constants). Measured (``benchmarks/transforms.py --emulated``, one thread, 16 and
    64 rows): the lanes are 4-7x faster than the rows for nearest even and 4-9x for
    stochastic rounding (their branch-free rounding against the rows' scalar one).
    Nearest rounding of fewer than 8 rows stays on the rows (whose inline nearest
    rounding is as fast there): a lane block narrower than the vector width does not
    vectorise (the boundary itself is not measured). The other modes run on the lanes
    whatever the rows (measured, float8_e4m3fn stochastic and float16 up, rdfft of
    1024, 4 rows: 0.47 ms on the lanes against 1.2 and 1.0 ms on the rows; 1 row:
    the same). Double-double (the reference, ``em`` None) stays on the rows.

    Examples
    --------
    >>> use_lanes(None, _tracked.FAST, 64)  # the double-double reference
    False
    """
    if not LANES or em is None:
        return False
    return kind != _tracked.FAST or not em.mode.is_nearest or nrow >= _LANES_MIN_ROWS


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
    O: np.ndarray | None = None  # block offsets of split-radix / radix-4 levels

    def tables(self) -> tuple[np.ndarray, ...]:
        """The real-valued tables (which a format rounds) then the bit-reversal pairs."""
        return self.C, self.S, self.TC, self.TS, self.consts, self.R


def _plan(*rows) -> np.ndarray:
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


_EMPTY = np.zeros(1)


def _spec(name, n, plan, TC=_EMPTY, TS=_EMPTY, consts=_EMPTY, O=None) -> Spec:
    C, S = fft_tables(n)
    return Spec(name, n, plan, C, S, TC, TS, consts, _steps.bitrev_pairs(n), O)


# The FFT algorithms of the emulation (the ``algorithm=`` option).
ALGORITHMS = ("radix2", "radix4", "split-radix")


def check_algorithm(algorithm: str) -> str:
    """``algorithm`` if it is one of :data:`ALGORITHMS`."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    return algorithm


def plan_algorithm(em: Emulation, algorithm: str, scale: bool = False) -> str:
    """The FFT algorithm a transform's plan uses: ``algorithm`` when emulated; native
    transforms always run their own radix-2^2 passes (:mod:`._native`), which are
    bitwise the radix-2 stages. Split-radix and radix-4 are emulated without
    per-stage halving and without separate compute and storage formats."""
    check_algorithm(algorithm)
    if em.fmt is None or algorithm == "radix2":
        return "radix2"
    for bad, what in (
        (scale, "scale=True"),
        (em.compute is not None, "separate compute and storage formats"),
    ):
        if bad:
            raise ValueError(f"{what}: emulated by the radix-2 algorithm only, not {algorithm}")
    return algorithm


def _split_offsets(n: int) -> list[list[int]]:
    """The block offsets of each split-radix level (lengths 2, 4, ..., n) after the bit
    reversal: a block of length L at i holds U (length L/2) at i and Z, Z' (L/4) at
    i + L/2 and i + 3L/4; blocks of length 1 need nothing."""
    levels: list[list[int]] = [[] for _ in range(max(n.bit_length() - 1, 0))]
    todo = [(0, n)]
    while todo:
        i, L = todo.pop()
        if L < 2:
            continue
        levels[L.bit_length() - 2].append(i)
        if L > 2:
            todo += [(i, L // 2), (i + L // 2, L // 4), (i + 3 * L // 4, L // 4)]
    return [sorted(v) for v in levels]


def fft_steps(
    n: int, scale: bool, algorithm: str = "radix2"
) -> tuple[list[tuple], np.ndarray | None]:
    """The forward FFT's steps after the bit reversal, and the block offsets that the
    split-radix / radix-4 levels index (None for radix-2): radix-4 runs one radix-2
    stage of length 2 first where ``log2 n`` is odd, then levels of lengths ``4**j``
    times that (a radix-4 level of length 2: the radix-2 butterflies, so that a
    radix-4 plan has one kind of step)."""
    if algorithm == "radix2" or n < 2:
        return [(_steps.FWD, 2, n, int(scale))] if n > 1 else [], None
    if algorithm == "split-radix":
        levels = [(1 << (j + 1), offs) for j, offs in enumerate(_split_offsets(n))]
        kind = _steps.SPLIT
        rows: list[tuple] = []
    else:
        kind = _steps.RADIX4
        rows = []
        L = 4
        levels = []
        if n.bit_length() % 2 == 0:  # log2 n odd: a level of length 2 first
            levels.append((2, list(range(0, n, 2))))
            L = 8
        while L <= n:
            levels.append((L, list(range(0, n, L))))
            L *= 4
    O: list[int] = []
    for L, offs in levels:
        rows.append((kind, L, len(O), len(O) + len(offs)))
        O += offs
    return rows, np.array(O if O else [0], dtype=np.int64)


@functools.lru_cache(maxsize=64)
def rdfft_spec(n: int, scale: bool = False, algorithm: str = "radix2") -> Spec:
    steps, O = fft_steps(n, scale, algorithm)
    return _spec("rdfft", n, _plan((_steps.BITREV, 0, 0, 0), *steps), O=O)


_INVERSE = {_steps.FWD: _steps.INV, _steps.SPLIT: _steps.ISPLIT, _steps.RADIX4: _steps.IRADIX4}


def inverse_fft_steps(n: int, algorithm: str = "radix2") -> tuple[list[tuple], np.ndarray | None]:
    """The inverse FFT's steps before the bit reversal: the forward levels in reverse
    order, each block the exact inverse of the forward one (halving built in)."""
    steps, O = fft_steps(n, False, algorithm)
    return [(_INVERSE[k], a, b, flag) for k, a, b, flag in reversed(steps)], O


@functools.lru_cache(maxsize=64)
def irdfft_spec(n: int, algorithm: str = "radix2") -> Spec:
    steps, O = inverse_fft_steps(n, algorithm)
    return _spec("irdfft", n, _plan(*steps, (_steps.BITREV, 0, 0, 0)), O=O)


@functools.lru_cache(maxsize=64)
def dct_spec(
    n: int, type: int, norm: str | None, inverse: bool, scale: bool, algorithm: str = "radix2"
) -> Spec:
    """DCT-II or DCT-III (scipy's definitions), or their inverses, through the rdFFT.

    DCT-II (Makhoul): reorder, rdFFT, then twist by ``w_k = exp(-i pi k / 2n)``:
    ``y_k = 2 Re(w_k V_k)``, ``y_{n-k} = -2 Im(w_k V_k)``. Every other variant is the
    exact inverse pipeline (twist by the conjugate, inverse rdFFT, undo the reorder)
    or the forward one with other twist constants. ``algorithm``: that of the rdFFT
    (or of its inverse).
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
    O = None
    if forward:
        steps, O = fft_steps(n, scale, algorithm)
        plan = _plan(
            (_steps.MAKHOUL, 0, 0, 0),
            (_steps.BITREV, 0, 0, 0),
            *steps,
            (_steps.TWIST, 0, 0, 0),
        )
    else:
        if scale:
            TC, TS = TC / n, TS / n
        steps, O = inverse_fft_steps(n, algorithm)
        plan = _plan(
            (_steps.TWIST, 0, 0, 0),
            *steps,
            (_steps.BITREV, 0, 0, 0),
            (_steps.UNMAKHOUL, 0, 0, 0),
        )
    return _spec(name, n, plan, TC, TS, O=O)


@functools.lru_cache(maxsize=64)
def fwht_spec(n: int, block: int, normalize: bool, scale: bool) -> Spec:
    steps = [(_steps.WHT, 1, block // 2, int(scale))] if block > 1 else []
    consts = _EMPTY
    if normalize and block > 1:
        consts = np.array([math.sqrt(block) if scale else 1 / math.sqrt(block)])
        steps.append((_steps.SCALE, 0, 0, 0))
    return _spec("fwht", n, _plan(*steps), consts=consts)


# --- tables in a dtype or a format -------------------------------------------------

# How the FFT twiddles of an emulation are made (see :func:`rounded_tables`).
TWIDDLES = ("table", "compute", "recurrence")


def _rounded(values, fmt: Format, saturate: bool = False) -> np.ndarray:
    """``values`` rounded to nearest into ``fmt``, as a new float64 array. It casts a
    copy in place: the transform casts its input in place too, so a first call compiles
    one variant of the cast kernel, not an in-place and an out-of-place one (the second
    cost 1.7 s of a cold first emulated call, measured)."""
    t = np.array(values, dtype=np.float64)
    return cast(t, fmt, saturate=saturate, out=t)


@functools.lru_cache(maxsize=64)
def _computed_twiddles(n: int, fmt: Format) -> tuple[np.ndarray, np.ndarray]:
    """Twiddles computed in ``fmt`` as a GPU kernel computes them with ``cosf``/``sinf``:
    the angle ``fl(fl(2 pi) k) / L`` in the format (the division by the power of two
    ``L`` is exact), then its cosine and sine rounded to nearest into the format (a
    correctly rounded ``cos``/``sin`` of the rounded angle, up to float64's own error
    before the rounding: a misrounding needs the cosine within 2**-53 of a midpoint)."""
    c = np.zeros(max(n // 2, 1))
    s = np.zeros_like(c)
    two_pi = float(_rounded(2 * np.pi, fmt))
    L = 4
    while L <= n:
        k = np.arange(L // 4, dtype=np.float64)
        angle = _rounded(two_pi * k, fmt) / L  # two_pi * k: exact in float64 (<= 40 bits)
        c[L // 4 :][: L // 4] = _rounded(np.cos(angle), fmt)
        s[L // 4 :][: L // 4] = _rounded(np.sin(angle), fmt)
        L *= 2
    return c, s


@functools.lru_cache(maxsize=64)
def _recurrence_twiddles(n: int, fmt: Format) -> tuple[np.ndarray, np.ndarray]:
    """Twiddles by the classic recurrence ``w_k = w_{k-1} w_1`` in ``fmt``: ``w_1`` is
    ``cos, sin(2 pi / L)`` rounded to nearest, and each complex product rounds each of
    its four real products and two sums to nearest (the error grows with ``k``)."""
    c = np.zeros(max(n // 2, 1))
    s = np.zeros_like(c)

    def r(v):
        return float(_rounded(v, fmt))

    L = 4
    while L <= n:
        q = L // 4
        c1, s1 = r(math.cos(2 * math.pi / L)), r(math.sin(2 * math.pi / L))
        ck, sk = 1.0, 0.0
        for k in range(q):
            c[q + k], s[q + k] = ck, sk
            ck, sk = r(r(ck * c1) - r(sk * s1)), r(r(sk * c1) + r(ck * s1))
        L *= 2
    return c, s


@functools.lru_cache(maxsize=128)
def rounded_tables(
    spec: Spec, fmt: Format | None, dtype: np.dtype, twiddles: str = "table"
) -> tuple[np.ndarray, ...]:
    """The spec's tables in ``dtype`` (``fmt=None``) or in ``fmt``: the FFT twiddles
    made by the model ``twiddles`` (``"table"``: the float64 table rounded to nearest
    once; ``"compute"``: :func:`_computed_twiddles`; ``"recurrence"``:
    :func:`_recurrence_twiddles`), the DCT twist and other constants rounded to
    nearest once."""
    *real, R = spec.tables()
    if fmt is None:
        return (*(np.ascontiguousarray(t, dtype=dtype) for t in real), R)
    out = [_rounded(t, fmt, saturate=True) for t in real]
    if twiddles == "compute":
        out[0], out[1] = _computed_twiddles(spec.n, fmt)
    elif twiddles == "recurrence":
        out[0], out[1] = _recurrence_twiddles(spec.n, fmt)
    return (*out, R)


def twiddle_error(spec: Spec, fmt: Format, twiddles: str = "table") -> float:
    """The largest relative error of the spec's twiddles in ``fmt`` (model ``twiddles``)."""
    worst = 0.0
    tables = rounded_tables(spec, fmt, np.dtype(np.float64), twiddles)
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
    """A format and rounding to emulate a transform in (``None`` format: native).

    ``fmt`` is the storage format (the data between stages); ``compute``, where it
    differs, the format of every operation, each stage's outputs then rounded once
    more into ``fmt``; ``twiddles`` the twiddle model (see :func:`rounded_tables`)."""

    fmt: Format | None = None
    mode: Rounding = Rounding.NEAREST_EVEN
    key: int = 0
    saturate: bool = False
    compute: Format | None = None
    twiddles: str = "table"

    @property
    def arith(self) -> Format | None:
        """The format of the operations."""
        return self.compute if self.compute is not None else self.fmt

    def kind(self, track: bool) -> int:
        """The kernels' arithmetic: FAST (each operation in float64, then rounded)
        untracked where it rounds what EXACT would (nearest rounding into at most 26
        fraction bits; any mode where every float64 operation on the format's values
        is exact, :func:`exact_in_float64`), else EXACT."""
        f = self.arith
        if track:
            return _tracked.EXACT
        if self.mode.is_nearest and (f.mbits <= 26 or (f.mbits == 52 and f.emin == -1022)):
            return _tracked.FAST
        # separate compute and storage formats: the operands are storage values
        exact = self.compute is None and exact_in_float64(f)
        return _tracked.FAST if exact else _tracked.EXACT


def exact_in_float64(f: Format) -> bool:
    """Whether every sum, difference and product of two values of ``f`` is exact in
    float64, so that a float64 operation then a rounding (FAST) rounds the exact
    result in every mode, stochastic rounding included, as EXACT's error-free
    transformation then rounding does. A product of two ``p``-bit significands has
    ``2 p`` bits; a sum of two values whose quanta lie at most ``emax - emin``
    binades apart has at most ``p + emax - emin + 1`` (both at most 53: the float8,
    float6 and float4 formats and float16, not bfloat16 or tf32, whose sums can span
    more than 250 binades).

    Examples
    --------
    >>> from numerics import get_format
    >>> exact_in_float64(get_format("float16")), exact_in_float64(get_format("bfloat16"))
    (True, False)
    """
    p = f.mbits + 1
    return 2 * p <= 53 and p + f.emax - f.emin + 1 <= 53


def _check_format(f: Format, mode: Rounding) -> None:
    if not (f.mbits == 52 and mode == Rounding.NEAREST_EVEN):
        check_exact_sum_format(f, "emulated transforms need")


def emulation(
    fmt, rounding, seed, saturate, dtype: np.dtype, compute=None, twiddles: str = "table"
) -> Emulation:
    """Check and resolve the emulation arguments against the data's dtype."""
    mode = as_rounding(rounding)
    if fmt is None:
        if mode != Rounding.NEAREST_EVEN or seed is not None:
            raise ValueError("rounding and seed need fmt=...: native transforms round to nearest")
        if compute is not None or twiddles != "table":
            raise ValueError("compute and twiddles need fmt=...: they describe an emulation")
        return Emulation()
    f = as_format(fmt)
    _check_format(f, mode)
    if dtype == np.float32 and not fits(f, "float32")[0]:
        # results are written back into the data: they must be exact there
        raise ValueError(f"float32 data cannot hold every value of {f.name}; use float64 data")
    if twiddles not in TWIDDLES:
        raise ValueError(f"twiddles must be one of {', '.join(TWIDDLES)}, got {twiddles!r}")
    c = None
    if compute is not None:
        c = as_format(compute)
        _check_format(c, mode)
        if c == f:
            c = None
        elif _lanes.lane_constants(c, mode.code, _params(Emulation(c, mode))) is None or (
            _lanes.lane_constants(f, mode.code, _params(Emulation(f, mode))) is None
        ):
            raise ValueError(f"separate compute and storage formats are not emulated for {c.name}"
                             f" and {f.name} (formats without zero or fraction bits)")  # fmt: skip
    key = seed_key(seed) if mode.is_stochastic else 0
    return Emulation(f, mode, key, bool(saturate), c, twiddles)


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


# Elements per row that short rows of a blockwise plan are joined into.
_JOINED = 4096


def _joined_rows(plan: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``rows`` regrouped into rows of about :data:`_JOINED` elements where the plan
    only has Walsh-Hadamard stages and scalings: each butterfly stays inside its own
    block of the original row, so the result is the same, bit for bit, without the
    per-row cost of a plan on thousands of rows of 16 or 32 (blockwise rotations)."""
    r, n = rows.shape
    if r < 2 or n >= _JOINED or not set(plan[:, 0].tolist()) <= {_steps.WHT, _steps.SCALE}:
        return rows
    k = math.gcd(r, _JOINED // n)
    return rows.reshape(r // k, k * n)


def native_args(plan: np.ndarray, tables: tuple) -> tuple:
    """The arguments of :func:`numerics.transforms._native.run_rows` after the rows: the
    plan, the tables, and None for the step kinds the plan lacks (the twist table, the
    constants of the scalings and dense Hadamard stages, the inverse, Walsh-Hadamard,
    DCT-reordering and forward markers), so that their kernels are not compiled."""
    C, S, TC, TS, consts, R = tables
    kinds = set(plan[:, 0].tolist())
    TC = TC if _steps.TWIST in kinds else None
    consts = consts if kinds & {_steps.SCALE, _steps.DENSE} else None
    inv = True if _steps.INV in kinds else None
    wht = True if kinds & {_steps.WHT, _steps.DENSE} else None
    perm = True if kinds & {_steps.MAKHOUL, _steps.UNMAKHOUL} else None
    fwd = True if _steps.FWD in kinds else None
    return plan, C, S, TC, TS, consts, R, inv, wht, perm, fwd


def run(spec: Spec, x: np.ndarray, em: Emulation) -> np.ndarray:
    """Run ``spec`` on every row of ``x`` in place (natively or emulated); return ``x``."""
    work = x if x.flags.c_contiguous else np.ascontiguousarray(x)
    rows = _rows(work)
    if em.fmt is None:
        rows = _joined_rows(spec.plan, rows)
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
    twiddles_in: Format | tuple[Format, str] | None = None,
):
    """Run the tracked kernel on float64 ``rows`` (C-contiguous, 2-d) in place.

    ``em=None`` runs in double-double: ``low`` (same shape) holds the low parts, and
    the tables are the exact float64 ones, or those of a format (``twiddles_in``: a
    format, or a format and a twiddle model). Returns the per-row stage statistics
    and, when tracking, the stage errors ``(rows, stages, n)``. Untracked, the rows
    must hold values of the arithmetic format (:func:`run` and the error study cast
    them into it): the float32 lanes (:func:`_single_lanes`) rely on it.
    """
    nst = len(_steps.error_stages(spec.plan))
    nrow, n = rows.shape
    ST = np.zeros((nrow, max(nst, 1), _tracked.N_STATS))
    # None selects the kernels' variants (see numerics.transforms._tracked): no stage
    # errors unless tracking, no low parts unless DD, no inline rounding unless FAST
    DL = np.zeros((nrow, nst, n)) if track else None
    store = None
    if em is None:
        kind, P, key = _tracked.DD, _params(Emulation(as_format("float64"))), 0
        if twiddles_in is None:
            tabs = spec.tables()
        else:
            tf, model = twiddles_in if isinstance(twiddles_in, tuple) else (twiddles_in, "table")
            tabs = rounded_tables(spec, tf, np.dtype(np.float64), model)
        XL = low if low is not None else np.zeros_like(rows)
        fmt, mode = as_format("float64"), Rounding.NEAREST_EVEN
    else:
        kind, key = em.kind(track), em.key
        fmt, mode = em.arith, em.mode
        P = _params(Emulation(fmt, mode, saturate=em.saturate))
        tabs = rounded_tables(spec, fmt, np.dtype(np.float64), em.twiddles)
        XL = None
        if em.compute is not None:
            P2 = _params(Emulation(em.fmt, mode, saturate=em.saturate))
            store = (_lanes.lane_constants(em.fmt, mode.code, P2), P2)
    # the steps and tables the plan lacks go as None, so that their kernels compile
    # only for a plan that has them
    kinds = set(spec.plan[:, 0].tolist())
    C, S, TC, TS, consts, R = tabs
    # split-radix / radix-4 plans keep the twist tables: the twist is small, and the
    # rdFFT and the DCT pipelines of an algorithm then share one compiled kernel
    if _steps.TWIST not in kinds and not kinds & set(_steps.LEVELS):
        TC = TS = None
    if not kinds & {_steps.SCALE, _steps.DENSE}:
        consts = None
    steps = tuple(True if k in kinds else None for k in (_steps.FWD, _steps.INV, _steps.WHT))
    if _steps.DENSE in kinds:  # the dense Hadamard stage runs under the WHT marker
        steps = steps[:2] + (True,)
    tabs = (C, S, TC, TS, consts, R)
    # split-radix / radix-4 levels run on the row kernels only (not on the lanes)
    O = spec.O if kinds & set(_steps.LEVELS) else None
    lv = tuple(True if O is not None and k in kinds else None for k in _steps.LEVELS)
    if O is not None and store is not None:
        raise ValueError("separate compute and storage formats are emulated by radix-2 only")
    big = rows.size >= _PARALLEL_MIN and nrow > 1 and numba.get_num_threads() > 1
    # the dense Hadamard stage (lengths m 2**k) has no lane kernel, nor do the
    # split-radix / radix-4 levels
    on_lanes = O is None and (
        store is not None or (use_lanes(em, kind, nrow) and _steps.DENSE not in kinds)
    )
    K = _lanes.lane_constants(fmt, mode.code, P) if on_lanes else None
    with np.errstate(all="ignore"):
        if K is not None:
            # rows as vector lanes (see numerics.transforms._lanes): the same results
            stochastic = em is not None and em.mode.is_stochastic
            keys = (np.uint64(key), np.uint64(_lanes.store_key(key))) if stochastic else None
            # the lane rounding (see numerics.transforms._lanes._k_tuple)
            normal = None
            lane_tabs = (C, S, TC, TS, consts)
            if kind == _tracked.FAST and _single_lanes(Emulation(fmt, mode), store):
                # float32 lane blocks and tables: twice the lanes a vector holds
                normal = _shift32_constants(fmt) or _magic32_constants(fmt)
                lane_tabs = tuple(None if t is None else t.astype(np.float32) for t in lane_tabs)
            elif store is None and _inline_rne(Emulation(fmt, mode)):
                # FAST rounds each float64 result, EXACT the exact one's rounding to
                # odd: both nearest even by the magic constant
                addexp, msub = rne_constants(fmt)
                two_max = np.array(2 * fmt.max).view(np.int64)
                normal = (np.int64(addexp), np.array(msub).view(np.int64), two_max)
                normal = tuple(int(v) for v in normal)
            elif _sr_lanes(em, fmt, P, store):
                normal = 2
            elif _normal_lanes(em, fmt, P, store):
                normal = True
            W = lane_width(n, lane_tabs[0].dtype.itemsize)
            BAD = np.zeros((nrow + W - 1) // W, dtype=np.bool_)
            fast = True if kind == _tracked.FAST else None
            args = (rows, XL, spec.plan, *lane_tabs, R, *steps, K, P, keys, fast, normal,
                    store, ST, DL, W, BAD)  # fmt: skip
            # chunks in threads when big (a work figure that gives each chunk one)
            run_rows(_lanes.run_chunks, args, BAD.size, BAD.size << 20 if big else 0)
            # the chunks that met a value the lanes do not round (overflow, NaN, ...),
            # left as they were, run on the row kernels: the same results, and the
            # exact rounding compiles only where such a value occurs
            for c in np.flatnonzero(BAD).tolist():
                r0, r1 = c * W, min(c * W + W, nrow)
                ST[r0:r1] = 0.0
                # the row kernels key row r from 8 n nst r: the rows from r0 on, by
                # the key shifted as far (random64 adds (event + 1) * GOLDEN to it)
                shift = (key + 8 * n * ST.shape[1] * r0 * int(GOLDEN)) % (1 << 64)
                _run_rows(spec, rows[r0:r1], None, em, kind, P, shift, tabs, steps, O, lv,
                          ST[r0:r1], None if DL is None else DL[r0:r1], False)  # fmt: skip
            return ST, DL
        _run_rows(spec, rows, XL, em, kind, P, key, tabs, steps, O, lv, ST, DL, big)
    return ST, DL


def _run_rows(spec, rows, XL, em, kind, P, key, tabs, steps, O, lv, ST, DL, big):
    """The row kernels (:mod:`._tracked`) on ``rows``, for :func:`execute`."""
    C, S, TC, TS, consts, R = tabs
    rne = None
    if kind == _tracked.FAST:
        rne = np.zeros(5)
        if _inline_rne(em):
            addexp, msub = rne_constants(em.fmt)
            rne[:] = (1, addexp, msub, 2 * em.fmt.max, em.fmt.max)
    args = (rows, XL, spec.plan, C, S, TC, TS, consts, R, (*steps, O, *lv), P, np.uint64(key),
            rne, ST, DL)  # fmt: skip
    nrow = rows.shape[0]
    run_rows(_tracked.run_rows_serial, args, nrow, nrow << 20 if big else 0)


def _single_lanes(em: Emulation, store) -> bool:
    """Whether FAST nearest-even lanes run in float32
    (:func:`numerics.transforms._lanes._round_magic32`, or ``_round_shift32`` where
    :func:`_shift32_constants` applies): their operands are values of
    the format (the inputs are cast into it, the tables rounded into it), and each
    float64 operation then rounding gives what the float32 operation then rounding
    gives, where

    - the format has at most 11 significant bits: a float32 sum or difference rounded
      again is the sum's one rounding (24 >= 2 p + 2, Figueroa 1995), and a product
      (at most 2 p <= 22 bits) is exact in float32's normal range;
    - its exponent range lies in float32's (``emin >= -126``);
    - below float32's normal range, a product that can round to a nonzero value (at
      least half the smallest subnormal) keeps its 2 p bits above float32's smallest
      subnormal, ``emin - m - 2 p >= -149`` (bfloat16 meets it with equality; the
      float32-exponent formats with more bits, tf32, do not), and sums there are exact.

    Measured (``benchmarks/transforms.py --emulated``): see the transforms guide."""
    f = em.fmt
    return (
        store is None
        and _inline_rne(em)
        and f.mbits <= 10
        and f.emin >= -126
        and f.emin - 3 * f.mbits - 2 >= -149
        and f.max <= float(np.finfo(np.float32).max)
    )


def _magic32_constants(fmt: Format) -> tuple[int, int, int, int]:
    """The float32 constants of :func:`numerics.transforms._lanes._round_magic32`:
    the exponent-field offset and the subnormal range's adder (as
    :func:`numerics._core.params.rne_constants`, for float32), the magnitude above which
    the rounding is bad (twice the format's largest value, or where the adder
    ``1.5 * 2**k``, ``k = e + 23 - m``, would overflow), and the largest value's bits."""
    m = fmt.mbits
    bits = lambda v: int(np.array(v, dtype=np.float32).view(np.int32))  # noqa: E731
    limit = min(2.0 * fmt.max, float(np.nextafter(np.float32(2.0 ** (105 + m)), 0)))
    limit = min(limit, float(np.finfo(np.float32).max))
    msub = 1.5 * 2.0 ** (fmt.emin - m + 23)
    return ((23 - m) << 23, bits(msub), bits(limit), bits(fmt.max))


def _shift32_constants(fmt: Format) -> tuple[int, int, int, int, int] | None:
    """The constants of :func:`numerics.transforms._lanes._round_shift32` (the last
    kept bit ``2**D``, ``D = 23 - m`` bits dropped, half an ulp less one, the kept
    bits' mask, the limit: the bits of the largest float32 that rounds to at most the
    format's largest value, and 0), or None where the format's exponent field is not
    float32's: its smallest normal ``2**-126`` and its largest value float32's largest
    binade with ``m`` fraction bits (bfloat16), so that the float32 encoding's carries
    land on the format's values."""
    m = fmt.mbits
    if not (fmt.emin == -126 and 1 <= m <= 22 and fmt.subnormals):
        return None
    if fmt.max != (2.0 - 2.0**-m) * 2.0**127:
        return None
    D = 23 - m
    max_bits = int(np.array(fmt.max, dtype=np.float32).view(np.int32))
    # the largest value's last kept bit is 1: its tie rounds up (to even), past it
    limit = max_bits + (1 << (D - 1)) - 1
    return (1 << D, (1 << (D - 1)) - 1, ~((1 << D) - 1), limit, 0)


def _sr_lanes(em: Emulation, fmt: Format, P: np.ndarray, store) -> bool:
    """Whether the lanes round by the stochastic rounding of
    :func:`numerics.transforms._lanes._round_sr` (subnormals and the values below
    them included): stochastic rounding into a signed format with a signed zero and
    subnormals, whose exponent range is narrower than bfloat16's (a transform meets
    its subnormals; bfloat16's, below 2**-126, it does not, and the normal-range
    rounding takes fewer operations: measured, ``rdfft`` of bfloat16 1024x64
    stochastic, one thread, 3.9 ms by it against 5.4 ms by this one, the same
    bits)."""
    return (
        em.mode == Rounding.STOCHASTIC
        and _signed_narrow_lanes(fmt, P, store)
        and fmt.emin > -126
        and bool(P[P_SUBN])
    )


def _normal_lanes(em: Emulation, fmt: Format, P: np.ndarray, store) -> bool:
    """Whether the lanes round by the normal-range rounding alone
    (:func:`numerics.transforms._lanes._round_normal`; a chunk of rows that meets a
    subnormal or an overflow runs on the row kernels): to nearest or stochastically
    (where :func:`_sr_lanes` does not apply), in a signed
    format with a signed zero and a wide exponent range (at least float16's), where
    transform values are rarely subnormal."""
    return (
        em.mode in (Rounding.NEAREST_EVEN, Rounding.NEAREST_AWAY, Rounding.STOCHASTIC)
        and _signed_narrow_lanes(fmt, P, store)
        and fmt.emin <= -14
    )


def _signed_narrow_lanes(fmt: Format, P: np.ndarray, store) -> bool:
    """What the roundings of :func:`_sr_lanes` and :func:`_normal_lanes` both take: no
    storage format, a format narrower than float64, signed, with a signed zero."""
    return store is None and fmt.mbits < 52 and bool(P[P_SIGNED]) and bool(P[P_NEGZERO])


def lane_width(n: int, itemsize: int = 8) -> int:
    """Rows per lane block of rows of ``n`` values of ``itemsize`` bytes: about 256 KB
    a block, float64 from 16 to 64 rows, float32 from 64 to 128 (measured, one thread,
    2-core Intel Xeon with 1.25 MB of L2 a core: float64, 32 and 64 lanes within 6%
    of each other from n = 256 to 16384; float32, bfloat16 nearest even, 64 lanes
    against 32 at n = 1024, 4.89 against 5.50 ms for 512 rows, and at n = 4096, 6.06
    against 8.08 ms with 16 lanes, for 128 rows).

    Examples
    --------
    >>> lane_width(1024), lane_width(1024, 4)
    (32, 64)
    """
    if itemsize == 4:
        return int(min(128, max(64, (1 << 16) // n)))
    return int(min(64, max(16, (1 << 15) // n)))
