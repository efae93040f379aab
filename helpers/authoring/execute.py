"""Re-execute notebooks in place, top to bottom (``make execute``), and record the reference run.

Outputs and execution counts (1..n) are refreshed so that what a learner reads on
GitHub is what the code does today, and nbval's strict comparison has a fresh reference.
Cells tagged ``raises-exception`` may raise; any other error stops with a message.
Cell timing metadata is not recorded, so re-running does not churn the files, and consecutive
stream outputs are merged (nbconvert's ``CoalesceStreamsPreprocessor``): a line that reached the
notebook in two pieces shows as one, not as a line and a stray empty output.

The kernels run in the learner's mode (a claim prints its verdict, it does not raise); every
verdict of :func:`helpers.claims.claim` is recorded and written to ``reference/`` by
:mod:`helpers.authoring.reference` (the chapters executed replace their earlier record).  A
claim that did not hold is listed at the end and makes the command exit with 1: the committed
outputs must not show a ❌ to the learner.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from helpers.authoring import reference

__all__ = ["execute", "main"]


def execute(path: Path, timeout: int = 300) -> float:
    """Execute notebook *path* in place (working directory: its folder); returns seconds taken."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    nbformat.write(nb, path)
    return elapsed


def _read_verdicts(log: Path) -> list[dict]:
    if not log.exists():
        return []
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    log.unlink()
    return rows


def main(argv: list[str]) -> int:
    """Execute each notebook named in *argv*; report the time each took and record its claims."""
    if not argv:
        print("usage: python -m helpers.authoring.execute NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    os.environ.pop("COURSE_CLAIMS", None)  # the learner's mode: verdicts are printed, not raised
    verdicts: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="course-execute-") as tmp:
        log = Path(tmp) / "claims.jsonl"
        os.environ["COURSE_CLAIMS_LOG"] = str(log)  # inherited by every kernel started below
        for name in argv:
            path = Path(name)
            print(f"executing {path} ...", flush=True)
            print(f"  done in {execute(path):.1f} s", flush=True)
            rows = _read_verdicts(log)
            if rows:  # a chapter without measured claims (the index) has no table
                verdicts[path.name] = rows
    reference.write(verdicts)
    bad = [(nb, r) for nb, rows in verdicts.items() for r in rows if r["status"] != "holds"]
    for nb, r in bad:
        print(f"{nb}: {r['status']}: {r['text']} (measured {r['value']}, expected {r['expected']}, "
              f"others used {r['others_cpu']} CPUs)", file=sys.stderr)
    print(f"claims: {sum(len(v) for v in verdicts.values())}, not holding: {len(bad)}; "
          f"reference run written to {reference.REFERENCE}", flush=True)
    return 1 if any(r["status"] == "fails" for _, r in bad) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
