"""One thread, ``selectors.DefaultSelector`` (epoll on Linux): ``python -m helpers.c10k.selectors_server``.

The seed's selectors server, corrected for real traffic: non-blocking sockets; a per-connection
read buffer that collects whole frames (TCP splits and merges messages); a per-connection
write buffer, because ``send`` may accept only part of the data — the rest waits for
EVENT_WRITE instead of blocking the loop (never ``sendall`` on a non-blocking socket).
"""
from __future__ import annotations

import selectors
import socket

from helpers.c10k.common import announce, listener, port_arg, raise_nofile, stop_on_signals
from helpers.c10k.framing import FrameError, take_frames


class Conn:
    """Per-connection state: the socket, unread bytes, unsent bytes."""

    __slots__ = ("sock", "inbuf", "outbuf")

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.inbuf = bytearray()
        self.outbuf = bytearray()


def serve(lsock: socket.socket, stop) -> None:
    """Run the event loop until *stop* is set."""
    sel = selectors.DefaultSelector()
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, None)

    def close(c: Conn) -> None:
        sel.unregister(c.sock)
        c.sock.close()

    def on_read(c: Conn) -> None:
        try:
            data = c.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return close(c)
        if not data:
            return close(c)
        c.inbuf += data
        try:
            frames = take_frames(c.inbuf)
        except FrameError:
            return close(c)
        if frames:
            if c.outbuf:  # already waiting for EVENT_WRITE: keep the order
                c.outbuf += frames
                return
            try:
                sent = c.sock.send(frames)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                return close(c)
            if sent < len(frames):
                c.outbuf += frames[sent:]
                sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)

    def on_write(c: Conn) -> None:
        try:
            sent = c.sock.send(c.outbuf)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return close(c)
        del c.outbuf[:sent]
        if not c.outbuf:
            sel.modify(c.sock, selectors.EVENT_READ, c)

    try:
        while not stop.is_set():
            for key, mask in sel.select(timeout=0.2):
                if key.data is None:
                    for _ in range(64):  # accept a burst
                        try:
                            sock, _ = lsock.accept()
                        except (BlockingIOError, InterruptedError):
                            break
                        except OSError:  # EMFILE
                            break
                        sock.setblocking(False)
                        sel.register(sock, selectors.EVENT_READ, Conn(sock))
                    continue
                c = key.data
                if mask & selectors.EVENT_WRITE:
                    on_write(c)
                    if c.sock.fileno() < 0:
                        continue
                if mask & selectors.EVENT_READ:
                    on_read(c)
    finally:
        for key in list(sel.get_map().values()):
            key.fileobj.close()
        sel.close()


def main() -> None:
    raise_nofile()
    stop = stop_on_signals()
    lsock = listener(port_arg())
    announce(lsock)
    serve(lsock, stop)


if __name__ == "__main__":
    main()
