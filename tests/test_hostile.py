"""helpers.testing.hostile: every server the course ships survives every hostile client.

TARGETS: the helpers' servers; CHAPTER_TARGETS: the server programs of chapters 04-07, read from
the notebooks; C10K_TARGETS: chapter 09's lab servers (chapter 08 runs no server of its own).
An attack a seed server loses on purpose (its chapter's lesson) is skipped with the reason.
"""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import re
import socket
from pathlib import Path

import pytest

from helpers import c10k
from helpers.c10k import bench as c10k_bench
from helpers.fdlimit import raise_to_hard
from helpers.testing import hostile
from helpers.testing.hostile import Target, notebook_string
from helpers.servers import Site, echo_server, program_server, slow_site_server

raise_to_hard()  # before any server program starts: children inherit the limit

# An event-driven echo server program, written the way the chapters write theirs (selectors,
# per-connection buffers, sockets closed on Ctrl-C): the model for a chapter program target.
SELECTORS_ECHO = '''
import selectors, socket
sel = selectors.DefaultSelector()
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(4096)
server.setblocking(False)
sel.register(server, selectors.EVENT_READ, None)
print(f"echo server listening on 127.0.0.1:{server.getsockname()[1]}", flush=True)
pending = {}
def close(conn):
    sel.unregister(conn)
    pending.pop(conn, None)
    conn.close()
try:
    while True:
        for key, mask in sel.select():
            if key.data is None:
                while True:
                    try:
                        conn, _ = server.accept()
                    except BlockingIOError:
                        break
                    conn.setblocking(False)
                    pending[conn] = bytearray()
                    sel.register(conn, selectors.EVENT_READ, "client")
                continue
            conn = key.fileobj
            out = pending[conn]
            if mask & selectors.EVENT_READ:
                try:
                    data = conn.recv(65536)
                except ConnectionError:
                    close(conn)
                    continue
                if not data:
                    if not out:
                        close(conn)
                        continue
                    sel.modify(conn, selectors.EVENT_WRITE, "closing")
                out += data.upper()
            if out:
                try:
                    del out[:conn.send(out)]
                except BlockingIOError:
                    pass
                except ConnectionError:
                    close(conn)
                    continue
            if not out and key.data == "closing":
                close(conn)
            elif out and key.data == "client":
                sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, "client")
            elif not out and key.data == "client" and mask & selectors.EVENT_WRITE:
                sel.modify(conn, selectors.EVENT_READ, "client")
finally:
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    sel.close()
'''

TARGETS = [
    Target("echo_server", lambda: echo_server(log_data=False), connections=10_000),
    Target("slow_site_server", lambda: slow_site_server({"a": Site(latency=0, size=5000)}), protocol="http",
           connections=300, skip={}),
    Target("program_server(selectors echo)", lambda: program_server(SELECTORS_ECHO), connections=10_000),
]

# The chapters' own server programs, read from the notebooks (the test attacks exactly the program a chapter runs).
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def chapter_program(notebook: str, name: str, args=()):
    return lambda: program_server(notebook_string(NOTEBOOKS / notebook, name), args)


def merged(notebook: str) -> bool:
    return (NOTEBOOKS / notebook).exists()


def length_prefixed(message: bytes) -> bytes:  # helpers.framing's frame: 4-byte big-endian length + payload
    return len(message).to_bytes(4, "big") + message


def line(message: bytes) -> bytes:  # chapter 04's StreamServer: one message per line
    return message + b"\n"


def utf8_upper(message: bytes) -> bytes:
    """The seed's text echo, ``data.decode('utf-8').upper().encode('utf-8')``: no defined reply to bytes that are not UTF-8."""
    return message.decode("utf-8").upper().encode("utf-8")


def seed_sb(message: bytes) -> bytes:
    """Chapter 07's seed server answers every ``recv(1024)`` with ``data.upper() + b'_SB'``.

    A message of a few KiB sent with one send() lies whole in the server's receive buffer
    before the server reads it, so recv(1024) cuts it into 1024-byte pieces.
    """
    return b"".join(message[i:i + 1024].upper() + b"_SB" for i in range(0, len(message), 1024))


