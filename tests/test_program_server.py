"""helpers.servers.program: run a server program, find its port, stop it, keep its output."""
from __future__ import annotations

import socket
import time

import pytest

from helpers.servers import program_server

UPPER_SERVER = '''
import socket
sk = socket.socket()
sk.bind(("127.0.0.1", 0))
sk.listen()
print(f"服务器已启动 127.0.0.1:{sk.getsockname()[1]}")
try:
    while True:
        conn, addr = sk.accept()
        with conn:  # closed even when Ctrl-C (SIGINT) arrives mid-reply
            data = conn.recv(1024)
            print(f"服务端接收数据 {data.decode()}")
            conn.sendall(data.upper())
finally:
    print("服务器已关闭")
    sk.close()
'''


def test_runs_finds_port_and_shows_output_after_stop(capsys):
    with program_server(UPPER_SERVER) as srv:
        with socket.create_connection(srv.address, timeout=5) as c:
            c.sendall(b"abc")
            assert c.recv(10) == b"ABC"
    assert srv.returncode is not None
    srv.show()
    out = capsys.readouterr().out
    assert "服务端接收数据 abc" in out
    assert "服务器已关闭" in out, "SIGINT first: the program's finally block must run"


def test_stop_is_quick_even_if_the_program_ignores_sigint():
    code = ('import signal, socket, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n'
            's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()\n'
            'print("127.0.0.1:%d" % s.getsockname()[1])\ntime.sleep(60)\n')
    srv = program_server(code).start()
    start = time.perf_counter()
    srv.stop()
    assert time.perf_counter() - start < 2.0


def test_a_program_that_crashes_before_listening_fails_clearly():
    with pytest.raises(RuntimeError, match="exited") as info:
        program_server("raise SystemExit('boom: bad config')").start()
    assert "boom: bad config" in str(info.value)


def test_a_program_that_never_prints_its_address_times_out():
    with pytest.raises(RuntimeError, match="printed no"):
        program_server("import time; time.sleep(30)", ready_timeout=0.5).start()


def test_check_reports_a_crash_during_the_demo():
    code = ('import socket\nwith socket.socket() as s:\n    s.bind(("127.0.0.1", 0)); s.listen()\n'
            '    print("127.0.0.1:%d" % s.getsockname()[1], flush=True)\n    c, _ = s.accept()\n'
            '    with c:\n        raise RuntimeError("handler bug")\n')
    with program_server(code) as srv:
        socket.create_connection(srv.address).close()
        deadline = time.time() + 5
        while time.time() < deadline and srv._proc.poll() is None:
            time.sleep(0.02)
        with pytest.raises(RuntimeError, match="handler bug"):
            srv.check()


def test_code_must_be_text():
    with pytest.raises(TypeError):
        program_server(b"print()")
