"""Authoring room: the tools an author runs to build the course; none is imported by a notebook.

Modules: ``assignments`` (``make assignments``: the nbgrader course), ``execute`` (``make execute``,
which also records the ``reference`` run), ``figures`` (``make pics``), ``lab`` (``make lab``),
``nav`` and ``slides`` (``make nav``), and ``reference``; ``make html`` builds the site with Jupyter
Book from ``site/``; each tool runs as ``python -m helpers.authoring.<name>`` (one line each on their role: :mod:`helpers`).

:data:`ROOT` is the repository (``notebooks/``, ``pics/``), the one place its path is computed.
"""

from pathlib import Path

__all__ = ["ROOT"]

ROOT = Path(__file__).resolve().parent.parent.parent
