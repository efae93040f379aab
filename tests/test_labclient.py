"""helpers.testing.labclient runs a notebook through a real Jupyter server, as a browser does."""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.testing import browser
from helpers.testing import labclient


def test_runs_every_cell_in_the_notebooks_folder_and_stops_at_the_first_unexpected_error(tmp_path):
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    shown = new_code_cell("raise ValueError('shown on purpose')")
    shown.metadata["tags"] = ["raises-exception"]
    nbformat.write(new_notebook(cells=[
        new_markdown_cell("# probe"),
        new_code_cell("import os, sys\nprint(os.path.basename(os.getcwd()))\nprint('warn', file=sys.stderr)"),
        new_code_cell("6 * 7"),
        shown,
        new_code_cell("1 / 0"),
        new_code_cell("print('never')"),
    ]), root / "notebooks" / "probe.ipynb")
    with browser.lab_server(root) as lab:
        run = labclient.run_notebook(lab.base + "/", lab.token, "notebooks/probe.ipynb", timeout=60)
    assert run.text(0) == "notebooks\nwarn\n", "the kernel runs in the notebook's folder, as in the browser"
    assert run.stderr() == [(0, "warn\n")]
    assert run.text(1) == "42"
    assert run.outputs[2][0]["ename"] == "ValueError", "a raises-exception cell shows its traceback and the run goes on"
    assert run.errors == [(3, "ZeroDivisionError", "division by zero")]
    assert len(run.outputs) == 4, "Run All stops at the first unexpected error"
    assert run.seconds > 0
