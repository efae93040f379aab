"""helpers.machine reads the limits a demo must fit in (cgroup v1 and v2 trees faked in tmp_path)."""
from __future__ import annotations

import os

import pytest

from helpers import machine


def _tree(tmp_path, files: dict[str, str], cgroup: str):
    root = tmp_path / "cgroup"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    proc = tmp_path / "self_cgroup"
    proc.write_text(cgroup)
    return root, proc


def test_cgroup_v2_quota_memory_and_pids(tmp_path):
    root, proc = _tree(tmp_path, {"pod/cpu.max": "50000 100000\n", "pod/memory.max": str(2 * 2**30),
                                  "pod/pids.max": "100", "pod/pids.current": "30"}, "0::/pod\n")
    lim = machine.limits(root, proc)
    assert lim.quota == 0.5 and lim.cpus == 0.5, "Binder-like: half a CPU whatever the affinity says"
    assert lim.affinity == len(os.sched_getaffinity(0))
    assert lim.memory_limit == 2 * 2**30 and lim.memory <= 2 * 2**30
    assert lim.tasks == 70


def test_cgroup_v1_and_no_limits(tmp_path):
    root, proc = _tree(tmp_path, {"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000",
                                  "memory/box/memory.limit_in_bytes": "9223372036854771712"},
                       "4:memory:/box\n1:cpu:/\n0::/\n")
    lim = machine.limits(root, proc)
    assert lim.quota is None and lim.cpus == lim.affinity
    assert lim.memory_limit is None, "v1's 'no limit' is a huge number, not a limit"
    root, proc = _tree(tmp_path / "b", {"cpu/cpu.cfs_quota_us": "150000", "cpu/cpu.cfs_period_us": "100000",
                                        "memory/box/memory.limit_in_bytes": str(2**30)}, "4:memory:/box\n1:cpu:/\n")
    lim = machine.limits(root, proc)
    assert lim.quota == 1.5 and lim.memory_limit == 2**30


def _lim(**kw):
    base = dict(cpus=1.0, affinity=1, quota=1.0, memory_limit=2**30, memory_available=8 * 2**30,
                nofile_soft=1024, nofile_hard=4096, tasks=None)
    return machine.Limits(**{**base, **kw})


def test_fit_shrinks_to_the_tightest_limit_and_says_so(capsys):
    assert machine.fit(10_000, "连接", fds_each=2, lim=_lim()) == (1024 - 100) // 2
    out = capsys.readouterr().out
    assert "文件描述符上限" in out and "10000 个连接" in out and "462 个" in out
    assert machine.fit(10_000, "连接", fds_each=2, nofile=4096, lim=_lim()) == (4096 - 100) // 2
    n = machine.fit(1000, "线程", bytes_each=2**20, tasks_each=1, lim=_lim(tasks=200))
    assert n == 184 and "进程/线程数上限" in capsys.readouterr().out
    assert machine.fit(100, "线程", bytes_each=2**20, lim=_lim()) == 100
    assert capsys.readouterr().out == "", "nothing to say when the demo fits"
    with pytest.raises(ValueError):
        machine.fit(0, "连接")


def test_describe_names_the_limits():
    text = machine.describe(_lim(cpus=0.5, quota=0.5, affinity=2, tasks=50))
    assert text.startswith("本机：0.5 个可用 CPU（CPU 配额 0.5，可运行在 2 个核上）")
    assert "上限 1.0 GiB" in text and "1024 个文件描述符" in text and "50 个进程/线程" in text
