"""Shared life cycle of the in-process servers: a listening socket on 127.0.0.1:0 and a thread."""
from __future__ import annotations

import socket
import threading

from helpers.logs import Log

HOST = "127.0.0.1"
STOP_WITHIN = 2.0  # seconds: the promise every server keeps


class BackgroundServer:
    """Base class: binds ``127.0.0.1:0``, runs :meth:`serve` in a daemon thread, stops on exit.

    Subclasses implement :meth:`serve` (loop until ``self._stop`` is set) and may
    override :meth:`_wake` to interrupt a blocking wait.
    """

    name = "server"

    def __init__(self, backlog: int = 1024):
        self.log = Log()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOST, 0))
        self.listener.listen(backlog)
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
