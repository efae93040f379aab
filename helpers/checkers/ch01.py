"""Checkers of chapter 01's exercises: a thread pool's total time, the four kinds of waiting, an async fetch.

- :func:`check_pool_time` — ``pool_time(durations, workers)`` on small cases, then against a real
  :class:`~concurrent.futures.ThreadPoolExecutor` run;
- :func:`check_answers` — ``my_answers()`` classifies four snippets as 同步/异步 × 阻塞/非阻塞;
- :func:`check_fetch_all_async` — ``fetch_all_async(urls, pool, on_done)`` against the five slow sites
  of :func:`helpers.servers.slow_site_server`: the call must return at once (non-blocking), every
  ``on_done(url, size)`` must run on a worker thread of *pool* (asynchronous: the result is delivered),
  every size must be the site's page size, and the whole run must take about as long as the slowest
  site, not the sum.

Each returns one line saying what was measured, or raises :class:`AssertionError` naming the
input, what was expected and what came back.  ``NotImplementedError`` from the learner's stub
passes through (the check shows ⏳).

Used in: 01.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from helpers.servers import slow_site_server
from helpers.timing import format_seconds, now

__all__ = ["ANSWERS", "RETURN_WITHIN", "check_answers", "check_fetch_all_async", "check_pool_time"]


# exercise 1 ---------------------------------------------------------------------------------------
def check_pool_time(pool_time: Callable[[list[float], int], float]) -> str:
    """Exercise 1: the time *workers* threads need for *durations*, each task going to the first free thread."""
    cases = [([1, 1, 1], 1, 3), ([1, 1, 1], 3, 1), ([0.5, 0.2, 0.3, 0.4], 2, 0.9), ([], 4, 0), ([0.3], 5, 0.3)]
    for durations, workers, want in cases:
        got = pool_time(list(durations), workers)
        if not isinstance(got, (int, float)) or abs(got - want) > 1e-9:
            raise AssertionError(f"pool_time({durations}, {workers}) 应为 {want}，你的结果是 {got!r}。"
                                 "记下每个线程何时空闲，每个任务交给最早空闲的那个线程")
    durations = [0.1, 0.05, 0.15, 0.05, 0.1]
    predicted = pool_time(list(durations), 2)
    start = now()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(time.sleep, durations))
    measured = now() - start
    if abs(measured - predicted) > 0.1:
        raise AssertionError(f"pool_time({durations}, 2) 预测 {format_seconds(predicted)}，"
                             f"真的用 2 个线程跑一次测得 {format_seconds(measured)}，相差太多")
    return (f"{len(cases)} 个小例子都对；{durations} 交给 2 个线程，预测 {format_seconds(predicted)}，"
            f"实测 {format_seconds(measured)}")


# exercise 2 ---------------------------------------------------------------------------------------
ANSWERS = {"a": ("同步", "阻塞"), "b": ("异步", "非阻塞"), "c": ("同步", "非阻塞"), "d": ("同步", "阻塞")}
HINTS = {"a": "recv 自己拿结果，拿不到就停在那里",
         "b": "结果由回调送来，登记完就去做别的事了",
         "c": "结果是自己一次次问出来的，但每次问都立刻返回",
         "d": "把任务交给线程池并不会让你的调用变成异步：结果是你自己用 .result() 取的（同步），取到之前你站在原地（阻塞）"}


def check_answers(my_answers: Callable[[], dict]) -> str:
    """Exercise 2: the four snippets, each as (同步 or 异步, 阻塞 or 非阻塞)."""
    answers = my_answers()
    if not isinstance(answers, dict):
        raise AssertionError(f"my_answers() 应当返回一个字典，例如 {{'a': ('同步', '阻塞'), …}}，实际返回 {answers!r:.80}")
    wrong = [k for k in ANSWERS if tuple(answers.get(k, ())) != ANSWERS[k]]
    if wrong:
        raise AssertionError("；".join(f"{k} 填的是 {answers.get(k)!r}，不对：{HINTS[k]}" for k in wrong))
    return "四段代码都归对了格"


# exercise 3 ---------------------------------------------------------------------------------------
RETURN_WITHIN = 0.1   # seconds: fetch_all_async starts the work and returns; the slowest site takes 0.5 s
SLACK = 0.35          # seconds above the slowest site's latency the whole run may take
WAIT = 5.0            # seconds the checker waits for the callbacks


def check_fetch_all_async(fetch_all_async: Callable[[list[str], ThreadPoolExecutor, Callable], object]) -> str:
    """Exercise 3: start the five fetches on *pool*, return at once, deliver each size by a callback on a worker."""
    me = threading.current_thread().name
    calls: list[tuple[str, object, str, float]] = []   # (url, size, thread name, time)
    lock, all_done = threading.Lock(), threading.Event()
    with slow_site_server() as srv:
        urls = srv.urls()
        expected = {srv.url(site): len(srv.body(site)) for site in srv.sites}
        latencies = {srv.url(site): s.latency for site, s in srv.sites.items()}

        def on_done(url, size):
            with lock:
                calls.append((url, size, threading.current_thread().name, now()))
                if len(calls) >= len(urls):
                    all_done.set()

        with ThreadPoolExecutor(len(urls), thread_name_prefix="pool-worker") as pool:
            start = now()
            fetch_all_async(list(urls), pool, on_done)
            returned = now() - start
            all_done.wait(WAIT)
            with lock:
                got = list(calls)
    slowest, total_latency = max(latencies.values()), sum(latencies.values())
    if returned > RETURN_WITHIN:
        raise AssertionError(f"fetch_all_async(5 个网址, pool, on_done) 用了 {format_seconds(returned)} 才返回，"
                             f"期望立刻返回（不超过 {format_seconds(RETURN_WITHIN)}）：它只该把下载交给线程池、登记回调，"
                             "不能自己等结果（future.result() 会阻塞）")
    on_main = [url for url, _, thread, _ in got if thread == me]
    if on_main:
        raise AssertionError(f"{len(on_main)} 个回调运行在你的线程“{me}”上（例如 {on_main[0]}），期望运行在线程池的"
                             "工作线程上：用 future.add_done_callback 登记，让下载完成的那个线程去调用 on_done")
    seen = [url for url, *_ in got]
    missing = [url for url in urls if url not in seen]
    if missing:
        late = "" if len(got) < len(urls) else (
            f"；它收到的网址有重复（{', '.join(sorted(set(seen)))}）：回调里的 url 是循环结束时的值，"
            "用默认参数 lambda future, url=url: … 记住登记时的网址")
        raise AssertionError(f"on_done 被调用了 {len(got)} 次（最多等 {WAIT:g} 秒），期望每个网址一次；"
                             f"没有收到：{', '.join(missing)}{late}")
    twice = sorted({url for url in seen if seen.count(url) > 1})
    if twice:
        raise AssertionError(f"on_done 对 {', '.join(twice)} 调用了不止一次，期望每个网址正好一次")
    for url, size, _, _ in got:
        if size != expected[url]:
            raise AssertionError(f"{url}：on_done 收到的大小是 {size!r}，期望页面正文的字节数 {expected[url]}"
                                 "（len(response.read())）")
    total = max(t for *_, t in got) - start
    if total > slowest + SLACK:
        raise AssertionError(f"5 个网站全部完成用了 {format_seconds(total)}，期望接近最慢的那个站点"
                             f"（{format_seconds(slowest)}，最多再多 {format_seconds(SLACK)}），而不是延迟之和"
                             f"（{format_seconds(total_latency)}）：下载要同时进行")
    threads = sorted({thread for _, _, thread, _ in got})
    return (f"fetch_all_async 用 {format_seconds(returned)} 就返回了；5 个回调运行在 {len(threads)} 个工作线程上，"
            f"大小都对；全部完成用了 {format_seconds(total)}（最慢的站点 {format_seconds(slowest)}，"
            f"延迟之和 {format_seconds(total_latency)}）")
