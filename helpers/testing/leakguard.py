"""Leak guard: a pytest plugin (``-p helpers.testing.leakguard``) that fails whatever leaves a mess behind.

Applies to every unit test and to every notebook (nbval collects a notebook as one file
whose cells are the items; the guard checks once per notebook, after its last cell, when
nbval has shut the kernel down).  A test or notebook fails (an error in teardown naming
what leaked) when it leaves behind:

- a **process**: a descendant of the pytest process, or any process whose environment
  carries this session's token (``$COURSE_GUARD_TREE``; found even after it was re-parented
  to init).  Leaked processes are killed after being reported, so one leak fails one test;
- a **listening TCP socket** owned by the pytest process or one of those processes;
- a **non-daemon thread** in the pytest process;
- a **new, changed or deleted file in the repository** (``.git``, ``.venv``, ``__pycache__``,
  ``.hypothesis``, ``.pytest_cache`` and ``*.egg-info`` are ignored);
- for a notebook, checked after its last cell but *before* nbval kills the kernel (which takes
  its process group along and would hide them): a **child process of the kernel** or a
  **TCP/UDP socket still open in the kernel** that it did not have before the first cell;
- an **incident** reported by any process of the session (:mod:`helpers.testing.incidents`): a
  ``ResourceWarning`` (unclosed socket/file/transport) in a kernel or child, or a socket
  operation on a non-loopback address (:mod:`helpers.testing.loopback`).

A test that provokes incidents on purpose takes them with the ``guard_incidents`` fixture;
a demo program that leaks on purpose runs with ``env={"COURSE_GUARD_ALLOW": "resource"}``.
``COURSE_LEAKGUARD_GRACE`` (seconds, default 3) is how long stragglers may take to exit.

For the session the plugin also: installs the loopback audit hook in the pytest process;
writes a ``sitecustomize.py`` into a temporary directory and prepends it to ``PYTHONPATH``,
so every kernel and child interpreter installs the loopback hook and the ResourceWarning
recorder at start-up (they inherit the environment); and checks at the end that no
incident went unreported.  ``ResourceWarning`` in the pytest process itself is an error
through ``filterwarnings`` in ``pyproject.toml``.  Python's development mode
(``PYTHONDEVMODE``) is deliberately *not* set: it also turns on asyncio debug mode, whose
"Executing … took 0.1 seconds" log lines would change the output of the concurrency demos.

pytest-xdist: each worker has its own token and incident directory, so processes, sockets,
threads and incidents are attributed to the worker's own test.  The repository tree is
shared by the workers, so under xdist the file check runs once for the whole session in the
controller (naming the files, not the test).
"""
from __future__ import annotations

import gc
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest

from helpers.testing import incidents, loopback

ENV_TREE = "COURSE_GUARD_TREE"
IGNORED_DIRS = {".git", ".venv", "__pycache__", ".hypothesis", ".pytest_cache", ".ipynb_checkpoints"}
GRACE = float(os.environ.get("COURSE_LEAKGUARD_GRACE", "3"))  # s a process/thread may take to end after its test

SITECUSTOMIZE = '''\
# Written by helpers.testing.leakguard for one pytest session; removed when the session ends.
try:
    import helpers.testing.loopback as _loopback, helpers.testing.incidents as _incidents
    _loopback.install()
    _incidents.install_warning_recorder()
except ImportError as _exc:  # an interpreter without the course's helpers installed
    import sys as _sys
    _sys.stderr.write(f"leakguard: guards not installed in this interpreter: {_exc}\\n")
'''


class LeakError(AssertionError):
    """Raised in teardown when a test or notebook left something behind."""


def _is_notebook_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def _group(item):
    """The unit the guard checks: the whole notebook for nbval cells, else the test itself."""
    return item.parent if _is_notebook_cell(item) else item


# ---------------------------------------------------------------------------------------------
# snapshots

