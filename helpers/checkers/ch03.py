"""Checkers of chapter 03's exercises: greenlets that take turns, a greenlet generator, a MiniHub echo client.

- :func:`check_interleave` — ``interleave(xs, ys)`` with two greenlets that switch after every item;
- :func:`check_greenlet_iter` — ``greenlet_iter(producer)``: values emitted deep inside a recursion,
  lazily;
- :func:`check_echo_client` — ``echo_client(hub, address, message)``: 50 of the learner's clients run at
  once in the chapter's ``MiniHub`` against :func:`helpers.servers.echo_server` (which upper-cases), each
  with a message of about 200 KB, two of them about 6 MB, so a non-blocking ``send`` sends only part and
  one ``recv`` reads only part.  Every reply is compared byte for byte.

Each returns one line saying what was measured, or raises :class:`AssertionError` naming the input or
client, what was expected and what came back.  ``NotImplementedError`` from the learner's stub passes
through (the check shows ⏳).

Used in: 03.
"""
from __future__ import annotations

import itertools
import time
from typing import Callable

from helpers.checkers.ch07 import show_bytes
from helpers.servers import echo_server

__all__ = ["check_echo_client", "check_greenlet_iter", "check_interleave"]


# exercise 1 ---------------------------------------------------------------------------------------
def check_interleave(interleave: Callable[[object, object], list]) -> str:
    """Exercise 1: the two walkers' items alternate, starting with *xs*."""
    cases = [
        (([1, 2, 3], "abc"), [1, "a", 2, "b", 3, "c"]),
        (([], []), []),
        (([None], [0]), [None, 0]),
        ((range(100), range(100, 200)), [v for pair in zip(range(100), range(100, 200)) for v in pair]),
    ]
    for args, expected in cases:
        got = interleave(*args)
        if list(got) != expected:
            shown = ", ".join(repr(list(a))[:30] for a in args)
            raise AssertionError(f"interleave({shown})：期望 {expected[:6]!r}{'…' if len(expected) > 6 else ''}"
                                 f"（共 {len(expected)} 个），实际 {list(got)[:6]!r}（共 {len(list(got))} 个）。"
                                 "每放一个元素就 switch 给对方；xs 的 greenlet 先开始")
    return f"{len(cases)} 组输入（包括空列表和 200 个元素的长列表）都交替合并正确"


# exercise 2 ---------------------------------------------------------------------------------------
def _walk(tree, emit) -> None:
    if isinstance(tree, list):
        for sub in tree:
            _walk(sub, emit)
    else:
        emit(tree)


def check_greenlet_iter(greenlet_iter: Callable[[Callable], object]) -> str:
    """Exercise 2: values emitted at any depth come out in order, one producer step per value."""
    tree = [1, [2, [3, [4, [5]]]], 6]
    got = list(itertools.islice(greenlet_iter(lambda emit: _walk(tree, emit)), 10))  # an endless iterator stops at 10
    if got != [1, 2, 3, 4, 5, 6]:
        raise AssertionError(f"producer 在递归的各层调用 emit（树 {tree!r}）：期望产出 [1, 2, 3, 4, 5, 6]，实际 {got!r}。"
                             "producer 返回时的返回值（None）不是产出的值；producer 结束（dead）后要停止迭代")
    progress: list[int] = []

    def counting(emit):
        for i in range(3):
            progress.append(i)
            emit(i)

    it = iter(greenlet_iter(counting))
    first = next(it)
    if first != 0 or progress != [0]:
        raise AssertionError(f"取第一个值之后：期望得到 0，producer 只运行到第一个 emit（progress=[0]）；"
                             f"实际得到 {first!r}，progress={progress!r}。不要先把所有值收集起来：每次取值才切进 producer")
    rest = list(itertools.islice(it, 10))
    if rest != [1, 2]:
        raise AssertionError(f"取完第一个值后，剩下的应为 [1, 2]，实际 {rest!r}")
    empty = list(itertools.islice(greenlet_iter(lambda emit: None), 10))
    if empty != []:
        raise AssertionError(f"producer 一个值也不 emit 时应得到 []，实际 {empty!r}")
    return "递归 5 层深处 emit 的 6 个值按顺序产出；取第一个值时 producer 只运行到第一个 emit"


# exercise 3 ---------------------------------------------------------------------------------------
CLIENTS = 50
REPEAT = 20_000       # "hello {i} " * 20_000: about 200 KB per client
BIG = (0, 1)          # these clients send 30 times more (about 6 MB): more than one send on loopback takes


def _message(i: int) -> bytes:
    return f"hello {i} ".encode() * (REPEAT * (30 if i in BIG else 1))


def check_echo_client(echo_client: Callable, hub_class: type) -> str:
    """Exercise 3: CLIENTS of the learner's clients in one *hub_class* hub against echo_server."""
    replies: dict[int, bytes] = {}
    errors: dict[int, BaseException] = {}
    with echo_server(log_data=False) as srv:
        hub = hub_class()

        def one(i):
            try:
                replies[i] = echo_client(hub, srv.address, _message(i))
            except BaseException as exc:  # reported below with the client's number
                errors[i] = exc

        for i in range(CLIENTS):
            hub.spawn(one, i)
        start = time.perf_counter()
        try:
            hub.join()
        except TimeoutError:
            raise AssertionError(f"{CLIENTS} 个客户端同时运行：hub 等了 5 秒也没有 socket 就绪，"
                                 f"已收到 {len(replies)} 个回复，其余的还在等。非阻塞的 send 可能只发出一部分：没发出的字节服务器收不到，也就不会回，客户端等不到 len(message) 字节。send 要循环到发完（每次之前 hub.wait 可写）") from None
        elapsed = time.perf_counter() - start
    if any(isinstance(e, NotImplementedError) for e in errors.values()):
        raise NotImplementedError()
    if errors:
        i, exc = next(iter(sorted(errors.items())))
        hint = ("非阻塞 socket 在没就绪时 send/recv 会抛出 BlockingIOError：先 hub.wait 再调用"
                if isinstance(exc, BlockingIOError) else "")
        raise AssertionError(f"客户端 #{i}（共 {len(errors)} 个出错）：你的 echo_client 抛出了 "
                             f"{exc.__class__.__name__}: {exc}。{hint}")
    for i in range(CLIENTS):
        sent = _message(i)
        expected, got = sent.upper(), replies.get(i)
        if not isinstance(got, (bytes, bytearray)):
            raise AssertionError(f"客户端 #{i}：echo_client 应当返回收到的 bytes，实际返回 {got!r:.60}")
        got = bytes(got)
        if got != expected:
            at = next((k for k, (x, y) in enumerate(zip(expected, got)) if x != y), min(len(expected), len(got)))
            raise AssertionError(f"客户端 #{i}：发出 {len(sent):,} 字节，期望收回 {len(expected):,} 字节（大写）；实际收回 "
                                 f"{len(got):,} 字节，第一个不同在偏移 {at:,}：期望 {show_bytes(expected[at:at + 8])}，"
                                 f"收到 {show_bytes(got[at:at + 8])}。非阻塞的 send 可能只发出一部分，一次 recv 也读不全："
                                 "两处都要循环（每次循环前 hub.wait）")
    total = sum(len(_message(i)) for i in range(CLIENTS))
    return f"{CLIENTS} 个客户端在一个线程里同时收发约 {total / 1e6:.0f} MB，逐字节正确，共 {elapsed:.2f} 秒"
