"""The figures in ``pics/``, drawn from code (``make pics`` / ``python -m helpers.authoring.figures``).

Each module ``helpers/authoring/figures/fig_*.py`` defines ``FIGURES = {"NN": draw}`` where
``draw()`` returns a matplotlib Figure.  :func:`render_all` writes ``pics/NN.png`` and
``pics/NN.svg`` for every registered figure, deterministically (no dates, fixed SVG ids),
so re-running changes no bytes unless the drawing changed.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Callable

import matplotlib

from helpers.authoring import ROOT
from helpers.fonts import use_cjk_font

PICS = ROOT / "pics"


def registry() -> dict[str, Callable]:
    """All figures: ``{"NN": draw}`` collected from the ``fig_*`` modules."""
    found: dict[str, Callable] = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("fig_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, draw in getattr(module, "FIGURES", {}).items():
            if key in found:
                raise ValueError(f"figure {key!r} is defined twice (in {info.name})")
            found[key] = draw
    return dict(sorted(found.items()))


def render(key: str, draw: Callable, folder: Path = PICS) -> list[Path]:
    """Draw one figure and write ``NN.png`` and ``NN.svg`` into *folder*; returns the paths."""
    import matplotlib.pyplot as plt

    use_cjk_font()
    matplotlib.rcParams["svg.hashsalt"] = f"course-{key}"
    fig = draw()
    folder.mkdir(parents=True, exist_ok=True)
    png, svg = folder / f"{key}.png", folder / f"{key}.svg"
    fig.savefig(png, dpi=110, metadata={"Software": None})
    fig.savefig(svg, metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return [png, svg]


def render_all(folder: Path = PICS) -> list[Path]:
    """Render every registered figure into *folder*."""
    written = []
    for key, draw in registry().items():
        written += render(key, draw, folder)
    return written
