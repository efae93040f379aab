"""The learner's view: every chapter in JupyterLab, started as ``make lab`` starts it, in headless Chromium.

One JupyterLab serves a copy of the course root (as ``make lab`` serves the repository); each
chapter must show its title, render every cell, load every markdown image (``naturalWidth > 0``:
``../pics/NN.png`` resolves inside the server's root), show no notification toast (the news
pop-up is off), and the server must answer no request with 4xx/5xx.  Chapter 05 (a figure
chapter) is saved as a screenshot in ``$COURSE_SCREENSHOTS`` when that is set.
Skipped when Chromium is absent; ``.ci/run`` installs it.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import psutil
import pytest

from helpers.authoring import ROOT, lab as course_lab
from helpers.authoring.nav import title_of
from helpers.testing import browser

CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
needs_chromium = pytest.mark.skipif(browser.find_chromium() is None,
                                    reason="Chromium is not installed (apt-get install chromium)")


def test_make_lab_serves_the_repository_root_and_opens_the_index():
    argv = course_lab.lab_argv()
    assert f"--ServerApp.root_dir={ROOT}" in argv, "the root must hold ../pics/ for the chapters' figures"
    assert "--LabApp.default_url=/lab/tree/notebooks/00_index.ipynb" in argv
    assert "--ip=127.0.0.1" in argv and not any("token=" in a or "IdentityProvider.token" in a for a in argv)
    assert "helpers.authoring.lab" in (ROOT / "Makefile").read_text(), "make lab must start JupyterLab through lab.py"


def test_the_settings_override_turns_the_news_off_and_keeps_other_settings(tmp_path):
    path = tmp_path / "share/jupyter/lab/settings/overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}')
    assert course_lab.write_overrides(tmp_path) == path
    import json
    data = json.loads(path.read_text())
    assert data["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert data["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}


def test_server_errors_reads_4xx_and_5xx_but_not_the_known_websocket_race():
    log = ("[W 2026-11-30 21:27:17.402 ServerApp] 404 GET /files/pics/01.png (@127.0.0.1) 1.2ms\n"
           "[E 2026-11-30 21:27:17.402 ServerApp] 500 GET /api/kernels/0bc2d567-b3ff/channels?session_id=x (u@127.0.0.1)\n"
           "[I 2026-11-30 21:27:17.402 ServerApp] 200 GET /api/contents (@127.0.0.1) 1.2ms\n")
    assert browser.server_errors(log) == [log.splitlines()[0]]


def test_staged_copy_leaves_the_source_untouched(sample_course):
    with browser.staged(sample_course) as root:
        assert (root / "notebooks" / "01_alpha.ipynb").read_bytes() == (sample_course / "notebooks" / "01_alpha.ipynb").read_bytes()
        assert (root / "pics" / "01.png").exists()
        (root / "notebooks" / ".ipynb_checkpoints").mkdir()
    assert not root.exists()
    assert sorted(p.name for p in (sample_course / "notebooks").iterdir()) == ["00_index.ipynb", "01_alpha.ipynb", "02_beta.ipynb"]


@needs_chromium
def test_every_chapter_shows_with_its_figures():
    """One JupyterLab for the whole course (the leak guard checks it is gone after the test)."""
    shots = os.environ.get("COURSE_SCREENSHOTS")
    problems = []
    with browser.staged() as root, browser.lab_server(root) as lab:
        for chapter in CHAPTERS:
            cells = len(nbformat.read(chapter, as_version=4).cells)
            shot = Path(shots) / f"lab-{chapter.stem}.png" if shots and chapter.stem.startswith("05") else None
            seen = browser.look(lab, f"notebooks/{chapter.name}", title_of(chapter), cells=cells, screenshot=shot)
            if not seen.title_shown:
                problems.append(f"{chapter.name}: the title is not shown")
            if seen.cells != cells:
                problems.append(f"{chapter.name}: {seen.cells} of {cells} cells rendered")
            if seen.broken_images:
                problems.append(f"{chapter.name}: images that did not load: {seen.broken_images}")
            if seen.toasts:
                problems.append(f"{chapter.name}: a notification covers the notebook: {seen.toasts}")
            if chapter.stem.startswith(("02", "05")):
                assert seen.images, f"{chapter.name} has figures: the check must see them"
        errors = browser.server_errors(lab.log.read_text(errors="replace"))
    assert not problems, "\n".join(problems)
    assert not errors, "the server answered with errors:\n" + "\n".join(errors)


def test_lab_listens_on_loopback_and_leaves_nothing_running():
    with browser.staged() as root, browser.lab_server(root) as lab:
        server = psutil.Process(lab.pid)
        listening = {c.laddr.ip for c in server.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
        assert listening == {"127.0.0.1"}, f"JupyterLab listens on {listening}"
        family = [server] + server.children(recursive=True)
    alive = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"left running: {alive}"


def test_ci_installs_chromium_then_runs_make_test_last():
    run = (ROOT / ".ci/run").read_text()
    assert "apt-get install" in run and "chromium" in run, ".ci/run must install Chromium so CI runs the browser test"
    assert run.index("chromium") < run.index("make test")
    assert run.strip().splitlines()[-1].strip() == "make test", "make test must stay the last command"
