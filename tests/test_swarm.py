"""helpers/swarm.py: simultaneous clients time each answer; a serial server makes a staircase."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from helpers.swarm import simultaneous_clients
from helpers.timing import Timeline


def serial_server(n: int, wait: float):
    sk = socket.create_server(("127.0.0.1", 0))

    def serve():
        with sk:
            for _ in range(n):
                conn, _ = sk.accept()
                with conn:
                    time.sleep(wait)
                    conn.sendall(b"42")

    t = threading.Thread(target=serve)
    t.start()
    return sk.getsockname(), t


def test_a_serial_server_answers_in_a_staircase_and_the_timeline_gets_one_bar_per_client():
    address, t = serial_server(3, 0.1)
    tl = Timeline()
    lat = sorted(simultaneous_clients(address, 3, tl))
    t.join(5)
    assert lat[0] < 0.25 and lat[-1] > 0.25
    assert len(tl.spans) == 3


def test_a_client_without_an_answer_raises():
    sk = socket.create_server(("127.0.0.1", 0))
    with sk:
        with pytest.raises(RuntimeError):
            simultaneous_clients(sk.getsockname(), 2, timeout=0.3)
