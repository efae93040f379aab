"""Checkers of chapter 09's exercises: Little's law against the lab's load generator, a ping-pong client.

- :func:`check_predict_p50` — ``predict_p50_ms(connections, rt_per_s) -> float``: first on fixed
  numbers, then against the lab: one lab server (``selectors``, :func:`helpers.c10k.bench.start_server`)
  is loaded by :func:`helpers.c10k.bench.run_loadgen` with a few connections; the prediction made from
  the measured throughput is compared with the measured p50 (the same order of magnitude: at least
  :data:`LOW` and at most :data:`HIGH` times it) and the gap explained;
- :func:`check_ping_pong` — ``async def ping_pong(address, payloads) -> list[(echo, seconds)]``: the
  learner's asyncio streams client sends framed payloads (empty, small, 256 KiB) one at a time to a lab
  server and times each round trip; every echo is compared byte for byte.

Each returns one line saying what was measured, or raises :class:`AssertionError` naming the input,
what was expected and what came back.  ``NotImplementedError`` from the stub passes through (⏳).

Used in: 09.
"""
from __future__ import annotations

import math
import random
import statistics

from helpers.c10k import bench
from helpers.checkers.ch07 import show_bytes
from helpers.checkers.ch08 import run_in_thread

__all__ = ["HIGH", "LEVELS", "LOW", "SERVER", "check_ping_pong", "check_predict_p50"]

SERVER = "selectors"         # chapter 07's server: starts fast, needs nothing extra
LEVELS = (16, 128)           # connections: few, so a run takes about a second
DURATION = 0.4               # seconds measured per level
# Little's law gives the MEAN time a request spends in the closed loop, the load generator's own
# work on each echo included; p50 is the median of the network round trip alone: skewed latencies
# and the client's time make the prediction larger than p50 (measured: 1-3 times on 2 cores).
LOW, HIGH = 0.5, 8.0         # generous: a busy machine stretches the client's share; wrong answers are off by N or 1000


def _predict(predict_p50_ms, n: int, x: float) -> float:
    got = predict_p50_ms(n, x)
    if not isinstance(got, (int, float)) or isinstance(got, bool) or not math.isfinite(got):
        raise AssertionError(f"predict_p50_ms({n}, {x:g}) 应返回一个有限的数（毫秒），实际 {got!r:.60}")
    return float(got)


# exercise 1 ---------------------------------------------------------------------------------------
def check_predict_p50(predict_p50_ms) -> str:
    """Exercise 1: Little's law on fixed numbers, then against a measured run of the lab."""
    for n, x, expected in ((10, 1000.0, 10.0), (1, 20_000.0, 0.05), (100, 50_000.0, 2.0)):
        got = _predict(predict_p50_ms, n, x)
        if not math.isclose(got, expected, rel_tol=1e-6):
            hint = ("你把吞吐除以了连接数：应当是连接数 ÷ 吞吐" if math.isclose(got, x / n * 1e3, rel_tol=1e-6)
                    or math.isclose(got, x / n, rel_tol=1e-6) else
                    "单位：吞吐是每秒往返次数，结果要换成毫秒（× 1000）" if math.isclose(got, expected / 1e3, rel_tol=1e-6) else
                    "每个连接同时只有一个请求在路上：在途的请求数 = 连接数 N")
            raise AssertionError(f"predict_p50_ms({n}, {x:g})：{n} 个连接、每秒 {x:g} 次往返，按利特尔定律每次往返平均 "
                                 f"{n} ÷ {x:g} 秒 = {expected:g} ms；你的函数返回 {got:g}。{hint}")
    lines = []
    with bench.start_server(SERVER) as srv:
        for n in LEVELS:
            r = bench.run_loadgen(srv.address, n, DURATION, phase_timeout=10)
            if r.get("error") or not r.get("rt_per_s"):
                raise AssertionError(f"压测程序在 {n} 个连接时没有完成（{r.get('error') or '没有往返'}）："
                                     "机器太忙了？重新运行这个单元格")
            x, p50 = r["rt_per_s"], r["p50_ms"]
            predicted = _predict(predict_p50_ms, n, x)
            ratio = predicted / p50 if p50 > 0 else float("inf")
            if not LOW <= ratio <= HIGH:
                raise AssertionError(f"{SERVER} 服务器、{n} 个连接：测得每秒 {x:,.0f} 次往返、p50 {p50:.3f} ms；"
                                     f"你的预测 {predicted:.3f} ms，是 p50 的 {ratio:.2f} 倍（应在 {LOW:g}～{HIGH:g} 倍之间）。"
                                     f"在途的请求数是连接数 {n}")
            lines.append(f"{n} 个连接：预测 {predicted:.3f} ms，测得 p50 {p50:.3f} ms")
    return ("；".join(lines) + "。预测通常比 p50 大：利特尔定律给的是平均停留时间，少数很慢的往返把平均值拉高，"
            "而且闭环里它还包括压测程序自己处理每个回显的时间；p50 是只量网络往返的中位数")


# exercise 2 ---------------------------------------------------------------------------------------
PAYLOADS = [b"", b"ping", random.Random(9).randbytes(256 * 1024), "利特尔定律".encode() * 10]


def check_ping_pong(ping_pong) -> str:
    """Exercise 2: the learner's framed round trips against a lab server, byte for byte."""
    with bench.start_server(SERVER) as srv:
        try:
            got, took = run_in_thread(lambda: ping_pong(srv.address, list(PAYLOADS)), 10)
        except TimeoutError:
            raise AssertionError(f"ping_pong(address, {len(PAYLOADS)} 个内容) 10 秒没有返回：发出的帧带 4 字节大端长度前缀了吗？"
                                 "服务器只在收齐一整帧后才回显") from None
    if not isinstance(got, list) or len(got) != len(PAYLOADS):
        raise AssertionError(f"ping_pong 应返回 {len(PAYLOADS)} 项的列表（每个内容一项 (echo, seconds)），实际 {got!r:.80}")
    for k, (payload, item) in enumerate(zip(PAYLOADS, got), 1):
        if not (isinstance(item, tuple) and len(item) == 2):
            raise AssertionError(f"第 {k} 项应是 (echo, seconds)，实际 {item!r:.80}")
        echo, seconds = item
        if not isinstance(echo, (bytes, bytearray)) or bytes(echo) != payload:
            shown = show_bytes(echo) if isinstance(echo, (bytes, bytearray)) else repr(echo)[:60]
            raise AssertionError(f"第 {k} 个内容 {show_bytes(payload)}：期望收回同样的 {len(payload):,} 字节（不含长度前缀），"
                                 f"实际 {shown}。一次 read(n) 可能只给一部分：用 reader.readexactly(n)")
        if not isinstance(seconds, (int, float)) or not 0 < seconds < took + 0.01:
            raise AssertionError(f"第 {k} 个内容：往返时间应是一个正的秒数（不超过整次的 {took:.3f} s），实际 {seconds!r}")
    small = statistics.median(s for p, (_, s) in zip(PAYLOADS, got) if len(p) < 1000)
    big = got[2][1]
    return (f"{len(PAYLOADS)} 个内容逐字节收回；小帧往返的中位数 {small * 1e3:.3f} ms，256 KiB 的一帧 {big * 1e3:.3f} ms"
            f"——1 个连接时，吞吐 ≈ 1 ÷ 往返时间")
