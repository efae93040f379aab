"""Headless Chromium driven by Playwright: open a page, wait for what it must show, take its picture.

Playwright (PyPI, in ``requirements-teacher.txt``) drives the Chromium the system already has
(Debian's ``chromium``, found by :func:`helpers.testing.browser.find_chromium`); it downloads no browser
of its own.  Unlike ``chromium --dump-dom`` it can wait for an element, type into a search box
and read what the page's scripts computed.  Used by the tests of the live slides (RISE) and of
the course site.
"""
from __future__ import annotations

import contextlib

from helpers.testing.browser import find_chromium

# As root Chromium needs --no-sandbox; the others keep it from calling home (the network is closed).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps"]


@contextlib.contextmanager
def page(size: tuple[int, int] = (1280, 800), timeout_ms: float = 60_000):
    """A Playwright ``Page`` in a fresh headless Chromium; the browser is closed on exit."""
    from playwright.sync_api import sync_playwright

    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("Chromium not found: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS, headless=True)
        try:
            tab = browser.new_page(viewport={"width": size[0], "height": size[1]})
            tab.set_default_timeout(timeout_ms)
            yield tab
        finally:
            browser.close()
