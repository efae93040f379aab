"""What one ``sock.recv(size)`` costs for a small message: microseconds and minor page faults.

asyncio's selector transport reads with ``sock.recv(max_size)``, ``max_size`` = 256 KiB.
CPython allocates a 256 KiB bytes object, receives ~1 KiB into it, then shrinks it.  glibc
serves allocations ≥ its mmap threshold (128 KiB by default) with ``mmap``; shrinking an
mmapped block is ``mremap``, freeing it ``munmap`` — and the fresh pages fault when touched.
Because the block is shrunk (realloc) before it is freed, glibc's dynamic threshold never
rises (it rises only when free() releases a *large* mmapped block).  See mallopt(3).

``python -m helpers.c10k.recvcost`` prints JSON for 64 KiB and 256 KiB reads, so it can be
run in a child process with ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` set.

Used in: 09.
"""
from __future__ import annotations

import json
import resource
import socket
import time

__all__ = ["MESSAGE", "main", "recv_cost"]

MESSAGE = b"x" * 1028  # one frame of the lab: 4-byte header + 1 KiB


def recv_cost(size: int, n: int = 5000) -> tuple[float, float]:
    """(µs per send+recv pair, minor page faults per pair) for *n* 1 KiB messages read with recv(*size*)."""
    a, b = socket.socketpair()
    with a, b:
        for _ in range(100):  # warm up
            a.send(MESSAGE)
            b.recv(size)
        f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0 = time.perf_counter()
        for _ in range(n):
            a.send(MESSAGE)
            b.recv(size)
        elapsed = time.perf_counter() - t0
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
    return elapsed / n * 1e6, faults / n


def main() -> None:
    out = {}
    for size in (64 * 1024, 256 * 1024):
        us, faults = recv_cost(size)
        out[str(size)] = {"us": us, "faults": faults}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
