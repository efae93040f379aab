"""helpers.checkers.ch06 on chapter 06's own exercise cells: the wrong answers a learner is likely to write are caught with a message naming the input or client.

The cells are read from the notebook (:class:`helpers.testing.exercises.ChapterExercises`); that every
reference solution passes and every stub shows ⏳ is tested for all chapters in ``tests/test_exercises.py``.
"""
from __future__ import annotations

import select
import socket
from pathlib import Path

import pytest

from helpers.checkers import ch06
from helpers.testing.exercises import ChapterExercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "06_select-poll-epoll.ipynb"
EX = ChapterExercises(NOTEBOOK)


def test_et_server_that_reads_once_per_event_is_caught_by_the_burst():
    wrong = EX.wrong(2, "            while True:                            # ET: read until EAGAIN, or the rest is never reported\n",
                   "            for _ in range(1):                     # one recv per event\n")
    with pytest.raises(AssertionError) as info:
        ch06.check_et_echo_server(EX.scope(wrong)["serve"])
    message = str(info.value)
    assert message.startswith("客户端 2 第 1 次突发：一次 sendall 发出 1,048,576 字节，期望原样收回；只收回 "), message
    assert "recv 到 BlockingIOError（EAGAIN）为止" in message, message


def test_level_triggered_server_is_caught_by_its_registration():
    wrong = EX.wrong(2, "select.EPOLLIN | select.EPOLLOUT | select.EPOLLET)", "select.EPOLLIN)")
    with pytest.raises(AssertionError, match="登记时没有 EPOLLET，是水平触发"):
        ch06.check_et_echo_server(EX.scope(wrong)["serve"])


def test_wait_readable_that_passes_seconds_to_poll_is_caught():
    wrong = EX.wrong(1, "p.poll(timeout * 1000)", "p.poll(timeout)")
    with pytest.raises(AssertionError, match=r"^wait_readable\(3 个 socket, 0\.05\)，没有数据：应当约 0\.05 秒后返回.*poll\(\) 的超时单位是毫秒"):
        ch06.check_wait_readable(EX.scope(wrong)["wait_readable"])


def test_wait_readable_that_returns_fds_is_caught():
    wrong = EX.wrong(1, "return [s for s in socks if s.fileno() in ready]", "return sorted(ready)")
    with pytest.raises(AssertionError, match="应当返回 socket 对象的列表"):
        ch06.check_wait_readable(EX.scope(wrong)["wait_readable"])


def test_epoll_registrations_reads_the_flags_of_this_process():
    a, b = socket.socketpair()
    with a, b, select.epoll() as ep:
        ep.register(a, select.EPOLLIN | select.EPOLLET)
        ep.register(b, select.EPOLLOUT)
        found = ch06.epoll_registrations(a.fileno())
        assert found is not None and set(found) == {a.fileno(), b.fileno()}
        assert found[a.fileno()] & ch06.EPOLLET and not found[b.fileno()] & ch06.EPOLLET
        assert found[b.fileno()] & select.EPOLLOUT
