"""Checkers of chapter 07's exercises: cut frames, flush a write buffer, a selectors echo server.

- :func:`check_split_frames` — ``split_frames(data) -> (frames, rest)`` on whole, empty and cut frames;
- :func:`check_flush` — ``flush(sock, buf) -> bool`` on a socket pair whose buffers fill up;
- :func:`check_echo_server` — ``serve(listener, stop)``: the learner's framed echo server runs in a
  thread on a listener of :func:`helpers.servers.base.listen` and meets three kinds of client:
  one that sends frames cut into odd pieces, a swarm (:func:`helpers.framed_load.run_framed_load`),
  and a **slow reader** A (an 8 KiB receive window, reads nothing for a while) that is sent
  8 MiB of echoes, so the server's ``send`` can only send part of them, while client B asks for
  one small echo.  Every reply is compared byte for byte.

Each returns one line saying what was measured, or raises :class:`AssertionError` naming the
input or client, what was expected and what came back.  ``NotImplementedError`` from the
learner's stub passes through (the check shows ⏳).

Used in: 07.
"""
from __future__ import annotations

import random
import socket
import threading
import time
from typing import Callable

from helpers.framed_load import PIECES, run_framed_load
from helpers.framing import encode
from helpers.servers.base import STOP_WITHIN, listen

__all__ = ["check_echo_server", "check_flush", "check_split_frames", "show_bytes"]


def show_bytes(data: bytes, limit: int = 16) -> str:
    """``data`` as a short repr: the first *limit* bytes, then how many more."""
    data = bytes(data)
    if len(data) <= limit:
        return repr(data)
    return f"{data[:limit]!r}…（共 {len(data):,} 字节）"


# exercise 1 ---------------------------------------------------------------------------------------
def check_split_frames(split_frames: Callable[[bytes], tuple[list[bytes], bytes]]) -> str:
    """Exercise 1: *split_frames* cuts every complete frame off the front and keeps the rest."""
    cut = encode(b"hello")[:6]
    cases = [
        (b"", ([], b""), "空输入：没有帧，也没有剩余"),
        (encode(b"ab") + encode(b""), ([b"ab", b""], b""), "两个完整的帧（包括一个空帧）都要切出来"),
        (encode(b"x") + cut, ([b"x"], cut), "不完整的帧要原样留在 rest 里，等下一次 recv 补齐"),
        (b"\x00\x00", ([], b"\x00\x00"), "连 4 字节的长度都没收齐时，也是留在 rest 里"),
        (encode(bytes(range(256)) * 3), ([bytes(range(256)) * 3], b""), "长度大于 255 时要按 4 字节大端整数读"),
    ]
    for data, expected, why in cases:
        got = split_frames(data)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise AssertionError(f"split_frames({show_bytes(data)}) 应当返回 (frames, rest) 两项，实际返回 {got!r:.80}")
        frames, rest = [bytes(f) for f in got[0]], bytes(got[1])
        if (frames, rest) != expected:
            raise AssertionError(f"split_frames({show_bytes(data)})：期望 frames={[show_bytes(f) for f in expected[0]]}, "
                                 f"rest={show_bytes(expected[1])}；实际 frames={[show_bytes(f) for f in frames]}, "
                                 f"rest={show_bytes(rest)}。{why}")
    return f"{len(cases)} 种输入（空、空帧、半个帧、半个长度、长帧）都切对了"


