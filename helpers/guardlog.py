"""The test session's incident log: what kernels and child interpreters report to the leak guard.

During ``pytest`` the plugin :mod:`helpers.leakguard` creates a directory and exports it as
``$COURSE_GUARD_DIR``; every process of the session (the pytest process, each notebook
kernel, every ``helpers.runner`` / ``program_server`` child) appends JSON lines to
``<dir>/<pid>.jsonl`` with :func:`record`.  The plugin reads them with :class:`Reader` after
each notebook and each unit test, so an incident fails the test that caused it even when
the exception was swallowed inside the kernel or the child.

Kinds recorded: ``"network"`` (a non-loopback address, see :mod:`helpers.loopback`) and
``"resource"`` (a ``ResourceWarning``: an unclosed socket, file, transport or subprocess).
Outside a test session (``$COURSE_GUARD_DIR`` unset) :func:`record` does nothing.
"""
from __future__ import annotations

import json
import os
import warnings

ENV_DIR = "COURSE_GUARD_DIR"

_installed_warning_recorder = False


def record(kind: str, text: str) -> None:
    """Append one incident to this process's log file (never raises)."""
    directory = os.environ.get(ENV_DIR)
    if not directory:
        return
    line = json.dumps({"kind": kind, "pid": os.getpid(), "text": text}, ensure_ascii=False)
    try:
        with open(os.path.join(directory, f"{os.getpid()}.jsonl"), "a", encoding="utf-8") as f:
            f.write(line + "\n")
    except Exception:  # at interpreter shutdown open() itself may be gone
        pass


class Reader:
    """Reads the incidents written since the last call to :meth:`new` (all processes)."""

    def __init__(self, directory: str):
        self.directory = directory
        self._offsets: dict[str, int] = {}

    def new(self) -> list[dict]:
        """Incidents appended since the previous call, oldest file first."""
        found = []
        try:
            names = sorted(n for n in os.listdir(self.directory) if n.endswith(".jsonl"))
        except FileNotFoundError:
            return found
        for name in names:
            path = os.path.join(self.directory, name)
            with open(path, "rb") as f:
                f.seek(self._offsets.get(name, 0))
                data = f.read()
            complete = data[: data.rfind(b"\n") + 1]  # a line still being written waits for next time
            self._offsets[name] = self._offsets.get(name, 0) + len(complete)
            for raw in complete.splitlines():
                try:
                    found.append(json.loads(raw))
                except ValueError:
                    found.append({"kind": "garbled", "pid": name, "text": raw.decode("utf-8", "replace")})
        return found


def install_warning_recorder() -> None:
    """Show every ``ResourceWarning`` (not only the first per line) and record it as an incident.

    Installed in kernels and children by the session's ``sitecustomize``.  The warning is still
    printed (to the cell's stderr, so a strict nbval comparison fails there too; a kernel's own
    stderr goes to /dev/null under nbval, so a warning at kernel exit is only seen here); the
    recorded incident makes the leak guard name it clearly.  To see where the object was
    created, run with ``PYTHONTRACEMALLOC=20``.
    """
    global _installed_warning_recorder
    if _installed_warning_recorder:
        return
    _installed_warning_recorder = True
    warnings.filterwarnings("always", category=ResourceWarning)
    show = warnings._showwarnmsg  # sees every warning, even when showwarning was replaced; keeps .source

    def _showwarnmsg(msg):
        if isinstance(msg.category, type) and issubclass(msg.category, ResourceWarning):
            try:  # with PYTHONTRACEMALLOC=20 this includes where the object was allocated
                text = warnings._formatwarnmsg(msg).strip()
            except Exception:
                text = f"{msg.filename}:{msg.lineno}: ResourceWarning: {msg.message}"
            record("resource", text)
        return show(msg)

    warnings._showwarnmsg = _showwarnmsg
