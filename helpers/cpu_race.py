"""The same pure-Python work run sequentially, on threads and on processes, timed: chapter 01's race.

Used in: 01.

:class:`CpuRace` calibrates a piece of work of about *seconds* (:func:`helpers.workloads.spin`),
starts its process pool once (so timing a run measures the work, not the start-up; the start-up
is kept in :attr:`CpuRace.pool_start`), and :meth:`CpuRace.run` times *tasks* pieces in one mode.
It keeps the fastest run of each mode (other programs can only make a run slower), so
:meth:`CpuRace.speedup` can be handed to :func:`helpers.claims.claim` as its measurement: each call
runs again and returns best sequential time / best time of the mode.
"""
from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass

from helpers import workloads
from helpers.timing import Timeline, now

__all__ = ["MODES", "Run", "CpuRace"]

MODES = ["顺序", "线程", "进程"]


@dataclass
class Run:
    """One timed run: each piece of work as a span, wall-clock seconds, CPU seconds of this process."""

    timeline: Timeline
    wall: float
    cpu: float


class CpuRace:
    """``with CpuRace(workers=2) as race:`` — then ``race.run("线程")``, ``race.speedup("进程")``."""

    def __init__(self, seconds: float = 0.1, tasks: int = 4, workers: int = 2, start_method: str = "spawn"):
        if tasks < 1 or workers < 1:
            raise ValueError("tasks and workers must be >= 1")
        self.n = workloads.calibrate(seconds)
        self.tasks, self.workers = tasks, workers
        self.best: dict[str, Run] = {}
        self.pool_start = 0.0
        self.start_method = start_method  # "spawn": a fresh interpreter, safe beside a kernel's threads
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "CpuRace":
        start = now()
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(self.start_method))
        list(self._pool.map(abs, range(self.workers)))  # create the worker processes now
        self.pool_start = now() - start
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def run(self, mode: str) -> Run:
        """Run *tasks* pieces of work in *mode* (one of :data:`MODES`); keep it if it is the fastest."""
        work = [self.n] * self.tasks
        tl = Timeline()
        c0, t0 = time.process_time(), now()
        if mode == "顺序":
            results = [workloads.cpu_task(n) for n in work]
        elif mode == "线程":
            with ThreadPoolExecutor(self.workers) as pool:
                results = list(pool.map(workloads.cpu_task, work))
        elif mode == "进程":
            if self._pool is None:
                raise RuntimeError("use the race as a context manager: `with CpuRace() as race:`")
            results = list(self._pool.map(workloads.cpu_task, work))
        else:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        wall, cpu = now() - t0, time.process_time() - c0
        for i, (start, end, _pid, _thread) in enumerate(results):
            tl.add(f"任务{i + 1}", start, end, "cpu")
        tl.t0 = t0  # the chart starts when the run started
        got = Run(tl, wall, cpu)
        if mode not in self.best or wall < self.best[mode].wall:
            self.best[mode] = got
        return got

    def speedup(self, mode: str) -> float:
        """Run sequentially and in *mode* once more; best sequential wall time / best wall time of *mode*."""
        self.run("顺序")
        self.run(mode)
        return self.best["顺序"].wall / self.best[mode].wall

    def timelines(self) -> dict[str, Timeline]:
        """The fastest run of each mode so far, in the order of :data:`MODES` (one row order every time)."""
        return {m: self.best[m].timeline for m in MODES if m in self.best}
