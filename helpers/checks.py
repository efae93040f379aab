"""Self-checks for the exercises: a helpful message, not only pass/fail.

An exercise in a notebook has four cells (CONTRIBUTING.md, item 6): the task; the learner's
cell, a function whose body is ``raise NotImplementedError()``; a check cell
``check("练习 1", lambda: checker(learner_function))``; and the reference solution as
markdown, read on demand, never executed.  :func:`check` prints one line:

- ⏳ — the function still raises ``NotImplementedError`` (not done yet);
- ❌ + a hint — a checker of :mod:`helpers.checkers` (or :func:`expect`, or a bare ``assert``,
  which shows its own source line) said what is wrong, or the learner's code raised;
- ✅ + what the checker measured (the line it returned).

In the learner's kernel it never raises.  Under nbgrader (``nbgrader autograde`` and
``validate`` set ``NBGRADER_EXECUTION`` in the kernel's environment) ⏳ and ❌ raise, so the
test cell scores 0.

Used in: 01, 02, 03, 04, 05, 06, 07, 08, 09.
"""
from __future__ import annotations

import os
import traceback
from typing import Callable

__all__ = ["GRADING", "check", "expect", "grading"]


def expect(condition: bool, hint: str) -> None:
    """Inside a check: fail with *hint* (what to look at) unless *condition* holds."""
    if not condition:
        raise AssertionError(hint)


def _where(exc: BaseException) -> str:
    """The source line where *exc* was raised (IPython keeps cell sources for this), or ""."""
    frames = traceback.extract_tb(exc.__traceback__)
    line = (frames[-1].line or "").strip() if frames else ""
    return f"`{line}`" if line else ""


GRADING = ("autograde", "validate")  # values of NBGRADER_EXECUTION (nbgrader/converters/autograde.py, validator.py)


def grading() -> bool:
    """True inside a kernel that nbgrader runs to grade or validate a notebook."""
    return os.environ.get("NBGRADER_EXECUTION", "") in GRADING


def check(title: str, test: Callable[[], object]) -> None:
    """Run *test* (a function that calls the learner's code: a checker, :func:`expect` or assert).

    Prints one friendly line (and returns None, so a cell ending with it shows only that
    line); a string returned by *test* is what was measured, printed after ✅.  Under nbgrader
    (:func:`grading`) any failure is raised instead, so the test cell scores 0.
    """
    solution = grading()
    try:
        measured = test()
    except NotImplementedError:
        if solution:
            raise
        print(f"⏳ {title}：还没有作答 —— 完成上面的函数后再运行这个单元格。")
        return None
    except AssertionError as exc:
        if solution:
            raise
        where = _where(exc)
        hint = str(exc) or (f"结果与预期不符：{where} 不成立。" if where else "结果与预期不符。")
        print(f"❌ {title}：{hint}")
        return None
    except Exception as exc:  # the learner's code raised: say what, not a wall of traceback
        if solution:
            raise
        where = _where(exc)
        print(f"❌ {title}：你的代码抛出了 {exc.__class__.__name__}: {exc}" + (f"（在 {where}）" if where else ""))
        return None
    print(f"✅ {title}：通过！" + (f"{measured}。" if isinstance(measured, str) and measured else ""))
    return None
