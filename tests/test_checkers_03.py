"""helpers.checkers.ch03 on chapter 03's own exercise cells: the reference solution passes, the stub is ⏳,
and the wrong answers a learner is likely to write are caught with a message naming the input or client.

The reference solutions are read from the notebook's solution markdown (the one source of truth),
the stubs from its exercise-code cells, the checks from its exercise-check cells.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from helpers.authoring import assignments
from helpers.checkers import ch03

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03_greenlet.ipynb"
NB = nbformat.read(NOTEBOOK, as_version=4)
EXERCISES = assignments.exercise_cells(NB)
SETUP = next(c.source for c in NB.cells if c.cell_type == "code")
MINIHUB = next(c.source for c in NB.cells if c.cell_type == "code" and c.source.startswith("class MiniHub"))


def _scope(code: str) -> dict:
    """The chapter's setup cell and its MiniHub, then *code*, executed in a fresh namespace."""
    scope: dict = {}
    exec(compile(SETUP, "<setup>", "exec"), scope)
    exec(compile(MINIHUB, "<minihub>", "exec"), scope)
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


def test_echo_client_that_sends_once_is_caught_naming_client_and_bytes():
    wrong = _wrong(3, "view = view[sock.send(view):]", "sock.send(view); view = view[len(view):]")
    with pytest.raises(AssertionError) as info:
        ch03.check_echo_client(_scope(wrong)["echo_client"], _scope("")["MiniHub"])
    message = str(info.value)
    assert message.startswith("50 个客户端同时运行：hub 等了 5 秒") and "send 可能只发出一部分" in message, message


def test_echo_client_that_reads_once_is_caught():
    wrong = _wrong(3, "while len(received) < len(message):", "for _ in range(1):")
    with pytest.raises(AssertionError, match="^客户端 #0：发出 .* 字节.*实际收回"):
        ch03.check_echo_client(_scope(wrong)["echo_client"], _scope("")["MiniHub"])


def test_greenlet_iter_that_collects_everything_first_is_not_lazy():
    eager = '''def greenlet_iter(producer):
    values = []
    producer(values.append)
    yield from values
'''
    with pytest.raises(AssertionError, match="取第一个值之后"):
        ch03.check_greenlet_iter(_scope(eager)["greenlet_iter"])


def test_greenlet_iter_that_yields_the_return_value_is_caught():
    wrong = _wrong(2, "        if worker.dead:  # producer returned: what came back is its return value, not an emitted one\n"
                      "            return\n", "")
    with pytest.raises(AssertionError, match=r"期望产出 \[1, 2, 3, 4, 5, 6\]，实际 \[1, 2, 3, 4, 5, 6, None, .*dead"):
        ch03.check_greenlet_iter(_scope(wrong)["greenlet_iter"])


def test_interleave_that_concatenates_is_caught():
    with pytest.raises(AssertionError, match=r"^interleave\(\[1, 2, 3\], \['a', 'b', 'c'\]\)：期望"):
        ch03.check_interleave(_scope("def interleave(xs, ys):\n    return list(xs) + list(ys)\n")["interleave"])
