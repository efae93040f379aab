"""The repository's own rules: dependencies in one place, notebooks named, fresh, linked, complete."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from helpers.authoring import assignments, nav

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = nav.chapters(REPO / "notebooks")
SKELETON = ["学习目标", "小结", "练习"]


def requirement_names(text: str) -> list[str]:
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower())
    return names


def test_requirements_have_lower_bounds_and_chapter_comments():
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert ">=" in line, f"no lower bound: {line}"
            assert "#" in line, f"no comment naming the chapters that use it: {line}"


def test_environment_yml_delegates_to_requirements():
    text = (REPO / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*-r requirements\.txt\s*$", text, re.M), "environment.yml must pip-install -r requirements.txt"
    assert re.search(r"^\s*-\s*-e \.\s*$", text, re.M), "environment.yml must install helpers editable"
    listed = [m.group(1).lower() for m in re.finditer(r"^\s*-\s*([A-Za-z][\w.-]*)", text, re.M)]
    conda_only = {"python", "pip"}
    doubled = set(listed) - conda_only
    assert not doubled & set(requirement_names((REPO / "requirements.txt").read_text())), \
        f"dependencies listed in both files can disagree: {doubled}"
    assert "pip" in listed and "python" in [n.split(">")[0] for n in listed]


def test_ci_runs_make_test():
    run = (REPO / ".ci/run").read_text()
    assert "make test" in run
    assert "make test" in (REPO / "README.md").read_text()


def test_there_are_notebooks_and_they_are_named_NN_slug():
    names = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    assert names, "no notebooks"
    assert [p.name for p in NOTEBOOKS] == names, "every notebook must be named NN_slug.ipynb"
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert len(set(numbers)) == len(numbers), "chapter numbers must be unique"
    assert NOTEBOOKS[0].name == "00_index.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_top_to_bottom_without_stray_errors(path):
    nb = nbformat.read(path, as_version=4)
    counts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        if "nbval-skip" in tags or not cell.source.strip():
            continue
        assert cell.execution_count is not None, f"a code cell was never executed: {cell.source[:60]!r}"
        counts.append(cell.execution_count)
        for out in cell.outputs:
            if out.output_type == "error":
                assert tags & {"raises-exception", "nbval-raises-exception"}, f"unexpected error output: {out.ename}"
            assert not re.search(r"/(root|work|home/[a-z]+)/", json.dumps(out)), "output shows a machine path"
    assert counts == list(range(1, len(counts) + 1)), "re-execute top to bottom: make execute"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.name)
def test_chapter_follows_the_skeleton(path):
    nb = nbformat.read(path, as_version=4)
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("#")]
    text = "\n".join(headings)
    positions = []
    for section in SKELETON:
        assert section in text, f"{path.name} has no section '{section}' (see CONTRIBUTING.md)"
        positions.append(text.index(section))
    assert positions == sorted(positions), f"{path.name}: sections must come in the order {SKELETON}"
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "solution=True" not in sources, f"{path.name}: a reference solution that runs on Run All (CONTRIBUTING.md, item 6)"
    assert not any(c.metadata.get("jupyter", {}).get("source_hidden") for c in nb.cells if c.cell_type == "code"), \
        f"{path.name}: hidden executable solution cells are the old form of the exercises"
    exercises = assignments.exercise_cells(nb)
    assert 2 <= len(exercises) <= 4, f"{path.name}: 2–4 exercises, tagged {assignments.TAGS}"
    for n, ex in enumerate(exercises, 1):
        task, stub, test, solution = (ex[t] for t in assignments.TAGS)
        assert task.cell_type == "markdown" and task.source.startswith(f"### 练习 {n}："), task.source[:40]
        assert stub.cell_type == "code" and stub.source.rstrip().endswith("raise NotImplementedError()"), stub.source[-60:]
        assert stub.metadata["nbgrader"] == {"grade": False, "solution": True, "locked": False,
                                             "grade_id": f"{path.name[:2]}-ex{n}-code", "schema_version": 3}
        grader = test.metadata["nbgrader"]
        assert grader["grade"] and grader["locked"] and not grader["solution"] and grader["points"] > 0
        assert grader["grade_id"] == f"{path.name[:2]}-ex{n}-check"
        assert test.cell_type == "code" and test.source.startswith(f'check("练习 {n}", lambda: ')
        assert [o.text for o in test.outputs] == [f"⏳ 练习 {n}：还没有作答 —— 完成上面的函数后再运行这个单元格。\n"], \
            f"{path.name}: Run All must leave 练习 {n} at ⏳ (a solution executed?)"
        assert solution.cell_type == "markdown" and solution.source.startswith("<details><summary>参考答案")
        assignments.solution_code(solution)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_navigation_links_are_up_to_date(path):
    nb = nbformat.read(path, as_version=4)
    i = nav.find_nav_cell(nb)
    assert i == 0, f"{path.name}: the first cell must be the navigation cell (run `make nav`)"
    assert nb.cells[i].source == nav.nav_line(path, NOTEBOOKS), f"{path.name}: stale navigation (run `make nav`)"
    for target in re.findall(r"\]\(([^)]+\.ipynb)\)", nb.cells[i].source):
        assert (path.parent / target).exists()


def test_every_pics_reference_exists_and_every_figure_is_used():
    referenced = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                referenced |= set(re.findall(r"\.\./pics/([\w.-]+\.(?:png|svg))", cell.source))
    for name in referenced:
        assert (REPO / "pics" / name).exists(), f"missing figure pics/{name}"
    for png in (REPO / "pics").glob("*.png"):
        assert png.name in referenced, f"pics/{png.name} is not used by any notebook"


def test_no_notebook_monkey_patches_inside_the_kernel():
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "patch_all" in cell.source and "monkey" in cell.source:
                assert cell.source.lstrip().startswith("%%subprocess") or "run_code" in cell.source \
                    or "program_server" in cell.source or "'''" in cell.source or '"""' in cell.source, \
                    f"{path.name}: monkey.patch_all() in the kernel hangs ipykernel 7; run it in a subprocess"


