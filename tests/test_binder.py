"""Binder and the class hub's image: repo2docker's build plan for this repository.

``jupyter-repo2docker --no-build`` prints the Dockerfile it would build (no Docker daemon
needed).  mybinder.org and the Kubernetes hub's image (deploy/) use exactly this plan: the conda
build pack, fed by ``environment.yml``, which pip-installs ``requirements.txt`` and the
``helpers`` package (``-e .``) from the copied repository.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
R2D = Path(sys.executable).with_name("jupyter-repo2docker")
pytestmark = pytest.mark.skipif(not R2D.exists(),
                                reason="jupyter-repo2docker comes with requirements-teacher.txt (make test installs it)")


def plan(repo: Path) -> tuple[str, str]:
    done = subprocess.run([str(R2D), "--no-build", str(repo)], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, cwd=repo.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, done.stderr


def run_steps(dockerfile: str) -> list[str]:
    """The Dockerfile's instructions, one string each (continuation lines joined)."""
    steps, current = [], ""
    for line in dockerfile.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip("\\") + " "
        if not line.endswith("\\") and not (current.count("'") % 2):
            steps.append(current.strip())
            current = ""
    return steps


def test_repo2docker_builds_the_course_from_environment_yml():
    dockerfile, log = plan(REPO)
    steps = run_steps(dockerfile)
    assert steps[0].startswith("FROM "), steps[0]
    copy = next(i for i, s in enumerate(steps) if re.match(r"COPY .*src/ \$\{REPO_DIR\}/", s))
    workdir = [s for s in steps[:copy] if s.startswith("WORKDIR ")][-1]
    assert workdir == "WORKDIR ${REPO_DIR}", "environment.yml's relative paths resolve in the copied repository"
    env_update = [i for i, s in enumerate(steps) if re.search(r'env update .*--file "environment\.yml"', s)]
    assert env_update and env_update[0] > copy, "the conda step must run on the copied repository"
    # the Python the plan picks satisfies pyproject's requires-python
    python = re.search(r"Building conda environment for python=(3\.\d+)", log).group(1)
    wanted = re.search(r'requires-python = ">=(3\.\d+)"', (REPO / "pyproject.toml").read_text()).group(1)
    assert tuple(map(int, python.split("."))) >= tuple(map(int, wanted.split("."))), (python, wanted)
    # what that step installs: requirements.txt and the helpers package
    pip = next(d["pip"] for d in yaml.safe_load((REPO / "environment.yml").read_text())["dependencies"] if isinstance(d, dict))
    assert "-r requirements.txt" in pip and "-e ." in pip
    assert (REPO / "requirements.txt").is_file() and (REPO / "pyproject.toml").is_file()
    # the base environment brings jupyterhub-singleuser, so the image also serves a JupyterHub (deploy/)
    assert any("/tmp/env/environment.lock" in s for s in steps), "no base environment in the plan"
    package = Path(importlib.util.find_spec("repo2docker").submodule_search_locations[0])  # not imported: it warns
    lock = package / "buildpacks" / "conda" / f"environment.py-{python}-linux-64.lock"
    assert "jupyterhub-singleuser" in lock.read_text()


def test_a_repository_without_environment_yml_gets_another_plan(tmp_path):
    """Without environment.yml the plan falls back to another build pack: the test above is not vacuous."""
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "requirements.txt").write_text("requests>=2\n")
    dockerfile, _ = plan(tmp_path / "bare")
    assert 'environment.yml' not in dockerfile and "requirements.txt" in dockerfile
