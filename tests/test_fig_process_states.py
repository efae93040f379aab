"""helpers.authoring.figures.fig_process_states: pics/01 draws the three states, in a CJK font, and is registered."""
from __future__ import annotations

from helpers.authoring.figures import registry
from helpers.authoring.figures.fig_process_states import FIGURES, draw


def test_figure_01_is_registered_and_names_the_three_states(drawn_texts):
    assert registry()["01"] is FIGURES["01"] is draw
    texts = drawn_texts("01", draw)
    for word in ("运行 running", "就绪 ready", "阻塞 blocked", "①", "②", "I/O"):
        assert word in texts
