"""Count chosen system calls of a running process with ``strace -c`` (Linux, optional).

Used by chapter 09 to show that asyncio streams pay an ``mmap``/``mremap``/``munmap`` per
message.  strace may be missing, or attaching may be refused (``ptrace_scope``, containers):
:func:`counting` then raises :class:`StraceUnavailable` and the notebook says so instead.

Used in: 09.
"""
from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from typing import Iterator

__all__ = ["available", "counting", "parse_summary", "StraceUnavailable"]


class StraceUnavailable(RuntimeError):
    """strace is not installed, or it could not attach to the process."""


def available() -> bool:
    """True on Linux with ``strace`` on PATH (attaching may still be refused)."""
    return sys.platform.startswith("linux") and shutil.which("strace") is not None


def parse_summary(text: str) -> dict[str, int]:
    """``{syscall: calls}`` from the table ``strace -c`` writes."""
    counts = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) in (5, 6) and parts[0].replace(".", "", 1).isdigit() and parts[-1] != "total":
            counts[parts[-1]] = int(parts[3])
    return counts


@contextmanager
def counting(pid: int, calls=("mmap", "munmap", "mremap", "recvfrom"), attach_timeout: float = 3.0) -> Iterator[dict]:
    """Attach strace to *pid* for the ``with`` block; afterwards the yielded dict holds the call counts."""
    if not available():
        raise StraceUnavailable("strace is not installed (or this is not Linux)")
    fd, path = tempfile.mkstemp(prefix="strace-", suffix=".txt")
    os.close(fd)
    counts: dict[str, int] = {}
    proc = subprocess.Popen(["strace", "-f", "-c", "-e", "trace=" + ",".join(calls), "-p", str(pid), "-o", path],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        ready, _, _ = select.select([proc.stderr], [], [], attach_timeout)
        first = proc.stderr.readline().decode(errors="replace") if ready else ""
        if "attached" not in first:
            raise StraceUnavailable(f"strace could not attach: {first.strip() or 'no answer'}")
        yield counts
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # detach and write the summary
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stderr.close()
        with open(path, encoding="utf-8", errors="replace") as f:
            counts.update(parse_summary(f.read()))
        os.unlink(path)
