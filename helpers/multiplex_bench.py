"""Scaling benchmark of select / poll / epoll: cost of one call watching N idle descriptors + 1 ready.

The experiment of Kerrisk, *The Linux Programming Interface*, §63.4.5 and Table 63-9 (seconds
for 100,000 calls, one descriptor ready, Linux 2.6.25), redone in Python on this machine:

- the N idle descriptors are unbound UDP sockets (one fd each; asked for readability, they never
  become readable); the ready one is a socketpair end with one unread byte;
- every N runs in a **fresh interpreter** (``python -m helpers.multiplex_bench --worker N``),
  so 10,000 sockets of one measurement do not burden the next;
- each call uses timeout 0 (it would return at once anyway: one descriptor is ready);
- the cost per call is the **best of several repeats** (the minimum is the least disturbed by
  other processes on a busy machine), each repeat timing a loop of calls.

Python adds its own work on top of the system call: ``select.select`` converts its lists into
``fd_set`` bit arrays and back on every call; ``select.poll`` keeps its ``pollfd`` array between
calls; ``select.epoll`` registers once.  That is fair: it is what a Python program pays.

``select`` is measured only while every descriptor's *value* is below ``FD_SETSIZE`` (1024).

In a notebook::

    from helpers import multiplex_bench as mb
    table = mb.run([10, 100, 1000, 10000])      # {"select": {10: s, ...}, "poll": {...}, "epoll": {...}}
    mb.TLPI_TABLE_63_9                           # the book's numbers, same shape (seconds per 100,000 calls)
    mb.run_ready(1000, [1, 10, 100, 1000])       # {k: s}: one epoll_wait, N = 1000 watched, k of them ready

The second experiment fixes N and varies the number of **ready** descriptors k: epoll_wait only
drains the ready list (fs/eventpoll.c), so its cost grows with k, not with N.  Every descriptor
is a UDP socket bound to 127.0.0.1; a socket is made ready by sending it one datagram that is
never read, so with level-triggered epoll it stays ready for every call.

Used in: 06.
"""
from __future__ import annotations

import json
import select
import socket
import sys
import tempfile
import time
from typing import Callable, Iterable

from helpers import procs

__all__ = ["APIS", "FD_SETSIZE", "TLPI_TABLE_63_9", "format_table", "measure", "measure_ready", "run", "run_one",
           "run_ready", "tlpi_per_call"]

APIS = ("select", "poll", "epoll")
FD_SETSIZE = 1024

# Kerrisk, TLPI (2010), Table 63-9: seconds for 100,000 monitoring operations, one fd ready, Linux 2.6.25.
TLPI_TABLE_63_9: dict[str, dict[int, float]] = {
    "poll": {10: 0.61, 100: 2.9, 1000: 35, 10000: 990},
    "select": {10: 0.73, 100: 3.0, 1000: 35, 10000: 930},
    "epoll": {10: 0.41, 100: 0.42, 1000: 0.53, 10000: 0.66},
}


def tlpi_per_call() -> dict[str, dict[int, float]]:
    """TLPI Table 63-9 converted to seconds per call (÷ 100,000)."""
    return {api: {n: s / 100_000 for n, s in row.items()} for api, row in TLPI_TABLE_63_9.items()}


def _best_per_call(call: Callable[[], object], repeats: int, budget: float) -> float:
    """Seconds per call: loop *call* for about *budget* seconds, *repeats* times, keep the fastest."""
    start = time.perf_counter()
    call()
    first = max(time.perf_counter() - start, 1e-7)
    loops = max(3, min(200_000, int(budget / first)))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(loops):
            call()
        best = min(best, (time.perf_counter() - start) / loops)
    return best


