"""Faults in a real kernel: the guards are active there, Ctrl-C and kill -9 leave nothing behind,
and a crashed server fails the cell quickly with a clear message.

Each test starts its own kernel (as nbval does, with the pytest process's environment) in a
temporary directory, and talks to it with jupyter_client.
"""
from __future__ import annotations

import os
import signal
import socket
import time

import psutil
import pytest
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, start_new_kernel

SLEEPY_SERVER = (
    "import socket, time\n"
    "with socket.create_server(('127.0.0.1', 0)) as s:\n"
    "    print('127.0.0.1:%d' % s.getsockname()[1], flush=True)\n"
    "    while True:\n"
    "        time.sleep(1)\n"
)


class Kernel:
    """A kernel started like nbval's (current environment), with a tiny execute API."""

    def __init__(self, cwd):
        self.km, self.kc = start_new_kernel(kernel_name=CURRENT_ENV_KERNEL_NAME, cwd=str(cwd), startup_timeout=60)
        self.pid = self.km.provisioner.pid

    def submit(self, code: str) -> str:
        return self.kc.execute(code)

    def collect(self, msg_id: str, timeout: float = 30, until: str | None = None):
        """Read iopub for *msg_id* until idle (or until *until* appears in stdout): (stdout, error)."""
        out, error = [], None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the cell did not finish within {timeout} s; output so far: {''.join(out)!r}")
            try:
                msg = self.kc.get_iopub_msg(timeout=left)
            except Exception:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
                if until and until in "".join(out):
                    return "".join(out), error
            elif kind == "error":
                error = content
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out), error

    def run(self, code: str, timeout: float = 30):
        return self.collect(self.submit(code), timeout)

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture
def kernel(tmp_path):
    k = Kernel(tmp_path)
    yield k
    k.close()


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE  # dead; only PID 1 has not reaped it
    except psutil.NoSuchProcess:
        return True


def wait_until(predicate, timeout=3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_kernel_has_the_guards_and_ctrl_c_stops_the_demo_servers(kernel, guard_incidents):
    from test_loopback import PROBE, probe_output_ok

    out, error = kernel.run(PROBE)
    assert error is None, error
    probe_output_ok(out)
    incidents = guard_incidents()
    assert [(i["kind"], i["pid"]) for i in incidents] == [("network", kernel.pid)], incidents

    cell = ("import time\nfrom helpers.servers import echo_server, program_server\n"
            f"with echo_server() as e, program_server({SLEEPY_SERVER!r}) as p:\n"
            "    print('READY', e.port, p.address[1], p.pid, flush=True)\n"
            "    time.sleep(60)\n")
    msg_id = kernel.submit(cell)
    out, _ = kernel.collect(msg_id, until="\n")
    _, echo_port, program_port, child = out.split()
    assert not refused(int(echo_port)) and not refused(int(program_port))
    start = time.monotonic()
    kernel.km.interrupt_kernel()  # Ctrl-C / the ■ button
    _, error = kernel.collect(msg_id, timeout=10)
    assert error is not None and error["ename"] == "KeyboardInterrupt", error
    assert time.monotonic() - start < 3.0, "the with-blocks must stop both servers within 2 s"
    assert refused(int(echo_port)) and refused(int(program_port)), "ports must be closed after Ctrl-C"
    assert wait_until(lambda: gone(int(child))), "the server program must be gone after Ctrl-C"
    out, error = kernel.run("import threading\nprint(sorted(t.name for t in threading.enumerate()))")
    assert error is None and "echo-server" not in out and "program-server" not in out, out


def test_kill_9_of_the_kernel_leaves_no_server_or_program_behind(kernel):
    out, error = kernel.run("from helpers.servers import program_server\nfrom helpers.runner import run_code\n"
                            f"p = program_server({SLEEPY_SERVER!r}).start()\nprint(p.pid, p.address[1])")
    assert error is None, error
    server_pid, port = map(int, out.split())
    kernel.submit("run_code('import time; time.sleep(60)', timeout=120)")
    kids = lambda: [c for c in psutil.Process(kernel.pid).children() if c.pid != server_pid]  # noqa: E731
    assert wait_until(lambda: kids(), timeout=10), "run_code's child did not start"
    runner_pid = kids()[0].pid
    os.kill(kernel.pid, signal.SIGKILL)  # the kernel dies: no __exit__, no finally
    assert wait_until(lambda: gone(server_pid) and gone(runner_pid)), \
        "children must die with the kernel (PR_SET_PDEATHSIG in helpers.procs)"
    assert refused(port)


def test_a_crashed_server_fails_the_cell_quickly_and_clearly(kernel):
    crashing_program = ("import socket\nwith socket.create_server(('127.0.0.1', 0)) as s:\n"
                        "    print('127.0.0.1:%d' % s.getsockname()[1], flush=True)\n"
                        "    c, _ = s.accept()\n    with c:\n        c.recv(100)\n        raise RuntimeError('handler bug')\n")
    cell = ("import socket, time\nfrom helpers.servers import program_server\n"
            f"with program_server({crashing_program!r}) as p:\n"
            "    with socket.create_connection(p.address, timeout=5) as c:\n"
            "        c.sendall(b'hello')\n"
            "        assert c.recv(100) == b''  # EOF at once: the client does not hang\n"
            "    deadline = time.monotonic() + 5\n"
            "    while time.monotonic() < deadline:\n"
            "        p.check()  # raises once the program has died, with its stderr\n"
            "        time.sleep(0.05)\n")
    start = time.monotonic()
    _, error = kernel.run(cell)
    assert time.monotonic() - start < 5.0
    assert error is not None and error["ename"] == "RuntimeError", error
    assert "exited with status 1" in error["evalue"] and "handler bug" in error["evalue"], error["evalue"]

    cell = ("import socket\nfrom helpers.servers import echo_server\n"
            "def broken(data):\n    raise ValueError('transform bug')\n"
            "with echo_server(transform=broken) as srv:\n"
            "    with socket.create_connection(srv.address, timeout=5) as c:\n"
            "        c.sendall(b'hello')\n"
            "        assert c.recv(100) == b''  # the crashed server closed its connections\n"
            "srv.check()\n")
    _, error = kernel.run(cell)
    assert error is not None and error["ename"] == "RuntimeError", error
    assert "echo-server crashed" in error["evalue"] and "transform bug" in error["evalue"], error["evalue"]
