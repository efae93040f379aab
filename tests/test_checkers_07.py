"""helpers.checkers.ch07 on chapter 07's own exercise cells: the reference solution passes, the stub is ⏳,
and the wrong answers a learner is likely to write are caught with a message naming the input or client.

The reference solutions are read from the notebook's solution markdown (the one source of truth),
the stubs from its exercise-code cells, the checks from its exercise-check cells.
"""
from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest

from helpers.authoring import assignments
from helpers.checkers import ch07

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_selectors.ipynb"
NB = nbformat.read(NOTEBOOK, as_version=4)
EXERCISES = assignments.exercise_cells(NB)
SETUP = next(c.source for c in NB.cells if c.cell_type == "code")


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


def test_echo_server_that_sends_once_and_drops_the_rest_is_caught_naming_client_and_bytes():
    wrong = _wrong(3, "sent = sock.send(out)", "sock.send(out); sent = len(out)")
    with pytest.raises(AssertionError) as info:
        ch07.check_echo_server(_scope(wrong)["serve"])
    message = str(info.value)
    assert message.startswith("慢客户端 A：") and "期望原样收回 8,388,640 字节" in message, message
    assert "第一个不同的字节在偏移" in message and "EVENT_WRITE" in message, message


def test_echo_server_with_blocking_connections_is_caught_by_client_b():
    wrong = _wrong(3, "conn.setblocking(False)", "pass")
    wrong = wrong.replace("sent = sock.send(out)", "sock.sendall(out); sent = len(out)")
    with pytest.raises(AssertionError) as info:
        ch07.check_echo_server(_scope(wrong)["serve"])
    assert str(info.value).startswith("客户端 B：") and "b'B: ping'" in str(info.value), str(info.value)


def test_echo_server_with_one_decoder_for_all_clients_is_caught():
    wrong = _wrong(3, "conns[conn] = (framing.FrameDecoder(), bytearray())",
                   "conns[conn] = (shared, bytearray())")
    scope = _scope("from helpers import framing\nshared = framing.FrameDecoder()\n" + wrong)
    with pytest.raises(AssertionError, match="^40 个并发客户端"):  # how it breaks depends on the interleaving
        ch07.check_echo_server(scope["serve"])


def test_echo_server_that_ignores_stop_is_caught():
    wrong = _wrong(3, "while not stop.is_set():", "while not (stop.is_set() and late.is_set()):")
    scope = _scope("import threading\nlate = threading.Event()\n" + wrong)
    try:
        with pytest.raises(AssertionError, match="serve 还没有返回"):
            ch07.check_echo_server(scope["serve"])
    finally:
        scope["late"].set()  # the learner's loop would run on; this one ends
        time.sleep(0.5)


def test_split_frames_that_drops_the_incomplete_frame_is_caught():
    wrong = _wrong(1, "return frames, bytes(data[i:])", "return frames, b''")
    with pytest.raises(AssertionError, match=r"split_frames\(b'\\x00\\x00\\x00\\x01x\\x00\\x00"):
        ch07.check_split_frames(_scope(wrong)["split_frames"])


def test_flush_that_clears_the_whole_buffer_is_caught():
    wrong = _wrong(2, "del buf[:sent]", "buf.clear()")
    with pytest.raises(AssertionError, match="删掉的必须正好是 send 返回的字节数|只删掉已发出的部分"):
        ch07.check_flush(_scope(wrong)["flush"])


def test_show_bytes_is_short():
    assert ch07.show_bytes(b"abc") == "b'abc'"
    assert ch07.show_bytes(bytes(100), limit=4) == "b'\\x00\\x00\\x00\\x00'…（共 100 字节）"
