"""Static builds of the course for reading without Jupyter: an HTML site and reveal.js slides.

``python -m helpers.authoring.site html [OUT]`` (``make html``, default ``_build/html``) and
``python -m helpers.authoring.site slides [OUT]`` (``make slides``, default ``_build/slides``) convert
every ``notebooks/NN_slug.ipynb`` with nbconvert, *without executing it* (the notebooks are
committed executed), into a folder laid out like the repository::

    OUT/index.html                     the chapters in order, with their titles
    OUT/notebooks/NN_slug.html         (or NN_slug.slides.html)
    OUT/pics/…                         copied, so markdown's ../pics/NN.png resolves

Links between chapters (``NN_slug.ipynb``, ``00_index.ipynb#术语表``) are rewritten to the
built pages; other files of the repository that a chapter links to (``../README.md``,
``../helpers/servers/slowsite.py``) are copied into the site.  In the HTML site the reference solutions (``jupyter.source_hidden``) start
collapsed in a ``<details>`` element, as they do in JupyterLab.  :func:`broken_links` lists
every relative ``href``/``src`` (and ``#anchor``) that does not resolve; the build fails on any.

The slides use the metadata set by :mod:`helpers.authoring.slides`.  reveal.js, jQuery and require.js
are loaded from a CDN by default.  For a classroom without internet, fetch them once with npm
and pass their ``node_modules`` folder (``make slides OFFLINE=…``); they are copied next to
the slides::

    npm install --prefix ~/course-js reveal.js@4.0.2 jquery@3 requirejs@2
    python -m helpers.authoring.site slides --offline ~/course-js/node_modules
"""
from __future__ import annotations

import argparse
import html
import logging
import re
import shutil
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter, SlidesExporter

from helpers.authoring import ROOT, nav

# The lab template, with reference solutions collapsed as in JupyterLab.
_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{% block codecell %}
{%- if cell.metadata.get('jupyter', {}).get('source_hidden') -%}
<details class="course-solution"><summary>参考答案 reference solution（点击展开 click to show）</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock codecell %}
{% block extra_css %}
{{ super() }}
<style>
details.course-solution { margin: 0.5em 0; }
details.course-solution > summary { cursor: pointer; color: var(--jp-ui-font-color2, #555);
  font-family: var(--jp-ui-font-family, sans-serif); font-size: var(--jp-content-font-size1, 14px);
  padding: 0.3em 0 0.3em calc(var(--jp-cell-prompt-width, 64px) + 2 * var(--jp-cell-padding, 5px)); }
</style>
{% endblock extra_css %}
"""

# nbconvert gives every image output this alt text (and logs a warning for each page).
_NBCONVERT_ALT = "No description has been provided for this image"
_ALT = "上面的代码单元格画出的图 (figure drawn by the code cell above)"

# --offline: what the slides load, and where it is in an npm node_modules folder
OFFLINE_FILES = {"reveal.js": "reveal.js", "jquery.min.js": "jquery/dist/jquery.min.js", "require.js": "requirejs/require.js"}

_IPYNB_LINK = re.compile(r'(href=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"#?]+)\.ipynb([#?][^"]*)?"')


def rewrite_links(page: str, suffix: str) -> str:
    """Point relative ``href="X.ipynb[#a]"`` links at ``X{suffix}[#a]`` (absolute URLs are kept)."""
    return _IPYNB_LINK.sub(lambda m: f'{m.group(1)}{m.group(2)}{suffix}{m.group(3) or ""}"', page)


def _exporter(kind: str, offline: Path | None):
    if kind == "html":
        return HTMLExporter(extra_loaders=[DictLoader({"course.html.j2": _TEMPLATE})],
                            template_file="course.html.j2")
    exporter = SlidesExporter(reveal_scroll=True, reveal_number="c/t")
    if offline is not None:
        exporter.reveal_url_prefix = "../js/reveal.js"
        exporter.jquery_url = "../js/jquery.min.js"
        exporter.require_js_url = "../js/require.js"
    return exporter


def _index_page(title: str, entries: list[tuple[str, str]], note: str) -> str:
    items = "\n".join(f'  <li><a href="{html.escape(href)}">{html.escape(text)}</a></li>' for href, text in entries)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 46em; margin: 3em auto; padding: 0 1em; line-height: 1.6; }}
