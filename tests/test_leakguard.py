"""helpers.testing.leakguard: a notebook or test that leaves something behind fails, naming what leaked.

Runs a small pytest session (in a temporary directory, never the repository) over
notebooks and tests written to leak on purpose, and checks each report.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import nbformat
import pytest

LEAKY_TESTS = '''
import socket, subprocess, sys, threading, time
KEEP = []
RELEASE = threading.Event()

def test_clean():
    with socket.create_server(("127.0.0.1", 0)) as s:
        assert s.getsockname()[0] == "127.0.0.1"

def test_leaks_process():
    KEEP.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]))

def test_leaks_listener():
    KEEP.append(socket.create_server(("127.0.0.1", 0)))

def test_leaks_thread():
    threading.Thread(target=RELEASE.wait, name="forgotten-worker").start()

def test_leaks_file():
    with open("junk.txt", "w") as f:
        f.write("x")

def test_swallowed_network_access():
    try:
        socket.create_connection(("10.0.0.1", 9), timeout=0.2)
    except Exception:
        pass

def test_child_network_and_resource_warning():
    code = ("import socket\\nsocket.socket()\\n"
            "try:\\n    socket.create_connection(('10.0.0.1', 9), timeout=0.2)\\nexcept Exception:\\n    pass\\n")
    subprocess.run([sys.executable, "-c", code], check=True)

def test_zz_cleanup():
    RELEASE.set()
    for thing in KEEP:
        (thing.wait if hasattr(thing, "wait") else thing.close)()
'''

CLEAN_NOTEBOOK = [
    "from helpers.servers import echo_server, program_server\nfrom helpers.runner import run_code\nimport socket",
    "with echo_server() as srv, socket.create_connection(srv.address, timeout=5) as c:\n"
    "    c.sendall(b'hi')\n    assert c.recv(10) == b'HI'",
    "code = 'import socket\\nwith socket.create_server((\"127.0.0.1\", 0)) as s:\\n"
    "    print(\"127.0.0.1:%d\" % s.getsockname()[1], flush=True)\\n    s.accept()\\n'\n"
    "with program_server(code) as p:\n    socket.create_connection(p.address, timeout=5).close()",
    "run_code('print(1)', show=False).stdout",
]

BAD_NOTEBOOK = [
    "import socket, subprocess, sys, gc\nfrom pathlib import Path",
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'], start_new_session=True)",
    "try:\n    socket.create_connection(('10.0.0.1', 9), timeout=0.2)\nexcept Exception as exc:\n    print(type(exc).__name__)",
    "socket.socket(); gc.collect()",
    "Path('written_by_notebook.txt').write_text('x')",
    "forgotten = socket.create_server(('127.0.0.1', 0))\nsame_group = subprocess.Popen(['sleep', '30'])",
]


def write_notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def run_session(tmp_path, *args):
    env = dict(os.environ, COURSE_LEAKGUARD_GRACE="0.5")
    cmd = [sys.executable, "-m", "pytest", "-p", "helpers.testing.leakguard", "-p", "no:cacheprovider", "--nbval-lax",
           "--nbval-current-env", "-o", "addopts=", "-rA", "-p", "no:randomly", *args]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def leaky_project(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_leaky.py").write_text(textwrap.dedent(LEAKY_TESTS))
    write_notebook(tmp_path / "clean.ipynb", CLEAN_NOTEBOOK)
    write_notebook(tmp_path / "bad.ipynb", BAD_NOTEBOOK)
    return tmp_path


def section(out: str, title: str) -> str:
    """The report block whose header contains *title* (up to the next header)."""
    start = out.index(title)
    rest = out[start:]
    end = rest.find("\n____", 10)
    return rest if end < 0 else rest[:end]


def test_each_kind_of_leak_is_reported_by_name(leaky_project):
    proc = run_session(leaky_project)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "PASSED clean.ipynb::Cell 3" in out and "ERROR clean.ipynb" not in out, \
        "a clean notebook (nbval's own kernel included) must pass\n" + out
    assert "PASSED test_leaky.py::test_clean" in out and "ERROR test_leaky.py::test_clean " not in out
    assert "process pid" in section(out, "ERROR at teardown of test_leaks_process")
    assert "listening TCP socket 127.0.0.1:" in section(out, "ERROR at teardown of test_leaks_listener")
    assert "non-daemon thread 'forgotten-worker'" in section(out, "ERROR at teardown of test_leaks_thread")
    assert "new file in the repository: junk.txt" in section(out, "ERROR at teardown of test_leaks_file")
    net = section(out, "ERROR at teardown of test_swallowed_network_access")
    assert "non-loopback network access" in net and "10.0.0.1" in net
    child = section(out, "ERROR at teardown of test_child_network_and_resource_warning")
    assert "non-loopback network access" in child and "ResourceWarning" in child and "unclosed <socket" in child
    assert "ERROR at teardown of test_zz_cleanup" not in out, "each leak is reported once"
    bad = section(out, "ERROR at teardown of bad.ipynb::Cell 5")
    for needle in ("notebook bad.ipynb left behind", "time.sleep(30)", "10.0.0.1", "sleep 30",
                   "still running when the notebook ended", "ResourceWarning",
                   "new file in the repository: written_by_notebook.txt",
                   "(LISTEN) still open in the kernel when the notebook ended"):
        assert needle in bad, f"{needle!r} missing from\n{bad}"
    assert (leaky_project / "junk.txt").exists(), "files are reported, never deleted"


def test_file_snapshot_sees_new_changed_and_deleted_files_but_not_ignored_dirs(tmp_path):
    from types import SimpleNamespace

    from helpers.testing.leakguard import LeakGuard, file_changes

    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "gone.txt").write_text("g")
    config = SimpleNamespace(rootpath=tmp_path, option=SimpleNamespace(numprocesses=None))
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "COURSE_GUARD_DIR", "COURSE_GUARD_TREE")}
    guard = LeakGuard(config)
    try:
        before = guard.files()
        (tmp_path / "a.txt").write_text("changed")
        (tmp_path / "gone.txt").unlink()
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "new.txt").write_text("n")
        for ignored in (".hypothesis", "__pycache__", ".git"):
            (tmp_path / ignored).mkdir()
            (tmp_path / ignored / "x").write_text("x")
        changes = file_changes(before, guard.files())
    finally:
        guard.cleanup()
    assert changes == [f"new file in the repository: {os.path.join('sub', 'new.txt')}",
                       "file deleted from the repository: gone.txt", "file changed in the repository: a.txt"]
    assert {k: os.environ.get(k) for k in saved} == saved, "cleanup restores the environment"


def test_resource_warnings_in_children_are_recorded_not_printed(guard_incidents):
    from helpers.runner import run_code

    dropped = "import socket\nsocket.socket()  # garbage-collected while the program runs: a leak\n"
    r = run_code(dropped, show=False)
    assert r.stderr == "", "the output must be what a learner sees (Python hides ResourceWarning)"
    incidents = guard_incidents()
    assert [i["kind"] for i in incidents] == ["resource"] and "main.py:2" in incidents[0]["text"]

    shown = run_code("import warnings\nwarnings.simplefilter('default')\n" + dropped, show=False)
    assert "ResourceWarning: unclosed" in shown.stderr, "a program that asks to see them still does"
    assert len(guard_incidents()) == 1

    at_exit = run_code("import socket\nkeep = socket.socket()  # still open at exit: the OS closes it\n", show=False)
    assert at_exit.stderr == "", "nothing printed at exit either (Python's C fallback would print it)"
    run_code(dropped, env={"COURSE_GUARD_ALLOW": "resource"}, show=False)  # a demo that leaks on purpose
    assert guard_incidents() == []


def test_multiprocessing_helpers_of_the_kernel_are_not_leaks():
    from helpers.testing.leakguard import is_kernel_companion

    assert is_kernel_companion("/x/python -B -c from multiprocessing.resource_tracker import main;main(64)")
    assert is_kernel_companion("/x/python -c from multiprocessing.forkserver import main; main(3, 4)")
    assert not is_kernel_companion("/x/python server.py")
