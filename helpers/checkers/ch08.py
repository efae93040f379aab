"""Checkers of chapter 08's exercises: a sleep for the chapter's own loop, a status code, a crawler with deadlines.

- :func:`check_mini_sleep` — ``mini_sleep(loop, delay) -> Future`` on the chapter's ``EventLoop``
  and ``Task`` (passed in): three tasks sleep 0.2 s each, together about 0.2 s;
- :func:`check_fetch_status` — ``async def fetch_status(address, site) -> int`` against a
  :func:`helpers.servers.slow_site_server` with a 200 site and a 503 site;
- :func:`check_crawl_within` — ``async def crawl_within(address, sites, per_site, total) -> dict``
  against a slow-site server with fast sites, a **stalled** site (accepts, never answers) and a
  **failing** site (resets the connection): the fast sites' bodies byte for byte, the stalled one
  ``"timeout"`` after about *per_site*, the failing one ``"error"``; then a run whose *total*
  deadline is shorter than a slow site's latency, which must end by *total*.

The coroutines run with ``asyncio.run`` in a worker thread (the Jupyter kernel's own loop is
already running in the main thread), each bounded by a timeout.  Each checker returns one line
saying what was measured, or raises :class:`AssertionError` naming the input, what was expected
and what came back.  ``NotImplementedError`` from the learner's stub passes through (⏳).

Used in: 08.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import time
from typing import Callable

from helpers.checkers.ch07 import show_bytes
from helpers.servers import Site, slow_site_server
from helpers.servers.slowsite import page_body

__all__ = ["check_crawl_within", "check_fetch_status", "check_mini_sleep", "run_in_thread"]


def run_in_thread(make_coro: Callable[[], object], bound: float):
    """``asyncio.run`` the coroutine *make_coro()* in a worker thread, cancelled after *bound* seconds.

    Returns ``(value, seconds)``; raises what the coroutine raised, or ``TimeoutError`` after *bound*.
    """
    async def timed():
        start = time.perf_counter()
        value = await asyncio.wait_for(make_coro(), bound)
        return value, time.perf_counter() - start

    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="check-loop") as pool:
        return pool.submit(asyncio.run, timed()).result(bound + 5)


# exercise 1 ---------------------------------------------------------------------------------------
def check_mini_sleep(mini_sleep, EventLoop, Task) -> str:
    """Exercise 1: three generator tasks ``yield from mini_sleep(loop, 0.2)`` on the chapter's loop."""
    loop = EventLoop()

    def sleeper(i):
        yield from mini_sleep(loop, 0.2)
        return i

    try:
        tasks = [Task(sleeper(i), loop) for i in range(3)]
        start = time.perf_counter()
        try:
            loop.run_until_complete(tasks, timeout=3)
        except TimeoutError:
            raise AssertionError("3 个任务各 yield from mini_sleep(loop, 0.2)，3 秒后循环还没结束："
                                 "返回的 Future 没有被设为完成。用 loop.call_later(delay, fut.set_result, None)") from None
        took = time.perf_counter() - start
    finally:
        loop.close()
    for t in tasks:
        if t.exception:                  # the Task kept the error: show it (⏳ for NotImplementedError)
            raise t.exception
    results = [t.result for t in tasks]
    if results != [0, 1, 2]:
        raise AssertionError(f"3 个任务应分别返回 0, 1, 2，实际 {results!r}：Future 设完成后 Task 应继续执行 sleeper")
    if not 0.18 < took < 0.45:
        raise AssertionError(f"3 个任务同时各睡 0.2 s，应共约 0.2 s，实际 {took:.2f} s："
                             + ("太快了，是不是没有等 delay 秒？" if took <= 0.18 else
                                "mini_sleep 不能阻塞（time.sleep 会让整个循环停住），要交给 loop.call_later"))
    return f"3 个任务各睡 0.2 s，共用 {took:.2f} s"


# exercise 2 ---------------------------------------------------------------------------------------
def check_fetch_status(fetch_status) -> str:
    """Exercise 2: the status code of a 200 site and of a 503 site."""
    sites = {"ok.example": Site(latency=0.05), "down.example": Site(latency=0.05, fault="status", status=503)}
    with slow_site_server(sites) as srv:
        for site, expected in (("ok.example", 200), ("down.example", 503)):
            try:
                got, _ = run_in_thread(lambda: fetch_status(srv.address, site), 3)
            except TimeoutError:
                raise AssertionError(f"fetch_status(address, {site!r})：3 秒没有返回。请求以空行 \\r\\n\\r\\n 结束了吗？"
                                     "读一行（reader.readline()）就够了") from None
            if got != expected or not isinstance(got, int):
                raise AssertionError(f"fetch_status(address, {site!r})：期望 {expected}（int），实际 {got!r}："
                                     "状态码是响应第一行（b'HTTP/1.1 503 …'）的第二个字段，要转成 int")
    return "200 和 503 两个站点的状态码都对"


# exercise 3 ---------------------------------------------------------------------------------------
PER_SITE = 0.5
TOTAL = 2.0
FAST = {"a.example": Site(latency=0.1, size=3000), "b.example": Site(latency=0.2, size=120_000),
        "c.example": Site(latency=0.3, size=50)}
