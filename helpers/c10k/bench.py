"""Run one lab server in a subprocess, drive it with the load generator, sample its CPU and memory.

:func:`sweep` is what chapter 09 calls: for each server kind, start its process once
(:func:`start_server`), then for each connection count run :mod:`helpers.c10k.loadgen` in
another process while a :class:`Sampler` thread records the server's CPU time, RSS, and open
descriptors every 20 ms.  Each level gives one :class:`Row`:

- ``rt_per_s``, ``p50_ms``, ``p99_ms`` — from the load generator's measuring window;
- ``cpu_us_per_rt`` — server CPU (user+system) spent inside that window / round trips;
- ``rss_kib_per_conn`` — (peak server RSS during the level − RSS of the idle server) / N;
- ``peak_fds`` — most descriptors the server had open (≥ N proves it held N at once);
- ``corrupted``, ``lost``, ``errors`` — from the load generator's byte-by-byte check.

Levels run in increasing order, so memory freed after a smaller level is reused by the next.

Used in: 09.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator

import psutil

from helpers import procs
from helpers.c10k import SERVERS
from helpers.timing import now
from helpers.servers.program import ProgramServer, program_server

__all__ = ["SAMPLE_EVERY", "measure", "Row", "run_loadgen", "Sample", "Sampler", "start_server", "sweep",
           "table", "write_csv"]

SAMPLE_EVERY = 0.02



@dataclass(frozen=True)
class Sample:
    """One look at the server process."""

    t: float
    cpu: float
    rss: int
    fds: int


class Sampler:
    """Samples a process every :data:`SAMPLE_EVERY` seconds in a background thread (``with Sampler(pid) as s:``)."""

    def __init__(self, pid: int, every: float = SAMPLE_EVERY):
        self.proc = psutil.Process(pid)
        self.every = every
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="c10k-sampler")

    def take(self) -> Sample:
        """Sample now."""
        with self.proc.oneshot():
            cpu = self.proc.cpu_times()
            return Sample(now(), cpu.user + cpu.system, self.proc.memory_info().rss, self.proc.num_fds())

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(self.take())
            except psutil.Error:
                return
            self._stop.wait(self.every)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(2.0)
        try:
            self.samples.append(self.take())
        except psutil.Error:
            pass

    def at(self, t: float, field: str) -> float:
        """*field* linearly interpolated at time *t* (perf_counter clock)."""
        s = self.samples
        if not s:
            return math.nan
        if t <= s[0].t:
            return getattr(s[0], field)
        for a, b in zip(s, s[1:]):
            if a.t <= t <= b.t:
                va, vb = getattr(a, field), getattr(b, field)
                return va if b.t == a.t else va + (vb - va) * (t - a.t) / (b.t - a.t)
        return getattr(s[-1], field)

    def peak(self, field: str) -> float:
        """Largest value of *field* seen."""
        return max((getattr(x, field) for x in self.samples), default=math.nan)


@dataclass
class Row:
    """One (server, connection count) measurement; see the module docstring."""

    server: str
    connections: int
    held: int
    rt_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_rt: float
    rss_kib_per_conn: float
    peak_fds: int
    corrupted: int
    lost: int
    errors: int
    bytes_sent: int
    bytes_ok: int
    env: str = ""
    error: str = ""


@contextmanager
def start_server(kind: str, env: dict[str, str] | None = None) -> Iterator[ProgramServer]:
    """Run the server *kind* (a key of :data:`helpers.c10k.SERVERS`) in its own process."""
    spec = SERVERS[kind]
    if not spec.available():
        raise RuntimeError(f"server {kind!r} needs {spec.requires}, which is not installed")
    code = f"import runpy\nrunpy.run_module({spec.module!r}, run_name='__main__', alter_sys=True)\n"
    with program_server(code, env=env, ready_timeout=15.0) as srv:
        yield srv


def run_loadgen(address: tuple[str, int], connections: int, duration: float, size: int = 1024,
                phase_timeout: float = 20.0) -> dict:
    """Run :mod:`helpers.c10k.loadgen` in a child process (bounded by a timeout); return its JSON."""
    argv = [sys.executable, "-m", "helpers.c10k.loadgen", f"{address[0]}:{address[1]}", "--connections",
            str(connections), "--duration", str(duration), "--size", str(size), "--phase-timeout", str(phase_timeout)]
    proc = procs.popen(argv, cwd=tempfile.gettempdir(), env=procs.child_env())
    try:
        out, err = proc.communicate(timeout=duration + 3 * phase_timeout + 10)
    except subprocess.TimeoutExpired:
        procs.stop(proc)
        proc.communicate()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])


def _settle(sampler: Sampler, fds: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if sampler.proc.num_fds() <= fds:
                return
        except psutil.Error:
            return
        time.sleep(0.05)


def measure(kind: str, levels: Iterable[int], duration: float = 0.3, size: int = 1024,
            env: dict[str, str] | None = None, label: str | None = None) -> list[Row]:
    """One server process, one load-generator run per connection count in *levels* (ascending)."""
    rows = []
    levels = sorted(levels)
    with start_server(kind, env) as srv:
        idle = Sampler(srv.pid)
        time.sleep(0.1)
        base = idle.take()
        for n in levels:
            with Sampler(srv.pid) as s:
                r = run_loadgen(srv.address, n, duration, size)
            srv.check()
            rts = r["round_trips"]
            if rts and "t_start" in r:
                cpu = s.at(r["t_end"], "cpu") - s.at(r["t_start"], "cpu")
            else:
                cpu = math.nan
            rows.append(Row(
                server=label or kind, connections=n, held=r["held"], rt_per_s=r["rt_per_s"], p50_ms=r["p50_ms"],
                p99_ms=r["p99_ms"], cpu_us_per_rt=cpu / rts * 1e6 if rts else math.nan,
                rss_kib_per_conn=(s.peak("rss") - base.rss) / n / 1024, peak_fds=int(s.peak("fds")),
                corrupted=r["corrupted"], lost=r["lost"], errors=r["errors"], bytes_sent=r["bytes_sent"],
                bytes_ok=r["bytes_ok"], env=" ".join(f"{k}={v}" for k, v in (env or {}).items()), error=r["error"]))
            if n != max(levels):
                _settle(idle, base.fds)
    return rows


def sweep(kinds: Iterable[str], levels: Iterable[int], thread_levels: Iterable[int], duration: float = 0.3,
          size: int = 1024) -> list[Row]:
    """:func:`measure` every available server kind; thread-model servers use *thread_levels*."""
    rows = []
    for kind in kinds:
        spec = SERVERS[kind]
        if not spec.available():
            continue
        rows += measure(kind, thread_levels if spec.model == "thread" else levels, duration, size)
    return rows


def write_csv(rows: list[Row], path: str | os.PathLike) -> str:
    """Write *rows* as CSV to *path* (put it in a temporary directory, never the repository); return the path."""
    fields = [f.name for f in dataclasses.fields(Row)]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow(dataclasses.asdict(r))
    return str(path)


def table(rows: list[Row]) -> str:
    """One line per row, units on every number and no padding inside numbers, so nbval's sanitizer masks them."""
    lines = []
    for r in rows:
        ok = "✓" if r.held == r.connections and not (r.corrupted or r.lost or r.errors) else "✗"
        lines.append(f"{r.server:<20}{r.connections:>6} 连接  {r.rt_per_s / 1000:.1f}k rt/s  p50 {r.p50_ms:.2f} ms  "
                     f"p99 {r.p99_ms:.2f} ms  CPU {r.cpu_us_per_rt:.1f} µs/往返  RSS {r.rss_kib_per_conn:.1f} KiB/连接  {ok}")
    return "\n".join(lines)
