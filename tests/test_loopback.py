"""helpers.testing.loopback: non-loopback addresses are refused before any packet leaves, in every process."""
from __future__ import annotations

import os
import socket

import pytest

from helpers.testing import loopback
from helpers.testing.loopback import LoopbackViolation, address_allowed, is_loopback_host
from helpers.runner import run_code

PROBE = """
import socket
s = socket.socket()
s.setblocking(False)
try:
    s.connect(("10.0.0.1", 80))
    print("connected?!")
except Exception as exc:
    print("refused:", type(exc).__name__)
print("local address after the attempt:", s.getsockname())
s.close()
with socket.create_server(("127.0.0.1", 0)) as srv, socket.create_connection(srv.getsockname(), timeout=5) as c:
    print("loopback works")
"""


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "LOCALHOST.", b"127.0.0.1",
                                  "::ffff:127.0.0.1"])
def test_loopback_hosts_are_allowed(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "0.0.0.0", "", "::", "8.8.8.8", "www.baidu.com", "localhost.evil.com",
                                  "<broadcast>", None, "::ffff:10.0.0.1"])
def test_other_hosts_are_refused(host):
    assert not is_loopback_host(host)


def test_address_kinds():
    assert address_allowed(("127.0.0.1", 80)) and address_allowed(("::1", 80, 0, 0))
    assert address_allowed("/tmp/some.sock") and address_allowed(b"\0abstract") and address_allowed((0, 0))
    assert not address_allowed(("0.0.0.0", 0)) and not address_allowed(("eth0", 0x0800))


def probe_output_ok(out: str) -> None:
    assert "refused: LoopbackViolation" in out, out
    # an attempted connect would have bound a local port: the call never reached the kernel
    assert "local address after the attempt: ('0.0.0.0', 0)" in out, out
    assert "loopback works" in out, out


def test_refused_in_the_pytest_process_before_the_syscall(guard_incidents, capsys):
    assert loopback.installed(), "the leak guard plugin installs the hook in the pytest process"
    exec(compile(PROBE, "probe", "exec"), {})
    probe_output_ok(capsys.readouterr().out)
    with socket.socket() as s, pytest.raises(LoopbackViolation):
        s.bind(("0.0.0.0", 0))
    with socket.socket() as s, pytest.raises(LoopbackViolation):
        s.bind(("", 0))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u, pytest.raises(LoopbackViolation):
        u.sendto(b"x", ("8.8.8.8", 53))
    with pytest.raises(LoopbackViolation):
        socket.getaddrinfo("www.baidu.com", 80)
    incidents = guard_incidents()
    assert len(incidents) == 5 and all(i["kind"] == "network" and i["pid"] == os.getpid() for i in incidents)
    assert "10.0.0.1" in incidents[0]["text"] and "www.baidu.com" in incidents[-1]["text"]


def test_refused_in_a_child_interpreter_and_recorded(guard_incidents):
    result = run_code(PROBE, show=False)
    probe_output_ok(result.stdout)
    incidents = guard_incidents()
    assert [i["kind"] for i in incidents] == ["network"] and incidents[0]["pid"] != os.getpid()
    assert "('10.0.0.1', 80)" in incidents[0]["text"] and "main.py" in incidents[0]["text"], "names where it happened"
