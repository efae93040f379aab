"""Chapter 07's robust ``selectors`` echo server: framed protocol, write buffers, EVENT_WRITE.

The seed's selectors server (``conn.recv(1024)`` then ``conn.send(data.upper())``) works for one
person typing; it breaks under load because ``send`` may send only part of the data and because
TCP does not keep message boundaries.  This server is what it becomes when both are handled:

- **framing** — each message is a frame of :mod:`helpers.framing`: a 4-byte big-endian unsigned
  length, then that many payload bytes.  The server decodes frames from whatever ``recv``
  returns (split or merged) and answers each frame with one frame: ``transform(payload)``
  (identity by default, so the echo is byte-for-byte checkable);
- **per-connection write buffer** — replies are appended to ``conn.out``; the server sends
  what the kernel accepts, keeps the rest, and asks for ``EVENT_WRITE`` until the buffer is
  empty (then drops it again, or it would wake up for ever: a socket is almost always writable);
- **back-pressure** — a client that does not read its replies stops being read once
  ``max_pending`` bytes wait for it; a frame length above ``max_frame`` closes that connection;
- **half-close** — when a client shuts down its sending side, its pending replies are still sent.

One thread, one :class:`selectors.DefaultSelector` (epoll on Linux), callbacks stored as
``key.data`` as in the seed.  Two ways to run it:

- in a notebook (background thread): ``with SelectorsEchoServer() as srv:`` → ``srv.address``;
  counters ``accepted, frames, bytes_in, bytes_out, partial_sends, write_waits, max_open, errors``;
- as a program: ``python -m helpers.servers.selectors_echo --port 0 [--selector poll]`` prints ``127.0.0.1:PORT`` (so
  :func:`helpers.servers.program_server` finds it), serves until SIGINT/SIGTERM, then prints one
  summary line ``served: accepted=… frames=… bytes_in=… bytes_out=… max_open=… errors=…``.

Used in: 07, 09.
"""
from __future__ import annotations

import selectors
import signal
import socket
import sys
from typing import Callable

from helpers.fdlimit import raise_to_hard
from helpers.framing import MAX_FRAME, FrameDecoder, FrameError, encode
from helpers.servers.base import SelectorServer

__all__ = ["MAX_PENDING", "RECV_SIZE", "Connection", "main", "SelectorsEchoServer"]

RECV_SIZE = 64 * 1024
MAX_PENDING = 4 * 1024 * 1024  # per connection: stop reading a client that does not read its replies


class Connection:
    """State of one client: its socket, frame decoder, write buffer and current interest mask."""

    __slots__ = ("sock", "peer", "decoder", "out", "closing", "events", "frames")

    def __init__(self, sock: socket.socket, peer: str, max_frame: int):
        self.sock = sock
        self.peer = peer
        self.decoder = FrameDecoder(max_frame)
        self.out = bytearray()
        self.closing = False
        self.events = selectors.EVENT_READ
        self.frames = 0


