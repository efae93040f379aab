"""A real browser looks at the course as the learner does: JupyterLab started as ``make lab`` starts it.

:func:`lab_server` starts JupyterLab from :func:`helpers.authoring.lab.lab_argv` — the command
line of ``make lab`` (the course's root as the server's root, 127.0.0.1, the token, no news, the
environment's settings override) — on a free port with a known token, with temporary
runtime/workspace/user-settings folders so nothing is written into the user's ``~/.jupyter``,
and stops it, with every process it started, on exit.  :func:`staged` lays out a throw-away
copy of the course (``notebooks/`` and ``pics/``) to serve, so JupyterLab's checkpoints and
autosaves never touch the repository.

:func:`look` opens a notebook in headless Chromium (:mod:`helpers.testing.headless`), waits until
every cell is rendered, and returns a :class:`Look`: the title shown, every markdown image with
its ``naturalWidth`` (0 = did not load), whether a notification toast covers the page, and
optionally a screenshot.  :func:`server_errors` reads the server's log for 4xx/5xx answers.

``python -m helpers.testing.browser notebooks/05_io-models.ipynb --screenshot 05.png`` saves what
the learner sees.  ``tests/test_browser.py`` opens every chapter; it is skipped when Chromium is
absent (``.ci/run`` installs it).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil

from helpers.authoring import ROOT, lab as course_lab

__all__ = ["Lab", "Look", "find_chromium", "free_port", "lab_server", "staged", "look", "server_errors", "main"]

# jupyter_server#1265: a kernel websocket opened while the kernel is still starting is answered
# 500 once ('NoneType' object has no attribute 'kernel_ws_protocol'); the page reconnects.
KNOWN_SERVER_ERRORS = [re.compile(r" 500 GET /api/kernels/[0-9a-f-]+/channels")]


def find_chromium() -> str | None:
    """Path of a Chromium executable (Debian's ``chromium`` first), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab: :attr:`base` URL, :attr:`token`, its :attr:`log`, and :meth:`url` of a notebook."""

    def __init__(self, base: str, token: str, log: Path, pid: int, env: dict):
        self.base, self.token, self.log, self.pid, self.env = base, token, log, pid, env

    def url(self, relative_path: str) -> str:
        """URL that opens *relative_path* (relative to the server's root) in JupyterLab."""
        return f"{self.base}/lab/tree/{quote(relative_path)}?token={self.token}&reset"  # reset: no tabs restored


def _wait_ready(base: str, token: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"JupyterLab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM (JupyterLab shuts its kernels down), then SIGKILL whatever is left."""
    try:
        family = [proc.pid] + [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = [proc.pid]
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    for pid in family:  # kernels run in their own sessions: kill them by pid, not by group
        with contextlib.suppress(psutil.NoSuchProcess):
            p = psutil.Process(pid)
            p.kill()
            p.wait(5)
    proc.wait()


@contextlib.contextmanager
def lab_server(root_dir: Path, timeout: float = 60.0, env: dict | None = None):
    """Run the course's JupyterLab (``make lab``'s command line) serving *root_dir*; yields a :class:`Lab`.

    *env* replaces the environment the server (and so its kernels) inherit.
    """
    course_lab.write_overrides()  # what `make lab` does before it starts the server
    token = secrets.token_hex(16)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="course-lab-") as tmp:
        tmp = Path(tmp)
        log = tmp / "lab.log"
        env = dict(os.environ if env is None else env, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), PYTHONUNBUFFERED="1")
        argv = course_lab.lab_argv(root_dir, port=port, token=token, open_browser=False) + [
            f"--LabApp.workspaces_dir={tmp / 'workspaces'}", f"--LabApp.user_settings_dir={tmp / 'settings'}"]
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, token, proc, log, timeout)
            yield Lab(base, token, log, proc.pid, env)
        finally:
            _stop(proc)