def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return inodes
    for name in names:
        try:
            target = os.readlink(f"{fd_dir}/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _listening_inodes() -> dict[str, str]:
    """inode -> "host:port" for every listening TCP socket (IPv4 and IPv6) on this machine."""
    found = {}
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            with open(table) as f:
                next(f, None)
                for line in f:
                    parts = line.split()
                    if len(parts) > 9 and parts[3] == "0A":
                        host, port = parts[1].split(":")
                        found[parts[9]] = f"{_hex_host(host, width)}:{int(port, 16)}"
        except OSError:
            continue
    return found


def _hex_host(text: str, width: int) -> str:
    if width == 8:
        return ".".join(str(b) for b in reversed(bytes.fromhex(text)))
    return "[ipv6]" if text.strip("0") else "[::]"


class Snapshot:
    """Processes, listening sockets, threads (and optionally repository files) at one moment."""

    def __init__(self, guard: "LeakGuard", files: bool):
        self.processes = guard.processes()
        self.listening = guard.listening(self.processes)
        self.threads = {t for t in threading.enumerate() if not t.daemon}
        self.files = guard.files() if files else None


class LeakGuard:
    """Per-process state of the plugin (one per pytest process; xdist workers have their own)."""

    def __init__(self, config):
        self.config = config
        self.root = Path(str(config.rootpath))
        self.is_worker = hasattr(config, "workerinput")
        self.is_controller = not self.is_worker and bool(getattr(config.option, "numprocesses", None))
        self.workdir = tempfile.mkdtemp(prefix="course-guard-")
        self.incident_dir = os.path.join(self.workdir, "incidents")
        self.site_dir = os.path.join(self.workdir, "site")
        os.makedirs(self.incident_dir)
        os.makedirs(self.site_dir)
        with open(os.path.join(self.site_dir, "sitecustomize.py"), "w") as f:
            f.write(SITECUSTOMIZE)
        self.token = os.path.basename(self.workdir)
        self.reader = incidents.Reader(self.incident_dir)
        self.me = psutil.Process()
        self.started = self.me.create_time()
        self._saved_env = {k: os.environ.get(k) for k in (incidents.ENV_DIR, ENV_TREE, "PYTHONPATH")}
        os.environ[incidents.ENV_DIR] = self.incident_dir
        os.environ[ENV_TREE] = os.pathsep.join(filter(None, [os.environ.get(ENV_TREE), self.token]))
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [self.site_dir, os.environ.get("PYTHONPATH")]))
        loopback.install()
        self.baseline: Snapshot | None = None
        self.kernel_item = None  # the notebook whose kernel's sockets are in kernel_baseline
        self.kernel_baseline: set = set()
        self.session_files = self.files() if not self.is_worker else None
        self.per_item_files = not self.is_worker and not self.is_controller

    # what exists now ---------------------------------------------------------------------------
    def processes(self) -> dict[tuple[int, float], psutil.Process]:
        """Live descendants of this process, and processes carrying this session's token."""
        found = {}
        try:
            children = self.me.children(recursive=True)
        except psutil.Error:
            children = []
        for p in children:
            try:
                if p.status() != psutil.STATUS_ZOMBIE:
                    found[(p.pid, p.create_time())] = p
            except psutil.Error:
                pass
        for p in psutil.process_iter(["create_time"]):
            try:
                if p.pid == self.me.pid or (p.info["create_time"] or 0) < self.started - 1:
                    continue
                if (p.pid, p.info["create_time"]) in found:
                    continue
                tokens = p.environ().get(ENV_TREE, "").split(os.pathsep)
                if self.token in tokens and p.status() != psutil.STATUS_ZOMBIE:
                    found[(p.pid, p.info["create_time"])] = p
            except psutil.Error:
                continue
        return found

    def listening(self, processes) -> set[tuple[int, str]]:
        """(pid, "host:port") of listening TCP sockets held by this process or *processes*."""
        owned = {}
        for pid in [self.me.pid] + [key[0] for key in processes]:
            for inode in _socket_inodes(pid):
                owned.setdefault(inode, pid)
        if not owned:
            return set()
        table = _listening_inodes()
        return {(pid, table[inode]) for inode, pid in owned.items() if inode in table}

    def files(self) -> dict[str, tuple[int, int]]:
        """Relative path -> (size, mtime_ns) for every file of the repository tree (ignored dirs skipped)."""
        found = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if d not in IGNORED_DIRS and not d.endswith(".egg-info")]
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                found[os.path.relpath(path, self.root)] = (st.st_size, st.st_mtime_ns)
        return found

    # checks --------------------------------------------------------------------------------------
    def start_group(self) -> None:
        self.reader.new()  # incidents before this test belong to the one that reported them
        self.baseline = Snapshot(self, files=self.per_item_files)

    def problems(self, what: str, collect: bool = False) -> list[str]:
        """Everything *what* left behind since :meth:`start_group` (waits up to GRACE for stragglers).

        With *collect*, run the garbage collector first so unclosed objects emit their
        ResourceWarning now (≈0.2 s with matplotlib loaded: done once per test module).
        """
        before = self.baseline
        if before is None:
            return []
        if collect:
            gc.collect()
        deadline = time.monotonic() + GRACE
        while True:
            procs = {k: p for k, p in self.processes().items() if k not in before.processes}
            threads = [t for t in threading.enumerate() if not t.daemon and t.is_alive() and t not in before.threads]
            if (not procs and not threads) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        found = []
        for p in procs.values():
            try:
                cmd = " ".join(p.cmdline())[:200]
            except psutil.Error:
                cmd = "?"
            found.append(f"process pid {p.pid} still running: {cmd}")
        now_procs = self.processes()
        sockets = self.listening(now_procs) - before.listening
        for pid, addr in sorted(sockets):
            owner = "the pytest process" if pid == self.me.pid else f"pid {pid}"
            found.append(f"listening TCP socket {addr} still open in {owner}")
        for t in threads:
            found.append(f"non-daemon thread {t.name!r} still running")
        if before.files is not None:
            found += file_changes(before.files, self.files())
        for incident in self.reader.new():
            label = {"network": "non-loopback network access", "resource": "ResourceWarning (unclosed resource)"}
            found.append(f"{label.get(incident['kind'], incident['kind'])} in pid {incident['pid']}: {incident['text']}")
        for p in procs.values():  # report once, then clean up so the next test starts clean
            _kill(p)
        self.baseline = None
        return [f"{what} left behind: {line}" for line in found]

    def finish(self) -> list[str]:
        """Session end: unreported incidents, and (controller / single process) file changes."""
        found = []
        for incident in self.reader.new():
            found.append(f"{incident['kind']} incident in pid {incident['pid']} after the last test: {incident['text']}")
        if self.session_files is not None and not self.per_item_files:
            found += file_changes(self.session_files, self.files())
        return found

    def cleanup(self) -> None:
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(self.workdir, ignore_errors=True)


