"""Pack the spans of many short tasks into a few rows ("lanes") so a Gantt chart stays readable.

A hundred requests made by a pool of ten greenlets would give a hundred rows.  :func:`pack`
puts each span into the lowest-numbered lane that is free when it starts (greedy interval
partitioning), so the number of lanes equals the largest number of spans in progress at
one instant — for a pool of ten, ten lanes, and the chart shows the waves.

Spans measured by another party (e.g. a server's records of a client's requests) can overlap
by a few milliseconds where the client saw one request end before the next began; *tolerance*
(seconds) lets a span start that much before the previous one in its lane ends.
"""
from __future__ import annotations

import heapq

from helpers.timing import Span, Timeline


def assign(spans: list[Span], tolerance: float = 0.0) -> list[int]:
    """Lane index (0-based) for each span, in the order given.  A span ending exactly when
    another starts (or at most *tolerance* seconds after) frees its lane for it."""
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


def pack(timeline: Timeline, label: str = "并发槽 {}", tolerance: float = 0.0) -> Timeline:
    """A new timeline with the same spans, each on a lane named ``label.format(k)`` (k from 1)."""
    spans = timeline.spans
    lanes = assign(spans, tolerance)
    packed = Timeline(timeline.title)
    packed.t0 = 0.0  # spans are already relative: copy them unchanged
    for lane in sorted(set(lanes)):  # rows in lane order
        for s, k in zip(spans, lanes):
            if k == lane:
                packed.add(label.format(lane + 1), s.start, s.end, s.kind)
    return packed
