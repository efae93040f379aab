"""helpers.multiplex_bench: per-call costs, fresh subprocess per N, the TLPI reference table."""
from __future__ import annotations

import pytest

from helpers import multiplex_bench as mb


def test_measure_in_process_returns_positive_costs():
    row = mb.measure(20, repeats=2, budget=0.002)
    assert set(row) == {"select", "poll", "epoll"}
    assert all(v is not None and 0 < v < 0.01 for v in row.values())


def test_select_is_skipped_when_fd_values_reach_fd_setsize():
    row = mb.run_one(1100, ["select", "epoll"], repeats=1, budget=0.002)
    assert row["select"] is None and row["epoll"] > 0


def test_run_uses_subprocesses_and_poll_grows_with_n():
    table = mb.run([10, 2000], ["poll", "epoll"], repeats=3, budget=0.005)
    assert set(table["poll"]) == {10, 2000}
    assert table["poll"][2000] > 5 * table["poll"][10]  # 200× more descriptors
    assert table["epoll"][2000] < 10 * table["epoll"][10]  # flat (generous slack for a busy machine)


def test_reference_table_and_formatting():
    ref = mb.tlpi_per_call()
    assert ref["poll"][10000] == pytest.approx(990 / 100_000)
    text = mb.format_table({"epoll": {10: 1e-6}})
    assert "1.00 µs" in text and "9900.00 µs" in text


def test_unknown_api_is_refused():
    with pytest.raises(ValueError):
        mb.measure(1, ["kqueue"])


def test_measure_ready_reports_every_k_and_grows_with_ready_descriptors():
    row = mb.measure_ready(200, [1, 200], repeats=3, budget=0.005)
    assert set(row) == {1, 200}
    assert row[200] > 5 * row[1]  # 200 events copied out and turned into tuples vs one


def test_run_ready_runs_in_a_subprocess_and_refuses_bad_k():
    row = mb.run_ready(50, [0, 5], repeats=1, budget=0.002)
    assert set(row) == {0, 5} and all(v > 0 for v in row.values())
    with pytest.raises(ValueError):
        mb.measure_ready(10, [11])