BAD = {"stuck.example": Site(fault="stall"), "broken.example": Site(latency=0.05, fault="reset")}
SLOW = {"slow.example": Site(latency=1.5, size=100)}
SHORT_TOTAL = 0.6


def _describe(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return show_bytes(value, 24)
    return repr(value)[:80]


def _run_crawl(crawl_within, address, sites, per_site, total, bound):
    try:
        return run_in_thread(lambda: crawl_within(address, list(sites), per_site, total), bound)
    except TimeoutError:
        raise AssertionError(f"crawl_within(address, {list(sites)}, per_site={per_site}, total={total})："
                             f"{bound:g} 秒后还没有返回。每个站点要用 asyncio.wait_for(…, per_site) 限时，"
                             "整次运行要在 total 秒时结束") from None


def check_crawl_within(crawl_within) -> str:
    """Exercise 3: fast, stalled and failing sites with a per-site deadline; then a total deadline."""
    sites = {**FAST, **BAD}
    with slow_site_server(sites) as srv:
        got, took = _run_crawl(crawl_within, srv.address, sites, PER_SITE, TOTAL, TOTAL + 3)
        call = f"crawl_within(address, {len(sites)} 个站点, per_site={PER_SITE}, total={TOTAL})"
        if not isinstance(got, dict) or set(got) != set(sites):
            keys = sorted(got) if isinstance(got, dict) else type(got).__name__
            raise AssertionError(f"{call}：应返回一个 dict，键是全部 {len(sites)} 个站点名；实际 {keys}")
        for name, site in FAST.items():
            expected = page_body(name, site.size)
            if not isinstance(got[name], (bytes, bytearray)) or bytes(got[name]) != expected:
                raise AssertionError(f"{call}：{name}（延迟 {site.latency} s）应返回它的页面 {show_bytes(expected, 24)}，"
                                     f"实际 {_describe(got[name])}。页面是响应里空行 \\r\\n\\r\\n 之后的全部字节"
                                     "（reader.read() 读到服务器关闭连接为止）")
        if got["stuck.example"] != "timeout":
            raise AssertionError(f"{call}：stuck.example 接受连接但永远不回答，应记为 'timeout'，实际 "
                                 f"{_describe(got['stuck.example'])}")
        if got["broken.example"] != "error":
            raise AssertionError(f"{call}：broken.example 一收到请求就重置连接（ConnectionResetError），应记为 'error'，"
                                 f"实际 {_describe(got['broken.example'])}")
        slowest = max(s.latency for s in FAST.values())
        if took >= TOTAL - 0.1:
            raise AssertionError(f"{call}：用了 {took:.2f} s——stuck.example 直到 total={TOTAL} s 才被记为超时，"
                                 f"应在 per_site={PER_SITE} s 时就放弃它。每个站点要用 asyncio.wait_for(…, per_site) 限时")
        if took > PER_SITE + 0.35:
            total_latency = sum(s.latency for s in FAST.values()) + 0.05 + PER_SITE
            raise AssertionError(f"{call}：结果都对，但用了 {took:.2f} s；站点同时抓取时，卡死的站点在 per_site={PER_SITE} s "
                                 f"时超时，整次应约 {PER_SITE} s（一个接一个 await 约 {total_latency:.2f} s）。"
                                 "用 asyncio.gather 或 asyncio.wait 同时发起")
        if took < PER_SITE - 0.05:
            raise AssertionError(f"{call}：只用了 {took:.2f} s，卡死的站点应在 per_site={PER_SITE} s 时才算超时")
    with slow_site_server({**FAST, **SLOW}) as srv:
        mixed = {**FAST, **SLOW}
        got2, took2 = _run_crawl(crawl_within, srv.address, mixed, 3.0, SHORT_TOTAL, SHORT_TOTAL + 3)
        call = f"crawl_within(address, {len(mixed)} 个站点, per_site=3.0, total={SHORT_TOTAL})"
        if took2 > SHORT_TOTAL + 0.3:
            raise AssertionError(f"{call}：slow.example 要 {SLOW['slow.example'].latency} s 才回答，比 total 长；"
                                 f"整次运行应在约 {SHORT_TOTAL} s 时结束，实际用了 {took2:.2f} s。"
                                 "给整次运行也设上限：asyncio.wait(tasks, timeout=total)，再取消没完成的任务")
        if not isinstance(got2, dict) or got2.get("slow.example") != "timeout":
            shown = _describe(got2.get("slow.example")) if isinstance(got2, dict) else type(got2).__name__
            raise AssertionError(f"{call}：slow.example 在 total 到时还没回答，应记为 'timeout'，实际 {shown}")
        lost = [n for n, s in FAST.items() if not isinstance(got2.get(n), (bytes, bytearray))
                or bytes(got2[n]) != page_body(n, s.size)]
        if lost:
            raise AssertionError(f"{call}：{'、'.join(lost)} 在 total 之前就回答了，它们的页面要保留；实际 "
                                 f"{_describe(got2.get(lost[0]))}。total 到时只取消还没完成的任务")
    return (f"最慢的正常站点 {slowest} s；卡死的站点在 per_site={PER_SITE} s 时记为超时，整次 {took:.2f} s；"
            f"total={SHORT_TOTAL} s 时整次 {took2:.2f} s 结束，已完成的 {len(FAST)} 个页面逐字节一致")
