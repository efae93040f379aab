"""The seed's bank metaphor for 同步/异步 × 阻塞/非阻塞, as code: a counter, a numbered slip, four customers.

Used in: 01.

A :class:`Bank` counter serves the people already queuing, then "me", ``service`` seconds each,
on its own thread.  "I" have ``CALLS`` phone calls of ``CALL_TIME`` seconds to make.  The four
customers differ in two independent ways:

- **同步 / 异步** — how I learn that it is my turn: I look at the board myself
  (:meth:`Ticket.done`, :meth:`Ticket.wait`), or the counter calls me
  (:meth:`Ticket.add_done_callback`; the callback runs on the counter's thread);
- **阻塞 / 非阻塞** — whether I can make my calls while I wait.

:func:`visit_all` sends the four customers to four counters at the same moment and returns one
:class:`Visit` per customer (the times it looked, the moment it learnt, totals) plus a
:class:`~helpers.timing.Timeline`; :func:`marks` turns the visits into the points that
:func:`helpers.plots.gantt` draws over the bars.  :func:`late_socket` is the same counter as a
socket: a ``socketpair`` whose other end sends after a delay.
"""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from helpers.timing import Timeline, now

__all__ = ["CALLS", "CALL_TIME", "STYLES", "Ticket", "Bank", "Visit", "phone_call", "sync_blocking",
           "sync_nonblocking", "async_blocking", "async_nonblocking", "style_name", "visit_all", "marks", "late_socket"]

CALLS, CALL_TIME = 20, 0.02


class Ticket:
    """The slip of paper with my number; the counter calls :meth:`finish` when it is my turn."""

    def __init__(self):
        self._done = threading.Event()
        self._callbacks: list[Callable[["Ticket"], None]] = []
        self._lock = threading.Lock()
        self.done_at: float | None = None

    def done(self) -> bool:
        """Look up at the board: is it my turn yet? (never waits)"""
        return self._done.is_set()

    def wait(self, timeout: float = 5.0) -> None:
        """Stand and wait until my number is called."""
        if not self._done.wait(timeout):
            raise TimeoutError("the counter never called my number")

    def add_done_callback(self, fn: Callable[["Ticket"], None]) -> None:
        """Ask the counter to call ``fn(ticket)`` when it is my turn (on the counter's thread)."""
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(fn)
                return
        fn(self)

    def finish(self) -> None:
        """The counter has served me: record the moment and run the callbacks."""
        with self._lock:
            self.done_at = now()
            self._done.set()
            callbacks = list(self._callbacks)
        for fn in callbacks:
            fn(self)


class Bank:
    """One counter serving people in order, *service* seconds each; *ahead* people are already queuing."""

    def __init__(self, ahead: int = 3, service: float = 0.1):
        if ahead < 0 or service < 0:
            raise ValueError("ahead and service must be >= 0")
        self.queue = [Ticket() for _ in range(ahead)]
        self.service = service

    def take_ticket(self) -> Ticket:
        """Join the queue; the counter starts serving (on its own thread)."""
        mine = Ticket()
        self.queue.append(mine)
        threading.Thread(target=self._serve_all, name="柜台", daemon=True).start()
        return mine

    def _serve_all(self) -> None:
        for ticket in self.queue:
            time.sleep(self.service)
            ticket.finish()


@dataclass
class Visit:
    """What one customer did: when it started, looked at the board, learnt it was its turn, finished."""

    style: str
    start: float = 0.0
    looks: list[float] = field(default_factory=list)
    calls_while_waiting: int = 0
    noticed: float = 0.0
    done_at: float = 0.0
    end: float = 0.0
    notified_on: str = ""   # the thread that ran the callback (asynchronous styles)

    @property
    def total(self) -> float:
        """Seconds from taking the ticket to the last phone call."""
        return self.end - self.start

    @property
    def waited(self) -> float:
        """Seconds until the counter had served me."""
        return self.done_at - self.start

    @property
    def delay(self) -> float:
        """Seconds between being served and learning about it (the notification delay)."""
        return max(0.0, self.noticed - self.done_at)

    @property
    def wasted_looks(self) -> int:
        """Looks that found "not yet"."""
        return max(len(self.looks) - 1, 0)


def phone_call() -> None:
    """One of my own tasks: CALL_TIME seconds."""
    time.sleep(CALL_TIME)


def _calls(n: int) -> None:
    for _ in range(n):
        phone_call()