def test_index_has_the_glossary_the_navigation_links_to():
    index = nbformat.read(REPO / "notebooks" / "00_index.ipynb", as_version=4)
    headings = [line for c in index.cells if c.cell_type == "markdown" for line in c.source.splitlines()]
    anchor = nav.GLOSSARY_ANCHOR.replace("-", " ")
    assert f"## {anchor}" in headings, "00_index needs the heading the navigation's glossary link points to"


def test_index_links_every_chapter():
    index = nbformat.read(REPO / "notebooks" / "00_index.ipynb", as_version=4)
    text = "\n".join(c.source for c in index.cells[1:] if c.cell_type == "markdown")
    for path in NOTEBOOKS[1:]:
        assert f"]({path.name})" in text, f"00_index does not link {path.name}"


def test_every_helper_module_has_a_docstring_and_is_listed():
    import importlib
    import pkgutil

    import helpers

    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if info.name.startswith(("helpers.authoring.figures.", "helpers.servers.", "helpers.c10k.")) or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        assert (module.__doc__ or "").strip(), f"{info.name} has no docstring"
        assert f":mod:`{info.name}`" in helpers.__doc__, f"{info.name} is not listed in helpers/__init__.py"


def _learner_modules():
    """The learner-facing room: every top-level module and package but testing/ and authoring/."""
    import pkgutil

    import helpers

    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if not info.name.startswith(("helpers.testing", "helpers.authoring")):
            yield info.name


def test_learner_facing_modules_declare_all_and_their_chapters():
    import importlib

    for name in _learner_modules():
        module = importlib.import_module(name)
        assert isinstance(getattr(module, "__all__", None), list) and module.__all__, f"{name} has no __all__"
        missing = [n for n in module.__all__ if not hasattr(module, n)]
        assert not missing, f"{name}.__all__ names what it does not define: {missing}"
        assert re.search(r"^Used in: .+\.$", module.__doc__, re.M), f"{name}: no 'Used in: NN, …' line in its docstring"


def test_notebooks_import_only_the_learner_facing_room():
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                found = re.findall(r"\bhelpers\.(testing|authoring)\b", cell.source)
                assert not found, f"{path.name}: a notebook imports helpers.{found[0]} (test or build code)"


def test_learner_facing_modules_do_not_import_test_or_build_code():
    for path in sorted((REPO / "helpers").rglob("*.py")):
        rel = path.relative_to(REPO / "helpers").parts
        if rel[0] in ("testing", "authoring"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) helpers\.(testing|authoring)\b", text, re.M), \
            f"helpers/{'/'.join(rel)} imports test or build code"


def test_helpers_docstring_lists_three_rooms_alphabetically():
    import helpers

    sections = re.split(r"^\*\*(?:Learner-facing|Testing|Authoring)\*\*", helpers.__doc__, flags=re.M)
    assert len(sections) == 4, "helpers/__init__.py: three sections (learner-facing, testing, authoring)"
    for section in sections[1:]:
        names = re.findall(r"^- :mod:`([\w.]+)`", section, re.M)
        assert names and names == sorted(names), f"helpers/__init__.py: not alphabetical: {names}"
