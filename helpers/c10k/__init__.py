"""The C10K lab (chapter 09): one framed echo protocol, many servers, one load generator.

Every server is a small module runnable as ``python -m helpers.c10k.<name>``: it binds
``127.0.0.1`` on a port the OS picks, prints ``127.0.0.1:PORT`` and echoes frames until
SIGINT/SIGTERM.  The protocol (:mod:`helpers.framing`, chapter 07's): a 4-byte big-endian length,
then that many bytes; the server sends every frame back unchanged.

- :mod:`helpers.c10k.common`             what every server shares: the address line, the stop signal, the port argument
- :mod:`helpers.c10k.threads_server`     one OS thread per connection (blocking sockets)
- :mod:`helpers.servers.selectors_echo` chapter 07's server: one thread, ``selectors`` (epoll), write buffers + EVENT_WRITE
- :mod:`helpers.c10k.gevent_server`      ``gevent.server.StreamServer``: one greenlet per connection
- :mod:`helpers.c10k.asyncio_protocol_server`  asyncio ``Protocol`` callbacks
- :mod:`helpers.c10k.asyncio_streams_server`   asyncio streams: one task per connection
- :mod:`helpers.c10k.asyncio_buffered_server`  asyncio ``BufferedProtocol`` (recv_into a reused buffer)
- :mod:`helpers.c10k.uvloop_server`      the streams server on uvloop (skipped when uvloop is absent)
- :mod:`helpers.c10k.poll_server`       the selectors server on ``PollSelector`` (a variant: the realistic C10K only)
- :mod:`helpers.c10k.asyncio_noflow_server`  the ``Protocol`` server without flow control (a counter-example, :data:`UNBOUNDED`)
- :mod:`helpers.c10k.loadgen`            the load generator: N connections, ping-pong, checks every byte
- :mod:`helpers.c10k.bench`              runs a server + the load generator, samples the server's CPU/RSS
- :mod:`helpers.c10k.recvcost`           what one recv(size) costs: µs and page faults (the asyncio streams surprise)
- :mod:`helpers.c10k.syscalls`           counts a process's system calls with strace -c (optional)

Used in: 09.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerKind:
    """One server implementation: its label in tables/plots, module, model and an optional requirement."""

    name: str
    module: str
    model: str  # "thread" | "event"
    requires: str | None = None

    def available(self) -> bool:
        """True when the module it needs (gevent, uvloop) is importable."""
        return self.requires is None or importlib.util.find_spec(self.requires) is not None


SERVERS: dict[str, ServerKind] = {
    k.name: k
    for k in [
        ServerKind("threads", "helpers.c10k.threads_server", "thread"),
        ServerKind("selectors", "helpers.servers.selectors_echo", "event"),  # chapter 07's server, as it is
        ServerKind("gevent", "helpers.c10k.gevent_server", "event", requires="gevent"),
        ServerKind("asyncio-protocol", "helpers.c10k.asyncio_protocol_server", "event"),
        ServerKind("asyncio-streams", "helpers.c10k.asyncio_streams_server", "event"),
        ServerKind("asyncio-buffered", "helpers.c10k.asyncio_buffered_server", "event"),
        ServerKind("uvloop-streams", "helpers.c10k.uvloop_server", "event", requires="uvloop"),
    ]
}

# Variants that only the realistic C10K section runs (not part of the sweep over SERVERS).
VARIANTS: dict[str, ServerKind] = {
    "selectors-poll": ServerKind("selectors-poll", "helpers.c10k.poll_server", "event"),
}

# Counter-examples whose memory is NOT bounded against a client that never reads: only the
# flow-control demo runs them (bounded by what its client offers); never measured or swept.
UNBOUNDED: dict[str, ServerKind] = {
    "asyncio-protocol-no-flow-control": ServerKind("asyncio-protocol-no-flow-control", "helpers.c10k.asyncio_noflow_server", "event"),
}

__all__ = ["SERVERS", "ServerKind", "UNBOUNDED", "VARIANTS"]
