"""Scripted TCP clients that replace the seed's ``input()`` loop: many at once, replies checked.

The seed's client reads a line with ``input()``, sends it, and prints ``recv(1024)``.
A notebook cannot type, and one ``recv`` is not one reply (TCP is a byte stream), so
:func:`run_clients` drives *N* clients from scripts instead:

- every client connects first; with ``hold=True`` each exchanges its first message and
  then waits until **all** clients have done so — proof that the server serves them at the
  same time (a server that handles one connection at a time cannot pass this point);
- while they all hold their connections open, ``during()`` runs in the caller's thread
  (e.g. to count the server's OS threads);
- each reply is read with :func:`helpers.framing.recv_exactly` — as many bytes as ``reply_size(message)``
  says, however TCP splits them — and kept, so the notebook can compare byte for byte.

Clients never print (they run in threads); everything is in the returned :class:`ClientRun`.

Used in: 04.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from helpers.framing import ConnectionClosedEarly, recv_exactly
from helpers.timing import Timeline

__all__ = ["ClientRun", "ConnectionClosedEarly", "recv_exactly", "run_clients"]  # the last two from helpers.framing


@dataclass
class ClientRun:
    """What the scripted clients saw: replies per client and message, failures, a timeline."""

    replies: list[list[bytes]]
    failures: list[str | None]  # per client: None, or what went wrong
    timeline: Timeline
    elapsed: float
    together: bool  # all clients were connected and answered once, at the same time
    during: object = None  # what ``during()`` returned

    @property
    def ok(self) -> bool:
        """True when no client had an error."""
        return all(e is None for e in self.failures)


def run_clients(
    address: tuple[str, int],
    scripts: Sequence[Sequence[bytes]],
    *,
    reply_size: Callable[[bytes], int] = len,
    hold: bool = True,
    during: Callable[[], object] | None = None,
    timeout: float = 5.0,
    name: str = "客户端 {}",
) -> ClientRun:
    """Run one client per script against *address*, concurrently (one thread each).

    Each script is a list of messages (bytes); for each message the client ``sendall`` s it
    and reads ``reply_size(message)`` bytes.  See the module docstring for *hold* and *during*.
    Every socket operation has *timeout*; a client that fails records its error and stops.
    """
    if not scripts:
        raise ValueError("give at least one script")
    if any(len(s) == 0 for s in scripts) and hold:
        raise ValueError("with hold=True every script needs at least one message")
    n = len(scripts)
    replies: list[list[bytes]] = [[] for _ in range(n)]
    failures: list[str | None] = [None] * n
    tl = Timeline()
    met = threading.Barrier(n + 1, timeout=timeout) if hold else None
    release = threading.Barrier(n + 1, timeout=timeout) if hold else None

    def client(i: int) -> None:
        try:
            with tl.span(name.format(i + 1), kind="io"):
                with socket.create_connection(address, timeout=timeout) as sock:
                    for j, message in enumerate(scripts[i]):
                        sock.sendall(message)
                        replies[i].append(recv_exactly(sock, reply_size(message)))
                        if j == 0 and hold:
                            met.wait()
                            release.wait()
        except threading.BrokenBarrierError:
            failures[i] = "BrokenBarrierError: the clients were not all served at the same time"
        except (OSError, ConnectionError) as exc:
            failures[i] = f"{type(exc).__name__}: {exc}"
            if hold:
                met.abort()
                release.abort()

    threads = [threading.Thread(target=client, args=(i,), daemon=True, name=f"client-{i + 1}") for i in range(n)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    together = False
    result_during = None
    failure: BaseException | None = None
    if hold:
        try:
            met.wait()
            together = True
            if during is not None:
                result_during = during()
        except threading.BrokenBarrierError:
            pass
        except BaseException as exc:  # during() failed: let the clients finish first, then raise
            failure = exc
        try:
            release.wait()
        except threading.BrokenBarrierError:
            pass
    for t in threads:
        t.join(timeout * (max(len(s) for s in scripts) + 2))
    elapsed = time.perf_counter() - start
    if failure is not None:
        raise failure
    if any(t.is_alive() for t in threads):
        raise TimeoutError("a client thread did not finish (every socket operation has a timeout: this is a bug)")
    return ClientRun(replies=replies, failures=failures, timeline=tl, elapsed=elapsed, together=together,
                     during=result_during)
