"""Run a notebook the way a learner's browser does: through a Jupyter server's REST API and kernel websocket.

:func:`run_notebook` asks the server (JupyterLab, or a user's server behind JupyterHub's proxy)
for the notebook through the contents API, starts a kernel *session* for it (so the server
chooses the kernel's working directory, the notebook's folder, as it does for the browser),
executes every code cell in order over ``/api/kernels/<id>/channels`` and collects what the
learner would see.  The session is deleted (the kernel shut down) on the way out.

Cells tagged ``raises-exception`` are expected to show a traceback (a seed bug, shown on
purpose); any other error is recorded in :attr:`NotebookRun.errors` and stops the run, as
"Run All" does.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

import requests
import websocket

__all__ = ["NotebookRun", "run_notebook"]


@dataclass
class NotebookRun:
    """What executing one notebook through a server showed."""

    path: str
    outputs: list[list[dict]] = field(default_factory=list)  # per code cell, nbformat-style output dicts
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (code-cell index, ename, evalue)
    seconds: float = 0.0

    def text(self, cell: int) -> str:
        """The text of code cell *cell*'s streams and plain-text results, concatenated."""
        parts = []
        for out in self.outputs[cell]:
            if out["output_type"] == "stream":
                parts.append(out["text"])
            elif "data" in out and "text/plain" in out["data"]:
                parts.append(out["data"]["text/plain"])
        return "".join(parts)

    def stderr(self) -> list[tuple[int, str]]:
        """Every stderr stream, as (code-cell index, text)."""
        return [(i, o["text"]) for i, outs in enumerate(self.outputs) for o in outs
                if o["output_type"] == "stream" and o.get("name") == "stderr"]


def _message(session: str, msg_type: str, content: dict, channel: str = "shell") -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "learner", "session": session, "msg_type": msg_type,
                   "version": "5.3", "date": datetime.now(timezone.utc).isoformat()},
        "parent_header": {}, "metadata": {}, "channel": channel, "buffers": [], "content": content,
    }


class _Kernel:
    """One kernel websocket: send a request, gather the replies that answer it."""

    def __init__(self, ws_url: str, token: str, timeout: float):
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(f"{ws_url}?session_id={self.session}",
                                              header=[f"Authorization: token {token}"], timeout=timeout)

    def request(self, msg_type: str, content: dict, deadline: float) -> tuple[list[dict], dict]:
        """Send one shell request; return (its iopub messages, its shell reply) once the kernel is idle again."""
        msg = _message(self.session, msg_type, content)
        msg_id = msg["header"]["msg_id"]
        self.ws.send(json.dumps(msg))
        iopub, reply, idle = [], None, False
        while not (idle and reply is not None):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{msg_type}: the kernel did not finish in time")
            self.ws.settimeout(left)
            got = json.loads(self.ws.recv())
            if got.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if got["channel"] == "shell":
                reply = got
            elif got["channel"] == "iopub":
                if got["msg_type"] == "status":
                    idle = got["content"]["execution_state"] == "idle"
                else:
                    iopub.append(got)
        return iopub, reply

    def close(self) -> None:
        self.ws.close()


def _outputs(iopub: list[dict]) -> list[dict]:
    outs: list[dict] = []
    for m in iopub:
        kind, c = m["msg_type"], m["content"]
        if kind == "stream":
            if outs and outs[-1]["output_type"] == "stream" and outs[-1]["name"] == c["name"]:
                outs[-1]["text"] += c["text"]  # as the notebook merges consecutive stream messages
            else:
                outs.append({"output_type": "stream", "name": c["name"], "text": c["text"]})
        elif kind in ("display_data", "execute_result"):
            outs.append({"output_type": kind, "data": c["data"], "metadata": c.get("metadata", {})})
        elif kind == "error":
            outs.append({"output_type": "error", "ename": c["ename"], "evalue": c["evalue"],
                         "traceback": c["traceback"]})
        elif kind == "clear_output":
            outs.clear()
    return outs


def run_notebook(base_url: str, token: str, path: str, *, timeout: float = 120.0) -> NotebookRun:
    """Execute the notebook at *path* (relative to the server's root) through the server at *base_url*.

    *base_url* is the server's URL ending in ``/`` (``http://127.0.0.1:8888/``, or
    ``http://127.0.0.1:8000/user/alice/`` through JupyterHub); *token* is accepted by it.
    The whole notebook must finish within *timeout* seconds.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    auth = {"Authorization": f"token {token}"}
    start = time.monotonic()
    deadline = start + timeout
    http = requests.Session()
    http.headers.update(auth)
    r = http.get(f"{base}api/contents/{quote(path)}", params={"content": "1"}, timeout=30)
    r.raise_for_status()
    cells = [c for c in r.json()["content"]["cells"] if c["cell_type"] == "code"]
    r = http.post(f"{base}api/sessions", timeout=60,
                  json={"path": path, "name": path.rsplit("/", 1)[-1], "type": "notebook",
                        "kernel": {"name": "python3"}})
    r.raise_for_status()
    session = r.json()
    scheme = "wss" if urlsplit(base).scheme == "https" else "ws"
    ws_url = f"{scheme}://{urlsplit(base).netloc}{urlsplit(base).path}api/kernels/{session['kernel']['id']}/channels"
    run = NotebookRun(path)
    kernel = None
    try:
        kernel = _Kernel(ws_url, token, timeout=min(60.0, timeout))
        kernel.request("kernel_info_request", {}, deadline)
        for index, cell in enumerate(cells):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            iopub, reply = kernel.request("execute_request", {
                "code": source, "silent": False, "store_history": True, "user_expressions": {},
                "allow_stdin": False, "stop_on_error": True}, deadline)
            run.outputs.append(_outputs(iopub))
            if reply["content"]["status"] == "error":
                if "raises-exception" in cell.get("metadata", {}).get("tags", []):
                    continue
                run.errors.append((index, reply["content"]["ename"], reply["content"]["evalue"]))
                break
    finally:
        if kernel is not None:
            kernel.close()
        try:
            http.delete(f"{base}api/sessions/{session['id']}", timeout=30)
        finally:
            http.close()
        run.seconds = time.monotonic() - start
    return run
