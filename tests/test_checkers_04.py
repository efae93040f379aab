"""helpers.checkers.ch04 on chapter 03's own exercise cells: the reference solution passes, the stub is ⏳,
and the wrong answers a learner is likely to write are caught with a message naming the input or client.

The reference solutions are read from the notebook's solution markdown (the one source of truth),
the stubs from its exercise-code cells, the checks from its exercise-check cells.
"""
from __future__ import annotations

import linecache
from pathlib import Path

import nbformat
import pytest

from helpers.authoring import assignments
from helpers.checkers import ch04

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_gevent.ipynb"
NB = nbformat.read(NOTEBOOK, as_version=4)
EXERCISES = assignments.exercise_cells(NB)
SETUP = "\n".join(line for line in next(c.source for c in NB.cells if c.cell_type == "code").splitlines()
                  if not line.startswith("%"))  # the IPython magic line: the rest is Python


def _scope(code: str) -> dict:
    """The chapter's setup cell, then *code*, executed in a fresh namespace."""
    scope: dict = {}
    exec(compile(SETUP, "<setup>", "exec"), scope)
    name = f"<exercise-{abs(hash(code))}>"
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)  # inspect.getsource reads it, as in IPython
    exec(compile(code, name, "exec"), scope)
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


def test_server_that_trusts_one_recv_is_caught_by_the_pieces_client():
    wrong = _wrong(1, "        while len(data) < n:  # recv(n) may return fewer than n bytes", "        for _ in range(1):")
    with pytest.raises(AssertionError, match=r"^客户端 1：发出 4 帧.*recv\(n\) 可能只返回不到 n 个字节"):
        ch04.check_framed_server(_scope(wrong)["handle"])


RAW_ECHO = '''def handle(conn, addr):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)
'''


def test_server_that_echoes_raw_bytes_is_caught_by_the_half_frame_client():
    with pytest.raises(AssertionError, match="^客户端 2：只发出一帧的前 10 字节"):
        ch04.check_framed_server(_scope(RAW_ECHO)["handle"])


def test_deadline_that_waits_for_every_task_is_caught_by_its_result():
    wrong = _wrong(2, "with gevent.Timeout(deadline):", "with gevent.Timeout(None):")
    with pytest.raises(AssertionError, match="实际 {'fast': 'FAST', 'slow': 'SLOW'"):
        ch04.check_deadline(_scope(wrong.replace("gevent.sleep(delay)", "gevent.sleep(min(delay, 0.6))"))["with_deadline"])
