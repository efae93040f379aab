"""JupyterLab itself: starts as `make lab` starts it, guards its token, serves every notebook, runs a cell.

The server runs on 127.0.0.1 with a token Jupyter generates (read from its runtime file),
``--allow-root`` only when root, no browser, in temporary runtime/config/data directories, with
a copy of the course's notebooks (so nothing it might write lands in the repository).  One
cell is executed through the kernel websocket, as the browser does.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
import requests
import websocket

from helpers import procs

REPO = Path(__file__).resolve().parent.parent


def start_lab(root: Path, tmp: Path):
    dirs = {name: tmp / name for name in ("runtime", "config", "data")}
    for d in dirs.values():
        d.mkdir()
    env = procs.child_env({"JUPYTER_RUNTIME_DIR": dirs["runtime"], "JUPYTER_CONFIG_DIR": dirs["config"],
                           "JUPYTER_DATA_DIR": dirs["data"], "JUPYTER_PLATFORM_DIRS": "1"})
    argv = [sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", "--no-browser", "--port=0",
            f"--ServerApp.root_dir={root}", *(["--allow-root"] if os.getuid() == 0 else [])]
    log = open(tmp / "lab.log", "wb")
    proc = subprocess.Popen(argv, cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=procs.die_with_parent)
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = list(dirs["runtime"].glob("jpserver-*.json"))
        if found:
            info = json.loads(found[0].read_text())
            if info.get("port"):
                return proc, info
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    procs.stop(proc)
    raise AssertionError("jupyter lab did not start:\n" + (tmp / "lab.log").read_text()[-3000:])


def execute_over_websocket(port: int, token: str, kernel_id: str, code: str, timeout: float = 20) -> str:
    session = uuid.uuid4().hex
    ws = websocket.create_connection(f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id={session}",
                                     header=[f"Authorization: token {token}"], timeout=timeout)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": session, "msg_type": "execute_request",
                       "version": "5.3", "date": datetime.now(timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        out, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                raise AssertionError(f"the cell failed: {msg['content']['ename']}: {msg['content']['evalue']}")
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)
        raise TimeoutError("no reply from the kernel")
    finally:
        ws.close()


def test_lab_starts_guards_its_token_serves_notebooks_and_runs_a_cell(tmp_path):
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    course = sorted((REPO / "notebooks").glob("*.ipynb"))
    for nb in course:
        shutil.copy2(nb, root / "notebooks" / nb.name)
    probe = nbformat.v4.new_notebook()
    probe.cells = [nbformat.v4.new_code_cell("import socket\nprint(6 * 7, socket.gethostname() != '')")]
    nbformat.write(probe, root / "probe.ipynb")

    proc, info = start_lab(root, tmp_path)
    port, token = info["port"], info["token"]
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"token {token}"}
    try:
        assert info["hostname"] == "127.0.0.1" and len(token) >= 32, "bound to loopback with a random token"
        r = requests.get(f"{base}/lab", params={"token": token}, timeout=10)
        assert r.status_code == 200 and "JupyterLab" in r.text
        r = requests.get(f"{base}/lab", allow_redirects=False, timeout=10)
        assert r.status_code in (302, 403) and (r.status_code == 403 or "/login" in r.headers["Location"])
        assert requests.get(f"{base}/api/contents", timeout=10).status_code == 403
        assert requests.get(f"{base}/api/contents", headers={"Authorization": "token wrong"}, timeout=10).status_code == 403

        for nb in course:  # every chapter opens through the contents API, exactly as stored
            r = requests.get(f"{base}/api/contents/notebooks/{nb.name}", headers=auth, timeout=10)
            assert r.status_code == 200 and r.json()["type"] == "notebook", nb.name
            assert len(r.json()["content"]["cells"]) == len(nbformat.read(nb, as_version=4).cells), nb.name
        r = requests.get(f"{base}/api/contents/probe.ipynb", headers=auth, timeout=10)
        assert r.status_code == 200 and r.json()["content"]["cells"][0]["source"].startswith("import socket")

        r = requests.post(f"{base}/api/sessions", headers=auth, timeout=30,
                          json={"path": "probe.ipynb", "type": "notebook", "kernel": {"name": "python3"}})
        assert r.status_code == 201, r.text
        kernel_id = r.json()["kernel"]["id"]
        source = requests.get(f"{base}/api/contents/probe.ipynb", headers=auth, timeout=10).json()["content"]["cells"][0]["source"]
        out = execute_over_websocket(port, token, kernel_id, source)
        assert out == "42 True\n"
    finally:
        try:
            requests.post(f"{base}/api/shutdown", headers=auth, timeout=10)
            proc.wait(10)
        except (requests.RequestException, subprocess.TimeoutExpired):
            pass
        procs.stop(proc)
    log = (tmp_path / "lab.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
