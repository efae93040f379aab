"""The test run's incident records: what kernels and child interpreters report to the leak guard.

During ``pytest`` the plugin :mod:`helpers.testing.leakguard` creates a directory and exports it as
``$COURSE_GUARD_DIR``; every process of the session (the pytest process, each notebook
kernel, every ``helpers.runner`` / ``program_server`` child) appends JSON lines to
``<dir>/<pid>.jsonl`` with :func:`record`.  The plugin reads them with :class:`Reader` after
each notebook and each unit test, so an incident fails the test that caused it even when
the exception was swallowed inside the kernel or the child.

Kinds recorded: ``"network"`` (a non-loopback address, see :mod:`helpers.testing.loopback`) and
``"resource"`` (a ``ResourceWarning``: an unclosed socket, file, transport or subprocess).
Outside a test session (``$COURSE_GUARD_DIR`` unset) :func:`record` does nothing.
"""
from __future__ import annotations

import atexit
import json
import os
import warnings

ENV_DIR = "COURSE_GUARD_DIR"
ENV_ALLOW = "COURSE_GUARD_ALLOW"  # "resource": this process leaks on purpose (a demo of the bug)
MARK = r"(?s).*(?#course-leakguard)"  # a module pattern that matches everything and names our filter

_installed_warning_recorder = False


def record(kind: str, text: str) -> None:
    """Append one incident to this process's incident file (never raises)."""
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
    """Record every ``ResourceWarning`` raised while a program runs, without changing what it prints.

    Installed in kernels and children by the session's ``sitecustomize``.  A filter (marked by
    :data:`MARK`) lets ResourceWarnings through to a hook that records them as incidents and
    prints them only if the program's own settings would (``-X dev``, ``-W default``,
    ``warnings.simplefilter(...)``): Python hides them by default, and a test run must print
    exactly what a learner sees.

    Not recorded: warnings at interpreter exit (reported as ``sys:1``: the OS closes every
    descriptor of an exiting process, and a seed program stopped by Ctrl-C or crashing on
    purpose ends that way), and anything in a process started with
    ``COURSE_GUARD_ALLOW=resource`` in its environment (for a demo that leaks on purpose, e.g.
    ``program_server(code, env={"COURSE_GUARD_ALLOW": "resource"})``).  Run with
    ``PYTHONTRACEMALLOC=20`` to have the recorded text say where the object was allocated.
    """
    global _installed_warning_recorder
    if _installed_warning_recorder:
        return
    _installed_warning_recorder = True
    warnings.filterwarnings("always", category=ResourceWarning, module=MARK)
    atexit.register(_remove_filter)  # at exit the C fallback would print what Python normally hides
    show = warnings._showwarnmsg  # sees every shown warning (even if showwarning was replaced); keeps .source

    def _showwarnmsg(msg):
        if not (isinstance(msg.category, type) and issubclass(msg.category, ResourceWarning)):
            return show(msg)
        if msg.filename != "sys" and "resource" not in os.environ.get(ENV_ALLOW, "").split(","):
            try:
                text = warnings._formatwarnmsg(msg).strip()
            except Exception:
                text = f"{msg.filename}:{msg.lineno}: ResourceWarning: {msg.message}"
            record("resource", text)
        if _program_wants(msg):
            return show(msg)

    warnings._showwarnmsg = _showwarnmsg


def _remove_filter() -> None:
    warnings.filters[:] = [f for f in warnings.filters if getattr(f[3], "pattern", f[3]) != MARK]
    warnings._filters_mutated()


def _program_wants(msg) -> bool:
    """Would the program's own warning filters (not ours) show *msg*?"""
    module = msg.filename[:-3] if msg.filename.endswith(".py") else msg.filename
    text = str(msg.message)
    def matches(pattern, value):  # filters hold compiled patterns, None, or (built-in defaults) plain str
        if pattern is None:
            return True
        return pattern == value if isinstance(pattern, str) else pattern.match(value) is not None

    for action, message_re, category, module_re, lineno in warnings.filters:
        if not issubclass(msg.category, category):
            continue
        if not matches(message_re, text):
            continue
        if getattr(module_re, "pattern", module_re) == MARK:
            return False  # reached our filter first: Python's default would have ignored it
        if not matches(module_re, module):
            continue
        if lineno and lineno != msg.lineno:
            continue
        return action != "ignore"
    return False
