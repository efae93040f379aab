"""Checkers of chapter 06's exercises: wait for a set of sockets with poll, an edge-triggered epoll echo server.

- :func:`check_wait_readable` — ``wait_readable(socks, timeout)`` on socket pairs: none ready (the
  timeout is in milliseconds for ``poll``), two of three ready (socket objects, in input order);
- :func:`check_et_echo_server` — ``serve(listener, stop)``: the learner's echo server runs in a thread
  on a listener of :func:`helpers.servers.base.listen`; one client sends a short line, then three
  clients stay connected and each sends **bursts** of 1 MiB in one ``sendall`` and waits for the echo.
  A server that reads once per event gets no new event for the bytes left in the kernel's buffer and
  stalls: the client reports how many bytes came back before it went quiet.  Every reply is compared
  byte for byte; on Linux the checker also reads ``/proc/self/fdinfo`` of the learner's epoll to see
  that the connections are registered with ``EPOLLET``.

Each returns one line saying what was measured, or raises :class:`AssertionError` naming the input
or client, what was expected and what came back.  ``NotImplementedError`` from the learner's stub
passes through (the check shows ⏳).

Used in: 06.
"""
from __future__ import annotations

import os
import random
import socket
import threading
import time
from typing import Callable

from helpers.checkers.ch07 import IDLE, _connect, _first_difference, _read, _ServerThread, show_bytes

__all__ = ["check_et_echo_server", "check_wait_readable", "epoll_registrations"]

BURST = 2**20      # bytes a client sends in one sendall: far more than one recv returns
CLIENTS = 3        # clients connected at the same time
ROUNDS = 2         # bursts per client
EPOLLET = 1 << 31  # the flag's bit as /proc/PID/fdinfo prints it (select.EPOLLET is the same value)


# exercise 1 ---------------------------------------------------------------------------------------
def check_wait_readable(wait_readable: Callable[[list[socket.socket], float], list[socket.socket]]) -> str:
    """Exercise 1: nothing ready -> [] after the timeout; two of three ready -> those two, in input order."""
    pairs = [socket.socketpair() for _ in range(3)]
    try:
        ends = [b for _, b in pairs]
        t0 = time.perf_counter()
        got = wait_readable(ends, 0.05)
        waited = time.perf_counter() - t0
        if got != []:
            raise AssertionError(f"wait_readable(3 个 socket, 0.05)，没有数据：期望 []，实际返回 {got!r:.80}")
        if not 0.03 < waited < 1.0:
            raise AssertionError(f"wait_readable(3 个 socket, 0.05)，没有数据：应当约 0.05 秒后返回，实际等了 {waited * 1000:.1f} ms。"
                                 "poll() 的超时单位是毫秒：要传 timeout * 1000")
        pairs[2][0].send(b"x")
        pairs[0][0].send(b"y")
        t0 = time.perf_counter()
        got = wait_readable(ends, 2.0)
        ready_after = time.perf_counter() - t0
        if not isinstance(got, list) or not all(isinstance(s, socket.socket) for s in got):
            raise AssertionError(f"第 1、3 个 socket 有数据：应当返回 socket 对象的列表，实际返回 {got!r:.80}"
                                 "（poll() 给的是 (fd, 事件)：用 fileno() 找回 socket）")
        if got != [ends[0], ends[2]]:
            idx = [ends.index(s) + 1 if s in ends else "?" for s in got]
            raise AssertionError(f"第 1、3 个 socket 有数据：期望按输入顺序返回第 1、3 个，实际返回第 {idx} 个")
        if ready_after > 1.0:
            raise AssertionError(f"有数据时应当立即返回，实际等了 {ready_after:.1f} 秒")
    finally:
        for a, b in pairs:
            a.close()
            b.close()
    return f"没有数据时 {waited * 1000:.0f} ms 后返回 []；有数据时 {ready_after * 1000:.1f} ms 返回第 1、3 个 socket"


# exercise 2 ---------------------------------------------------------------------------------------
def epoll_registrations(fd: int) -> dict[int, int] | None:
    """The epoll instances of this process that watch *fd*: ``{target fd: event mask}`` of the first, or None.

    Read from ``/proc/self/fdinfo`` (Linux); None where that is not available or no epoll watches *fd*.
    """
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return None
    for name in names:
        try:
            if os.readlink(f"/proc/self/fd/{name}") != "anon_inode:[eventpoll]":
                continue
            with open(f"/proc/self/fdinfo/{name}") as info:
                lines = info.read().splitlines()
        except OSError:
            continue
        found: dict[int, int] = {}
        for line in lines:
            parts = line.split()
            if parts[:1] == ["tfd:"] and "events:" in parts:
                found[int(parts[1])] = int(parts[parts.index("events:") + 1], 16)
        if fd in found:
            return found
    return None


