"""Checkers of chapter 05's exercises: wait with select, read exactly n bytes, the pool's latency stairs,
and a single-threaded client that fetches the five slow sites at once.

- :func:`check_recv_with_timeout` — ``recv_with_timeout(sock, timeout)`` on a socket pair: data that
  arrives late, no data at all; the CPU the wait used;
- :func:`check_recv_exactly` — ``recv_exactly(sock, n)`` on a non-blocking socket fed in pieces, and a
  peer that closes early; the CPU the wait used;
- :func:`check_pool_latency` — ``pool_latency(k, pool_size, service)`` against the stairs formula;
- :func:`check_fetch_all` — ``fetch_all(address, names)``: the learner's client runs (in a thread of
  its own, so a hang is bounded) against :func:`helpers.servers.slow_site_server` with the seed's
  five sites; every body is compared byte for byte, the wall time must be near the slowest site
  (not the sum), and the time the thread was runnable (on a CPU or
  waiting for one) far below the wall time (no busy polling, also when other programs load the CPUs).

Each returns one line saying what was measured, or raises :class:`AssertionError` naming the input,
what was expected and what came back.  ``NotImplementedError`` from the learner's stub passes
through (the check shows ⏳).

Used in: 05.
"""
from __future__ import annotations

import socket
import threading
import time
from typing import Callable

from helpers.checkers.ch07 import show_bytes
from helpers.servers import slow_site_server

__all__ = ["check_fetch_all", "check_pool_latency", "check_recv_exactly", "check_recv_with_timeout", "runnable_seconds"]

BUSY = 0.3          # runnable seconds (CPU + waiting for a CPU) per wall second above which a wait is a busy poll
FETCH_LIMIT = 10.0  # seconds the learner's client may take before the check gives up on it


def runnable_seconds() -> float:
    """Seconds the calling thread has run or waited for a CPU (Linux schedstat), else its CPU time.

    A busy-polling thread is runnable all the time, even when other programs leave it little CPU;
    a thread that sleeps in ``select`` is not.
    """
    try:
        with open("/proc/thread-self/schedstat") as stat:
            ran, waited = stat.read().split()[:2]
        return (int(ran) + int(waited)) / 1e9
    except (OSError, ValueError):
        return time.thread_time()


# exercise 1 ---------------------------------------------------------------------------------------
def check_recv_with_timeout(recv_with_timeout: Callable[[socket.socket, float], bytes | None]) -> str:
    """Exercise 1: data arriving after 0.05 s is returned at once; no data gives None after *timeout*."""
    a, b = socket.socketpair()
    timer = threading.Timer(0.05, b.sendall, args=(b"ping",))
    try:
        timer.start()
        c0, t0 = runnable_seconds(), time.perf_counter()
        got = recv_with_timeout(a, 2.0)
        early = time.perf_counter() - t0
        timer.join()
        if got != b"ping":
            raise AssertionError(f"recv_with_timeout(sock, 2.0)，对方 0.05 秒后发来 b'ping'：期望返回 b'ping'，实际返回 {got!r:.80}")
        if early > 1.0:
            raise AssertionError(f"recv_with_timeout(sock, 2.0)：数据 0.05 秒后就到了，你的函数 {early:.2f} 秒才返回。"
                                 "数据到了就该返回，不要等满 timeout")
        t0 = time.perf_counter()
        none = recv_with_timeout(a, 0.2)
        waited = time.perf_counter() - t0
        cpu = runnable_seconds() - c0
        if none is not None:
            raise AssertionError(f"recv_with_timeout(sock, 0.2)，对方什么也不发：期望返回 None，实际返回 {none!r:.80}")
        if not 0.15 < waited < 1.0:
            raise AssertionError(f"recv_with_timeout(sock, 0.2)，对方什么也不发：应当等约 0.2 秒再返回 None，实际等了 {waited:.2f} 秒")
        if cpu > BUSY * (early + waited):
            raise AssertionError(f"两次等待共 {early + waited:.2f} 秒，线程却有 {cpu:.2f} 秒在占用或排队等 CPU：是不是在忙轮询？"
                                 "用 select.select 的 timeout 参数，让内核在数据到达或超时时叫醒你")
        if a.gettimeout() is not None:
            raise AssertionError(f"调用之后 sock.gettimeout() 是 {a.gettimeout()!r}：不要改 socket 的超时设置，用 select 的 timeout 参数")
    finally:
        timer.cancel()
        timer.join()
        a.close()
        b.close()
    return f"数据到达后 {early * 1000:.0f} ms 返回；没有数据时等了 {waited:.2f} 秒返回 None；线程占用或排队等 CPU 共 {cpu * 1000:.0f} ms"


