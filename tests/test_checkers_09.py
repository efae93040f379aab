"""helpers.checkers.ch09 on chapter 09's own exercise cells: the wrong answers a learner is likely to write are caught with a message naming the input.

The cells are read from the notebook (:class:`helpers.testing.exercises.ChapterExercises`); that every
reference solution passes and every stub shows ⏳ is tested for all chapters in ``tests/test_exercises.py``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.checkers import ch09
from helpers.testing.exercises import ChapterExercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "09_c10k-lab.ipynb"
EX = ChapterExercises(NOTEBOOK)


def test_prediction_that_divides_throughput_by_connections_is_caught():
    wrong = EX.wrong(1, "return connections / rt_per_s * 1000", "return rt_per_s / connections * 1000")
    with pytest.raises(AssertionError, match=r"predict_p50_ms\(10, 1000\)：.*= 10 ms；你的函数返回 100000。你把吞吐除以了连接数"):
        ch09.check_predict_p50(EX.scope(wrong)["predict_p50_ms"])


def test_prediction_in_seconds_is_caught():
    wrong = EX.wrong(1, "return connections / rt_per_s * 1000", "return connections / rt_per_s")
    with pytest.raises(AssertionError, match="单位"):
        ch09.check_predict_p50(EX.scope(wrong)["predict_p50_ms"])


def test_prediction_that_ignores_the_connections_is_caught_against_the_lab():
    # right on the fixed numbers only; against the lab it is N times too small
    wrong = EX.wrong(1, "return connections / rt_per_s * 1000",
                   "return (connections if (connections, rt_per_s) in FIXED else 1) / rt_per_s * 1000")
    scope = EX.scope("FIXED = {(10, 1000.0), (1, 20000.0), (100, 50000.0)}\n" + wrong)
    with pytest.raises(AssertionError, match=r"selectors 服务器、16 个连接：测得每秒 .* 次往返、p50 .* ms；你的预测 .* ms，是 p50 的 0\.\d\d 倍"):
        ch09.check_predict_p50(scope["predict_p50_ms"])


def test_ping_pong_with_read_instead_of_readexactly_is_caught_naming_the_payload():
    wrong = EX.wrong(2, "echo = await reader.readexactly(size)", "echo = await reader.read(size)")
    with pytest.raises(AssertionError, match=r"第 3 个内容 b'.*（共 262,144 字节）：期望收回同样的 262,144 字节.*readexactly"):
        ch09.check_ping_pong(EX.scope(wrong)["ping_pong"])


def test_ping_pong_without_the_length_prefix_times_out_with_a_hint():
    wrong = EX.wrong(2, 'writer.write(len(payload).to_bytes(4, "big") + payload)', "writer.write(payload)")
    with pytest.raises(AssertionError, match="长度前缀"):
        ch09.check_ping_pong(EX.scope(wrong)["ping_pong"])
