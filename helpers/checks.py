"""Self-checks for the exercises: a helpful message, not only pass/fail.

An exercise in a notebook has three cells:

1. the learner's cell — a function whose body is ``raise NotImplementedError``;
2. a check cell — ``check("练习 1", lambda: ...)`` runs assertions against it and prints
   ⏳ (not done yet), ❌ + a hint (wrong), or ✅ (right); it never fails the notebook;
3. the reference solution — defines the same function and calls
   ``check(..., solution=True)``, which raises if the solution is wrong, so the tests
   (nbval) prove every solution.
"""
from __future__ import annotations

from typing import Callable


def expect(condition: bool, hint: str) -> None:
    """Inside a check: fail with *hint* (what to look at) unless *condition* holds."""
    if not condition:
        raise AssertionError(hint)


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
        hint = str(exc) or "结果与预期不符。"
        print(f"❌ {title}：{hint}")
        return None
    except Exception as exc:  # the learner's code raised: say what, not a wall of traceback
        if solution:
            raise
        print(f"❌ {title}：你的代码抛出了 {exc.__class__.__name__}: {exc}")
        return None
    print(f"✅ {title}：通过！")
    return None
