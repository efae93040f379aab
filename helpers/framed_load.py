"""Many concurrent clients of the framed echo protocol, driven by one selector, every byte checked.

:func:`run_framed_load` opens *clients* non-blocking connections to a server speaking
:mod:`helpers.framing` (e.g. :mod:`helpers.servers.selectors_echo`), waits until **all** are connected
(so they really are concurrent), then every client sends *messages* frames of random bytes —
cut into odd-sized pieces (1, 7, 100, 1021, 4093 … bytes, one ``send`` each, ``TCP_NODELAY``) so
that frames are split and merged on the wire — and reads the echoes back.  Per client, a SHA-256
over the payloads sent is compared with one over the payloads received (and the frame counts).

The result (:class:`LoadResult`) says whether every byte came back intact, and the throughput.

Used in: 07.
"""
from __future__ import annotations

import errno
import hashlib
import random
import selectors
import socket
import time
from dataclasses import dataclass, field

from helpers.framing import FrameDecoder, encode
from helpers.timing import now

__all__ = ["PIECES", "LoadResult", "run_framed_load"]

PIECES = (1, 7, 100, 1021, 4093, 13, 2999)


@dataclass
class LoadResult:
    """What :func:`run_framed_load` measured."""

    clients: int
    messages: int
    payload_bytes: int          # payload bytes sent by all clients (the same number must come back)
    echoed_bytes: int           # payload bytes received back
    connect_time: float         # seconds until all clients were connected
    elapsed: float              # seconds from the first send to the last echo
    max_open: int               # connections open at the same time (client side)
    mismatched: list[int] = field(default_factory=list)  # clients whose checksum or frame count differs
    failed: list[int] = field(default_factory=list)      # clients whose connection failed

    @property
    def ok(self) -> bool:
        """Every client got every byte back, in order."""
        return not self.mismatched and not self.failed and self.echoed_bytes == self.payload_bytes

    @property
    def throughput(self) -> float:
        """Payload bytes echoed per second (each byte went there and back)."""
        return self.echoed_bytes / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def messages_per_second(self) -> float:
        """Frames echoed per second."""
        return self.clients * self.messages / self.elapsed if self.elapsed > 0 else 0.0


class _Client:
    __slots__ = ("i", "sock", "out", "pos", "piece", "decoder", "sent_hash", "recv_hash", "expected", "got",
                 "received", "connected", "done")

    def __init__(self, i: int, sock: socket.socket, payloads: list[bytes]):
        self.i = i
        self.sock = sock
        self.out = b"".join(encode(p) for p in payloads)
        self.pos = 0
        self.piece = i % len(PIECES)
        self.decoder = FrameDecoder()
        self.sent_hash = hashlib.sha256(b"".join(payloads))
        self.recv_hash = hashlib.sha256()
        self.expected = len(payloads)
        self.got = 0
        self.received = 0
        self.connected = False
        self.done = False


