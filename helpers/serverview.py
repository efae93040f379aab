"""The server's view: timelines from what the slow-site server saw: one span per request, on the clock every process shares.

A crawler that runs in a subprocess (a monkey-patched gevent program) cannot easily hand its
timings back to the notebook, but it does not have to: :class:`helpers.servers.SlowSiteServer`
records every request with ``time.perf_counter()`` — the system-wide monotonic clock on Linux —
so the notebook can draw the crawler's Gantt chart from the server's side::

    mark = len(srv.requests)
    ...  run the crawler ...
    records = wait_for_requests(srv, 5, since=mark)
    plots.gantt(requests_timeline(records), "gevent 爬虫（服务器视角）")

A request's span runs from the moment the server started handling the connection to the moment
its reply was sent (or the request failed); failed requests have the kind ``"error"``.

Used in: 04.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable

from helpers.timing import Timeline

__all__ = ["requests_timeline", "wait_for_requests"]


def wait_for_requests(server, count: int, *, since: int = 0, site: str | Iterable[str] | None = None,
                      timeout: float = 2.0) -> list:
    """The first *count* request records after index *since* (of *site*, a name or names, if given),
    waiting up to *timeout* s for them.

    The server appends a record just after it closes the connection, a moment after the
    client has read the reply, so a record can trail the client's exit by a few milliseconds.
    Raises ``TimeoutError`` if fewer than *count* matching records arrive.
    """
    if count < 0 or since < 0:
        raise ValueError("count and since must be >= 0")
    sites = None if site is None else ({site} if isinstance(site, str) else set(site))

    def matching() -> list:
        return [r for r in list(server.requests)[since:] if sites is None or r.site in sites]

    deadline = time.monotonic() + timeout
    while len(found := matching()) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"expected {count} requests after #{since}"
                               f"{'' if sites is None else ' for ' + ', '.join(sorted(sites))}, "
                               f"the server saw {len(found)}")
        time.sleep(0.005)
    return found[:count]


def requests_timeline(records, *, label: Callable[[object], str] | None = None, t0: float | None = None,
                      title: str = "") -> Timeline:
    """A :class:`~helpers.timing.Timeline` with one span per request record.

    *label* names a record's row (default: its site); *t0* is the time zero (default: the
    earliest start, so the chart starts at 0).  Records are ordered by start time.
    """
    records = sorted(records, key=lambda r: r.start)
    tl = Timeline(title)
    tl.t0 = min((r.start for r in records), default=tl.t0) if t0 is None else t0
    for r in records:
        name = label(r) if label is not None else r.site
        tl.add(name, r.start, r.end, kind="io" if r.outcome == "ok" else "error")
    return tl
