"""Checkers of the exercises, one module per chapter: they run the learner's code and teach.

A checker takes the learner's function (or class), runs it against the course's own servers
and clients, and either returns one line saying what was measured (which
:func:`helpers.checks.check` prints after ✅) or raises :class:`AssertionError` saying which
input (for servers: which client), what was expected and what came back (which bytes).
``NotImplementedError`` from the learner's stub passes through, so the check shows ⏳.

- :mod:`helpers.checkers.ch07` — chapter 07: frames, a write buffer, a selectors echo server

Used in: 07.
"""

from helpers.checkers import ch07

__all__ = ["ch07"]
