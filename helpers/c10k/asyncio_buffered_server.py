"""asyncio ``BufferedProtocol``: the transport ``recv_into`` a buffer we own and reuse
(``python -m helpers.c10k.asyncio_buffered_server``) — no 256 KiB allocation per read.
Flow control as in the Protocol server (:class:`helpers.c10k.asyncio_common.FlowControl`).

Used in: 09.
"""
from __future__ import annotations

import asyncio

from helpers.c10k.asyncio_common import FlowControl, serve_until_signal
from helpers.servers.base import BACKLOG
from helpers.framing import FrameError, complete_length

__all__ = ["BUFFER", "EchoBufferedProtocol", "main", "start"]

BUFFER = 4096


class EchoBufferedProtocol(FlowControl, asyncio.BufferedProtocol):
    """A 4 KiB buffer per connection (doubled if a frame needs more); complete frames are written back from it."""

    def connection_made(self, transport):
        self.set_flow_control(transport)
        self.buf = bytearray(BUFFER)
        self.view = memoryview(self.buf)
        self.used = 0

    def get_buffer(self, sizehint):
        if self.used == len(self.buf):  # a frame larger than the buffer: move to a bigger one
            bigger = bytearray(2 * len(self.buf))
            bigger[: self.used] = self.view[: self.used]
            self.buf, self.view = bigger, memoryview(bigger)
        return self.view[self.used:]

    def buffer_updated(self, nbytes):
        self.used += nbytes
        try:
            end = complete_length(self.view[: self.used])
        except FrameError:
            self.transport.close()
            return
        if end:
            self.transport.write(bytes(self.view[:end]))
            rest = self.used - end
            if rest:
                self.buf[:rest] = bytes(self.view[end: self.used])  # a copy: the ranges may overlap
            self.used = rest


async def start(lsock):
    """The BufferedProtocol server on *lsock*."""
    return await asyncio.get_running_loop().create_server(EchoBufferedProtocol, sock=lsock, backlog=BACKLOG)


def main() -> None:
    asyncio.run(serve_until_signal(start))


if __name__ == "__main__":
    main()
