"""helpers.checks: expected-vs-got messages (expect_equal, expect_close) and where a check failed."""
from __future__ import annotations

import linecache

import pytest

from helpers.checks import check, expect_close, expect_equal


def message(fn) -> str:
    with pytest.raises(AssertionError) as info:
        fn()
    return str(info.value)


def test_expect_equal_passes_silently_on_equal_values():
    expect_equal([1, 2], [1, 2])
    expect_equal(1, 1.0)


@pytest.mark.parametrize("got, expected, text", [
    (89, 55, "fib(10)：期望 55，实际得到 89"),
    ([1, 2, 4], [1, 2, 3], "fib(10)：期望 [1, 2, 3]，实际得到 [1, 2, 4]（第 2 项 (index 2) 应为 3，却是 4）"),
    ([1, 2], [1, 2, 3], "（长度应为 3，却是 2）"),
    (b"hello\n", b"hello", "期望 b'hello'，实际得到 b'hello\\n'（长度应为 5，却是 6）"),
    ("abc", "abd", "（第 2 项 (index 2) 应为 'd'，却是 'c'）"),
    ({"a": 1}, {"a": 1, "b": 2}, "（缺少键 'b'）"),
    ({"a": 1, "c": 3}, {"a": 1}, "（多了键 'c'）"),
    ({"a": 1}, {"a": 2}, "（键 'a' 的值应为 2，却是 1）"),
    ("55", 55, "期望 55，实际得到 '55'（类型应为 int，却是 str）"),
    (None, 55, "（类型应为 int，却是 NoneType）"),
])
def test_expect_equal_says_expected_vs_got_and_where(got, expected, text):
    assert text in message(lambda: expect_equal(got, expected, "fib(10)"))


def test_long_values_are_shortened():
    text = message(lambda: expect_equal(list(range(1000)), list(range(999)) + [0]))
    assert len(text) < 200 and "第 999 项" in text and "..." in text


def test_expect_close_gives_the_relative_error():
    expect_close(0.32, 0.3, rel=0.1)
    assert message(lambda: expect_close(0.9, 0.3, "总耗时", rel=0.5, unit=" s")) == \
        "总耗时：期望约 0.3 s (±50%)，实际得到 0.9 s（偏差 +200%）"
    assert "偏差 +0.5 s" in message(lambda: expect_close(0.5, 0, "等待", unit=" s"))


def test_check_shows_expected_vs_got_and_the_failing_line(capsys):
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

    check("练习 1", lambda: expect_equal(learner_fib(10), 55, "fib(10)"))
    check("练习 1", bare_assert)
    check("练习 1", crashes)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "❌ 练习 1：fib(10)：期望 55，实际得到 20"
    assert lines[1] == "❌ 练习 1：结果与预期不符：`assert learner_fib(10) == 55` 不成立。"
    assert lines[2] == "❌ 练习 1：你的代码抛出了 KeyError: 'port'（在 `return {}[\"port\"]`）"


def test_solution_mode_still_raises_the_message():
    with pytest.raises(AssertionError, match="期望 55，实际得到 20"):
        check("解答", lambda: expect_equal(20, 55), solution=True)