class SelectorsEchoServer(SelectorServer):
    """Framed echo server on one selector (see the module docstring)."""

    name = "selectors-echo"

    def __init__(self, *, port: int = 0, transform: Callable[[bytes], bytes] | None = None, backlog: int = 4096,
                 max_frame: int = MAX_FRAME, max_pending: int = MAX_PENDING, log_events: bool = False,
                 selector: type[selectors.BaseSelector] | None = None):
        super().__init__(backlog, port)
        if selector is not None:  # e.g. selectors.PollSelector, to compare with epoll (chapter 09)
            self._sel.close()
            self._sel = selector()
        self.transform = transform
        self.max_frame = max_frame
        self.max_pending = max_pending
        self.log_events = log_events
        self.accepted = self.frames = self.bytes_in = self.bytes_out = 0
        self.partial_sends = self.write_waits = self.errors = self.max_open = 0
        self._conns: set[Connection] = set()

    @property
    def open_connections(self) -> int:
        """Client connections open right now."""
        return len(self._conns)

    def stats(self) -> dict[str, int]:
        """The counters as a dict."""
        return {k: getattr(self, k) for k in ("accepted", "frames", "bytes_in", "bytes_out", "partial_sends",
                                               "write_waits", "max_open", "errors")}

    def summary(self) -> str:
        """One line: ``served: accepted=… frames=… …``."""
        return "served: " + " ".join(f"{k}={v}" for k, v in self.stats().items())

    def request_stop(self) -> None:
        """Ask the loop to finish (safe from a signal handler); :meth:`serve` returns soon after."""
        self._stop.set()
        self._wake()

    # the event loop is SelectorServer.serve: these are its hooks ------------------------------
    def _started(self) -> str:
        return f"服务器已启动 {self.address[0]}:{self.address[1]}（{self.selector_name}）"

    def _stopped(self) -> str:
        return f"服务器已停止：{self.summary()}"

    def _close_all(self) -> None:
        for conn in list(self._conns):
            self._close(conn, quiet=True)

    def _accept(self, key, mask) -> None:
        for _ in range(256):  # drain the backlog, but let established clients have a turn
            try:
                sock, addr = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # EMFILE and friends: keep serving those we have
                self.errors += 1
                self.log.add(f"accept 失败: {exc}")
                return
            sock.setblocking(False)
            conn = Connection(sock, f"{addr[0]}:{addr[1]}", self.max_frame)
            self._conns.add(conn)
            self._sel.register(sock, selectors.EVENT_READ, self._callback_for(conn))
            self.accepted += 1
            self.max_open = max(self.max_open, len(self._conns))
            if self.log_events:
                self.log.add(f"客户端 {conn.peer} 已连接")

    def _callback_for(self, conn: Connection) -> Callable:
        """The callback stored as this connection's ``key.data``."""
        def on_client(key, mask):
            self._on_event(conn, mask)
        return on_client

    def _on_event(self, conn: Connection, mask: int) -> None:
        if mask & selectors.EVENT_READ and not conn.closing:
            if not self._read(conn):
                return
        if conn.out and not self._write(conn):
            return
        if conn.closing and not conn.out:
            self._close(conn)
            return
        self._update_interest(conn)

    def _read(self, conn: Connection) -> bool:
        try:
            data = conn.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError as exc:  # reset by peer, etc.
            return self._fail(conn, exc.__class__.__name__)
        if not data:
            conn.closing = True  # half-closed: send what is pending, then close
            return True
        self.bytes_in += len(data)
        try:
            payloads = conn.decoder.feed(data)
        except FrameError as exc:
            return self._fail(conn, str(exc))
        for payload in payloads:
            conn.out += encode(self.transform(payload) if self.transform else payload, max_frame=self.max_frame)
        conn.frames += len(payloads)
        self.frames += len(payloads)
        if self.log_events:
            self.log.add(f"从 {conn.peer} 收到 {len(data)} 字节，完成 {len(payloads)} 帧")
        return True

    def _write(self, conn: Connection) -> bool:
        try:
            sent = conn.sock.send(conn.out)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            return self._fail(conn, exc.__class__.__name__)
        if sent < len(conn.out):
            self.partial_sends += 1
        del conn.out[:sent]
        self.bytes_out += sent
        return True

    def _update_interest(self, conn: Connection) -> None:
        wanted = 0
        if not conn.closing and len(conn.out) < self.max_pending:
            wanted |= selectors.EVENT_READ
        if conn.out:
            wanted |= selectors.EVENT_WRITE
        if wanted != conn.events:
            if wanted & selectors.EVENT_WRITE and not conn.events & selectors.EVENT_WRITE:
                self.write_waits += 1
            conn.events = wanted
            self._sel.modify(conn.sock, wanted, self._sel.get_key(conn.sock).data)

    def _fail(self, conn: Connection, why: str) -> bool:
        self.errors += 1
        self.log.add(f"客户端 {conn.peer} 出错: {why}")
        self._close(conn, quiet=True)
        return False

    def _close(self, conn: Connection, quiet: bool = False) -> None:
        self._conns.discard(conn)
        self._forget(conn.sock)
        if not quiet and self.log_events:
            self.log.add(f"客户端 {conn.peer} 已断开（{conn.frames} 帧）")


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.servers.selectors_echo [--port 0]``: serve in the foreground until SIGINT/SIGTERM."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m helpers.servers.selectors_echo", description="framed selectors echo server")
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: the OS picks; printed)")
    p.add_argument("--upper", action="store_true", help="reply with the payload upper-cased (the seed's echo)")
    p.add_argument("--selector", choices=["default", "poll", "epoll", "select"], default="default",
                   help="the selectors class (default: DefaultSelector, epoll on Linux)")
    args = p.parse_args(argv)

    raise_to_hard()  # as many descriptors as the hard limit allows (the C10K lab needs 10,000+)
    chosen = {"default": None, "poll": selectors.PollSelector, "epoll": getattr(selectors, "EpollSelector", None),
              "select": selectors.SelectSelector}[args.selector]
    srv = SelectorsEchoServer(port=args.port, transform=bytes.upper if args.upper else None, selector=chosen)

    def on_signal(signum, frame):  # only set a flag: raising here could interrupt the loop mid-update
        srv.request_stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"{srv.address[0]}:{srv.address[1]}", flush=True)
    try:
        srv.serve()
    finally:
        srv.listener.close()
        print(srv.summary(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
