"""asyncio streams: one task per connection (``python -m helpers.c10k.asyncio_streams_server``).

The code is as clear as the thread version.  Its hidden cost on Linux/glibc: for every
read the selector transport calls ``sock.recv(256 KiB)``; CPython allocates 256 KiB (above
glibc's 128 KiB mmap threshold, so ``mmap``), receives ~1 KiB, then shrinks the bytes object
(``mremap``) and later frees it (``munmap``) — page faults and syscalls on every message.
``MALLOC_MMAP_THRESHOLD_=1048576`` in the environment, or :mod:`asyncio_buffered_server`, avoids it.

Used in: 09.
"""
from __future__ import annotations

import asyncio

from helpers.c10k.asyncio_common import serve_until_signal
from helpers.servers.base import BACKLOG
from helpers.framing import HEADER, MAX_FRAME

__all__ = ["handle", "main", "start"]


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Echo frames until the peer closes."""
    try:
        while True:
            head = await reader.readexactly(4)
            (size,) = HEADER.unpack(head)
            if size > MAX_FRAME:
                break
            body = await reader.readexactly(size)
            writer.write(head + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    except asyncio.CancelledError:
        # The server is stopping.  Ending quietly matters: on Python < 3.12 the streams module
        # prints a traceback for a cancelled handler task (its done-callback calls task.exception()).
        pass
    finally:
        writer.close()


async def start(lsock):
    """The streams server on *lsock*."""
    return await asyncio.start_server(handle, sock=lsock, backlog=BACKLOG)


def main() -> None:
    asyncio.run(serve_until_signal(start))


if __name__ == "__main__":
    main()
