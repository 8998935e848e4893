"""Exact error tracking of the emulated transforms, and the butterfly error study."""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ..analysis import bounds
from ..analysis.report import ErrorReport
from ..analysis.sweep import run_tasks, task_rng, task_seed
from ..formats import cast
from ..formats.format import Format
from ..formats.registry import as_format
from ..formats.rounding import Rounding, as_rounding
from . import _engine, _native, _steps
from ._hadamard_spec import split
from .dct import _algorithm as _dct_algorithm
from .dct import _check as _check_dct
from .hadamard import _check_block, _check_data, _check_order, _check_signs
from .hadamard import _spec as _fwht_spec

__all__ = ["StudyReport", "TransformReport", "error_report", "error_study"]

NAMES = ("rdfft", "irdfft", "dct", "idct", "fwht")
Seed = int | np.random.Generator | None


@dataclass(frozen=True)
class TransformReport(ErrorReport):
    """An :class:`~numerics.analysis.ErrorReport` of one emulated transform, with the
    arrays behind it.

    Attributes
    ----------
    output : ndarray
        The emulated transform (float64 values of the format).
    reference : ndarray
        The transform of the format-rounded input in double-double arithmetic with
        float64 twiddles (rounded to float64).
    contributions : ndarray
        ``(stages, *shape)``: each stage's local errors carried through the
        remaining (exact, format-twiddle) stages to the output. They sum to
        ``output - reference - twiddle_error``.
    twiddle_error : ndarray
        The output error due to the twiddles' representation in the format.

    Examples
    --------
    >>> r = error_report("fwht", np.arange(8.0), "bfloat16")
    >>> r.summary["contributions mismatch"] < 1e-12
    True
    """

    output: np.ndarray | None = field(default=None, compare=False, repr=False)
    reference: np.ndarray | None = field(default=None, compare=False, repr=False)
    contributions: np.ndarray | None = field(default=None, compare=False, repr=False)
    twiddle_error: np.ndarray | None = field(default=None, compare=False, repr=False)


def _spec(name: str, n: int, opts: dict) -> _engine.Spec:
    scale = bool(opts.get("scale", False))
    alg = _engine.check_algorithm(opts.get("algorithm", "radix2"))
    if name == "rdfft":
        return _engine.rdfft_spec(n, scale, alg)
    if name == "irdfft":
        return _engine.irdfft_spec(n, alg)
    if name in ("dct", "idct"):
        t, norm = opts.get("type", 2), opts.get("norm")
        _check_dct(t, norm)
        return _engine.dct_spec(n, t, norm, name == "idct", scale, alg)
    order = _check_order(opts.get("order"))
    block = _check_block(n, opts.get("block"), order)
    return _fwht_spec(n, block, bool(opts.get("normalize", False)), scale, order)


_EMULATION = {"compute", "twiddles", "algorithm"}
_OPTIONS = {
    "rdfft": {"scale", "saturate"} | _EMULATION,
    "irdfft": {"saturate"} | _EMULATION,
    "dct": {"type", "norm", "scale", "saturate"} | _EMULATION,
    "idct": {"type", "norm", "scale", "saturate"} | _EMULATION,
    "fwht": {"normalize", "signs", "block", "order", "scale", "saturate"},
}


