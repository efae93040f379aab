"""helpers.testing.claimreport: verdicts attributed per notebook and summed up for the terminal."""
from __future__ import annotations

import json

from helpers.testing.claimreport import ClaimLog


def _append(path, *rows):
    with open(path, "a", encoding="utf-8") as f:
        for status, text in rows:
            f.write(json.dumps({"text": text, "status": status, "others_cpu": 0.8, "throttled": 0.0},
                               ensure_ascii=False) + "\n")


def test_verdicts_are_attributed_to_the_notebook_that_wrote_them(tmp_path):
    path = tmp_path / "claims.jsonl"
    log = ClaimLog(path)
    log.collect("00.ipynb")  # no file yet: nothing
    _append(path, ("holds", "甲"), ("inconclusive", "乙"))
    log.collect("01.ipynb")
    _append(path, ("holds", "丙"))
    log.collect("02.ipynb")
    log.collect("02.ipynb")  # nothing new: counted once
    assert {nb: [r["text"] for r in rows] for nb, rows in log.by_notebook.items()} == {
        "01.ipynb": ["甲", "乙"], "02.ipynb": ["丙"]}
    assert log.summary() == [
        "01.ipynb: 2 claims, 1 held, 1 inconclusive, 0 failed",
        "02.ipynb: 1 claims, 1 held, 0 inconclusive, 0 failed",
        "inconclusive claims: 1",
        "  01.ipynb: 乙 (others used 0.80 CPUs, throttled 0%)",
    ]
    assert ClaimLog(tmp_path / "none").summary() == []
