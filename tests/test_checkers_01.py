"""helpers.checkers.ch01 on chapter 01's own exercise cells: the reference solution passes, the stub is ⏳,
and the wrong answers a learner is likely to write are caught with a message naming the input.

The reference solutions are read from the notebook's solution markdown (the one source of truth),
the stubs from its exercise-code cells, the checks from its exercise-check cells.  The few lines
that run them are the same as in tests/test_checkers_07.py.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from helpers.authoring import assignments
from helpers.checkers import ch01

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "01_concurrency-basics.ipynb"
NB = nbformat.read(NOTEBOOK, as_version=4)
EXERCISES = assignments.exercise_cells(NB)
SETUP = next(c.source for c in NB.cells if c.cell_type == "code").replace("%load_ext helpers\n", "")


def _scope(code: str) -> dict:
    """The chapter's setup cell (without its line magic), then *code*, executed in a fresh namespace."""
    scope: dict = {}
    exec(compile(SETUP, "<setup>", "exec"), scope)
    exec(compile(code, "<exercise>", "exec"), scope)
    return scope


def _solution(n: int) -> str:
    return assignments.solution_code(EXERCISES[n - 1]["exercise-solution"])


def _run_check(n: int, code: str, capsys) -> str:
    scope = _scope(code)
    capsys.readouterr()  # what the setup cell printed
    exec(compile(EXERCISES[n - 1]["exercise-check"].source, "<check>", "exec"), scope)
    return capsys.readouterr().out.strip()


@pytest.mark.parametrize("n", range(1, len(EXERCISES) + 1))
def test_reference_solution_passes_and_says_what_it_measured(n, capsys, monkeypatch):
    out = _run_check(n, _solution(n), capsys)
    assert out.startswith(f"✅ 练习 {n}：通过！") and len(out) > len(f"✅ 练习 {n}：通过！"), out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # as nbgrader runs it: a failure would raise here
    _run_check(n, _solution(n), capsys)


@pytest.mark.parametrize("n", range(1, len(EXERCISES) + 1))
def test_stub_is_not_done_yet_and_fails_under_nbgrader(n, capsys, monkeypatch):
    stub = EXERCISES[n - 1]["exercise-code"].source
    assert _run_check(n, stub, capsys) == f"⏳ 练习 {n}：还没有作答 —— 完成上面的函数后再运行这个单元格。"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(NotImplementedError):
        _run_check(n, stub, capsys)


def _wrong(n: int, old: str, new: str) -> str:
    code = _solution(n)
    assert old in code, f"the reference solution of 练习 {n} changed: update the wrong answer derived from it"
    return code.replace(old, new)


def test_fetch_that_waits_for_each_result_is_caught_as_blocking():
    wrong = _wrong(3, "future.add_done_callback(lambda future, url=url: on_done(url, future.result()))",
                   "on_done(url, future.result())")
    with pytest.raises(AssertionError) as info:
        ch01.check_fetch_all_async(_scope(wrong)["fetch_all_async"])
    message = str(info.value)
    assert message.startswith("fetch_all_async(5 个网址, pool, on_done) 用了") and "future.result() 会阻塞" in message, message


def test_fetch_whose_callbacks_all_see_the_last_url_is_caught_naming_the_missing_sites():
    wrong = _wrong(3, "lambda future, url=url:", "lambda future:")
    with pytest.raises(AssertionError) as info:
        ch01.check_fetch_all_async(_scope(wrong)["fetch_all_async"])
    message = str(info.value)
    assert "没有收到" in message and "www.baidu.com" in message, message


def test_pool_time_that_adds_everything_up_is_caught():
    scope = _scope("def pool_time(durations, workers):\n    return sum(durations)\n")
    with pytest.raises(AssertionError, match=r"pool_time\(\[1, 1, 1\], 3\) 应为 1"):
        ch01.check_pool_time(scope["pool_time"])


def test_answers_name_the_wrong_snippet():
    wrong = _wrong(2, '"d": ("同步", "阻塞")', '"d": ("异步", "非阻塞")')
    with pytest.raises(AssertionError, match="^d 填的是"):
        ch01.check_answers(_scope(wrong)["my_answers"])