# exercise 2 ---------------------------------------------------------------------------------------
def check_flush(flush: Callable[[socket.socket, bytearray], bool]) -> str:
    """Exercise 2: *flush* sends what the kernel takes, deletes exactly that from *buf*, never raises EAGAIN."""
    a, b = socket.socketpair()
    with a, b:
        a.setblocking(False)
        small = bytearray(b"hi")
        done = flush(a, small)
        if done is not True or small:
            raise AssertionError(f"flush(sock, bytearray(b'hi'))：期望返回 True 并清空缓冲区；实际返回 {done!r}，"
                                 f"缓冲区还剩 {show_bytes(small)}")
        b.settimeout(1)
        got = b.recv(10)
        if got != b"hi":
            raise AssertionError(f"flush 之后对方应当收到 b'hi'，实际收到 {show_bytes(got)}")
        payload = random.Random(7).randbytes(10 * 2**20)   # 10 MiB: more than the kernel buffers
        buf = bytearray(payload)
        done = flush(a, buf)
        if done is not False or not 0 < len(buf) < len(payload):
            raise AssertionError(f"10 MiB 的缓冲区（对方不读）：期望返回 False，并且只删掉已发出的部分；实际返回 {done!r}，"
                                 f"缓冲区还剩 {len(buf):,} 字节")
        first_take = len(payload) - len(buf)
        received = bytearray()
        deadline = time.monotonic() + 10
        while (buf or len(received) < len(payload)) and time.monotonic() < deadline:
            chunk = b.recv(1 << 20)
            if not chunk:
                break
            received += chunk
            flush(a, buf)
        if received != payload:
            at = next((i for i, (x, y) in enumerate(zip(received, payload)) if x != y), min(len(received), len(payload)))
            raise AssertionError(f"多次 flush 之后对方收到 {len(received):,} 字节，应为 {len(payload):,}；第一个不同的字节在偏移 "
                                 f"{at:,}：期望 {show_bytes(payload[at:at + 8])}，收到 {show_bytes(bytes(received[at:at + 8]))}"
                                 "（删掉的必须正好是 send 返回的字节数）")
    return f"内核第一次收下 {first_take:,} 字节后返回 False；之后的 flush 把 10 MiB 逐字节送到"


# exercise 3 ---------------------------------------------------------------------------------------
SLOW_WINDOW = 8192          # client A's receive buffer: the server's sends to A must be partial
BIG_FRAMES = 8              # frames A sends ...
BIG_SIZE = 2**20            # ... of 1 MiB each: more than the server's socket buffer can hold (4 MiB max on Linux)
IDLE = 1.5                  # seconds without a byte: the server has nothing more to send
B_WAIT = 2.0                # seconds client B waits for its echo


class _ServerThread:
    """The learner's ``serve(listener, stop)`` in a daemon thread; what it raised is kept."""

    def __init__(self, serve: Callable[[socket.socket, threading.Event], object]):
        self.listener = listen()
        self.address = self.listener.getsockname()[:2]
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(serve,), daemon=True, name="learner-serve")

    def _run(self, serve) -> None:
        try:
            serve(self.listener, self.stop)
        except BaseException as exc:  # reported by the checker, never printed by the thread
            self.error = exc

    def alive(self) -> bool:
        return self.thread.is_alive()

    def close(self) -> bool:
        """Set stop, wait for the loop to return; True when it did within STOP_WITHIN."""
        self.stop.set()
        self.thread.join(STOP_WITHIN)
        self.listener.close()
        return not self.thread.is_alive()


def _first_difference(expected: bytes, got: bytes) -> int:
    n = min(len(expected), len(got))
    step = 65536
    for start in range(0, n, step):
        if expected[start:start + step] != got[start:start + step]:
            return next(i for i in range(start, min(start + step, n)) if expected[i] != got[i])
    return n


def _compare(who: str, sent: str, frames: list[bytes], got: bytes, why: str) -> None:
    """Raise naming *who*, the frame and the bytes where *got* first differs from the echo of *frames*."""
    expected = b"".join(encode(f) for f in frames)
    if got == expected:
        return
    at = _first_difference(expected, got)
    offset, index = 0, 0
    for index, frame in enumerate(frames):
        if at < offset + 4 + len(frame):
            break
        offset += 4 + len(frame)
    where = f"第一个不同的字节在偏移 {at:,}（第 {index + 1} 帧，帧内偏移 {at - offset:,}）"
    if at >= len(got):
        came = f"只收到 {len(got):,} 字节，之后 {IDLE:g} 秒没有新数据或连接被关闭；{where}，期望 {show_bytes(expected[at:at + 8])}"
    else:
        came = f"收到 {len(got):,} 字节；{where}：期望 {show_bytes(expected[at:at + 8])}，收到 {show_bytes(got[at:at + 8])}"
    raise AssertionError(f"{who}：{sent}，期望原样收回 {len(expected):,} 字节；{came}。{why}")


