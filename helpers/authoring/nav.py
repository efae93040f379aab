"""The navigation line at the top of every notebook: index · previous · next.

``python -m helpers.authoring.nav`` (``make nav``) finds, in each ``notebooks/NN_slug.ipynb``, the
markdown cell that starts with :data:`MARKER` and rewrites it (or inserts it as the first
cell).  :func:`nav_line` is what the test compares against, so stale links fail the tests.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

MARKER = "<!-- nav -->"
GLOSSARY_ANCHOR = "术语表-glossary"  # JupyterLab's id for the heading "## 术语表 glossary" in 00_index
NOTEBOOK_NAME = re.compile(r"^(\d\d)_[a-z0-9][a-z0-9-]*\.ipynb$")
from helpers.authoring import ROOT


def chapters(folder: Path = ROOT / "notebooks") -> list[Path]:
    """The course's notebooks, in chapter order (names must be ``NN_slug.ipynb``)."""
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def title_of(path: Path) -> str:
    """The notebook's first level-1 heading (without ``#``)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def nav_line(path: Path, order: list[Path]) -> str:
    """Markdown of the navigation cell for *path* given the chapter *order*."""
    i = order.index(path)
    parts = [MARKER, "[🏠 目录 index](00_index.ipynb)", f"[📖 术语表 glossary](00_index.ipynb#{GLOSSARY_ANCHOR})"]
    if i > 0:
        prev = order[i - 1]
        parts.append(f"[⬅️ 上一章 {title_of(prev)}]({prev.name})")
    if i + 1 < len(order):
        nxt = order[i + 1]
        parts.append(f"[下一章 {title_of(nxt)} ➡️]({nxt.name})")
    return parts[0] + "\n" + " · ".join(parts[1:])


def find_nav_cell(nb) -> int | None:
    """Index of the navigation cell, or None."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.startswith(MARKER):
            return i
    return None


def update(folder: Path = ROOT / "notebooks") -> list[Path]:
    """Rewrite the navigation cell of every notebook; returns the notebooks that changed."""
    order = chapters(folder)
    changed = []
    for path in order:
        nb = nbformat.read(path, as_version=4)
        text = nav_line(path, order)
        i = find_nav_cell(nb)
        if i is None:
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(text))
        elif nb.cells[i].source == text:
            continue
        else:
            nb.cells[i].source = text
        nbformat.write(nb, path)
        changed.append(path)
    return changed


if __name__ == "__main__":
    for p in update(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "notebooks"):
        print(f"updated {p.name}")
