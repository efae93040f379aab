"""Shared by the asyncio servers: run a server factory until SIGINT/SIGTERM on a given loop runner.

Used in: 09 (through the asyncio servers).
"""
from __future__ import annotations

import asyncio
import signal

from helpers.c10k.common import announce, port_arg
from helpers.fdlimit import raise_to_hard
from helpers.servers.base import listen

__all__ = ["serve_until_signal"]


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
