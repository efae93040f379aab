"""Prove that a chapter ends clean: no thread, socket, selector or child process left behind.

Take a :func:`snapshot` in the first cell and call :func:`leftovers` in the last one::

    before = cleanup.snapshot()
    ...
    assert not cleanup.leftovers(before)

Only resources a demo can leak are counted: Python threads, sockets and epoll selectors
(file descriptors from ``/proc/self/fd`` on Linux, via psutil elsewhere) and child processes.
Open regular files are not counted: matplotlib legitimately keeps its font files open.
"""
from __future__ import annotations

import gc
import os
import threading
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Snapshot:
    """What this process holds at one moment."""

    threads: frozenset[int]  # Thread.ident of every live Python thread
    sockets: int  # open sockets and epoll/selector descriptors
    children: frozenset[int]  # pids of live child processes


def _socket_count() -> int:
    proc_fd = "/proc/self/fd"
    if os.path.isdir(proc_fd):
        count = 0
        for fd in os.listdir(proc_fd):
            try:
                target = os.readlink(f"{proc_fd}/{fd}")
            except OSError:  # the descriptor listdir itself used, already closed
                continue
            if target.startswith(("socket:", "anon_inode:[eventpoll]")):
                count += 1
        return count
    return len(psutil.Process().net_connections(kind="all"))


def snapshot() -> Snapshot:
    """Record the live threads, open sockets/selectors and child processes now."""
    gc.collect()  # objects already unreachable close their sockets now, not at some later time
    children = frozenset(p.pid for p in psutil.Process().children(recursive=True) if p.is_running())
    return Snapshot(frozenset(t.ident for t in threading.enumerate()), _socket_count(), children)


def leftovers(before: Snapshot) -> list[str]:
    """Descriptions of what is alive now and was not in *before* (empty list: clean)."""
    now = snapshot()
    found = []
    extra_threads = [t.name for t in threading.enumerate() if t.ident not in before.threads]
    if extra_threads:
        found.append(f"threads still running: {', '.join(sorted(extra_threads))}")
    if now.sockets > before.sockets:
        found.append(f"{now.sockets - before.sockets} socket(s)/selector(s) still open")
    if now.children - before.children:
        found.append(f"child processes still alive: {sorted(now.children - before.children)}")
    return found