# exercise 2 ---------------------------------------------------------------------------------------
def _send_in_pieces(sock: socket.socket, pieces: tuple[bytes, ...]) -> None:
    for piece in pieces:
        time.sleep(0.05)
        try:
            sock.sendall(piece)
        except OSError:  # the check gave up early (e.g. not implemented yet)
            return


def check_recv_exactly(recv_exactly: Callable[[socket.socket, int], bytes]) -> str:
    """Exercise 2: 10 bytes in three pieces 0.05 s apart are joined; a peer that closes early raises ConnectionError."""
    a, b = socket.socketpair()
    a.setblocking(False)
    pieces = (b"abc", b"defg", b"hij")
    sender = threading.Thread(target=_send_in_pieces, args=(b, pieces), daemon=True, name="check-sender")
    try:
        sender.start()
        c0, t0 = runnable_seconds(), time.perf_counter()
        got = recv_exactly(a, 10)
        wall, cpu = time.perf_counter() - t0, runnable_seconds() - c0
        if got != b"abcdefghij":
            raise AssertionError(f"recv_exactly(sock, 10)，对方分三次（间隔 0.05 秒）发来 b'abc'、b'defg'、b'hij'："
                                 f"期望 b'abcdefghij'，实际返回 {got!r:.80}")
        if cpu > BUSY * wall:
            raise AssertionError(f"recv_exactly(sock, 10) 等了 {wall:.2f} 秒，线程有 {cpu:.2f} 秒在占用或排队等 CPU：还在忙轮询。"
                                 "捕获 BlockingIOError 之后用 select 等 sock 可读，而不是马上再 recv")
        sender.join(2)
        b.sendall(b"xy")
        b.close()
        try:
            early = recv_exactly(a, 5)
        except ConnectionError:
            pass
        else:
            raise AssertionError(f"recv_exactly(sock, 5)，对方只发了 b'xy' 就关闭了：期望抛出 ConnectionError，实际返回 {early!r:.80}"
                                 "（recv 返回 b'' 表示对方关闭）")
    finally:
        sender.join(2)
        a.close()
        b.close()
    return f"三段拼成 b'abcdefghij'，等了 {wall:.2f} 秒，线程占用或排队等 CPU 只有 {cpu * 1000:.0f} ms；对方提前关闭时抛出 ConnectionError"


# exercise 3 ---------------------------------------------------------------------------------------
def check_pool_latency(pool_latency: Callable[[int, int, float], float]) -> str:
    """Exercise 3: the k-th request served by *pool_size* threads waits for the batches before it."""
    cases = [
        ((0, 4, 0.1), 0.1, "第 0 个请求立刻有线程服务：延迟 = service"),
        ((3, 4, 0.1), 0.1, "前 pool_size 个请求同时被服务"),
        ((4, 4, 0.1), 0.2, "第 pool_size 个请求要等第一批做完"),
        ((11, 4, 0.1), 0.3, "12 个请求、4 个线程：最后一批是第 3 批"),
        ((7, 1, 0.5), 4.0, "只有 1 个线程时完全串行"),
        ((9, 10, 0.2), 0.2, "线程比请求多时，所有请求都在第一批"),
    ]
    for args, expected, why in cases:
        got = pool_latency(*args)
        if not isinstance(got, (int, float)) or abs(got - expected) > 1e-9:
            raise AssertionError(f"pool_latency{args}：期望 {expected:g} 秒，实际返回 {got!r:.40}。{why}")
    return f"{len(cases)} 组 (k, pool_size, service) 的延迟都对上了台阶公式"


