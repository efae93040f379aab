"""helpers.checkers.ch06 on chapter 06's own exercise cells: the reference solution passes, the stub is ⏳,
and the wrong answers a learner is likely to write are caught with a message naming the input or client.

The reference solutions are read from the notebook's solution markdown (the one source of truth),
the stubs from its exercise-code cells, the checks from its exercise-check cells.
"""
from __future__ import annotations

import select
import socket
from pathlib import Path

import nbformat
import pytest

from helpers.authoring import assignments
from helpers.checkers import ch06

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "06_select-poll-epoll.ipynb"
NB = nbformat.read(NOTEBOOK, as_version=4)
EXERCISES = assignments.exercise_cells(NB)
SETUP = "\n".join(line for line in next(c.source for c in NB.cells if c.cell_type == "code").splitlines()
                  if not line.startswith("%"))  # the setup cell without its IPython magics (%load_ext)


def _scope(code: str) -> dict:
    """The chapter's setup cell, then *code*, executed in a fresh namespace."""
    scope: dict = {}
    exec(compile(SETUP, "<setup>", "exec"), scope)
    exec(compile(code, "<exercise>", "exec"), scope)
    return scope


def _solution(n: int) -> str:
    return assignments.solution_code(EXERCISES[n - 1]["exercise-solution"])


def _run_check(n: int, code: str, capsys) -> str:
    scope = _scope(code)
    exec(compile(EXERCISES[n - 1]["exercise-check"].source, "<check>", "exec"), scope)
    return capsys.readouterr().out.strip()


def _wrong(n: int, old: str, new: str) -> str:
    code = _solution(n)
    assert old in code, f"the reference solution of 练习 {n} changed: update the wrong answer derived from it"
    return code.replace(old, new)


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


def test_et_server_that_reads_once_per_event_is_caught_by_the_burst():
    wrong = _wrong(2, "            while True:                            # ET: read until EAGAIN, or the rest is never reported\n",
                   "            for _ in range(1):                     # one recv per event\n")
    with pytest.raises(AssertionError) as info:
        ch06.check_et_echo_server(_scope(wrong)["serve"])
    message = str(info.value)
    assert message.startswith("客户端 2 第 1 次突发：一次 sendall 发出 1,048,576 字节，期望原样收回；只收回 "), message
    assert "recv 到 BlockingIOError（EAGAIN）为止" in message, message


def test_level_triggered_server_is_caught_by_its_registration():
    wrong = _wrong(2, "select.EPOLLIN | select.EPOLLOUT | select.EPOLLET)", "select.EPOLLIN)")
    with pytest.raises(AssertionError, match="登记时没有 EPOLLET，是水平触发"):
        ch06.check_et_echo_server(_scope(wrong)["serve"])


def test_wait_readable_that_passes_seconds_to_poll_is_caught():
    wrong = _wrong(1, "p.poll(timeout * 1000)", "p.poll(timeout)")
    with pytest.raises(AssertionError, match=r"^wait_readable\(3 个 socket, 0\.05\)，没有数据：应当约 0\.05 秒后返回.*poll\(\) 的超时单位是毫秒"):
        ch06.check_wait_readable(_scope(wrong)["wait_readable"])


def test_wait_readable_that_returns_fds_is_caught():
    wrong = _wrong(1, "return [s for s in socks if s.fileno() in ready]", "return sorted(ready)")
    with pytest.raises(AssertionError, match="应当返回 socket 对象的列表"):
        ch06.check_wait_readable(_scope(wrong)["wait_readable"])


def test_epoll_registrations_reads_the_flags_of_this_process():
    a, b = socket.socketpair()
    with a, b, select.epoll() as ep:
        ep.register(a, select.EPOLLIN | select.EPOLLET)
        ep.register(b, select.EPOLLOUT)
        found = ch06.epoll_registrations(a.fileno())
        assert found is not None and set(found) == {a.fileno(), b.fileno()}
        assert found[a.fileno()] & ch06.EPOLLET and not found[b.fileno()] & ch06.EPOLLET
        assert found[b.fileno()] & select.EPOLLOUT
