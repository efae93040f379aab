"""Many clients that connect at the same instant and time how long each waits for its answer.

:func:`simultaneous_clients` starts *n* client threads, lets them all reach a barrier, then
each connects, reads the (short) answer and records connect-to-answer latency.  With a
:class:`helpers.timing.Timeline` each client's wait becomes a bar of a Gantt chart, so a
server that serves one connection at a time (a staircase) and one that serves them all at
once (overlapping bars) look different.  Clients never print (they run in threads).

Used in: 05.
"""
from __future__ import annotations

import socket
import threading
import time

from helpers.timing import Timeline

__all__ = ["simultaneous_clients"]


def simultaneous_clients(address: tuple[str, int], n: int, timeline: Timeline | None = None,
                         label: str = "客户端", timeout: float = 10.0) -> list[float]:
    """*n* clients connect together; returns each one's latency in seconds, in client order.

    Raises ``RuntimeError`` if a client did not get an answer within *timeout*.
    """
    latencies: list[float | None] = [None] * n
    errors: list[str] = []
    barrier = threading.Barrier(n, timeout=timeout)

    def one(i: int) -> None:
        try:
            barrier.wait()
            t0 = time.perf_counter()
            with socket.create_connection(address, timeout=timeout) as s:
                s.recv(16)
            t1 = time.perf_counter()
        except (OSError, threading.BrokenBarrierError) as exc:
            errors.append(f"client {i + 1}: {exc!r}")
            return
        latencies[i] = t1 - t0
        if timeline is not None:
            timeline.add(f"{label} {i + 1}", t0, t1, kind="wait")

    threads = [threading.Thread(target=one, args=(i,), name=f"swarm-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 5)
    if errors or any(x is None for x in latencies):
        raise RuntimeError("not every client got an answer: " + "; ".join(errors or ["timed out"]))
    return latencies  # type: ignore[return-value]