def _kernel_sockets(item):
    """The kernel process of a notebook item and its TCP/UDP sockets, as (process, {(laddr, raddr, type): conn})."""
    kernel = getattr(item.parent, "kernel", None)
    km = getattr(kernel, "km", None)
    if km is None or not km.is_alive():
        return None, {}
    try:
        proc = psutil.Process(km.provisioner.pid)
        return proc, {(c.laddr, c.raddr, c.type): c for c in proc.net_connections(kind="inet")}
    except (psutil.Error, AttributeError):
        return None, {}


# Standard-library helpers that a kernel keeps for its whole life and that exit with it:
# multiprocessing's resource tracker (started by any "spawn"/"forkserver" pool) and its
# fork server.  They are not demo servers a notebook forgot to stop.
KERNEL_COMPANIONS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


def is_kernel_companion(cmdline: str) -> bool:
    """True for a kernel child that is one of :data:`KERNEL_COMPANIONS`."""
    return any(f"from {name} import main" in cmdline for name in KERNEL_COMPANIONS)


def _kernel_at_end(item, baseline: set | None) -> list[str]:
    """What the notebook's kernel still holds after its last cell, before nbval shuts it down.

    nbval kills the kernel together with its process group, which would hide a server the
    notebook never stopped; in JupyterLab that server would keep running.  So: every child
    process of the kernel, and every TCP/UDP socket of the kernel that it did not already
    have before the first cell ran (its ZMQ channels), counts as left behind.  Reported
    children are killed.
    """
    proc, sockets = _kernel_sockets(item)
    if proc is None:
        return []
    try:
        children = [c for c in proc.children(recursive=True) if c.status() != psutil.STATUS_ZOMBIE]
    except psutil.Error:
        children = []
    conns = [] if baseline is None else [c for key, c in sockets.items() if key not in baseline]
    found = []
    for child in children:
        try:
            cmd = " ".join(child.cmdline())[:200]
        except psutil.Error:
            cmd = "?"
        if is_kernel_companion(cmd):
            continue
        found.append(f"process pid {child.pid} still running when the notebook ended: {cmd}")
        _kill(child)
    for c in conns:
        kind = "TCP" if c.type == socket.SOCK_STREAM else "UDP"
        peer = f" -> {c.raddr.ip}:{c.raddr.port}" if c.raddr else ""
        found.append(f"{kind} socket {c.laddr.ip}:{c.laddr.port}{peer} ({c.status}) still open in the kernel "
                     "when the notebook ended")
    return found