def _read(sock: socket.socket, n: int, server: _ServerThread, overall: float) -> bytes:
    """Up to *n* bytes from *sock*; stops at EOF, after IDLE seconds without data, or when the server died."""
    got = bytearray()
    sock.settimeout(0.1)
    deadline, last = time.monotonic() + overall, time.monotonic()
    while len(got) < n and time.monotonic() < deadline and time.monotonic() - last < IDLE:
        try:
            chunk = sock.recv(min(1 << 20, n - len(got)))
        except socket.timeout:
            if not server.alive():
                break
            continue
        except OSError:
            break
        if not chunk:
            break
        got += chunk
        last = time.monotonic()
    return bytes(got)


def _connect(address, rcvbuf: int | None = None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before connect: it sets the TCP window
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.settimeout(5)
    sock.connect(address)
    return sock


def _pieces_client(server: _ServerThread) -> int:
    """Client 1: four frames (one empty) cut into odd pieces, one send each."""
    frames = [b"hello", b"", bytes(range(256)), "分帧之后，边界不再丢失".encode() * 50]
    wire = b"".join(encode(f) for f in frames)
    with _connect(server.address) as sock:
        pos, i = 0, 0
        while pos < len(wire):
            n = PIECES[i % len(PIECES)]
            sock.sendall(wire[pos:pos + n])
            pos, i = pos + n, i + 1
            time.sleep(0.001)
        got = _read(sock, len(wire), server, 5)
    _compare("客户端 1", f"发出 {len(frames)} 帧（其中一个空帧），切成 {i} 段分别 send", frames, got,
             "每个连接要有自己的 FrameDecoder：一次 recv 可能只有半帧，也可能有好几帧")
    return len(frames)


def _swarm(server: _ServerThread, clients: int = 40, messages: int = 4) -> int:
    """Many framed clients at once (helpers.framed_load), every byte checked by SHA-256."""
    try:
        result = run_framed_load(server.address, clients=clients, messages=messages, size=4096, seed=7, timeout=10)
    except TimeoutError as exc:
        raise AssertionError(f"{clients} 个并发客户端（每个 {messages} 帧，约 4 KiB 一帧）：{exc}。"
                             "服务器要同时服务所有连接：一个线程里不能有阻塞的调用") from None
    except OSError as exc:
        raise AssertionError(f"{clients} 个并发客户端（每个 {messages} 帧，约 4 KiB 一帧）：有客户端的连接被服务器断开"
                             f"（{exc.__class__.__name__}）。每个连接要有自己的 FrameDecoder 和写缓冲区") from None
    if not result.ok:
        bad = sorted(set(result.mismatched) | set(result.failed))
        names = "、".join(f"#{i}" for i in bad[:8]) + ("…" if len(bad) > 8 else "")
        raise AssertionError(f"{clients} 个并发客户端：客户端 {names} 收回的内容与发出的不一致或连接被断开"
                             f"（共发出 {result.payload_bytes:,} 字节内容，收回 {result.echoed_bytes:,}）。"
                             "每个连接要有自己的解码器和写缓冲区")
    return clients * messages


def _slow_reader(server: _ServerThread) -> tuple[float, int]:
    """Client A sends 8 MiB and reads nothing for a while; client B wants one echo meanwhile."""
    rng = random.Random(7)
    frames = [rng.randbytes(BIG_SIZE) for _ in range(BIG_FRAMES)]
    wire = b"".join(encode(f) for f in frames)
    a = _connect(server.address, rcvbuf=SLOW_WINDOW)
    progress = [0]
    sender = threading.Thread(target=_send_quietly, args=(a, wire, progress), daemon=True, name="client-A-send")
    try:
        sender.start()
        _wait_until_sent_or_stalled(sender, progress)
        with _connect(server.address) as b:
            t0 = time.monotonic()
            b.sendall(encode(b"B: ping"))
            echo_b = _read(b, len(encode(b"B: ping")), server, B_WAIT)
            waited = time.monotonic() - t0
        if echo_b != encode(b"B: ping"):
            raise AssertionError(f"客户端 B：A 不读回复的时候，B 发出一帧 b'B: ping'（{len(encode(b'B: ping'))} 字节），"
                                 f"{waited:.1f} 秒里只收回 {show_bytes(echo_b)}。服务器卡在给 A 的 send 里了吗？"
                                 "连接要设成非阻塞（accept 得到的 socket 在 Linux 上是阻塞的），不能用 sendall")
        got = _read(a, len(wire), server, 20)
    finally:
        try:
            a.shutdown(socket.SHUT_RDWR)  # wakes the sender if it is still blocked
        except OSError:
            pass
        a.close()
        sender.join(STOP_WITHIN)
    _compare("慢客户端 A", f"发出 {BIG_FRAMES} 帧 × {BIG_SIZE // 2**20} MiB，接收窗口 {SLOW_WINDOW // 1024} KiB、"
             "先不读回复", frames, got,
             "A 读得慢，send 只能发出一部分：剩下的要留在这个连接的写缓冲区里，登记 EVENT_WRITE，可写时接着发")
    return waited, len(got)


def _send_quietly(sock: socket.socket, data: bytes, progress: list[int]) -> None:
    """Send *data*, counting the bytes the kernel took in ``progress[0]``."""
    view = memoryview(data)
    try:
        while progress[0] < len(data):
            progress[0] += sock.send(view[progress[0]:progress[0] + 65536])
    except OSError:
        pass  # the checker closed A (the server never read it all): reported by the comparison


def _wait_until_sent_or_stalled(sender: threading.Thread, progress: list[int], stall: float = 0.3) -> None:
    """Until A has sent everything, or the server has stopped reading A (no progress for *stall* seconds)."""
    last, since, deadline = -1, time.monotonic(), time.monotonic() + 10
    while sender.is_alive() and time.monotonic() < deadline:
        if progress[0] != last:
            last, since = progress[0], time.monotonic()
        elif time.monotonic() - since > stall:
            return
        sender.join(0.02)


def check_echo_server(serve: Callable[[socket.socket, threading.Event], object]) -> str:
    """Exercise 3: run ``serve(listener, stop)`` in a thread and check it with three kinds of client."""
    server = _ServerThread(serve)
    server.thread.start()
    failure: BaseException | None = None
    try:
        server.thread.join(0.2)  # the stub raises at once
        if server.alive():
            framed = _pieces_client(server)
            swarm = _swarm(server)
            waited, slow = _slow_reader(server)
    except AssertionError as exc:
        failure = exc
    except OSError as exc:  # a client's connect/send failed: the server closed or never accepted
        failure = AssertionError(f"客户端的连接出错：{exc.__class__.__name__}: {exc}。服务器关闭了连接，或者没有 accept？")
    finally:
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
        raise AssertionError(f"stop 设置之后 {STOP_WITHIN:g} 秒，serve 还没有返回：循环里要检查 stop.is_set()，"
                             "select 要带 timeout（例如 0.1 秒）")
    return (f"分段发送的 {framed} 帧原样返回；{swarm} 帧来自 40 个并发客户端，逐字节一致；"
            f"慢客户端 A 不读时客户端 B 等了 {waited * 1000:.0f} ms，A 随后收回全部 {slow / 2**20:.1f} MiB")
