"""helpers.testing.pytest_plugin: a notebook cell that hangs must fail the run (nbval alone would pass)."""
from __future__ import annotations

import subprocess
import sys

import nbformat


def test_a_timed_out_cell_fails_the_run_including_later_cells(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(30)"), nbformat.v4.new_code_cell("print('after')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "hang.ipynb"
    nbformat.write(nb, path)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "helpers.testing.pytest_plugin", "--nbval-lax", "--nbval-current-env",
         "--nbval-cell-timeout=2", "-p", "no:cacheprovider", "-o", "addopts=", "-q", str(path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode != 0, proc.stdout
    assert "2 failed" in proc.stdout, proc.stdout
    assert "xfail" not in proc.stdout.lower().split("short test summary")[-1] or "XFAIL" not in proc.stdout
