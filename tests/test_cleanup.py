"""helpers.cleanup: a leaked thread, socket, selector or child process is reported; a clean run is not."""
from __future__ import annotations

import selectors
import socket
import subprocess
import sys
import threading

from helpers import cleanup


def test_clean_code_has_no_leftovers():
    before = cleanup.snapshot()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()
    assert cleanup.leftovers(before) == []


def test_a_leaked_socket_selector_thread_and_child_are_reported():
    before = cleanup.snapshot()
    sock = socket.socket()
    sel = selectors.DefaultSelector()
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, name="leaky-thread")
    t.start()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        found = " | ".join(cleanup.leftovers(before))
        assert "leaky-thread" in found
        assert "2 socket(s)/selector(s)" in found
        assert str(child.pid) in found
    finally:
        sock.close()
        sel.close()
        stop.set()
        t.join()
        child.kill()
        child.wait()
    assert cleanup.leftovers(before) == []