def _weights(name: str, n: int) -> np.ndarray:
    """Squared-norm weights of an output row: a halfcomplex spectrum counts its inner
    slots twice (each stands for ``X_k`` and ``X_{n-k}``), so its norm is the norm of
    the full complex spectrum, as in the FFT error bounds."""
    w = np.ones(n)
    if name == "rdfft" and n > 2:
        w[1 : n // 2] = 2
        w[n // 2 + 1 :] = 2
    return w


def _norm(v: np.ndarray, w: np.ndarray) -> float:
    return float(np.sqrt(np.sum(w * v * v)))


def _levels(n: int, algorithm: str) -> int:
    """The number of butterfly levels of an FFT of length ``n``: ``log2 n`` for
    radix-2 and split-radix, ``ceil(log2(n) / 2)`` for radix-4 (a length-2 stage
    first where ``log2 n`` is odd)."""
    t = max(n.bit_length() - 1, 0)
    return (t + 1) // 2 if algorithm == "radix4" else t


def _algorithm_eta(u: float, mu: float) -> float:
    """The normwise relative error bound ``eta`` of one split-radix or radix-4 block
    (derived in the transforms guide, after ASNA Thm 24.2's proof): a twiddle product
    errs by ``eps = mu + sqrt(2) gamma_2 (1 + mu)`` relative to its operand (ASNA
    Lemma 3.5 and the twiddle's own error ``mu``), then two levels of sums each add a
    relative ``u`` of a vector whose norm the block's (scaled-unitary) map keeps:
    ``eta = (1 + eps)(1 + u)**2 - 1``."""
    eps = mu + math.sqrt(2) * bounds.gamma(2, u) * (1 + mu)
    return (1 + eps) * (1 + u) ** 2 - 1


def _bounds(
    spec: _engine.Spec,
    name: str,
    fmt: Format,
    mode: Rounding,
    opts: dict,
    compute: Format | None = None,
    twiddles: str = "table",
) -> dict:
    """Deterministic and probabilistic bounds on the normwise relative error.

    With a compute format apart from the storage format ``fmt``, each stage is a
    butterfly in the compute format (Higham's ``eta`` with its ``u``) whose outputs
    are rounded once more into ``fmt``: ``eta' = (1 + eta)(1 + u_fmt) - 1`` per stage,
    and the bound ``t eta' / (1 - t eta')`` of ASNA Thm 24.2's proof. Split-radix and
    radix-4 (``opts["algorithm"]``): ``t`` levels (:func:`_levels`, plus the DCT's
    twist) of :func:`_algorithm_eta` each, ``t eta / (1 - t eta)``."""
    u = fmt.unit_roundoff
    directed = not mode.is_nearest
    if directed:
        u = 2 * u  # directed and stochastic rounding err by up to an ulp
    mu = _engine.twiddle_error(spec, compute or fmt, twiddles)
    alg = opts.get("algorithm", "radix2")
    if alg != "radix2" and name != "fwht":
        t = _levels(spec.n, alg) + (name in ("dct", "idct"))
        if t == 0:
            return {"bound": 0.0, "prob bound": 0.0, "mu": mu, "u_eff": u}
        eta = _algorithm_eta(u, mu)
        det = t * eta / (1 - t * eta) if t * eta < 1 else math.inf
        prob = t * mu + math.sqrt(2) * bounds.gamma_prob(4 * t, u)
        return {"bound": det, "prob bound": prob, "mu": mu, "u_eff": u}
    if compute is not None and name != "fwht":
        uc = compute.unit_roundoff * (2 if directed else 1)
        t = int(math.log2(spec.n)) + (name in ("dct", "idct"))
        if t == 0:
            return {"bound": 0.0, "prob bound": 0.0, "mu": mu, "u_eff": u}
        eta = (1 + mu + bounds.gamma(4, uc) * (math.sqrt(2) + mu)) * (1 + u) - 1
        det = t * eta / (1 - t * eta) if t * eta < 1 else math.inf
        prob = t * mu + math.sqrt(2) * bounds.gamma_prob(4 * t, uc) + bounds.gamma_prob(t, u)
        return {"bound": det, "prob bound": prob, "mu": mu, "u_eff": u}
    n = spec.n
    t = int(math.log2(n))
    if name == "fwht":
        order = _check_order(opts.get("order"))
        block = _check_block(n, opts.get("block"), order)
        m, s = split(block, order)
        t = int(math.log2(s)) + int(bool(opts.get("normalize")) and block > 1)
        t += int(m > 1 and bool(opts.get("scale")) and not opts.get("normalize"))
        det = (1 + bounds.gamma(t, u)) * (1 + mu) - 1 if t * u < 1 else math.inf
        prob = (1 + bounds.gamma_prob(t, u)) * (1 + mu) - 1 if t else 0.0
        if m > 1:
            # the dense stage sums m terms per output: gamma_{m-1} of sum |terms|,
            # at most sqrt(m) gamma_{m-1} of the norm of H_m times its input
            gm = bounds.gamma(m - 1, u) if (m - 1) * u < 1 else math.inf
            det = (1 + det) * (1 + math.sqrt(m) * gm) - 1
            prob = (1 + prob) * (1 + math.sqrt(m) * bounds.gamma_prob(m - 1, u)) - 1
        return {"bound": det, "prob bound": prob, "mu": mu, "u_eff": u}
    if name in ("dct", "idct"):
        t += 1  # the twist is one more complex-multiply stage
    if t == 0:
        return {"bound": 0.0, "prob bound": 0.0, "mu": mu, "u_eff": u}
    try:
        det = bounds.fft_bound(2**t, u, mu)
    except ValueError:
        det = math.inf
    prob = t * mu + math.sqrt(2) * bounds.gamma_prob(4 * t, u)
    return {"bound": det, "prob bound": prob, "mu": mu, "u_eff": u}


def _dd_reference(spec: _engine.Spec, x0: np.ndarray, twiddles_in):
    hi = np.array(x0, dtype=np.float64)
    lo = np.zeros_like(hi)
    _engine.execute(spec, hi, None, low=lo, twiddles_in=twiddles_in)
    return hi, lo


def error_report(
    name: str,
    x: ArrayLike,
    fmt: Format | str,
    rounding: Rounding | str = Rounding.NEAREST_EVEN,
    *,
    seed: Seed = None,
    **options,
) -> TransformReport:
    """Run an emulated transform on a copy of ``x`` and account for its every rounding
    error exactly.

    The input is rounded into ``fmt`` (to nearest even); the transform then runs with
    every operation rounded. Each stage's *local* errors (each operation's
    ``rounded - exact``, found by error-free transformations, combined within the
    butterfly) are carried through the remaining stages to the output, so the
    output error splits exactly into per-stage contributions plus the error of the
    twiddles' representation.

    Parameters
    ----------
    name : {"rdfft", "irdfft", "dct", "idct", "fwht"}
    x : array_like
        Real data, last axis a power of two (any batch shape).
    fmt : Format or str
        The format to emulate in (at most 50 fraction bits).
    rounding, seed
        The rounding of every operation and the stochastic key.
    **options
        The transform's own options: ``scale`` and ``saturate``; ``type`` and
        ``norm`` (dct, idct); ``normalize``, ``signs`` and ``block`` (fwht); the
        kernel options ``compute``, ``twiddles`` and ``algorithm`` of :func:`rdfft`
        (rdfft, irdfft, dct, idct): a compute format's extra rounding into ``fmt``
        counts in its stage's local errors; a split-radix or radix-4 transform has
        one row per level (the blocks of one length), and its own bound.

    Returns
    -------
    TransformReport
        One row per rounding stage (operations, inexact ones, 2-norm and largest
        relative size of the local errors, the stage's contribution to the output
        in units of u), then rows for the twiddles and the total. The summary holds
        the measured normwise and componentwise errors (and in units of u), the
        relative mismatch between the summed contributions and the measured
        rounding error, and the deterministic (Higham, ASNA Thm 24.2; gamma_t for
        the FWHT; for split-radix and radix-4, the same proof over their levels, as
        derived in the transforms guide) and probabilistic (Higham & Mary 2019)
        bounds. Normwise errors of an rdfft are taken in the norm of the full
        complex spectrum.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal(64)
    >>> r = error_report("rdfft", x, "bfloat16")
    >>> r.column("stage")[:2].tolist()
    ['L=2', 'L=4']
    >>> r.summary["normwise / u"] < r.summary["bound / u"]
    True
    >>> r = error_report("rdfft", x, "bfloat16", algorithm="split-radix")
    >>> r.column("stage").tolist()[-4:]
    ['L=32', 'L=64', 'twiddles', 'total']
    """
    if name not in NAMES:
        raise ValueError(f"unknown transform {name!r}; choose from {', '.join(NAMES)}")
    bad = set(options) - _OPTIONS[name]
    if bad:
        raise TypeError(f"{name} takes no option {', '.join(sorted(bad))}")
    a = np.array(x, dtype=np.float64)
    (_check_data if name == "fwht" else _engine.check_array)(a)
    n = a.shape[-1]
    em = _engine.emulation(
        fmt,
        rounding,
        seed,
        options.get("saturate", False),
        np.dtype(np.float64),
        compute=options.get("compute"),
        twiddles=options.get("twiddles", "table"),
    )
    if "algorithm" in options:
        _check_algorithm(name, em, options)
    spec = _spec(name, n, options)
    f = em.fmt
    tw = (em.arith, em.twiddles)  # the twiddles the kernel uses
    # in place (a is a copy): the tables and the transforms cast in place too, so a
    # first report compiles one variant of the cast kernel
    x0 = cast(a, f, saturate=em.saturate, out=a)
    if options.get("signs") is not None:
        s = _check_signs(options["signs"], n)
        x0 = np.where(s < 0, -x0, x0)
    shape = x0.shape
    rows = np.ascontiguousarray(x0).reshape(-1, n)

    y = rows.copy()
    ST, DL = _engine.execute(spec, y, em, track=True)
    rt_hi, rt_lo = _dd_reference(spec, rows, tw)  # exact stages, format twiddles
    re_hi, re_lo = _dd_reference(spec, rows, None)  # float64 twiddles
    total = (y - rt_hi) - rt_lo
    twiddle = (rt_hi - re_hi) + (rt_lo - re_lo)
    ref = re_hi + re_lo

    stages = _steps.error_stages(spec.plan)
    tabs = _engine.rounded_tables(spec, tw[0], np.dtype(np.float64), tw[1])
    contrib = np.empty((len(stages),) + rows.shape)
    rests = [_steps.rest_after(spec.plan, j, length) for j, length, _ in stages]
    if spec.O is None:
        # every stage's rest on one compiled variant of the native kernel: its markers
        # are those of all the rests together (a rest that lacks a step kind passes its
        # branch at run time); by the rests' own markers, an rdfft's report compiled
        # three variants, about 10 s of CPU at the first call
        union = np.concatenate(rests + [np.empty((0, 4), np.int64)])
        union_args = _engine.native_args(union, tabs)[1:]
        markers = _native.row_markers(n, union)
    for s, rest in enumerate(rests):
        c = np.ascontiguousarray(DL[:, s, :])
        if spec.O is None:
            _native.run_rows_serial(c, rest, *union_args, markers=markers)
        else:
            # split-radix / radix-4 levels have no native kernel: the remaining
            # stages run exactly enough in double-double, with the same twiddles
            lo = np.zeros_like(c)
            _engine.execute(dataclasses.replace(spec, plan=rest), c, None, low=lo, twiddles_in=tw)
            c += lo
        contrib[s] = c

    w = _weights(name, n)
    u = f.unit_roundoff
    nref = _norm(ref, w)
    unit = nref * u if nref > 0 else math.inf
    table = []
    for s, (_, _, label) in enumerate(stages):
        st = ST[:, s, :]
        table.append(
            (
                label,
                int(st[:, 0].sum()),
                int(st[:, 1].sum()),
                float(np.sqrt(st[:, 2].sum())),
                float(st[:, 3].max()) / u if st.size else 0.0,
                _norm(contrib[s], w) / unit,
            )
        )
    table.append(("twiddles", 0, 0, 0.0, 0.0, _norm(twiddle, w) / unit))
    err = y - ref
    ops = int(ST[:, :, 0].sum())
    inexact = int(ST[:, :, 1].sum())
    table.append(("total", ops, inexact, 0.0, 0.0, _norm(err, w) / unit))

    summed = contrib.sum(axis=0)
    nt = _norm(total, w)
    mismatch = _norm(summed - total, w) / nt if nt > 0 else _norm(summed, w)
    nz = ref != 0
    cw = float(np.max(np.abs(err[nz]) / np.abs(ref[nz]))) if nz.any() else 0.0
    if (err[~nz] != 0).any():
        cw = math.inf
    bnd = _bounds(spec, name, f, em.mode, options, em.compute, em.twiddles)
    nw = _norm(err, w) / nref if nref > 0 else (0.0 if not err.any() else math.inf)
    summary = {
        "u": u,
        "normwise": nw,
        "normwise / u": nw / u,
        "componentwise / u": cw / u,
        "rounding error / u": nt / unit,
        "twiddle error / u": _norm(twiddle, w) / unit,
        "contributions mismatch": mismatch,
        "bound / u": bnd["bound"] / u,
        "prob bound / u": bnd["prob bound"] / u,
        "twiddle mu / u": bnd["mu"] / u,
    }
    title = f"{name}, n={n}, {f.name}, {em.mode.value}"
    if em.compute is not None:
        title += f", computed in {em.compute.name}"
    if em.twiddles != "table":
        title += f", {em.twiddles} twiddles"
    if options.get("algorithm", "radix2") != "radix2":
        title += f", {options['algorithm']}"
    cols = ("stage", "ops", "inexact", "local 2-norm", "local max / u", "contribution / u")
    return TransformReport(
        title,
        cols,
        tuple(table),
        summary,
        output=y.reshape(shape),
        reference=ref.reshape(shape),
        contributions=contrib.reshape((len(stages),) + shape),
        twiddle_error=twiddle.reshape(shape),
        meta=_report_meta(name, shape, f, em, seed, options),
    )


def _check_algorithm(name: str, em: _engine.Emulation, options: dict) -> None:
    """The ``algorithm`` option checked as the transform itself checks it."""
    alg = options["algorithm"]
    if name == "fwht":
        raise TypeError("fwht takes no option algorithm")
    scale = bool(options.get("scale", False))
    if name in ("rdfft", "irdfft"):
        _engine.plan_algorithm(em, alg, scale=scale and name == "rdfft")
    else:
        _dct_algorithm(em, alg, options.get("type", 2), name == "idct", scale)


def _report_meta(name, shape, fmt, em, seed, options) -> dict:
    """What a TransformReport is of: the seed as given (an int, else None) and the
    kernels' key, with which the stochastic rounding can be reproduced."""
    return {
        "transform": name,
        "n": int(shape[-1]),
        "shape": tuple(int(d) for d in shape),
        "format": fmt,
        "rounding": em.mode.value,
        "seed": int(seed) if _is_int(seed) else None,
        "key": int(em.key),
        "options": dict(options),
    }


@dataclass(frozen=True)
class StudyReport(ErrorReport):
    """The table of :func:`error_study`, whose plot draws the error in units of u
    against ``log2 n``, one line per format and rounding, with the bounds.

    Examples
    --------
    >>> r = error_study(sizes=[16, 64], formats=["bfloat16"], trials=2)
    >>> r.columns[:4]
    ('format', 'rounding', 'log2 n', 'mean / u')
    """

    def plot(self, column: str | None = None, *, ax=None, logy: bool = True):
        """Error (``column``, default ``"mean / u"``) against ``log2 n``: one colour and
        marker per format, one line style per rounding (solid for the first), and each
        format's bounds as thin lines of its colour (dashed: deterministic; dotted:
        probabilistic), in the style of :mod:`numerics.analysis.plotting`; the legend
        sits right of the axes. With an ``"algorithm"`` column, each (format,
        algorithm) pair has its own colour and bounds. Needs matplotlib; returns the
        axes."""
        from ..analysis import plotting

        column = column or "mean / u"
        if ax is None:
            _, ax = plotting.new_figure(8, 4.5)
        cols = self.columns
        fi, mi, ni, ci = (cols.index(c) for c in ("format", "rounding", "log2 n", column))
        ai = cols.index("algorithm") if "algorithm" in cols else None

        def series(r):
            return r[fi] if ai is None else f"{r[fi]}, {r[ai]}"

        names = list(dict.fromkeys(series(r) for r in self.rows))
        modes = list(dict.fromkeys(r[mi] for r in self.rows))
        mode_styles = ("-", (0, (4, 2)), "-.", (0, (1, 1)))
        for i, f in enumerate(names):
            color = plotting.COLORS[i % len(plotting.COLORS)]
            marker = plotting.MARKERS[i % len(plotting.MARKERS)]
            for j, m in enumerate(modes):
                rs = [r for r in self.rows if series(r) == f and r[mi] == m]
                if rs:
                    ax.plot(
                        [r[ni] for r in rs],
                        [r[ci] for r in rs],
                        color=color,
                        marker=marker,
                        markerfacecolor=color if j == 0 else "white",
                        linestyle=mode_styles[j % len(mode_styles)],
                        linewidth=2.0 if j == 0 else 1.4,
                        label=f"{f}, {m}",
                        zorder=3 + j,
                    )
            rs = [r for r in self.rows if series(r) == f and r[mi] == modes[0]]
            for name, style in (("bound / u", "--"), ("prob bound / u", ":")):
                k = cols.index(name)
                pts = [(r[ni], r[k]) for r in rs if np.isfinite(r[k])]
                if pts:
                    ax.plot(*zip(*pts, strict=True), linestyle=style, color=color, lw=1.0)
        bound = "bound (ASNA 24.2)" if ai is None else "each algorithm's bound"
        ax.plot([], [], color="0.3", linestyle="--", lw=1.0, label=bound)
        ax.plot([], [], color="0.3", linestyle=":", lw=1.0, label="probabilistic bound")
        if logy:
            ax.set_yscale("log")
        ax.set_xlabel("log2 n")
        ax.set_ylabel(f"normwise error, {column.replace(' / u', '')} / u")
        ax.set_title(self.title)
        plotting.legend(ax, outside=True)
        return ax


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def error_study(
    transform: str = "rdfft",
    sizes: Sequence[int] | None = None,
    formats: Sequence[Format | str] = ("bfloat16", "float16", "float8_e4m3fn", "float8_e5m2"),
    roundings: Sequence[Rounding | str] = ("nearest_even", "stochastic"),
    *,
    trials: int = 8,
    seed: int = 0,
    progress=None,
    executor: Executor | None = None,
    compute: Format | str | None = None,
    twiddles: str = "table",
    algorithm: str | Sequence[str] = "radix2",
) -> StudyReport:
    """The normwise error of an emulated transform against ``n``, for several formats and
    roundings, over random inputs: the "rounding error of FFT butterflies" study.

    Inputs are standard normal times a power of two chosen per format and ``n`` so
    that the outputs stay far below the format's largest value (the error in units
    of u does not depend on that scale otherwise); each is rounded into the format,
    transformed with every operation rounded, and compared with the double-double
    transform of the rounded input.

    Parameters
    ----------
    transform : {"rdfft", "irdfft", "dct", "idct", "fwht"}
    sizes : sequence of int
        Powers of two; default ``2**4 .. 2**16``.
    formats, roundings : sequences
        Formats and rounding modes to compare.
    trials : int
        Random inputs per point.
    seed : int
        Seeds the inputs and the stochastic rounding (a non-negative int). Each point
        draws from its own generator, keyed by ``seed`` and the point (transform,
        format, ``n``; the rounding too for the stochastic key): a point's result
        does not depend on the other points, and every rounding of a format and
        ``n`` sees the same inputs.
    progress : callable, optional
        Called with a one-line message after each point (the CLI's progress bar).
    executor : concurrent.futures.Executor, optional
        Runs the points as independent tasks: a ``ProcessPoolExecutor``, or a Dask
        cluster's ``distributed.Client(...).get_executor()``. The report is the
        same, bit for bit, as the serial run's (see :mod:`numerics.analysis.sweep`).
    compute, twiddles
        The kernel options of :func:`rdfft` (FFT-based transforms): every format of
        ``formats`` is then the storage format of butterflies computed in
        ``compute``; ``twiddles`` the twiddle model.
    algorithm : str or sequence of str
        The FFT algorithm of :func:`rdfft` (``"radix2"``, ``"radix4"``,
        ``"split-radix"``; FFT-based transforms). A sequence compares them side by
        side: the table then has an ``algorithm`` column, and every algorithm sees
        the same inputs (and, stochastic, the same key).

    Returns
    -------
    StudyReport
        Rows ``(format, rounding, log2 n, mean / u, max / u, bound / u,
        prob bound / u)``, with ``algorithm`` after ``rounding`` when ``algorithm``
        is a sequence; the bounds are each algorithm's own.

    Examples
    --------
    >>> r = error_study(sizes=[16, 256], formats=["float16"], roundings=["nearest_even"])
    >>> bool((r.column("max / u") < r.column("bound / u")).all())
    True
    >>> r = error_study(sizes=[64], formats=["bfloat16"], roundings=["nearest_even"],
    ...                 trials=2, algorithm=("radix2", "split-radix"))
    >>> r.column("algorithm").tolist()
    ['radix2', 'split-radix']
    """
    if transform not in NAMES:
        raise ValueError(f"unknown transform {transform!r}; choose from {', '.join(NAMES)}")
    sizes = [2**k for k in range(4, 17)] if sizes is None else list(sizes)
    for s in sizes:
        if not _is_int(s) or s < 2 or s & (s - 1):
            raise ValueError(f"sizes must be powers of two >= 2, got {s!r}")
    sizes = [int(s) for s in sizes]
    if not _is_int(trials) or trials < 1:
        raise ValueError(f"trials must be an int of at least 1, got {trials!r}")
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    fmts = [as_format(f) for f in formats]
    modes = [as_rounding(m) for m in roundings]
    if transform == "fwht" and (compute is not None or twiddles != "table"):
        raise ValueError("compute and twiddles are options of the FFT-based transforms")
    cf = None if compute is None else as_format(compute)
    side_by_side = not isinstance(algorithm, str)
    algs = list(algorithm) if side_by_side else [algorithm]
    if not algs:
        raise ValueError("algorithm needs at least one algorithm")
    for a in algs:
        _engine.check_algorithm(a)
        if a != "radix2" and transform == "fwht":
            raise ValueError("algorithm is an option of the FFT-based transforms")
        # what the transforms refuse, refused before any point runs
        em = _engine.Emulation(as_format("bfloat16"), compute=cf)
        _engine.plan_algorithm(em, a)
    points = [
        _StudyPoint(transform, f, m, n, trials, seed, cf, twiddles, a)
        for f in fmts
        for a in algs
        for n in sizes
        for m in modes
    ]
    step = None if progress is None else (lambda p: progress(p.message()))
    rows = run_tasks(_study_point, points, executor=executor, progress=step)
    cols = ("format", "rounding", "log2 n", "mean / u", "max / u", "bound / u", "prob bound / u")
    keys = STUDY_KEYS
    if side_by_side:
        cols = cols[:2] + ("algorithm",) + cols[2:]
        keys = ("format", "algorithm", "log2 n", "rounding")
    else:
        rows = [r[:2] + r[3:] for r in rows]
    title = f"{transform} normwise error over {trials} random inputs"
    if cf is not None:
        title += f", computed in {cf.name}"
    if twiddles != "table":
        title += f", {twiddles} twiddles"
    if not side_by_side and algorithm != "radix2":
        title += f", {algorithm}"
    meta = {"transform": transform, "trials": trials, "seed": seed, "keys": keys}
    return StudyReport(title, cols, tuple(rows), {"trials": trials}, meta)


# the columns that name a point of error_study, in the order its loops nest
STUDY_KEYS = ("format", "log2 n", "rounding")


@dataclass(frozen=True)
class _StudyPoint:
    """One point of :func:`error_study`: a task that runs anywhere (it pickles)."""

    transform: str
    fmt: Format
    mode: Rounding
    n: int
    trials: int
    seed: int
    compute: Format | None = None
    twiddles: str = "table"
    algorithm: str = "radix2"

    def message(self) -> str:
        alg = "" if self.algorithm == "radix2" else f" {self.algorithm}"
        return f"{self.transform}{alg} {self.fmt} {self.mode.value} n={self.n}"


@functools.lru_cache(maxsize=4)
def _study_inputs(transform: str, f: Format, n: int, trials: int, seed: int) -> tuple:
    """A study point's inputs, their double-double transform and its norms: the same
    for every rounding of a format and ``n`` (kept for the next rounding, which then
    skips the reference, the study's other large cost)."""
    w = _weights(transform, n)
    scale = 2.0 ** min(0, math.floor(math.log2(f.max / (64 * math.sqrt(n)))))
    rng = task_rng(seed, (transform, str(f), n))
    x0 = rng.standard_normal((trials, n)) * scale
    cast(x0, f, out=x0)  # in place, as error_report casts
    hi, lo = _dd_reference(_spec(transform, n, {}), x0, None)
    ref = hi + lo
    for a in (x0, ref):
        a.flags.writeable = False
    return x0, ref, np.sqrt(np.sum(w * ref * ref, axis=1))


def _study_point(p: _StudyPoint) -> tuple:
    """The study's row of one point, from the point alone."""
    f, n, m = p.fmt, p.n, p.mode
    opts = {} if p.algorithm == "radix2" else {"algorithm": p.algorithm}
    spec = _spec(p.transform, n, opts)
    w = _weights(p.transform, n)
    x0, ref, nref = _study_inputs(p.transform, f, n, p.trials, p.seed)
    key = task_seed(p.seed, (p.transform, str(f), m.value, n)) if m.is_stochastic else 0
    em = _engine.emulation(f, m, None, False, np.dtype(np.float64), p.compute, p.twiddles)
    em = dataclasses.replace(em, key=key)
    y = x0.copy()
    _engine.execute(spec, y, em)
    u = f.unit_roundoff
    e = np.sqrt(np.sum(w * (y - ref) ** 2, axis=1)) / nref / u
    b = _bounds(spec, p.transform, f, m, opts, em.compute, em.twiddles)
    return (
        str(f),
        m.value,
        p.algorithm,
        int(math.log2(n)),
        float(e.mean()),
        float(e.max()),
        b["bound"] / u,
        b["prob bound"] / u,
    )
