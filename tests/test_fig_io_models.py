"""helpers/authoring/figures/fig_io_models.py: the I/O-model figures draw, in a CJK font, with both phases."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.authoring.figures import fig_io_models, registry, render  # noqa: E402
from helpers.fonts import use_cjk_font  # noqa: E402


def texts(fig) -> str:
    return "\n".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title])


def test_the_module_draws_02_to_08_but_not_the_process_state_figure():
    assert sorted(fig_io_models.FIGURES) == ["02", "03", "04", "05", "06", "07", "08"]
    assert all(registry()[k] is fig_io_models.FIGURES[k] for k in fig_io_models.FIGURES)


@pytest.mark.parametrize("key", sorted(fig_io_models.FIGURES))
def test_each_figure_renders_without_missing_glyphs_and_shows_both_phases(key, tmp_path):
    use_cjk_font()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig = fig_io_models.FIGURES[key]()
        text = texts(fig)
        fig.savefig(tmp_path / f"{key}.png")
    plt.close(fig)
    assert "等待数据" in text and "拷贝到用户空间" in text


@pytest.mark.parametrize("key, calls", [("02", ["recvfrom"]), ("03", ["EWOULDBLOCK"]), ("04", ["select", "recvfrom"]),
                                        ("05", ["io_uring"]), ("06", ["select("]), ("08", ["SIGIO", "recvfrom"])])
def test_timelines_name_their_system_calls(key, calls):
    fig = fig_io_models.FIGURES[key]()
    text = texts(fig)
    plt.close(fig)
    for call in calls:
        assert call in text, f"pics/{key} should name {call}"


def test_comparison_says_which_models_are_synchronous():
    fig = fig_io_models.comparison()
    text = texts(fig)
    plt.close(fig)
    assert "同步 I/O" in text and "异步 I/O" in text
    for name in ("阻塞式 I/O", "非阻塞式 I/O", "I/O 多路复用", "信号驱动式 I/O", "异步 I/O"):
        assert name in text


def test_render_is_deterministic(tmp_path):
    a = render("02", fig_io_models.blocking, tmp_path / "a")
    b = render("02", fig_io_models.blocking, tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_multiplexing_is_called_多路复用_everywhere_and_figure_05_says_aio_read_is_emulated():
    texts_by_key = {}
    for key, draw in fig_io_models.FIGURES.items():
        fig = draw()
        texts_by_key[key] = texts(fig)
        plt.close(fig)
    assert all("I/O 复用" not in t for t in texts_by_key.values())
    assert "多路复用" in texts_by_key["04"] and "多路复用" in texts_by_key["06"]
    assert "aio_read" in texts_by_key["05"] and "线程模拟" in texts_by_key["05"]