class _FramedLoad:
    """One run: the selector, the clients and the totals are attributes; one method per phase."""

    def __init__(self, address: tuple[str, int], clients: int, messages: int, size: int, seed: int, timeout: float):
        if clients < 1 or messages < 1 or size < 0:
            raise ValueError("clients and messages must be >= 1, size >= 0")
        self.address, self.clients, self.messages, self.size = address, clients, messages, size
        self.timeout = timeout
        self.rng = random.Random(seed)
        self.sel = selectors.DefaultSelector()
        self.conns: list[_Client] = []
        self.deadline = time.monotonic() + timeout
        self.payload_total = self.echoed = 0
        self.failed: list[int] = []

    def run(self) -> LoadResult:
        try:
            start = now()
            self._open()
            live = self._await_connected()
            connect_time = now() - start
            t0 = now()
            self._exchange(live)
            elapsed = now() - t0
        finally:
            self._close_all()
        mismatched = [c.i for c in self.conns if c.connected and c.i not in self.failed
                      and (c.got != c.expected or c.recv_hash.digest() != c.sent_hash.digest())]
        return LoadResult(clients=self.clients, messages=self.messages, payload_bytes=self.payload_total,
                          echoed_bytes=self.echoed, connect_time=connect_time, elapsed=elapsed, max_open=len(live),
                          mismatched=mismatched, failed=sorted(set(self.failed)))

    def _payloads(self) -> list[bytes]:
        """0.5–1.5 × size bytes each, one of them empty when messages > 1 (zero-length frames)."""
        rng, size, messages = self.rng, self.size, self.messages
        sizes = [rng.randint(size // 2, size + size // 2) for _ in range(messages)]
        if messages > 1:
            sizes[rng.randrange(messages)] = 0
        self.payload_total += sum(sizes)
        return [rng.randbytes(n) for n in sizes]

    def _open(self) -> None:
        """Start every non-blocking connect."""
        for i in range(self.clients):
            payloads = self._payloads()
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            err = sock.connect_ex(self.address)
            if err not in (0, errno.EINPROGRESS):
                sock.close()
                self.failed.append(i)
                continue
            client = _Client(i, sock, payloads)
            self.conns.append(client)
            self.sel.register(sock, selectors.EVENT_WRITE, client)

    def _await_connected(self) -> list[_Client]:
        """Phase 1: every connection established before anyone sends; returns the live ones."""
        pending = len(self.conns)
        while pending:
            if time.monotonic() > self.deadline:
                raise TimeoutError(f"only {len(self.conns) - pending} of {self.clients} clients connected "
                                   f"in {self.timeout:g} s")
            for key, _ in self.sel.select(timeout=0.5):
                c: _Client = key.data
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                pending -= 1
                if err:
                    self.failed.append(c.i)
                    c.done = True
                    self.sel.unregister(c.sock)
                    c.sock.close()
                    continue
                c.connected = True
                self.sel.modify(c.sock, selectors.EVENT_READ, c)  # quiet until phase 2: the server speaks only when spoken to
        return [c for c in self.conns if c.connected]

    def _exchange(self, live: list[_Client]) -> None:
        """Phase 2: send in odd-sized pieces and read the echoes, all clients at once."""
        for c in live:
            self.sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
        remaining = len(live)
        while remaining:
            if time.monotonic() > self.deadline:
                raise TimeoutError(f"{remaining} clients still waiting for echoes after {self.timeout:g} s")
            for key, mask in self.sel.select(timeout=0.5):
                c = key.data
                if mask & selectors.EVENT_WRITE and c.pos < len(c.out):
                    self._send_piece(c)
                if mask & selectors.EVENT_READ and self._receive(c):
                    self.echoed += c.received
                    remaining -= 1
                    self.sel.unregister(c.sock)
                    c.sock.close()

    def _send_piece(self, c: _Client) -> None:
        n = PIECES[c.piece % len(PIECES)]
        c.piece += 1
        try:
            c.pos += c.sock.send(c.out[c.pos:c.pos + n])
        except (BlockingIOError, InterruptedError):
            pass
        if c.pos == len(c.out):
            self.sel.modify(c.sock, selectors.EVENT_READ, c)

    def _receive(self, c: _Client) -> bool:
        """Read what arrived for *c*; True when it is done (every echo back, or closed early)."""
        try:
            data = c.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:  # closed before all echoes came back
            self.failed.append(c.i)
            c.done = True
        else:
            for payload in c.decoder.feed(data):
                c.recv_hash.update(payload)
                c.got += 1
                c.received += len(payload)
            if c.got >= c.expected:
                c.done = True
        return c.done

    def _close_all(self) -> None:
        for c in self.conns:
            if c.sock.fileno() != -1:
                try:
                    self.sel.unregister(c.sock)
                except (KeyError, ValueError):
                    pass
                c.sock.close()
        self.sel.close()


def run_framed_load(address: tuple[str, int], clients: int = 1000, messages: int = 4, size: int = 1024, *,
                    seed: int = 0, timeout: float = 30.0) -> LoadResult:
    """Run *clients* concurrent framed-echo clients against *address* (see module docstring).

    Message sizes vary around *size* (0.5–1.5 × size, one of them empty when messages > 1 to cover
    zero-length frames).  Raises TimeoutError if the run takes longer than *timeout* seconds.
    """
    return _FramedLoad(address, clients, messages, size, seed, timeout).run()
