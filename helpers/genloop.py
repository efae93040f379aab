"""A tiny round-robin scheduler of generator tasks with a sleep-aware wait queue.

In the spirit of David Beazley, "A Curious Course on Coroutines and Concurrency" (PyCon 2009):
a task is a generator; ``yield`` gives the CPU back to the scheduler; ``yield sleep(0.1)``
asks to be woken 0.1 s later.  The scheduler keeps a *ready* queue (round robin) and a
heap of sleepers ordered by wake-up time; when nobody is ready it blocks in :meth:`Scheduler.wait`
until the earliest wake-up.  That one method is the only place that waits: a scheduler that
should switch on *socket* readiness replaces it with ``selector.select(timeout)``
(chapter 08's event loop).  Chapter 02 shows the code and its Gantt chart.

With a :class:`~helpers.timing.Timeline` the scheduler records three kinds of span per task:
``run`` (its code runs), ``parked`` (it sleeps in the heap: the thread is free for others) and
``ready`` (it could run — just spawned, woken or yielded — but another task holds the thread).

Used in: 02.
"""
from __future__ import annotations

import heapq
import itertools
import time
from collections import deque

from helpers.timing import Timeline, now

__all__ = ["Scheduler", "Sleep", "sleep", "Task"]


class Sleep:
    """What a task yields to sleep: ``yield sleep(0.1)``."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float):
        if seconds < 0:
            raise ValueError("cannot sleep a negative time")
        self.seconds = seconds


sleep = Sleep


class Task:
    """A generator being scheduled, its name, and (when done) its return value."""

    def __init__(self, gen, name: str):
        self.gen, self.name, self.result, self.done = gen, name, None, False
        self.ready_since = now()  # when it last became able to run


class Scheduler:
    """Round robin over ready tasks; sleepers wait in a heap until their time comes."""

    def __init__(self, timeline: Timeline | None = None):
        self.ready: deque[Task] = deque()
        self.sleeping: list[tuple[float, int, Task, float]] = []  # (wake-up time, tie-breaker, task, since)
        self.timeline = timeline
        self.steps = 0  # how many times a task was resumed (= switches into tasks)
        self._seq = itertools.count()

    def spawn(self, gen, name: str | None = None) -> Task:
        """Schedule generator *gen* (not started yet) as a task; returns the :class:`Task`."""
        task = Task(gen, name or getattr(gen, "__name__", "task"))
        self.ready.append(task)
        return task

    def wait(self, timeout: float) -> None:
        """Nothing is ready: block until the earliest sleeper is due (override to wait on I/O)."""
        time.sleep(timeout)

    def run(self) -> None:
        """Run until every task has finished."""
        while self.ready or self.sleeping:
            if not self.ready:
                self.wait(max(0.0, self.sleeping[0][0] - now()))
            while self.sleeping and self.sleeping[0][0] <= now():  # wake whoever is due
                due, _, task, since = heapq.heappop(self.sleeping)
                self._record(task.name, since, due, "parked")
                task.ready_since = due  # runnable from its due time on, whether or not it runs
                self.ready.append(task)
            if not self.ready:
                continue
            task = self.ready.popleft()
            start = now()
            self._record(task.name, task.ready_since, start, "ready")
            try:
                request = task.gen.send(None)  # run the task until its next yield
            except StopIteration as stop:
                task.result, task.done = stop.value, True
                request = None
            finally:
                self.steps += 1
                self._record(task.name, start, now(), "run")
            if task.done:
                continue
            if isinstance(request, Sleep):
                since = now()
                heapq.heappush(self.sleeping, (since + request.seconds, next(self._seq), task, since))
            else:  # a bare `yield`: go to the back of the ready queue
                task.ready_since = now()
                self.ready.append(task)

    def _record(self, name: str, start: float, end: float, kind: str) -> None:
        if self.timeline is not None and end > start:
            self.timeline.add(name, start, end, kind)
