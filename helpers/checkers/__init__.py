"""Checkers of the exercises, one module per chapter: they run the learner's code and teach.

A checker takes the learner's function (or class), runs it against the course's own servers
and clients, and either returns one line saying what was measured (which
:func:`helpers.checks.check` prints after ✅) or raises :class:`AssertionError` saying which
input (for servers: which client), what was expected and what came back (which bytes).
``NotImplementedError`` from the learner's stub passes through, so the check shows ⏳.
- :mod:`helpers.checkers.ch01` — chapter 01: a thread pool's total time, the four kinds of waiting, fetch the five slow sites on a thread pool with callbacks
- :mod:`helpers.checkers.ch02` — chapter 02: a running average, a genloop task, a generator scheduler that waits on sockets
- :mod:`helpers.checkers.ch03` — chapter 03: two greenlets taking turns, a lazy iterator fed at any depth, an echo client on the MiniHub vs 50 clients at once
- :mod:`helpers.checkers.ch04` — chapter 04: a gevent handler of length-prefixed frames run as a patched program, a deadline over many greenlets
- :mod:`helpers.checkers.ch05` — chapter 05: wait with select, read exactly n bytes, the pool's latency stairs, a select client that fetches the five slow sites
- :mod:`helpers.checkers.ch06` — chapter 06: wait with poll, an edge-triggered epoll echo server vs bursts
- :mod:`helpers.checkers.ch07` — chapter 07: frames, a write buffer, a selectors echo server
- :mod:`helpers.checkers.ch08` — chapter 08: a sleep on the chapter's own loop, a status fetcher, a crawler with a deadline per site and one for the whole run
- :mod:`helpers.checkers.ch09` — chapter 09: Little's law against the lab's measured p50, an asyncio ping-pong client of the lab's protocol

Used in: 01, 02, 03, 04, 05, 06, 07, 08, 09.
"""

from helpers.checkers import ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09

__all__ = ["ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "ch08", "ch09"]
