"""gevent ``StreamServer``: one greenlet per connection (``python -m helpers.c10k.gevent_server``).

The handler is the thread server's blocking code, unchanged: gevent's cooperative sockets
switch greenlets at every would-block.  No ``monkey.patch_all()`` is needed here, because
``StreamServer`` hands the handler a gevent socket already.

Used in: 09.
"""
from __future__ import annotations

import signal

import gevent
from gevent.event import Event
from gevent.server import StreamServer

from helpers.c10k.common import announce, port_arg
from helpers.fdlimit import raise_to_hard
from helpers.servers.base import BACKLOG
from helpers.c10k.threads_server import handle

__all__ = ["main"]


def main() -> None:
    raise_to_hard()
    # StreamServer binds its own gevent listening socket (a stdlib socket would block the hub).
    server = StreamServer(("127.0.0.1", port_arg()), lambda sock, addr: handle(sock), backlog=BACKLOG)
    server.start()
    announce(server.socket)
    stop = Event()
    gevent.signal_handler(signal.SIGINT, stop.set)
    gevent.signal_handler(signal.SIGTERM, stop.set)
    stop.wait()
    server.close()


if __name__ == "__main__":
    main()
