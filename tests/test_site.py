"""helpers.authoring.site: the static HTML site and the reveal.js slides, and their link checker."""
from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest

from helpers.authoring import nav, site, slides

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = nav.chapters(REPO / "notebooks")


def build(kind, course, out, **kw):
    return site.build(kind, out, course / "notebooks", course / "pics", **kw)


def test_rewrite_links_touches_only_relative_notebook_links():
    page = ('<a href="01_a.ipynb">x</a> <a href="00_index.ipynb#%E6%9C%AF">g</a> '
            '<a href="https://example.org/x.ipynb">abs</a> <a href="#sec">s</a> <img src="../pics/01.png">')
    out = site.rewrite_links(page, ".html")
    assert 'href="01_a.html"' in out and 'href="00_index.html#%E6%9C%AF"' in out
    assert 'href="https://example.org/x.ipynb"' in out and 'href="#sec"' in out and 'src="../pics/01.png"' in out
    assert 'href="01_a.slides.html"' in site.rewrite_links(page, ".slides.html")


def test_html_site_of_a_course(sample_course, tmp_path):
    out = tmp_path / "html"
    pages = build("html", sample_course, out)
    assert [p.name for p in pages] == ["00_index.html", "01_alpha.html", "02_beta.html"]
    index = (out / "index.html").read_text()
    # the chapters in order, with their titles
    assert re.findall(r'<a href="notebooks/([^"]+)">([^<]+)</a>', index) == [
        ("00_index.html", "00 目录"), ("01_alpha.html", "01 甲"), ("02_beta.html", "02 乙")]
    beta = (out / "notebooks" / "02_beta.html").read_text()
    assert 'href="01_alpha.html"' in beta and "ipynb" not in re.sub(r"<(script|style)\b.*?</\1>", "", beta, flags=re.S)
    alpha = (out / "notebooks" / "01_alpha.html").read_text()
    assert 'src="../pics/01.png"' in alpha and (out / "pics" / "01.png").exists()
    assert 'src="data:image/png;base64,' in alpha, "figures drawn by the notebook are embedded"
    # the reference solution starts collapsed, as in JupyterLab
    assert re.search(r'<details class="course-solution"><summary>参考答案.*?class="nf">f</span>.*?</details>', alpha, re.S)
    assert alpha.count("<details") == 1, "only the solution is collapsed"
    assert 'alt="上面的代码单元格画出的图' in alpha
    assert site.broken_links(out) == []


def test_broken_links_finds_missing_pages_images_and_anchors(sample_course, tmp_path):
    path = sample_course / "notebooks" / "01_alpha.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        "![丢了](../pics/99.png) [没有这节](00_index.ipynb#nope) [没有这章](03_gone.ipynb) "
        "[术语表](00_index.ipynb#术语表-glossary) <img src=\"../pics/01.png\"> [说明](../README.md) [源码](../src/) "
        "[外面](../../secret.txt)"))
    (sample_course / "README.md").write_text("# readme")
    (sample_course / "src").mkdir()
    (sample_course / "src" / "a.py").write_text("x = 1")
    (sample_course.parent / "secret.txt").write_text("not part of the course")
    nbformat.write(nb, path)
    out = tmp_path / "html"
    build("html", sample_course, out)
    broken = site.broken_links(out)
    assert broken == ["notebooks/01_alpha.html: ../pics/99.png",
                      "notebooks/01_alpha.html: 00_index.html#nope (no such anchor)",
                      "notebooks/01_alpha.html: 03_gone.html",
                      "notebooks/01_alpha.html: ../../secret.txt"]
    assert (out / "README.md").read_text() == "# readme" and (out / "src" / "a.py").exists()
    assert not list(out.rglob("secret.txt")), "nothing outside the repository is copied"
    assert site.main(["html", str(out), "--notebooks", str(sample_course / "notebooks"),
                      "--pics", str(sample_course / "pics")]) == 1


def _top_level_sections(page: str) -> int:
    depth = count = 0
    for tag in re.findall(r"<(/?)section\b", page):
        if tag:
            depth -= 1
        else:
            count += depth == 0
            depth += 1
    return count


def test_slides_follow_the_metadata(sample_course, tmp_path):
    slides.update(sample_course / "notebooks")
    out = tmp_path / "slides"
    pages = build("slides", sample_course, out)
    assert [p.name for p in pages] == ["00_index.slides.html", "01_alpha.slides.html", "02_beta.slides.html"]
    alpha = pages[1].read_text()
    nb = nbformat.read(sample_course / "notebooks" / "01_alpha.ipynb", as_version=4)
    assert _top_level_sections(alpha) == [slides.slide_type(nb.cells, i) for i in range(len(nb.cells))].count("slide") == 3
    assert alpha.count('<aside class="notes">') == 1, "the solution goes to the speaker notes"
    assert 'href="02_beta.slides.html"' in alpha and "unpkg.com/reveal.js" in alpha
    assert site.broken_links(out) == []


def test_offline_slides_use_local_copies(sample_course, tmp_path):
    modules = tmp_path / "node_modules"
    with pytest.raises(FileNotFoundError, match="reveal.js"):
        build("slides", sample_course, tmp_path / "s", offline=modules)
    (modules / "reveal.js" / "dist" / "theme").mkdir(parents=True)
    (modules / "reveal.js" / "dist" / "reveal.css").write_text("")
    (modules / "reveal.js" / "node_modules").mkdir()
    (modules / "reveal.js" / "plugin" / "notes").mkdir(parents=True)
    (modules / "jquery" / "dist").mkdir(parents=True)
    (modules / "jquery" / "dist" / "jquery.min.js").write_text("")
    (modules / "requirejs").mkdir()
    (modules / "requirejs" / "require.js").write_text("")
    out = tmp_path / "s"
    build("slides", sample_course, out, offline=modules)
    assert site.broken_links(out) == [f"notebooks/{n}.slides.html: ../js/reveal.js/dist/theme/simple.css"
                                      for n in ("00_index", "01_alpha", "02_beta")]  # the checker sees <link href>
    (modules / "reveal.js" / "dist" / "theme" / "simple.css").write_text("")
    build("slides", sample_course, out, offline=modules)
    page = (out / "notebooks" / "01_alpha.slides.html").read_text()
    assert "unpkg.com" not in page and '"../js/reveal.js/dist/reveal.js"' in page
    assert (out / "js" / "reveal.js" / "plugin" / "notes").is_dir() and not (out / "js" / "reveal.js" / "node_modules").exists()
    assert site.broken_links(out) == []  # the <script src> of jquery and require.js resolve


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")
def test_the_course_builds_as_a_static_site_with_no_broken_link(tmp_path):
    start = time.perf_counter()
    out = tmp_path / "html"
    site.build("html", out, REPO / "notebooks", REPO / "pics")
    elapsed = time.perf_counter() - start
    for path in NOTEBOOKS:
        page = out / "notebooks" / f"{path.stem}.html"
        assert page.exists(), f"no page for {path.name}"
        assert f'href="notebooks/{page.name}"' in (out / "index.html").read_text()
    broken = site.broken_links(out)
    assert not broken, "broken links in the static site (make html):\n" + "\n".join(broken)
    assert elapsed < 30, f"make html took {elapsed:.1f} s; keep it fast"


def test_cli_says_why_it_cannot_build(tmp_path, capsys):
    (tmp_path / "notebooks").mkdir()
    assert site.main(["html", str(tmp_path / "out"), "--notebooks", str(tmp_path / "notebooks")]) == 1
    assert "no NN_slug.ipynb notebooks" in capsys.readouterr().err
