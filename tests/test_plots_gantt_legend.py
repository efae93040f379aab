"""helpers.plots.gantt: the legend sits outside the axes, so it never hides the last bars."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from helpers import plots  # noqa: E402
from helpers.timing import Timeline  # noqa: E402


def test_gantt_legend_does_not_cover_the_bars(monkeypatch):
    captured = {}
    original = plots._finish

    def keep(fig, save):
        fig.canvas.draw()
        ax = fig.axes[0]
        captured["axes"] = ax.get_window_extent()
        captured["legend"] = ax.get_legend().get_window_extent()
        captured["figure"] = fig.bbox
        original(fig, save)

    monkeypatch.setattr(plots, "_finish", keep)
    tl = Timeline()
    tl.add("A", tl.t0, tl.t0 + 0.3, "run")
    tl.add("B", tl.t0 + 0.3, tl.t0 + 0.6, "wait")  # ends at the right edge, where a legend used to sit
    plots.gantt(tl, "legend")
    axes, legend, figure = captured["axes"], captured["legend"], captured["figure"]
    assert legend.x0 >= axes.x1, "the legend must be to the right of the bars, not on them"
    assert legend.x1 <= figure.x1 + 1, "the legend must stay inside the figure"