def _burst(who: str, sock: socket.socket, payload: bytes, server: _ServerThread) -> float:
    """Send *payload* in one sendall (from a thread) while reading the echo; raise unless it all came back."""
    failed: list[BaseException] = []

    def send() -> None:
        try:
            sock.sendall(payload)
        except OSError as exc:
            failed.append(exc)

    sender = threading.Thread(target=send, daemon=True, name="client-burst")
    t0 = time.perf_counter()
    sender.start()
    got = _read(sock, len(payload), server, 20)
    took = time.perf_counter() - t0
    sender.join(IDLE)
    if got == payload:
        return took
    if len(got) < len(payload) and payload.startswith(got):
        raise AssertionError(f"{who}：一次 sendall 发出 {len(payload):,} 字节，期望原样收回；只收回 {len(got):,} 字节，之后 {IDLE:g} 秒"
                             "没有新数据。边缘触发只在新数据到达时通知一次：每个事件都要 recv 到 BlockingIOError（EAGAIN）为止，"
                             "否则剩下的字节留在内核的接收缓冲区里，再没有事件叫醒你（发送也一样：send 到缓冲区满，余下的等 EPOLLOUT）")
    at = _first_difference(payload, got)
    raise AssertionError(f"{who}：一次 sendall 发出 {len(payload):,} 字节，收回 {len(got):,} 字节；第一个不同的字节在偏移 {at:,}："
                         f"期望 {show_bytes(payload[at:at + 8])}，收到 {show_bytes(got[at:at + 8])}。"
                         "每个连接要有自己的写缓冲区，send 返回多少就删掉多少")


def _edge_triggered(server: _ServerThread, connections: int) -> str | None:
    """None when every connection the learner's epoll watches has EPOLLET (or /proc cannot tell); else why not."""
    registered = epoll_registrations(server.listener.fileno())
    if registered is None:
        return None if not os.path.isdir("/proc/self/fdinfo") else "没有找到登记了 listener 的 epoll：要用 select.epoll()，并 register(listener)"
    conns = {fd: mask for fd, mask in registered.items() if fd != server.listener.fileno()}
    if len(conns) < connections:
        return f"{connections} 个客户端连着，epoll 里却只登记了 {len(conns)} 个连接"
    level = [fd for fd, mask in conns.items() if not mask & EPOLLET]
    if level:
        return (f"连接（fd {', '.join(map(str, level))}）登记时没有 EPOLLET，是水平触发：本练习要写边缘触发的服务器，"
                "register(conn, select.EPOLLIN | select.EPOLLOUT | select.EPOLLET)")
    return None


def check_et_echo_server(serve: Callable[[socket.socket, threading.Event], object]) -> str:
    """Exercise 2: run ``serve(listener, stop)`` in a thread; a short line, then bursts of 1 MiB from three clients."""
    server = _ServerThread(serve)
    server.thread.start()
    failure: BaseException | None = None
    socks: list[socket.socket] = []
    took: list[float] = []
    try:
        server.thread.join(0.2)  # the stub raises at once
        if server.alive():
            with _connect(server.address) as first:
                first.sendall(b"hello, epoll\n")
                got = _read(first, 13, server, 5)
                if got != b"hello, epoll\n":
                    raise AssertionError(f"客户端 1：发出 b'hello, epoll\\n'（13 字节），期望原样收回；实际收回 {show_bytes(got)}")
            rng = random.Random(6)
            for i in range(CLIENTS):
                socks.append(_connect(server.address))
            for r in range(ROUNDS):
                for i, sock in enumerate(socks):
                    took.append(_burst(f"客户端 {i + 2} 第 {r + 1} 次突发", sock, rng.randbytes(BURST), server))
                if r == 0:
                    why = _edge_triggered(server, CLIENTS)
                    if why:
                        raise AssertionError(why)
    except AssertionError as exc:
        failure = exc
    except OSError as exc:  # a client's connect/send failed: the server closed or never accepted
        failure = AssertionError(f"客户端的连接出错：{exc.__class__.__name__}: {exc}。服务器关闭了连接，或者没有 accept？")
    finally:
        for sock in socks:
            sock.close()
        stopped = server.close()
    if isinstance(server.error, NotImplementedError):
        raise server.error
    if failure is not None:
        if server.error is not None:
            raise AssertionError(f"{failure}（服务器线程还抛出了 {server.error.__class__.__name__}: {server.error}）")
        raise failure
    if server.error is not None:
        raise AssertionError(f"服务器线程抛出了 {server.error.__class__.__name__}: {server.error}")
    if not stopped:
        raise AssertionError("stop 设置之后 2 秒，serve 还没有返回：循环里要检查 stop.is_set()，epoll.poll 要带超时（例如 0.1 秒）")
    return (f"短消息原样返回；{CLIENTS} 个客户端各发 {ROUNDS} 次 {BURST // 2**20} MiB 的突发，逐字节收回"
            f"（每次 {min(took) * 1000:.0f}–{max(took) * 1000:.0f} ms），连接都登记为边缘触发")
