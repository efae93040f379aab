"""Run one lab server in a subprocess, drive it with load generators, sample its CPU and memory.

:func:`sweep` is what chapter 09 calls: for each server kind and each connection count, a
**fresh** server process (:func:`start_server`: nothing carries over from the level before),
then *clients* load-generator processes (:mod:`helpers.c10k.loadgen`, the N connections
split between them; all hold their connections before any starts measuring) while a :class:`Sampler` thread records the server's CPU time, RSS, and
open descriptors every 20 ms.  Each load generator measures *windows* consecutive windows
(the runs of the level).  Each level gives one :class:`Row`:

- ``rt_per_s`` (median), ``rt_min``, ``rt_max`` — round trips per second of all clients
  together, one value per window;
- ``p50_ms``, ``p99_ms`` — latency over all windows (median of the clients' p50, worst p99);
- ``server_cpu``, ``client_cpu`` — CPUs busy in the server and in all load generators during
  the windows (1.0 = one core busy all the time): whichever is near its share of the machine
  is the side that limits the point;
- ``cpu_us_per_rt`` — server CPU time inside the windows / round trips;
- ``rss_kib_per_conn`` — (peak server RSS during the level − RSS of the idle server) / N: it
  includes transient buffers of the level and excludes the kernel's socket memory;
- ``client_us_per_rt`` — the load generators' CPU time / round trips;
- ``ctx_per_rt``, ``minflt_per_rt`` — the server's context switches and minor page faults inside
  the windows / round trips;
- ``others_cpu`` — CPUs other programs used during the level (:class:`helpers.claims.LoadWatch`);
- ``peak_fds`` — most descriptors the server had open (≥ N proves it held N at once);
- ``corrupted``, ``lost``, ``errors`` — from the load generators' byte-by-byte check.

Used in: 09.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator

import psutil

from helpers import machine, procs
from helpers.claims import LoadWatch
from helpers.c10k import SERVERS, UNBOUNDED, VARIANTS
from helpers.timing import now
from helpers.servers.program import ProgramServer, program_server

__all__ = ["SAMPLE_EVERY", "clients_for", "CTX_EVERY", "context_switches", "levels", "minor_faults", "sizes", "tcp_kernel_memory", "measure", "Row", "run_loadgen", "run_loadgens", "Sample", "Sampler",
           "start_server", "sweep", "table", "write_csv"]

SAMPLE_EVERY = 0.02


@dataclass(frozen=True)
class Sample:
    """One look at the server process."""

    t: float
    cpu: float
    rss: int
    fds: int
    ctx: int = -1       # context switches so far (all threads), -1 when not read
    minflt: int = 0     # minor page faults so far


class Sampler:
    """Samples a process every :data:`SAMPLE_EVERY` seconds in a background thread (``with Sampler(pid) as s:``)."""

    def __init__(self, pid: int, every: float = SAMPLE_EVERY):
        self.proc = psutil.Process(pid)
        self.every = every
        self.samples: list[Sample] = []
        self._taken = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="c10k-sampler")

    def take(self) -> Sample:
        """Sample now."""
        with self.proc.oneshot():
            cpu = self.proc.cpu_times()
            ctx = context_switches(self.proc.pid) if self._taken % CTX_EVERY == 0 else -1
            self._taken += 1
            return Sample(now(), cpu.user + cpu.system, self.proc.memory_info().rss, self.proc.num_fds(),
                          ctx, minor_faults(self.proc.pid))

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
        self._taken = 0  # the last sample reads the context switches too
        try:
            self.samples.append(self.take())
        except psutil.Error:
            pass

    def at(self, t: float, field: str) -> float:
        """*field* linearly interpolated at time *t* (perf_counter clock); ``ctx`` only from the samples that read it."""
        s = [x for x in self.samples if x.ctx >= 0] if field == "ctx" else self.samples
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


CTX_MAX_THREADS = 2000
CTX_EVERY = 5   # read the context switches every 5th sample (100 ms): it costs ~10 µs per thread


def context_switches(pid: int) -> int:
    """Times the threads of process *pid* were switched onto a CPU so far; -1 if unknown or too many threads.

    ``/proc/<pid>/status`` (what ``psutil.Process.num_ctx_switches`` reads on Linux) counts the
    main thread only, so a thread-per-connection server needs the sum over its threads: the third
    field of ``/proc/<pid>/task/<tid>/schedstat`` (time slices run).  Above
    :data:`CTX_MAX_THREADS` threads that sum costs too much to read during a measurement: -1.
    """
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return -1
    if len(tids) > CTX_MAX_THREADS:
        return -1
    total = 0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as f:
                total += int(f.read().split()[2])
        except FileNotFoundError:
            continue  # the thread ended meanwhile
        except (OSError, ValueError, IndexError):
            return -1
    return total


def minor_faults(pid: int) -> int:
    """Minor page faults of process *pid* so far (field 10 of ``/proc/<pid>/stat``), 0 off Linux."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[7])
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class Row:
    """One (server, connection count) measurement; see the module docstring."""

    server: str
    connections: int
    clients: int
    held: int
    rt_per_s: float
    rt_min: float
    rt_max: float
    p50_ms: float
    p99_ms: float
    server_cpu: float
    client_cpu: float
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
    client_us_per_rt: float = math.nan   # load generators' CPU time / round trips
    ctx_per_rt: float = math.nan         # server context switches / round trips
    minflt_per_rt: float = math.nan      # server minor page faults / round trips
    others_cpu: float = math.nan         # CPUs other programs used during the level (LoadWatch)


