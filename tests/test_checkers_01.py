"""helpers.checkers.ch01 on chapter 01's own exercise cells: the wrong answers a learner is likely to write are caught with a message naming the input.

The cells are read from the notebook (:class:`helpers.testing.exercises.ChapterExercises`); that every
reference solution passes and every stub shows ⏳ is tested for all chapters in ``tests/test_exercises.py``.  The few lines
that run them are the same as in tests/test_checkers_07.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.checkers import ch01
from helpers.testing.exercises import ChapterExercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "01_concurrency-basics.ipynb"
EX = ChapterExercises(NOTEBOOK)


def test_fetch_that_waits_for_each_result_is_caught_as_blocking():
    wrong = EX.wrong(3, "future.add_done_callback(lambda future, url=url: on_done(url, future.result()))",
                   "on_done(url, future.result())")
    with pytest.raises(AssertionError) as info:
        ch01.check_fetch_all_async(EX.scope(wrong)["fetch_all_async"])
    message = str(info.value)
    assert message.startswith("fetch_all_async(5 个网址, pool, on_done) 用了") and "future.result() 会阻塞" in message, message


def test_fetch_whose_callbacks_all_see_the_last_url_is_caught_naming_the_missing_sites():
    wrong = EX.wrong(3, "lambda future, url=url:", "lambda future:")
    with pytest.raises(AssertionError) as info:
        ch01.check_fetch_all_async(EX.scope(wrong)["fetch_all_async"])
    message = str(info.value)
    assert "没有收到" in message and "www.baidu.com" in message, message


def test_pool_time_that_adds_everything_up_is_caught():
    scope = EX.scope("def pool_time(durations, workers):\n    return sum(durations)\n")
    with pytest.raises(AssertionError, match=r"pool_time\(\[1, 1, 1\], 3\) 应为 1"):
        ch01.check_pool_time(scope["pool_time"])


def test_answers_name_the_wrong_snippet():
    wrong = EX.wrong(2, '"d": ("同步", "阻塞")', '"d": ("异步", "非阻塞")')
    with pytest.raises(AssertionError, match="^d 填的是"):
        ch01.check_answers(EX.scope(wrong)["my_answers"])
