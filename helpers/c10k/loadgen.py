"""The lab's load generator: N connections doing framed ping-pong, every byte checked.

``python -m helpers.c10k.loadgen HOST:PORT --connections N --duration S --size B`` prints
one JSON object.  It runs in its own process (one core for the client, one for the server
on a 2-core machine) and is bounded: at most :data:`MAX_CONNECTIONS` connections and
:data:`MAX_DURATION` seconds of measuring; every phase has a deadline.

Phases:

1. **connect** all N sockets (blocking connect, then non-blocking), so N are open at once;
2. **hold**: every connection completes one round trip while all N are open — proof that
   the server serves N concurrent connections.  With ``--sync`` (several load generators
   sharing the N connections) it then prints ``READY`` and waits for a line on stdin, so that
   no generator measures or closes before all of them hold their connections;
3. **measure**: a closed loop (each connection sends its next frame as soon as the echo of
   the previous one arrived); after a warm-up of N round trips, those completing inside
   *windows* consecutive windows of *duration* seconds each count (with *active* < N only the
   first *active* connections keep sending; the others stay open and idle, as most of a real
   server's clients do), with their latency —
   one throughput per window (the runs of a level), and the client's own CPU time
   (``time.process_time``) over the windows, so the lab can show which side was the limit;
4. **drain** the replies still in flight, compare every byte with what was sent, close.

:func:`send_never_read` is the opposite client: it sends frames and never reads the echoes
(a test of the servers' flow control).

A reply is *corrupted* if it differs from the frame sent (each frame is unique per
connection and sequence number, :func:`message`), *lost* if it never
arrives before the drain deadline.

Used in: 09.
"""
from __future__ import annotations

import argparse
import json
import selectors
import socket
import struct
import sys
import time

from helpers.fdlimit import raise_to_hard
from helpers.framing import encode
from helpers.timing import now

__all__ = ["MAX_CONNECTIONS", "MAX_DURATION", "Client", "LoadGenerator", "main", "message", "percentile",
           "run", "send_never_read"]

MAX_CONNECTIONS = 12_000
MAX_DURATION = 30.0


class Client:
    """One connection's state."""

    __slots__ = ("i", "sock", "seq", "expected", "inbuf", "outbuf", "sent_at", "done")

    def __init__(self, i: int, sock: socket.socket):
        self.i, self.sock = i, sock
        self.seq = 0
        self.expected = b""
        self.inbuf = bytearray()
        self.outbuf = b""
        self.sent_at = 0.0
        self.done = 0


