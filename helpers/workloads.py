"""Workloads that worker processes can import (a notebook's own functions may not pickle).

Each returns the ``perf_counter`` interval it ran in, so a :class:`helpers.timing.Timeline`
can draw processes, threads and greenlets alike (``perf_counter`` is the system-wide
monotonic clock on Linux, comparable across processes).

Used in: 01.
"""
from __future__ import annotations

import os
import threading
import time

__all__ = ["calibrate", "cpu_task", "spin"]


def spin(n: int) -> int:
    """Pure-Python CPU work: sum of i*i for i < n (holds the GIL the whole time)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    total = 0
    for i in range(n):
        total += i * i
    return total


def cpu_task(n: int) -> tuple[float, float, int, str]:
    """Run :func:`spin` (n); return ``(start, end, pid, thread name)``."""
    start = time.perf_counter()
    spin(n)
    return start, time.perf_counter(), os.getpid(), threading.current_thread().name


def calibrate(seconds: float = 0.2) -> int:
    """The *n* for which ``spin(n)`` takes about *seconds* of CPU time on this machine (best of 3 probes).

    Timed with ``time.process_time()``: on a busy machine the wall clock also counts the time other
    programs held the CPU, which would make the pieces of work come out too short.
    """
    if seconds <= 0:
        raise ValueError("seconds must be > 0")
    probe = 200_000
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        spin(probe)
        best = min(best, time.process_time() - start)
    return max(1, int(probe * seconds / max(best, 1e-6)))
