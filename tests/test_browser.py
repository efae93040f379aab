"""A real browser: JupyterLab on 127.0.0.1 shows chapter 01 in headless Chromium.

Skipped (with the reason) when Chromium is absent or chapter 01 does not exist yet;
``.ci/run`` installs Debian's ``chromium`` so CI always runs it.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from helpers.testing import browser
from helpers.authoring.nav import title_of

REPO = Path(__file__).resolve().parent.parent
CHAPTER = REPO / "notebooks" / "01_concurrency-basics.ipynb"


def test_shows_notebook_names_what_is_missing():
    assert browser.shows_notebook('<div class="jp-Notebook"><div class="jp-MarkdownOutput"><h1>01 甲</h1>', "01 甲") == []
    missing = browser.shows_notebook("<body>Loading…</body>", "01 甲")
    assert len(missing) == 3 and "'01 甲'" in missing[2]


def test_staged_copy_leaves_the_source_untouched(sample_course):
    source = sample_course / "notebooks" / "01_alpha.ipynb"
    with browser.staged(source) as (root, relative):
        assert relative == "notebooks/01_alpha.ipynb"
        assert (root / relative).read_bytes() == source.read_bytes()
        assert (root / "pics" / "01.png").exists()
        (root / "notebooks" / ".ipynb_checkpoints").mkdir()
    assert not root.exists()
    assert sorted(p.name for p in source.parent.iterdir()) == ["00_index.ipynb", "01_alpha.ipynb", "02_beta.ipynb"]


@pytest.mark.skipif(browser.find_chromium() is None,
                    reason="Chromium is not installed (apt-get install chromium); the real-browser check is skipped")
@pytest.mark.skipif(not CHAPTER.exists(), reason=f"{CHAPTER.name} does not exist yet")
def test_jupyterlab_shows_chapter_01_in_headless_chromium():
    check_lab_shows(CHAPTER)


def check_lab_shows(chapter: Path) -> None:
    """JupyterLab (127.0.0.1 only, token required) renders *chapter*; nothing is left running."""
    with browser.staged(chapter) as (root, relative), browser.lab_server(root) as lab:
        server = psutil.Process(lab.pid)
        listening = {c.laddr.ip for c in server.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
        assert listening == {"127.0.0.1"}, f"JupyterLab listens on {listening}"
        with pytest.raises(urllib.error.HTTPError, match="403"):
            urllib.request.urlopen(f"{lab.base}/api/contents", timeout=5)  # no token, no entry
        dom = browser.chromium(lab.url(relative), budget_ms=10000)
        family = [server] + server.children(recursive=True)
        log = lab.log.read_text(errors="replace")[-2000:]
    missing = browser.shows_notebook(dom, title_of(chapter))
    assert not missing, f"JupyterLab did not show {chapter.name}: {missing}\nserver log:\n{log}"
    alive = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"left running: {alive}"


def test_ci_installs_chromium_then_runs_make_test_last():
    run = (REPO / ".ci/run").read_text()
    assert "apt-get install" in run and "chromium" in run, ".ci/run must install Chromium so CI runs the browser test"
    assert run.index("chromium") < run.index("make test")
    assert run.strip().splitlines()[-1].strip() == "make test", "make test must stay the last command"
