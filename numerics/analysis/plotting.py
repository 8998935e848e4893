"""One plotting style for every figure numerics draws: the reports' ``plot`` methods,
``numerics demo`` and the ``examples/`` scripts.

The style exists so that every curve can be seen: each series gets its own colour
(the Okabe-Ito palette, which colour-blind readers tell apart), line style and marker,
and later series are drawn thinner on top of earlier ones, so two curves that coincide
show as a thick line with a thin one of another colour and dash inside it. Bounds are
grey or coloured thin lines labelled at their right end. Matplotlib is imported only
when a function here is called (``pip install matplotlib``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "COLORS",
    "LINESTYLES",
    "MARKERS",
    "category_axis",
    "label_line",
    "legend",
    "log_axis",
    "new_figure",
    "plot_series",
    "save_figure",
    "series_style",
    "style_axes",
]

# Okabe & Ito (2008), yellow replaced by grey-brown, which reads on white
COLORS = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#8C6D31",  # brown
)
LINESTYLES = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1.5)),
    (0, (3, 1, 1, 1, 1, 1)),
    (0, (1, 2)),
    (0, (8, 3)),
)
MARKERS = ("o", "s", "^", "v", "D", "P", "X", "*")


def _pyplot():
    try:
        import matplotlib

        if not os.environ.get("MPLBACKEND") and matplotlib.get_backend().lower() != "agg":
            # a figure for a file; never open a window from a script run on a server
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install matplotlib") from None
    return plt


def series_style(i: int, n: int = 1) -> dict[str, Any]:
    """The colour, line style, marker and width of series ``i`` of ``n``: no two of the
    first 64 series look alike, and later series are thinner, so that one drawn on top
    of another leaves it visible.

    Examples
    --------
    >>> series_style(0)["color"], series_style(1)["linestyle"]
    ('#0072B2', '--')
    """
    if i < 0:
        raise ValueError(f"series index must be >= 0, got {i}")
    k = len(COLORS)
    return {
        "color": COLORS[i % k],
        "linestyle": LINESTYLES[(i + i // k) % len(LINESTYLES)],
        "marker": MARKERS[(i + 2 * (i // k)) % len(MARKERS)],
        "linewidth": 2.6 - 1.4 * (i / max(n - 1, 1)) if n > 1 else 1.8,
    }


def new_figure(width: float = 7.0, height: float = 4.2, **kwargs):
    """A figure and axes in numerics' style: ``(fig, ax)``.

    Examples
    --------
    >>> fig, ax = new_figure(4, 3)
    >>> save_figure(fig, None)
    """
    plt = _pyplot()
    fig, axes = plt.subplots(figsize=(width, height), **kwargs)
    for ax in np.atleast_1d(axes).ravel():
        style_axes(ax)
    return fig, axes


def style_axes(ax) -> None:
    """Give axes made elsewhere numerics' look: a light grid, no top and right
    spines, small tick labels (set on the axes, so it lasts outside :func:`style`).

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> style_axes(ax)
    >>> save_figure(fig, None)
    """
    ax.grid(True, which="major", alpha=0.3)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=9)


def legend(ax, *, outside: bool = False, **kwargs):
    """The axes' legend in numerics' style; ``outside`` puts it right of the axes,
    where it hides no curve (for more than a few series).

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([0, 1], label="a")
    >>> legend(ax, outside=True).get_texts()[0].get_text()
    'a'
    >>> save_figure(fig, None)
    """
    kwargs.setdefault("fontsize", 8)
    kwargs.setdefault("framealpha", 0.9)
    if outside:
        kwargs.setdefault("loc", "upper left")
        kwargs.setdefault("bbox_to_anchor", (1.01, 1.0))
        kwargs.setdefault("borderaxespad", 0.0)
    return ax.legend(**kwargs)


def plot_series(
    ax,
    x: Sequence | np.ndarray | None,
    series: Mapping[str, Sequence[float] | np.ndarray],
    *,
    markevery: int | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
):
    """Plot each of ``series`` (label to y values) against ``x`` (0, 1, ... if None),
    each in its own :func:`series_style`; markers are spread out (``markevery``) and
    staggered between series so that coinciding curves still show each marker.
    ``styles`` overrides the style of some labels. Returns the lines.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> lines = plot_series(ax, [1, 2, 3], {"a": [1, 2, 3], "b": [1, 2, 3]})
    >>> [l.get_linestyle() for l in lines]
    ['-', '--']
    >>> save_figure(fig, None)
    """
    lines = []
    n = len(series)
    for i, (label, ys) in enumerate(series.items()):
        ys = np.asarray(ys, dtype=np.float64)
        xs = np.arange(len(ys)) if x is None else np.asarray(x)
        st = series_style(i, n)
        every = markevery or max(1, len(ys) // 12)
        # markers staggered within one period, so coinciding series show each other's
        st["markevery"] = ((i * every) // max(n, 1) % every, every)
        st.update((styles or {}).get(label, {}))
        (line,) = ax.plot(xs, ys, label=label, zorder=2 + i, **st)
        lines.append(line)
    return lines


def label_line(ax, x: float, y: float, text: str, *, color: str = "0.35") -> None:
    """Write ``text`` just above the point ``(x, y)`` of a line (a bound's name at its
    right end), in the line's colour.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.axhline(2.0, color="0.35")
    >>> label_line(ax, 1.0, 2.0, "bound")
    >>> save_figure(fig, None)
    """
    ax.annotate(
        text,
        (x, y),
        xytext=(-2, 3),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=8,
        color=color,
    )


def category_axis(ax, labels: Sequence[str], *, axis: str = "x") -> None:
    """Put ``labels`` on the ticks 0, 1, ...; rotate them when they would overlap
    (more than about 60 characters in all, or more than 8 labels).

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> category_axis(ax, [f"L={2**k}" for k in range(1, 13)])
    >>> ax.get_xticklabels()[0].get_rotation()
    45.0
    >>> save_figure(fig, None)
    """
    labels = [str(s) for s in labels]
    crowded = len(labels) > 8 or sum(len(s) + 1 for s in labels) > 60
    ticks = range(len(labels))
    if axis == "x":
        ax.set_xticks(ticks)
        if crowded:
            ax.set_xticklabels(labels, rotation=45, ha="right", rotation_mode="anchor")
        else:
            ax.set_xticklabels(labels)
    else:
        ax.set_yticks(ticks)
        ax.set_yticklabels(labels)


def log_axis(ax, axis: str = "y") -> None:
    """A log scale whose tick labels are plain numbers (0.2, 0.3, ...) instead of
    powers written as ``3 x 10^-1``, when it spans less than two decades.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([1, 2], [0.1, 0.5])
    >>> log_axis(ax)
    >>> ax.get_yscale()
    'log'
    >>> save_figure(fig, None)
    """
    from matplotlib.ticker import FuncFormatter

    getattr(ax, f"set_{axis}scale")("log")
    lo, hi = sorted(getattr(ax, f"get_{axis}lim")())
    if lo > 0 and hi / lo < 100:
        plain = FuncFormatter(lambda v, _: f"{v:g}")
        target = ax.yaxis if axis == "y" else ax.xaxis
        target.set_major_formatter(plain)
        target.set_minor_formatter(plain)


def save_figure(fig, path: str | os.PathLike | None) -> str | None:
    """Save ``fig`` as a PNG at ``path`` (making its folder) in numerics' style, close
    it, and return the path; ``path`` None only closes it.

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = new_figure()
    >>> save_figure(fig, os.path.join(tempfile.mkdtemp(), "a.png")).endswith("a.png")
    True
    """
    plt = _pyplot()
    if path is not None:
        path = os.fspath(path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return path
