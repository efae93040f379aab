"""helpers.checkers.ch02 on chapter 02's own exercise cells: the wrong answers a learner is likely to write are caught with a message naming the input.

The cells are read from the notebook (:class:`helpers.testing.exercises.ChapterExercises`); that every
reference solution passes and every stub shows ⏳ is tested for all chapters in ``tests/test_exercises.py``.  The few lines
that run them are the same as in tests/test_checkers_07.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.checkers import ch02
from helpers.testing.exercises import ChapterExercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "02_yield-coroutines.ipynb"
EX = ChapterExercises(NOTEBOOK)


def test_scheduler_that_requeues_a_waiting_task_at_once_is_caught_as_busy_polling():
    wrong = EX.wrong(3, "sel.register(sock, selectors.EVENT_READ, task)", "ready.append(task)")
    with pytest.raises(AssertionError) as info:
        ch02.check_run_tasks(EX.scope(wrong)["run_tasks"])
    message = str(info.value)
    assert message.startswith("5 个取网页的任务一共被恢复了") and "忙轮询" in message, message


def test_scheduler_that_waits_for_one_socket_at_a_time_is_caught_by_the_total_time():
    wrong = EX.wrong(3, "sel.register(sock, selectors.EVENT_READ, task)",
                   "select.select([sock], [], [], 5)\n                ready.append(task)")
    with pytest.raises(AssertionError) as info:
        ch02.check_run_tasks(EX.scope("import select\n" + wrong)["run_tasks"])
    message = str(info.value)
    assert message.startswith("6 个任务全部完成用了") and "而不是延迟之和" in message, message


def test_scheduler_that_sleeps_in_select_while_tasks_are_ready_is_caught():
    wrong = EX.wrong(3, "sel.select(0 if ready else 1.0)", "sel.select(1.0 if sel.get_map() else 0)")
    with pytest.raises(AssertionError, match="^6 个任务全部完成用了|^只计算、不等待的任务"):
        ch02.check_run_tasks(EX.scope(wrong)["run_tasks"])


def test_scheduler_that_stops_early_is_caught_naming_the_site():
    wrong = EX.wrong(3, "while ready or sel.get_map():", "while ready:")
    with pytest.raises(AssertionError, match="^取 www.baidu.com 的任务没有运行完"):
        ch02.check_run_tasks(EX.scope(wrong)["run_tasks"])


def test_worker_that_blocks_in_time_sleep_is_caught():
    wrong = EX.wrong(2, "yield genloop.sleep(delay)", "time.sleep(delay)\n    yield")
    with pytest.raises(AssertionError, match="是不是用了 time.sleep"):
        ch02.check_worker(EX.scope(wrong)["worker"])


def test_running_average_with_shared_state_is_caught():
    wrong = EX.wrong(1, "    total, count, average = 0, 0, None\n", "    global total, count, average\n")
    scope = EX.scope("total, count, average = 0, 0, None\n" + wrong)
    with pytest.raises(AssertionError, match="各自保存状态"):
        ch02.check_running_average(scope["running_average"])
