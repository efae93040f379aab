"""helpers/procstat.py: a thread's state letter and a process's CPU share."""
from __future__ import annotations

import subprocess
import sys
import threading
import time

from helpers.procstat import cpu_share, thread_state


def test_a_thread_blocked_on_an_event_sleeps_and_the_current_thread_runs():
    ev = threading.Event()
    ids = {}
    t = threading.Thread(target=lambda: (ids.setdefault("id", threading.get_native_id()), ev.wait(5)))
    t.start()
    try:
        time.sleep(0.1)
        state, cpu = thread_state(ids["id"])
        assert state == "S" and 0 <= cpu < 0.5
        assert thread_state(threading.get_native_id())[0] == "R"
    finally:
        ev.set()
        t.join()


def test_a_busy_child_uses_a_large_share_and_a_sleeping_child_none():
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        # on a loaded machine the busy child gets only a slice of a CPU, but never none
        assert cpu_share(busy.pid, 0.5) > 0.02
        assert cpu_share(idle.pid, 0.5) < 0.02
    finally:
        for p in (busy, idle):
            p.kill()
            p.wait()
