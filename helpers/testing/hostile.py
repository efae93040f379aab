"""Hostile clients: the attacks every server of the course must survive, and how to run them.

Each attack misbehaves against a running server; afterwards :func:`run` checks that

1. a well-behaved client is still served correctly (the target's *probe*: for echo servers,
   every byte comes back transformed, none lost or changed),
2. the server has not crashed (``srv.check()``), and
3. it shuts down cleanly: leaving its ``with`` block takes < 3 s, the port is closed
   afterwards, and a server program printed no traceback other than the final
   ``KeyboardInterrupt`` of its stop.

Attacks (:data:`ATTACKS`): ``random_bytes`` (hypothesis: arbitrary payloads, echoed exactly),
``one_mib`` (a 1 MiB message, every byte value), ``non_utf8`` (invalid UTF-8), ``slowloris``
(50 clients connect and never send while the probe runs), ``reset`` (20 clients send half a
message and reset: SO_LINGER 0), ``half_close`` (send, ``shutdown(SHUT_WR)``, expect the whole
reply and then EOF), ``many`` (``target.connections`` simultaneous connections, 10,000 for the
event-driven servers, opened by a child process so neither side runs out of descriptors; all
held while the probe runs, then each one is served).

A :class:`Target` describes one server: how to start it (a context manager factory whose
value has ``.address``), its protocol (``"echo"`` with a byte-wise *transform*, or
``"http"`` for :func:`helpers.servers.slow_site_server`), how many simultaneous connections
it is designed for, and attacks that do not apply (with the reason: e.g. a blocking,
one-client-at-a-time server *is* stopped by slowloris; that is the lesson of its chapter).

Adding a chapter's server program: in ``tests/test_hostile.py``
append to ``TARGETS``::

    Target("07 selectors echo",
           lambda: program_server(notebook_string("notebooks/07_selectors.ipynb", "SERVER_CODE")),
           transform=bytes.upper, connections=10_000)

A framed protocol (e.g. a 4-byte length prefix, or one message per line) passes ``frame=``
(message -> wire bytes; every attack, the many-connections client included, frames with it);
random bytes are then sent raw (garbage must not kill the server, which may answer or
close), while every well-formed message is checked byte for byte.

``notebook_string`` reads a top-level string constant from a notebook's code cells, so the
test attacks exactly the program the chapter runs.  Use ``stream=False`` for a seed-style
server that answers one ``recv(1024)`` per message (its reply must then be a correct *prefix*),
``connections=`` a few hundred for thread-per-connection servers, and ``skip={"slowloris":
"blocking server: serves one client at a time (chapter 05's point)"}`` where an attack
defeats the design on purpose.  Every test is parametrized over targets × attacks.
"""
from __future__ import annotations

import ast
import errno
import hashlib
import json
import re
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from helpers import procs
from helpers.fdlimit import raise_to_hard

TIMEOUT = 10.0  # seconds any single client operation may take before the server counts as hung


@dataclass
class Target:
    """One server under attack (see module docstring)."""

    name: str
    start: Callable[[], object]  # returns a fresh (not yet entered) context manager
    protocol: str = "echo"  # "echo" | "http"
    transform: Callable[[bytes], bytes] = bytes.upper  # echo: reply = transform(request), byte for byte
    frame: Callable[[bytes], bytes] | None = None  # echo with framing (e.g. length-prefixed): wraps each message
    stream: bool = True  # echo: any size, any chunking; False: one recv per message (reply is a prefix)
    connections: int = 10_000  # simultaneous connections it must hold
    http_site: str = "a"  # http: the site the probe fetches
    examples: int = 25  # hypothesis examples for random_bytes
    skip: dict[str, str] = field(default_factory=dict)  # attack -> why it does not apply

    def __str__(self):
        return self.name


# ---------------------------------------------------------------------------------------------
# clients

