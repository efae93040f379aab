"""File-descriptor limits: raise ``RLIMIT_NOFILE`` carefully, and get a descriptor with a large *value*.

Two chapters need more descriptors than a default shell allows (``ulimit -n`` is often 1024):
chapter 06 proves that ``select()`` refuses any fd whose value is ≥ ``FD_SETSIZE`` (1024) —
even when it is the only one — and the benchmark watches 10,000 idle sockets; chapter 07
serves 1,000 concurrent clients.

- :func:`nofile_limit` — ``with nofile_limit(4096):`` raises the soft limit (never above the
  hard limit, never lowers it) and restores it afterwards;
- :func:`raise_to_hard` — the soft limit up to the hard limit, for a server or load generator
  that holds 10,000 connections (the C10K lab, the hostile clients); children inherit it;
- :func:`dup_at_least` — duplicate a descriptor onto the lowest free fd ≥ *minimum*
  (``fcntl(F_DUPFD_CLOEXEC)``: unlike ``os.dup2`` it never clobbers a descriptor in use).

This is the one module that changes ``RLIMIT_NOFILE``.

Used in: 06, 07 (and by the servers, the C10K lab and the hostile clients).
"""
from __future__ import annotations

import fcntl
import resource
from contextlib import contextmanager
from typing import Iterator

__all__ = ["dup_at_least", "nofile_limit", "raise_soft_limit", "raise_to_hard", "soft_limit"]


def soft_limit() -> int:
    """The current soft ``RLIMIT_NOFILE`` (how many descriptors this process may have open)."""
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def raise_soft_limit(wanted: int) -> int:
    """Raise the soft limit to *wanted* (capped at the hard limit); never lowers it. Returns the new soft limit."""
    if wanted < 1:
        raise ValueError("wanted must be positive")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    cap = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < cap:
        resource.setrlimit(resource.RLIMIT_NOFILE, (cap, hard))
    return soft_limit()


def raise_to_hard(needed: int = 0) -> int:
    """Raise the soft limit to the hard limit (2**20 if the hard limit is infinite); return it.

    Raises RuntimeError when even that is below *needed* descriptors.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        limit = raise_soft_limit(hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20))
    except (ValueError, OSError):
        limit = soft_limit()
    if needed and limit != resource.RLIM_INFINITY and limit < needed:
        raise RuntimeError(f"RLIMIT_NOFILE is {limit} (hard {hard}) but {needed} descriptors are needed; "
                           f"raise the hard limit (ulimit -Hn) first")
    return limit


@contextmanager
def nofile_limit(wanted: int) -> Iterator[int]:
    """``with nofile_limit(n) as limit:`` — soft limit raised to *n* (if allowed), restored on exit.

    Raises RuntimeError when the hard limit does not allow *n* (so a demo fails with a clear reason).
    """
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = raise_soft_limit(wanted)
    if limit != resource.RLIM_INFINITY and limit < wanted:
        raise RuntimeError(f"RLIMIT_NOFILE hard limit is {before[1]}: cannot open {wanted} descriptors "
                           f"(ask your administrator, or lower the demo's size)")
    try:
        yield limit
    finally:
        # Lowering the soft limit below the values of open fds is allowed: they stay valid.
        resource.setrlimit(resource.RLIMIT_NOFILE, before)


def dup_at_least(fd: int, minimum: int) -> int:
    """A close-on-exec duplicate of *fd* on the lowest free descriptor ≥ *minimum*.

    The caller closes it (``os.close``).  Raises OSError (EINVAL) if *minimum* is not below the soft limit.
    """
    if minimum < 0:
        raise ValueError("minimum must be >= 0")
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, minimum)
