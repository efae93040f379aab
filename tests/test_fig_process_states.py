"""helpers.authoring.figures.fig_process_states: pics/01 draws the three states, in a CJK font, and is registered."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers.authoring.figures import registry, render  # noqa: E402
from helpers.authoring.figures.fig_process_states import FIGURES, draw  # noqa: E402


def test_figure_01_is_registered_and_names_the_three_states(tmp_path):
    assert registry()["01"] is FIGURES["01"] is draw
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig = draw()
        texts = " ".join(t.get_text() for t in fig.axes[0].texts)
        plt.close(fig)
        png, svg = render("01", draw, tmp_path)
    for word in ("运行 running", "就绪 ready", "阻塞 blocked", "①", "②", "I/O"):
        assert word in texts
    assert png.stat().st_size > 10_000 and svg.stat().st_size > 10_000
    assert plt.get_fignums() == []
