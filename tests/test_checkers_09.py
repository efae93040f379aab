"""helpers.checkers.ch09 on chapter 09's own exercise cells: the reference solution passes, the stub is ⏳,
and the wrong answers a learner is likely to write are caught with a message naming the input.

The reference solutions are read from the notebook's solution markdown (the one source of truth),
the stubs from its exercise-code cells, the checks from its exercise-check cells.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from helpers.authoring import assignments
from helpers.checkers import ch09

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "09_c10k-lab.ipynb"
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


def test_prediction_that_divides_throughput_by_connections_is_caught():
    wrong = _wrong(1, "return connections / rt_per_s * 1000", "return rt_per_s / connections * 1000")
    with pytest.raises(AssertionError, match=r"predict_p50_ms\(10, 1000\)：.*= 10 ms；你的函数返回 100000。你把吞吐除以了连接数"):
        ch09.check_predict_p50(_scope(wrong)["predict_p50_ms"])


def test_prediction_in_seconds_is_caught():
    wrong = _wrong(1, "return connections / rt_per_s * 1000", "return connections / rt_per_s")
    with pytest.raises(AssertionError, match="单位"):
        ch09.check_predict_p50(_scope(wrong)["predict_p50_ms"])


def test_prediction_that_ignores_the_connections_is_caught_against_the_lab():
    # right on the fixed numbers only; against the lab it is N times too small
    wrong = _wrong(1, "return connections / rt_per_s * 1000",
                   "return (connections if (connections, rt_per_s) in FIXED else 1) / rt_per_s * 1000")
    scope = _scope("FIXED = {(10, 1000.0), (1, 20000.0), (100, 50000.0)}\n" + wrong)
    with pytest.raises(AssertionError, match=r"selectors 服务器、16 个连接：测得每秒 .* 次往返、p50 .* ms；你的预测 .* ms，是 p50 的 0\.\d\d 倍"):
        ch09.check_predict_p50(scope["predict_p50_ms"])


def test_ping_pong_with_read_instead_of_readexactly_is_caught_naming_the_payload():
    wrong = _wrong(2, "echo = await reader.readexactly(size)", "echo = await reader.read(size)")
    with pytest.raises(AssertionError, match=r"第 3 个内容 b'.*（共 262,144 字节）：期望收回同样的 262,144 字节.*readexactly"):
        ch09.check_ping_pong(_scope(wrong)["ping_pong"])


def test_ping_pong_without_the_length_prefix_times_out_with_a_hint():
    wrong = _wrong(2, 'writer.write(len(payload).to_bytes(4, "big") + payload)', "writer.write(payload)")
    with pytest.raises(AssertionError, match="长度前缀"):
        ch09.check_ping_pong(_scope(wrong)["ping_pong"])
