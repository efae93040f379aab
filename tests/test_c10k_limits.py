"""Every C10K lab server bounds its memory against a client that never reads, and stops promptly.

- a client that sends 1 KiB frames and never reads its echoes: the server's RSS must not grow
  by more than :data:`BOUND` (a few MiB) although the client offers :data:`OFFERED`;
- right after thousands of connections were reset at once, SIGTERM (and SIGINT) must end
  the server within 2 s.
"""
from __future__ import annotations

import signal
import socket
import struct
import time

import psutil
import pytest

from helpers import framing
from helpers.c10k import SERVERS, UNBOUNDED, VARIANTS, bench
from helpers.c10k.loadgen import send_never_read

KINDS = [k for k, s in {**SERVERS, **VARIANTS}.items() if s.available()]
OFFERED = 96 * 1024 * 1024  # what the client tries to send
BOUND = 12 * 1024 * 1024     # what the server may grow by (selectors keeps up to 4 MiB of replies)
RESETS = 2000


@pytest.mark.parametrize("kind", KINDS)
def test_server_memory_is_bounded_when_the_client_never_reads(kind):
    with bench.start_server(kind) as srv:
        proc = psutil.Process(srv.pid)
        time.sleep(0.2)
        before = proc.memory_info().rss
        sent = send_never_read(srv.address, OFFERED)
        grown = proc.memory_info().rss - before
        srv.check()
    assert grown < BOUND, f"{kind}: RSS grew by {grown / 2**20:.1f} MiB while the client sent {sent / 2**20:.1f} MiB"
    assert sent < OFFERED, f"{kind}: took all {sent / 2**20:.0f} MiB from a client that never reads"


def reset_all(socks) -> None:
    for s in socks:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("kind", KINDS)
def test_server_stops_within_2s_right_after_thousands_of_resets(kind, sig):
    from helpers import fdlimit
    fdlimit.raise_soft_limit(RESETS + 200)
    n = min(RESETS, fdlimit.soft_limit() - 200)
    with bench.start_server(kind) as srv:
        frame = framing.encode(b"y" * 100)
        socks = [socket.create_connection(srv.address, timeout=5) for _ in range(n)]
        for s in socks:  # every connection active: its handler is running when the reset comes
            s.sendall(frame)
        for s in socks[:10]:
            assert s.recv(len(frame)) == frame
        reset_all(socks)
        start = time.monotonic()
        srv._proc.send_signal(sig)
        try:
            srv._proc.wait(timeout=5)
        except Exception:
            pass
        took = time.monotonic() - start
    assert took < 2.0, f"{kind} took {took:.2f} s to stop after {signal.Signals(sig).name}"


def test_the_counter_example_without_flow_control_does_grow():
    """Chapter 09 shows it beside the safe server: its memory follows what the client sends."""
    (kind,) = UNBOUNDED
    with bench.start_server(kind) as srv:
        server = psutil.Process(srv.pid)
        rss0 = server.memory_info().rss
        sent = send_never_read(srv.address, 32 * 1024 * 1024)
        grown = server.memory_info().rss - rss0
    assert sent == 32 * 1024 * 1024 and grown > 16 * 1024 * 1024
