"""Live slides: RISE for JupyterLab is installed and enabled, and presents a chapter in headless Chromium.

``make lab`` installs ``jupyterlab-rise`` from ``requirements.txt``; the chapters already carry
the reveal.js slide types (:mod:`helpers.authoring.slides`).  The browser test opens chapter 01 at RISE's
``/rise/<path>`` page (what the toolbar button and Alt+R open) and checks that the first slide
shows the chapter's title.  Set ``COURSE_SCREENSHOTS=/some/dir`` to keep the picture.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

from helpers.testing import browser
from helpers.authoring.nav import title_of

REPO = Path(__file__).resolve().parent.parent
CHAPTER = REPO / "notebooks" / "01_concurrency-basics.ipynb"
JUPYTER = Path(sys.executable).with_name("jupyter")


def test_rise_is_a_learner_requirement():
    lines = [line.split("#")[0].strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    assert any(re.match(r"jupyterlab-rise\s*>=", line) for line in lines), "make lab must install jupyterlab-rise"


def test_rise_labextension_is_installed_and_enabled():
    done = subprocess.run([str(JUPYTER), "labextension", "list"], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, NO_COLOR="1"), stdin=subprocess.DEVNULL)
    listing = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    line = next((l for l in listing.splitlines() if "jupyterlab-rise" in l), "")
    assert re.search(r"jupyterlab-rise v[\d.]+ enabled\s+OK", line), f"RISE is not installed and enabled:\n{listing}"
    done = subprocess.run([str(JUPYTER), "server", "extension", "list"], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, NO_COLOR="1"), stdin=subprocess.DEVNULL)
    listing = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    assert re.search(r"jupyterlab_rise\s+enabled", listing), f"RISE's server extension is not enabled:\n{listing}"


@pytest.mark.skipif(browser.find_chromium() is None,
                    reason="Chromium is not installed (apt-get install chromium); the real-browser check is skipped")
def test_rise_presents_chapter_01_first_slide(tmp_path):
    pytest.importorskip("playwright", reason="playwright comes with requirements-teacher.txt (make test installs it)")
    from helpers.testing import headless

    shots = Path(os.environ.get("COURSE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    relative = f"notebooks/{CHAPTER.name}"
    with browser.staged() as root, browser.lab_server(root) as lab:
        with headless.page() as tab:
            tab.goto(f"{lab.base}/rise/{quote(relative)}?token={lab.token}")
            current = tab.wait_for_selector(".reveal .slides > section.present")
            tab.wait_for_function("document.querySelector('.reveal').classList.contains('ready')")
            text = current.inner_text()
            total = tab.locator(".reveal .slides > section").count()
            tab.screenshot(path=str(shots / "rise-01.png"))
            tab.keyboard.press("ArrowRight")
            tab.wait_for_function("document.querySelectorAll('.reveal .slides > section')[1].classList.contains('present')")
            second = tab.inner_text(".reveal .slides > section.present")
    assert title_of(CHAPTER) in text, f"the first slide does not show the title:\n{text[:500]}"
    assert "学习目标" not in text, "the first slide must end before the next '##' section"
    assert "学习目标" in second, f"→ must go to the next section:\n{second[:300]}"
    nb = nbformat.read(CHAPTER, as_version=4)
    wanted = [cell.metadata["slideshow"]["slide_type"] for cell in nb.cells].count("slide")
    assert total == wanted, f"{total} slides, the chapter's metadata has {wanted} (helpers.authoring.slides)"
