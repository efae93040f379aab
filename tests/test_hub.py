"""A class on one hub: four students run chapters 07 and 03 at the same time through JupyterHub.

JupyterHub runs on 127.0.0.1 with configurable-http-proxy, the test-only DummyAuthenticator and
SimpleLocalProcessSpawner (:mod:`helpers.testing.hub`).  Four users are created through the hub's
REST API, each with a home of their own holding a copy of the course (as nbgitpuller would make
it), and their servers are started.  Each student runs chapter 07 (selectors: 1,000 clients on
the student's own servers) and chapter 03 (greenlets against the slow-site server) through the
proxy, over REST and the kernel websocket, as the browser does (:mod:`helpers.testing.labclient`):
first one student alone, then all four at once.  Every cell must succeed with no stderr, and its
text output must equal the committed one (after ``tests/sanitize.cfg``, as nbval compares it).
No two students' processes listen on the same port, no file is shared between their homes, and
no process of theirs is left once their servers stop.  Each student's peak memory (RSS of the
server's process tree) and the wall times are written to ``$COURSE_HUB_REPORT`` (JSON) when set.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil
import pytest

from helpers.testing import hub as classhub
from helpers.testing import labclient

REPO = Path(__file__).resolve().parent.parent
STUDENTS = ["ada", "bo", "chen", "dana"]
CHAPTERS = ["07_selectors", "03_greenlet"]  # 07: the selectors servers; 03: the slow-site server
MEMORY_LIMIT = 2 * 1024**3  # deploy/: 2 GiB per student
SKIP_TAGS = {"nbval-ignore-output", "raises-exception", "nbval-skip"}

needs_proxy = pytest.mark.skipif(classhub.find_proxy() is None,
                                 reason="configurable-http-proxy is not installed (npm install -g configurable-http-proxy; .ci/run does it)")


def sanitizers() -> list[tuple[re.Pattern, str]]:
    """The ``regex:``/``replace:`` pairs of tests/sanitize.cfg, in order (nbval's format)."""
    pairs, lines = [], (REPO / "tests" / "sanitize.cfg").read_text().splitlines()
    for line, nxt in zip(lines, lines[1:] + [""]):
        if line.startswith("regex:") and nxt.startswith("replace:"):
            pairs.append((re.compile(line[len("regex:"):].strip()), nxt[len("replace:"):].strip()))
    return pairs


def shown(outputs: list[dict], rules) -> dict[str, str]:
    """What nbval compares in one cell: stream texts by name and plain-text results, sanitized."""
    found: dict[str, str] = {}
    for out in outputs:
        if out["output_type"] == "stream":
            key, text = out["name"], out["text"]
        elif out["output_type"] == "execute_result":
            key, text = "result", out["data"].get("text/plain", "")
        else:
            continue
        text = "".join(text) if isinstance(text, list) else text
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        found[key] = found.get(key, "") + text
    return found


def expected(chapter: str, rules) -> list[dict[str, str] | None]:
    """Per code cell of the committed chapter: what must be shown again (None: not compared)."""
    nb = nbformat.read(REPO / "notebooks" / f"{chapter}.ipynb", as_version=4)
    return [None if SKIP_TAGS & set(c.metadata.get("tags", [])) else shown(c.outputs, rules)
            for c in nb.cells if c.cell_type == "code"]


class Watcher(threading.Thread):
    """Samples every student's process tree: peak RSS, the ports it listens on, every pid seen."""

    def __init__(self, hub: classhub.Hub, names: list[str], every: float = 0.2):
        super().__init__(name="hub-watcher")
        self.hub, self.names, self.every = hub, names, every
        self.peak = dict.fromkeys(names, 0)
        self.ports: dict[str, set] = {n: set() for n in names}
        self.pids: dict[str, set] = {n: set() for n in names}
        self.collisions: list[tuple[str, str, list[int]]] = []
        self.halt = threading.Event()

    def sample(self) -> None:
        now: dict[str, set] = {}
        for name in self.names:
            rss, now[name] = 0, set()
            for p in self.hub.tree(name):
                try:
                    rss += p.memory_info().rss
                    self.pids[name].add((p.pid, p.create_time()))
                    now[name] |= {(c.laddr.ip, c.laddr.port) for c in p.net_connections("tcp")
                                  if c.status == psutil.CONN_LISTEN}
                except psutil.Error:
                    pass
            self.peak[name] = max(self.peak[name], rss)
            self.ports[name] |= now[name]
        for i, a in enumerate(self.names):  # a port is one student's at any moment
            for b in self.names[i + 1:]:
                shared = {p for _, p in now[a]} & {p for _, p in now[b]}
                if shared:
                    self.collisions.append((a, b, sorted(shared)))

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.every)


def run_chapters(hub: classhub.Hub, name: str, start: threading.Barrier) -> list[labclient.NotebookRun]:
    start.wait(60)
    return [labclient.run_notebook(hub.server_url(name), hub.tokens[name], f"course/notebooks/{chapter}.ipynb",
                                   timeout=150) for chapter in CHAPTERS]


def class_runs(hub: classhub.Hub, names: list[str]) -> tuple[dict[str, list], float]:
    """Every student in *names* runs the chapters, all starting at the same moment; returns (runs, wall seconds)."""
    barrier = threading.Barrier(len(names) + 1)
    with ThreadPoolExecutor(len(names), thread_name_prefix="student") as pool:
        futures = {name: pool.submit(run_chapters, hub, name, barrier) for name in names}
        barrier.wait(60)
        start = time.perf_counter()
        runs = {name: future.result() for name, future in futures.items()}
        return runs, time.perf_counter() - start


