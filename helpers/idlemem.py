"""Memory of one idle thread, gevent greenlet or asyncio task, measured in a fresh process.

:func:`per_unit` starts ``python -m helpers.idlemem N KIND…`` in a child process, which, for each
*KIND* in turn, starts *N* units that all wait on one event, and reads the growth of the process's
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


def _measure(kinds: list[str], n: int) -> dict[str, tuple[float, float]]:
    runs = {"thread": _threads, "greenlet": _greenlets, "task": _tasks}
    result = {}
    for kind in kinds:
        (r0, v0), (r1, v1) = runs[kind](n)
        result[kind] = ((r1 - r0) / n, (v1 - v0) / n)
    return result


def per_unit(n: int = 1000, kinds: tuple[str, ...] = KINDS, timeout: float = 30.0) -> dict[str, tuple[float, float]]:
    """``{kind: (RSS bytes, virtual bytes)}`` per idle unit, for each of *kinds* (see :data:`KINDS`).

    One child process measures the kinds one after the other, each after its own warm-up.
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"kinds must be among {KINDS}, not {sorted(unknown)}")
    if n < 1:
        raise ValueError("n must be at least 1")
    from helpers.procs import child_env
    done = subprocess.run([sys.executable, "-m", "helpers.idlemem", str(n), *kinds], capture_output=True,
                          text=True, timeout=timeout, env=child_env(), check=True)
    return {kind: tuple(v) for kind, v in json.loads(done.stdout).items()}


if __name__ == "__main__":
    print(json.dumps(_measure(sys.argv[2:], int(sys.argv[1]))))