def sync_blocking(bank: Bank, tl: Timeline, v: Visit) -> Ticket:
    """同步阻塞：专心排队，轮到了再打电话。"""
    ticket = bank.take_ticket()
    with tl.span(v.style, "wait"):
        ticket.wait()
    v.noticed = now()
    with tl.span(v.style, "run"):
        _calls(CALLS)
    return ticket


def sync_nonblocking(bank: Bank, tl: Timeline, v: Visit) -> Ticket:
    """同步非阻塞：一边打电话，一边抬头看是不是轮到我了。"""
    ticket = bank.take_ticket()
    with tl.span(v.style, "run"):
        while True:
            v.looks.append(now())
            if ticket.done():
                v.noticed = now()
                break
            if v.calls_while_waiting < CALLS:
                phone_call()
                v.calls_while_waiting += 1
            else:
                time.sleep(CALL_TIME)  # nothing left to do but keep looking up
        _calls(CALLS - v.calls_while_waiting)
    return ticket


def _notify(v: Visit, called: threading.Event) -> Callable[[Ticket], None]:
    def on_my_turn(ticket: Ticket) -> None:
        """Callback: the counter calls my number (runs on the counter's thread)."""
        v.noticed = now()
        v.notified_on = threading.current_thread().name
        called.set()
    return on_my_turn


def async_blocking(bank: Bank, tl: Timeline, v: Visit) -> Ticket:
    """异步阻塞：拿了号、请柜台叫我，却站在原地什么也不干，直到被叫。"""
    called = threading.Event()
    ticket = bank.take_ticket()
    ticket.add_done_callback(_notify(v, called))
    with tl.span(v.style, "wait"):
        called.wait(5)
    with tl.span(v.style, "run"):
        _calls(CALLS)
    return ticket


def async_nonblocking(bank: Bank, tl: Timeline, v: Visit) -> Ticket:
    """异步非阻塞：拿了号、请大堂经理叫我，然后去打电话；被叫时回调记下时刻。"""
    called = threading.Event()
    ticket = bank.take_ticket()
    ticket.add_done_callback(_notify(v, called))
    with tl.span(v.style, "run"):
        _calls(CALLS)
        v.calls_while_waiting = CALLS
    called.wait(5)  # the business itself was handled when I was called
    return ticket


STYLES = [sync_blocking, sync_nonblocking, async_blocking, async_nonblocking]


def style_name(style: Callable) -> str:
    """``"同步阻塞"`` for :func:`sync_blocking`, etc. (the docstring up to the colon)."""
    return style.__doc__.split("：")[0]


def visit_all(styles: list[Callable] | None = None, *, ahead: int = 3, service: float = 0.1,
              timeout: float = 10.0) -> tuple[dict[str, Visit], Timeline]:
    """Send each customer style to its own counter at the same moment; return visits and timeline.

    The timeline's rows are in the order of *styles* (default :data:`STYLES`).
    """
    styles = list(styles or STYLES)
    tl = Timeline()
    visits = {style_name(s): Visit(style_name(s)) for s in styles}
    barrier = threading.Barrier(len(styles))
    errors: list[BaseException] = []

    def customer(style: Callable) -> None:
        v = visits[style_name(style)]
        try:
            barrier.wait(timeout)
            v.start = now()
            ticket = style(Bank(ahead, service), tl, v)
            v.end = now()
            v.done_at = ticket.done_at
        except BaseException as e:  # re-raised in the caller's thread
            errors.append(e)

    threads = [threading.Thread(target=customer, args=(s,), name=style_name(s)) for s in styles]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if errors:
        raise errors[0]
    if any(t.is_alive() for t in threads):
        raise TimeoutError("a customer did not finish in time")
    return visits, tl


def marks(visits: dict[str, Visit], tl: Timeline) -> list[tuple[str, float, str]]:
    """Points to draw over the bars: every look ("look") and the moment each learnt ("notify").

    Times are relative to *tl*, as its spans are: ``(row, seconds, kind)``.
    """
    out = []
    for name, v in visits.items():
        out += [(name, t - tl.t0, "look") for t in v.looks]
        out.append((name, v.noticed - tl.t0, "notify"))
    return out


@contextmanager
def late_socket(delay: float, data: bytes = b"hello") -> Iterator[socket.socket]:
    """The counter as a socket: yields one end of a ``socketpair``; the other end sends *data* after *delay* s."""
    a, b = socket.socketpair()
    timer = threading.Timer(delay, a.sendall, args=(data,))
    with a, b:
        timer.start()
        try:
            yield b
        finally:
            timer.cancel()
            timer.join()
