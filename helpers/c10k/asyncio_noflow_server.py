"""The asyncio ``Protocol`` server WITHOUT flow control (``python -m helpers.c10k.asyncio_noflow_server``): a counter-example.

Same as :mod:`helpers.c10k.asyncio_protocol_server` minus :class:`~helpers.c10k.asyncio_common.FlowControl`:
it keeps reading a client that never reads its echoes, so every echo waits in the transport's
buffer and the server's memory grows with what the client sends.  Chapter 09 runs it once,
bounded (the client offers a fixed number of bytes), beside the safe server.  It is not one of
the measured servers (:data:`helpers.c10k.UNBOUNDED`, not ``SERVERS``).

Used in: 09.
"""
from __future__ import annotations

import asyncio

from helpers.c10k.asyncio_common import serve_until_signal
from helpers.c10k.asyncio_protocol_server import EchoProtocol
from helpers.servers.base import BACKLOG

__all__ = ["EchoProtocolNoFlowControl", "main", "start"]


class EchoProtocolNoFlowControl(EchoProtocol):
    """The same echo protocol, but it never stops reading: the transport's write buffer grows unbounded."""

    def connection_made(self, transport):
        self.transport = transport  # no set_flow_control(): the default high-water mark, and ...
        self.buf = bytearray()

    # ... the transport's requests to pause are ignored, as in a protocol that never wrote them
    pause_writing = asyncio.BaseProtocol.pause_writing
    resume_writing = asyncio.BaseProtocol.resume_writing


async def start(lsock):
    """The server on *lsock*."""
    return await asyncio.get_running_loop().create_server(EchoProtocolNoFlowControl, sock=lsock, backlog=BACKLOG)


def main() -> None:
    asyncio.run(serve_until_signal(start))


if __name__ == "__main__":
    main()
