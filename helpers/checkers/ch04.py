"""Checkers of chapter 04's exercises: a gevent server with length-prefix framing, a batch with a deadline.

- :func:`check_framed_server` — ``handle(conn, addr)``: the learner's connection handler is put into a
  complete gevent program (``monkey.patch_all()`` first, ``StreamServer`` on 127.0.0.1) that runs in a
  subprocess (:func:`helpers.servers.program_server`: patching inside the Jupyter kernel hangs it).  Three
  kinds of client: one that cuts frames into odd pieces, one that sends half a frame and expects **no**
  reply until the frame is complete, and a swarm (:func:`helpers.framed_load.run_framed_load`).  Every
  reply is compared byte for byte.
- :func:`check_deadline` — ``with_deadline(tasks, deadline)`` in the kernel (gevent without patches).

Each returns one line saying what was measured, or raises :class:`AssertionError` naming the input or
client, what was expected and what came back.  ``NotImplementedError`` from the learner's stub passes
through (the check shows ⏳).

Used in: 04.
"""
from __future__ import annotations

import inspect
import socket
import textwrap
import time
from typing import Callable

from helpers.checkers.ch07 import show_bytes
from helpers.framed_load import PIECES, run_framed_load
from helpers.framing import encode
from helpers.servers import program_server

__all__ = ["PROGRAM", "check_deadline", "check_framed_server"]

PROGRAM = '''from gevent import monkey

monkey.patch_all()  # the first thing the program does

import socket
import struct

from gevent.server import StreamServer

{handler}

if __name__ == "__main__":
    server = StreamServer(("127.0.0.1", 0), handle)
    server.start()
    print(f"服务器已启动 127.0.0.1:{{server.server_port}}", flush=True)
    server.serve_forever()
'''
QUIET = 0.3   # seconds the half-frame client waits: no reply may come before the frame is complete


def _read(sock: socket.socket, n: int, within: float) -> bytes:
    got = bytearray()
    sock.settimeout(0.1)
    deadline = time.monotonic() + within
    while len(got) < n and time.monotonic() < deadline:
        try:
            chunk = sock.recv(n - len(got))
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    return bytes(got)


def _pieces_client(address) -> int:
    frames = [b"hello", b"", bytes(range(256)) * 4, "分帧之后，边界不再丢失".encode() * 200]
    wire = b"".join(encode(f) for f in frames)
    with socket.create_connection(address, timeout=5) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pos, i = 0, 0
        try:
            while pos < len(wire):
                n = PIECES[i % len(PIECES)]
                sock.sendall(wire[pos:pos + n])
                pos, i = pos + n, i + 1
                time.sleep(0.001)
        except OSError:  # the server closed the connection: what came back tells why
            pass
        got = _read(sock, len(wire), 5)
    if got != wire:
        at = next((k for k, (x, y) in enumerate(zip(wire, got)) if x != y), min(len(wire), len(got)))
        raise AssertionError(f"客户端 1：发出 {len(frames)} 帧（其中一个空帧），切成 {i} 段分别 send，期望原样收回 "
                             f"{len(wire):,} 字节；实际收回 {len(got):,} 字节，第一个不同在偏移 {at:,}：期望 "
                             f"{show_bytes(wire[at:at + 8])}，收到 {show_bytes(got[at:at + 8])}。"
                             "recv(n) 可能只返回不到 n 个字节：长度和内容都要循环读满")
    return len(frames)


def _half_frame_client(address) -> None:
    payload = b"half a frame, then the rest"
    wire = encode(payload)
    with socket.create_connection(address, timeout=5) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(wire[:10])
        early = _read(sock, len(wire), QUIET)
        if early:
            raise AssertionError(f"客户端 2：只发出一帧的前 10 字节（共 {len(wire)} 字节），{QUIET:g} 秒里就收到了回复 "
                                 f"{show_bytes(early)}。服务器要等整帧收齐再回复：先读 4 字节长度，再读满这么多字节的内容")
        sock.sendall(wire[10:])
        got = _read(sock, len(wire), 5)
    if got != wire:
        raise AssertionError(f"客户端 2：分两次发出一帧（{len(wire)} 字节），期望收回 {show_bytes(wire)}，实际 {show_bytes(got)}")


def check_framed_server(handle: Callable[[socket.socket, tuple], object]) -> str:
    """Exercise 1: the learner's *handle* in a gevent StreamServer program, checked by three kinds of client."""
    source = textwrap.dedent(inspect.getsource(handle))
    failure = None
    with program_server(PROGRAM.format(handler=source)) as srv:
        try:
            framed = _pieces_client(srv.address)
            _half_frame_client(srv.address)
            try:
                result = run_framed_load(srv.address, clients=40, messages=4, size=4096, seed=7, timeout=10)
            except (TimeoutError, OSError) as exc:
                raise AssertionError(f"40 个并发客户端（每个 4 帧，约 4 KiB 一帧）：{exc.__class__.__name__}: {exc}") from None
            if not result.ok:
                bad = sorted(set(result.mismatched) | set(result.failed))
                raise AssertionError(f"40 个并发客户端：客户端 {'、'.join(f'#{i}' for i in bad[:8])} 收回的内容与发出的不一致"
                                     "或连接被断开")
        except (AssertionError, OSError) as exc:
            failure = exc
        time.sleep(0.05)
        errors = srv.error_output
    if "NotImplementedError" in errors:
        raise NotImplementedError()
    if failure is not None:
        tail = errors.strip().splitlines()[-1:] if errors.strip() else []
        raise AssertionError(f"{failure}" + (f"（服务器进程的 stderr 最后一行：{tail[0]}）" if tail else ""))
    return (f"子进程里的 gevent 服务器：分段发送的 {framed} 帧原样返回；半帧时没有提前回复；"
            f"40 个并发客户端的 {result.clients * result.messages} 帧逐字节一致，用时 {result.elapsed:.2f} 秒")


def check_deadline(with_deadline: Callable[[dict, float], dict]) -> str:
    """Exercise 2: tasks that finish in time give their result, the others "timeout"; the call ends near the deadline."""
    start = time.perf_counter()
    result = with_deadline({"fast": 0.05, "slow": 10, "ok": 0.1}, deadline=0.3)
    took = time.perf_counter() - start
    expected = {"fast": "FAST", "slow": "timeout", "ok": "OK"}
    if result != expected:
        raise AssertionError(f"with_deadline({{'fast': 0.05, 'slow': 10, 'ok': 0.1}}, deadline=0.3)：期望 {expected}，实际 {result}")
    if took >= 0.5:
        raise AssertionError(f"用了 {took:.2f} 秒：期限是 0.3 秒，慢任务不能拖住整个函数（gevent.Timeout 或 joinall(timeout=…)）")
    return f"两个任务按时完成，慢任务记为 timeout，整个调用用了 {took:.2f} 秒（期限 0.3 秒）"
