"""Sphinx extension for the course site (``make html``): reference solutions start collapsed, as in JupyterLab.

The chapters mark a solution cell with ``{"jupyter": {"source_hidden": true}}`` (CONTRIBUTING.md),
which JupyterLab honours but MyST-NB does not.  On Sphinx's ``source-read`` event this extension
adds MyST-NB's ``hide-input`` tag to those cells of a notebook being read, so the site shows a
"show code" toggle instead of the answer.  The notebooks on disk are not changed.
``site/_config.yml`` loads it (``sphinx.extra_extensions``).
"""
from __future__ import annotations

import json

TAG = "hide-input"


def hide_solutions(text: str) -> str:
    """The notebook JSON *text* with ``hide-input`` added to every ``source_hidden`` cell (other text unchanged)."""
    if not text.lstrip().startswith("{"):
        return text
    nb = json.loads(text)
    changed = False
    for cell in nb.get("cells", []):
        meta = cell.setdefault("metadata", {})
        if meta.get("jupyter", {}).get("source_hidden") and TAG not in meta.get("tags", []):
            meta["tags"] = [*meta.get("tags", []), TAG]
            changed = True
    return json.dumps(nb, ensure_ascii=False) if changed else text


def _on_source_read(app, docname: str, source: list[str]) -> None:
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = hide_solutions(source[0])


def setup(app):
    """Sphinx entry point."""
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
