"""helpers.servers.slowsite: latency, sizes, faults, concurrency, hostile clients."""
from __future__ import annotations

import socket
import struct
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers.servers import SEED_SITES, Site, slow_site_server
from helpers.servers.slowsite import page_body


def fetch(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


def test_seed_sites_have_the_seed_sizes_and_own_latency():
    with slow_site_server() as srv:
        start = time.perf_counter()
        status, body = fetch(srv.url("www.qq.com"))
        took = time.perf_counter() - start
    assert status == 200 and len(body) == 245600 == SEED_SITES["www.qq.com"].size
    assert body == srv.body("www.qq.com") and body.startswith(b"<!-- www.qq.com -->")
    assert SEED_SITES["www.qq.com"].latency <= took < SEED_SITES["www.qq.com"].latency + 1.0
    assert [r.outcome for r in srv.requests] == ["ok"]


def test_sites_are_served_concurrently():
    sites = {f"s{i}": Site(latency=0.4, size=100) for i in range(8)}
    with slow_site_server(sites) as srv:
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(fetch, srv.urls()))
        took = time.perf_counter() - start
    assert all(status == 200 for status, _ in results)
    assert took < 0.4 * 8 / 2, f"8 requests of 0.4 s took {took:.2f} s: not concurrent"


def test_host_header_routing_like_the_seed_raw_client():
    with slow_site_server({"www.163.com": Site(latency=0.0, size=50)}) as srv:
        with socket.create_connection(srv.address, timeout=5) as s:
            s.sendall(b"GET /s?wd=alex HTTP/1.0\r\nhost:www.163.com\r\n\r\n")
            data = b""
            while chunk := s.recv(4096):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and body == page_body("www.163.com", 50)


def test_adhoc_delay_and_size_query():
    with slow_site_server({}) as srv:
        status, body = fetch(f"http://127.0.0.1:{srv.port}/page7?delay=0.05&size=123")
    assert status == 200 and len(body) == 123


def test_faults_reset_status_and_stall():
    sites = {"reset": Site(latency=0, fault="reset"), "err": Site(latency=0, fault="status", status=503),
             "stall": Site(latency=0, fault="stall"), "ok": Site(latency=0, size=10)}
    with slow_site_server(sites) as srv:
        with pytest.raises((ConnectionResetError, urllib.error.URLError, ConnectionError)):
            fetch(srv.url("reset"))
        with pytest.raises(urllib.error.HTTPError) as info:
            fetch(srv.url("err"))
        assert info.value.code == 503
        info.value.close()  # an HTTPError holds the response (and its socket) open
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            fetch(srv.url("stall"), timeout=0.3)
        assert fetch(srv.url("ok"))[0] == 200
        start = time.perf_counter()
    assert time.perf_counter() - start < 2.0, "a stalled request must not delay the stop"


def test_unknown_site_is_404_and_garbage_is_400():
    with slow_site_server({"a": Site(latency=0)}) as srv:
        with pytest.raises(urllib.error.HTTPError) as info:
            fetch(f"http://127.0.0.1:{srv.port}/nope/")
        assert info.value.code == 404
        info.value.close()
        with socket.create_connection(srv.address, timeout=5) as s:
            s.sendall(b"\x00\xff garbage without a header end" * 1000)  # > 16 KiB head
            assert s.recv(100).startswith(b"HTTP/1.1 400")
        assert fetch(srv.url("a"))[0] == 200


def test_silent_and_resetting_clients_and_quick_stop(stop_timer):
    srv = slow_site_server({"a": Site(latency=0.05, size=10)}).start()
    silent = socket.create_connection(srv.address)
    rst = socket.create_connection(srv.address)
    rst.sendall(b"GET /a/ HT")
    rst.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    rst.close()
    assert fetch(srv.url("a"))[0] == 200
    assert stop_timer(srv) < 2.0
    silent.close()
    srv.check()


def test_bad_site_definitions_are_refused_clearly():
    with pytest.raises(ValueError, match="fault"):
        Site(fault="explode")
    with pytest.raises(ValueError, match="latency"):
        Site(latency=-1)
    with pytest.raises(TypeError):
        slow_site_server({"x": 0.5})
    with slow_site_server({"a": Site()}) as srv:
        with pytest.raises(KeyError, match="known: a"):
            srv.url("b")


def raw_request(address, request: bytes) -> bytes:
    """Send *request* as is; return the whole reply (the server closes after it)."""
    with socket.create_connection(address, timeout=5) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    return data


def test_request_target_urlsplit_rejects_is_400_and_the_worker_survives(capsys):
    hooked = []
    import threading
    old, threading.excepthook = threading.excepthook, hooked.append
    try:
        with slow_site_server({"a": Site(latency=0)}) as srv:
            reply = raw_request(srv.address, b"GET http://[::1/a/ HTTP/1.1\r\nHost: a\r\n\r\n")
            assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n"), reply[:80]
            assert raw_request(srv.address, b"GET\r\n\r\n").startswith(b"HTTP/1.1 400")
            assert raw_request(srv.address, b"GET /a/ FTP/9\r\n\r\n").startswith(b"HTTP/1.1 400")
            assert fetch(srv.url("a"))[0] == 200
            srv.check()
    finally:
        threading.excepthook = old
    assert hooked == [], "a worker thread died with an exception"
    assert "Traceback" not in capsys.readouterr().err
    assert [r.outcome for r in srv.requests].count("bad-request") == 3


def test_other_http_methods_are_405_with_allow_and_unknown_methods_501():
    with slow_site_server({"a": Site(latency=0)}) as srv:
        reply = raw_request(srv.address, b"POST /a/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        head = reply.partition(b"\r\n\r\n")[0]
        assert head.startswith(b"HTTP/1.1 405 Method Not Allowed") and b"\r\nAllow: GET" in head
        assert raw_request(srv.address, b"BREW /a/ HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 501 Not Implemented")
        assert fetch(srv.url("a"))[0] == 200
