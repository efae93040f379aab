"""helpers.plots / helpers.fonts: charts draw with a real CJK font and no missing glyphs."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import fonts, plots  # noqa: E402
from helpers.timing import Timeline  # noqa: E402


def draw_with_glyph_check(fn, *args, **kwargs):
    """Call a plot function with matplotlib's 'Glyph … missing' warnings turned into errors."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fn(*args, **kwargs)


def test_a_cjk_font_is_found_and_renders_chinese_without_missing_glyphs(tmp_path):
    family = fonts.use_cjk_font()
    assert family and family in matplotlib.rcParams["font.sans-serif"][0]
    fig, ax = plt.subplots()
    ax.set_title("并发与并行：阻塞、非阻塞、多路复用 −1")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig.savefig(tmp_path / "t.png")
    plt.close(fig)


def test_default_font_would_have_failed(tmp_path):
    """The check above can fail: DejaVu Sans alone has no Chinese glyphs."""
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"], "font.family": "sans-serif"}):
        fig, ax = plt.subplots()
        ax.set_title("并发")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.savefig(tmp_path / "t.png")
        plt.close(fig)


def test_bundled_font_exists():
    assert fonts.bundled_font_path() is not None


def test_gantt_bars_loglog_draw_and_save(tmp_path):
    tl = Timeline()
    tl.add("任务 A", tl.t0, tl.t0 + 0.5, "io")
    tl.add("任务 B", tl.t0 + 0.1, tl.t0 + 0.3, "cpu")
    draw_with_glyph_check(plots.gantt, tl, "时间线", save=str(tmp_path / "g.png"))
    draw_with_glyph_check(plots.gantt, tl, "指定顺序", order=["任务 B", "任务 A"])
    draw_with_glyph_check(plots.bars, {"线程": 16.1, "协程": 8.3}, "内存", ylabel="KiB", save=str(tmp_path / "b.png"))
    draw_with_glyph_check(plots.bars, {"N=10": {"select": 1, "epoll": 0.5}, "N=100": {"select": 3}}, "分组")
    draw_with_glyph_check(plots.loglog, [10, 100, 1000], {"select": [1, 3, 35]}, "扩展性",
                          reference={"TLPI select": [0.73, 3.0, 35]})
    assert (tmp_path / "g.png").stat().st_size > 1000 and (tmp_path / "b.png").stat().st_size > 1000
    assert plt.get_fignums() == [], "plot helpers must close their figures"


def test_plot_functions_refuse_empty_input():
    with pytest.raises(ValueError):
        plots.gantt(Timeline())
    with pytest.raises(ValueError):
        plots.bars({})
    with pytest.raises(ValueError):
        plots.loglog([1], {})


def test_gantt_legend_does_not_cover_any_bar(monkeypatch):
    from helpers import plots
    from helpers.timing import Timeline

    figures = []
    monkeypatch.setattr(plots, "_finish", lambda fig, save: (fig.tight_layout(), figures.append(fig)))
    tl = Timeline()
    tl.t0 = 0.0
    tl.add("计算", 0.0, 1.0, kind="cpu")
    for i in range(3):
        tl.add(f"请求 {i}", 0.0, 1.0, kind="wait")  # bars reaching the right edge, where legends used to sit
    plots.gantt(tl, "legend")
    fig = figures[0]
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    fig_box = fig.bbox
    assert fig_box.x0 <= legend.x0 and legend.x1 <= fig_box.x1 + 1, "the legend must stay inside the figure"
    for bar in ax.patches:
        assert not legend.overlaps(bar.get_window_extent()), "the legend covers a bar"
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_every_kind_with_a_hatch_has_a_colour_and_a_label():
    from helpers import plots

    assert set(plots.KIND_HATCHES) <= set(plots.KIND_COLORS) == set(plots.KIND_LABELS)
    assert {"blocked", "parked", "ready"} <= set(plots.KIND_COLORS)
    assert len({plots.KIND_COLORS[k] for k in ("blocked", "parked", "ready", "run")}) == 4, \
        "a thread blocked, a task parked, a task ready and a task running must look different"


def test_gantt_draws_marks_on_their_rows_with_a_legend(monkeypatch):
    figures = []
    monkeypatch.setattr(plots, "_finish", lambda fig, save: figures.append(fig))
    tl = Timeline()
    tl.t0 = 0.0
    tl.add("轮询", 0.0, 1.0, kind="run")
    tl.add("回调", 0.0, 1.0, kind="run")
    plots.gantt(tl, "marks", order=["轮询", "回调"],
                marks=[("轮询", 0.2, "look"), ("轮询", 0.4, "look"), ("回调", 0.5, "notify")])
    ax = figures[0].axes[0]
    points = [tuple(c.get_offsets()[0]) for c in ax.collections]
    assert points == [(0.2, 0.0), (0.4, 0.0), (0.5, 1.0)]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert plots.MARK_STYLES["look"]["label"] in labels and plots.MARK_STYLES["notify"]["label"] in labels
    # the duration label stays on the row without "look" ticks (which would be drawn over it)
    assert [t.get_position()[1] for t in ax.texts] == [1.0]
    with pytest.raises(ValueError):
        plots.gantt(tl, marks=[("没有这一行", 0.1, "look")])
    plt.close("all")


def test_bars_coloured_by_group_share_one_colour_per_group_and_get_a_legend(monkeypatch):
    captured = {}
    monkeypatch.setattr(plots, "_finish", lambda fig, save: captured.setdefault("fig", fig))
    plots.bars({"#1": 0.1, "#2": 0.1, "#3": 0.2}, "波次", groups=["第 1 批", "第 1 批", "第 2 批"])
    ax = captured["fig"].axes[0]
    colours = [tuple(p.get_facecolor()) for p in ax.patches]
    assert colours[0] == colours[1] != colours[2]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["第 1 批", "第 2 批"]
    plt.close(captured["fig"])
    with pytest.raises(ValueError):
        plots.bars({"#1": 1, "#2": 2}, groups=["a"])
