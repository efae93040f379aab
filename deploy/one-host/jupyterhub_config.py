"""JupyterHub for a class on one shared Linux host (TEACHERS.md, "一台服务器上课").

Every student is a Linux user (PAM login, group ``students``) whose JupyterLab runs in a systemd
unit of its own (SystemdSpawner) with a memory and a CPU limit, a private /tmp, and a descriptor
limit high enough for chapter 09's 10,000 connections.  The course's environment is installed once
in ``COURSE_DIR`` (``make test`` there); on each login nbgitpuller copies the course into the
student's home, keeping the student's own edits.  Idle servers are stopped by
jupyterhub-idle-culler.  The hub listens on 127.0.0.1: put a TLS reverse proxy (nginx, Caddy)
in front of it.  Run ``jupyterhub -f deploy/one-host/jupyterhub_config.py`` as root.
"""
import os
import sys
from urllib.parse import quote

c = get_config()  # noqa: F821 (JupyterHub provides it)

COURSE_DIR = os.environ.get("COURSE_DIR", "/opt/concurrency-course")
# The course's git address, for nbgitpuller (OWNER/REPO is the placeholder of the README's badge).
COURSE_REPO = os.environ.get("COURSE_REPO", "https://github.com/OWNER/REPO")
COURSE_BRANCH = os.environ.get("COURSE_BRANCH", "main")
FOLDER = COURSE_REPO.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")

c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.cookie_secret_file = "/srv/jupyterhub/jupyterhub_cookie_secret"
c.JupyterHub.db_url = "sqlite:////srv/jupyterhub/jupyterhub.sqlite"

# Students log in with their Linux account; teachers are admins.
c.JupyterHub.authenticator_class = "pam"
c.LocalAuthenticator.allowed_groups = {"students"}
c.Authenticator.admin_users = set(filter(None, os.environ.get("COURSE_TEACHERS", "").split(",")))

# One systemd unit per student: 30 students × 2 GiB fits a 64 GiB host; the C10K lab needs 10,000+ fds.
c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
c.SystemdSpawner.mem_limit = "2G"
c.SystemdSpawner.cpu_limit = 1.0
c.SystemdSpawner.unit_extra_properties = {"LimitNOFILE": "65536", "TasksMax": "4096"}
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.isolate_devices = True
c.SystemdSpawner.disable_user_sudo = True
c.SystemdSpawner.user_workingdir = "/home/{USERNAME}"
c.Spawner.cmd = [f"{COURSE_DIR}/.venv/bin/jupyterhub-singleuser"]
c.Spawner.environment = {"PATH": f"{COURSE_DIR}/.venv/bin:/usr/local/bin:/usr/bin:/bin"}
c.Spawner.start_timeout = 120
# Every login: nbgitpuller pulls the course into ~/FOLDER (merging, never overwriting the student's
# edits) and opens the index.  The same link works in an e-mail or on the course site.
c.Spawner.default_url = ("/git-pull?repo=" + quote(COURSE_REPO, safe="") + "&branch=" + quote(COURSE_BRANCH)
                         + "&urlpath=" + quote(f"lab/tree/{FOLDER}/notebooks/00_index.ipynb", safe=""))

# Stop servers idle for an hour (their memory goes back to the class); check every 5 minutes.
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600", "--cull-every=300"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
