"""Run a whole program in a fresh interpreter and show what it printed.

Why a subprocess?  Some lessons need a process of their own: ``gevent.monkey.patch_all()``
inside a Jupyter kernel hangs ipykernel 7, signal handlers only run in the main thread,
and a learner should read a server or client as the complete program it is.

In a notebook::

    %load_ext helpers

    %%subprocess --timeout 10 --out result
    from gevent import monkey; monkey.patch_all()
    ...

The cell body is written to ``main.py`` in a temporary directory (never into the
repository), run with ``sys.executable``, its stdout/stderr are printed in the cell,
and the :class:`RunResult` is stored in the variable named by ``--out``.
A non-zero exit status or a timeout fails the cell with a clear message.

Used in: 01, 02, 04, 05, 06, 07, 09.
"""
from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers import procs

__all__ = ["DEFAULT_TIMEOUT", "register_magics", "run_code", "RunResult", "subprocess_magic",
           "SubprocessFailed", "SubprocessTimeout"]

DEFAULT_TIMEOUT = 15.0


class SubprocessFailed(RuntimeError):
    """The program exited with a non-zero status (its output has been shown)."""


class SubprocessTimeout(TimeoutError):
    """The program ran past its timeout and was stopped (its output so far has been shown)."""


@dataclass
class RunResult:
    """What a finished program did: exit code, output, and wall-clock time."""

    returncode: int
    stdout: str
    stderr: str
    elapsed: float
    argv: list[str] = field(default_factory=list)
    timed_out: bool = False

    @property
    def lines(self) -> list[str]:
        """stdout split into lines."""
        return self.stdout.splitlines()

    def show(self) -> None:
        """Print stdout (and stderr, if any) the way the program printed them."""
        if self.stdout:
            print(self.stdout, end="" if self.stdout.endswith("\n") else "\n")
        if self.stderr:
            print(self.stderr, end="" if self.stderr.endswith("\n") else "\n", file=sys.stderr)


def run_code(
    code: str,
    args: list[str] | tuple[str, ...] = (),
    *,
    timeout: float = DEFAULT_TIMEOUT,
    env: dict[str, str] | None = None,
    show: bool = True,
    check: bool = True,
    python_args: list[str] | tuple[str, ...] = (),
) -> RunResult:
    """Run *code* as ``main.py`` in a fresh ``sys.executable`` and return a :class:`RunResult`.

    *args* become ``sys.argv[1:]``; *python_args* go before the script (e.g. ``["-X", "dev"]``).
    With *show*, the output is printed.  With *check*, a non-zero exit raises
    :class:`SubprocessFailed`; a timeout always raises :class:`SubprocessTimeout`.
    """
    if not isinstance(code, str):
        raise TypeError(f"code must be a str, not {type(code).__name__}")
    if timeout is None or timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")
    with tempfile.TemporaryDirectory(prefix="course-run-") as tmp:
        script = Path(tmp) / "main.py"
        script.write_text(code, encoding="utf-8")
        argv = [sys.executable, *python_args, script.name, *map(str, args)]
        proc = procs.popen(argv, cwd=tmp, env=procs.child_env(env))
        start = time.perf_counter()
        out, err, timed_out = procs.communicate(proc, timeout)  # Ctrl-C in the cell stops the child too
        elapsed = time.perf_counter() - start
    result = RunResult(
        returncode=proc.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        elapsed=elapsed,
        argv=["python", "main.py", *map(str, args)],
        timed_out=timed_out,
    )
    if show:
        result.show()
    if timed_out:
        raise SubprocessTimeout(f"the program ran longer than {timeout:g} s and was stopped")
    if check and result.returncode != 0:
        raise SubprocessFailed(f"the program exited with status {result.returncode} (its stderr is shown above)")
    return result


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="%%subprocess", add_help=False)
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    p.add_argument("--out", default=None, help="variable that receives the RunResult")
    p.add_argument("--allow-fail", action="store_true", help="a non-zero exit does not fail the cell")
    p.add_argument("--quiet", action="store_true", help="do not print the program's output")
    p.add_argument("args", nargs="*", help="arguments for the program (sys.argv[1:])")
    return p


def subprocess_magic(line: str, cell: str, user_ns: dict | None = None) -> RunResult | None:
    """Body of the ``%%subprocess`` cell magic (kept apart from IPython so it can be tested)."""
    opts = _parser().parse_args(shlex.split(line))
    result = run_code(
        cell,
        opts.args,
        timeout=opts.timeout,
        show=not opts.quiet,
        check=not opts.allow_fail,
    )
    if opts.out and user_ns is not None:
        user_ns[opts.out] = result
    return None


def register_magics(ipython) -> None:
    """Register ``%%subprocess`` on *ipython* (called by ``%load_ext helpers``)."""

    def _magic(line, cell):
        subprocess_magic(line, cell, ipython.user_ns)

    _magic.__doc__ = __doc__
    ipython.register_magic_function(_magic, magic_kind="cell", magic_name="subprocess")
