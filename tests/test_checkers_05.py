"""helpers.checkers.ch05 on chapter 05's own exercise cells: the wrong answers a learner is likely to write are caught with a message naming the input or site.

The cells are read from the notebook (:class:`helpers.testing.exercises.ChapterExercises`); that every
reference solution passes and every stub shows ⏳ is tested for all chapters in ``tests/test_exercises.py``.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from helpers.checkers import ch05
from helpers.testing.exercises import ChapterExercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "05_io-models.ipynb"
EX = ChapterExercises(NOTEBOOK)


BLOCKING_FETCH = '''
def fetch_all(address, names):
    bodies = {}
    for name in names:                       # one site after another, each connect/recv blocking
        with socket.create_connection(address) as sock:
            sock.sendall(f"GET /{name}/ HTTP/1.1\\r\\nHost: {name}\\r\\n\\r\\n".encode())
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        bodies[name] = reply.partition(b"\\r\\n\\r\\n")[2]
    return bodies
'''


def test_fetch_all_one_site_after_another_is_caught_by_its_total_time():
    with pytest.raises(AssertionError, match=r"同时等待时总耗时应接近最慢的 0\.5 秒，一个一个等是 1\.75 秒；你的 fetch_all 用了"):
        ch05.check_fetch_all(EX.scope(BLOCKING_FETCH)["fetch_all"])


def test_fetch_all_that_busy_polls_is_caught_by_its_cpu_time():
    wrong = EX.wrong(4, "list(pending), [], 5)", "list(pending), [], 0)")
    with pytest.raises(AssertionError, match="其中线程占用或排队等 CPU 的时间有 .* 秒：它一直在空转（忙轮询）"):
        ch05.check_fetch_all(EX.scope(wrong)["fetch_all"])


def test_fetch_all_that_keeps_the_response_head_is_caught_naming_the_site():
    wrong = EX.wrong(4, 'bytes(reply.partition(b"\\r\\n\\r\\n")[2])', "bytes(reply)")
    with pytest.raises(AssertionError, match=r"^站点 www\.baidu\.com：期望页面内容 2,381 字节.*要去掉 b'\\r\\n\\r\\n' 之前的响应头"):
        ch05.check_fetch_all(EX.scope(wrong)["fetch_all"])


def test_fetch_all_that_reads_once_is_caught_naming_the_site():
    wrong = EX.wrong(4, "                else:                              # the server closed: this page is complete\n",
                   "                if True:\n")
    with pytest.raises(AssertionError, match=r"^站点 www\.qq\.com：期望页面内容 245,600 字节.*只有开头的"):
        ch05.check_fetch_all(EX.scope(wrong)["fetch_all"])


def test_recv_exactly_that_busy_polls_is_caught():
    wrong = EX.wrong(2, "select.select([sock], [], [], 5)", "pass")
    with pytest.raises(AssertionError, match="还在忙轮询"):
        ch05.check_recv_exactly(EX.scope(wrong)["recv_exactly"])


def test_recv_exactly_that_ignores_an_early_close_is_caught():
    wrong = EX.wrong(2, "if not data:", "if not data and got == 0 and n > 5:")
    scope = EX.scope(wrong.replace("chunks.append(data)", "chunks.append(data)\n        if not data: break"))
    with pytest.raises(AssertionError, match="对方只发了 b'xy' 就关闭了：期望抛出 ConnectionError"):
        ch05.check_recv_exactly(scope["recv_exactly"])


def test_recv_with_timeout_that_changes_the_socket_timeout_is_caught():
    scope = EX.scope("def recv_with_timeout(sock, timeout):\n"
                   "    sock.settimeout(timeout)\n"
                   "    try:\n        return sock.recv(1024)\n"
                   "    except TimeoutError:\n        return None\n")
    with pytest.raises(AssertionError, match="不要改 socket 的超时设置"):
        ch05.check_recv_with_timeout(scope["recv_with_timeout"])


def test_pool_latency_off_by_one_batch_is_caught():
    scope = EX.scope("def pool_latency(k, pool_size, service):\n    return (k / pool_size + 1) * service\n")
    with pytest.raises(AssertionError, match=r"^pool_latency\(3, 4, 0\.1\)：期望 0\.1 秒"):
        ch05.check_pool_latency(scope["pool_latency"])


def test_runnable_seconds_counts_a_busy_thread_and_not_a_sleeping_one():
    r0 = ch05.runnable_seconds()
    time.sleep(0.2)
    slept = ch05.runnable_seconds() - r0
    r0, t0 = ch05.runnable_seconds(), time.perf_counter()
    while time.perf_counter() - t0 < 0.2:
        pass
    spun = ch05.runnable_seconds() - r0
    assert slept < 0.1 and spun > 0.15, (slept, spun)
