"""How the course's JupyterLab starts: one definition for ``make lab`` and for the tests that look as the learner does.

- The server's root is the **repository** (not ``notebooks/``), so ``![…](../pics/NN.png)`` in a
  chapter resolves inside the root; the first page is ``notebooks/00_index.ipynb``.
- 127.0.0.1 only; the token stays (Jupyter prints the URL with it).
- No "get notified about official Jupyter news?" pop-up and no update check: a settings override
  in the environment (``<prefix>/share/jupyter/lab/settings/overrides.json``) turns both off for
  every user of the environment (a learner may still turn them on in the settings editor).

``python -m helpers.authoring.lab`` writes the override and replaces itself with JupyterLab
(``make lab``); extra arguments are passed on to JupyterLab.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from helpers.authoring import ROOT

__all__ = ["DEFAULT_NOTEBOOK", "OVERRIDES", "lab_argv", "write_overrides", "main"]

DEFAULT_NOTEBOOK = "notebooks/00_index.ipynb"
# JupyterLab 4 setting ids -> values (overrides.json format).
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # render every cell (after the first screen, while idle): the browser's Ctrl-F finds any
    # word of the chapter, and every figure loads without scrolling to it
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "defer"},
}


def write_overrides(prefix: str | os.PathLike = sys.prefix) -> Path:
    """Merge :data:`OVERRIDES` into ``<prefix>/share/jupyter/lab/settings/overrides.json``; return its path.

    Settings already in the file that the course does not set are kept.
    """
    path = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    merged = {**current, **{key: {**current.get(key, {}), **value} for key, value in OVERRIDES.items()}}
    if merged != current:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(merged, indent=2) + "\n")
    return path


def lab_argv(root: str | os.PathLike = ROOT, *, port: int | None = None, token: str | None = None,
             open_browser: bool = True) -> list[str]:
    """The command line that starts the course's JupyterLab serving *root*.

    *port* and *token* fix what JupyterLab would otherwise choose (tests need both); without a
    browser (``open_browser=False``) the server only listens.
    """
    argv = [sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", f"--ServerApp.root_dir={Path(root)}",
            f"--LabApp.default_url=/lab/tree/{DEFAULT_NOTEBOOK}",
            # no announcements and no update checks (the machine may be offline)
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if port is not None:
        argv += [f"--port={port}", "--ServerApp.port_retries=0"]
    if token is not None:
        argv.append(f"--IdentityProvider.token={token}")
    if not open_browser:
        argv.append("--no-browser")
    if os.geteuid() == 0:  # Jupyter refuses to run as root unless told (containers, Binder-like images)
        argv.append("--allow-root")
    return argv


def main(argv: list[str] | None = None) -> None:
    """``make lab``: write the settings override, then become JupyterLab serving the repository."""
    write_overrides()
    command = lab_argv() + list(sys.argv[1:] if argv is None else argv)
    os.chdir(ROOT)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
