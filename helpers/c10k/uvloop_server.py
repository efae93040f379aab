"""The asyncio streams server, unchanged, on uvloop (libuv) — ``python -m helpers.c10k.uvloop_server``.

uvloop is optional (no Windows build): the lab skips this server when it is not installed.

Used in: 09.
"""
from __future__ import annotations

import asyncio

from helpers.c10k.asyncio_common import serve_until_signal
from helpers.c10k.asyncio_streams_server import start

__all__ = ["main"]


def main() -> None:
    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(serve_until_signal(start))


if __name__ == "__main__":
    main()
