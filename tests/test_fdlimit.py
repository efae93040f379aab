"""helpers.fdlimit: the soft limit is raised and restored; large descriptor values are obtainable."""
from __future__ import annotations

import os
import resource
import select
import socket

import pytest

from helpers.fdlimit import dup_at_least, nofile_limit, raise_soft_limit, raise_to_hard, soft_limit


def test_nofile_limit_raises_and_restores():
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    hard = before[1]
    target = 2048 if hard == resource.RLIM_INFINITY else min(2048, hard)
    with nofile_limit(target) as limit:
        assert limit >= target
        assert soft_limit() >= target
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == before


def test_raise_soft_limit_never_lowers():
    assert raise_soft_limit(1) == soft_limit()
    with pytest.raises(ValueError):
        raise_soft_limit(0)


def test_impossible_limit_is_a_clear_error():
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY:
        pytest.skip("no hard limit here")
    with pytest.raises(RuntimeError, match="hard limit"):
        with nofile_limit(hard + 1):
            pass


def test_dup_at_least_gives_a_large_fd_that_select_refuses():
    a, b = socket.socketpair()
    with nofile_limit(1100), a, b:
        fd = dup_at_least(b.fileno(), 1024)
        try:
            assert fd >= 1024
            with pytest.raises(ValueError):
                select.select([fd], [], [], 0)
            p = select.poll()
            p.register(fd, select.POLLIN)
            assert p.poll(0) == []
            a.send(b"x")
            assert p.poll(0) == [(fd, select.POLLIN)]
        finally:
            os.close(fd)


def test_raise_to_hard_reaches_the_hard_limit_and_refuses_the_impossible():
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        limit = raise_to_hard()
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        assert limit == soft
        if hard != resource.RLIM_INFINITY:
            assert soft == hard
            with pytest.raises(RuntimeError, match="RLIMIT_NOFILE"):
                raise_to_hard(hard + 1)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, before)
