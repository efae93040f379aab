"""A chapter's exercises, run from the notebook's own cells, for the checker tests (``tests/test_checkers_NN.py``).

:class:`ChapterExercises` reads a chapter once: its setup (the first code cell and the cells tagged
``exercise-setup``, as :func:`helpers.authoring.assignments.setup_cells` gives them to nbgrader) and
its four-cell exercises.  :meth:`~ChapterExercises.scope` runs the setup without its IPython magic
lines, then some code, in a fresh namespace; the code is registered with :mod:`linecache` so that
``inspect.getsource`` finds it, as it does in IPython.  :meth:`~ChapterExercises.run_check` runs an
exercise's check cell against that code and returns what the check printed.
"""
from __future__ import annotations

import contextlib
import io
import itertools
import linecache
from pathlib import Path

import nbformat

from helpers.authoring import assignments

__all__ = ["ChapterExercises"]

_names = itertools.count()


def _run(code: str, scope: dict, label: str) -> None:
    name = f"<{label}-{next(_names)}>"
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    exec(compile(code, name, "exec"), scope)


class ChapterExercises:
    """The exercises of the chapter at *notebook*: setup, reference solutions, stubs and check cells."""

    def __init__(self, notebook: Path):
        self.nb = nbformat.read(notebook, as_version=4)
        self.exercises = assignments.exercise_cells(self.nb)
        self.setup = ["\n".join(line for line in c.source.splitlines() if not line.startswith("%"))
                      for c in assignments.setup_cells(self.nb)]

    def __len__(self) -> int:
        return len(self.exercises)

    def solution(self, n: int) -> str:
        """Exercise *n*'s reference code, read from its solution markdown."""
        return assignments.solution_code(self.exercises[n - 1]["exercise-solution"])

    def stub(self, n: int) -> str:
        """Exercise *n*'s stub, as the learner finds it."""
        return self.exercises[n - 1]["exercise-code"].source

    def wrong(self, n: int, old: str, new: str) -> str:
        """A wrong answer derived from exercise *n*'s reference code by replacing *old* with *new*."""
        code = self.solution(n)
        assert old in code, f"the reference solution of 练习 {n} changed: update the wrong answer derived from it"
        return code.replace(old, new)

    def scope(self, code: str) -> dict:
        """The chapter's setup (what it prints is dropped), then *code*, in a fresh namespace."""
        scope: dict = {}
        with contextlib.redirect_stdout(io.StringIO()):
            for source in self.setup:
                _run(source, scope, "setup")
        _run(code, scope, "exercise")
        return scope

    def run_check(self, n: int, code: str) -> str:
        """Run exercise *n*'s check cell against *code*; return what it printed."""
        scope = self.scope(code)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            _run(self.exercises[n - 1]["exercise-check"].source, scope, "check")
        return out.getvalue().strip()