def message(conn: int, seq: int, size: int) -> bytes:
    """The load generator's frame number *seq* on connection *conn*: *size* payload bytes.

    Deterministic, and different for every (conn, seq), so a reply that is lost, reordered,
    duplicated or mixed with another connection's data cannot pass as correct.
    """
    if size < 12:
        raise ValueError("size must be at least 12 bytes (the payload carries conn and seq)")
    head = struct.pack(">IQ", conn, seq)
    fill = bytes(((conn * 131 + seq * 7 + i) & 0xFF) for i in range(16))
    body = head + fill * ((size - 12) // 16 + 1)
    return encode(body[:size])


def percentile(sorted_values: list[float], q: float) -> float:
    """The *q*-quantile (0..1) of an already sorted list (nearest rank); nan if empty."""
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[k]


class LoadGenerator:
    """One load run: the connections, the selector and every counter are attributes.

    :meth:`run` goes through the four phases (see the module docstring); each phase is a method,
    and the event loop (:meth:`_loop_until`) dispatches to :meth:`_on_write` / :meth:`_on_read`.
    """

    def __init__(self, address: tuple[str, int], connections: int, duration: float, size: int = 1024,
                 phase_timeout: float = 20.0, windows: int = 1, sync: bool = False, active: int | None = None):
        if not 1 <= connections <= MAX_CONNECTIONS:
            raise ValueError(f"connections must be 1..{MAX_CONNECTIONS}")
        if not 0 < duration <= MAX_DURATION:
            raise ValueError(f"duration must be in (0, {MAX_DURATION}] s")
        if not 1 <= windows <= 10:
            raise ValueError("windows must be 1..10")
        self.address, self.connections, self.duration, self.windows = address, connections, duration, windows
        self.size, self.phase_timeout, self.sync = size, phase_timeout, sync
        self.active = connections if active is None else active  # connections that keep sending after the hold
        if not 1 <= self.active <= connections:
            raise ValueError("active must be 1..connections")
        self.clients: list[Client] = []
        self.sel: selectors.BaseSelector | None = None
        # counters
        self.sent = self.ok = self.corrupt = self.errors = 0
        self.held = 0  # connections that completed their first round trip
        self.completed = 0  # round trips completed, all phases
        self.count = 0  # round trips completed inside the measuring windows
        self.per_window: list[int] = []  # round trips completed in each window
        self.latencies: list[float] = []
        # phase flags
        self.looping = False  # each echo triggers the next frame (closed loop)
        self.measuring = False
        self.t_connect = self.t0 = self.t1 = 0.0  # connect start; the measuring window
        self.result: dict = {}

    def run(self) -> dict:
        """Run the four phases; return the measurements (see module docstring)."""
        soft = raise_to_hard(self.connections + 64)
        self.result = {"connections": self.connections, "size": self.size, "duration": self.duration, "nofile": soft,
                       "connected": 0, "held": 0, "round_trips": 0, "window": 0.0, "rt_per_s": 0.0,
                       "windows": self.windows, "rt_per_s_windows": [], "cpu_s": float("nan"),
                       "p50_ms": float("nan"), "p99_ms": float("nan"), "bytes_sent": 0, "bytes_ok": 0,
                       "corrupted": 0, "lost": 0, "errors": 0, "error": ""}
        self.sel = selectors.DefaultSelector()
        try:
            if self._connect():
                self._hold()
                if self.sync:
                    self._barrier()
                self._warm_up()
                self._measure()
                self._drain()
                self._report()
        except TimeoutError as exc:
            self.result["error"] = str(exc)
        finally:
            for c in self.clients:
                c.sock.close()
            self.sel.close()
        return self.result

    # phases ----------------------------------------------------------------------------------
    def _connect(self) -> bool:
        """1. Open every connection (blocking connect, then non-blocking); False if not all opened."""
        t_connect = self.t_connect = now()
        for i in range(self.connections):
            if now() - t_connect > self.phase_timeout:
                self.result["error"] = f"connect phase deadline passed after {i} connections"
                break
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(min(5.0, self.phase_timeout))
            try:
                s.connect(self.address)
            except OSError as exc:
                s.close()
                self.result["error"] = f"connect #{i}: {exc!r}"
                break
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.setblocking(False)
            c = Client(i, s)
            self.clients.append(c)
            self.sel.register(s, selectors.EVENT_READ, c)
        self.result["connected"] = len(self.clients)
        self.result["connect_s"] = now() - t_connect
        return len(self.clients) == self.connections

    def _hold(self) -> None:
        """2. One round trip on every connection while all N are open."""
        for c in self.clients:
            self._send_next(c)
        self._loop_until(lambda: self.held >= self.connections or self.errors, now() + self.phase_timeout)
        self.result["held"] = self.held
        self.result["hold_s"] = now() - self.t_connect - self.result["connect_s"]

    def _barrier(self) -> None:
        """Tell the launcher every connection is held; wait for its go (a line on stdin)."""
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        sys.stdin.readline()

    def _warm_up(self) -> None:
        """Start the closed loop (each connection sends its next frame as soon as an echo arrives)."""
        self.looping = True
        done0 = sum(c.done for c in self.clients)
        for c in self.clients[: self.active]:  # the others stay open and idle
            self._send_next(c)
        self._loop_until(lambda: self.completed >= done0 + self.active, now() + self.phase_timeout)

    def _measure(self) -> None:
        """3. The closed loop is already running: count what completes in each window."""
        self.measuring = True
        cpu0 = time.process_time()
        self.t0 = start = now()
        self.result["t_start"] = self.t0
        for w in range(self.windows):
            before = self.count
            self.t1 = start + (w + 1) * self.duration
            self._loop_until(lambda: now() >= self.t1, self.t1 + self.phase_timeout)
            self.per_window.append(self.count - before)
        self.result["cpu_s"] = time.process_time() - cpu0
        self.result["t_end"] = self.t1

    def _drain(self) -> None:
        """4. Collect the replies still in flight (what never arrives counts as lost)."""
        self.looping = False
        t_drain = now()
        try:
            self._loop_until(lambda: all(not c.expected for c in self.clients if c.sock.fileno() >= 0),
                             now() + self.phase_timeout)
        except TimeoutError:
            pass
        self.result["drain_s"] = now() - t_drain

    def _report(self) -> None:
        lat = sorted(self.latencies)
        self.result.update(round_trips=self.count, window=self.duration, rt_per_s=self.count / self.duration / self.windows,
                           rt_per_s_windows=[n / self.duration for n in self.per_window],
                           p50_ms=percentile(lat, 0.50) * 1e3, p99_ms=percentile(lat, 0.99) * 1e3,
                           bytes_sent=self.sent, bytes_ok=self.ok, corrupted=self.corrupt,
                           lost=sum(1 for c in self.clients if c.expected), errors=self.errors)

    # the event loop --------------------------------------------------------------------------
    def _send_next(self, c: Client) -> None:
        c.expected = message(c.i, c.seq, self.size)
        c.seq += 1
        c.sent_at = now()
        try:
            n = c.sock.send(c.expected)
        except (BlockingIOError, InterruptedError):
            n = 0
        self.sent += n
        if n < len(c.expected):
            c.outbuf = c.expected[n:]
            self.sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)

    def _on_write(self, c: Client) -> None:
        try:
            n = c.sock.send(c.outbuf)
        except (BlockingIOError, InterruptedError):
            return
        self.sent += n
        c.outbuf = c.outbuf[n:]
        if not c.outbuf:
            self.sel.modify(c.sock, selectors.EVENT_READ, c)

    def _on_read(self, c: Client) -> None:
        data = c.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        c.inbuf += data
        if len(c.inbuf) < len(c.expected):
            return
        if c.inbuf == c.expected:
            self.ok += len(c.expected)
        else:
            self.corrupt += 1
        t = now()
        if self.measuring and t <= self.t1:
            self.latencies.append(t - c.sent_at)
            self.count += 1
        c.inbuf = bytearray()
        c.expected = b""
        c.done += 1
        self.completed += 1
        if c.done == 1:
            self.held += 1
        if self.looping:
            self._send_next(c)

    def _loop_until(self, cond, deadline: float) -> None:
        select = self.sel.select
        while not cond():
            if now() > deadline:
                raise TimeoutError("phase deadline passed")
            for key, mask in select(0.05):
                c = key.data
                try:
                    if mask & selectors.EVENT_WRITE:
                        self._on_write(c)
                    if mask & selectors.EVENT_READ:
                        self._on_read(c)
                except OSError:
                    self.errors += 1
                    self.sel.unregister(c.sock)
                    c.sock.close()