@contextmanager
def start_server(kind: str, env: dict[str, str] | None = None) -> Iterator[ProgramServer]:
    """Run the server *kind* (a key of :data:`helpers.c10k.SERVERS`, ``VARIANTS`` or ``UNBOUNDED``) in its own process."""
    spec = SERVERS.get(kind) or VARIANTS.get(kind) or UNBOUNDED[kind]
    if not spec.available():
        raise RuntimeError(f"server {kind!r} needs {spec.requires}, which is not installed")
    code = f"import runpy\nrunpy.run_module({spec.module!r}, run_name='__main__', alter_sys=True)\n"
    with program_server(code, env=env, ready_timeout=15.0) as srv:
        yield srv


def _loadgen_argv(address, connections, duration, size, phase_timeout, windows, active) -> list[str]:
    return [sys.executable, "-m", "helpers.c10k.loadgen", f"{address[0]}:{address[1]}", "--connections",
            str(connections), "--duration", str(duration), "--size", str(size), "--phase-timeout", str(phase_timeout),
            "--windows", str(windows), "--sync", "--active", str(active)]


def run_loadgens(address: tuple[str, int], connections: int, clients: int, duration: float, size: int = 1024,
                 phase_timeout: float = 20.0, windows: int = 1, active: int | None = None) -> list[dict]:
    """*clients* load-generator processes at once, the *connections* (and the *active* ones) split between them."""
    split = [connections // clients + (i < connections % clients) for i in range(clients)]
    active = connections if active is None else active
    busy = [max(1, round(active * n / connections)) for n in split]
    running = [procs.popen(_loadgen_argv(address, n, duration, size, phase_timeout, windows, min(a, n)),
                           cwd=tempfile.gettempdir(), env=procs.child_env(), stdin=subprocess.PIPE)
               for n, a in zip(split, busy) if n]
    results, timeout = [], duration * windows + 3 * phase_timeout + 10
    try:
        for proc in running:  # barrier: all hold their connections (or gave up) before any measures
            proc.stdout.readline()
        for proc in running:
            try:
                proc.stdin.write(b"GO\n")
                proc.stdin.close()
            except OSError:  # it already exited (connect failed): its JSON says why
                pass
            proc.stdin = None  # communicate() below must not touch the closed pipe
        for proc in running:
            out, err = proc.communicate(timeout=timeout)
            if proc.returncode != 0:
                raise RuntimeError(f"load generator failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
            results.append(json.loads(out.decode().strip().splitlines()[-1]))
    finally:
        for proc in running:
            if proc.poll() is None:
                procs.stop(proc)
                proc.communicate()
    return results


def run_loadgen(address: tuple[str, int], connections: int, duration: float, size: int = 1024,
                phase_timeout: float = 20.0, windows: int = 1) -> dict:
    """One load-generator process (bounded by a timeout); its JSON result."""
    return run_loadgens(address, connections, 1, duration, size, phase_timeout, windows)[0]


def tcp_kernel_memory(path: str = "/proc/net/sockstat") -> int | None:
    """Bytes the kernel holds for all TCP sockets now (``TCP: … mem P`` in pages), or None off Linux.

    This memory (socket buffers, queued data) is not in any process's RSS.
    """
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("TCP:"):
                    fields = line.split()
                    return int(fields[fields.index("mem") + 1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None
    return None


def levels(*wanted: int, cap: int) -> list[int]:
    """The distinct connection counts of *wanted*, none above *cap*, ascending."""
    return sorted({min(n, cap) for n in wanted})


def sizes(lim: machine.Limits | None = None, quiet: bool = False) -> tuple[int, int, int]:
    """``(N, N_THREADS, MID)`` for chapter 09 on this machine (:func:`helpers.machine.fit` prints when it shrinks).

    N: connections for the event-driven servers (≤ 10,000); N_THREADS: for the thread server
    (≤ 1,000, also bounded by the tasks the cgroup allows); MID: the level every server, the
    thread server included, is measured at (≤ 1,000, ≤ N, ≤ N_THREADS).
    """
    n = machine.fit(10_000, "连接", fds_each=1, bytes_each=64 * 1024, lim=lim, quiet=quiet)
    n_threads = machine.fit(1000, "线程服务器的连接", fds_each=1, bytes_each=64 * 1024, tasks_each=1, lim=lim, quiet=quiet)
    return n, n_threads, min(1000, n, n_threads)


def clients_for(connections: int, lim: machine.Limits | None = None) -> int:
    """How many load-generator processes: one per usable CPU (at least 1, at most 4, at most *connections*)."""
    cpus = (lim or machine.limits()).cpus
    return max(1, min(4, int(cpus), connections))


def _row(kind: str, n: int, results: list[dict], s: Sampler, base, label, env) -> Row:
    windows = [sum(ws) for ws in zip(*(r["rt_per_s_windows"] for r in results))] or [0.0]
    rts = sum(r["round_trips"] for r in results)
    starts, ends = [r["t_start"] for r in results if "t_start" in r], [r["t_end"] for r in results if "t_end" in r]
    if rts and starts and ends:
        t0, t1 = min(starts), max(ends)
        server_s = s.at(t1, "cpu") - s.at(t0, "cpu")
        server_cpu = server_s / (t1 - t0)
        ctx, minflt = s.at(t1, "ctx") - s.at(t0, "ctx"), s.at(t1, "minflt") - s.at(t0, "minflt")
    else:
        server_s = server_cpu = ctx = minflt = math.nan
    span = sum(r["windows"] * r["duration"] for r in results) / len(results)
    return Row(
        server=label or kind, connections=n, clients=len(results), held=sum(r["held"] for r in results),
        rt_per_s=statistics.median(windows), rt_min=min(windows), rt_max=max(windows),
        p50_ms=statistics.median(r["p50_ms"] for r in results), p99_ms=max(r["p99_ms"] for r in results),
        server_cpu=server_cpu, client_cpu=sum(r["cpu_s"] for r in results) / span,
        cpu_us_per_rt=server_s / rts * 1e6 if rts else math.nan,
        rss_kib_per_conn=(s.peak("rss") - base.rss) / n / 1024, peak_fds=int(s.peak("fds")),
        corrupted=sum(r["corrupted"] for r in results), lost=sum(r["lost"] for r in results),
        errors=sum(r["errors"] for r in results), bytes_sent=sum(r["bytes_sent"] for r in results),
        bytes_ok=sum(r["bytes_ok"] for r in results), env=" ".join(f"{k}={v}" for k, v in (env or {}).items()),
        error="; ".join(r["error"] for r in results if r["error"]),
        client_us_per_rt=sum(r["cpu_s"] for r in results) / rts * 1e6 if rts else math.nan,
        ctx_per_rt=ctx / rts if rts else math.nan, minflt_per_rt=minflt / rts if rts else math.nan)


def measure(kind: str, levels: Iterable[int], duration: float = 0.3, size: int = 1024,
            env: dict[str, str] | None = None, label: str | None = None, windows: int = 3,
            clients: int | None = None, active_share: float = 1.0) -> list[Row]:
    """For each connection count in *levels* (ascending): a fresh server, *clients* load generators, one Row.

    With *active_share* < 1 only that share of the connections keeps sending (the rest stay open, idle).
    """
    rows = []
    for n in sorted(levels):
        k = clients or clients_for(n)
        with LoadWatch() as watch, start_server(kind, env) as srv:
            base = Sampler(srv.pid).take()
            with Sampler(srv.pid) as s:
                results = run_loadgens(srv.address, n, k, duration, size, windows=windows,
                                       active=max(1, round(n * active_share)))
            srv.check()
        rows.append(dataclasses.replace(_row(kind, n, results, s, base, label, env), others_cpu=watch.others))
    return rows


def sweep(kinds: Iterable[str], levels: Iterable[int], thread_levels: Iterable[int], duration: float = 0.3,
          size: int = 1024, windows: int = 3) -> list[Row]:
    """:func:`measure` every available server kind; thread-model servers use *thread_levels*."""
    rows = []
    for kind in kinds:
        spec = SERVERS[kind]
        if not spec.available():
            continue
        rows += measure(kind, thread_levels if spec.model == "thread" else levels, duration, size, windows=windows)
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
        lines.append(f"{r.server:<18}{r.connections:>6} 连接  {r.rt_min / 1000:.1f}k/{r.rt_per_s / 1000:.1f}k/"
                     f"{r.rt_max / 1000:.1f}k rt/s  p99 {r.p99_ms:.1f} ms  CPU 服务器 {r.server_cpu:.2f} 核 / "
                     f"客户端×{r.clients} {r.client_cpu:.2f} 核  {r.cpu_us_per_rt:.1f} µs/往返  "
                     f"RSS {r.rss_kib_per_conn:.1f} KiB/连接  {ok}")
    return "\n".join(lines)
