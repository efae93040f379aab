"""pytest plugin: the test run judges every measured claim strictly and reports them per chapter.

Loaded with ``-p helpers.testing.claimreport`` (pyproject.toml).  At start it sets, for every
kernel and child the run starts (they inherit the environment):

- ``COURSE_CLAIMS=strict`` — a claim (:func:`helpers.claims.claim`) that does not hold on a
  machine quiet enough to show it raises, so the notebook cell fails;
- ``COURSE_CLAIMS_LOG`` — a temporary file where every verdict is appended as a JSON line.

After each notebook cell the new verdicts are attributed to that notebook; the terminal
summary lists, per notebook, how many claims held and how many were inconclusive (each
inconclusive one with the load that justified it).
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path

__all__ = ["ClaimLog", "pytest_configure", "pytest_runtest_logreport", "pytest_terminal_summary",
           "pytest_unconfigure"]


class ClaimLog:
    """Reads the verdicts appended to a JSON-lines file since the last read."""

    def __init__(self, path: Path):
        self.path, self._offset = path, 0
        self.by_notebook: dict[str, list[dict]] = defaultdict(list)

    def collect(self, notebook: str) -> None:
        """Attribute the verdicts written since the last call to *notebook*."""
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as f:
            f.seek(self._offset)
            text = f.read()
            self._offset = f.tell()
        for line in text.splitlines():
            if line.strip():
                self.by_notebook[notebook].append(json.loads(line))

    def summary(self) -> list[str]:
        """Lines for the terminal: claims per notebook, then every inconclusive one."""
        if not self.by_notebook:
            return []
        lines, inconclusive = [], []
        for nb in sorted(self.by_notebook):
            rows = self.by_notebook[nb]
            count = defaultdict(int)
            for r in rows:
                count[r["status"]] += 1
                if r["status"] == "inconclusive":
                    inconclusive.append(f"  {nb}: {r['text']} (others used {r['others_cpu']:.2f} CPUs, "
                                        f"throttled {r['throttled']:.0%})")
            lines.append(f"{nb}: {len(rows)} claims, {count['holds']} held, {count['inconclusive']} inconclusive, "
                         f"{count['fails']} failed")
        lines.append(f"inconclusive claims: {len(inconclusive)}")
        return lines + inconclusive


_log: ClaimLog | None = None
_tmp: tempfile.TemporaryDirectory | None = None


def pytest_configure(config):
    global _log, _tmp
    if os.environ.get("COURSE_CLAIMS_LOG") and os.environ.get("PYTEST_XDIST_WORKER"):
        return  # an xdist worker: the controller's variables are inherited
    _tmp = tempfile.TemporaryDirectory(prefix="course-claims-")
    path = Path(_tmp.name) / "claims.jsonl"
    os.environ["COURSE_CLAIMS"] = "strict"
    os.environ["COURSE_CLAIMS_LOG"] = str(path)
    _log = ClaimLog(path)


def pytest_runtest_logreport(report):
    if _log is not None and report.when == "teardown" and ".ipynb" in report.nodeid:
        _log.collect(Path(report.nodeid.split("::")[0]).name)


def pytest_terminal_summary(terminalreporter):
    if _log is None:
        return
    lines = _log.summary()
    if lines:
        terminalreporter.write_sep("-", "measured claims, judged on this machine")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_unconfigure(config):
    global _tmp
    if _tmp is not None:
        _tmp.cleanup()
        _tmp = None
