"""The plotting style: every series distinguishable (colour and line style), later
series drawn thinner on top, crowded tick labels rotated, bounds labelled; the
reports' plots use it."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from numerics.analysis import ErrorReport, plotting  # noqa: E402


def test_eight_series_have_distinct_colours_and_line_styles():
    styles = [plotting.series_style(i, 8) for i in range(8)]
    assert len({s["color"] for s in styles}) == 8
    assert len({str(s["linestyle"]) for s in styles}) == 8
    widths = [s["linewidth"] for s in styles]
    assert widths == sorted(widths, reverse=True) and widths[-1] > 0.5
    # beyond one cycle of colours, no (colour, line style, marker) repeats
    many = [plotting.series_style(i, 64) for i in range(64)]
    assert len({(s["color"], str(s["linestyle"]), s["marker"]) for s in many}) == 64
    with pytest.raises(ValueError, match="index"):
        plotting.series_style(-1)


def test_coinciding_series_stay_visible():
    fig, ax = plotting.new_figure()
    y = np.linspace(2, 1, 50)
    a, b = plotting.plot_series(ax, None, {"float32": y, "stochastic": y})
    # the later series is on top and thinner, in another colour and dash
    assert b.get_zorder() > a.get_zorder() and b.get_linewidth() < a.get_linewidth()
    assert a.get_color() != b.get_color() and a.get_linestyle() != b.get_linestyle()
    plotting.save_figure(fig, None)


def test_crowded_stage_labels_are_rotated_and_bounds_labelled():
    rows = tuple((f"L={2**k}", float(k)) for k in range(1, 13))
    r = ErrorReport("t", ("stage", "err"), rows, {"bound / u": 100.0, "prob bound / u": 20.0})
    ax = r.plot()
    assert all(t.get_rotation() == 45.0 for t in ax.get_xticklabels())
    texts = {t.get_text() for t in ax.texts}
    assert {"bound / u", "prob bound / u"} <= texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["err", "bound / u", "prob bound / u"]
    styles = {str(line.get_linestyle()) for line in ax.lines[1:]}
    assert len(styles) == 2  # the two bounds are told apart by their dashes
    plotting.save_figure(ax.figure, None)


def test_study_plot_eight_series_distinct():
    from numerics.transforms import StudyReport

    cols = ("format", "rounding", "log2 n", "mean / u", "bound / u", "prob bound / u")
    rows = tuple(
        (f, m, k, 1.0 + k * (0.1 if m == "nearest_even" else 0.12), 10.0 * k, 3.0 * k)
        for f in ("bfloat16", "float16", "e4m3", "e5m2")
        for m in ("nearest_even", "stochastic")
        for k in (4, 5, 6)
    )
    ax = StudyReport("study", cols, rows).plot()
    series = [line for line in ax.lines if "," in line.get_label()]
    assert len(series) == 8
    assert len({(line.get_color(), str(line.get_linestyle())) for line in series}) == 8
    assert ax.get_legend() is not None
    plotting.save_figure(ax.figure, None)


def test_save_figure_writes_a_png(tmp_path):
    fig, ax = plotting.new_figure()
    ax.plot([0, 1])
    path = plotting.save_figure(fig, tmp_path / "sub" / "a.png")
    assert (tmp_path / "sub" / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.endswith("a.png")


def test_markers_start_within_the_first_period():
    # with a marker at every point, every series marks every point
    fig, ax = plotting.new_figure()
    lines = plotting.plot_series(ax, None, {f"s{i}": [1, 2, 3] for i in range(8)}, markevery=1)
    assert all(line.get_markevery() == (0, 1) for line in lines)
    lines = plotting.plot_series(ax, None, {f"t{i}": np.arange(40) for i in range(4)}, markevery=8)
    assert [line.get_markevery()[0] for line in lines] == [0, 2, 4, 6]
    plotting.save_figure(fig, None)
