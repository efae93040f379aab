"""Measured claims, judged on the learner's own machine, in one line the learner reads.

Used in: 01–09.

A chapter says "two processes run pure-Python work about twice as fast as one" — true on two
free CPUs, false on Binder's one CPU, unprovable while a browser eats a core.  :func:`claim`
measures, judges against a prediction the chapter made *for this machine* (see
:mod:`helpers.machine`), and prints one line::

    ✅ 成立：… —— 本机测得 1.93×（预测 ≥ 1.5×）
    ⚠️ 这次无法判断：… —— 本机测得 1.12×（预测 ≥ 1.5×）。测量期间别的程序占用了约 0.9 个 CPU，…
    ❌ 与预测不符：… —— 本机测得 1.12×（预测 ≥ 1.5×）。测量期间机器空闲，…

How it measures: ``measure()`` is called once; if the prediction does not hold yet, it is
called again (best-of) until *repeat* samples or *budget* seconds are used.  Meanwhile it
watches how much CPU **other programs** took on the CPUs this process may use (``/proc/stat``
minus this process and its children) and whether the cgroup throttled it.  A claim that does
not hold is **inconclusive** only when that load explains it; otherwise it **fails**.

The learner never gets a traceback from a claim.  In the test run (``COURSE_CLAIMS=strict``,
set by the course's pytest plugin) a failing claim raises :class:`ClaimFailed`; inconclusive
ones are allowed (the load justified them) and every verdict is appended as a JSON line to
``$COURSE_CLAIMS_LOG`` so the run can report them.
"""
from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import psutil

from helpers import machine

__all__ = ["Verdict", "ClaimFailed", "LoadWatch", "claim", "format_value", "BUSY_CPUS"]

BUSY_CPUS = 0.25        # other programs' CPU (in CPUs) during a measurement that can spoil it
THROTTLED_SHARE = 0.05  # share of the wall time the cgroup held this process back
HOLDS, INCONCLUSIVE, FAILS = "holds", "inconclusive", "fails"


class ClaimFailed(AssertionError):
    """A claim did not hold on a machine that was quiet enough to show it (test runs only)."""


def _proc_stat_busy(cpus: set[int]) -> float:
    """Busy seconds so far of the given CPUs (all but idle and iowait), from /proc/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    busy = 0
    with open("/proc/stat") as f:
        for line in f:
            if not line.startswith("cpu") or line.startswith("cpu "):
                continue
            name, *values = line.split()
            if int(name[3:]) in cpus:
                v = [int(x) for x in values]
                busy += sum(v[:8]) - v[3] - v[4]  # user nice system idle iowait irq softirq steal
    return busy / tick


def _own_cpu() -> float:
    """CPU seconds used by this process, its reaped children, and its live descendants."""
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    try:
        for child in psutil.Process().children(recursive=True):
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def _throttled_seconds() -> float:
    """Seconds the cgroup's CPU controller has held this cgroup back so far (0 if unknown)."""
    text = machine.cgroup_setting("cpu", "cpu.stat", "cpu.stat") or ""
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "throttled_usec":
            return int(value) / 1e6
        if key == "throttled_time":  # cgroup v1, nanoseconds
            return int(value) / 1e9
    return 0.0


class LoadWatch:
    """``with LoadWatch() as w:`` — afterwards ``w.others`` is the CPUs other programs used on average.

    Also ``w.own`` (CPU seconds of this process and its children), ``w.wall`` (seconds) and
    ``w.throttled`` (share of the wall time the cgroup held this process back).
    """

    def __enter__(self):
        self.cpus = os.sched_getaffinity(0)
        self._start = (time.monotonic(), _proc_stat_busy(self.cpus), _own_cpu(), _throttled_seconds())
        return self

    def __exit__(self, *exc):
        wall0, busy0, own0, thr0 = self._start
        self.wall = max(time.monotonic() - wall0, 1e-9)
        busy = _proc_stat_busy(self.cpus) - busy0
        own = self.own = _own_cpu() - own0
        # /proc/stat counts in clock ticks (10 ms): short windows are rounded, so never below 0
        self.others = max(0.0, busy - own) / self.wall
        self.throttled = (_throttled_seconds() - thr0) / self.wall
        return False

    @property
    def busy(self) -> bool:
        """Whether other programs or the cgroup took enough CPU to spoil a measurement."""
        return self.others >= BUSY_CPUS or self.throttled >= THROTTLED_SHARE


