"""helpers.bank: the four customers of the bank metaphor, and the late socket."""
import threading

import pytest

from helpers import bank
from helpers.timing import now


def test_ticket_runs_callbacks_on_the_finishing_thread_and_after_the_fact():
    t = bank.Ticket()
    seen = []
    t.add_done_callback(lambda tk: seen.append(threading.current_thread().name))
    finisher = threading.Thread(target=t.finish, name="counter")
    finisher.start()
    finisher.join()
    assert t.done() and seen == ["counter"] and t.done_at is not None
    t.add_done_callback(lambda tk: seen.append("late"))  # already done: called at once
    assert seen == ["counter", "late"]


def test_ticket_wait_times_out():
    with pytest.raises(TimeoutError):
        bank.Ticket().wait(0.01)


def test_visit_all_tells_the_two_dimensions_apart():
    visits, tl = bank.visit_all(ahead=1, service=0.1)
    names = [bank.style_name(s) for s in bank.STYLES]
    assert list(visits) == names == ["同步阻塞", "同步非阻塞", "异步阻塞", "异步非阻塞"]
    work = bank.CALLS * bank.CALL_TIME
    for name in ["同步阻塞", "异步阻塞"]:  # blocked: waiting and calls add up
        assert visits[name].total >= 0.95 * (visits[name].waited + work)
        assert visits[name].calls_while_waiting == 0
    for name in ["同步非阻塞", "异步非阻塞"]:  # not blocked: waiting overlaps the calls
        assert visits[name].total < visits[name].waited + work
    assert len(visits["同步非阻塞"].looks) >= 2 and visits["同步阻塞"].looks == []
    assert visits["异步非阻塞"].looks == [] and visits["异步非阻塞"].notified_on == "柜台"
    assert all(v.noticed >= v.done_at for v in visits.values())
    kinds = [(row, kind) for row, _, kind in bank.marks(visits, tl)]
    assert kinds.count(("同步非阻塞", "look")) == len(visits["同步非阻塞"].looks)
    assert sum(kind == "notify" for _, kind in kinds) == 4
    assert tl.tasks and set(tl.tasks) == set(names)


def test_late_socket_sends_after_the_delay():
    start = now()
    with bank.late_socket(0.05, b"hi") as sock:
        sock.settimeout(5)
        assert sock.recv(10) == b"hi"
    assert now() - start >= 0.045


def test_bank_rejects_negative_sizes():
    with pytest.raises(ValueError):
        bank.Bank(ahead=-1)
