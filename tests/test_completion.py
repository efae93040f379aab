"""helpers.completion: the asynchronous-I/O demo completes with the data, on every backend."""
from __future__ import annotations

import pytest

from helpers import completion


def available(name: str) -> bool:
    try:
        completion.completion_read(b"x", 0.01, backend=name)
    except (OSError, ImportError):
        return False
    return True


@pytest.mark.parametrize("backend", ["io_uring", "simulation"])
def test_socket_backends_deliver_the_data_after_the_peer_sends(backend):
    if not available(backend):
        pytest.skip(f"{backend} refused here")
    r = completion.completion_read(b"hello", 0.1, backend=backend)
    assert r.backend == backend and r.data == b"hello"
    assert r.completed_at >= r.sent_at >= 0.09          # the completion comes after the data
    assert r.submit_call < 0.05                         # submitting did not wait for the data
    assert r.work_chunks > 0                            # the application kept working meanwhile
    assert r.leftover is False                          # the kernel consumed the bytes: nothing left to recv
    assert r.sent_at < 0.1 + 0.15                       # the peer is not starved by the busy application


@pytest.mark.parametrize("backend", ["io_uring", "simulation"])
def test_the_peer_sends_on_time_while_the_application_computes(backend):
    if not available(backend):
        pytest.skip(f"{backend} refused here")
    sent = sorted(completion.completion_read(b"ping", 0.2, backend=backend).sent_at for _ in range(3))
    assert 0.2 <= sent[1] < 0.3                         # the median send is close to the requested delay


def test_linux_aio_reads_a_file():
    if not available("linux_aio"):
        pytest.skip("Linux AIO refused here")
    r = completion.completion_read(b"file bytes", backend="linux_aio")
    assert r.data == b"file bytes" and r.backend == "linux_aio"


def test_auto_falls_back_and_says_why(monkeypatch):
    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setitem(completion._IMPL, "io_uring", refuse)
    monkeypatch.setitem(completion._IMPL, "linux_aio", refuse)
    r = completion.completion_read(b"abc", 0.05)
    assert r.simulated and r.data == b"abc"
    assert len(r.refused) == 2 and all("Operation not permitted" in x for x in r.refused)


def test_a_named_backend_that_is_refused_raises(monkeypatch):
    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setitem(completion._IMPL, "io_uring", refuse)
    with pytest.raises(PermissionError):
        completion.completion_read(backend="io_uring")


def test_bad_arguments():
    with pytest.raises(ValueError):
        completion.completion_read(backend="kqueue")
    with pytest.raises(ValueError):
        completion.completion_read(b"")
