"""helpers.checks: the hint of expect(), and where a check failed."""
from __future__ import annotations

import linecache

import pytest

from helpers.checks import check, expect


def test_expect_passes_silently_or_fails_with_its_hint():
    expect(1 + 1 == 2, "never shown")
    with pytest.raises(AssertionError, match="^看看 n=10$"):
        expect(False, "看看 n=10")


def test_check_shows_the_hint_and_the_failing_line(capsys):
    def learner_fib(n):
        return n * 2

    # as in a notebook cell: no pytest assertion rewriting, the source kept in linecache by IPython
    cell = "def bare_assert():\n    assert learner_fib(10) == 55\n"
    name = "<ipython-input-7-cell>"
    linecache.cache[name] = (len(cell), None, cell.splitlines(True), name)
    scope = {"learner_fib": learner_fib}
    exec(compile(cell, name, "exec"), scope)
    bare_assert = scope["bare_assert"]

    def crashes():
        return {}["port"]

    check("练习 1", lambda: expect(learner_fib(10) == 55, f"fib(10)：期望 55，实际得到 {learner_fib(10)}"))
    check("练习 1", bare_assert)
    check("练习 1", crashes)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "❌ 练习 1：fib(10)：期望 55，实际得到 20"
    assert lines[1] == "❌ 练习 1：结果与预期不符：`assert learner_fib(10) == 55` 不成立。"
    assert lines[2] == "❌ 练习 1：你的代码抛出了 KeyError: 'port'（在 `return {}[\"port\"]`）"


def test_check_prints_what_the_checker_measured(capsys):
    check("练习 2", lambda: "10 MiB 逐字节送到")
    check("练习 2", lambda: None)
    assert capsys.readouterr().out.splitlines() == ["✅ 练习 2：通过！10 MiB 逐字节送到。", "✅ 练习 2：通过！"]


@pytest.mark.parametrize("mode", ["autograde", "validate"])
def test_under_nbgrader_not_done_and_wrong_raise(mode, monkeypatch, capsys):
    def stub():
        raise NotImplementedError()

    check("练习 1", stub)
    check("练习 1", lambda: expect(False, "期望 55"))
    assert [line[0] for line in capsys.readouterr().out.splitlines()] == ["⏳", "❌"]
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    with pytest.raises(NotImplementedError):
        check("练习 1", stub)
    with pytest.raises(AssertionError, match="期望 55"):
        check("练习 1", lambda: expect(False, "期望 55"))
    check("练习 1", lambda: "ok")  # a pass still prints, and does not raise
    assert capsys.readouterr().out == "✅ 练习 1：通过！ok。\n"