def check(runs: dict[str, list], rules, wanted: dict[str, list]) -> list[str]:
    problems = []
    for name, student_runs in runs.items():
        for chapter, run in zip(CHAPTERS, student_runs):
            where = f"{name} {chapter}"
            if run.errors:
                problems.append(f"{where}: cell errors {run.errors}")
            if run.stderr():
                problems.append(f"{where}: stderr {run.stderr()[:3]}")
            for i, (got, want) in enumerate(zip(run.outputs, wanted[chapter])):
                if want is not None and shown(got, rules) != want:
                    problems.append(f"{where}: code cell {i} shows {shown(got, rules)!r}, committed {want!r}")
            if not run.errors and len(run.outputs) != len(wanted[chapter]):
                problems.append(f"{where}: {len(run.outputs)} of {len(wanted[chapter])} code cells ran")
    return problems


def files_of(home: Path) -> dict[tuple[int, int], str]:
    found = {}
    for path in home.rglob("*"):
        if path.is_symlink():
            found[(-1, len(found))] = f"symlink {path} -> {os.readlink(path)}"
        elif path.is_file():
            st = path.stat()
            found[(st.st_dev, st.st_ino)] = str(path)
    return found


@needs_proxy
def test_four_students_run_two_chapters_at_the_same_time_through_the_hub(tmp_path):
    rules = sanitizers()
    wanted = {chapter: expected(chapter, rules) for chapter in CHAPTERS}
    with classhub.class_hub(tmp_path / "hub") as hub:
        hub.add_students(STUDENTS)
        for name in STUDENTS:  # what nbgitpuller puts in a student's home
            shutil.copytree(REPO / "notebooks", hub.home(name) / "course" / "notebooks",
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            shutil.copytree(REPO / "pics", hub.home(name) / "course" / "pics")
        started = time.perf_counter()
        hub.start(STUDENTS)
        start_seconds = time.perf_counter() - started
        assert len({hub.server_url(n) for n in STUDENTS}) == len(STUDENTS)
        watcher = Watcher(hub, STUDENTS)
        watcher.start()
        try:
            alone, one_seconds = class_runs(hub, STUDENTS[:1])
            together, four_seconds = class_runs(hub, STUDENTS)
        finally:
            watcher.halt.set()
            watcher.join()
        watcher.sample()
        seen = {name: set(pids) for name, pids in watcher.pids.items()}
        hub.stop(STUDENTS)
        homes = {name: files_of(hub.home(name)) for name in STUDENTS}
        hub_log = hub.log()

    report = {"students": len(STUDENTS), "chapters": CHAPTERS, "servers_start_s": round(start_seconds, 1),
              "one_student_s": round(one_seconds, 1), "four_students_s": round(four_seconds, 1),
              "peak_rss_mib": {n: round(b / 2**20) for n, b in watcher.peak.items()},
              "chapter_s_four": {n: [round(r.seconds, 1) for r in runs] for n, runs in together.items()}}
    if os.environ.get("COURSE_HUB_REPORT"):
        Path(os.environ["COURSE_HUB_REPORT"]).write_text(json.dumps(report, indent=2))
    print(json.dumps(report))

    problems = check(alone, rules, wanted) + check(together, rules, wanted)
    assert not problems, "\n".join(problems[:20]) + f"\nhub log:\n{hub_log}"
    # no port collision: at every sample each listening port was one student's, on 127.0.0.1 only
    # (a port freed by one student's demo may later be handed to another's: that is no collision)
    assert not watcher.collisions, watcher.collisions[:5]
    for name in STUDENTS:
        assert len(watcher.ports[name]) >= 3, f"{name}: too few listening sockets seen {watcher.ports[name]}"
        assert all(ip == "127.0.0.1" for ip, _ in watcher.ports[name]), (name, watcher.ports[name])
    # no file shared between the students' homes, and nothing links out of a home
    for a in STUDENTS:
        assert not [v for v in homes[a].values() if v.startswith("symlink")], homes[a]
        for b in STUDENTS[STUDENTS.index(a) + 1:]:
            assert not set(homes[a]) & set(homes[b]), f"{a} and {b} share files"
    # no process of any student is left after their servers stopped
    left = []
    for name, pids in seen.items():
        for pid, created in pids:
            try:
                p = psutil.Process(pid)
                if p.create_time() == created and p.status() != psutil.STATUS_ZOMBIE:
                    left.append(f"{name}: {p.pid} {p.cmdline()}")
            except psutil.NoSuchProcess:
                pass
    assert not left, left
    assert all(len(pids) >= 3 for pids in seen.values()), f"the watcher saw too little: {seen}"
    # the class fits the per-student limit of deploy/, and four students share the two cores
    assert max(watcher.peak.values()) < MEMORY_LIMIT, report
    assert four_seconds < 4 * one_seconds, f"four students took as long as four in a row: {report}"


def test_the_comparison_sees_a_changed_demo():
    """The byte-exact check is not vacuous: one changed character in a compared cell is a difference."""
    rules = sanitizers()
    nb = nbformat.read(REPO / "notebooks" / "07_selectors.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    wanted = expected("07_selectors", rules)
    i = next(i for i, w in enumerate(wanted) if w and w.get("stdout", "").strip())
    outputs = [dict(o) for o in code[i].outputs]
    stream = next(o for o in outputs if o["output_type"] == "stream" and o["name"] == "stdout")
    assert shown(outputs, rules) == wanted[i]
    stream["text"] = "".join(stream["text"]).replace(stream["text"].strip()[0], "#", 1)
    assert shown(outputs, rules) != wanted[i]


def test_ci_installs_the_proxy_before_make_test():
    run = (REPO / ".ci" / "run").read_text()
    assert "npm install --global --silent configurable-http-proxy" in run
    assert run.index("configurable-http-proxy") < run.index("make test")
