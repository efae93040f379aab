"""What the learner's machine lets a demo use: CPUs, memory, open files, processes.

Used in: 00, 01, 04, 05, 07, 09 (and by :mod:`helpers.claims` for every measured claim).

A laptop, Binder (about 1–2 GB and usually 1 CPU), a JupyterHub pod and a CI runner differ,
and ``os.cpu_count()`` sees none of the limits that matter.  :func:`limits` reads them:

- usable CPUs: the CPU affinity (``taskset``, cpusets) and the cgroup's CPU quota
  (cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``/``cpu.cfs_period_us``), whichever is smaller;
- memory: the cgroup's limit (``memory.max`` / ``memory.limit_in_bytes``) and what the
  system has available now;
- open files: ``RLIMIT_NOFILE`` (soft and hard);
- tasks: the cgroup's ``pids.max`` minus ``pids.current``, and ``RLIMIT_NPROC``.

:func:`fit` sizes a demo to those limits and says in one sentence when it had to shrink it.
"""
from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

import psutil

__all__ = ["Limits", "limits", "describe", "fit", "cgroup_setting"]

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _cgroup_paths(root: Path, proc_cgroup: Path, v1: str, name_v1: str, name_v2: str) -> list[Path]:
    """Candidate files for one cgroup setting, most specific first (v2, then v1)."""
    found = []
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        rel = path.lstrip("/")
        if controllers == "":  # cgroup v2: one unified hierarchy
            found += [root / rel / name_v2, root / "unified" / rel / name_v2]
        elif v1 in controllers.split(","):
            found += [root / controllers / rel / name_v1, root / v1 / rel / name_v1]
    found += [root / name_v2, root / v1 / name_v1]
    return found


def _read_first(paths: list[Path]) -> str | None:
    for p in paths:
        try:
            return p.read_text().strip()
        except OSError:
            continue
    return None


def cgroup_setting(v1: str, name_v1: str, name_v2: str, root: Path = CGROUP_ROOT,
                   proc_cgroup: Path = Path("/proc/self/cgroup")) -> str | None:
    """The text of this process's cgroup file (v2 *name_v2*, or v1 controller *v1*'s *name_v1*), or None."""
    return _read_first(_cgroup_paths(root, proc_cgroup, v1, name_v1, name_v2))


@dataclass(frozen=True)
class Limits:
    """The limits a demo must fit in (``None``: no limit set)."""

    cpus: float                # usable CPUs: min(affinity, quota)
    affinity: int              # CPUs this process may run on
    quota: float | None        # cgroup CPU quota in CPUs
    memory_limit: int | None   # cgroup memory limit, bytes
    memory_available: int      # available now (system), bytes
    nofile_soft: int
    nofile_hard: int
    tasks: int | None          # how many more processes/threads the cgroup allows

    @property
    def memory(self) -> int:
        """Bytes a demo may count on: the smaller of the cgroup limit and what is available now."""
        return min(self.memory_available, self.memory_limit or self.memory_available)


def limits(root: Path = CGROUP_ROOT, proc_cgroup: Path = Path("/proc/self/cgroup")) -> Limits:
    """Read the current limits (see the module docstring); *root*/*proc_cgroup* are for tests."""
    affinity = len(os.sched_getaffinity(0))
    quota = None
    cpu_max = cgroup_setting("cpu", "", "cpu.max", root, proc_cgroup)
    if cpu_max and cpu_max.split()[0] != "max":
        q, period = cpu_max.split()[:2]
        quota = int(q) / int(period)
    else:
        q = cgroup_setting("cpu", "cpu.cfs_quota_us", "-", root, proc_cgroup)
        period = cgroup_setting("cpu", "cpu.cfs_period_us", "-", root, proc_cgroup)
        if q and period and int(q) > 0:
            quota = int(q) / int(period)
    mem = cgroup_setting("memory", "memory.limit_in_bytes", "memory.max", root, proc_cgroup)
    memory_limit = int(mem) if mem and mem != "max" and int(mem) < 2**60 else None
    pids_max = cgroup_setting("pids", "pids.max", "pids.max", root, proc_cgroup)
    pids_now = cgroup_setting("pids", "pids.current", "pids.current", root, proc_cgroup)
    tasks = int(pids_max) - int(pids_now or 0) if pids_max and pids_max != "max" else None
    nproc_soft = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    if nproc_soft != resource.RLIM_INFINITY and os.geteuid() != 0:  # root is not held to RLIMIT_NPROC
        tasks = nproc_soft if tasks is None else min(tasks, nproc_soft)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    big = 2**31
    return Limits(
        cpus=min(affinity, quota) if quota else float(affinity), affinity=affinity, quota=quota,
        memory_limit=memory_limit, memory_available=psutil.virtual_memory().available,
        nofile_soft=big if soft == resource.RLIM_INFINITY else soft,
        nofile_hard=big if hard == resource.RLIM_INFINITY else hard, tasks=tasks)


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def describe(lim: Limits | None = None) -> str:
    """One sentence on this machine's limits, for the learner."""
    lim = lim or limits()
    cpus = f"{lim.cpus:g} 个可用 CPU"
    if lim.quota is not None and lim.quota < lim.affinity:
        cpus += f"（CPU 配额 {lim.quota:g}，可运行在 {lim.affinity} 个核上）"
    mem = f"内存可用 {_gib(lim.memory)}" + (f"（上限 {_gib(lim.memory_limit)}）" if lim.memory_limit else "")
    files = f"最多打开 {lim.nofile_soft} 个文件描述符（硬上限 {lim.nofile_hard}）"
    tasks = "" if lim.tasks is None else f"，还能再建 {lim.tasks} 个进程/线程"
    return f"本机：{cpus}，{mem}，{files}{tasks}。"


def fit(wanted: int, what: str, *, fds_each: float = 0, bytes_each: float = 0, tasks_each: float = 0,
        reserve_fds: int = 100, memory_share: float = 0.5, nofile: int | None = None,
        lim: Limits | None = None, quiet: bool = False) -> int:
    """How many of *what* (≤ *wanted*) fit this machine; prints a sentence when fewer than *wanted*.

    Each unit needs *fds_each* descriptors (against *nofile*, default the soft limit, minus
    *reserve_fds*), *bytes_each* bytes (against *memory_share* of :attr:`Limits.memory`) and
    *tasks_each* processes/threads (against the cgroup's remaining tasks).  Never returns less
    than 1.
    """
    if wanted < 1:
        raise ValueError("wanted must be at least 1")
    lim = lim or limits()
    caps = {}
    if fds_each:
        caps["文件描述符上限（ulimit -n）"] = int(((nofile or lim.nofile_soft) - reserve_fds) / fds_each)
    if bytes_each:
        caps["内存"] = int(lim.memory * memory_share / bytes_each)
    if tasks_each and lim.tasks is not None:
        caps["进程/线程数上限（pids.max）"] = int((lim.tasks - 16) / tasks_each)
    n, reason = wanted, None
    for name, cap in caps.items():
        if cap < n:
            n, reason = max(1, cap), name
    if reason and not quiet:
        print(f"ℹ️ 这台机器的{reason}容不下 {wanted} 个{what}：本次只用 {n} 个。")
    return n
