"""The lab's load generator: N connections doing framed ping-pong, every byte checked.

``python -m helpers.c10k.loadgen HOST:PORT --connections N --duration S --size B`` prints
one JSON object.  It runs in its own process (one core for the client, one for the server
on a 2-core machine) and is bounded: at most :data:`MAX_CONNECTIONS` connections and
:data:`MAX_DURATION` seconds of measuring; every phase has a deadline.

Phases:

1. **connect** all N sockets (blocking connect, then non-blocking), so N are open at once;
2. **hold**: every connection completes one round trip while all N are open — proof that
   the server serves N concurrent connections;
3. **measure**: a closed loop (each connection sends its next frame as soon as the echo of
   the previous one arrived); after a warm-up of N round trips, those completing inside a
   window of *duration* seconds count, with their latency;
4. **drain** the replies still in flight, compare every byte with what was sent, close.

A reply is *corrupted* if it differs from the frame sent (each frame is unique per
connection and sequence number, :func:`message`), *lost* if it never
arrives before the drain deadline.
"""
from __future__ import annotations

import argparse
import json
import selectors
import socket
import struct
import sys

from helpers.fdlimit import raise_to_hard
from helpers.framing import encode
from helpers.timing import now

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


def run(address: tuple[str, int], connections: int, duration: float, size: int = 1024,
        phase_timeout: float = 20.0) -> dict:
    """Run the four phases against *address*; return the measurements (see module docstring)."""
    if not 1 <= connections <= MAX_CONNECTIONS:
        raise ValueError(f"connections must be 1..{MAX_CONNECTIONS}")
    if not 0 < duration <= MAX_DURATION:
        raise ValueError(f"duration must be in (0, {MAX_DURATION}] s")
    soft = raise_to_hard(connections + 64)
    result = {"connections": connections, "size": size, "duration": duration, "nofile": soft,
              "connected": 0, "held": 0, "round_trips": 0, "window": 0.0, "rt_per_s": 0.0,
              "p50_ms": float("nan"), "p99_ms": float("nan"), "bytes_sent": 0, "bytes_ok": 0,
              "corrupted": 0, "lost": 0, "errors": 0, "error": ""}
    clients: list[Client] = []
    sel = selectors.DefaultSelector()
    t_connect = now()
    try:
        # 1. connect
        for i in range(connections):
            if now() - t_connect > phase_timeout:
                result["error"] = f"connect phase deadline passed after {i} connections"
                break
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(min(5.0, phase_timeout))
            try:
                s.connect(address)
            except OSError as exc:
                s.close()
                result["error"] = f"connect #{i}: {exc!r}"
                break
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.setblocking(False)
            c = Client(i, s)
            clients.append(c)
            sel.register(s, selectors.EVENT_READ, c)
        result["connected"] = len(clients)
        result["connect_s"] = now() - t_connect
        if len(clients) < connections:
            return result

        stats = {"sent": 0, "ok": 0, "corrupt": 0, "errors": 0}
        lat: list[float] = []
        state = {"looping": False, "measuring": False, "t0": 0.0, "t1": 0.0, "count": 0, "completed": 0}

        def send_next(c: Client) -> None:
            c.expected = message(c.i, c.seq, size)
            c.seq += 1
            c.sent_at = now()
            try:
                n = c.sock.send(c.expected)
            except (BlockingIOError, InterruptedError):
                n = 0
            stats["sent"] += n
            if n < len(c.expected):
                c.outbuf = c.expected[n:]
                sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)

        def on_write(c: Client) -> None:
            try:
                n = c.sock.send(c.outbuf)
            except (BlockingIOError, InterruptedError):
                return
            stats["sent"] += n
            c.outbuf = c.outbuf[n:]
            if not c.outbuf:
                sel.modify(c.sock, selectors.EVENT_READ, c)

        def on_read(c: Client) -> int:
            """Returns 1 when this connection completed its first round trip."""
            data = c.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            c.inbuf += data
            if len(c.inbuf) < len(c.expected):
                return 0
            if c.inbuf == c.expected:
                stats["ok"] += len(c.expected)
            else:
                stats["corrupt"] += 1
            t = now()
            if state["measuring"] and t <= state["t1"]:
                lat.append(t - c.sent_at)
                state["count"] += 1
            c.inbuf = bytearray()
            c.expected = b""
            c.done += 1
            state["completed"] += 1
            if state["looping"]:
                send_next(c)
            return 1 if c.done == 1 else 0

        def loop_until(cond, deadline: float) -> None:
            select = sel.select
            while not cond():
                if now() > deadline:
                    raise TimeoutError("phase deadline passed")
                for key, mask in select(0.05):
                    c = key.data
                    try:
                        if mask & selectors.EVENT_WRITE:
                            on_write(c)
                        if mask & selectors.EVENT_READ:
                            held["n"] += on_read(c)
                    except OSError:
                        stats["errors"] += 1
                        sel.unregister(c.sock)
                        c.sock.close()

        # 2. hold: one round trip on every connection while all N are open
        held = {"n": 0}
        for c in clients:
            send_next(c)
        loop_until(lambda: held["n"] >= connections or stats["errors"], now() + phase_timeout)
        result["held"] = held["n"]
        result["hold_s"] = now() - t_connect - result["connect_s"]

        # warm up the closed loop: each connection sends its next frame as soon as an echo arrives
        state["looping"] = True
        done0 = sum(c.done for c in clients)
        for c in clients:
            send_next(c)
        loop_until(lambda: state["completed"] >= done0 + connections, now() + phase_timeout)

        # 3. measure: the closed loop is already running; count what completes in the window
        state["measuring"] = True
        state["t0"] = now()
        state["t1"] = state["t0"] + duration
        result["t_start"] = state["t0"]
        loop_until(lambda: now() >= state["t1"], state["t1"] + phase_timeout)
        result["t_end"] = state["t1"]

        # 4. drain
        state["looping"] = False
        t_drain = now()
        try:
            loop_until(lambda: all(not c.expected for c in clients if c.sock.fileno() >= 0), now() + phase_timeout)
        except TimeoutError:
            pass
        result["drain_s"] = now() - t_drain
        lat.sort()
        result.update(round_trips=state["count"], window=duration, rt_per_s=state["count"] / duration,
                      p50_ms=percentile(lat, 0.50) * 1e3, p99_ms=percentile(lat, 0.99) * 1e3,
                      bytes_sent=stats["sent"], bytes_ok=stats["ok"], corrupted=stats["corrupt"],
                      lost=sum(1 for c in clients if c.expected), errors=stats["errors"])
        return result
    except TimeoutError as exc:
        result["error"] = str(exc)
        return result
    finally:
        for c in clients:
            c.sock.close()
        sel.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("address", help="HOST:PORT")
    ap.add_argument("--connections", type=int, default=10)
    ap.add_argument("--duration", type=float, default=0.5)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--phase-timeout", type=float, default=20.0)
    args = ap.parse_args(argv)
    host, _, port = args.address.rpartition(":")
    out = run((host, int(port)), args.connections, args.duration, args.size, args.phase_timeout)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
