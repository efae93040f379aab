"""A thread-safe, bounded log that background servers write and the notebook shows later.

Output printed from a background thread lands in the wrong Jupyter cell or vanishes,
so the course's servers never print: they append to a :class:`Log`, and the cell that
ran the demo calls :meth:`Log.show` afterwards.

Used in: every chapter that starts a server (``srv.log.show()``): 01, 03, 04, 05, 06, 07, 08.
"""
from __future__ import annotations

import threading
import time
from collections import deque

__all__ = ["Log"]


class Log:
    """Bounded list of ``(perf_counter time, message)`` pairs; safe to append from any thread."""

    def __init__(self, maxlen: int = 2000):
        if maxlen < 1:
            raise ValueError("maxlen must be at least 1")
        self._items: deque[tuple[float, str]] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self.dropped = 0

    def add(self, message: str) -> None:
        """Append *message* stamped with ``time.perf_counter()``."""
        with self._lock:
            if len(self._items) == self._items.maxlen:
                self.dropped += 1
            self._items.append((time.perf_counter(), str(message)))

    @property
    def lines(self) -> list[str]:
        """The messages, oldest first."""
        with self._lock:
            return [m for _, m in self._items]

    @property
    def entries(self) -> list[tuple[float, str]]:
        """``(time, message)`` pairs, oldest first."""
        with self._lock:
            return list(self._items)

    def show(self, last: int | None = None) -> None:
        """Print the messages (the *last* N only, if given)."""
        lines = self.lines
        if last is not None:
            lines = lines[-last:]
        if self.dropped:
            print(f"（较早的 {self.dropped} 条日志已丢弃）")
        for line in lines:
            print(line)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