# What gevent prints when a handler greenlet dies (the server itself goes on serving).
_GREENLET_DEATH = r"Traceback \(most recent call last\):\n(?:  .*\n)*{exc}: .*\n\S+ <Greenlet at 0x[0-9a-f]+: .*> failed with {exc}\n\n?"


class _Tolerant:
    """A running server whose stderr is read without the handler-greenlet deaths of the given exceptions."""

    def __init__(self, srv, exceptions):
        self._srv = srv
        self._deaths = [re.compile(_GREENLET_DEATH.format(exc=e)) for e in exceptions]

    def __getattr__(self, name):
        return getattr(self._srv, name)

    @property
    def error_output(self) -> str:
        text = self._srv.error_output
        for death in self._deaths:
            text = death.sub("", text)
        return text


@contextlib.contextmanager
def tolerating(start, *exceptions):
    """Start a gevent server program whose per-connection handler greenlet may die of *exceptions*.

    gevent catches the exception, prints the greenlet's traceback, closes that one connection
    and goes on serving; the seed's handler catches nothing.  Everything else still counts:
    the probe is served, the process lives, it stops cleanly, and any other traceback fails.
    """
    with start() as srv:
        yield _Tolerant(srv, exceptions)


SELECT_CRASH = ("recv(1024).decode('utf-8') raises UnicodeDecodeError on bytes that are not UTF-8 (1 MiB of every "
                "byte value is not UTF-8 either) and the single-threaded server process dies, every client with it")
SELECT_SKIPS = dict.fromkeys(["random_bytes", "one_mib", "non_utf8"],
                             f"chapter 06 (1.1) shows this crash of the seed's select server: {SELECT_CRASH}")
SEED_07_SKIPS = {
    "one_mib": "chapter 07 (3.2) shows this: the reply depends on where recv(1024) happens to cut a stream that "
               "arrives piece by piece, each piece answered with its own b'_SB', so 1 MiB has no defined reply",
    "many": "the seed's listen(5): bursts of connects overflow the 6-slot accept queue and the kernel drops the "
            "handshake ACKs of connections the client already counts as open; measured: of 10,000, 700-1,000 were "
            "never served within 60 s, and even 1,000 lost 3 in 1 of 8 runs. A backlog limit, not the event loop's: "
            "chapter 07's corrected server (07 helpers.servers.selectors_echo program) holds 10,000",
}
# Chapter 04's servers listen with a backlog of 128 (the seed's sk.listen(), StreamServer's default): the
# many-client's bursts of 500 connects overflow the accept queue and dropped SYNs are retried after 1 s, so
# opening 10,000 took 9.5 s (seed) and 17.7-18.5 s (StreamServer) against 1.3 s for the same StreamServer with
# backlog=4096.  Gevent at 10,000 connections is covered by "09 c10k gevent" (backlog 4096); here 1,000.
BACKLOG_128 = 1000

