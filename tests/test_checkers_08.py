"""helpers.checkers.ch08 on chapter 08's own exercise cells: the reference solution passes, the stub is ⏳,
and the wrong answers a learner is likely to write are caught with a message naming the input.

The reference solutions are read from the notebook's solution markdown (the one source of truth),
the stubs from its exercise-code cells, the checks from its exercise-check cells.  Exercise 1 runs on
the chapter's own ``Future``/``Task``/``EventLoop``, so the cells defining them are executed too.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from helpers.authoring import assignments
from helpers.checkers import ch08

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "08_event-loop-to-asyncio.ipynb"
NB = nbformat.read(NOTEBOOK, as_version=4)
EXERCISES = assignments.exercise_cells(NB)
SETUP = next(c.source for c in NB.cells if c.cell_type == "code").replace("%load_ext helpers\n", "")
LOOP = [c.source for c in NB.cells if c.cell_type == "code"
        and c.source.startswith(("class Future", "class Task", "class EventLoop"))]


def _scope(code: str) -> dict:
    """The chapter's setup cell and its loop classes, then *code*, executed in a fresh namespace."""
    scope: dict = {}
    for source in [SETUP, *LOOP, code]:
        exec(compile(source, "<cell>", "exec"), scope)
    return scope


def _solution(n: int) -> str:
    return assignments.solution_code(EXERCISES[n - 1]["exercise-solution"])


def _run_check(n: int, code: str, capsys) -> str:
    scope = _scope(code)
    exec(compile(EXERCISES[n - 1]["exercise-check"].source, "<check>", "exec"), scope)
    return capsys.readouterr().out.strip()


def test_the_loop_classes_were_found():
    assert len(LOOP) == 3


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


SEQUENTIAL = '''
    results = {}
    for site in sites:
        results[site] = await one(site)
    return results'''


def test_crawler_that_awaits_one_site_after_another_is_caught_with_its_time():
    code = _solution(3)
    start = code.index("    tasks = {site:")
    wrong = code[:start] + SEQUENTIAL.lstrip("\n")
    with pytest.raises(AssertionError, match=r"结果都对，但用了 \d\.\d\d s.*一个接一个 await 约 1\.\d\d s.*asyncio.gather"):
        ch08.check_crawl_within(_scope(wrong)["crawl_within"])


def test_crawler_without_a_per_site_timeout_is_caught():
    wrong = _wrong(3, "await asyncio.wait_for(get(site), per_site)", "await get(site)")
    with pytest.raises(AssertionError, match=r"用了 2\.\d\d s——stuck.example 直到 total=2.0 s 才被记为超时.*wait_for"):
        ch08.check_crawl_within(_scope(wrong)["crawl_within"])


def test_crawler_without_a_total_deadline_is_caught():
    wrong = _wrong(3, "await asyncio.wait(tasks.values(), timeout=total)", "await asyncio.wait(tasks.values())")
    with pytest.raises(AssertionError, match=r"slow.example 要 1.5 s 才回答.*实际用了 1\.\d\d s"):
        ch08.check_crawl_within(_scope(wrong)["crawl_within"])


def test_crawler_that_lets_a_reset_raise_is_caught():
    wrong = _wrong(3, "except (OSError, ValueError, IndexError):", "except ValueError:")
    with pytest.raises(ConnectionResetError):
        ch08.check_crawl_within(_scope(wrong)["crawl_within"])


def test_crawler_that_returns_the_whole_response_is_caught_naming_the_site():
    wrong = _wrong(3, "return int(head.split()[1]), body", "return int(head.split()[1]), raw")
    with pytest.raises(AssertionError, match=r"a.example（延迟 0.1 s）应返回它的页面 b'<!-- a.example"):
        ch08.check_crawl_within(_scope(wrong)["crawl_within"])


def test_mini_sleep_that_blocks_the_loop_is_caught():
    wrong = _wrong(1, "loop.call_later(delay, fut.set_result, None)", "time.sleep(delay); fut.set_result(None)")
    with pytest.raises(AssertionError, match="mini_sleep 不能阻塞"):
        ch08.check_mini_sleep(*(_scope(wrong)[k] for k in ("mini_sleep", "EventLoop", "Task")))


def test_mini_sleep_that_never_sets_the_future_is_caught():
    wrong = _wrong(1, "loop.call_later(delay, fut.set_result, None)", "pass")
    with pytest.raises(AssertionError, match="3 秒后循环还没结束"):
        ch08.check_mini_sleep(*(_scope(wrong)[k] for k in ("mini_sleep", "EventLoop", "Task")))


def test_fetch_status_that_returns_the_status_as_bytes_is_caught():
    wrong = _wrong(2, "return int(status_line.split()[1])", "return status_line.split()[1]")
    with pytest.raises(AssertionError, match=r"fetch_status\(address, 'ok.example'\)：期望 200（int），实际 b'200'"):
        ch08.check_fetch_status(_scope(wrong)["fetch_status"])