def exchange(address, payload: bytes, *, half_close: bool = False, want: int | None = None,
             timeout: float | None = None) -> bytes:
    """Send *payload* while reading; stop after *want* bytes, or at EOF (with *half_close*).

    Sending and receiving are interleaved (non-blocking) so a large payload cannot deadlock
    against a server that echoes as it reads.
    """
    import selectors

    timeout = TIMEOUT if timeout is None else timeout
    reply = bytearray()
    deadline = time.monotonic() + timeout
    with socket.create_connection(address, timeout=timeout) as s, selectors.DefaultSelector() as sel:
        s.setblocking(False)
        view = memoryview(payload)
        sel.register(s, selectors.EVENT_READ | (selectors.EVENT_WRITE if payload else 0))
        shut = False
        if not payload and half_close:
            s.shutdown(socket.SHUT_WR)
            shut = True
        while True:
            if want is not None and len(reply) >= want:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no complete reply within {timeout:g} s (got {len(reply)} bytes)")
            for _key, mask in sel.select(timeout=left):
                if mask & selectors.EVENT_WRITE and view:
                    try:
                        view = view[s.send(view[:65536]):]
                    except BlockingIOError:
                        pass
                    if not view:
                        if half_close and not shut:
                            s.shutdown(socket.SHUT_WR)
                            shut = True
                        sel.modify(s, selectors.EVENT_READ)
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = s.recv(65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        return bytes(reply)
                    reply += chunk
    return bytes(reply)


def _reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def http_get(address, path: str, timeout: float | None = None) -> tuple[int, bytes]:
    """A minimal, correct HTTP/1.1 GET (``Connection: close``); returns (status, body)."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    raw = exchange(address, request, timeout=timeout)
    head, _, body = raw.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        raise AssertionError(f"not an HTTP reply: {raw[:80]!r}")
    return int(head.split()[1]), body


def probe(target: Target, srv) -> None:
    """The well-behaved client: raises AssertionError unless it is served correctly."""
    if target.protocol == "http":
        status, body = http_get(srv.address, f"/{target.http_site}/")
        assert status == 200 and body == srv.body(target.http_site), \
            f"{target}: a well-behaved GET got {status} and {len(body)} bytes"
        return
    payload = b"hello, well-behaved client " + str(time.perf_counter()).encode()  # short ASCII, one recv
    expected = _reply(target, payload)
    got = exchange(srv.address, _wire(target, payload), want=len(expected))
    assert got == expected, f"{target}: a well-behaved client got {got!r}, expected {expected!r}"


def _wire(target: Target, payload: bytes) -> bytes:
    """What goes on the wire for one message."""
    return target.frame(payload) if target.frame else payload


def _reply(target: Target, payload: bytes) -> bytes:
    """The exact bytes a correct echo server sends back for one message."""
    reply = target.transform(payload)
    return target.frame(reply) if target.frame else reply


def _undefined_reply(target: Target, srv, payload: bytes) -> bool:
    """True if the protocol has no correct reply for *payload* (e.g. a text protocol and bytes that are not
    UTF-8): then the server may answer anything or close; it only has to survive.  Sends it if so."""
    try:
        _reply(target, payload)
        return False
    except Exception:
        try:
            exchange(srv.address, _wire(target, payload), half_close=True, timeout=2)
        except (OSError, TimeoutError):
            pass
        return True


def _check_echo(target: Target, payload: bytes, got: bytes) -> None:
    expected = _reply(target, payload)
    if target.stream:
        assert got == expected, (f"{target}: {len(payload)} bytes sent, {len(got)} came back"
                                 + ("" if len(got) != len(expected) else " (changed)"))
    else:
        assert got and expected.startswith(got), f"{target}: the reply is not a prefix of the expected echo"


def closed_by_peer(exc: BaseException) -> bool:
    """True if *exc* only says the server dropped the connection (reset it, or reset it before our shutdown).

    A server that closes on garbage while bytes are still unread sends RST; depending on when it
    arrives, the client's send, recv or shutdown(SHUT_WR) fails (ENOTCONN for the latter).
    A timeout is not a close: it means the server hung.
    """
    return isinstance(exc, ConnectionError) or (isinstance(exc, OSError) and exc.errno == errno.ENOTCONN)


def _http_reply_ok(raw: bytes) -> bool:
    return raw == b"" or raw.startswith(b"HTTP/1.1 ")


# ---------------------------------------------------------------------------------------------
# attacks: each takes (target, srv) and returns a one-line description of what happened

def attack_random_bytes(target: Target, srv) -> str:
    from hypothesis import HealthCheck, given, settings, strategies as st

    seen = []

    @settings(max_examples=target.examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(st.binary(min_size=1, max_size=4096))
    def one(payload):
        if target.protocol == "http":
            raw = exchange(srv.address, payload, half_close=True)
            assert _http_reply_ok(raw), f"{target}: random bytes got {raw[:60]!r}"
        elif target.frame:  # raw garbage is not a frame: the server must survive it (reply or close)
            try:
                exchange(srv.address, payload, half_close=True)
            except OSError as exc:
                if not closed_by_peer(exc):
                    raise
        elif not _undefined_reply(target, srv, payload):
            want = len(_reply(target, payload)) if target.stream else None
            got = exchange(srv.address, payload, want=want, half_close=not target.stream)
            _check_echo(target, payload, got)
        seen.append(len(payload))

    one()
    exact = target.protocol == "echo" and not target.frame
    return f"{len(seen)} random payloads (1–4096 bytes) " + ("echoed exactly" if exact else "survived (answered or closed)")


def attack_one_mib(target: Target, srv) -> str:
    payload = bytes(range(256)) * 4096
    if target.protocol == "http":
        try:
            raw = exchange(srv.address, payload, half_close=True)
        except (ConnectionResetError, BrokenPipeError):
            return "1 MiB request: connection reset by the server (refused)"
        assert _http_reply_ok(raw), f"{target}: 1 MiB request got {raw[:60]!r}"
        return f"1 MiB request: answered {raw[:12].decode('latin-1')!r}"
    if _undefined_reply(target, srv, payload):
        return "1 MiB message (no defined reply in this protocol): survived"
    want = len(_reply(target, payload)) if target.stream else None
    got = exchange(srv.address, _wire(target, payload), want=want, half_close=not target.stream)
    _check_echo(target, payload, got)
    return f"1 MiB message: {len(got)} bytes echoed" + (" exactly" if target.stream else " (a correct prefix)")


def attack_non_utf8(target: Target, srv) -> str:
    payload = b"\xff\xfe\x80 invalid \xc3\x28 utf-8 \xed\xa0\x80"
    if target.protocol == "http":
        raw = exchange(srv.address, b"GET /\xff\xfe\x80 HTTP/1.1\r\nHost: \xc3\x28\r\n\r\n", half_close=True)
        assert raw.startswith(b"HTTP/1.1 4"), f"{target}: non-UTF-8 request got {raw[:60]!r}"
        return f"non-UTF-8 request: answered {raw[:12].decode('latin-1')!r}"
    if _undefined_reply(target, srv, payload):
        return "non-UTF-8 bytes (no defined reply in this protocol): survived"
    got = exchange(srv.address, _wire(target, payload), want=len(_reply(target, payload)) if target.stream else None,
                   half_close=not target.stream)
    _check_echo(target, payload, got)
    return "non-UTF-8 bytes echoed exactly"


def attack_slowloris(target: Target, srv, n: int = 50) -> str:
    silent = [socket.create_connection(srv.address, timeout=5) for _ in range(n)]
    try:
        start = time.perf_counter()
        probe(target, srv)
        took = time.perf_counter() - start
    finally:
        for s in silent:
            s.close()
    return f"{n} silent connections held; the probe was served in {took * 1000:.0f} ms"


def attack_reset(target: Target, srv, n: int = 20) -> str:
    half = b"GET /a/ HT" if target.protocol == "http" else b"half a mess"
    for _ in range(n):
        s = socket.create_connection(srv.address, timeout=5)
        s.sendall(half)
        _reset(s)
    return f"{n} clients reset mid-message"


def attack_half_close(target: Target, srv) -> str:
    if target.protocol == "http":
        request = f"GET /{target.http_site}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        raw = exchange(srv.address, request, half_close=True)
        assert raw.startswith(b"HTTP/1.1 200") and raw.endswith(srv.body(target.http_site)), raw[:60]
        return "request + SHUT_WR: whole page, then EOF"
    payload = b"half-close: everything I sent, then EOF " * 100
    got = exchange(srv.address, _wire(target, payload), half_close=True)  # returns only at EOF: the server must close
    _check_echo(target, payload, got)
    return f"{len(payload)} bytes + SHUT_WR: all echoed, then EOF"


MANY_CLIENT = r'''
import hashlib, json, selectors, socket, sys, time
from helpers.fdlimit import raise_to_hard
host, port, n, mode, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
raise_to_hard()
sel = selectors.DefaultSelector()
socks = []
t0 = time.perf_counter()
for start in range(0, n, 500):
    batch = []
    for i in range(start, min(n, start + 500)):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((host, port))
        batch.append(s)
        sel.register(s, selectors.EVENT_WRITE)
    pending = len(batch)
    while pending:
        ready = sel.select(timeout=20)
        if not ready:
            sys.exit(f"connections stuck after {len(socks) + len(batch) - pending}")
        for key, _ in ready:
            err = key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                sys.exit(f"connect failed: errno {err}")
            sel.unregister(key.fileobj)
            pending -= 1
    socks += batch
print(json.dumps({"open": len(socks), "connect_s": time.perf_counter() - t0}), flush=True)
plan = json.loads(sys.stdin.readline())  # echo: each connection's wire bytes and reply length, from the Target
t1 = time.perf_counter()
def message(i):
    if mode == "http":
        return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    return bytes.fromhex(plan["wire"][i])
replies = [bytearray() for _ in socks]
done = 0
for i, s in enumerate(socks):
    s.send(message(i))
    sel.register(s, selectors.EVENT_READ, i)
finished = [False] * len(socks)
deadline = time.monotonic() + 60
while done < len(socks):
    ready = sel.select(timeout=max(0.0, deadline - time.monotonic()))
    if not ready:
        sys.exit(f"only {done} of {len(socks)} connections were served")
    for key, _ in ready:
        i = key.data
        chunk = key.fileobj.recv(65536)
        replies[i] += chunk
        if (not chunk) or (mode != "http" and len(replies[i]) >= plan["want"][i]):
            sel.unregister(key.fileobj)
            finished[i] = True
            done += 1
for s in socks:
    s.close()
if mode == "http":
    ok = sum(r.startswith(b"HTTP/1.1 200") for r in replies)
    print(json.dumps({"served": ok, "serve_s": time.perf_counter() - t1}), flush=True)
else:
    digest = hashlib.sha256(b"".join(bytes(r) for r in replies)).hexdigest()
    print(json.dumps({"served": len(socks), "digest": digest, "serve_s": time.perf_counter() - t1}), flush=True)
'''


def attack_many(target: Target, srv) -> str:
    n = target.connections
    raise_to_hard()  # for an in-process server; the client below raises its own (the one helper)
    host, port = srv.address
    path = f"/{target.http_site}/"
    argv = [sys.executable, "-c", MANY_CLIENT, host, str(port), str(n), target.protocol, path]
    plan = {}
    if target.protocol == "echo":  # the target's own framing and transform (reply length), not an assumed one
        messages = [f"connection {i:05d};".encode() for i in range(n)]
        plan = {"wire": [_wire(target, m).hex() for m in messages], "want": [len(_reply(target, m)) for m in messages]}
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=procs.child_env(), start_new_session=True, preexec_fn=procs.die_with_parent)
    try:
        line = child.stdout.readline()
        if not line:
            raise AssertionError(f"{target}: the {n}-connection client failed: {child.stderr.read().decode()[-500:]}")
        opened = json.loads(line)
        probe(target, srv)  # served while n connections are open
        child.stdin.write(json.dumps(plan).encode() + b"\n")
        child.stdin.flush()
        out, err = child.communicate(timeout=90)
    finally:
        procs.stop(child, grace=0.5)
        child.stdin.close()
        child.stdout.close()
        child.stderr.close()
    if child.returncode != 0:
        raise AssertionError(f"{target}: the {n}-connection client failed: {err.decode()[-500:]}")
    result = json.loads(out)
    if target.protocol == "http":
        assert result["served"] == n, f"{target}: only {result['served']} of {n} requests got 200"
    else:
        expected = b"".join(_reply(target, f"connection {i:05d};".encode()) for i in range(n))
        assert result["digest"] == hashlib.sha256(expected).hexdigest(), f"{target}: some of the {n} echoes were wrong"
    return (f"{n} simultaneous connections opened in {opened['connect_s']:.1f} s, probe served while open, "
            f"all {n} served in {result['serve_s']:.1f} s")


ATTACKS: dict[str, Callable[[Target, object], str]] = {
    "random_bytes": attack_random_bytes,
    "one_mib": attack_one_mib,
    "non_utf8": attack_non_utf8,
    "slowloris": attack_slowloris,
    "reset": attack_reset,
    "half_close": attack_half_close,
    "many": attack_many,
}


# ---------------------------------------------------------------------------------------------
# running one attack

def _port_closed(address) -> bool:
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return True
    return False


_CHAINED = re.compile(r"Traceback \(most recent call last\):.*?\n\n(During handling of the above exception, another "
                      r"exception occurred|The above exception was the direct cause of the following exception):\n\n",
                      re.S)


def stray_traceback(stderr: str) -> str | None:
    """A traceback in a program's stderr other than the KeyboardInterrupt of its stop.

    A chained traceback counts by its last exception (Ctrl-C while handling BlockingIOError
    in a polling loop is still just the stop).
    """
    blocks = _CHAINED.sub("", stderr).split("Traceback (most recent call last):")
    for block in blocks[1:]:  # gevent adds "<Greenlet …> failed with KeyboardInterrupt" after its traceback
        if not re.search(r"^KeyboardInterrupt\s*$", block, re.M):
            return "Traceback (most recent call last):" + block
    return None


def run(target: Target, attack: str) -> str:
    """Start *target*, run *attack*, probe, stop; returns the attack's report, raises on failure."""
    cm = target.start()
    srv = cm.__enter__()
    try:
        report = ATTACKS[attack](target, srv)
        probe(target, srv)
        if hasattr(srv, "check"):
            srv.check()
    except Exception as exc:
        cm.__exit__(*sys.exc_info())
        stderr = getattr(srv, "error_output", "")
        tail = f"\nthe server program's stderr (last lines):\n{stderr[-1500:]}" if stderr else ""
        raise AssertionError(f"{target} did not survive {attack}: {exc.__class__.__name__}: {exc}{tail}") from exc
    except BaseException:
        cm.__exit__(*sys.exc_info())
        raise
    start = time.perf_counter()
    cm.__exit__(None, None, None)
    took = time.perf_counter() - start
    assert took < 3.0, f"{target}: stopping took {took:.1f} s after {attack}"
    assert _port_closed(srv.address), f"{target}: port still open after stop"
    stderr = getattr(srv, "error_output", "")  # ProgramServer: its stderr
    stray = stray_traceback(stderr) if stderr else None
    assert stray is None, f"{target}: the server program printed a traceback during {attack}:\n{stray}"
    if hasattr(srv, "running"):
        assert not srv.running, f"{target}: server thread still running after stop"
    return f"{report}; stopped in {took * 1000:.0f} ms"


def notebook_string(path, name: str) -> str:
    """The value of the top-level string constant *name* (``NAME = '''...'''``) in a notebook's code cells."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    return node.value.value
    raise LookupError(f"no top-level string {name} = '''...''' in a code cell of {path}")
