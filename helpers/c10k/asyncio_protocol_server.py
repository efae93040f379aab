"""asyncio ``Protocol`` callbacks, no task per connection (``python -m helpers.c10k.asyncio_protocol_server``).

``data_received`` gets each chunk the transport read (with the same ``recv(256 KiB)`` as
streams), the protocol collects whole frames and ``transport.write`` queues the echo.
Flow control (:class:`helpers.c10k.asyncio_common.FlowControl`): reading pauses while more
than 64 KiB of echoes wait for a client that does not read them.

Used in: 09.
"""
from __future__ import annotations

import asyncio

from helpers.c10k.asyncio_common import FlowControl, serve_until_signal
from helpers.servers.base import BACKLOG
from helpers.framing import FrameError, take_frames

__all__ = ["EchoProtocol", "main", "start"]


class EchoProtocol(FlowControl, asyncio.Protocol):
    """Collect bytes, echo every complete frame; stop reading while the client does not read."""

    def connection_made(self, transport):
        self.set_flow_control(transport)
        self.buf = bytearray()

    def data_received(self, data):
        self.buf += data
        try:
            frames = take_frames(self.buf)
        except FrameError:
            self.transport.close()
            return
        if frames:
            self.transport.write(frames)


async def start(lsock):
    """The Protocol server on *lsock*."""
    return await asyncio.get_running_loop().create_server(EchoProtocol, sock=lsock, backlog=BACKLOG)


def main() -> None:
    asyncio.run(serve_until_signal(start))


if __name__ == "__main__":
    main()
