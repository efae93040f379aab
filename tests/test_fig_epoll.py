"""helpers.authoring.figures.fig_epoll: pics/09 names the three steps of epoll and is registered."""
from __future__ import annotations

from helpers.authoring.figures import registry
from helpers.authoring.figures.fig_epoll import FIGURES, draw


def test_figure_09_is_registered_and_names_the_interest_tree_callback_and_ready_list(drawn_texts):
    assert registry()["09"] is FIGURES["09"] is draw
    texts = drawn_texts("09", draw)
    for word in ("epoll_ctl", "epoll_wait", "红黑树", "ep_poll_callback", "rdllist", "①", "②", "③"):
        assert word in texts
