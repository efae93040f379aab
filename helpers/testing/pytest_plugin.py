"""pytest plugin of the course (loaded by ``-p helpers.testing.pytest_plugin`` in pyproject.toml).

It applies to the notebooks (nbval) as well as to the unit tests.
"""
from __future__ import annotations

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A notebook cell that nbval marks xfail because an earlier cell timed out is a failure.

    nbval 0.11 marks every cell after a timed-out one as "expected to fail", and pytest
    then exits 0 after a hang.  A hang is a bug: report these cells as failed.
    """
    outcome = yield
    report = outcome.get_result()
    reason = getattr(report, "wasxfail", "") or ""
    if "timed out" in reason:
        report.outcome = "failed"
        report.longrepr = f"an earlier cell of this notebook timed out ({reason}); fix the hang"
        del report.wasxfail
