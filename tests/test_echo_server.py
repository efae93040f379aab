"""helpers.servers.echo: correct replies, and hostile clients do not hurt anyone else."""
from __future__ import annotations

import socket
import struct
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers.servers import echo_server
from helpers.testing.hostile import exchange


def roundtrip(address, payload: bytes, timeout: float = 5.0) -> bytes:
    """Send *payload*, half-close, and read the whole reply."""
    return exchange(address, payload, half_close=True, timeout=timeout)


def test_upper_case_echo_and_logs():
    with echo_server() as srv:
        assert srv.address[0] == "127.0.0.1" and srv.port > 0
        assert roundtrip(srv.address, b"hello, world") == b"HELLO, WORLD"
    assert srv.accepted == 1 and srv.bytes_in == srv.bytes_out == 12
    lines = srv.log.lines
    assert lines[0].startswith("服务器已启动 127.0.0.1:")
    assert any("收到 12 字节" in line for line in lines)
    assert not srv.running


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(min_size=1, max_size=5000))
def test_random_bytes_come_back_upper_cased(payload):
    with echo_server(log_data=False) as srv:
        assert roundtrip(srv.address, payload) == payload.upper()


def test_one_mebibyte_message_is_echoed_intact():
    payload = bytes(range(256)) * 4096  # 1 MiB, every byte value
    with echo_server() as srv:
        assert roundtrip(srv.address, payload, timeout=10) == payload.upper()


def test_non_utf8_input_is_fine():
    with echo_server() as srv:
        assert roundtrip(srv.address, b"\xff\xfe\x80abc") == b"\xff\xfe\x80ABC"


def test_silent_and_resetting_clients_do_not_block_others(stop_timer):
    srv = echo_server().start()
    try:
        silent = socket.create_connection(srv.address)  # connects, never sends
        resetter = socket.create_connection(srv.address)
        resetter.sendall(b"half a mess")
        resetter.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        resetter.close()  # RST mid-conversation
        for _ in range(3):
            assert roundtrip(srv.address, b"still there?") == b"STILL THERE?"
        silent.close()
    finally:
        assert stop_timer(srv) < 2.0
    srv.check()


def test_client_that_never_reads_replies_does_not_starve_others():
    with echo_server(log_data=False) as srv:
        hog = socket.create_connection(srv.address)
        hog.setblocking(False)
        sent = 0
        try:
            while sent < 32 * 1024 * 1024:  # the server stops reading after 8 MiB pending
                sent += hog.send(b"x" * 65536)
        except BlockingIOError:
            pass
        assert roundtrip(srv.address, b"ok") == b"OK"
        hog.close()


def test_many_concurrent_clients():
    with echo_server(log_data=False) as srv:
        socks = [socket.create_connection(srv.address) for _ in range(300)]
        for i, s in enumerate(socks):
            s.sendall(f"msg {i};".encode())
        for i, s in enumerate(socks):
            assert s.recv(100) == f"MSG {i};".encode()
            s.close()
        time.sleep(0.05)
        assert srv.accepted == 300


def test_stops_within_two_seconds_with_open_clients(stop_timer):
    srv = echo_server().start()
    clients = [socket.create_connection(srv.address) for _ in range(20)]
    assert stop_timer(srv) < 2.0
    assert not srv.running
    for c in clients:
        c.close()


def test_keyboard_interrupt_inside_with_still_stops_the_server():
    with pytest.raises(KeyboardInterrupt):
        with echo_server() as srv:
            raise KeyboardInterrupt
    assert not srv.running
    with pytest.raises(OSError):
        socket.create_connection(srv.address, timeout=1)


def test_no_thread_left_behind():
    before = set(threading.enumerate())
    with echo_server():
        pass
    time.sleep(0.05)
    assert set(threading.enumerate()) <= before
