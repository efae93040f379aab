"""Fixtures for the unit tests."""
from __future__ import annotations

import socket
import time

import pytest


def roundtrip(address, payload: bytes, timeout: float = 5.0) -> bytes:
    """Send *payload*, half-close, and read the whole reply."""
    with socket.create_connection(address, timeout=timeout) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


@pytest.fixture
def stop_timer():
    """Returns a function that measures how long a server's __exit__ takes."""

    def measure(server) -> float:
        start = time.perf_counter()
        server.__exit__(None, None, None)
        return time.perf_counter() - start

    return measure
