"""helpers.timing lanes (Timeline.packed, assign_lanes): as many lanes as the peak overlap, spans unchanged."""
from __future__ import annotations

import random

from helpers.timing import Span, Timeline, assign_lanes


def make(spans):
    tl = Timeline()
    tl.t0 = 0.0
    for task, start, end in spans:
        tl.add(task, start, end)
    return tl


def test_waves_of_a_pool_of_two():
    tl = make([(f"job{i}", (i // 2) * 1.0, (i // 2) * 1.0 + 1.0) for i in range(6)])
    packed = tl.packed()
    assert packed.tasks == ["并发槽 1", "并发槽 2"]
    assert sorted((s.start, s.end) for s in packed.spans) == sorted((s.start, s.end) for s in tl.spans)


def test_lanes_never_overlap_and_their_number_is_the_peak_overlap():
    rng = random.Random(4)
    for _ in range(50):
        spans = []
        for i in range(40):
            start = rng.uniform(0, 10)
            spans.append((f"t{i}", start, start + rng.uniform(0.01, 3)))
        tl = make(spans)
        lanes = assign_lanes(tl.spans)
        assert max(lanes) + 1 == tl.max_overlap()
        for k in set(lanes):
            mine = sorted((s for s, lane in zip(tl.spans, lanes) if lane == k), key=lambda s: s.start)
            assert all(a.end <= b.start for a, b in zip(mine, mine[1:]))


def test_kinds_and_label_are_kept():
    tl = make([("a", 0, 1), ("b", 0.5, 2)])
    tl2 = Timeline()
    tl2.t0 = 0.0
    for s in tl.spans:
        tl2.add(s.task, s.start, s.end, kind="error" if s.task == "b" else "io")
    packed = tl2.packed(label="slot {}")
    assert [(s.task, s.kind) for s in packed.spans] == [("slot 1", "io"), ("slot 2", "error")]
    assert assign_lanes([]) == [] and Timeline().packed().spans == []
    assert assign_lanes([Span("x", 0, 1), Span("y", 1, 2)]) == [0, 0]


def test_tolerance_absorbs_small_measurement_skew_only():
    spans = [Span("a", 0.0, 1.003), Span("b", 1.0, 2.0), Span("c", 0.0, 1.002)]
    assert max(assign_lanes(spans)) + 1 == 2 + 1  # strict: the 3 ms overlap needs a third lane
    assert max(assign_lanes(spans, tolerance=0.005)) + 1 == 2
    assert max(assign_lanes([Span("a", 0, 1.1), Span("b", 1.0, 2.0)], tolerance=0.005)) == 1  # a real overlap stays
    tl = make([("x", 0, 1.002), ("y", 1.0, 2.0)])
    assert tl.packed(tolerance=0.005).tasks == ["并发槽 1"]
    import pytest
    with pytest.raises(ValueError):
        assign_lanes([], tolerance=-1)
