"""Self-checks for the exercises: a helpful message, not only pass/fail.

An exercise in a notebook has three cells:

1. the learner's cell — a function whose body is ``raise NotImplementedError``;
2. a check cell — ``check("练习 1", lambda: ...)`` runs assertions against it and prints
   ⏳ (not done yet), ❌ + a hint (wrong), or ✅ (right); it never fails the notebook;
   :func:`expect_equal` / :func:`expect_close` make the hint say expected vs got (and where
   a list, string or dict first differs); a bare ``assert`` shows its own source line;
3. the reference solution — defines the same function and calls
   ``check(..., solution=True)``, which raises if the solution is wrong, so the tests
   (nbval) prove every solution.
"""
from __future__ import annotations

import math
import reprlib
import traceback
from typing import Callable

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 80
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 8


def expect(condition: bool, hint: str) -> None:
    """Inside a check: fail with *hint* (what to look at) unless *condition* holds."""
    if not condition:
        raise AssertionError(hint)


def _first_difference(got, expected) -> str:
    """Where two unequal values of the same kind first differ, in words ("" if not obvious)."""
    if isinstance(got, dict) and isinstance(expected, dict):
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing:
            return f"缺少键 {_repr.repr(missing[0])}"
        if extra:
            return f"多了键 {_repr.repr(extra[0])}"
        key = next((k for k in expected if got[k] != expected[k]), None)
        if key is None:
            return ""
        return f"键 {_repr.repr(key)} 的值应为 {_repr.repr(expected[key])}，却是 {_repr.repr(got[key])}"
    sequences = (list, tuple, str, bytes)
    if isinstance(got, sequences) and isinstance(expected, sequences) and type(got) is type(expected):
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                return f"第 {i} 项 (index {i}) 应为 {_repr.repr(e)}，却是 {_repr.repr(g)}"
        return f"长度应为 {len(expected)}，却是 {len(got)}"
    if type(got) is not type(expected) and not (isinstance(got, (int, float)) and isinstance(expected, (int, float))):
        return f"类型应为 {type(expected).__name__}，却是 {type(got).__name__}"
    return ""


def expect_equal(got, expected, what: str = "结果") -> None:
    """Inside a check: fail unless ``got == expected``, showing expected vs got and where they differ.

    ``expect_equal(fib(10), 55, "fib(10)")`` fails with
    ``fib(10)：期望 55，实际得到 89`` — plus, for lists, strings, bytes and dicts, the first
    difference (``第 2 项 (index 2) 应为 …``) or the type that is wrong.
    """
    if got == expected:
        return
    message = f"{what}：期望 {_repr.repr(expected)}，实际得到 {_repr.repr(got)}"
    detail = _first_difference(got, expected)
    raise AssertionError(f"{message}（{detail}）" if detail else message)


def expect_close(got: float, expected: float, what: str = "结果", *, rel: float = 0.1, unit: str = "") -> None:
    """Inside a check: fail unless *got* is within ±*rel* (relative) of *expected*, saying by how much.

    For measured numbers (seconds, bytes per second): ``expect_close(elapsed, 0.3, "总耗时", rel=0.5,
    unit=" s")`` fails with ``总耗时：期望约 0.3 s (±50%)，实际得到 0.9 s（偏差 +200%）``.
    """
    if math.isclose(got, expected, rel_tol=rel):
        return
    off = f"{(got - expected) / expected:+.0%}" if expected else f"{got - expected:+.3g}{unit}"
    raise AssertionError(f"{what}：期望约 {expected:.3g}{unit} (±{rel:.0%})，实际得到 {got:.3g}{unit}（偏差 {off}）")


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