def run(address: tuple[str, int], connections: int, duration: float, size: int = 1024,
        phase_timeout: float = 20.0, windows: int = 1, sync: bool = False, active: int | None = None) -> dict:
    """Run the four phases against *address*; return the measurements (see module docstring)."""
    return LoadGenerator(address, connections, duration, size, phase_timeout, windows, sync, active).run()


def send_never_read(address: tuple[str, int], total: int, stall: float = 0.5) -> int:
    """Send 1 KiB frames until *total* bytes went out or the socket stayed full for *stall* s; never read.

    Returns the bytes sent: far below *total* when the server stops reading a client that does
    not read its echoes (flow control); *total* when it takes everything into its memory.
    """
    frame = encode(b"x" * 1020)
    chunk = frame * 64
    sent, pending = 0, memoryview(chunk)
    with socket.create_connection(address, timeout=5) as s:
        s.setblocking(False)
        blocked_since = None
        while sent < total:
            try:
                n = s.send(pending)
            except BlockingIOError:
                blocked_since = blocked_since or time.monotonic()
                if time.monotonic() - blocked_since > stall:
                    break
                time.sleep(0.005)
                continue
            sent += n
            pending = pending[n:] or memoryview(chunk)  # whole frames only
            blocked_since = None
        time.sleep(0.2)  # let the server take what it will
    return sent


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("address", help="HOST:PORT")
    ap.add_argument("--connections", type=int, default=10)
    ap.add_argument("--duration", type=float, default=0.5)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--phase-timeout", type=float, default=20.0)
    ap.add_argument("--windows", type=int, default=1)
    ap.add_argument("--sync", action="store_true", help="after the hold phase print READY and wait for a stdin line")
    ap.add_argument("--active", type=int, default=None, help="connections that keep sending (default: all)")
    args = ap.parse_args(argv)
    host, _, port = args.address.rpartition(":")
    out = run((host, int(port)), args.connections, args.duration, args.size, args.phase_timeout, args.windows,
              args.sync, args.active)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
