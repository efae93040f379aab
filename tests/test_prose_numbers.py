"""No author-machine numbers in what the learner reads.

A number a measurement produces belongs in an output, printed from the learner's own run;
the prose says what to look for.  This test scans every markdown cell for a measured-looking
number — a number (or a range) with a unit of time, size, ratio, share or rate — and fails
unless it is

- a parameter the learner can see in a code cell of the same chapter (``latency=0.1`` makes
  "0.1 秒" in the prose a setting, not a measurement; ranges never count as parameters), or
- a cited constant listed in ``tests/cited_numbers.txt`` with its source (Kerrisk's table,
  an 8 MiB stack, …).

Code spans and link targets are not prose and are skipped.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((REPO / "notebooks").glob("*.ipynb"))
UNIT = r"(?:s|ms|µs|us|ns|秒|毫秒|微秒|纳秒|B|KiB|MiB|GiB|KB|MB|GB|kB|×|倍|%|[kK]? ?rt/s|req/s)"
NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?(?:\s?[–~-]\s?\d[\d,]*(?:\.\d+)?)?)\s?(" + UNIT + r")(?![A-Za-z])")


def cited() -> dict[str, set[str]]:
    """``tests/cited_numbers.txt``: chapter file stem (or ``*``) → cited literals."""
    allowed: dict[str, set[str]] = {}
    for line in (REPO / "tests" / "cited_numbers.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        chapter, literal, source = (part.strip() for part in line.split("|", 2))
        assert source, f"cited_numbers.txt: {literal!r} needs its source"
        allowed.setdefault(chapter, set()).add(literal)
    return allowed


def measured_looking(markdown: str, code: str, allowed: set[str]) -> list[str]:
    """The measured-looking numbers in *markdown* that are neither parameters in *code* nor *allowed*."""
    prose = re.sub(r"`[^`\n]*`", "", markdown)
    prose = re.sub(r"\]\([^)]*\)", "]", prose)
    found = []
    for m in NUMBER.finditer(prose):
        literal = m.group(0)
        number = m.group(1)
        is_range = bool(re.search(r"\d\s?[–~-]\s?\d", number))
        if not is_range and re.search(rf"(?<![\w.]){re.escape(number.replace(',', ''))}(?![\w.])", code):
            continue
        if literal in allowed or literal.replace(" ", "") in allowed:
            continue
        found.append(literal)
    return found


def test_the_scanner_tells_parameters_and_cited_constants_from_measurements():
    code = "srv = slow_site_server(latency=0.1)\n"
    assert measured_looking("每个站点延迟 0.1 秒，本机测得 0.52 秒，约 1.9×", code, set()) == ["0.52 秒", "1.9×"]
    assert measured_looking("范围 0.1–0.2 秒", code, set()) == ["0.1–0.2 秒"], "a range is a measurement"
    assert measured_looking("TLPI 表 63-9：0.66 s", "", {"0.66 s"}) == []
    assert measured_looking("`time.sleep(0.5 s)` 和 [链接](x_0.3s.png)", "", set()) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_measured_number_in_the_prose(chapter):
    nb = nbformat.read(chapter, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    allow = cited()
    allowed = allow.get(chapter.stem, set()) | allow.get("*", set())
    bad = [(i, lit) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
           for lit in measured_looking(c.source, code, allowed)]
    assert not bad, (f"{chapter.name}: measured-looking numbers in markdown cells (cell index, text): {bad}. "
                     "Print the learner's own number from the measurement and say in prose what to look for; "
                     "a cited constant goes into tests/cited_numbers.txt with its source.")
