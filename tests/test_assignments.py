"""helpers.authoring.assignments (``make assignments``): the nbgrader course built from the chapters, and
``nbgrader autograde`` on it: the student release as handed out scores 0, the source with the reference
solutions scores every point; the release, run as a learner runs it, shows only ⏳.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.authoring import ROOT, assignments

#: every chapter whose exercises are in the four-cell form (CONTRIBUTING.md), as ``make assignments`` finds them
CHAPTERS = [p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
            if assignments.exercise_cells(nbformat.read(p, as_version=4))]
CHAPTER = ROOT / "notebooks" / "07_selectors.ipynb"


def _name(chapter: Path) -> str:
    return f"ch{chapter.name[:2]}"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """`python -m helpers.authoring.assignments --out DIR`, as `make assignments` runs it: every chapter."""
    out = tmp_path_factory.mktemp("assignments")
    subprocess.run([sys.executable, "-m", "helpers.authoring.assignments", "--out", str(out)],
                   cwd=ROOT, check=True, env=assignments.nbgrader_env(), timeout=300)
    return out


def test_every_chapter_with_exercises_is_built(course):
    assert [p.name[:2] for p in CHAPTERS] == [f"{n:02d}" for n in range(1, 10)], "every chapter 01-09 has exercises"
    assert sorted(p.name for p in (course / "release").iterdir()) == [_name(c) for c in CHAPTERS]


def test_source_has_the_setup_and_the_solutions_between_nbgrader_markers(course):
    source = nbformat.read(course / "source" / "ch07" / "ch07.ipynb", as_version=4)
    chapter = nbformat.read(CHAPTER, as_version=4)
    exercises = assignments.exercise_cells(chapter)
    assert source.cells[0].source == next(c.source for c in chapter.cells if c.cell_type == "code")
    codes = [c for c in source.cells if "exercise-code" in c.metadata.get("tags", [])]
    assert len(codes) == len(exercises) >= 2
    for cell, ex in zip(codes, exercises):
        reference = assignments.solution_code(ex["exercise-solution"])
        stub = ex["exercise-code"].source
        assert cell.source.startswith(stub[:stub.index("raise NotImplementedError()")] + "### BEGIN SOLUTION\n")
        assert cell.source.endswith("    ### END SOLUTION")
        body = cell.source.split("### BEGIN SOLUTION\n")[1].split("\n    ### END SOLUTION")[0]
        assert body and body in reference
        assert cell.metadata["nbgrader"] == ex["exercise-code"].metadata["nbgrader"]
    assert not any("exercise-solution" in c.metadata.get("tags", []) for c in source.cells)


def test_release_has_no_solution(course):
    release = nbformat.read(course / "release" / "ch07" / "ch07.ipynb", as_version=4)
    text = "\n".join(c.source for c in release.cells if c.cell_type == "code")
    assert "BEGIN SOLUTION" not in text
    for ex in assignments.exercise_cells(nbformat.read(CHAPTER, as_version=4)):
        code = assignments.solution_code(ex["exercise-solution"])
        stub = ex["exercise-code"].source.splitlines()
        assert not [line for line in code.splitlines() if len(line.strip()) > 25 and line.strip() in text
                    and line not in stub]
    stubs = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert stubs and all("raise NotImplementedError()" in c.source for c in stubs)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=_name)
def test_release_run_as_a_learner_shows_only_not_done_yet(course, chapter):
    release = nbformat.read(course / "release" / _name(chapter) / f"{_name(chapter)}.ipynb", as_version=4)
    NotebookClient(release, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = [o for c in release.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    lines = [line for o in outputs if o.get("name") == "stdout" for line in o.text.splitlines()]
    checks = [line for line in lines if line[:1] in "⏳❌✅"]
    assert checks and all(line.startswith("⏳") for line in checks), checks


def _autograde(course: Path, name: str, student: str, notebook: Path) -> dict[str, float]:
    """Submit *notebook* as *student* for assignment *name*, run `nbgrader autograde`; each test cell's points and the total."""
    from nbgrader.api import Gradebook

    target = course / "submitted" / student / name / f"{name}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, target)
    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", name, "--student", student, "--force",
                    "--CourseDirectory.root=" + str(course), "--log-level=WARN"],
                   cwd=course, check=True, env=assignments.nbgrader_env(), timeout=300)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission(name, student)
        scores = {grade.name: grade.score for nb in submission.notebooks for grade in nb.grades}
        scores["total"], scores["max"] = submission.score, submission.max_score
    return scores


@pytest.mark.parametrize("chapter", CHAPTERS, ids=_name)
def test_autograde_gives_the_release_nothing_and_the_source_every_point(course, chapter):
    name = _name(chapter)
    handed_out = _autograde(course, name, "learner-release", course / "release" / name / f"{name}.ipynb")
    solved = _autograde(course, name, "learner-source", course / "source" / name / f"{name}.ipynb")
    assert handed_out["max"] == solved["max"] > 0
    assert handed_out["total"] == 0, handed_out  # every exercise, the build exercise among them, scores 0
    assert solved["total"] == solved["max"], solved
    print(f"autograde {name}: release {handed_out['total']:g}/{handed_out['max']:g}, "
          f"source {solved['total']:g}/{solved['max']:g}")


def test_solved_stub_keeps_the_stub_around_the_reference_body():
    stub = 'def f(x):\n    """Twice x."""\n    raise NotImplementedError()'
    solution = 'def f(x):\n    """Twice x (reference)."""\n    # double it\n    return 2 * x\n'
    assert assignments.solved_stub(stub, solution) == (
        'def f(x):\n    """Twice x."""\n    ### BEGIN SOLUTION\n    # double it\n    return 2 * x\n    ### END SOLUTION')
    with pytest.raises(ValueError, match="does not define"):
        assignments.solved_stub(stub, "def g(x):\n    return x\n")
    with pytest.raises(ValueError, match="ends with"):
        assignments.solved_stub("def f(x):\n    return 1", solution)


def _cell(kind: str, tag: str, source: str = "x"):
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    return make(source, metadata={"tags": [tag]})


def test_exercise_cells_come_as_four_in_order():
    nb = nbformat.v4.new_notebook()
    four = [_cell("markdown", "exercise"), _cell("code", "exercise-code"), _cell("code", "exercise-check"),
            _cell("markdown", "exercise-solution", "<details>\n\n```python\nx = 1\n```\n\n</details>")]
    nb.cells = four + four
    assert len(assignments.exercise_cells(nb)) == 2
    assert assignments.solution_code(four[3]) == "x = 1"
    nb.cells = four[:1] + four[2:]
    with pytest.raises(ValueError, match="must come as"):
        assignments.exercise_cells(nb)
    nb.cells = four[:3]
    with pytest.raises(ValueError, match="incomplete"):
        assignments.exercise_cells(nb)
    with pytest.raises(ValueError, match="exactly one"):
        assignments.solution_code(_cell("markdown", "exercise-solution", "no code"))


def test_solved_stub_of_an_async_function():
    stub = 'async def f(x):\n    """Twice x, later."""\n    raise NotImplementedError()'
    solution = 'async def f(x):\n    """Twice x, later."""\n    await g()\n    return 2 * x\n'
    assert assignments.solved_stub(stub, solution) == (
        'async def f(x):\n    """Twice x, later."""\n    ### BEGIN SOLUTION\n    await g()\n    return 2 * x\n'
        '    ### END SOLUTION')
