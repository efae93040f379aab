"""What every lab server (and the load generator) shares.

10,000 connections need 10,000 descriptors in the server *and* 10,000 in the client: each
process raises its own soft limit to the hard limit with :func:`helpers.fdlimit.raise_to_hard`,
and listens with :func:`helpers.servers.base.listen` (127.0.0.1, a deep backlog).

- :func:`announce` — prints ``127.0.0.1:PORT`` (how the launcher learns the port).

Used in: 09 (through the lab's servers).
"""
from __future__ import annotations

import socket
import sys

__all__ = ["announce", "port_arg"]


def announce(sock: socket.socket) -> None:
    """Print the address line the launcher waits for, and flush it."""
    host, port = sock.getsockname()[:2]
    print(f"{host}:{port}", flush=True)


def port_arg(argv: list[str] | None = None) -> int:
    """The optional first command-line argument: the port (default 0)."""
    argv = sys.argv[1:] if argv is None else argv
    return int(argv[0]) if argv else 0
