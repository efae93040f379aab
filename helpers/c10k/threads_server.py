"""Thread per connection: blocking sockets, one OS thread each (``python -m helpers.c10k.threads_server``).

Simple and correct, but every connection costs a thread: a stack (8 MiB reserved, ~16 KiB
touched), a kernel task, and a share of the GIL hand-offs.

Memory stays bounded without extra code: a thread blocked in ``sendall`` (the client does not
read) does not read either.  Stopping: a Python signal handler runs on the main thread, which
needs the GIL — right after thousands of connections were reset, thousands of threads contend
for it and the handler can wait for seconds.  This server has nothing to save on exit, so
SIGINT/SIGTERM keep the kernel's default action: the process ends at once.

Used in: 09.
"""
from __future__ import annotations

import signal
import socket
import threading
import time

from helpers.c10k.common import announce, port_arg
from helpers.fdlimit import raise_to_hard
from helpers.servers.base import listen
from helpers.framing import HEADER, MAX_FRAME

__all__ = ["handle", "main", "recv_exactly"]


def recv_exactly(conn: socket.socket, n: int) -> bytes | None:
    """Read exactly *n* bytes, or None if the peer closed first (a short copy chapter 09 prints; helpers.framing.recv_exactly is the shared one)."""
    chunks, left = [], n
    while left:
        data = conn.recv(min(left, 65536))
        if not data:
            return None
        chunks.append(data)
        left -= len(data)
    return b"".join(chunks)


def handle(conn: socket.socket) -> None:
    """Echo frames until the peer closes."""
    with conn:
        try:
            while True:
                head = recv_exactly(conn, 4)
                if head is None:
                    return
                (size,) = HEADER.unpack(head)
                if size > MAX_FRAME:
                    return
                body = recv_exactly(conn, size) if size else b""
                if body is None:
                    return
                conn.sendall(head + body)
        except OSError:
            return


def main() -> None:
    raise_to_hard()
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # the kernel ends the process: no GIL needed
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    lsock = listen(port_arg())
    announce(lsock)
    with lsock:
        while True:
            try:
                conn, _ = lsock.accept()
            except InterruptedError:
                continue
            except OSError:
                time.sleep(0.01)  # EMFILE: do not spin
                continue
            conn.settimeout(None)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
