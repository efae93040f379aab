"""Local servers for the demos: always on 127.0.0.1, on a port the OS picks, always stopped.

- :func:`echo_server` — the seed's upper-case echo server (one background thread, selectors)
- :func:`slow_site_server` — HTTP "websites" with chosen latency, body size and faults,
  standing in for baidu/qq/taobao/jd/python.org so no cell needs the internet
- :func:`program_server` — a chapter's own server program, run as a subprocess
- :mod:`helpers.servers.selectors_echo` — chapter 07's framed selectors echo server (also a
  program: ``python -m helpers.servers.selectors_echo``; the C10K lab runs it)

Each is a context manager; leaving the ``with`` block (normally, on an exception, or on
KeyboardInterrupt) stops the server within 2 seconds.  Servers never print: they keep a
:class:`helpers.logs.Log` that the notebook shows after the demo.  Every listening socket
comes from :func:`helpers.servers.base.listen`.

Used in: 01, 03, 04, 05, 06, 07, 08, 09.
"""
from helpers.servers.echo import EchoServer, echo_server
from helpers.servers.program import ProgramServer, program_server
from helpers.servers.slowsite import SEED_SITES, Site, SlowSiteServer, slow_site_server

__all__ = [
    "EchoServer",
    "echo_server",
    "ProgramServer",
    "program_server",
    "SEED_SITES",
    "Site",
    "SlowSiteServer",
    "slow_site_server",
]
