"""helpers.timing: the timer decorator and Timeline."""
from __future__ import annotations

import threading
import time

import pytest

from helpers.timing import Timeline, best_of_interleaved, format_seconds, timed


def test_timed_keeps_metadata_returns_result_and_prints(capsys):
    @timed
    def work(x):
        """doc"""
        time.sleep(0.02)
        return x * 2

    assert work(21) == 42
    assert work.__name__ == "work" and work.__doc__ == "doc"
    assert 0.02 <= work.last < 0.5
    out = capsys.readouterr().out
    assert out.startswith("时间消耗 ") and out.strip().endswith(("ms", "s"))


def test_timed_quiet_and_on_exception(capsys):
    @timed(show=False)
    def boom():
        raise ValueError("x")

    with pytest.raises(ValueError):
        boom()
    assert boom.last is not None and capsys.readouterr().out == ""


@pytest.mark.parametrize("seconds,text", [(2.0034, "2.003 s"), (0.0124, "12.4 ms"), (3.1e-6, "3.1 µs"), (4.5e-8, "45 ns")])
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


def test_format_seconds_rejects_negative():
    with pytest.raises(ValueError):
        format_seconds(-1)


def test_timeline_from_threads_overlap_and_totals():
    tl = Timeline()

    def task(name):
        with tl.span(name, kind="io"):
            time.sleep(0.1)

    threads = [threading.Thread(target=task, args=(f"t{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert tl.tasks == sorted(tl.tasks) or len(tl.tasks) == 4
    assert tl.max_overlap() == 4
    assert 0.1 <= tl.elapsed < 0.3
    assert tl.busy() >= 0.4 and tl.busy("io") == tl.busy() and tl.busy("cpu") == 0


def test_timeline_add_validates():
    tl = Timeline()
    with pytest.raises(ValueError):
        tl.add("x", 2.0, 1.0)
    assert Timeline().elapsed == 0.0


def test_timeline_accepts_spans_measured_in_another_process():
    from helpers.runner import run_code

    tl = Timeline()
    r = run_code("import time\na = time.perf_counter(); time.sleep(0.05); print(a, time.perf_counter())", show=False)
    start, end = map(float, r.stdout.split())
    span = tl.add("child", start, end)
    assert 0 < span.start < 5 and 0.05 <= span.duration < 0.5


def test_combine_lines_up_runs_made_one_after_another():
    first = Timeline()
    with first.span("a"):
        time.sleep(0.02)
    time.sleep(0.05)
    second = Timeline()
    with second.span("a"):
        time.sleep(0.02)
    both = Timeline.combine({"顺序": first, "线程": second})
    assert both.tasks == ["顺序 · a", "线程 · a"]
    starts = [s.start for s in both.spans]
    assert max(starts) < 0.01, "each run starts near 0"


def test_best_of_interleaved_runs_in_turns_and_keeps_each_fastest():
    calls = []

    def fast(n):
        calls.append(("fast", n))

    def slow(n):
        calls.append(("slow", n))
        time.sleep(0.02 if len(calls) <= 2 else 0.005)  # the first run is disturbed, later ones are not

    best_fast, best_slow = best_of_interleaved([fast, slow], 7, repeat=3)
    assert calls == [("fast", 7), ("slow", 7)] * 3  # interleaved, with the arguments given
    assert best_fast < 0.005 <= best_slow < 0.02  # each keeps its fastest run, in the order of funcs


def test_best_of_interleaved_rejects_no_repeat():
    with pytest.raises(ValueError):
        best_of_interleaved([print], repeat=0)
