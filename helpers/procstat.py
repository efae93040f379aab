"""What a thread is doing and how much CPU a process burns, read from ``/proc`` and ``psutil``.

- :func:`thread_state` — the scheduler's state letter of a thread of this process (``R``
  running, ``S`` interruptible sleep …) and the CPU seconds it has used, from
  ``/proc/self/task/<tid>/stat`` (fields 3, 14 and 15 of proc(5)).
- :func:`cpu_share` — the share of one CPU (user + system time) a process used over a short
  window: a busy-polling server shows about 1.0, a server asleep in ``select`` about 0.

Used in: 05.
"""
from __future__ import annotations

import os
import time

import psutil

__all__ = ["cpu_share", "thread_state"]


def thread_state(native_id: int) -> tuple[str, float]:
    """State letter and CPU seconds (user + system) of the thread *native_id* of this process."""
    with open(f"/proc/self/task/{native_id}/stat") as f:
        # the command name (field 2) may contain spaces and ')': split after the last ')'
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")            # /proc counts CPU time in clock ticks
    return fields[0], (int(fields[11]) + int(fields[12])) / ticks


def cpu_share(pid: int, seconds: float = 0.3, settle: float = 0.1) -> float:
    """Share of one CPU that process *pid* used over *seconds* (after *settle* s of start-up)."""
    proc = psutil.Process(pid)
    time.sleep(settle)
    t = proc.cpu_times()
    c0, t0 = t.user + t.system, time.perf_counter()
    time.sleep(seconds)
    t = proc.cpu_times()
    return (t.user + t.system - c0) / (time.perf_counter() - t0)
