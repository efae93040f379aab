"""Helpers for the course on network-programming concurrency in Python.

One module, one role, in three rooms.

**Learner-facing** (what a notebook imports; top level of ``helpers/``):

- :mod:`helpers.bank`      the seed's bank metaphor: a counter, a numbered slip, four customers (chapter 01)
- :mod:`helpers.c10k`      the C10K lab: a server per model, a load generator, a benchmark (chapter 09)
- :mod:`helpers.checkers`  checkers of the exercises that run the learner's code and teach (one module per chapter)
- :mod:`helpers.checkers.ch01` chapter 01: a thread pool's total time, the four kinds of waiting, fetch the five slow sites on a thread pool with callbacks
- :mod:`helpers.checkers.ch02` chapter 02: a running average, a genloop task, a generator scheduler that waits on sockets
- :mod:`helpers.checkers.ch03` chapter 03: two greenlets taking turns, a lazy iterator fed at any depth, an echo client on the MiniHub vs 50 clients at once
- :mod:`helpers.checkers.ch04` chapter 04: a gevent handler of length-prefixed frames run as a patched program, a deadline over many greenlets
- :mod:`helpers.checkers.ch05` chapter 05: wait with select, read exactly n bytes, the pool's latency stairs, a select client that fetches the five slow sites
- :mod:`helpers.checkers.ch06` chapter 06: wait with poll, an edge-triggered epoll echo server vs bursts
- :mod:`helpers.checkers.ch07` chapter 07: split frames, flush a write buffer, a selectors echo server vs the course's clients
- :mod:`helpers.checkers.ch08` chapter 08: a sleep on the chapter's own loop, a status fetcher, a crawler with a deadline per site and one for the whole run
- :mod:`helpers.checkers.ch09` chapter 09: Little's law against the lab's measured p50, an asyncio ping-pong client of the lab's protocol
- :mod:`helpers.checks`    self-checks for the exercises: ⏳ / ❌ + hint / ✅ + what was measured; raises under nbgrader
- :mod:`helpers.claims`    measured claims judged on the learner's machine, one line each (✅ / ⚠️ / ❌)
- :mod:`helpers.clients`   scripted concurrent TCP clients (replace the seed's ``input()`` loop)
- :mod:`helpers.completion` completion-based (asynchronous) I/O: io_uring, Linux AIO, or a labelled simulation
- :mod:`helpers.cpu_race`  the same CPU work run sequentially, on threads and on processes, timed (chapter 01)
- :mod:`helpers.fdlimit`   raise RLIMIT_NOFILE (the one place that does); descriptors with large values
- :mod:`helpers.fonts`     finds a real CJK font for matplotlib
- :mod:`helpers.framed_load` many concurrent framed clients with checksums
- :mod:`helpers.framing`   4-byte length-prefixed messages on a TCP byte stream (every framed server)
- :mod:`helpers.genloop`   a round-robin scheduler of generator tasks with a sleep queue
- :mod:`helpers.idlemem`   memory of one idle thread, greenlet or asyncio task, measured in a fresh process
- :mod:`helpers.logs`      the bounded, thread-safe log that background servers keep
- :mod:`helpers.machine`   the learner's machine: usable CPUs, memory, open files, tasks; fit() sizes a demo
- :mod:`helpers.multiplex_bench` select/poll/epoll cost per call (N idle + 1 ready), and epoll_wait vs ready descriptors
- :mod:`helpers.plots`     Gantt charts, grouped bars, log-log curves with Chinese labels
- :mod:`helpers.procs`     child-process plumbing shared by runner, servers and benchmarks
- :mod:`helpers.procstat`  a thread's scheduler state and a process's CPU share, from /proc and psutil
- :mod:`helpers.runner`    run a program in a fresh interpreter (``%%subprocess`` cell magic)
- :mod:`helpers.servers`   every local server (echo, selectors echo, slow sites, a chapter's own program) on 127.0.0.1
- :mod:`helpers.serverview` the slow-site server's view: one timeline span per request it served
- :mod:`helpers.swarm`     many clients that connect at the same instant; each one's wait timed
- :mod:`helpers.switchcost` the switch-cost ladder: call, generator, greenlet, thread hand-off
- :mod:`helpers.timing`    the seed's timer done right, a :class:`~helpers.timing.Timeline` of spans and its lanes
- :mod:`helpers.widgets`   knobs for a demo, with a static fallback
- :mod:`helpers.workloads` CPU work that worker processes can import

**Testing** (infrastructure of the test run; :mod:`helpers.testing`):

- :mod:`helpers.testing.browser`   JupyterLab as ``make lab`` starts it, looked at by headless Chromium
- :mod:`helpers.testing.claimreport` pytest plugin: claims are strict in the test run and reported per chapter
- :mod:`helpers.testing.exercises` a chapter's exercises run from its own cells, for the checker tests
- :mod:`helpers.testing.headless` Playwright driving the system's headless Chromium (RISE slides, site search)
- :mod:`helpers.testing.hostile`   hostile clients: random bytes, 1 MiB, slowloris, resets, half-close, 10,000 connections
- :mod:`helpers.testing.hub`       a JupyterHub for a class on 127.0.0.1 (students, servers, process trees)
- :mod:`helpers.testing.incidents` incidents (non-loopback access, unclosed resources) recorded by kernels and children
- :mod:`helpers.testing.labclient` runs a notebook through a Jupyter server's REST API and kernel websocket
- :mod:`helpers.testing.leakguard` pytest plugin: fails a test or notebook that leaves a process, socket, thread or file behind
- :mod:`helpers.testing.loopback`  audit hook: no socket may connect to or bind a non-loopback address
- :mod:`helpers.testing.pytest_plugin` pytest hooks (a notebook cell that timed out fails the run)

**Authoring** (tools an author runs to build the course; :mod:`helpers.authoring`):

- :mod:`helpers.authoring.assignments` the nbgrader course of the exercises: source with solutions, student release (``make assignments``)
- :mod:`helpers.authoring.execute` re-executes notebooks in place (``make execute``)
- :mod:`helpers.authoring.figures` draws the figures in ``pics/`` (``make pics``)
- :mod:`helpers.authoring.lab`     how the course's JupyterLab starts (``make lab``)
- :mod:`helpers.authoring.nav`     the navigation line at the top of every notebook (``make nav``)
- :mod:`helpers.authoring.reference` the reference run: every claim's result on one named machine (``make execute``)
- :mod:`helpers.authoring.slides`  slide metadata for every cell, read by RISE (``make nav``)

Load the cell magic in a notebook with ``%load_ext helpers``.
"""

__all__ = ["load_ipython_extension"]


def load_ipython_extension(ipython):
    """Register the course's magics (``%%subprocess``) in an IPython kernel."""
    from helpers.runner import register_magics

    register_magics(ipython)