def file_changes(before: dict, after: dict) -> list[str]:
    """What changed in the repository tree between two snapshots: one line per added, changed or removed file."""
    found = []
    for path in sorted(after.keys() - before.keys()):
        found.append(f"new file in the repository: {path}")
    for path in sorted(before.keys() - after.keys()):
        found.append(f"file deleted from the repository: {path}")
    for path in sorted(before.keys() & after.keys()):
        if before[path] != after[path]:
            found.append(f"file changed in the repository: {path}")
    return found


def _kill(p: psutil.Process) -> None:
    try:
        p.kill()
        p.wait(2)
    except psutil.Error:
        pass


# ---------------------------------------------------------------------------------------------
# pytest hooks

_GUARD_KEY = pytest.StashKey[LeakGuard]()


@pytest.fixture
def guard_incidents(request):
    """For tests that provoke incidents on purpose: returns a function that takes (and so clears)
    the incidents reported since the last call, as dicts with ``kind``, ``pid`` and ``text``."""
    return request.config.stash[_GUARD_KEY].reader.new


def pytest_configure(config):
    config.stash[_GUARD_KEY] = LeakGuard(config)


def pytest_unconfigure(config):
    guard = config.stash.get(_GUARD_KEY, None)
    if guard is not None:
        guard.cleanup()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    guard = item.config.stash[_GUARD_KEY]
    if guard.baseline is None:
        guard.start_group()
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    guard = item.config.stash[_GUARD_KEY]
    if _is_notebook_cell(item) and guard.kernel_item is not item.parent:  # first cell: the kernel's own sockets
        guard.kernel_item = item.parent
        guard.kernel_baseline = set(_kernel_sockets(item)[1])
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    guard = item.config.stash[_GUARD_KEY]
    group = _group(item)
    last = nextitem is None or _group(nextitem) is not group
    if last and group is not item:  # the kernel's sockets are only known if a cell of this notebook ran
        at_end = _kernel_at_end(item, guard.kernel_baseline if guard.kernel_item is group else None)
    else:
        at_end = []
    failed = None
    try:
        result = yield
    except BaseException as exc:  # still check (and clean up), but report the original error
        failed = exc
    if last:
        what = f"notebook {item.parent.name}" if group is not item else f"test {item.nodeid}"
        module_ends = nextitem is None or nextitem.path != item.path
        problems = [f"{what} left behind: {line}" for line in at_end]
        problems += guard.problems(what, collect=module_ends and group is item)
        if problems and failed is None:
            raise LeakError("\n".join(problems))
    if failed is not None:
        raise failed
    return result


def pytest_sessionfinish(session, exitstatus):
    guard = session.config.stash.get(_GUARD_KEY, None)
    if guard is None:
        return
    problems = guard.finish()
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", "leakguard: left behind by the session", red=True)
        for line in problems:
            if reporter is not None:
                reporter.write_line(f"leakguard: {line}", red=True)
            else:
                sys.stderr.write(f"leakguard: {line}\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
