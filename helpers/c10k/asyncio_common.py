"""Shared by the asyncio servers: run a server factory until SIGINT/SIGTERM on a given loop runner.

Used in: 09 (through the asyncio servers).
"""
from __future__ import annotations

import asyncio
import signal

from helpers.c10k.common import announce, port_arg
from helpers.fdlimit import raise_to_hard
from helpers.servers.base import listen

__all__ = ["HIGH_WATER", "FlowControl", "serve_until_signal"]

HIGH_WATER = 64 * 1024  # bytes queued for one client before the server stops reading from it


class FlowControl:
    """Back-pressure for a ``Protocol`` that echoes: while the peer does not read, do not read either.

    ``transport.write`` never blocks: what the kernel does not take waits in the transport's
    buffer.  Above the high-water mark the transport calls ``pause_writing()``; here that pauses
    *reading*, so a client that sends and never reads costs the server at most the buffer
    (plus one read), not everything it sends.  ``resume_writing()`` (buffer back below the
    low-water mark) resumes reading.
    """

    def set_flow_control(self, transport) -> None:
        """Call from ``connection_made``."""
        self.transport = transport
        transport.set_write_buffer_limits(high=HIGH_WATER)

    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


async def serve_until_signal(start) -> None:
    """``start(sock)`` is a coroutine returning an ``asyncio.Server``; serve until a signal arrives."""
    raise_to_hard()
    lsock = listen(port_arg())
    server = await start(lsock)
    announce(lsock)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
