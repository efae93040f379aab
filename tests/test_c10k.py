"""The C10K lab: framing, every server echoes every byte, the load generator catches corruption, bench rows."""
from __future__ import annotations

from pathlib import Path
import dataclasses
import json
import math
import socket
import subprocess
import sys
import threading

import pytest

from helpers import framing
from helpers.c10k import SERVERS, VARIANTS, bench, loadgen, recvcost, syscalls
from helpers.servers.base import listen


def test_take_frames_handles_split_and_merged_frames():
    a, b = framing.encode(b"hello"), framing.encode(b"")
    buf = bytearray(a[:3])
    assert framing.take_frames(buf) == b"" and buf == a[:3]
    buf += a[3:] + b + b"\x00\x00"
    assert framing.take_frames(buf) == a + b
    assert buf == bytearray(b"\x00\x00")


def test_oversized_frame_is_a_protocol_error():
    with pytest.raises(framing.FrameError):
        framing.complete_length(framing.HEADER.pack(framing.MAX_FRAME + 1))
    with pytest.raises(framing.FrameError):
        framing.encode(b"x" * (framing.MAX_FRAME + 1))


def test_messages_are_unique_and_sized():
    m = loadgen.message(3, 7, 100)
    assert len(m) == 104 and framing.complete_length(m) == 104
    assert m != loadgen.message(3, 8, 100) and m != loadgen.message(4, 7, 100)
    with pytest.raises(ValueError):
        loadgen.message(0, 0, 5)


def test_percentile():
    assert loadgen.percentile([1, 2, 3, 4, 5], 0.5) == 3
    assert loadgen.percentile([1, 2, 3, 4, 5], 0.99) == 5
    assert math.isnan(loadgen.percentile([], 0.5))


@pytest.mark.parametrize("kind", [*SERVERS, *VARIANTS])
def test_every_server_echoes_every_byte(kind):
    spec = SERVERS.get(kind) or VARIANTS[kind]
    if not spec.available():
        pytest.skip(f"{spec.requires} not installed")
    with bench.start_server(kind) as srv:
        r = bench.run_loadgen(srv.address, 20, 0.2, size=3000, phase_timeout=10)
        # a raw client: two frames in one send, the second split across two sends
        with socket.create_connection(srv.address, timeout=5) as s:
            f1, f2 = framing.encode(b"a" * 10), framing.encode(bytes(range(256)) * 300)
            s.sendall(f1 + f2[:7])
            s.sendall(f2[7:])
            got = b""
            while len(got) < len(f1 + f2):
                chunk = s.recv(65536)
                assert chunk
                got += chunk
            assert got == f1 + f2
    assert r["held"] == 20 and r["round_trips"] > 0
    assert r["corrupted"] == r["lost"] == r["errors"] == 0 and r["bytes_ok"] == r["bytes_sent"] > 0


def test_loadgen_detects_a_corrupting_server():
    lsock = listen()

    def bad_echo():  # flips the last byte of every frame
        conn, _ = lsock.accept()
        with conn:
            buf = bytearray()
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
                frames = bytearray(framing.take_frames(buf))
                if frames:
                    frames[-1] ^= 0xFF
                    conn.sendall(frames)

    t = threading.Thread(target=bad_echo, daemon=True)
    t.start()
    with lsock:
        r = loadgen.run(lsock.getsockname(), 1, 0.1, phase_timeout=5)
    t.join(5)
    assert r["corrupted"] > 0 and r["bytes_ok"] == 0


def test_loadgen_is_bounded():
    with pytest.raises(ValueError):
        loadgen.run(("127.0.0.1", 1), loadgen.MAX_CONNECTIONS + 1, 0.1)
    with pytest.raises(ValueError):
        loadgen.run(("127.0.0.1", 1), 1, loadgen.MAX_DURATION + 1)


def test_measure_gives_sane_rows_and_csv(tmp_path):
    rows = bench.measure("selectors", [50, 5], duration=0.1, windows=3, clients=2)
    assert [r.connections for r in rows] == [5, 50]
    for r in rows:
        assert r.clients == 2 and r.held == r.connections and r.peak_fds >= r.connections
        assert 0 < r.rt_min <= r.rt_per_s <= r.rt_max and 0 < r.p50_ms <= r.p99_ms and r.cpu_us_per_rt > 0
        assert 0 < r.server_cpu < 1.5 and 0 < r.client_cpu < 4
    path = bench.write_csv(rows, tmp_path / "c10k.csv")
    assert Path(path).read_text(encoding="utf-8").count("\n") == 3
    assert "rt/s" in bench.table(rows)


def test_loadgen_windows_and_split_between_processes():
    with bench.start_server("selectors") as srv:
        results = bench.run_loadgens(srv.address, 7, 3, 0.1, windows=2)
    assert sorted(r["connections"] for r in results) == [2, 2, 3]
    for r in results:
        assert len(r["rt_per_s_windows"]) == 2 and r["cpu_s"] > 0 and r["held"] == r["connections"]
    with pytest.raises(ValueError):
        loadgen.run(("127.0.0.1", 1), 1, 0.1, windows=0)


def test_clients_for_follows_the_usable_cpus():
    from helpers import machine
    one = machine.Limits(cpus=1.0, affinity=1, quota=None, memory_limit=None, memory_available=2**30,
                         nofile_soft=1024, nofile_hard=1024, tasks=None)
    two = dataclasses.replace(one, cpus=2.0, affinity=2)
    assert bench.clients_for(1000, one) == 1 and bench.clients_for(1000, two) == 2
    assert bench.clients_for(1, two) == 1


