"""Memory of one idle thread, gevent greenlet or asyncio task, measured in a fresh process.

:func:`per_unit` starts ``python -m helpers.idlemem KIND N`` in a child process, which starts
*N* units of *KIND* that all wait on one event, and reads the growth of the process's
resident set size (RSS) and virtual memory size (VMS) with ``psutil`` — divided by *N*.
A warm-up round of 20 units runs first, so one-time costs (imports, the first stack, the
event loop) are not charged to the units.  A fresh process keeps the notebook's own memory
out of the numbers.

A thread's VMS includes the stack glibc *reserves* for it (``ulimit -s``, usually 8 MiB);
its RSS counts only the pages it touched.

Used in: 05.
"""
from __future__ import annotations

import gc
import json
import subprocess
import sys
import time

__all__ = ["KINDS", "per_unit"]

KINDS = ("thread", "greenlet", "task")


def _mem() -> tuple[int, int]:
    import psutil
    m = psutil.Process().memory_info()
    return m.rss, m.vms


def _threads(n: int):
    import threading

    def start(k):
        ev = threading.Event()
        units = [threading.Thread(target=ev.wait) for _ in range(k)]
        for t in units:
            t.start()
        return ev, units

    ev, units = start(20)
    ev.set()
    for t in units:
        t.join()
    gc.collect()
    before = _mem()
    ev, units = start(n)
    time.sleep(0.05)
    after = _mem()
    ev.set()
    for t in units:
        t.join()
    return before, after


def _greenlets(n: int):
    import gevent
    import gevent.event

    def start(k):
        ev = gevent.event.Event()
        units = [gevent.spawn(ev.wait) for _ in range(k)]
        gevent.sleep(0)                          # let each one run up to its wait
        return ev, units

    ev, units = start(20)
    ev.set()
    gevent.joinall(units)
    gc.collect()
    before = _mem()
    ev, units = start(n)
    after = _mem()
    ev.set()
    gevent.joinall(units)
    return before, after


def _tasks(n: int):
    import asyncio

    async def main():
        async def start(k):
            ev = asyncio.Event()
            units = [asyncio.create_task(ev.wait()) for _ in range(k)]
            await asyncio.sleep(0)
            return ev, units

        ev, units = await start(20)
        ev.set()
        await asyncio.gather(*units)
        gc.collect()
        before = _mem()
        ev, units = await start(n)
        after = _mem()
        ev.set()
        await asyncio.gather(*units)
        return before, after

    return asyncio.run(main())


def _measure(kind: str, n: int) -> tuple[float, float]:
    run = {"thread": _threads, "greenlet": _greenlets, "task": _tasks}[kind]
    (r0, v0), (r1, v1) = run(n)
    return (r1 - r0) / n, (v1 - v0) / n


def per_unit(kind: str, n: int = 1000, timeout: float = 30.0) -> tuple[float, float]:
    """Bytes of RSS and of virtual memory per idle unit of *kind* (one of :data:`KINDS`)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if n < 1:
        raise ValueError("n must be at least 1")
    from helpers.procs import child_env
    done = subprocess.run([sys.executable, "-m", "helpers.idlemem", kind, str(n)], capture_output=True,
                          text=True, timeout=timeout, env=child_env(), check=True)
    rss, vms = json.loads(done.stdout)
    return rss, vms


if __name__ == "__main__":
    print(json.dumps(_measure(sys.argv[1], int(sys.argv[2]))))
