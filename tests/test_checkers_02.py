"""helpers.checkers.ch02 on chapter 02's own exercise cells: the reference solution passes, the stub is ⏳,
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
from helpers.checkers import ch02

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "02_yield-coroutines.ipynb"
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


def test_scheduler_that_requeues_a_waiting_task_at_once_is_caught_as_busy_polling():
    wrong = _wrong(3, "sel.register(sock, selectors.EVENT_READ, task)", "ready.append(task)")
    with pytest.raises(AssertionError) as info:
        ch02.check_run_tasks(_scope(wrong)["run_tasks"])
    message = str(info.value)
    assert message.startswith("5 个取网页的任务一共被恢复了") and "忙轮询" in message, message


def test_scheduler_that_waits_for_one_socket_at_a_time_is_caught_by_the_total_time():
    wrong = _wrong(3, "sel.register(sock, selectors.EVENT_READ, task)",
                   "select.select([sock], [], [], 5)\n                ready.append(task)")
    with pytest.raises(AssertionError) as info:
        ch02.check_run_tasks(_scope("import select\n" + wrong)["run_tasks"])
    message = str(info.value)
    assert message.startswith("6 个任务全部完成用了") and "而不是延迟之和" in message, message


def test_scheduler_that_sleeps_in_select_while_tasks_are_ready_is_caught():
    wrong = _wrong(3, "sel.select(0 if ready else 1.0)", "sel.select(1.0 if sel.get_map() else 0)")
    with pytest.raises(AssertionError, match="^6 个任务全部完成用了|^只计算、不等待的任务"):
        ch02.check_run_tasks(_scope(wrong)["run_tasks"])


def test_scheduler_that_stops_early_is_caught_naming_the_site():
    wrong = _wrong(3, "while ready or sel.get_map():", "while ready:")
    with pytest.raises(AssertionError, match="^取 www.baidu.com 的任务没有运行完"):
        ch02.check_run_tasks(_scope(wrong)["run_tasks"])


def test_worker_that_blocks_in_time_sleep_is_caught():
    wrong = _wrong(2, "yield genloop.sleep(delay)", "time.sleep(delay)\n    yield")
    with pytest.raises(AssertionError, match="是不是用了 time.sleep"):
        ch02.check_worker(_scope(wrong)["worker"])


def test_running_average_with_shared_state_is_caught():
    wrong = _wrong(1, "    total, count, average = 0, 0, None\n", "    global total, count, average\n")
    scope = _scope("total, count, average = 0, 0, None\n" + wrong)
    with pytest.raises(AssertionError, match="各自保存状态"):
        ch02.check_running_average(scope["running_average"])
