"""helpers.logs and helpers.checks."""
from __future__ import annotations

import threading

import pytest

from helpers.checks import check, expect
from helpers.logs import Log


def test_log_is_thread_safe_bounded_and_shows(capsys):
    log = Log(maxlen=100)

    def writer(i):
        for j in range(50):
            log.add(f"{i}-{j}")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(log) == 100 and log.dropped == 100
    log.show(last=2)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("（较早的 100 条") and len(out) == 3
    with pytest.raises(ValueError):
        Log(maxlen=0)


def test_check_reports_each_state(capsys):
    def todo():
        raise NotImplementedError

    assert check("练习", todo) is None
    check("练习", lambda: expect(1 == 2, "提示：看看第二个参数"))
    check("练习", lambda: 1 / 0)
    check("练习", lambda: expect(True, ""))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("⏳") and lines[1] == "❌ 练习：提示：看看第二个参数"
    assert "ZeroDivisionError" in lines[2] and lines[3].startswith("✅")

