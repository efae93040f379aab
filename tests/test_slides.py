"""helpers.authoring.slides: the reveal.js slide metadata follows the rules, is idempotent, and is fresh."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from helpers.authoring import nav, slides

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = nav.chapters(REPO / "notebooks")


def types(path: Path) -> list[str]:
    return [c.metadata["slideshow"]["slide_type"] for c in nbformat.read(path, as_version=4).cells]


def test_rules_on_a_chapter(sample_course):
    folder = sample_course / "notebooks"
    changed = slides.update(folder)
    assert [p.name for p in changed] == ["00_index.ipynb", "01_alpha.ipynb", "02_beta.ipynb"]
    # nav, title, 学习目标, code, prose, ###, empty, 练习, solution
    assert types(folder / "01_alpha.ipynb") == ["slide", "-", "slide", "-", "-", "subslide", "skip", "slide", "notes"]
    # the index: nav + title share the first slide, the glossary gets its own
    assert types(folder / "00_index.ipynb") == ["slide", "-", "slide"]


def test_title_without_a_nav_cell_starts_a_slide_of_its_own():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("intro"),
                                         nbformat.v4.new_markdown_cell("# 01 标题")])
    assert slides.apply(nb) is True
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == ["slide", "slide"]


def test_idempotent_and_keeps_other_metadata(sample_course):
    folder = sample_course / "notebooks"
    path = folder / "01_alpha.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].metadata["slideshow"] = {"slide_type": "fragment", "data": {"x": "1"}}
    nb.cells[3].metadata["tags"] = ["nbval-ignore-output"]
    nbformat.write(nb, path)
    slides.update(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert slides.update(folder) == []
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before, "a second run must change no byte"
    cell = nbformat.read(path, as_version=4).cells[3]
    assert cell.metadata.slideshow == {"slide_type": "-", "data": {"x": "1"}}
    assert cell.metadata.tags == ["nbval-ignore-output"]


def test_check_mode_reports_stale_and_writes_nothing(sample_course, capsys):
    folder = sample_course / "notebooks"
    before = (folder / "02_beta.ipynb").read_bytes()
    assert slides.main(["--check", str(folder)]) == 1
    assert "stale slide metadata in 02_beta.ipynb" in capsys.readouterr().out
    assert (folder / "02_beta.ipynb").read_bytes() == before
    assert slides.main([str(folder)]) == 0
    assert slides.main(["--check", str(folder)]) == 0
    # an author adds a section heading to a cell: the metadata is stale again
    nb = nbformat.read(folder / "02_beta.ipynb", as_version=4)
    nb.cells[4].source = "## 2. 新的一节"
    nbformat.write(nb, folder / "02_beta.ipynb")
    assert slides.stale(nbformat.read(folder / "02_beta.ipynb", as_version=4)) == [4]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_slide_metadata_is_fresh(path):
    bad = slides.stale(nbformat.read(path, as_version=4))
    assert not bad, f"{path.name}: stale slide metadata in cells {bad} (run `make nav`)"
