"""The course site (``make html``): Jupyter Book 1 builds it from the executed notebooks, strictly.

The full build checks what a reader gets: a page per chapter with the sidebar and previous/next
links, the figures from ``pics/``, the committed outputs (nothing is executed), the Binder launch
button, and a search index in which Chinese words are found (Sphinx splits them with jieba).
In headless Chromium the search page lists chapters for 协程.  A small copy of the course
then proves that the strict build (``-W -n --keep-going``, as ``make html`` runs it) fails on a
broken link, image and anchor, and that a teacher's JupyterHub URL gives a launch button.
Set ``COURSE_SCREENSHOTS=/some/dir`` to keep the picture of the search results.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest
import yaml

from helpers.authoring import nav
from helpers.testing import browser

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = nav.chapters(REPO / "notebooks")
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
pytestmark = pytest.mark.skipif(not JUPYTER_BOOK.exists(),
                                reason="jupyter-book comes with requirements-teacher.txt (make test installs it)")


def build(source: Path, out: Path) -> subprocess.CompletedProcess:
    """The command ``make html`` runs, with the output in *out* (the site is ``out/_build/html``)."""
    argv = [str(JUPYTER_BOOK), "build", str(source), "--config", str(source / "site" / "_config.yml"),
            "--toc", str(source / "site" / "_toc.yml"), "--path-output", str(out), "-W", "-n", "--keep-going"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, NO_COLOR="1"))


def search_index(site: Path) -> dict:
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def test_make_html_runs_the_strict_build():
    rule = re.search(r"^html:.*\n((?:\t.*\n)+)", (REPO / "Makefile").read_text(), re.M).group(1)
    assert "jupyter-book build" in rule and " -W" in rule and " -n" in rule and "site/_toc.yml" in rule


def test_toc_lists_every_chapter_in_order():
    toc = yaml.safe_load((REPO / "site" / "_toc.yml").read_text())
    listed = [toc["root"]] + [entry["file"] for entry in toc["chapters"]]
    assert listed == [f"notebooks/{p.stem}" for p in NOTEBOOKS], "site/_toc.yml must list every chapter in order"


def test_config_shows_outputs_searches_chinese_and_has_launch_buttons():
    config = yaml.safe_load((REPO / "site" / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off", "the site shows the committed outputs"
    assert config["sphinx"]["config"]["html_search_language"] == "zh"
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert "jupyterhub_url" in config["launch_buttons"]


def test_the_course_site(tmp_path):
    done = build(REPO, tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    site = tmp_path / "_build" / "html"
    pages = {p.stem: (site / "notebooks" / f"{p.stem}.html").read_text(encoding="utf-8") for p in NOTEBOOKS}
    for i, (stem, page) in enumerate(pages.items()):
        sidebar = re.search(r'<nav class="[^"]*bd-docs-nav.*?</nav>', page, re.S).group(0)
        assert all(f'href="{other}.html"' in sidebar or f'href="#"' in sidebar for other in pages), stem
        if i > 0:
            assert re.search(rf'class="left-prev"\s+href="{re.escape(list(pages)[i - 1])}.html"', page), stem
        if i < len(pages) - 1:
            assert re.search(rf'class="right-next"\s+href="{re.escape(list(pages)[i + 1])}.html"', page), stem
        assert f"https://mybinder.org/v2/gh/OWNER/REPO/main?urlpath=lab/tree/notebooks/{stem}.ipynb" in page
        for src in re.findall(r'<img[^>]+src="([^"]+)"', page):
            if not src.startswith(("http", "data:")):
                assert (site / "notebooks" / src).resolve().is_file(), f"{stem}: image {src} missing"
    for n in ("01", "05", "07"):  # the figures drawn into pics/
        assert any(f"{n}.png" in p.name for p in (site / "_images").iterdir()), f"pics/{n}.png is not on the site"
    # the committed outputs are shown, unchanged: the first text output of chapter 07
    nb = nbformat.read(REPO / "notebooks" / "07_selectors.ipynb", as_version=4)
    first = next(o["text"] for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("name") == "stdout")
    line = next(l for l in first.splitlines() if len(l.strip()) > 12)
    assert line.strip().replace("<", "&lt;").replace(">", "&gt;") in pages["07_selectors"]

    # the reference solutions start collapsed: <details> blocks (the exercise form of CONTRIBUTING.md, item 6)
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        stem = path.stem
        nb = nbformat.read(path, as_version=4)
        new_form = sum(1 for c in nb.cells if "exercise-solution" in c.metadata.get("tags", []))
        shown = re.findall(r"<details>\s*<summary>参考答案", pages[stem])
        assert len(shown) == new_form, (stem, new_form, len(shown))
        assert "<details open" not in pages[stem]

    index = search_index(site)
    hits = [index[kind]["协程"] for kind in ("terms", "titleterms")]
    docs = {index["docnames"][i] for hit in hits for i in ([hit] if isinstance(hit, int) else hit)}
    assert {"notebooks/04_gevent", "notebooks/08_event-loop-to-asyncio"} <= docs, docs
    assert "多路复用" in index["terms"] or "复用" in index["terms"], "jieba did not split the Chinese text"

    if browser.find_chromium() is None:
        pytest.skip("Chromium is not installed: the search page was not opened in a browser")
    pytest.importorskip("playwright", reason="playwright comes with requirements-teacher.txt")
    from helpers.testing import headless

    shots = Path(os.environ.get("COURSE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with headless.page() as tab:
        tab.goto((site / "search.html").as_uri() + "?q=" + quote("协程"))
        tab.wait_for_selector("#search-results ul.search li")
        summary = tab.wait_for_selector("#search-results .search-summary").inner_text()  # written when the search ends
        titles = tab.locator("#search-results ul.search li > a").all_inner_texts()
        tab.screenshot(path=str(shots / "site-search-协程.png"))
    assert any("04 gevent" in t for t in titles) and len(titles) >= 5, titles
    assert str(len(titles)) in summary, summary


def small_course(tmp_path: Path, hub: str = "") -> Path:
    """A copy of the site's configuration with two chapters (a strict build of it takes seconds)."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    shutil.copytree(REPO / "site", root / "site")
    shutil.copytree(REPO / "pics", root / "pics")
    for nb in NOTEBOOKS[:2]:
        shutil.copy2(nb, root / "notebooks" / nb.name)
    toc = {"format": "jb-book", "root": f"notebooks/{NOTEBOOKS[0].stem}", "chapters": [{"file": f"notebooks/{NOTEBOOKS[1].stem}"}]}
    (root / "site" / "_toc.yml").write_text(yaml.safe_dump(toc))
    config = yaml.safe_load((root / "site" / "_config.yml").read_text())
    config["launch_buttons"]["jupyterhub_url"] = hub
    (root / "site" / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    for path in (root / "notebooks").iterdir():  # links to the chapters the copy does not have
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            cell.source = re.sub(r"\]\(((?:0[2-9])_[\w-]+\.ipynb)(#[^)]*)?\)", "](https://example.org/\\1)", cell.source)
        nbformat.write(nb, path)
    return root


def test_strict_build_fails_on_a_broken_link_image_or_anchor(tmp_path):
    root = small_course(tmp_path, hub="https://hub.example.edu")
    done = build(root, tmp_path / "ok")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    page = (tmp_path / "ok" / "_build" / "html" / "notebooks" / f"{NOTEBOOKS[1].stem}.html").read_text(encoding="utf-8")
    assert re.search(r'href="https://hub\.example\.edu/hub/user-redirect/git-pull\?repo=[^"]*OWNER/REPO&(?:amp;)?'
                     rf'urlpath=lab/tree/REPO/notebooks/{NOTEBOOKS[1].stem}\.ipynb', page), \
        "no JupyterHub (nbgitpuller) launch button"

    path = root / "notebooks" / NOTEBOOKS[1].name
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        "[没有这章](03_gone.ipynb) ![丢了](../pics/99.png) [没有这节](00_index.ipynb#no-such-heading)"))
    nbformat.write(nb, path)
    done = build(root, tmp_path / "broken")
    log = done.stdout + done.stderr
    assert done.returncode != 0, "the strict build passed with broken references:\n" + log[-3000:]
    assert "03_gone" in log, "the broken link is not reported"
    assert "99.png" in log, "the missing image is not reported"
    assert "no-such-heading" in log, "the broken anchor is not reported"
