"""helpers.checkers.ch07 on chapter 07's own exercise cells: the wrong answers a learner is likely to write are caught with a message naming the input or client.

The cells are read from the notebook (:class:`helpers.testing.exercises.ChapterExercises`); that every
reference solution passes and every stub shows ⏳ is tested for all chapters in ``tests/test_exercises.py``.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from helpers.checkers import ch07
from helpers.testing.exercises import ChapterExercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_selectors.ipynb"
EX = ChapterExercises(NOTEBOOK)


def test_echo_server_that_sends_once_and_drops_the_rest_is_caught_naming_client_and_bytes():
    wrong = EX.wrong(3, "sent = sock.send(out)", "sock.send(out); sent = len(out)")
    with pytest.raises(AssertionError) as info:
        ch07.check_echo_server(EX.scope(wrong)["serve"])
    message = str(info.value)
    assert message.startswith("慢客户端 A：") and "期望原样收回 8,388,640 字节" in message, message
    assert "第一个不同的字节在偏移" in message and "EVENT_WRITE" in message, message


def test_echo_server_with_blocking_connections_is_caught_by_client_b():
    wrong = EX.wrong(3, "conn.setblocking(False)", "pass")
    wrong = wrong.replace("sent = sock.send(out)", "sock.sendall(out); sent = len(out)")
    with pytest.raises(AssertionError) as info:
        ch07.check_echo_server(EX.scope(wrong)["serve"])
    assert str(info.value).startswith("客户端 B：") and "b'B: ping'" in str(info.value), str(info.value)


def test_echo_server_with_one_decoder_for_all_clients_is_caught():
    wrong = EX.wrong(3, "conns[conn] = (framing.FrameDecoder(), bytearray())",
                   "conns[conn] = (shared, bytearray())")
    scope = EX.scope("from helpers import framing\nshared = framing.FrameDecoder()\n" + wrong)
    with pytest.raises(AssertionError, match="^40 个并发客户端"):  # how it breaks depends on the interleaving
        ch07.check_echo_server(scope["serve"])


def test_echo_server_that_ignores_stop_is_caught():
    wrong = EX.wrong(3, "while not stop.is_set():", "while not (stop.is_set() and late.is_set()):")
    scope = EX.scope("import threading\nlate = threading.Event()\n" + wrong)
    try:
        with pytest.raises(AssertionError, match="serve 还没有返回"):
            ch07.check_echo_server(scope["serve"])
    finally:
        scope["late"].set()  # the learner's loop would run on; this one ends
        time.sleep(0.5)


def test_split_frames_that_drops_the_incomplete_frame_is_caught():
    wrong = EX.wrong(1, "return frames, bytes(data[i:])", "return frames, b''")
    with pytest.raises(AssertionError, match=r"split_frames\(b'\\x00\\x00\\x00\\x01x\\x00\\x00"):
        ch07.check_split_frames(EX.scope(wrong)["split_frames"])


def test_flush_that_clears_the_whole_buffer_is_caught():
    wrong = EX.wrong(2, "del buf[:sent]", "buf.clear()")
    with pytest.raises(AssertionError, match="删掉的必须正好是 send 返回的字节数|只删掉已发出的部分"):
        ch07.check_flush(EX.scope(wrong)["flush"])


def test_show_bytes_is_short():
    assert ch07.show_bytes(b"abc") == "b'abc'"
    assert ch07.show_bytes(bytes(100), limit=4) == "b'\\x00\\x00\\x00\\x00'…（共 100 字节）"
