"""Run a chapter's own server program as a subprocess, find its port, stop it, show its output.

The learner reads the server as the complete program it is (the seed's code, corrected).
The program binds ``('127.0.0.1', 0)`` and prints a line containing ``127.0.0.1:PORT``;
:func:`program_server` waits for that line, exposes ``address``, and afterwards
``show()`` prints everything the program printed.  Leaving the ``with`` block sends
SIGINT (the program's ``finally`` runs, as with Ctrl-C), then SIGKILL after a grace
period — the whole stop takes at most 2 s.

Used in: 04, 05, 06, 07, 09 (through helpers.servers).
"""
from __future__ import annotations

import re
import sys
import tempfile
import threading
import time
from pathlib import Path

from helpers import procs
from helpers.logs import Log

__all__ = ["READY", "program_server", "ProgramServer"]

READY = re.compile(r"127\.0\.0\.1:(\d+)")


class ProgramServer:
    """A server program running in a child interpreter (see module docstring)."""

    def __init__(self, code: str, args=(), *, ready_timeout: float = 10.0, env: dict[str, str] | None = None,
                 python_args=()):
        if not isinstance(code, str):
            raise TypeError("code must be the program's source text (a str)")
        self.code = code
        self.args = [str(a) for a in args]
        self.python_args = list(python_args)
        self.ready_timeout = ready_timeout
        self.env = env
        self.stdout = Log(maxlen=100_000)
        self.stderr = Log(maxlen=100_000)
        self.address: tuple[str, int] | None = None
        self.returncode: int | None = None
        self._proc = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._readers: list[threading.Thread] = []
        self._ready = threading.Event()

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._proc.pid

    def start(self) -> "ProgramServer":
        """Start the program and wait until it prints its address."""
        self._tmp = tempfile.TemporaryDirectory(prefix="course-server-")
        script = Path(self._tmp.name) / "server.py"
        script.write_text(self.code, encoding="utf-8")
        argv = [sys.executable, *self.python_args, script.name, *self.args]
        self._proc = procs.popen(argv, cwd=self._tmp.name, env=procs.child_env(self.env))
        for stream, log, watch in ((self._proc.stdout, self.stdout, True), (self._proc.stderr, self.stderr, False)):
            t = threading.Thread(target=self._pump, args=(stream, log, watch), daemon=True, name="program-server-reader")
            t.start()
            self._readers.append(t)
        deadline = time.monotonic() + self.ready_timeout
        while not self._ready.wait(0.02):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                why = "exited" if self._proc.poll() is not None else f"printed no '127.0.0.1:PORT' within {self.ready_timeout:g} s"
                self.stop()
                raise RuntimeError(f"the server program {why}; its output:\n{self.output}{self.error_output}")
        return self

    def _pump(self, stream, log: Log, watch: bool) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            log.add(line)
            if watch and self.address is None:
                m = READY.search(line)
                if m:
                    self.address = ("127.0.0.1", int(m.group(1)))
                    self._ready.set()
        stream.close()

    @property
    def output(self) -> str:
        """Everything the program printed on stdout so far."""
        return "".join(line + "\n" for line in self.stdout.lines)

    @property
    def error_output(self) -> str:
        """Everything the program printed on stderr so far."""
        return "".join(line + "\n" for line in self.stderr.lines)

    def check(self) -> None:
        """Raise if the program has died (a crashed server fails the cell with its stderr)."""
        if self._proc is not None and self._proc.poll() is not None:
            for t in self._readers:  # let the readers collect the last words (the traceback)
                t.join(1.0)
            raise RuntimeError(f"the server program exited with status {self._proc.returncode}:\n{self.error_output}")

    def stop(self) -> int:
        """Stop the program (SIGINT, then SIGKILL after 1 s) and return its exit status."""
        if self._proc is None:
            return 0
        if self.returncode is None:
            self.returncode = procs.stop(self._proc, grace=1.0)
            for t in self._readers:
                t.join(0.5)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        return self.returncode

    def show(self, stderr: bool = False) -> None:
        """Print what the program printed (stdout; *stderr* too if asked)."""
        print(self.output, end="")
        if stderr and self.error_output:
            print(self.error_output, end="", file=sys.stderr)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def program_server(code: str, args=(), **kwargs) -> ProgramServer:
    """Run server program *code* in a subprocess (``with program_server(code) as srv:``).

    The program must bind ``('127.0.0.1', 0)`` and print ``127.0.0.1:PORT`` once it listens.
    """
    return ProgramServer(code, args, **kwargs)