li {{ margin: 0.4em 0; font-size: 1.15em; }}
.note {{ color: #555; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p class="note">{html.escape(note)}</p>
<ol start="0">
{items}
</ol>
</body>
</html>
"""


def build(kind: str, out: Path, folder: Path = ROOT / "notebooks", pics: Path = ROOT / "pics",
          offline: Path | None = None) -> list[Path]:
    """Build the HTML site (``kind="html"``) or the slides (``"slides"``) into *out*.

    Returns the chapter pages written, in chapter order.  *out* is emptied first.
    """
    if kind not in ("html", "slides"):
        raise ValueError(f"kind must be 'html' or 'slides', not {kind!r}")
    order = nav.chapters(folder)
    if not order:
        raise FileNotFoundError(f"no NN_slug.ipynb notebooks in {folder}")
    suffix = ".html" if kind == "html" else ".slides.html"
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    if pics.is_dir():
        shutil.copytree(pics, out / "pics", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    if kind == "slides" and offline is not None:
        (out / "js").mkdir()
        for name, source in OFFLINE_FILES.items():
            source = offline / source
            if not source.exists():
                raise FileNotFoundError(f"--offline {offline}: {source} is missing "
                                        "(npm install reveal.js@4.0.2 jquery@3 requirejs@2)")
            if source.is_dir():  # reveal.js: only what the page loads
                for part in ("dist", "plugin"):
                    if (source / part).is_dir():
                        shutil.copytree(source / part, out / "js" / name / part)
            else:
                shutil.copy2(source, out / "js" / name)
    exporter = _exporter(kind, offline)
    pages, entries = [], []
    for path in order:
        nb = nbformat.read(path, as_version=4)
        title = nav.title_of(path)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        page = out / "notebooks" / (path.stem + suffix)
        body = body.replace(f'alt="{_NBCONVERT_ALT}"', f'alt="{_ALT}"')
        page.write_text(rewrite_links(body, suffix), encoding="utf-8")
        pages.append(page)
        entries.append((f"notebooks/{page.name}", title))
    what = "静态网页版 (static HTML)" if kind == "html" else "幻灯片 (reveal.js slides)"
    note = ("不用 Jupyter 也能读：每一章都带着执行过的输出和图。想自己运行代码，请用 make lab。"
            if kind == "html" else
            "课堂模式：←/→ 换节，↑/↓ 看小节，S 打开讲者视图 (speaker notes 里有参考答案)。")
    (out / "index.html").write_text(_index_page(f"网络编程中的并发 · {what}", entries, note), encoding="utf-8")
    _copy_linked_files(pages, out, folder.parent)
    return pages


def _copy_linked_files(pages: list[Path], out: Path, repo: Path) -> None:
    """Copy what the pages link to in the repository (``../README.md``, ``../helpers/x.py``) into *out*."""
    repo, out = repo.resolve(), out.resolve()
    for page in pages:
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        for ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or ref.startswith("/") or not parts.path:
                continue
            target = (page.parent.resolve() / unquote(parts.path)).resolve()
            if target.exists() or not target.is_relative_to(out):
                continue
            source = repo / target.relative_to(out)
            if source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
            elif source.is_dir() and source.name not in (".git", ".venv"):
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".*"))


class _Refs(HTMLParser):
    """Collects the ids and the href/src references of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if value and ((name == "href" and tag in ("a", "link")) or (name == "src" and tag in ("img", "script", "iframe", "source"))):
                self.refs.append(value)


def _has_anchor(ids: set[str], fragment: str) -> bool:
    """As a browser finds ``#fragment``: the id as written, then percent-decoded (HTML spec)."""
    return fragment in ids or unquote(fragment) in ids


def broken_links(site: Path) -> list[str]:
    """Every relative link or image in the pages of *site* (``index.html``, ``notebooks/*.html``) that does not resolve.

    A link resolves when its file exists in *site*; a ``#anchor`` must also name an ``id``
    in that page.  Absolute URLs (``https:``, ``data:``, ``mailto:``) are not checked.
    """
    parsed: dict[Path, _Refs] = {}

    def refs_of(page: Path) -> _Refs:
        if page not in parsed:
            parser = _Refs()
            parser.feed(page.read_text(encoding="utf-8"))
            parsed[page] = parser
        return parsed[page]

    broken = []
    for page in [site / "index.html", *sorted((site / "notebooks").glob("*.html"))]:
        for ref in refs_of(page).refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or ref.startswith("/"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            where = f"{page.relative_to(site)}: {ref}"
            if not target.is_relative_to(site.resolve()) or not target.exists():
                broken.append(where)
            elif parts.fragment and target.suffix == ".html" and not _has_anchor(refs_of(target).ids, parts.fragment):
                broken.append(where + " (no such anchor)")
    return broken


def main(argv: list[str]) -> int:
    """``python -m helpers.authoring.site {html,slides} [OUT] [--offline DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m helpers.authoring.site", description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=["html", "slides"])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--pics", type=Path, default=ROOT / "pics")
    parser.add_argument("--offline", type=Path, help="an npm node_modules folder with reveal.js@4, jquery, requirejs (no CDN)")
    args = parser.parse_args(argv)
    logging.getLogger("traitlets").setLevel(logging.ERROR)  # "Alternative text is missing" × every page
    out = args.out or ROOT / "_build" / args.kind
    start = time.perf_counter()
    offline = args.offline.expanduser() if args.offline else None
    try:
        pages = build(args.kind, out, args.notebooks, args.pics, offline)
    except FileNotFoundError as exc:
        print(f"cannot build the {args.kind}: {exc}", file=sys.stderr)
        return 1
    broken = broken_links(out)
    for line in broken:
        print(f"broken link: {line}", file=sys.stderr)
    print(f"{len(pages)} pages in {time.perf_counter() - start:.1f} s: open {out / 'index.html'}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
