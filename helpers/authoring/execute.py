"""Re-execute notebooks in place, top to bottom (``make execute``).

Outputs and execution counts (1..n) are refreshed so that what a learner reads on
GitHub is what the code does today, and nbval's strict comparison has a fresh reference.
Cells tagged ``raises-exception`` may raise; any other error stops with a message.
Cell timing metadata is not recorded, so re-running does not churn the files.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 300) -> float:
    """Execute notebook *path* in place (working directory: its folder); returns seconds taken."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    """Execute each notebook named in *argv*; report the time each took."""
    if not argv:
        print("usage: python -m helpers.authoring.execute NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    for name in argv:
        path = Path(name)
        print(f"executing {path} ...", flush=True)
        print(f"  done in {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
