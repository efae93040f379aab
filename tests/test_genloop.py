"""helpers.genloop: round robin, sleep-aware waits, results, timeline, errors."""
from __future__ import annotations

import pytest

from helpers.genloop import Scheduler, sleep
from helpers.timing import Timeline, now


def test_bare_yield_is_round_robin():
    out = []

    def task(name, n):
        for i in range(n):
            out.append(f"{name}{i}")
            yield
        return name * 2

    s = Scheduler()
    a, b = s.spawn(task("a", 3)), s.spawn(task("b", 2))
    s.run()
    assert out == ["a0", "b0", "a1", "b1", "a2"]
    assert (a.result, b.result, a.done, b.done) == ("aa", "bb", True, True)
    assert s.steps == 4 + 3  # each task is resumed once more to finish


def test_sleepers_overlap_and_wake_in_order():
    woke = []

    def sleeper(name, delay):
        yield sleep(delay)
        woke.append(name)

    tl = Timeline()
    s = Scheduler(timeline=tl)
    start = now()
    for name, delay in [("slow", 0.15), ("fast", 0.05), ("mid", 0.1)]:
        s.spawn(sleeper(name, delay), name)
    s.run()
    elapsed = now() - start
    assert woke == ["fast", "mid", "slow"]
    assert 0.15 <= elapsed < 0.27, "sleeps overlap: total ≈ the longest, not the sum (0.3 s)"
    assert tl.max_overlap() == 3 and set(tl.tasks) == {"slow", "fast", "mid"}
    waits = {sp.task: sp.duration for sp in tl.spans if sp.kind == "parked"}
    assert waits["slow"] >= 0.149 and waits["fast"] >= 0.049


def test_a_blocking_call_inside_a_task_blocks_everyone():
    import time

    def blocker():
        time.sleep(0.1)  # not yielded: the scheduler cannot run anyone else
        yield

    def ticker(log):
        for _ in range(3):
            log.append(now())
            yield sleep(0.01)

    log = []
    s = Scheduler()
    s.spawn(blocker())
    s.spawn(ticker(log))
    start = now()
    s.run()
    assert log[0] - start >= 0.1


def test_exceptions_propagate_and_sleep_is_validated():
    def bad():
        yield
        raise KeyError("boom")

    s = Scheduler()
    s.spawn(bad())
    with pytest.raises(KeyError):
        s.run()
    with pytest.raises(ValueError):
        sleep(-1)
    assert s.spawn((x for x in ())).name == "<genexpr>"


def test_wait_is_the_only_blocking_point_and_can_be_overridden():
    calls = []

    class Recording(Scheduler):
        def wait(self, timeout):
            calls.append(timeout)
            super().wait(timeout)

    def napper():
        yield sleep(0.02)

    s = Recording()
    s.spawn(napper())
    s.run()
    assert len(calls) == 1 and 0 < calls[0] <= 0.02


def test_the_timeline_tells_parked_from_ready():
    import time

    def blocker():
        yield sleep(0.0)
        time.sleep(0.08)  # holds the thread: the ticker is due but cannot run

    def ticker():
        yield sleep(0.01)

    tl = Timeline()
    s = Scheduler(timeline=tl)
    s.spawn(blocker(), "blocker")
    s.spawn(ticker(), "ticker")
    s.run()
    kinds = {(sp.task, sp.kind): sp.duration for sp in tl.spans if sp.task == "ticker"}
    assert 0.009 <= kinds[("ticker", "parked")] < 0.05, "parked: from the sleep until it is due"
    assert kinds[("ticker", "ready")] >= 0.06, "ready but not running while the blocker holds the thread"
    assert all(sp.end > sp.start for sp in tl.spans)
