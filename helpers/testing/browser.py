"""A real browser looks at the course: JupyterLab on 127.0.0.1 rendered by headless Chromium.

:func:`lab_server` starts JupyterLab (random free port, random token, ``--no-browser``,
``--allow-root`` only as root, temporary runtime/workspace/settings folders so nothing is
written into the user's ``~/.jupyter``) and stops it, with every process it started, on exit.
:func:`chromium` runs Debian's ``chromium --headless --no-sandbox`` on a URL and returns the
DOM after a virtual-time budget, or writes a screenshot.

``python -m helpers.testing.browser notebooks/01_concurrency-basics.ipynb [--screenshot out.png]``
prints whether the notebook's title shows in JupyterLab (and saves what the learner sees).
``tests/test_browser.py`` runs the same check; it is skipped when Chromium is absent
(``apt-get install chromium``; ``.ci/run`` installs it).
"""
from __future__ import annotations

import argparse
import contextlib
import html
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import psutil


# As root Chromium needs --no-sandbox; the network flags keep it from calling home
# (this machine's network is closed, and every refused connection costs time).
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
]


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
    """A running JupyterLab: :attr:`base` URL, :attr:`token`, and :meth:`url` of a notebook."""

    def __init__(self, base: str, token: str, log: Path, pid: int):
        self.base, self.token, self.log, self.pid = base, token, log, pid

    def url(self, relative_path: str) -> str:
        """URL that opens *relative_path* (relative to the server's root) in JupyterLab."""
        return f"{self.base}/lab/tree/{quote(relative_path)}?token={self.token}"


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
def lab_server(root_dir: Path, timeout: float = 60.0):
    """Run JupyterLab serving *root_dir* on 127.0.0.1; yields a :class:`Lab`."""
    token = secrets.token_hex(16)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="course-lab-") as tmp:
        tmp = Path(tmp)
        log = tmp / "lab.log"
        # no "get notified about Jupyter news?" toast over the notebook, no update checks
        settings = tmp / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), PYTHONUNBUFFERED="1")
        argv = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root_dir}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
                f"--LabApp.user_settings_dir={tmp / 'settings'}",
                # no announcements / update checks: the machine may be offline
                "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.geteuid() == 0:
            argv.append("--allow-root")
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, token, proc, log, timeout)
            yield Lab(base, token, log, proc.pid)
        finally:
            _stop(proc)


@contextlib.contextmanager
def staged(notebook: Path):
    """A throw-away copy of *notebook*'s folder (and the ``pics/`` beside it) to serve.

    JupyterLab writes ``.ipynb_checkpoints/`` when it opens a notebook and could autosave it;
    the repository must stay untouched.  Yields ``(root, path of the notebook relative to root)``.
    """
    notebook = notebook.resolve()
    with tempfile.TemporaryDirectory(prefix="course-root-") as tmp:
        root = Path(tmp)
        shutil.copytree(notebook.parent, root / notebook.parent.name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", ".virtual_documents"))
        pics = notebook.parent.parent / "pics"
        if pics.is_dir():
            shutil.copytree(pics, root / "pics")
        yield root, f"{notebook.parent.name}/{notebook.name}"


def chromium(url: str, *, screenshot: Path | None = None, budget_ms: int = 15000,
             size: tuple[int, int] = (1280, 900), timeout: float = 90.0) -> str:
    """Load *url* in headless Chromium; return the DOM (or write *screenshot* and return "").

    ``--virtual-time-budget`` lets the page's scripts run that long (virtual time) before
    the DOM is dumped or the picture taken.
    """
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("Chromium not found: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="course-chromium-") as profile:
        argv = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
                f"--virtual-time-budget={budget_ms}"]
        argv += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
        done = subprocess.run(argv + [url], stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                              start_new_session=True)
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited with {done.returncode}: {done.stderr.decode(errors='replace')[-2000:]}")
    return done.stdout.decode("utf-8", errors="replace")


def shows_notebook(dom: str, title: str) -> list[str]:
    """What is missing from JupyterLab's *dom* for a notebook titled *title* (empty: all shown)."""
    missing = []
    if "jp-Notebook" not in dom:
        missing.append("no notebook panel (class jp-Notebook)")
    if "jp-MarkdownOutput" not in dom:
        missing.append("no rendered markdown cell (class jp-MarkdownOutput)")
    if html.escape(title, quote=False) not in dom and title not in dom:
        missing.append(f"the title {title!r} is not in the page")
    return missing


def main(argv: list[str]) -> int:
    """``python -m helpers.testing.browser NOTEBOOK [--screenshot PNG]``."""
    from helpers.authoring.nav import title_of

    parser = argparse.ArgumentParser(prog="python -m helpers.testing.browser", description=__doc__.split("\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args(argv)
    notebook = args.notebook.resolve()
    with staged(notebook) as (root, relative), lab_server(root) as lab:
        url = lab.url(relative)
        dom = chromium(url)
        if args.screenshot:
            chromium(url, screenshot=args.screenshot.resolve())
            print(f"screenshot: {args.screenshot}")
    missing = shows_notebook(dom, title_of(notebook))
    print("JupyterLab shows the notebook" if not missing else "\n".join(missing))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
