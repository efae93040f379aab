"""Classroom mode: reveal.js slide metadata on every notebook's cells.

``python -m helpers.authoring.slides`` (run by ``make nav``) sets ``cell.metadata.slideshow.slide_type``
on every cell of every ``notebooks/NN_slug.ipynb`` from the chapter skeleton, so that
RISE (``jupyterlab-rise``: Alt+R in JupyterLab, see TEACHERS.md) presents any chapter as
live slides.  The rules, in order (see :func:`slide_type`):

============================================  ==============  =================================
cell                                          slide_type      why
============================================  ==============  =================================
the first cell (the navigation cell)          ``slide``       every deck starts with a slide
the title cell right after the navigation     ``-``           nav + ``# NN 标题`` share slide 1
an empty cell                                 ``skip``        nothing to show
a solution (tag ``exercise-solution``)        ``notes``       the teacher sees it (speaker view, ``S``)
markdown starting with ``# `` or ``## ``      ``slide``       one section, one slide
markdown starting with ``### ``               ``subslide``    a sub-section goes below it
anything else                                 ``-``           continues the current slide
============================================  ==============  =================================

The metadata depends only on cell types, sources and tags, never on
outputs, so ``make execute`` never makes it stale; re-running changes nothing (idempotent).
``python -m helpers.authoring.slides --check`` exits 1 and names the notebooks whose metadata is stale;
``tests/test_slides.py`` does the same for the committed notebooks.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from helpers.authoring import ROOT, nav


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.lstrip()
    return ""


def is_solution(cell) -> bool:
    """A reference solution: a markdown cell tagged ``exercise-solution`` (CONTRIBUTING.md, item 6)."""
    return "exercise-solution" in cell.get("metadata", {}).get("tags", [])


def slide_type(cells: list, i: int) -> str:
    """The reveal.js slide type of ``cells[i]`` under the rules in the module docstring."""
    cell = cells[i]
    first = _first_line(cell.source)
    if i == 0:
        return "slide"
    if not cell.source.strip():
        return "skip"
    if is_solution(cell):
        return "notes"
    if cell.cell_type != "markdown":
        return "-"
    if first.startswith("# ") and i == 1 and cells[0].source.startswith(nav.MARKER):
        return "-"
    if first.startswith(("# ", "## ")):
        return "slide"
    if first.startswith("### "):
        return "subslide"
    return "-"


def apply(nb) -> bool:
    """Set the slide metadata of every cell of *nb* in place; True if anything changed."""
    changed = False
    for i, cell in enumerate(nb.cells):
        wanted = slide_type(nb.cells, i)
        slideshow = cell.metadata.setdefault("slideshow", {})
        if slideshow.get("slide_type") != wanted:
            slideshow["slide_type"] = wanted
            changed = True
    return changed


def stale(nb) -> list[int]:
    """Indices of the cells of *nb* whose slide metadata differs from the rules."""
    return [i for i, cell in enumerate(nb.cells)
            if cell.metadata.get("slideshow", {}).get("slide_type") != slide_type(nb.cells, i)]


def update(folder: Path = ROOT / "notebooks", *, check: bool = False) -> list[Path]:
    """Apply the rules to every chapter in *folder*; returns the notebooks that changed.

    With ``check=True`` nothing is written: the notebooks that *would* change are returned.
    """
    changed = []
    for path in nav.chapters(folder):
        nb = nbformat.read(path, as_version=4)
        if apply(nb):
            if not check:
                nbformat.write(nb, path)
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    """``python -m helpers.authoring.slides [--check] [FOLDER]``."""
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    folder = Path(args[0]) if args else ROOT / "notebooks"
    changed = update(folder, check=check)
    for path in changed:
        print(f"{'stale slide metadata in' if check else 'slide metadata updated:'} {path.name}")
    if check and changed:
        print("run `make nav` (or `python -m helpers.authoring.slides`) to refresh it", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