@contextlib.contextmanager
def staged(root: Path = ROOT):
    """A throw-away copy of the course at *root* (``notebooks/`` and ``pics/``) to serve; yields its path.

    JupyterLab writes ``.ipynb_checkpoints/`` when it opens a notebook and may autosave it;
    the repository must stay untouched.
    """
    with tempfile.TemporaryDirectory(prefix="course-root-") as tmp:
        copy = Path(tmp)
        ignore = shutil.ignore_patterns(".ipynb_checkpoints", ".virtual_documents")
        for folder in ("notebooks", "pics"):
            if (root / folder).is_dir():
                shutil.copytree(root / folder, copy / folder, ignore=ignore)
        yield copy


@dataclass
class Look:
    """What the learner's browser showed for one notebook."""

    title_shown: bool
    cells: int
    images: list[tuple[str, int]] = field(default_factory=list)  # (src without query, naturalWidth)
    toasts: list[str] = field(default_factory=list)

    @property
    def broken_images(self) -> list[str]:
        """The markdown images that did not load (``naturalWidth == 0``)."""
        return [src for src, width in self.images if width == 0]


def look(lab: Lab, relative: str, title: str, *, cells: int, screenshot: Path | None = None,
         timeout_s: float = 60.0) -> Look:
    """Open *relative* in JupyterLab in headless Chromium; wait until its *cells* cells and images are rendered."""
    from helpers.testing import headless

    with headless.page(timeout_ms=timeout_s * 1000) as tab:
        tab.goto(lab.url(relative))
        panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front
        tab.wait_for_selector(f"{panel} .jp-MarkdownOutput", state="attached")
        # windowingMode "defer" (the course's setting) renders every cell once the first screen is up
        tab.wait_for_function(f"document.querySelectorAll('{panel} .jp-Cell').length >= {cells}")
        tab.wait_for_function(f"[...document.querySelectorAll('{panel} .jp-MarkdownOutput img')].every(i => i.complete)")
        found = tab.evaluate(f"""() => ({{
            title: [...document.querySelectorAll('{panel} .jp-MarkdownOutput h1')].map(h => h.textContent),
            cells: document.querySelectorAll('{panel} .jp-Cell').length,
            images: [...document.querySelectorAll('{panel} .jp-MarkdownOutput img')].map(i => [i.getAttribute('src'), i.naturalWidth]),
            toasts: [...document.querySelectorAll('.Toastify__toast')].map(t => t.textContent),
        }})""")
        if screenshot is not None:  # the first figure, as the learner scrolls to it
            if found["images"]:
                tab.locator(f"{panel} .jp-MarkdownOutput img").first.scroll_into_view_if_needed()
            tab.screenshot(path=str(screenshot))
    return Look(any(title in h for h in found["title"]), found["cells"],
                [(src.split("?")[0], width) for src, width in found["images"]], found["toasts"])


def server_errors(log_text: str) -> list[str]:
    """The server's 4xx/5xx answers in *log_text* (JupyterLab's access log), known upstream races aside."""
    bad = [line for line in log_text.splitlines() if re.search(r"\] [45]\d\d (GET|POST|PUT|PATCH|DELETE) ", line)]
    return [line for line in bad if not any(p.search(line) for p in KNOWN_SERVER_ERRORS)]


def main(argv: list[str]) -> int:
    """``python -m helpers.testing.browser NOTEBOOK [--screenshot PNG]``."""
    import nbformat

    from helpers.authoring.nav import title_of

    parser = argparse.ArgumentParser(prog="python -m helpers.testing.browser", description=__doc__.split("\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args(argv)
    notebook = args.notebook.resolve()
    cells = len(nbformat.read(notebook, as_version=4).cells)
    with staged(notebook.parent.parent) as root, lab_server(root) as lab:
        seen = look(lab, f"notebooks/{notebook.name}", title_of(notebook), cells=cells,
                    screenshot=args.screenshot.resolve() if args.screenshot else None)
        errors = server_errors(lab.log.read_text(errors="replace"))
    print(f"title shown: {seen.title_shown}; cells: {seen.cells}; images: {len(seen.images)}, "
          f"broken: {seen.broken_images}; toasts: {seen.toasts}; server errors: {errors}")
    return 0 if seen.title_shown and not seen.broken_images and not seen.toasts and not errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
