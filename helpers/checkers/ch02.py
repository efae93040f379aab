"""Checkers of chapter 02's exercises: a running average, a task for the scheduler, a scheduler that waits on sockets.

- :func:`check_running_average` — the generator ``running_average()`` driven by ``next``/``send``;
- :func:`check_worker` — the task ``worker(name, delay, done)`` run by :class:`helpers.genloop.Scheduler`;
- :func:`check_run_tasks` — ``run_tasks(tasks)``, the learner's scheduler where a task ``yield``\\ s a
  socket to be resumed when it is readable.  It runs (in a thread, bounded) six tasks the checker
  writes: five fetch one page each from :func:`helpers.servers.slow_site_server` over a non-blocking
  socket, one only computes (``yield`` with nothing).  It checks that the run takes about as long as
  the slowest site (not the sum), that every page arrives byte for byte, that no task was resumed
  while its socket had nothing to read (a scheduler that busy-polls), and that the computing task
  was not held up by the waiting ones.

Each returns one line saying what was measured, or raises :class:`AssertionError` naming the
input or task, what was expected and what came back.  ``NotImplementedError`` from the learner's
stub passes through (the check shows ⏳).

Used in: 02.
"""
from __future__ import annotations

import socket
import threading
import time
from typing import Callable, Iterable

from helpers import genloop
from helpers.servers import slow_site_server
from helpers.timing import format_seconds, now

__all__ = ["check_run_tasks", "check_running_average", "check_worker"]


# exercise 1 ---------------------------------------------------------------------------------------
def check_running_average(running_average: Callable[[], object]) -> str:
    """Exercise 1: started with next(), every send(x) returns the mean of everything sent so far."""
    avg = running_average()
    if not hasattr(avg, "send"):
        raise AssertionError(f"running_average() 应当返回一个生成器（函数体里要有 yield），实际返回 {avg!r:.80}")
    first = next(avg)
    if first is not None:
        raise AssertionError(f"启动（next）时还没有数据，应当产出 None，而不是 {first!r}")
    sent = (10, 20, 30, 0)
    got = [avg.send(x) for x in sent]
    if got != [10.0, 15.0, 20.0, 15.0]:
        raise AssertionError(f"依次 send {sent}，期望得到 [10.0, 15.0, 20.0, 15.0]，实际得到 {got}")
    other = running_average()
    next(other)
    alone = other.send(4)
    if alone != 4.0:
        raise AssertionError(f"新的生成器只 send(4)，期望 4.0，实际得到 {alone!r}：两个生成器要各自保存状态"
                             "（用局部变量，别用全局变量）")
    return f"send {sent} 得到 {got}；两个生成器各自保存自己的状态"


# exercise 2 ---------------------------------------------------------------------------------------
def check_worker(worker: Callable[[str, float, list], object]) -> str:
    """Exercise 2: three workers on one genloop.Scheduler overlap their waits and finish shortest first."""
    done: list[str] = []
    sched = genloop.Scheduler()
    delays = (("a", 0.15), ("b", 0.05), ("c", 0.10))
    tasks = [sched.spawn(worker(name, delay, done)) for name, delay in delays]
    start = now()
    sched.run()
    elapsed = now() - start
    if elapsed > 0.25:
        raise AssertionError(f"三个任务（延迟 0.15、0.05、0.1 秒）总耗时 {format_seconds(elapsed)}，接近三者之和 0.3 秒，"
                             "期望接近最长的 0.15 秒：是不是用了 time.sleep？要 yield genloop.sleep(delay)")
    if done != ["b", "c", "a"]:
        raise AssertionError(f"完成顺序期望是 ['b', 'c', 'a']（按延迟从短到长），实际是 {done}")
    results = [t.result for t in tasks]
    if results != ["A", "B", "C"]:
        raise AssertionError(f"任务的返回值期望是 ['A', 'B', 'C']（return name.upper()），实际是 {results}")
    return f"三个任务按延迟从短到长完成，共 {format_seconds(elapsed)}（延迟之和 0.3 秒）"


# exercise 3 ---------------------------------------------------------------------------------------
WAIT = 5.0          # seconds run_tasks may take at most
SLACK = 0.35        # seconds above the slowest site's latency the whole run may take
IDLE_WAKEUPS = 3    # resumptions with nothing to read that are forgiven (none happen with select)


class _Fetch:
    """What one fetch task saw: its bytes, when it finished, how often it was resumed with nothing to read."""

    def __init__(self, site: str):
        self.site, self.data, self.end, self.wakeups, self.idle = site, bytearray(), None, 0, 0


