"""helpers.checkers.ch04 on chapter 03's own exercise cells: the wrong answers a learner is likely to write are caught with a message naming the input or client.

The cells are read from the notebook (:class:`helpers.testing.exercises.ChapterExercises`); that every
reference solution passes and every stub shows ⏳ is tested for all chapters in ``tests/test_exercises.py``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.checkers import ch04
from helpers.testing.exercises import ChapterExercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_gevent.ipynb"
EX = ChapterExercises(NOTEBOOK)


def test_server_that_trusts_one_recv_is_caught_by_the_pieces_client():
    wrong = EX.wrong(1, "        while len(data) < n:  # recv(n) may return fewer than n bytes", "        for _ in range(1):")
    with pytest.raises(AssertionError, match=r"^客户端 1：发出 4 帧.*recv\(n\) 可能只返回不到 n 个字节"):
        ch04.check_framed_server(EX.scope(wrong)["handle"])


RAW_ECHO = '''def handle(conn, addr):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)
'''


def test_server_that_echoes_raw_bytes_is_caught_by_the_half_frame_client():
    with pytest.raises(AssertionError, match="^客户端 2：只发出一帧的前 10 字节"):
        ch04.check_framed_server(EX.scope(RAW_ECHO)["handle"])


def test_deadline_that_waits_for_every_task_is_caught_by_its_result():
    wrong = EX.wrong(2, "with gevent.Timeout(deadline):", "with gevent.Timeout(None):")
    with pytest.raises(AssertionError, match="实际 {'fast': 'FAST', 'slow': 'SLOW'"):
        ch04.check_deadline(EX.scope(wrong.replace("gevent.sleep(delay)", "gevent.sleep(min(delay, 0.6))"))["with_deadline"])