@dataclass
class Verdict:
    """The outcome of one claim, with the learner's own numbers."""

    text: str
    status: str
    value: float
    expected: str
    unit: str = ""
    samples: list[float] = field(default_factory=list)
    detail: str = ""
    others_cpu: float = 0.0
    throttled: float = 0.0
    seconds: float = 0.0

    @property
    def holds(self) -> bool:
        return self.status == HOLDS


def format_value(value: float, unit: str) -> str:
    """A measured value as the learner reads it: ``1.93×``, ``12.3 ms``, ``87%``, ``16.1 KiB``."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if unit == "s":
        from helpers.timing import format_seconds
        return format_seconds(value)
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "%":
        return f"{value:.0f}%"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return f"{text} {unit}" if unit else text


def _expected(at_least, at_most, unit: str) -> str:
    if at_least is not None and at_most is not None:
        return f"{format_value(at_least, unit)} ～ {format_value(at_most, unit)}"
    if at_least is not None:
        return f"≥ {format_value(at_least, unit)}"
    if at_most is not None:
        return f"≤ {format_value(at_most, unit)}"
    return "成立"


def _distance(v: float, at_least, at_most) -> float:
    """0 when *v* satisfies the bounds, else how far (relative) it is from them."""
    if at_least is not None and v < at_least:
        return (at_least - v) / max(abs(at_least), 1e-12)
    if at_most is not None and v > at_most:
        return (v - at_most) / max(abs(at_most), 1e-12)
    return 0.0


def claim(text: str, measure: Callable[[], object], *, at_least: float | None = None,
          at_most: float | None = None, unit: str = "", repeat: int = 3, budget: float = 5.0,
          busy_hint: str = "关掉其他占用 CPU 的程序（或等它们结束），再运行这个单元格。",
          fail_hint: str = "把这一行和上面的输出一起记下来：它说明这台机器和课程的预测不一样，值得讨论。",
          quiet: bool = False) -> Verdict:
    """Measure, judge and print one line; return the :class:`Verdict`.

    *measure* returns a number, a bool (the claim is "this is true"), or ``(number, detail)``
    where *detail* is a short text shown with the verdict.  The prediction is
    ``at_least <= value <= at_most`` (either bound may be omitted); with neither bound a
    number must be truthy.  *unit* formats numbers (``"×"``, ``"s"``, ``"%"``, ``"KiB"`` …).
    A bool claim is measured once; a numeric one up to *repeat* times within *budget* s.
    """
    strict = os.environ.get("COURSE_CLAIMS") == "strict"
    samples: list[float] = []
    detail = ""
    start = time.monotonic()
    with LoadWatch() as load:
        while True:
            got = measure()
            got, detail = got if isinstance(got, tuple) else (got, detail)
            samples.append(got)
            if isinstance(got, bool) or (at_least is None and at_most is None):
                best = got
                ok = bool(got)
                break
            best = min(samples, key=lambda v: _distance(v, at_least, at_most))
            ok = _distance(best, at_least, at_most) == 0
            if ok or len(samples) >= repeat or time.monotonic() - start >= budget:
                break
    status = HOLDS if ok else (INCONCLUSIVE if load.busy else FAILS)
    verdict = Verdict(text, status, best, _expected(at_least, at_most, unit), unit, samples, detail,
                      round(load.others, 3), round(load.throttled, 3), time.monotonic() - start)
    measured = "" if isinstance(best, bool) else f" —— 本机测得 {format_value(best, unit)}（预测 {verdict.expected}）"
    extra = f"；{detail}" if detail else ""
    if status == HOLDS:
        line = f"✅ 成立：{text}{measured}{extra}"
    elif status == INCONCLUSIVE:
        why = (f"测量期间别的程序占用了约 {load.others:.1f} 个 CPU" if load.others >= BUSY_CPUS
               else f"测量期间容器的 CPU 配额让本进程等待了 {load.throttled:.0%} 的时间")
        line = (f"⚠️ 这次无法判断：{text}{measured}{extra}。{why}，这样的结果说明不了问题；{busy_hint}")
    else:
        line = (f"❌ 与预测不符：{text}{measured}{extra}。测量期间机器足够空闲"
                f"（别的程序约占 {load.others:.1f} 个 CPU），所以这不是干扰造成的；{fail_hint}")
    if not quiet:
        print(line)
    _record(verdict)
    if strict and status == FAILS:
        raise ClaimFailed(line + f"\nsamples: {samples}")
    return verdict


def _record(verdict: Verdict) -> None:
    path = os.environ.get("COURSE_CLAIMS_LOG")
    if not path:
        return
    row = asdict(verdict)
    row["samples"] = [None if isinstance(s, float) and math.isnan(s) else s for s in row["samples"]]
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