def _fetch(sock: socket.socket, site: str, record: _Fetch):
    """A task: send a GET for *site*, then ``yield sock`` until the reply is complete (EOF)."""
    sock.sendall(f"GET /{site}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    sock.setblocking(False)
    while True:
        yield sock                      # resume me when sock is readable
        record.wakeups += 1
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:         # resumed although nothing can be read
            record.idle += 1
            continue
        if not chunk:
            record.end = now()
            return len(record.data)
        record.data += chunk


def _compute(steps: list[float]):
    """A task that never waits: three steps, a bare ``yield`` after each."""
    for _ in range(3):
        steps.append(now())
        yield


def _body(data: bytes) -> bytes | None:
    head, sep, body = bytes(data).partition(b"\r\n\r\n")
    return body if sep and head.startswith(b"HTTP/1.1 200") else None


def check_run_tasks(run_tasks: Callable[[Iterable], object]) -> str:
    """Exercise 3: run five fetch tasks and a computing one; they must wait on their sockets together."""
    with slow_site_server() as srv:
        sites = list(srv.sites)
        records = {site: _Fetch(site) for site in sites}
        steps: list[float] = []
        socks = [socket.create_connection(srv.address[:2], timeout=2) for _ in sites]
        gens = [_fetch(sock, site, records[site]) for sock, site in zip(socks, sites)] + [_compute(steps)]
        outcome: dict[str, object] = {}

        def runner():
            cpu = time.thread_time()
            try:
                run_tasks(list(gens))
            except BaseException as exc:  # reported below, never printed by the thread
                outcome["error"] = exc
            outcome["cpu"] = time.thread_time() - cpu

        thread = threading.Thread(target=runner, daemon=True, name="learner-run-tasks")
        start = now()
        try:
            thread.start()
            thread.join(WAIT)
            elapsed = now() - start
        finally:
            for gen in gens:
                if thread.is_alive():
                    break  # a generator that is running cannot be closed
                gen.close()
            for sock in socks:
                sock.close()
        expected = {site: srv.body(site) for site in sites}
        latencies = {site: s.latency for site, s in srv.sites.items()}
    error = outcome.get("error")
    if isinstance(error, NotImplementedError):
        raise error
    if error is not None:
        raise AssertionError(f"run_tasks 抛出了 {error.__class__.__name__}: {error}")
    if thread.is_alive():
        raise AssertionError(f"run_tasks(6 个任务) {WAIT:g} 秒后还没有返回：所有任务都结束（StopIteration）后要退出循环")
    slowest, total_latency = max(latencies.values()), sum(latencies.values())
    for site in sites:
        record = records[site]
        if record.end is None:
            raise AssertionError(f"取 {site} 的任务没有运行完：run_tasks 返回时它还在等（收到 {len(record.data):,} 字节）。"
                                 "任务 yield 一个 socket 后，要在它可读时把任务放回就绪队列，直到任务结束")
        body = _body(record.data)
        if body != expected[site]:
            got = "没有完整的 HTTP 响应头" if body is None else f"正文 {len(body):,} 字节"
            raise AssertionError(f"取 {site} 的任务收到 {len(record.data):,} 字节（{got}），期望正文 "
                                 f"{len(expected[site]):,} 字节，逐字节一致")
    idle = sum(r.idle for r in records.values())
    if idle > IDLE_WAKEUPS:
        wakeups = sum(r.wakeups for r in records.values())
        raise AssertionError(f"5 个取网页的任务一共被恢复了 {wakeups:,} 次，其中 {idle:,} 次 socket 里没有数据可读"
                             f"（recv 抛出 BlockingIOError）；调度器线程用掉 CPU 时间 {format_seconds(outcome['cpu'])}。"
                             "这是忙轮询：任务 yield 的 socket 要登记到 selector，只有 select 说它可读时才恢复这个任务")
    if elapsed > slowest + SLACK:
        raise AssertionError(f"6 个任务全部完成用了 {format_seconds(elapsed)}，期望接近最慢的站点"
                             f"（{format_seconds(slowest)}，最多再多 {format_seconds(SLACK)}），而不是延迟之和"
                             f"（{format_seconds(total_latency)}）：不要一个 socket 一个 socket 地等，"
                             "把所有在等的 socket 都登记到同一个 selector，一次 select 等它们全部")
    first_reply = min(latencies.values())
    if len(steps) != 3 or steps[-1] - start > first_reply:
        at = format_seconds(steps[-1] - start) if steps else "从未"
        raise AssertionError(f"只计算、不等待的任务（yield 三次，什么也不等）走完 3 步的时刻：{at}（走了 {len(steps)} 步），"
                             f"期望在第一个网站回复（{format_seconds(first_reply)}）之前就走完：还有就绪的任务时，"
                             "select 的 timeout 要是 0，不能睡着等 socket")
    return (f"5 个网页逐字节正确，全部完成用了 {format_seconds(elapsed)}（最慢的站点 {format_seconds(slowest)}，"
            f"延迟之和 {format_seconds(total_latency)}）；任务只在有数据时被恢复，"
            f"调度器线程用掉 CPU 时间 {format_seconds(outcome['cpu'])}")
