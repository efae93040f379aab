"""helpers.workloads and helpers.widgets."""
from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from helpers import widgets, workloads


def test_spin_and_cpu_task():
    assert workloads.spin(4) == 0 + 1 + 4 + 9
    start, end, pid, name = workloads.cpu_task(1000)
    assert start <= end and pid == os.getpid() and name == "MainThread"
    with pytest.raises(ValueError):
        workloads.spin(-1)


def test_calibrate_gives_roughly_the_asked_duration():
    n = workloads.calibrate(0.05)
    start = time.process_time()
    workloads.spin(n)
    took = time.process_time() - start  # CPU time: what calibrate aims at, whatever else runs
    assert 0.02 < took < 0.5
    with pytest.raises(ValueError):
        workloads.calibrate(0)


def test_cpu_task_runs_in_a_worker_process():
    with ProcessPoolExecutor(1) as pool:
        start, end, pid, _ = pool.submit(workloads.cpu_task, 1000).result(timeout=30)
    assert pid != os.getpid() and end >= start


def test_explore_runs_the_static_fallback_once_outside_a_kernel():
    calls = []
    widgets.explore(lambda n, m: calls.append((n, m)), n=(1, 10, 3), m=(0, 5, 5))
    assert calls == [(3, 5)]


def test_explore_rejects_bad_controls():
    with pytest.raises(ValueError):
        widgets.explore(print)
    with pytest.raises(ValueError):
        widgets.explore(print, n=(5, 1, 3))


def test_widget_bundle_keeps_the_widget_and_replaces_its_repr():
    ipywidgets = pytest.importorskip("ipywidgets")
    slider = ipywidgets.IntSlider(value=3, min=1, max=10)
    bundle = widgets.widget_bundle(slider)
    assert bundle["text/plain"] == widgets.STATIC_TEXT and "IntSlider" not in bundle["text/plain"]
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == slider.model_id
