"""helpers.switchcost: the switching ladder call ≈ generator < greenlet < thread."""
from __future__ import annotations

import threading

import pytest

from helpers import switchcost


def test_each_benchmark_returns_a_positive_time_per_round_trip():
    for kind in switchcost.BENCHES:
        t = switchcost.round_trip(kind, n=200, repeat=2)
        assert 0 < t < 0.01, (kind, t)


def test_the_ladder_has_wide_gaps():
    ns = switchcost.ladder(repeat=3, scale=0.5)
    assert list(ns) == ["call", "generator", "greenlet", "thread"]
    assert ns["generator"] * 5 < ns["greenlet"], ns
    assert ns["greenlet"] * 5 < ns["thread"], ns
    assert ns["generator"] < 3 * ns["call"], "a generator send costs about one function call"


def test_no_thread_or_greenlet_is_left_behind():
    before = threading.active_count()
    switchcost.round_trip("thread", n=100, repeat=2)
    switchcost.round_trip("greenlet", n=100, repeat=2)
    assert threading.active_count() == before


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        switchcost.round_trip("fiber")
    with pytest.raises(ValueError):
        switchcost.round_trip("call", n=0)
    with pytest.raises(ValueError):
        switchcost.ladder(kinds=("call", "fiber"))
    with pytest.raises(ValueError):
        switchcost.ladder(repeat=0)
    assert set(switchcost.LABELS) == set(switchcost.BENCHES) == set(switchcost.DEFAULT_N)
