"""What every lab server (and the load generator) shares.

- :func:`raise_nofile` — 10,000 connections need 10,000 descriptors in the server *and*
  10,000 in the client.  ``ulimit -n`` is a per-process soft limit; a process may raise its
  own soft limit up to the hard limit (setrlimit(2)), so each process does that and checks.
- :func:`listener` — a listening socket on 127.0.0.1, port 0, with a deep backlog.
- :func:`announce` — prints ``127.0.0.1:PORT`` (how the launcher learns the port).
- :func:`stop_on_signals` — SIGINT/SIGTERM set an event instead of killing mid-write.
"""
from __future__ import annotations

import resource
import signal
import socket
import sys
import threading

BACKLOG = 4096


def raise_nofile(needed: int = 0) -> tuple[int, int]:
    """Raise this process's RLIMIT_NOFILE soft limit to its hard limit; return (soft, hard).

    Raises RuntimeError when even the hard limit is below *needed* descriptors.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if needed and soft < needed:
        raise RuntimeError(f"RLIMIT_NOFILE is {soft} (hard {hard}) but {needed} descriptors are needed; "
                           f"raise the hard limit (ulimit -Hn) first")
    return soft, hard


def listener(port: int = 0, backlog: int = BACKLOG) -> socket.socket:
    """A TCP socket listening on 127.0.0.1:*port* (0 = any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(backlog)
    return sock


def announce(sock: socket.socket) -> None:
    """Print the address line the launcher waits for, and flush it."""
    host, port = sock.getsockname()[:2]
    print(f"{host}:{port}", flush=True)


def stop_on_signals() -> threading.Event:
    """An Event set by SIGINT or SIGTERM (call from the main thread)."""
    stop = threading.Event()

    def handler(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stop


def port_arg(argv: list[str] | None = None) -> int:
    """The optional first command-line argument: the port (default 0)."""
    argv = sys.argv[1:] if argv is None else argv
    return int(argv[0]) if argv else 0
