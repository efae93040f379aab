"""The seed's upper-case echo server, made robust: one thread, a selector, per-connection buffers.

Every byte a client sends comes back transformed by ``bytes.upper`` (byte for byte, so
chunk boundaries do not matter).  Partial sends are buffered and finished on EVENT_WRITE;
a client that sends nothing, sends garbage, resets, or half-closes affects only itself.

Used in: 03 (through helpers.servers).
"""
from __future__ import annotations

import selectors
import socket
from typing import Callable

from helpers.servers.base import SelectorServer

__all__ = ["MAX_PENDING", "RECV_SIZE", "echo_server", "EchoServer"]

MAX_PENDING = 8 * 1024 * 1024  # stop reading from a client that does not read its replies
RECV_SIZE = 64 * 1024


class _Conn:
    __slots__ = ("sock", "peer", "out", "closing", "events")

    def __init__(self, sock: socket.socket, peer: str):
        self.sock = sock
        self.peer = peer
        self.out = bytearray()
        self.closing = False
        self.events = selectors.EVENT_READ


class EchoServer(SelectorServer):
    """Echo server: replies ``transform(data)`` to whatever a client sends.

    Attributes after (or during) a run: ``accepted`` (connections), ``bytes_in``,
    ``bytes_out``, ``errors`` (connections that ended with an error), and ``log``.
    """

    name = "echo-server"

    def __init__(self, transform: Callable[[bytes], bytes] = bytes.upper, backlog: int = 4096, log_data: bool = True):
        super().__init__(backlog)
        self.transform = transform
        self.log_data = log_data
        self.accepted = 0
        self.bytes_in = 0
        self.bytes_out = 0
        self.errors = 0
        self._conns: dict[int, _Conn] = {}

    @property
    def open_connections(self) -> int:
        """How many client connections are open right now."""
        return len(self._conns)

    def _close_all(self) -> None:
        for conn in list(self._conns.values()):
            self._close(conn, quiet=True)

    def _stopped(self) -> str:
        return f"服务器已停止：{self.accepted} 个连接，收 {self.bytes_in} 字节，发 {self.bytes_out} 字节"

    def _accept(self, key=None, mask=None) -> None:
        for _ in range(256):  # drain the backlog, but let others have a turn
            try:
                sock, addr = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. EMFILE: keep serving those we have
                self.log.add(f"accept 失败: {exc}")
                return
            sock.setblocking(False)
            conn = _Conn(sock, f"{addr[0]}:{addr[1]}")
            self._conns[sock.fileno()] = conn
            self._sel.register(sock, selectors.EVENT_READ, lambda key, mask, conn=conn: self._service(conn, mask))
            self.accepted += 1
            if self.log_data:
                self.log.add(f"客户端 {conn.peer} 已连接")

    def _service(self, conn: _Conn, mask: int) -> None:
        if mask & selectors.EVENT_READ and not conn.closing:
            try:
                data = conn.sock.recv(RECV_SIZE)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError as exc:  # reset by peer, etc.
                self.errors += 1
                self.log.add(f"客户端 {conn.peer} 出错: {exc.__class__.__name__}")
                self._close(conn, quiet=True)
                return
            if data == b"":
                conn.closing = True  # peer half-closed: finish sending, then close
            elif data:
                self.bytes_in += len(data)
                if self.log_data:
                    self.log.add(f"从 {conn.peer} 收到 {len(data)} 字节")
                conn.out += self.transform(data)
        if conn.out:
            try:
                sent = conn.sock.send(conn.out)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                self.errors += 1
                self.log.add(f"客户端 {conn.peer} 出错: {exc.__class__.__name__}")
                self._close(conn, quiet=True)
                return
            del conn.out[:sent]
            self.bytes_out += sent
        if conn.closing and not conn.out:
            self._close(conn)
            return
        wanted = 0
        if not conn.closing and len(conn.out) < MAX_PENDING:
            wanted |= selectors.EVENT_READ
        if conn.out:
            wanted |= selectors.EVENT_WRITE
        if wanted != conn.events:
            conn.events = wanted
            self._sel.modify(conn.sock, wanted, self._sel.get_key(conn.sock).data)

    def _close(self, conn: _Conn, quiet: bool = False) -> None:
        self._conns.pop(conn.sock.fileno(), None)
        self._forget(conn.sock)
        if not quiet and self.log_data:
            self.log.add(f"客户端 {conn.peer} 已断开")


def echo_server(transform: Callable[[bytes], bytes] = bytes.upper, *, log_data: bool = True) -> EchoServer:
    """An upper-case echo server on 127.0.0.1 (use it as ``with echo_server() as srv:``).

    ``srv.address`` is the ``(host, port)`` to connect to; ``srv.log.show()`` prints what
    happened.  Pass ``log_data=False`` for load tests (counters only).
    """
    return EchoServer(transform=transform, log_data=log_data)
