"""helpers.checkers.ch08 on chapter 08's own exercise cells: the wrong answers a learner is likely to write are caught with a message naming the input.

The cells are read from the notebook (:class:`helpers.testing.exercises.ChapterExercises`); that every
reference solution passes and every stub shows ⏳ is tested for all chapters in ``tests/test_exercises.py``.  Exercise 1 runs on
the chapter's own ``Future``/``Task``/``EventLoop``, so the cells defining them are executed too.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.checkers import ch08
from helpers.testing.exercises import ChapterExercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "08_event-loop-to-asyncio.ipynb"
EX = ChapterExercises(NOTEBOOK)


def test_the_chapters_loop_classes_are_part_of_the_setup():
    scope = EX.scope("")
    assert all(name in scope for name in ("Future", "Task", "EventLoop"))


SEQUENTIAL = '''
    results = {}
    for site in sites:
        results[site] = await one(site)
    return results'''


def test_crawler_that_awaits_one_site_after_another_is_caught_with_its_time():
    code = EX.solution(3)
    start = code.index("    tasks = {site:")
    wrong = code[:start] + SEQUENTIAL.lstrip("\n")
    with pytest.raises(AssertionError, match=r"结果都对，但用了 \d\.\d\d s.*一个接一个 await 约 1\.\d\d s.*asyncio.gather"):
        ch08.check_crawl_within(EX.scope(wrong)["crawl_within"])


def test_crawler_without_a_per_site_timeout_is_caught():
    wrong = EX.wrong(3, "await asyncio.wait_for(get(site), per_site)", "await get(site)")
    with pytest.raises(AssertionError, match=r"用了 2\.\d\d s——stuck.example 直到 total=2.0 s 才被记为超时.*wait_for"):
        ch08.check_crawl_within(EX.scope(wrong)["crawl_within"])


def test_crawler_without_a_total_deadline_is_caught():
    wrong = EX.wrong(3, "await asyncio.wait(tasks.values(), timeout=total)", "await asyncio.wait(tasks.values())")
    with pytest.raises(AssertionError, match=r"slow.example 要 1.5 s 才回答.*实际用了 1\.\d\d s"):
        ch08.check_crawl_within(EX.scope(wrong)["crawl_within"])


def test_crawler_that_lets_a_reset_raise_is_caught():
    wrong = EX.wrong(3, "except (OSError, ValueError, IndexError):", "except ValueError:")
    with pytest.raises(ConnectionResetError):
        ch08.check_crawl_within(EX.scope(wrong)["crawl_within"])


def test_crawler_that_returns_the_whole_response_is_caught_naming_the_site():
    wrong = EX.wrong(3, "return int(head.split()[1]), body", "return int(head.split()[1]), raw")
    with pytest.raises(AssertionError, match=r"a.example（延迟 0.1 s）应返回它的页面 b'<!-- a.example"):
        ch08.check_crawl_within(EX.scope(wrong)["crawl_within"])


def test_mini_sleep_that_blocks_the_loop_is_caught():
    wrong = EX.wrong(1, "loop.call_later(delay, fut.set_result, None)", "time.sleep(delay); fut.set_result(None)")
    with pytest.raises(AssertionError, match="mini_sleep 不能阻塞"):
        ch08.check_mini_sleep(*(EX.scope(wrong)[k] for k in ("mini_sleep", "EventLoop", "Task")))


def test_mini_sleep_that_never_sets_the_future_is_caught():
    wrong = EX.wrong(1, "loop.call_later(delay, fut.set_result, None)", "pass")
    with pytest.raises(AssertionError, match="3 秒后循环还没结束"):
        ch08.check_mini_sleep(*(EX.scope(wrong)[k] for k in ("mini_sleep", "EventLoop", "Task")))


def test_fetch_status_that_returns_the_status_as_bytes_is_caught():
    wrong = EX.wrong(2, "return int(status_line.split()[1])", "return status_line.split()[1]")
    with pytest.raises(AssertionError, match=r"fetch_status\(address, 'ok.example'\)：期望 200（int），实际 b'200'"):
        ch08.check_fetch_status(EX.scope(wrong)["fetch_status"])
