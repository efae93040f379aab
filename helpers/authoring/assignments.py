"""The nbgrader course of the exercises (``make assignments``): source with solutions, student release.

A chapter's exercise is four tagged cells (CONTRIBUTING.md, item 6): ``exercise`` (the task),
``exercise-code`` (the learner's stub, nbgrader metadata ``solution: true``), ``exercise-check``
(an autograded test cell with points) and ``exercise-solution`` (markdown: the reference code in a
fenced ``python`` block, never executed in the learner's notebook).  For every chapter that has
them, :func:`source_notebook` writes ``source/chNN/chNN.ipynb``: the chapter's first code cell
(imports, ``%load_ext``), any cell tagged ``exercise-setup``, then the exercises, each stub replaced
by the stub's ``def`` and docstring with the reference function's body between
``### BEGIN SOLUTION`` / ``### END SOLUTION`` (:func:`solved_stub`), and the solution markdown dropped.  nbgrader's own ``generate_assignment`` then writes ``release/chNN/`` (solutions
replaced by ``raise NotImplementedError()``).

Run ``python -m helpers.authoring.assignments [--out DIR]`` (default ``_build/assignments``, which
git ignores); the teacher's ``nbgrader_config.py`` written there points nbgrader at that folder.
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat

from helpers.authoring import ROOT, nav

__all__ = ["TAGS", "assignment_name", "build", "exercise_cells", "main", "nbgrader_env", "solved_stub", "setup_cells", "solution_code", "source_notebook"]

TAGS = ("exercise", "exercise-code", "exercise-check", "exercise-solution")
FENCE = re.compile(r"```python\n(.*?)\n```", re.S)


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def solution_code(cell) -> str:
    """The reference code of an ``exercise-solution`` markdown cell (its one fenced python block)."""
    blocks = FENCE.findall(cell.source)
    if len(blocks) != 1:
        raise ValueError(f"a solution cell needs exactly one ```python block, found {len(blocks)}: {cell.source[:60]!r}")
    return blocks[0]


def exercise_cells(nb) -> list[dict[str, object]]:
    """Every exercise of *nb* as ``{"exercise": cell, "exercise-code": cell, ...}``, in order; checks their order."""
    found: list[dict[str, object]] = []
    for cell in nb.cells:
        tags = _tags(cell) & set(TAGS)
        if not tags:
            continue
        (tag,) = tags
        if tag == "exercise":
            found.append({})
        if not found or tag in found[-1] or list(found[-1]) != list(TAGS[:TAGS.index(tag)]):
            raise ValueError(f"exercise cells must come as {TAGS}: {tag} at {cell.source[:60]!r}")
        found[-1][tag] = cell
    if found and len(found[-1]) != len(TAGS):
        raise ValueError(f"the last exercise is incomplete: {list(found[-1])}")
    return found


def solved_stub(stub: str, solution: str) -> str:
    """The stub's ``def`` line and docstring, then the body of the reference function between nbgrader's markers.

    nbgrader's release replaces the region with ``raise NotImplementedError()`` at the same indentation,
    so the learner of the release gets the stub back: a function that is defined but not written.
    """
    lines = stub.rstrip().splitlines()
    if not lines or lines[-1].strip() != "raise NotImplementedError()":
        raise ValueError(f"a stub ends with `raise NotImplementedError()`: {stub[-60:]!r}")
    indent = lines[-1][:len(lines[-1]) - len(lines[-1].lstrip())]
    (node,) = [n for n in ast.parse(solution).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               and stub.lstrip().startswith(("def " + n.name + "(", "async def " + n.name + "(", "class " + n.name))] or [None]
    if node is None:
        raise ValueError(f"the reference solution does not define the stub's function: {stub.splitlines()[0]!r}")
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
        and isinstance(first.value.value, str)
    start = first.end_lineno if has_doc else first.lineno - 1
    body = solution.splitlines()[start:node.end_lineno]
    return "\n".join(lines[:-1] + [f"{indent}### BEGIN SOLUTION", *body, f"{indent}### END SOLUTION"])


def setup_cells(nb) -> list:
    """What an exercise needs from its chapter: the first code cell and every cell tagged ``exercise-setup``."""
    return [c for c in nb.cells if c.cell_type == "code"][:1] + [c for c in nb.cells if "exercise-setup" in _tags(c)]


def source_notebook(nb):
    """nbgrader's source notebook for a chapter: setup cells + exercises with solutions in place of the stubs."""
    out = nbformat.v4.new_notebook(metadata={"kernelspec": nb.metadata.get("kernelspec", {}),
                                             "language_info": nb.metadata.get("language_info", {})})
    setup = setup_cells(nb)
    for cell in setup:
        out.cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"tags": ["exercise-setup"]}))
    for ex in exercise_cells(nb):
        task, stub, test = ex["exercise"], ex["exercise-code"], ex["exercise-check"]
        out.cells.append(nbformat.v4.new_markdown_cell(task.source, metadata={"tags": ["exercise"]}))
        code = solved_stub(stub.source, solution_code(ex["exercise-solution"]))
        out.cells.append(nbformat.v4.new_code_cell(code, metadata={"nbgrader": dict(stub.metadata["nbgrader"]),
                                                                   "tags": ["exercise-code"]}))
        out.cells.append(nbformat.v4.new_code_cell(test.source, metadata={"nbgrader": dict(test.metadata["nbgrader"]),
                                                                          "tags": ["exercise-check"]}))
    return out


def assignment_name(path: Path) -> str:
    """``notebooks/07_selectors.ipynb`` → ``ch07``."""
    return f"ch{path.name[:2]}"


CONFIG = """# nbgrader's configuration for the course's exercises, written by `make assignments`
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
"""


def nbgrader_env() -> dict[str, str]:
    """The environment for nbgrader: it runs ``alembic`` from PATH, so the interpreter's bin/ comes first."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def build(out: Path, notebooks: list[Path] | None = None) -> list[str]:
    """Write ``source/`` and, with nbgrader's ``generate_assignment``, ``release/`` under *out*; the names built."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(CONFIG.format(root=str(out)), encoding="utf-8")
    names = []
    for path in notebooks if notebooks is not None else nav.chapters(ROOT / "notebooks"):
        nb = nbformat.read(path, as_version=4)
        if not exercise_cells(nb):
            continue
        name = assignment_name(path)
        target = out / "source" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(source_notebook(nb), target)
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", name, "--force",
                        "--CourseDirectory.root=" + str(out), "--log-level=WARN"],
                       cwd=out, env=nbgrader_env(), check=True)
        names.append(name)
    return names


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.authoring.assignments [--out DIR] [NOTEBOOK ...]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "assignments")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    names = build(args.out, args.notebooks or None)
    print(f"{len(names)} assignment(s) in {args.out}: source/ (with solutions) and release/ (for students): "
          + ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
