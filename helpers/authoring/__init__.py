"""Authoring: the tools an author runs to build the course (none of them is imported by a notebook).

- :mod:`helpers.authoring.execute`  re-executes notebooks in place (``make execute``)
- :mod:`helpers.authoring.figures`  draws the figures in ``pics/`` (``make pics``)
- :mod:`helpers.authoring.nav`      the navigation line at the top of every notebook (``make nav``)
- :mod:`helpers.authoring.site`     the static HTML site and the slides (``make html`` / ``make slides``)
- :mod:`helpers.authoring.slides`   reveal.js slide metadata for every cell (``make nav``)

:data:`ROOT` is the repository (``notebooks/``, ``pics/``), the one place its path is computed.
"""

from pathlib import Path

__all__ = ["ROOT"]

ROOT = Path(__file__).resolve().parent.parent.parent
