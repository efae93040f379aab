"""A JupyterHub for a class, on 127.0.0.1, for tests: students, their servers, their process trees.

:func:`class_hub` writes a JupyterHub configuration into a work folder and runs JupyterHub with
configurable-http-proxy (npm), the test-only ``DummyAuthenticator`` and
``SimpleLocalProcessSpawner``: every student's server runs ``jupyterhub-singleuser`` from this
environment in a home folder of its own (``WORK/homes/NAME``), on a random port, reached through
the proxy at ``/user/NAME/``.  The hub's REST API is driven with a service token; each student gets
an API token of their own (:meth:`Hub.add_students`).  On exit the servers are stopped and the hub
(with the proxy it started) is terminated; :meth:`Hub.tree` and :meth:`Hub.listening_ports`
let a test watch each student's processes.  ``.ci/run`` installs ``configurable-http-proxy``.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

from helpers.testing.browser import free_port

__all__ = ["Hub", "class_hub", "find_proxy"]

_CONFIG = """\
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{work}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{work}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{work}/jupyterhub.pid"
c.JupyterHub.authenticator_class = "dummy"  # tests only: any password logs in
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"       # tests only: local processes, no system users
c.SimpleLocalProcessSpawner.home_dir_template = "{work}/homes/{{username}}"
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.start_timeout = 120
c.Spawner.environment = {student_env!r}
c.Spawner.http_timeout = 120
c.JupyterHub.services = [{{"name": "classroom", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "classroom", "services": ["classroom"],
    "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"]}}]
"""


def find_proxy() -> str | None:
    """Path of ``configurable-http-proxy`` (``npm install -g configurable-http-proxy``), or None."""
    return shutil.which("configurable-http-proxy")


@dataclass
class Hub:
    """A running hub: :attr:`url` (the proxy), the service's REST session, the students' tokens."""

    url: str
    work: Path
    process: psutil.Process
    api: requests.Session
    tokens: dict[str, str] = field(default_factory=dict)

    def home(self, name: str) -> Path:
        return self.work / "homes" / name

    def server_url(self, name: str) -> str:
        """The student's server through the proxy, ending in ``/``."""
        return f"{self.url}/user/{name}/"

    def add_students(self, names: list[str]) -> None:
        """Create the users through the REST API and give each an API token of their own."""
        r = self.api.post(f"{self.url}/hub/api/users", json={"usernames": names}, timeout=30)
        r.raise_for_status()
        for name in names:
            r = self.api.post(f"{self.url}/hub/api/users/{name}/tokens", json={"note": "classroom test"}, timeout=30)
            r.raise_for_status()
            self.tokens[name] = r.json()["token"]

    def start(self, names: list[str], timeout: float = 120.0) -> None:
        """Ask for every student's server at once, then wait until all are ready."""
        for name in names:
            r = self.api.post(f"{self.url}/hub/api/users/{name}/server", timeout=60)
            if r.status_code not in (201, 202):
                raise RuntimeError(f"starting {name}'s server: {r.status_code} {r.text}")
        self._wait(names, ready=True, timeout=timeout)

    def stop(self, names: list[str], timeout: float = 60.0) -> None:
        """Stop every student's server; wait until the hub reports none running."""
        for name in names:
            r = self.api.delete(f"{self.url}/hub/api/users/{name}/server", timeout=60)
            if r.status_code not in (202, 204):
                raise RuntimeError(f"stopping {name}'s server: {r.status_code} {r.text}")
        self._wait(names, ready=False, timeout=timeout)

    def _wait(self, names: list[str], *, ready: bool, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = set(names)
        while waiting:
            for name in sorted(waiting):
                servers = self.api.get(f"{self.url}/hub/api/users/{name}", timeout=30).json().get("servers", {})
                server = servers.get("")
                if (ready and server and server.get("ready")) or (not ready and not server):
                    waiting.discard(name)
            if waiting and time.monotonic() > deadline:
                raise TimeoutError(f"servers of {sorted(waiting)} not {'ready' if ready else 'stopped'}:\n{self.log()}")
            if waiting:
                time.sleep(0.25)

    def tree(self, name: str) -> list[psutil.Process]:
        """The student's processes: their server (found by its ``JUPYTERHUB_USER``) and its descendants."""
        family = []
        for child in self.process.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if child.environ().get("JUPYTERHUB_USER") == name and child.ppid() == self.process.pid:
                    family += [child, *child.children(recursive=True)]
        return family

    def listening_ports(self, name: str) -> set[tuple[str, int]]:
        """(address, port) of every TCP socket the student's processes listen on."""
        found = set()
        for p in self.tree(name):
            with contextlib.suppress(psutil.Error):
                found |= {(c.laddr.ip, c.laddr.port) for c in p.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
        return found

    def log(self) -> str:
        return (self.work / "jupyterhub.log").read_text(errors="replace")[-4000:]


def _terminate(process: psutil.Process, grace: float = 15.0) -> None:
    """SIGTERM the hub (it stops the proxy it started), then SIGKILL whatever of its family is left."""
    with contextlib.suppress(psutil.Error):
        family = [process, *process.children(recursive=True)]
        process.send_signal(signal.SIGTERM)
        _, alive = psutil.wait_procs(family, timeout=grace)
        for p in alive:
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(alive, timeout=5)


@contextlib.contextmanager
def class_hub(work: Path, timeout: float = 60.0):
    """Run JupyterHub (and its proxy) on 127.0.0.1 with its state in *work*; yields a :class:`Hub`."""
    proxy = find_proxy()
    if proxy is None:
        raise FileNotFoundError("configurable-http-proxy not found: npm install -g configurable-http-proxy")
    work = Path(work).resolve()
    (work / "homes").mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(32)
    port = free_port()
    singleuser = str(Path(sys.executable).with_name("jupyterhub-singleuser"))
    args = ["--allow-root"] if os.geteuid() == 0 else []
    # The students' servers (and so their kernels) get the caller's PYTHONPATH: a test run's
    # start-up hooks (helpers.leakguard) reach every kernel.  The hub itself runs without them:
    # JupyterHub picks ports by binding ('', 0), which the loopback guard refuses.
    student_env = {k: v for k, v in os.environ.items() if k == "PYTHONPATH" or k.startswith("COURSE_GUARD_")}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONUNBUFFERED="1", CONFIGPROXY_AUTH_TOKEN=secrets.token_hex(32))
    (work / "jupyterhub_config.py").write_text(_CONFIG.format(
        port=port, hub_port=free_port(), proxy_api_port=free_port(), proxy=proxy, work=work,
        singleuser=singleuser, args=args, token=token, student_env=student_env))
    argv = [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(work / "jupyterhub_config.py")]
    with open(work / "jupyterhub.log", "wb") as log:
        popen = subprocess.Popen(argv, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", work, psutil.Process(popen.pid), requests.Session())
    hub.api.headers["Authorization"] = f"token {token}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if popen.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {popen.returncode}:\n{hub.log()}")
            with contextlib.suppress(requests.RequestException):
                if hub.api.get(f"{hub.url}/hub/api/users", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"jupyterhub did not answer within {timeout:.0f} s:\n{hub.log()}")
            time.sleep(0.25)
        yield hub
    finally:
        try:
            if popen.poll() is None and hub.tokens:
                with contextlib.suppress(requests.RequestException, RuntimeError, TimeoutError):
                    hub.stop([n for n in hub.tokens if hub.tree(n)], timeout=30)
        finally:
            hub.api.close()
            _terminate(hub.process)
            popen.wait(10)
