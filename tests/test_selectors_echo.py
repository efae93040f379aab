"""helpers.servers.selectors_echo + helpers.framed_load: framed echo, partial sends, many clients, program mode."""
from __future__ import annotations

import socket
import struct
import time

from helpers.framed_load import run_framed_load
from helpers.framing import encode, recv_frame, send_frame
from helpers.servers.selectors_echo import SelectorsEchoServer
from helpers.servers import program_server


def test_frames_are_echoed_even_when_split_and_merged():
    with SelectorsEchoServer() as srv:
        with socket.create_connection(srv.address, timeout=5) as s:
            stream = encode(b"hello") + encode(b"") + encode(b"world" * 1000)
            for i in range(0, len(stream), 3):  # byte-stream pieces of 3
                s.sendall(stream[i:i + 3])
            assert [recv_frame(s), recv_frame(s), recv_frame(s)] == [b"hello", b"", b"world" * 1000]
    assert srv.frames == 3 and srv.errors == 0 and not srv.running


def test_transform_upper():
    with SelectorsEchoServer(transform=bytes.upper) as srv, socket.create_connection(srv.address, timeout=5) as s:
        send_frame(s, b"abc")
        assert recv_frame(s) == b"ABC"


def test_partial_sends_are_buffered_and_finished_on_event_write():
    big = bytes(range(256)) * 16384  # 4 MiB: more than the socket buffers hold
    with SelectorsEchoServer() as srv, socket.create_connection(srv.address, timeout=10) as s:
        send_frame(s, big)
        send_frame(s, big)  # 8 MiB of replies: more than loopback's socket buffers can absorb
        time.sleep(0.2)  # not reading yet: the server's send must stop part-way
        assert recv_frame(s) == big and recv_frame(s) == big
    assert srv.partial_sends >= 1 and srv.write_waits >= 1


def test_half_close_still_gets_replies_and_bad_length_closes_only_that_client():
    with SelectorsEchoServer(max_frame=1000) as srv:
        with socket.create_connection(srv.address, timeout=5) as good:
            bad = socket.create_connection(srv.address, timeout=5)
            bad.sendall(struct.pack("!I", 10**9))
            assert bad.recv(10) == b""  # closed by the server
            bad.close()
            send_frame(good, b"x" * 1000)
            good.shutdown(socket.SHUT_WR)
            assert recv_frame(good) == b"x" * 1000
            assert recv_frame(good) is None
    assert srv.errors == 1


def test_two_hundred_concurrent_clients_checksums():
    with SelectorsEchoServer() as srv:
        result = run_framed_load(srv.address, clients=200, messages=3, size=3000, timeout=20)
    assert result.ok, (result.mismatched, result.failed)
    assert result.max_open == 200 and srv.max_open == 200
    assert result.echoed_bytes == result.payload_bytes > 0 and result.throughput > 0


def test_runs_as_a_program_and_prints_its_address_and_summary():
    code = "from helpers.servers.selectors_echo import main\nmain()\n"
    with program_server(code, ["--port", "0"]) as prog:
        with socket.create_connection(prog.address, timeout=5) as s:
            send_frame(s, b"ping")
            assert recv_frame(s) == b"ping"
    assert prog.stdout.lines[0] == f"127.0.0.1:{prog.address[1]}"
    assert prog.stdout.lines[-1].startswith("served: accepted=1 frames=1")


def test_sigterm_also_stops_the_program_cleanly():
    import signal as _signal

    code = "from helpers.servers.selectors_echo import main\nmain()\n"
    prog = program_server(code, ["--port", "0"]).start()
    try:
        with socket.create_connection(prog.address, timeout=5) as s:
            send_frame(s, b"x" * 10)
            assert recv_frame(s) == b"x" * 10
        prog._proc.send_signal(_signal.SIGTERM)
        assert prog._proc.wait(timeout=3) == 0
    finally:
        prog.stop()
    assert prog.stdout.lines[-1].startswith("served: accepted=1 frames=1 bytes_in=14 bytes_out=14")
