"""Helpers for the course on network-programming concurrency in Python.

One module, one role:

- :mod:`helpers.servers`   local servers (echo, slow sites, a chapter's own server program) on 127.0.0.1
- :mod:`helpers.runner`    run a program in a fresh interpreter (``%%subprocess`` cell magic)
- :mod:`helpers.timing`    the seed's timer done right, and a :class:`~helpers.timing.Timeline` of spans
- :mod:`helpers.plots`     Gantt charts, grouped bars, log-log curves with Chinese labels
- :mod:`helpers.fonts`     finds a real CJK font for matplotlib
- :mod:`helpers.checks`    self-checks for the exercises
- :mod:`helpers.logs`      the bounded, thread-safe log that background servers keep
- :mod:`helpers.pytest_plugin` pytest hooks (a notebook cell that timed out fails the run)
- :mod:`helpers.leakguard` pytest plugin: fails a test or notebook that leaves a process, socket, thread or file behind
- :mod:`helpers.loopback`  audit hook: no socket may connect to or bind a non-loopback address
- :mod:`helpers.guardlog`  incidents (non-loopback access, unclosed resources) recorded by kernels and children
- :mod:`helpers.hostile`   hostile clients: random bytes, 1 MiB, slowloris, resets, half-close, 10,000 connections
- :mod:`helpers.clients`   scripted concurrent TCP clients (replace the seed's ``input()`` loop)
- :mod:`helpers.requestlog` timelines from the slow-site server's request records
- :mod:`helpers.lanes`     packs many short spans into a few Gantt rows
- :mod:`helpers.procs`     child-process plumbing shared by runner and servers
- :mod:`helpers.nav`       the navigation line at the top of every notebook
- :mod:`helpers.execute`   re-executes notebooks in place (``make execute``)
- :mod:`helpers.figures`   draws the figures in ``pics/`` (``make pics``)
- :mod:`helpers.workloads` CPU work that worker processes can import
- :mod:`helpers.widgets`   knobs for a demo, with a static fallback
- :mod:`helpers.slides`    reveal.js slide metadata for every cell (``make nav``), read by RISE
- :mod:`helpers.browser`   renders a notebook in JupyterLab with headless Chromium (a test)
- :mod:`helpers.switchcost` the switch-cost ladder: call, generator, greenlet, thread hand-off
- :mod:`helpers.genloop`   a round-robin scheduler of generator tasks with a sleep queue
- :mod:`helpers.cleanup`   snapshot of threads/sockets/children, to prove a chapter left nothing behind
- :mod:`helpers.framing`   4-byte length-prefixed messages on a TCP byte stream
- :mod:`helpers.selectors_echo` the chapter-07 selectors echo server (framed, write buffers, EVENT_WRITE)
- :mod:`helpers.framed_load` many concurrent framed clients with checksums
- :mod:`helpers.multiplex_bench` select/poll/epoll cost per call, N idle + 1 ready, one subprocess per N
- :mod:`helpers.fdlimit`   raise RLIMIT_NOFILE for a block; descriptors with large values
- :mod:`helpers.c10k`      the C10K lab: one framed echo protocol, a server per model, a load generator
- :mod:`helpers.completion` completion-based (asynchronous) I/O: io_uring, Linux AIO, or a labelled simulation
- :mod:`helpers.testing`   test infrastructure (drivers for browsers and servers):
- :mod:`helpers.testing.headless` Playwright driving the system's headless Chromium (RISE slides, site search)
- :mod:`helpers.authoring.sphinx_solutions` Sphinx extension: the site shows reference solutions collapsed
- :mod:`helpers.testing.hub` a JupyterHub for a class on 127.0.0.1 (students, servers, process trees) for tests

Load the cell magic in a notebook with ``%load_ext helpers``.
"""

__all__ = ["load_ipython_extension"]


def load_ipython_extension(ipython):
    """Register the course's magics (``%%subprocess``) in an IPython kernel."""
    from helpers.runner import register_magics

    register_magics(ipython)
