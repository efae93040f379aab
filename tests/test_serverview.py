"""helpers.serverview: the slow-site server's records as a timeline."""
from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers.serverview import requests_timeline, wait_for_requests
from helpers.servers import Site, slow_site_server


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except (urllib.error.URLError, ConnectionError) as exc:
        return type(exc).__name__


def test_concurrent_requests_give_overlapping_spans_and_errors_are_marked():
    sites = {"a": Site(latency=0.2), "b": Site(latency=0.3), "bad": Site(latency=0.05, fault="reset")}
    with slow_site_server(sites) as srv:
        mark = len(srv.requests)
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(fetch, srv.urls()))
        records = wait_for_requests(srv, 3, since=mark)
    tl = requests_timeline(records)
    assert sorted(tl.tasks) == ["a", "b", "bad"]
    assert tl.max_overlap() == 3
    assert 0.3 <= tl.elapsed < 0.3 + 0.5
    assert min(s.start for s in tl.spans) == 0.0
    kinds = {s.task: s.kind for s in tl.spans}
    assert kinds == {"a": "io", "b": "io", "bad": "error"}


def test_labels_and_sequential_requests():
    with slow_site_server({"a": Site(latency=0.1), "b": Site(latency=0.1)}) as srv:
        for url in srv.urls():
            fetch(url)
        records = wait_for_requests(srv, 2)
    tl = requests_timeline(records, label=lambda r: r.site.upper())
    assert tl.tasks == ["A", "B"] and tl.max_overlap() == 1 and tl.elapsed >= 0.2


def test_wait_for_requests_times_out_and_checks_arguments():
    with slow_site_server({}) as srv:
        with pytest.raises(TimeoutError):
            wait_for_requests(srv, 1, timeout=0.05)
        with pytest.raises(ValueError):
            wait_for_requests(srv, -1)
        assert wait_for_requests(srv, 0) == []


def test_wait_for_requests_filters_by_site():
    with slow_site_server({"a": Site(latency=0.0), "b": Site(latency=0.0)}) as srv:
        for url in [srv.url("a"), srv.url("b"), srv.url("a")]:
            fetch(url)
        assert [r.site for r in wait_for_requests(srv, 2, site="a")] == ["a", "a"]
        assert [r.site for r in wait_for_requests(srv, 3, site=["a", "b"])] == ["a", "b", "a"]
        assert [r.site for r in wait_for_requests(srv, 1, since=1)] == ["b"]
        with pytest.raises(TimeoutError, match="for b"):
            wait_for_requests(srv, 2, site="b", timeout=0.05)
