"""helpers.runner: fresh interpreter, output shown, failures and timeouts are clear."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psutil
import pytest

from helpers.runner import RunResult, SubprocessFailed, SubprocessTimeout, run_code, subprocess_magic

REPO = Path(__file__).resolve().parent.parent


def snapshot():
    return sorted(p for p in REPO.rglob("*") if ".venv" not in p.parts and "__pycache__" not in p.parts
                  and ".git" not in p.parts)


def test_runs_in_a_fresh_interpreter_with_args(capsys):
    r = run_code("import sys, os\nprint(sys.argv[1:], os.getpid())", ["a", 1])
    assert isinstance(r, RunResult) and r.returncode == 0
    argv, pid = r.stdout.rsplit(" ", 1)
    assert argv == "['a', '1']" and int(pid) != os.getpid()
    assert capsys.readouterr().out == r.stdout


def test_uses_the_same_interpreter():
    r = run_code("import sys; print(sys.executable)", show=False)
    assert r.stdout.strip() == sys.executable


def test_nonzero_exit_raises_after_showing_stderr(capsys):
    with pytest.raises(SubprocessFailed, match="status 3"):
        run_code("import sys\nprint('partial')\nsys.exit(3)")
    assert "partial" in capsys.readouterr().out
    r = run_code("raise ValueError('x')", check=False, show=False)
    assert r.returncode == 1 and "ValueError: x" in r.stderr


def test_timeout_kills_the_program_and_its_children(capsys):
    code = ("import subprocess, sys, time, warnings\n"
            "warnings.simplefilter('ignore', ResourceWarning)  # deliberately sloppy: leaves its child to the runner\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            "print(child.pid, flush=True)\ntime.sleep(60)\n")
    start = time.perf_counter()
    with pytest.raises(SubprocessTimeout):
        run_code(code, timeout=1.0)
    assert time.perf_counter() - start < 3.0
    grandchild = int(capsys.readouterr().out.split()[0])
    deadline = time.time() + 2
    while time.time() < deadline and alive(grandchild):
        time.sleep(0.02)
    assert not alive(grandchild), "the program's own child must be stopped with it"


def alive(pid: int) -> bool:
    """True if *pid* runs (a zombie waiting for its reaper counts as gone)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_writes_nothing_into_the_repository():
    before = snapshot()
    run_code("with open('junk.txt', 'w') as f:\n    f.write('x')", show=False)
    assert snapshot() == before


def test_magic_parses_options_and_stores_result(capsys):
    ns = {}
    subprocess_magic("--timeout 5 --out res -- x y", "import sys; print(sys.argv[1:])", ns)
    assert ns["res"].stdout.strip() == "['x', 'y']"
    subprocess_magic("--quiet --allow-fail --out r2", "import sys; sys.exit(2)", ns)
    assert ns["r2"].returncode == 2
    assert capsys.readouterr().out == "['x', 'y']\n"


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError):
        run_code(b"print(1)")
    with pytest.raises(ValueError):
        run_code("print(1)", timeout=0)
