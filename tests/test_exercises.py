"""Every exercise of every chapter, from its own cells: the reference solution passes its checker and
says what it measured; the stub shows ⏳; under nbgrader a pass stays a pass and the stub raises (0 points).
Each chapter's wrong answers are in ``tests/test_checkers_NN.py``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.testing.exercises import ChapterExercises

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("0[1-9]_*.ipynb"))
CHAPTERS = {p.name[:2]: ChapterExercises(p) for p in NOTEBOOKS}
CASES = [(ch, n) for ch, ex in CHAPTERS.items() for n in range(1, len(ex) + 1)]


def test_every_chapter_has_two_to_four_exercises():
    assert sorted(CHAPTERS) == [f"{n:02d}" for n in range(1, 10)]
    assert all(2 <= len(ex) <= 4 for ex in CHAPTERS.values())


@pytest.mark.parametrize("chapter, n", CASES, ids=[f"{c}-ex{n}" for c, n in CASES])
def test_reference_solution_passes_and_says_what_it_measured(chapter, n, monkeypatch):
    ex = CHAPTERS[chapter]
    out = ex.run_check(n, ex.solution(n))
    assert out.startswith(f"✅ 练习 {n}：通过！") and len(out) > len(f"✅ 练习 {n}：通过！"), out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # as nbgrader runs it: a failure would raise here
    ex.run_check(n, ex.solution(n))


@pytest.mark.parametrize("chapter, n", CASES, ids=[f"{c}-ex{n}" for c, n in CASES])
def test_stub_is_not_done_yet_and_fails_under_nbgrader(chapter, n, monkeypatch):
    ex = CHAPTERS[chapter]
    assert ex.run_check(n, ex.stub(n)) == f"⏳ 练习 {n}：还没有作答 —— 完成上面的函数后再运行这个单元格。"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(NotImplementedError):
        ex.run_check(n, ex.stub(n))
