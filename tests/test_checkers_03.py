"""helpers.checkers.ch03 on chapter 03's own exercise cells: the wrong answers a learner is likely to write are caught with a message naming the input or client.

The cells are read from the notebook (:class:`helpers.testing.exercises.ChapterExercises`); that every
reference solution passes and every stub shows ⏳ is tested for all chapters in ``tests/test_exercises.py``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.checkers import ch03
from helpers.testing.exercises import ChapterExercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03_greenlet.ipynb"
EX = ChapterExercises(NOTEBOOK)


def test_echo_client_that_sends_once_is_caught_naming_client_and_bytes():
    wrong = EX.wrong(3, "view = view[sock.send(view):]", "sock.send(view); view = view[len(view):]")
    with pytest.raises(AssertionError) as info:
        ch03.check_echo_client(EX.scope(wrong)["echo_client"], EX.scope("")["MiniHub"])
    message = str(info.value)
    assert message.startswith("50 个客户端同时运行：hub 等了 5 秒") and "send 可能只发出一部分" in message, message


def test_echo_client_that_reads_once_is_caught():
    wrong = EX.wrong(3, "while len(received) < len(message):", "for _ in range(1):")
    with pytest.raises(AssertionError, match="^客户端 #0：发出 .* 字节.*实际收回"):
        ch03.check_echo_client(EX.scope(wrong)["echo_client"], EX.scope("")["MiniHub"])


def test_greenlet_iter_that_collects_everything_first_is_not_lazy():
    eager = '''def greenlet_iter(producer):
    values = []
    producer(values.append)
    yield from values
'''
    with pytest.raises(AssertionError, match="取第一个值之后"):
        ch03.check_greenlet_iter(EX.scope(eager)["greenlet_iter"])


def test_greenlet_iter_that_yields_the_return_value_is_caught():
    wrong = EX.wrong(2, "        if worker.dead:  # producer returned: what came back is its return value, not an emitted one\n"
                      "            return\n", "")
    with pytest.raises(AssertionError, match=r"期望产出 \[1, 2, 3, 4, 5, 6\]，实际 \[1, 2, 3, 4, 5, 6, None, .*dead"):
        ch03.check_greenlet_iter(EX.scope(wrong)["greenlet_iter"])


def test_interleave_that_concatenates_is_caught():
    with pytest.raises(AssertionError, match=r"^interleave\(\[1, 2, 3\], \['a', 'b', 'c'\]\)：期望"):
        ch03.check_interleave(EX.scope("def interleave(xs, ys):\n    return list(xs) + list(ys)\n")["interleave"])
