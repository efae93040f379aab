"""helpers.authoring.figures.fig_epoll: pics/09 names the three steps of epoll and is registered."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers.authoring.figures import registry, render  # noqa: E402
from helpers.authoring.figures.fig_epoll import FIGURES, draw  # noqa: E402
from helpers.fonts import use_cjk_font  # noqa: E402


def test_figure_09_is_registered_and_names_the_interest_tree_callback_and_ready_list(tmp_path):
    assert registry()["09"] is FIGURES["09"] is draw
    use_cjk_font()  # as render() does: the Chinese labels need a CJK font
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig = draw()
        texts = " ".join(t.get_text() for t in fig.axes[0].texts)
        plt.close(fig)
        png, svg = render("09", draw, tmp_path)
    for word in ("epoll_ctl", "epoll_wait", "红黑树", "ep_poll_callback", "rdllist", "①", "②", "③"):
        assert word in texts
    assert png.stat().st_size > 10_000 and svg.stat().st_size > 10_000
    assert plt.get_fignums() == []
