"""Timing: the seed's ``time_wrappter`` done right, and a :class:`Timeline` of (task, start, end).

The seed's decorator used ``time.time()`` (wall clock: it jumps when the clock is set),
lost the function's name and docstring, and could only print.  :func:`timed` uses
``time.perf_counter()`` (monotonic, high resolution), keeps the metadata with
``functools.wraps``, returns the result, and remembers the duration in ``.last``.

A :class:`Timeline` records spans from threads, greenlets, coroutines and even other
processes (``perf_counter`` is the system-wide monotonic clock on Linux, so a child
process can measure its own spans and send them back).  :func:`helpers.plots.gantt`
draws it.  :meth:`Timeline.packed` puts the spans of many short tasks into a few lanes
(rows), so a chart of a hundred requests made by a pool of ten shows ten rows and the waves.

A comparison of two ways of doing the same work uses :func:`best_of_interleaved`.

Used in: 01, 02, 03, 04, 05, 06, 08 (and by clients, genloop, plots, serverview).
"""
from __future__ import annotations

import functools
import heapq
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

__all__ = ["Span", "Timeline", "assign_lanes", "best_of_interleaved", "format_seconds", "now", "timed"]

now = time.perf_counter  # the course's one clock: monotonic, high resolution, system-wide on Linux


def timed(func: Callable | None = None, *, label: str = "时间消耗", show: bool = True):
    """Decorator: time each call with ``perf_counter``; print ``时间消耗 0.123 s`` if *show*.

    The wrapped function returns what the original returns; its last duration (seconds)
    is in ``wrapper.last``.  Usable as ``@timed`` or ``@timed(show=False)``.
    """

    def decorate(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            start = now()
            try:
                return f(*args, **kwargs)
            finally:
                wrapper.last = now() - start
                if show:
                    print(f"{label} {format_seconds(wrapper.last)}")

        wrapper.last = None
        return wrapper

    return decorate(func) if func is not None else decorate


def best_of_interleaved(funcs, *args, repeat: int = 5) -> list[float]:
    """Best (smallest) seconds of one call ``f(*args)`` for each of *funcs*, in the order given.

    The functions run in turns (f, g, f, g, ...) *repeat* times, so that a burst of load from
    other programs hits every one of them alike, and each keeps its fastest run: the run the
    rest of the machine disturbed least.  Used in: 02, 03.
    """
    funcs = list(funcs)
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    best = [float("inf")] * len(funcs)
    for _ in range(repeat):
        for i, f in enumerate(funcs):
            start = now()
            f(*args)
            best[i] = min(best[i], now() - start)
    return best


def format_seconds(seconds: float) -> str:
    """Human units: ``2.003 s``, ``12.4 ms``, ``3.1 µs``, ``45 ns``."""
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1e9:.0f} ns"


@dataclass(frozen=True)
class Span:
    """One bar of a Gantt chart: *task* was busy (or waiting, per *kind*) from *start* to *end*."""

    task: str
    start: float
    end: float
    kind: str = "run"

    @property
    def duration(self) -> float:
        """end - start, in seconds."""
        return self.end - self.start


class Timeline:
    """Thread-safe recorder of :class:`Span` s; times are relative to the timeline's creation.

    >>> tl = Timeline()
    >>> with tl.span("A"):
    ...     pass
    >>> [s.task for s in tl.spans]
    ['A']
    """

    def __init__(self, title: str = ""):
        self.title = title
        self.t0 = now()
        self._spans: list[Span] = []
        self._lock = threading.Lock()

    def add(self, task: str, start: float, end: float, kind: str = "run") -> Span:
        """Record a span from absolute ``perf_counter`` times *start* and *end*."""
        if end < start:
            raise ValueError(f"span {task!r} ends before it starts ({start} > {end})")
        span = Span(str(task), start - self.t0, end - self.t0, kind)
        with self._lock:
            self._spans.append(span)
        return span

    @contextmanager
    def span(self, task: str, kind: str = "run") -> Iterator[None]:
        """Record the ``with`` block as a span of *task*."""
        start = now()
        try:
            yield
        finally:
            self.add(task, start, now(), kind)

    def packed(self, label: str = "并发槽 {}", tolerance: float = 0.0) -> "Timeline":
        """A new timeline with the same spans, each on a lane named ``label.format(k)`` (k from 1);
        as many lanes as the peak overlap (see :func:`assign_lanes`)."""
        spans = self.spans
        lanes = assign_lanes(spans, tolerance)
        packed = Timeline(self.title)
        packed.t0 = 0.0  # spans are already relative: copy them unchanged
        for lane in sorted(set(lanes)):  # rows in lane order
            for s, k in zip(spans, lanes):
                if k == lane:
                    packed.add(label.format(lane + 1), s.start, s.end, s.kind)
        return packed

    @classmethod
    def combine(cls, runs: dict[str, "Timeline"], title: str = "") -> "Timeline":
        """One timeline of several runs side by side: tasks become ``"run · task"``, and each
        run keeps times relative to its own start, so runs made one after another line up at 0."""
        out = cls(title)
        for label, tl in runs.items():
            for s in tl.spans:
                out._spans.append(Span(f"{label} · {s.task}", s.start, s.end, s.kind))
        return out

    @property
    def spans(self) -> list[Span]:
        """All spans, in the order they were recorded."""
        with self._lock:
            return list(self._spans)

    @property
    def tasks(self) -> list[str]:
        """Task names in order of first appearance."""
        seen: dict[str, None] = {}
        for s in self.spans:
            seen.setdefault(s.task, None)
        return list(seen)

    @property
    def elapsed(self) -> float:
        """From the earliest start to the latest end (0 if empty)."""
        spans = self.spans
        if not spans:
            return 0.0
        return max(s.end for s in spans) - min(s.start for s in spans)

    def busy(self, kind: str | None = None) -> float:
        """Sum of span durations (optionally of one *kind*): the sequential cost."""
        return sum(s.duration for s in self.spans if kind is None or s.kind == kind)

    def max_overlap(self) -> int:
        """The largest number of spans in progress at one instant."""
        events = sorted([(s.start, 1) for s in self.spans] + [(s.end, -1) for s in self.spans],
                        key=lambda e: (e[0], e[1]))
        running = best = 0
        for _, delta in events:
            running += delta
            best = max(best, running)
        return best


def assign_lanes(spans: list[Span], tolerance: float = 0.0) -> list[int]:
    """Lane index (0-based) for each span, in the order given: each span goes into the
    lowest-numbered lane free when it starts (greedy interval partitioning), so the number of
    lanes equals the largest number of spans in progress at one instant.

    A span ending exactly when another starts (or at most *tolerance* seconds after) frees its
    lane for it: spans measured by another party (a server's records of a client's requests)
    can overlap by a few milliseconds where the client saw one request end before the next began.
    """
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end))
    busy: list[tuple[float, int]] = []  # (end, lane) of spans in progress
    free: list[int] = []  # lanes that are free again, lowest first
    lanes = [0] * len(spans)
    used = 0
    for i in order:
        s = spans[i]
        while busy and busy[0][0] <= s.start + tolerance:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane = used
            used += 1
        lanes[i] = lane
        heapq.heappush(busy, (s.end, lane))
    return lanes