CHAPTER_TARGETS = [
    (Target("07 helpers.servers.selectors_echo program (framed)",
            lambda: program_server("from helpers.servers.selectors_echo import main\nmain()\n", ["--port", "0"]),
            transform=lambda b: b, frame=length_prefixed, connections=10_000),
     importlib.util.find_spec("helpers.servers.selectors_echo") is not None),
    (Target("05 NONBLOCKING_SERVER fixed", chapter_program("05_io-models.ipynb", "NONBLOCKING_SERVER", ["fixed", "0.001"]),
            stream=False, connections=1000),  # recv(1024) per message; busy-polls a list of sockets
     merged("05_io-models.ipynb")),
    # chapter 04: the seed's monkey-patched server (a greenlet per connection, recv(1024).decode per message) and
    # the chapter's StreamServer with line framing (decodes whole lines).  A client that sends bytes that are not
    # UTF-8 (chapter 04 shows it with a character cut by recv(1024)) or resets kills its own greenlet only.
    (Target("04 SEED_SERVER (gevent)",
            lambda: tolerating(chapter_program("04_gevent.ipynb", "SEED_SERVER"), "UnicodeDecodeError", "ConnectionResetError"),
            transform=utf8_upper, connections=BACKLOG_128),
     merged("04_gevent.ipynb")),
    (Target("04 STREAM_SERVER (gevent, lines)",
            lambda: tolerating(chapter_program("04_gevent.ipynb", "STREAM_SERVER"), "UnicodeDecodeError", "ConnectionResetError"),
            transform=utf8_upper, frame=line, connections=BACKLOG_128),
     merged("04_gevent.ipynb")),
    # chapter 05 runs the seed's select() echo server (chapter 06 starts from it); 1,000 connections keep every
    # fd below FD_SETSIZE (1024)
    (Target("05 SEED_SELECT_SERVER (seed select)", chapter_program("05_io-models.ipynb", "SEED_SELECT_SERVER"),
            transform=utf8_upper, connections=1000, skip=SELECT_SKIPS),
     merged("05_io-models.ipynb")),
    # chapter 07: the seed's selectors server (blocking accepted sockets, b"_SB" after every recv(1024))
    (Target("07 SEED_SELECTORS_SERVER", chapter_program("07_selectors.ipynb", "SEED_SELECTORS_SERVER"),
            transform=seed_sb, stream=False, skip=SEED_07_SKIPS),
     merged("07_selectors.ipynb")),
]
# Chapter 08 runs no server of its own (only helpers.servers.slow_site_server, attacked above).
# Chapter 09: the C10K lab's servers, framed echo (4-byte big-endian length prefix), each in its own process.
C10K_TARGETS = [
    (Target(f"09 c10k {kind}", functools.partial(c10k_bench.start_server, kind), transform=lambda b: b,
            frame=length_prefixed, connections=1000 if spec.model == "thread" else 10_000),
     spec.available())
    for kind, spec in c10k.SERVERS.items()
]


def params(targets):
    return [pytest.param(t, id=str(t), marks=pytest.mark.skipif(not present, reason=f"{t}: chapter not merged yet, "
                                                                                      f"or its library is absent"))
            for t, present in targets]


def attack(target: Target, name: str, record_property) -> None:
    if name in target.skip:
        pytest.skip(f"{target}: {target.skip[name]}")
    report = hostile.run(target, name)
    record_property("hostile", report)
    print(f"{target} / {name}: {report}")


# Three classes, so that `pytest -n 2 --dist loadscope` spreads the targets over both workers.
@pytest.mark.parametrize("name", list(hostile.ATTACKS))
class TestHelperServers:
    @pytest.mark.parametrize("target", params((t, True) for t in TARGETS))
    def test_server_survives(self, target, name, record_property):
        attack(target, name, record_property)


@pytest.mark.parametrize("name", list(hostile.ATTACKS))
class TestChapterPrograms:
    @pytest.mark.parametrize("target", params(CHAPTER_TARGETS))
    def test_server_survives(self, target, name, record_property):
        attack(target, name, record_property)


@pytest.mark.parametrize("name", list(hostile.ATTACKS))
class TestC10KServers:
    @pytest.mark.parametrize("target", params(C10K_TARGETS))
    def test_server_survives(self, target, name, record_property):
        attack(target, name, record_property)


def test_a_fragile_server_is_caught():
    """The toolkit must fail a server that crashes on non-UTF-8 input (the seed's data.decode())."""
    fragile = SELECTORS_ECHO.replace("out += data.upper()", "out += data.decode().upper().encode()")
    target = Target("fragile", lambda: program_server(fragile))
    with pytest.raises(AssertionError, match="did not survive non_utf8") as info:
        hostile.run(target, "non_utf8")
    assert "UnicodeDecodeError" in str(info.value), "the failure shows the server's own traceback"


def test_a_server_that_loses_bytes_is_caught(monkeypatch):
    monkeypatch.setattr(hostile, "TIMEOUT", 1.0)  # a lost byte shows up as a reply that never completes
    target = Target("lossy", lambda: echo_server(transform=lambda b: b.upper()[:-1] if len(b) > 1000 else b.upper()))
    with pytest.raises(AssertionError, match="no complete reply within 1 s"):
        hostile.run(target, "one_mib")


