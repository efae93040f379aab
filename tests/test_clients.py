"""helpers.clients: scripted concurrent clients, exact reads, proof of simultaneous service."""
from __future__ import annotations

import socket
import threading

import pytest

from helpers.clients import ConnectionClosedEarly, recv_exactly, run_clients
from helpers.servers import echo_server, program_server

ONE_AT_A_TIME = '''
import socket
sk = socket.socket()
sk.bind(("127.0.0.1", 0))
sk.listen()
print(f"127.0.0.1:{sk.getsockname()[1]}")
while True:
    conn, addr = sk.accept()
    with conn:
        while data := conn.recv(1024):
            conn.sendall(data.upper())
'''


def test_recv_exactly_joins_pieces_and_detects_early_close():
    a, b = socket.socketpair()
    with a, b:
        def send():
            for piece in (b"ab", b"cde", b"f"):
                b.sendall(piece)
        t = threading.Thread(target=send)
        t.start()
        assert recv_exactly(a, 6) == b"abcdef"
        t.join()
        b.sendall(b"xy")
        b.shutdown(socket.SHUT_WR)
        with pytest.raises(ConnectionClosedEarly) as info:
            recv_exactly(a, 5)
        assert info.value.got == b"xy" and info.value.expected == 5
    with pytest.raises(ValueError):
        recv_exactly(a, -1)


def test_clients_against_a_concurrent_server_are_served_together():
    scripts = [[f"hello {i}".encode(), b"x" * 5000, "中文".encode()] for i in range(8)]
    with echo_server() as srv:
        run = run_clients(srv.address, scripts, during=lambda: "all connected")
    assert run.ok, run.failures
    assert run.together and run.during == "all connected"
    assert run.replies == [[m.upper() for m in s] for s in scripts]
    assert run.timeline.max_overlap() == 8


def test_a_one_at_a_time_server_fails_the_together_check_without_hanging():
    with program_server(ONE_AT_A_TIME) as srv:
        run = run_clients(srv.address, [[b"a"], [b"b"], [b"c"]], timeout=0.5)
    assert not run.together
    assert not run.ok
    assert any("BrokenBarrierError" in (e or "") or "timed out" in (e or "") for e in run.failures)
    assert run.elapsed < 5


def test_without_hold_clients_run_their_scripts_and_a_closed_connection_is_an_error():
    with program_server(ONE_AT_A_TIME) as srv:
        run = run_clients(srv.address, [[b"a", b"bb"], [b"c"]], hold=False)
        assert run.ok and run.replies == [[b"A", b"BB"], [b"C"]] and not run.together
        short = run_clients(srv.address, [[b"abc"]], hold=False, reply_size=lambda m: 10, timeout=0.5)
    assert short.failures[0] and ("timed out" in short.failures[0] or "closed" in short.failures[0])


def test_a_failing_during_callback_is_raised_after_the_clients_finish():
    with echo_server() as srv:
        with pytest.raises(ZeroDivisionError):
            run_clients(srv.address, [[b"a", b"b"]] * 3, during=lambda: 1 / 0)


def test_arguments_are_checked():
    with pytest.raises(ValueError):
        run_clients(("127.0.0.1", 1), [])
    with pytest.raises(ValueError):
        run_clients(("127.0.0.1", 1), [[]])