# exercise 4 ---------------------------------------------------------------------------------------
def _fetch_in_thread(fetch_all, address, names) -> tuple[object, BaseException | None, float, float, bool]:
    """Run the learner's client in a daemon thread: (result, error, wall, cpu, finished)."""
    out: dict[str, object] = {}

    def run() -> None:
        c0, t0 = runnable_seconds(), time.perf_counter()
        try:
            out["result"] = fetch_all(address, list(names))
        except BaseException as exc:  # reported by the checker
            out["error"] = exc
        out["wall"], out["cpu"] = time.perf_counter() - t0, runnable_seconds() - c0

    thread = threading.Thread(target=run, daemon=True, name="learner-fetch-all")
    thread.start()
    thread.join(FETCH_LIMIT)
    return (out.get("result"), out.get("error"), out.get("wall", FETCH_LIMIT), out.get("cpu", 0.0),  # type: ignore[return-value]
            not thread.is_alive())


def check_fetch_all(fetch_all: Callable[[tuple[str, int], list[str]], dict[str, bytes]]) -> str:
    """Exercise 4: the five slow sites fetched at once by one thread, byte for byte, without busy polling."""
    srv = slow_site_server()
    with srv:
        names = list(srv.sites)
        latencies = {name: srv.sites[name].latency for name in names}
        slowest, total = max(latencies.values()), sum(latencies.values())
        result, error, wall, cpu, finished = _fetch_in_thread(fetch_all, srv.address, names)
        if isinstance(error, NotImplementedError):
            raise error
        if not finished:
            raise AssertionError(f"fetch_all({srv.address}, 5 个站点) {FETCH_LIMIT:g} 秒还没有返回。服务器回复之后会关闭连接："
                                 "recv 返回 b'' 就说明这个站点读完了，要把它从等待的列表里去掉；全部读完就返回")
        if error is not None:
            raise error
        if not isinstance(result, dict):
            raise AssertionError(f"fetch_all 应当返回 {{站点名: 页面内容}} 的 dict，实际返回 {type(result).__name__}: {result!r:.80}")
        missing = [n for n in names if n not in result]
        if missing:
            raise AssertionError(f"返回的 dict 里缺少站点 {'、'.join(missing)}（有的键：{', '.join(map(str, result))}）")
        for name in names:
            expected, got = srv.body(name), result[name]
            if not isinstance(got, (bytes, bytearray)) or bytes(got) != expected:
                got_b = bytes(got) if isinstance(got, (bytes, bytearray)) else None
                if got_b is None:
                    came = f"{type(got).__name__}: {got!r:.60}"
                elif got_b.startswith(b"HTTP/"):
                    came = f"{show_bytes(got_b)}（这是整个响应：要去掉 b'\\r\\n\\r\\n' 之前的响应头）"
                elif expected.startswith(got_b):
                    came = f"只有开头的 {len(got_b):,} 字节（要一直读到 recv 返回 b''）"
                else:
                    at = next((i for i, (x, y) in enumerate(zip(expected, got_b)) if x != y), min(len(expected), len(got_b)))
                    came = (f"{len(got_b):,} 字节，第一个不同的字节在偏移 {at:,}：期望 {show_bytes(expected[at:at + 8])}，"
                            f"收到 {show_bytes(got_b[at:at + 8])}")
                raise AssertionError(f"站点 {name}：期望页面内容 {len(expected):,} 字节（以 {show_bytes(expected, 20)} 开头），"
                                     f"实际得到 {came}")
        if wall > (slowest + total) / 2:
            raise AssertionError(f"五个站点各要 {', '.join(f'{latencies[n]:g}' for n in names)} 秒才回复：同时等待时总耗时应接近最慢的 "
                                 f"{slowest:g} 秒，一个一个等是 {total:g} 秒；你的 fetch_all 用了 {wall:.2f} 秒。"
                                 "先把五个请求都发出去，再用 select 等其中任何一个可读——不要在某一个 socket 的 connect/recv 上阻塞")
        if cpu > BUSY * wall:
            raise AssertionError(f"fetch_all 用了 {wall:.2f} 秒，其中线程占用或排队等 CPU 的时间有 {cpu:.2f} 秒：它一直在空转（忙轮询）。"
                                 "select 不要传 timeout=0，也不要在 BlockingIOError 之后马上重试：让 select 睡到有 socket 就绪")
    srv.check()
    size = sum(len(srv.body(n)) for n in names)
    return (f"五个站点的 {size:,} 字节逐字节一致；总耗时 {wall:.2f} 秒（最慢的站点 {slowest:g} 秒，逐个等待要 {total:g} 秒），"
            f"线程占用或排队等 CPU 只有 {cpu * 1000:.0f} ms")
