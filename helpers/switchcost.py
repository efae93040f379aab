"""What "pure switching" costs: a plain call vs generator ``send`` vs greenlet ``switch`` vs a thread hand-off.

Chapters 02 and 03 measure the seed's claim "单纯的切换反而会降低效率" instead of stating it.
Every benchmark times *n* **round trips** (go to the other side and come back, i.e. two
switches) in a tight loop and reports the best of *repeat* runs: the minimum is the run
least disturbed by other processes, which matters on a busy 2-core machine.

- ``call``     — ``f(None)``: a plain Python function call and return (the baseline).
- ``generator`` — ``gen.send(None)``: resume a generator, run to its next ``yield``.
- ``greenlet`` — ``g.switch()`` to a greenlet that switches straight back (two stack switches).
- ``thread``   — hand a token to another OS thread and wait for it back, through two locks
  (two futex wake-ups, two context switches in the kernel, the GIL changing hands).

Times include the ``for`` loop itself (~10–20 ns), which does not change the ladder.

Used in: 02, 03.
"""
from __future__ import annotations

import threading
from typing import Callable

import greenlet

from helpers.timing import now

__all__ = ["BENCHES", "DEFAULT_N", "LABELS", "ladder", "round_trip"]

#: Round trips per timed run: enough for ~5–30 ms per run, so the clock's resolution does not matter.
DEFAULT_N = {"call": 200_000, "generator": 200_000, "greenlet": 50_000, "thread": 2_000}
#: Labels for charts (Chinese with the English term).
LABELS = {"call": "函数调用 call", "generator": "生成器 send", "greenlet": "greenlet switch",
          "thread": "线程交接 thread"}


def _call(n: int) -> float:
    def f(x):
        return x

    start = now()
    for _ in range(n):
        f(None)
    return now() - start


def _generator(n: int) -> float:
    def consumer():
        while True:
            yield

    gen = consumer()
    next(gen)
    send = gen.send
    start = now()
    for _ in range(n):
        send(None)
    elapsed = now() - start
    gen.close()
    return elapsed


def _greenlet(n: int) -> float:
    main = greenlet.getcurrent()

    def partner():
        while True:
            main.switch()

    other = greenlet.greenlet(partner)
    switch = other.switch
    start = now()
    for _ in range(n):
        switch()
    elapsed = now() - start
    other.throw(greenlet.GreenletExit)  # end the partner cleanly (it returns to us)
    return elapsed


def _thread(n: int) -> float:
    # Plain blocking acquire(): acquire(timeout=...) takes a slower path and would add ~15 µs.
    ping, pong = threading.Lock(), threading.Lock()
    ping.acquire()
    pong.acquire()

    def partner():
        for _ in range(n):
            ping.acquire()
            pong.release()

    t = threading.Thread(target=partner, name="switchcost-partner", daemon=True)
    t.start()
    start = now()
    for _ in range(n):
        ping.release()  # hand the token over ...
        pong.acquire()  # ... and block until it comes back
    elapsed = now() - start
    t.join()
    return elapsed


BENCHES: dict[str, Callable[[int], float]] = {"call": _call, "generator": _generator, "greenlet": _greenlet,
                                              "thread": _thread}


def round_trip(kind: str, n: int | None = None, repeat: int = 5) -> float:
    """Best-of-*repeat* seconds per round trip for *kind* (a key of :data:`BENCHES`)."""
    if kind not in BENCHES:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(BENCHES)}")
    n = DEFAULT_N[kind] if n is None else n
    if n < 1 or repeat < 1:
        raise ValueError("n and repeat must be at least 1")
    return min(BENCHES[kind](n) for _ in range(repeat)) / n


def ladder(kinds=("call", "generator", "greenlet", "thread"), repeat: int = 5, scale: float = 1.0) -> dict[str, float]:
    """``{kind: nanoseconds per round trip}`` for each of *kinds*; *scale* multiplies the default n.

    The runs are interleaved (call, generator, …, call, generator, …) so that a burst of load
    from other processes hits every kind alike instead of spoiling all runs of one kind.
    """
    for k in kinds:
        if k not in BENCHES:
            raise ValueError(f"unknown kind {k!r}; choose from {', '.join(BENCHES)}")
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    n = {k: max(1, int(DEFAULT_N[k] * scale)) for k in kinds}
    best = {k: float("inf") for k in kinds}
    for _ in range(repeat):
        for k in kinds:
            best[k] = min(best[k], BENCHES[k](n[k]))
    return {k: best[k] / n[k] * 1e9 for k in kinds}
