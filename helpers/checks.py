"""Self-checks for the exercises: a helpful message, not only pass/fail.

An exercise in a notebook has three cells:

1. the learner's cell — a function whose body is ``raise NotImplementedError``;
2. a check cell — ``check("练习 1", lambda: ...)`` runs assertions against it and prints
   ⏳ (not done yet), ❌ + a hint (wrong), or ✅ (right); it never fails the notebook;
   :func:`expect` gives the hint; a bare ``assert`` shows its own source line;
3. the reference solution — defines the same function and calls
   ``check(..., solution=True)``, which raises if the solution is wrong, so the tests
   (nbval) prove every solution.

Used in: 01, 02, 03, 04, 05, 06, 07, 08, 09.
"""
from __future__ import annotations

import traceback
from typing import Callable

__all__ = ["check", "expect"]


def expect(condition: bool, hint: str) -> None:
    """Inside a check: fail with *hint* (what to look at) unless *condition* holds."""
    if not condition:
        raise AssertionError(hint)


def _where(exc: BaseException) -> str:
    """The source line where *exc* was raised (IPython keeps cell sources for this), or ""."""
    frames = traceback.extract_tb(exc.__traceback__)
    line = (frames[-1].line or "").strip() if frames else ""
    return f"`{line}`" if line else ""


def check(title: str, test: Callable[[], object], *, solution: bool = False) -> None:
    """Run *test* (a function that calls the learner's code and uses :func:`expect`/assert).

    Prints one friendly line (and returns None, so a cell ending with it shows only that
    line).  With ``solution=True``
    (the reference solution's cell) any failure is raised instead, so a wrong solution
    fails the test suite.
    """
    try:
        test()
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
    print(f"✅ {title}：通过！")
    return None
