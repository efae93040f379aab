"""Fixtures for the unit tests."""
from __future__ import annotations

import time

import pytest


@pytest.fixture
def stop_timer():
    """Returns a function that measures how long a server's __exit__ takes."""

    def measure(server) -> float:
        start = time.perf_counter()
        server.__exit__(None, None, None)
        return time.perf_counter() - start

    return measure


# A 1×1 PNG, for sample notebooks' figures and image outputs.
TINY_PNG_B64 = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


@pytest.fixture
def sample_course(tmp_path):
    """A tiny course laid out like the repository: notebooks/00_index, 01_alpha, 02_beta and pics/01.png.

    The chapters follow the skeleton (nav cell via helpers.authoring.nav, title, sections, a hidden
    solution, a figure from pics/, an image output, a link to the glossary anchor).
    """
    import base64

    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from helpers.authoring import nav

    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    (root / "pics").mkdir()
    (root / "pics" / "01.png").write_bytes(base64.b64decode(TINY_PNG_B64))
    index = new_notebook(cells=[
        new_markdown_cell("# 00 目录\n\n1. [01 甲](01_alpha.ipynb)\n2. [02 乙](02_beta.ipynb)"),
        new_markdown_cell("## 术语表 glossary\n\n并发 concurrency"),
    ])

    def chapter(n, name, extra):
        solution = new_markdown_cell("<details><summary>参考答案（先自己写，再展开）</summary>\n\n```python\n"
                                     "def f():\n    return 1\n```\n\n</details>")
        solution.metadata["tags"] = ["exercise-solution"]
        return new_notebook(cells=[
            new_markdown_cell(f"# {n} {name}"),
            new_markdown_cell("## 学习目标\n\n- 目标"),
            new_code_cell("x = 1\nx", execution_count=1, outputs=[
                new_output("execute_result", data={"text/plain": "1"}, execution_count=1),
                new_output("display_data", data={"image/png": TINY_PNG_B64, "text/plain": "<Figure>"}),
            ]),
            new_markdown_cell(extra),
            new_markdown_cell("### 1.1 细节\n\n更多"),
            new_markdown_cell(""),
            new_markdown_cell("## 练习\n\n### 参考答案"),
            solution,
        ])

    nbs = {
        "00_index.ipynb": index,
        "01_alpha.ipynb": chapter("01", "甲", "看图：![图 1](../pics/01.png)"),
        "02_beta.ipynb": chapter("02", "乙", "见 [术语表](00_index.ipynb#术语表-glossary)。"),
    }
    for name, nb in nbs.items():
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, root / "notebooks" / name)
    nav.update(root / "notebooks")
    return root


@pytest.fixture
def drawn_texts(tmp_path):
    """``drawn_texts(key, draw)``: draw figure *key* as ``make pics`` does (CJK font, no missing glyph), return its texts."""
    return lambda key, draw: _drawn_texts(key, draw, tmp_path)


def _drawn_texts(key: str, draw, tmp_path) -> str:
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.authoring.figures import render
    from helpers.fonts import use_cjk_font

    use_cjk_font()
    before = set(plt.get_fignums())
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig = draw()
        texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
        plt.close(fig)
        png, svg = render(key, draw, tmp_path)
    assert png.stat().st_size > 10_000 and svg.stat().st_size > 10_000
    assert set(plt.get_fignums()) == before, "drawing a figure for pics/ must close it"
    return texts
