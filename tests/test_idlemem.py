"""helpers/idlemem.py: an idle thread reserves a stack but touches little; a task is smaller still."""
from __future__ import annotations

import pytest

from helpers.idlemem import per_unit


def test_threads_reserve_megabytes_but_use_kilobytes_and_tasks_use_less_than_threads():
    got = per_unit(200, ("thread", "task"))
    assert sorted(got) == ["task", "thread"]
    (t_rss, t_vms), (a_rss, _) = got["thread"], got["task"]
    assert t_vms > 1024 * 1024 > 20 * t_rss
    assert 0 < a_rss < t_rss


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        per_unit(10, ("fiber",))
