"""The learner's path: every chapter runs top to bottom in a kernel that JupyterLab (as ``make lab`` starts it) starts.

One server (:func:`helpers.testing.browser.lab_server`, the command line of ``make lab``) serves
a copy of the course root; each chapter is opened through the contents API and executed cell by
cell over the kernel websocket (:mod:`helpers.testing.labclient`), with the kernel in the
notebook's folder, exactly as a browser's "Run All" does.  The kernels run in the learner's mode
(no ``COURSE_CLAIMS=strict``): a claim that does not hold prints a sentence instead of raising,
so this test reads the outputs — no error, no traceback on stderr, no ❌ verdict.  nbval
(``make test``'s notebook phase) compares the outputs with the committed ones beside this.
"""
from __future__ import annotations

import os

import nbformat
import pytest
import requests

from helpers.authoring import ROOT
from helpers.testing import browser, labclient

CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def learner_env() -> dict:
    env = dict(os.environ)
    for name in ("COURSE_CLAIMS", "COURSE_CLAIMS_LOG"):
        env.pop(name, None)
    return env


def problems_of(run: labclient.NotebookRun) -> list[str]:
    """What a learner would see go wrong in *run*."""
    found = [f"code cell {i}: {ename}: {evalue}" for i, ename, evalue in run.errors]
    found += [f"code cell {i}: traceback on stderr: {text[-500:]}" for i, text in run.stderr() if "Traceback" in text]
    for i in range(len(run.outputs)):
        found += [f"code cell {i}: {line}" for line in run.text(i).splitlines() if line.startswith("❌")]
    return found


def test_problems_of_reads_errors_tracebacks_and_failed_claims():
    run = labclient.NotebookRun("x.ipynb", outputs=[
        [{"output_type": "stream", "name": "stdout", "text": "✅ 成立：甲\n⚠️ 这次无法判断：乙\n"}],
        [{"output_type": "stream", "name": "stdout", "text": "❌ 与预测不符：丙\n"}],
        [{"output_type": "stream", "name": "stderr", "text": "Traceback (most recent call last):\n  boom\n"}],
    ], errors=[(3, "ValueError", "bad")])
    assert problems_of(run) == ["code cell 3: ValueError: bad",
                                "code cell 2: traceback on stderr: Traceback (most recent call last):\n  boom\n",
                                "code cell 1: ❌ 与预测不符：丙"]


def test_every_chapter_runs_top_to_bottom_in_jupyterlab():
    problems = []
    with browser.staged() as root, browser.lab_server(root, env=learner_env()) as lab:
        auth = {"Authorization": f"token {lab.token}"}
        for chapter in CHAPTERS:
            relative = f"notebooks/{chapter.name}"
            r = requests.get(f"{lab.base}/api/contents/{relative}", headers=auth, timeout=30)
            assert r.status_code == 200 and r.json()["type"] == "notebook", relative
            assert len(r.json()["content"]["cells"]) == len(nbformat.read(chapter, as_version=4).cells)
            run = labclient.run_notebook(lab.base + "/", lab.token, relative, timeout=240)
            problems += [f"{chapter.name} {p}" for p in problems_of(run)]
        errors = browser.server_errors(lab.log.read_text(errors="replace"))
    assert not problems, "\n".join(problems)
    assert not errors, "the server answered with errors:\n" + "\n".join(errors)


def test_the_token_is_required():
    import urllib.error
    import urllib.request

    with browser.staged() as root, browser.lab_server(root) as lab:
        assert len(lab.token) >= 32
        r = requests.get(f"{lab.base}/lab", params={"token": lab.token}, timeout=10)
        assert r.status_code == 200 and "JupyterLab" in r.text
        r = requests.get(f"{lab.base}/lab", allow_redirects=False, timeout=10)
        assert r.status_code in (302, 403) and (r.status_code == 403 or "/login" in r.headers["Location"])
        with pytest.raises(urllib.error.HTTPError, match="403"):
            urllib.request.urlopen(f"{lab.base}/api/contents", timeout=5)
        assert requests.get(f"{lab.base}/api/contents", headers={"Authorization": "token wrong"},
                            timeout=10).status_code == 403
