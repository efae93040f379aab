"""Child-process plumbing shared by :mod:`helpers.runner`, :mod:`helpers.servers` and the benchmarks.

Children run with the kernel's own interpreter (``sys.executable``), in a temporary
working directory outside the repository, in their own process group, and with a
parent-death signal so that a killed kernel leaves no orphan behind.

Note: Linux sends the parent-death signal when the *thread* that forked the child exits,
so start children from the main thread (a worker thread's exit would kill them).

Used in: no notebook directly (runner, the servers and the C10K bench start children with it).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time

__all__ = ["PR_SET_PDEATHSIG", "child_env", "communicate", "die_with_parent", "popen", "stop"]

PR_SET_PDEATHSIG = 1


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a child interpreter: unbuffered, UTF-8, no .pyc files, plus *extra*."""
    env = dict(os.environ)
    env.update(PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8", PYTHONDONTWRITEBYTECODE="1")
    # A kernel's inline backend makes no sense in a child; let matplotlib pick Agg.
    env.pop("MPLBACKEND", None)
    if extra:
        env.update({str(k): str(v) for k, v in extra.items()})
    return env


def die_with_parent() -> None:
    """``preexec_fn`` for a child that must die with this process (runs in the child between fork and exec)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def popen(argv: list[str], *, cwd: str, env: dict[str, str], stdin=subprocess.DEVNULL) -> subprocess.Popen:
    """Start *argv* in its own process group; it is killed if this process dies (Linux)."""
    return subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
    )


def communicate(proc: subprocess.Popen, timeout: float) -> tuple[bytes, bytes, bool]:
    """Collect *proc*'s output, waiting at most *timeout* seconds; returns ``(stdout, stderr, timed_out)``.

    On a timeout the child (and its group) is stopped and what it wrote so far is returned;
    on any other exception (Ctrl-C in the cell) it is stopped too, then the exception goes on.
    """
    try:
        out, err = proc.communicate(timeout=timeout)
        return out, err, False
    except subprocess.TimeoutExpired:
        stop(proc, grace=0.5)
        out, err = proc.communicate()
        return out, err, True
    except BaseException:  # never leave the child behind
        stop(proc, grace=0.5)
        proc.communicate()
        raise


def stop(proc: subprocess.Popen, *, grace: float = 1.0) -> int:
    """Stop *proc* and its process group: SIGINT, then SIGKILL after *grace* seconds.

    Returns the exit code.  SIGINT first, so the program's ``finally`` blocks run
    (close sockets, print a goodbye), as when a learner presses Ctrl-C.
    """
    if proc.poll() is None:
        _signal_group(proc, signal.SIGINT)
        deadline = time.monotonic() + grace
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    if proc.poll() is None:
        _signal_group(proc, signal.SIGKILL)
    else:
        # The leader is gone; make sure nothing it started lingers in its group.
        _signal_group(proc, signal.SIGKILL)
    return proc.wait()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