def test_notebook_string_reads_a_top_level_constant(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%load_ext helpers\nSERVER_CODE = '''print(1)\\n'''"),
                nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert notebook_string(tmp_path / "n.ipynb", "SERVER_CODE") == "print(1)\n"
    with pytest.raises(LookupError, match="MISSING"):
        notebook_string(tmp_path / "n.ipynb", "MISSING")


def test_exchange_interleaves_so_big_payloads_do_not_deadlock():
    with echo_server(log_data=False) as srv:
        payload = b"z" * (8 * 1024 * 1024)
        assert hostile.exchange(srv.address, payload, want=len(payload)) == payload.upper()
    with pytest.raises(OSError):
        socket.create_connection(srv.address, timeout=1)


def test_stray_tracebacks_are_told_from_the_stop():
    stop = "Traceback (most recent call last):\n  File \"server.py\", line 3\nKeyboardInterrupt\n"
    chained = ("Traceback (most recent call last):\n  x\nBlockingIOError: [Errno 11]\n\n"
               "During handling of the above exception, another exception occurred:\n\n" + stop)
    gevent = stop + "2026-01-01T00:00:00Z <Greenlet at 0x1: handle(…)> failed with KeyboardInterrupt\n"
    crash = "Traceback (most recent call last):\n  x\nUnicodeDecodeError: 'utf-8' codec can't decode\n"
    assert hostile.stray_traceback("") is None
    assert hostile.stray_traceback(stop) is None and hostile.stray_traceback(chained) is None
    assert hostile.stray_traceback(gevent) is None
    assert "UnicodeDecodeError" in hostile.stray_traceback(crash + stop)


LINE_ECHO = r'''
import asyncio

async def handle(reader, writer):
    while line := await reader.readline():
        writer.write(line[:-1].upper() + b"!\n")
        await writer.drain()
    writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
    print(f"127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()

asyncio.run(main())
'''


def test_many_frames_with_the_target_and_waits_for_its_whole_reply():
    """The many-connections client sends each target's own framing (here: lines, which the
    server answers only at b"\\n") and reads each reply to its full length (here one byte longer)."""
    target = Target("line echo", lambda: program_server(LINE_ECHO), transform=lambda b: b.upper() + b"!",
                    frame=line, connections=300)
    assert "300 simultaneous connections" in hostile.run(target, "many")


def test_a_dropped_connection_is_told_from_a_hang():
    import errno

    assert hostile.closed_by_peer(ConnectionResetError()) and hostile.closed_by_peer(BrokenPipeError())
    assert hostile.closed_by_peer(OSError(errno.ENOTCONN, "reset before our shutdown(SHUT_WR)"))
    assert not hostile.closed_by_peer(TimeoutError("no complete reply"))
    assert not hostile.closed_by_peer(OSError(errno.EBADF, "bad file descriptor"))


def test_tolerating_hides_only_the_named_greenlet_deaths():
    def death(exc):
        return ("Traceback (most recent call last):\n  File \"src/gevent/greenlet.py\", line 912, in run\n"
                "  File \"server.py\", line 11, in handle_conn\n    text = line.decode(ENCODING)\n"
                f"{exc}: boom\n2026-01-01T00:00:00Z <Greenlet at 0x7f0: handle_conn(<socket>, ('127.0.0.1', 1))> "
                f"failed with {exc}\n\n")

    class Fake:
        error_output = death("UnicodeDecodeError") + death("ValueError") + death("ConnectionResetError")
        address = ("127.0.0.1", 1)

    tolerant = _Tolerant(Fake(), ["UnicodeDecodeError", "ConnectionResetError"])
    assert tolerant.address == Fake.address
    assert tolerant.error_output == death("ValueError")
    assert "ValueError" in hostile.stray_traceback(tolerant.error_output)
    assert hostile.stray_traceback(_Tolerant(Fake(), ["UnicodeDecodeError", "ValueError", "ConnectionResetError"]).error_output) is None
