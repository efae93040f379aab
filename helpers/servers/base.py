"""Shared life cycle of the in-process servers: a listening socket on 127.0.0.1 and a thread.

:func:`listen` is the course's one listener factory (the background servers here, the selectors
echo server and the C10K lab's servers all call it).

Used in: no notebook directly (every server of helpers.servers builds on it; the C10K lab's servers call listen).
"""
from __future__ import annotations

import selectors
import socket
import threading

from helpers.logs import Log

__all__ = ["BACKLOG", "HOST", "STOP_WITHIN", "BackgroundServer", "listen", "SelectorServer"]

HOST = "127.0.0.1"
BACKLOG = 4096  # a deep accept queue: 10,000 clients connecting at once are not dropped
STOP_WITHIN = 2.0  # seconds: the promise every server keeps


def listen(port: int = 0, backlog: int = BACKLOG) -> socket.socket:
    """A TCP socket listening on 127.0.0.1:*port* (0: a port the OS picks)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


class BackgroundServer:
    """Base class: binds ``127.0.0.1:port`` (0: the OS picks), runs :meth:`serve` in a daemon thread, stops on exit.

    Subclasses implement :meth:`serve` (loop until ``self._stop`` is set) and may
    override :meth:`_wake` to interrupt a blocking wait.
    """

    name = "server"

    def __init__(self, backlog: int = 1024, port: int = 0):
        self.log = Log()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.listener = listen(port, backlog)
        self.address: tuple[str, int] = self.listener.getsockname()[:2]

    @property
    def port(self) -> int:
        """The port the OS chose."""
        return self.address[1]

    # life cycle ---------------------------------------------------------------------------
    def start(self) -> "BackgroundServer":
        """Start serving in a background thread; returns self."""
        if self._thread is not None:
            raise RuntimeError(f"{self.name} already started")
        self._thread = threading.Thread(target=self._run, name=f"{self.name}:{self.port}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.serve()
        except BaseException as exc:  # never print from a thread: keep it for the notebook
            self._error = exc
            self.log.add(f"服务器线程异常退出: {exc!r}")

    def serve(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _wake(self) -> None:
        """Interrupt the serving thread's wait (subclasses override)."""

    def stop(self, timeout: float = STOP_WITHIN) -> None:
        """Stop serving and close every socket; waits at most *timeout* seconds."""
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            self.listener.close()
        except OSError:
            pass

    @property
    def running(self) -> bool:
        """True while the serving thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def check(self) -> None:
        """Raise if the serving thread died with an exception (a crashed server must not go unnoticed)."""
        if self._error is not None:
            raise RuntimeError(f"{self.name} crashed: {self._error!r}") from self._error

    def __enter__(self):
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


class SelectorServer(BackgroundServer):
    """Base of the one-thread selector servers: the listener and a wake-up socket on one selector.

    :meth:`serve` is the event loop: for each ready key it calls ``key.data(key, mask)``
    (callbacks stored as data, as in the seed's selectors server); the wake-up socket, whose
    data is None, ends the loop so :meth:`stop` takes effect at once.  Subclasses implement
    :meth:`_accept` (the listener's callback) and :meth:`_close_all`, and may override
    :meth:`_started` / :meth:`_stopped` (the first and last log lines).
    """

    def __init__(self, backlog: int = 1024, port: int = 0):
        super().__init__(backlog)
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()

    @property
    def selector_name(self) -> str:
        """Which selector class DefaultSelector chose here (EpollSelector on Linux)."""
        return type(self._sel).__name__

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def serve(self) -> None:
        """Run the loop until :meth:`stop` (or an exception); then close every socket."""
        self.listener.setblocking(False)
        self._sel.register(self.listener, selectors.EVENT_READ, self._accept)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self.log.add(self._started())
        try:
            while not self._stop.is_set():
                for key, mask in self._sel.select(timeout=0.5):
                    if key.data is None:  # the wake-up socket: stop() was called
                        return
                    key.data(key, mask)
        finally:
            self._close_all()
            self._sel.close()
            self._wake_r.close()
            self._wake_w.close()
            self.log.add(self._stopped())

    def _accept(self, key, mask) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _forget(self, sock: socket.socket) -> None:
        """Unregister *sock* from the selector (if it is registered) and close it."""
        try:
            self._sel.unregister(sock)
        except (KeyError, ValueError):
            pass
        sock.close()

    def _close_all(self) -> None:
        """Close every client connection (called once the loop ends)."""

    def _started(self) -> str:
        return f"服务器已启动 {self.address[0]}:{self.address[1]}"

    def _stopped(self) -> str:
        return "服务器已停止"