def measure(n: int, apis: Iterable[str] = APIS, *, repeats: int = 5, budget: float = 0.01) -> dict[str, float | None]:
    """In this process: seconds per call of each API watching *n* idle sockets + 1 ready one.

    ``None`` for select when a descriptor's value would reach FD_SETSIZE.  Every call is checked
    to report exactly the one ready descriptor.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    apis = list(apis)
    for api in apis:
        if api not in APIS:
            raise ValueError(f"unknown API {api!r}; use {APIS}")
    ready, writer = socket.socketpair()
    idle: list[socket.socket] = []
    results: dict[str, float | None] = {}
    try:
        writer.send(b"x")  # never read: `ready` stays readable
        for _ in range(n):
            idle.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        fds = [s.fileno() for s in idle] + [ready.fileno()]
        rfd = ready.fileno()
        for api in apis:
            if api == "select":
                if max(fds) >= FD_SETSIZE:
                    results[api] = None
                    continue
                assert select.select(fds, [], [], 0)[0] == [rfd]
                results[api] = _best_per_call(lambda: select.select(fds, [], [], 0), repeats, budget)
            elif api == "poll":
                p = select.poll()
                for fd in fds:
                    p.register(fd, select.POLLIN)
                assert p.poll(0) == [(rfd, select.POLLIN)]
                results[api] = _best_per_call(lambda: p.poll(0), repeats, budget)
            else:
                ep = select.epoll()
                try:
                    for fd in fds:
                        ep.register(fd, select.EPOLLIN)
                    assert ep.poll(0) == [(rfd, select.EPOLLIN)]
                    results[api] = _best_per_call(lambda: ep.poll(0), repeats, budget)
                finally:
                    ep.close()
    finally:
        for s in idle:
            s.close()
        ready.close()
        writer.close()
    return results


def measure_ready(n: int, readies: Iterable[int], *, repeats: int = 5, budget: float = 0.01) -> dict[int, float]:
    """In this process: seconds per ``epoll_wait`` watching *n* UDP sockets of which *k* are ready, per k.

    The *k* ready sockets each hold one unread datagram; the call asks for up to *k* events and
    is checked to return exactly *k*.  Every k must be between 0 and *n*.
    """
    readies = sorted(set(readies))
    if n < 1 or not readies or readies[0] < 0 or readies[-1] > n:
        raise ValueError("need n >= 1 and 0 <= k <= n for every k")
    socks: list[socket.socket] = []
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ep = select.epoll()
    results: dict[int, float] = {}
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(s)
            s.bind(("127.0.0.1", 0))
            ep.register(s.fileno(), select.EPOLLIN)
        made_ready = 0
        for k in readies:
            for s in socks[made_ready:k]:
                sender.sendto(b"x", s.getsockname())  # never read: stays ready (level-triggered)
            made_ready = max(made_ready, k)
            maxevents = max(k, 1)
            deadline = time.monotonic() + 2.0
            while len(ep.poll(0, maxevents)) < k and time.monotonic() < deadline:
                time.sleep(0.001)  # loopback delivery is immediate in practice; never spin forever
            got = len(ep.poll(0, maxevents))
            if got != k:
                raise RuntimeError(f"expected {k} ready descriptors, epoll reported {got}")
            results[k] = _best_per_call(lambda: ep.poll(0, maxevents), repeats, budget)
    finally:
        ep.close()
        sender.close()
        for s in socks:
            s.close()
    return results


def _worker(argv_tail: list[str], timeout: float) -> str:
    """Run ``python -m helpers.multiplex_bench`` with *argv_tail* in a fresh interpreter; its last line."""
    argv = [sys.executable, "-m", "helpers.multiplex_bench", *argv_tail]
    with tempfile.TemporaryDirectory(prefix="multiplex-bench-") as tmp:
        proc = procs.popen(argv, cwd=tmp, env=procs.child_env())
        out, err, timed_out = procs.communicate(proc, timeout)
    if timed_out or proc.returncode != 0:
        why = f"timed out after {timeout} s" if timed_out else f"status {proc.returncode}"
        raise RuntimeError(f"benchmark worker {argv_tail} failed ({why}):\n{err.decode('utf-8', 'replace')}")
    return out.decode().strip().splitlines()[-1]


def run_ready(n: int, readies: Iterable[int], *, repeats: int = 5, budget: float = 0.01,
              timeout: float = 30.0) -> dict[int, float]:
    """:func:`measure_ready` in a fresh interpreter; ``{k: seconds per epoll_wait}``."""
    line = _worker(["--ready", ",".join(str(k) for k in readies), "--worker", str(n), "--repeats", str(repeats),
                    "--budget", str(budget)], timeout)
    return {int(k): v for k, v in json.loads(line).items()}


def run_one(n: int, apis: Iterable[str] = APIS, *, repeats: int = 5, budget: float = 0.01,
            timeout: float = 30.0) -> dict[str, float | None]:
    """:func:`measure` for one *n* in a fresh interpreter; returns its result."""
    line = _worker(["--worker", str(n), "--repeats", str(repeats), "--budget", str(budget), "--apis", ",".join(apis)],
                   timeout)
    return json.loads(line)


def run(ns: Iterable[int] = (10, 100, 1000, 10000), apis: Iterable[str] = APIS, *, repeats: int = 5,
        budget: float = 0.01) -> dict[str, dict[int, float]]:
    """Measure every *n* in its own fresh interpreter; ``{api: {n: seconds per call}}``.

    select is left out for N where a descriptor value would reach FD_SETSIZE.
    """
    apis = list(apis)
    table: dict[str, dict[int, float]] = {api: {} for api in apis}
    for n in ns:
        row = run_one(n, apis, repeats=repeats, budget=budget)
        for api in apis:
            if row.get(api) is not None:
                table[api][n] = row[api]
    return table


def format_table(measured: dict[str, dict[int, float]], reference: dict[str, dict[int, float]] | None = None) -> str:
    """A text table: per-call cost (µs) measured here, and the reference's (µs), per N and API."""
    reference = tlpi_per_call() if reference is None else reference
    ns = sorted({n for row in list(measured.values()) + list(reference.values()) for n in row})
    apis = [a for a in APIS if a in measured or a in reference]
    head = "N".rjust(6) + "".join(f"{api + ' 本机':>14}" for api in apis) + "".join(f"{api + ' TLPI':>14}" for api in apis)
    lines = [head]
    for n in ns:
        cells = []
        for source in (measured, reference):
            for api in apis:
                v = source.get(api, {}).get(n)
                cells.append(f"{'—':>14}" if v is None else f"{v * 1e6:>11.2f} µs")
        lines.append(f"{n:>6}" + "".join(cells))
    return "\n".join(lines)


def _main(argv: list[str]) -> int:
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", type=int, help="measure this N in this process and print JSON")
    p.add_argument("--apis", default=",".join(APIS))
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--budget", type=float, default=0.01)
    p.add_argument("--ns", default="10,100,1000,10000")
    p.add_argument("--ready", help="with --worker N: comma-separated numbers of ready descriptors (epoll only)")
    args = p.parse_args(argv)
    apis = [a for a in args.apis.split(",") if a]
    if args.worker is not None:
        from helpers.fdlimit import raise_soft_limit

        raise_soft_limit(args.worker + 64)
        if args.ready:
            ks = [int(k) for k in args.ready.split(",") if k]
            print(json.dumps(measure_ready(args.worker, ks, repeats=args.repeats, budget=args.budget)))
            return 0
        print(json.dumps(measure(args.worker, apis, repeats=args.repeats, budget=args.budget)))
        return 0
    table = run([int(n) for n in args.ns.split(",")], apis, repeats=args.repeats, budget=args.budget)
    print(format_table(table))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