def test_sizes_measure_every_server_at_mid_when_tasks_are_few():
    """With pids.max = 600 the thread server gets ~584 connections: MID must follow, in both level lists."""
    from helpers import machine
    few = machine.Limits(cpus=2.0, affinity=2, quota=None, memory_limit=None, memory_available=2**34,
                         nofile_soft=20000, nofile_hard=20000, tasks=600)
    n, n_threads, mid = bench.sizes(few, quiet=True)
    assert n == 10_000 and n_threads < 1000 and mid == n_threads
    levels, thread_levels = bench.levels(10, mid, n, cap=n), bench.levels(10, mid, cap=n_threads)
    assert mid in levels and mid in thread_levels
    roomy = dataclasses.replace(few, tasks=None)
    assert bench.sizes(roomy, quiet=True) == (10_000, 1000, 1000)


def test_minor_faults_and_context_switches_read_this_process():
    import os
    import threading
    import time
    assert bench.minor_faults(os.getpid()) > 0 and bench.minor_faults(-1) == 0
    before = bench.context_switches(os.getpid())
    stop = threading.Event()
    workers = [threading.Thread(target=lambda: [time.sleep(0.001) for _ in iter(stop.is_set, True)]) for _ in range(4)]
    for w in workers:
        w.start()
    time.sleep(0.1)    # the workers are alive and switching: they count, not only the main thread
    during = bench.context_switches(os.getpid())
    stop.set()
    for w in workers:
        w.join()
    assert during - before >= 4 * 10 and bench.context_switches(-1) == -1


def test_sampler_interpolates():
    s = bench.Sampler.__new__(bench.Sampler)
    s.samples = [bench.Sample(0.0, 1.0, 10, 1), bench.Sample(1.0, 3.0, 30, 1)]
    assert s.at(0.5, "cpu") == 2.0 and s.at(-1, "cpu") == 1.0 and s.at(2, "cpu") == 3.0
    assert s.peak("rss") == 30


def test_unavailable_server_is_refused():
    spec = SERVERS["uvloop-streams"]
    if spec.available():
        pytest.skip("uvloop is installed")
    with pytest.raises(RuntimeError, match="uvloop"):
        with bench.start_server("uvloop-streams"):
            pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc behaviour")
def test_recv_cost_module_runs_and_reports_both_sizes():
    us, faults = recvcost.recv_cost(65536, n=200)
    assert us > 0 and faults >= 0
    out = subprocess.run([sys.executable, "-m", "helpers.c10k.recvcost"], capture_output=True, text=True, timeout=60)
    data = json.loads(out.stdout)
    assert set(data) == {"65536", "262144"}


def test_parse_strace_summary():
    text = """% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 26.89    0.014108           8      1755           sendto
 24.66    0.012934           7      1755           mremap
 11.75    0.006162           3      1765        12 recvfrom
------ ----------- ----------- --------- --------- ----------------
100.00    0.052458           5      8788           total
"""
    assert syscalls.parse_summary(text) == {"sendto": 1755, "mremap": 1755, "recvfrom": 1765}


def test_strace_counts_a_servers_syscalls_or_says_why_not():
    with bench.start_server("asyncio-streams") as srv:
        try:
            with syscalls.counting(srv.pid) as counts:
                bench.run_loadgen(srv.address, 5, 0.2, phase_timeout=10)
        except syscalls.StraceUnavailable as exc:
            pytest.skip(str(exc))
    assert counts.get("recvfrom", 0) > 0


def test_streams_handler_ends_quietly_when_the_server_stops():
    """A handler cancelled at shutdown must not leave a cancelled task (Python < 3.12 prints its traceback)."""
    import asyncio

    from helpers.c10k import asyncio_streams_server

    async def scenario():
        server = await asyncio.start_server(asyncio_streams_server.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.sleep(0.05)  # the handler now waits in readexactly()
        handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in handlers:
            t.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        writer.close()
        server.close()
        await server.wait_closed()
        return handlers

    handlers = asyncio.run(scenario())
    assert handlers and not any(t.cancelled() for t in handlers)


def test_tcp_kernel_memory_reads_sockstat(tmp_path):
    f = tmp_path / "sockstat"
    f.write_text("sockets: used 10\nTCP: inuse 3 orphan 0 tw 1 alloc 5 mem 7\nUDP: inuse 0 mem 0\n")
    import os
    assert bench.tcp_kernel_memory(str(f)) == 7 * os.sysconf("SC_PAGE_SIZE")
    assert bench.tcp_kernel_memory(str(tmp_path / "missing")) is None


def test_only_the_active_share_keeps_sending_and_the_poll_variant_serves():
    rows = bench.measure("selectors-poll", [200], duration=0.1, windows=2, clients=2, active_share=0.05)
    r = rows[0]
    assert r.held == 200 and r.peak_fds >= 200 and r.corrupted == r.lost == r.errors == 0
    with bench.start_server("selectors") as srv:
        lg = loadgen.LoadGenerator(srv.address, 50, 0.1, active=5)
        res = lg.run()
    assert res["held"] == 50 and res["round_trips"] > 0
    assert all(c.done == 1 for c in lg.clients[5:]), "idle connections do only the hold round trip"
    assert all(c.done > 1 for c in lg.clients[:5])
    with pytest.raises(ValueError):
        loadgen.run(("127.0.0.1", 1), 5, 0.1, active=6)
    assert "selectors-poll" in VARIANTS and "selectors-poll" not in SERVERS
