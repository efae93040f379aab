"""deploy/: the class hub's configurations load, name real options, and set the limits a class needs.

The one-host configuration is loaded as JupyterHub loads it (traitlets), and every option it sets
must exist in the class it configures (a typo would be ignored silently by JupyterHub); the
SystemdSpawner built from it has the memory, CPU and descriptor limits.  The zero-to-jupyterhub
values file has the keys the Helm chart reads.  The hub itself runs in tests/test_hub.py.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ONE_HOST = REPO / "deploy" / "one-host" / "jupyterhub_config.py"
VALUES = REPO / "deploy" / "kubernetes" / "config.yaml"
NOFILE_FOR_C10K = 20_000  # chapter 09: 10,000 connections, a socket at each end


def load(path: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(path.name, str(path.parent)).load_config()


def check_nbgitpuller_link(url: str) -> None:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path == "/git-pull", url
    assert query["repo"][0].startswith("https://") and query["branch"] == ["main"], query
    folder = query["repo"][0].rstrip("/").rsplit("/", 1)[-1]
    assert query["urlpath"] == [f"lab/tree/{folder}/notebooks/00_index.ipynb"], query


def test_one_host_config_names_only_real_options():
    pytest.importorskip("systemdspawner", reason="jupyterhub-systemdspawner comes with requirements-teacher.txt")
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import LocalAuthenticator
    from jupyterhub.spawner import Spawner
    from systemdspawner import SystemdSpawner

    config = load(ONE_HOST)
    for section, cls in {"JupyterHub": JupyterHub, "SystemdSpawner": SystemdSpawner, "Spawner": Spawner,
                         "LocalAuthenticator": LocalAuthenticator, "Authenticator": LocalAuthenticator}.items():
        unknown = set(config[section]) - set(cls.class_trait_names())
        assert not unknown, f"{section} has no option {unknown}"
    student = SimpleNamespace(name="alice", id=7, url="/user/alice/", escaped_name="alice")
    spawner = SystemdSpawner(config=config, user=student)
    assert spawner.unit_name == "jupyter-alice-singleuser" and spawner.user_workingdir == "/home/{USERNAME}"
    assert spawner.mem_limit == 2 * 1024**3 and spawner.cpu_limit == 1.0
    assert int(spawner.unit_extra_properties["LimitNOFILE"]) >= NOFILE_FOR_C10K
    assert spawner.isolate_tmp and spawner.disable_user_sudo
    assert spawner.cmd[0].endswith("/.venv/bin/jupyterhub-singleuser")
    check_nbgitpuller_link(spawner.default_url)


def test_one_host_hub_listens_on_loopback_and_culls_idle_servers():
    config = load(ONE_HOST)
    assert urlsplit(config.JupyterHub.bind_url).hostname == "127.0.0.1", "a TLS reverse proxy faces the network"
    (culler,) = [s for s in config.JupyterHub.services if s["name"] == "idle-culler"]
    assert culler["command"][1:3] == ["-m", "jupyterhub_idle_culler"]
    options = {a.split("=")[0] for a in culler["command"][3:]}
    help_text = subprocess.run([sys.executable, "-m", "jupyterhub_idle_culler", "--help"], capture_output=True,
                               text=True, timeout=60, stdin=subprocess.DEVNULL).stdout
    assert options and all(re.search(rf"^{o}=", help_text, re.M) for o in options), options
    timeout = int(next(a for a in culler["command"] if a.startswith("--timeout=")).split("=")[1])
    assert 600 <= timeout <= 4 * 3600
    (role,) = [r for r in config.JupyterHub.load_roles if "idle-culler" in r.get("services", [])]
    assert {"list:users", "read:users:activity", "read:servers", "delete:servers"} <= set(role["scopes"])


def test_kubernetes_values_have_image_resources_culler_and_nbgitpuller():
    values = yaml.safe_load(VALUES.read_text())
    single = values["singleuser"]
    assert single["image"]["name"] and single["image"]["tag"]
    assert "jupyter-repo2docker" in VALUES.read_text(), "say how the image is built"
    for kind in ("memory", "cpu"):
        assert {"guarantee", "limit"} <= set(single[kind]), kind
    assert float(single["cpu"]["guarantee"]) <= float(single["cpu"]["limit"])
    assert single["memory"]["guarantee"] == "1G" and single["memory"]["limit"] == "2G"
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    check_nbgitpuller_link(single["defaultUrl"])


def test_nbgitpuller_is_in_the_image():
    """The student image is built from requirements.txt, so the git-pull link needs nbgitpuller there."""
    assert re.search(r"^nbgitpuller>=", (REPO / "requirements.txt").read_text(), re.M)
