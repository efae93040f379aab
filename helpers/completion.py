"""Asynchronous I/O in Stevens' sense: submit a read, keep working, get a *completion* with the data.

:func:`completion_read` shows the fifth I/O model on a local socket pair.  The application
submits a read for a socket that has no data yet, returns at once, keeps computing, and the
peer sends after *delay* seconds.  The kernel waits for the data **and** copies it into the
application's buffer; only then does a completion arrive.  No ``recv`` is called afterwards
and the socket has nothing left to read — the copy was done by the kernel.

Backends, tried in this order by ``backend="auto"``:

``io_uring``   Linux ≥ 5.1, through the ``caio`` package (``caio.linux_uring``): a real
               completion API that works on sockets.
``linux_aio``  Linux AIO (``io_submit``) through ``caio.linux_aio``.  It is completion-based,
               but asynchronous only for regular files (on a socket ``io_submit`` itself
               blocks), so this backend reads a temporary *file*.
``simulation`` A clearly labelled stand-in: a helper thread plays the kernel (blocking
               ``recv_into`` into the buffer, then posts the completion).  Used when the
               kernel or a container refuses both APIs (EPERM from seccomp, or
               ``kernel.io_uring_disabled``).

The peer that sends the data is a separate *process* (:class:`_Peer`), started before the
clock starts and told when to send: a sender thread in this process would need the GIL, and
the application's busy loop could delay it by hundreds of milliseconds on a loaded machine.
The application's "other work" (:func:`_work`) hashes a buffer, which releases the GIL too.

The function never raises because an API is refused: the refusals are listed in
:attr:`CompletionResult.refused` so a notebook can say what happened.

Used in: 05.
"""
from __future__ import annotations

import hashlib
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

__all__ = ["BACKENDS", "completion_read", "CompletionResult"]

BACKENDS = ("io_uring", "linux_aio", "simulation")


@dataclass
class CompletionResult:
    """What one asynchronous read did (times in seconds from the submit call)."""

    backend: str
    data: bytes
    submit_call: float            # how long the submit call itself took
    sent_at: float                # when the peer sent the data (0 for a file)
    completed_at: float           # when the application saw the completion
    work_chunks: int              # units of other work done while the read was in flight
    leftover: bool                # True if the socket still had data (it must not)
    refused: list[str] = field(default_factory=list)

    @property
    def simulated(self) -> bool:
        """True when no kernel completion API was available."""
        return self.backend == "simulation"


_BLOCK = bytes(16 * 1024)


def _work(chunk: float = 0.001) -> None:
    """About *chunk* seconds of computation (the application's 'other work').

    It hashes a 16 KiB block again and again: hashlib releases the GIL for such a block, so
    other threads of the process are not starved while the application 'works'.
    """
    end = time.perf_counter() + chunk
    while time.perf_counter() < end:
        hashlib.sha256(_BLOCK).digest()


# The peer program: wait for "TARGET\n" on stdin (a time.monotonic() value), sleep until then,
# send the payload (hex in argv[2]) on the inherited socket (fd in argv[1]), print when it sent.
_PEER = r"""
import socket, sys, time
fd, payload = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
s = socket.socket(fileno=fd)
print("ready", flush=True)
line = sys.stdin.readline()
if line.strip():
    time.sleep(max(0.0, float(line) - time.monotonic()))
    sent = time.monotonic()
    s.sendall(payload)
    print(repr(sent), flush=True)
s.close()
"""


class _Peer:
    """A separate process that holds one end of a socket pair and sends *payload* on cue.

    Times are ``time.monotonic()`` values, which are comparable across processes on one
    machine (CLOCK_MONOTONIC on Linux).
    """

    def __init__(self, sock: socket.socket, payload: bytes, timeout: float):
        self.timeout = timeout
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _PEER, str(sock.fileno()), payload.hex()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, pass_fds=(sock.fileno(),))
        sock.close()                          # the child has its own copy of the descriptor
        ready = select.select([self.proc.stdout], [], [], timeout)[0]
        if not ready or self.proc.stdout.readline().strip() != "ready":
            self.close()
            raise TimeoutError("the peer process did not start")

    def send_at(self, when: float) -> None:
        """Tell the peer to send at monotonic time *when* (returns at once)."""
        self.proc.stdin.write(f"{when!r}\n")
        self.proc.stdin.flush()

    def sent(self) -> float:
        """Wait for the peer to report; return the monotonic time at which it sent."""
        out, _ = self.proc.communicate(timeout=self.timeout)
        return float(out.strip())

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


def _leftover(sock: socket.socket) -> bool:
    try:
        return bool(sock.recv(1, socket.MSG_DONTWAIT))
    except BlockingIOError:
        return False


def _work_until_complete(ctx, deadline: float, api: str, on_timeout=lambda: None) -> int:
    """Do other work until *ctx*'s completion eventfd is readable, then reap the completion.

    Returns how many chunks of work were done meanwhile; raises TimeoutError after *deadline*.
    """
    chunks = 0
    while not select.select([ctx.fileno], [], [], 0)[0]:   # peek at the completion eventfd
        if time.monotonic() > deadline:
            on_timeout()
            raise TimeoutError(f"no completion from {api}")
        _work()
        chunks += 1
    ctx.poll()
    ctx.process_events()
    return chunks


def _uring(payload: bytes, delay: float, timeout: float) -> CompletionResult:
    from caio import linux_uring  # ImportError if the extension was not built

    if linux_uring is None:  # pragma: no cover - caio sets None when unavailable
        raise ImportError("caio.linux_uring is not available")
    ctx = linux_uring.Context(max_requests=4)  # OSError (EPERM) where io_uring is refused
    a, b = socket.socketpair()
    peer = None
    try:
        peer = _Peer(b, payload, timeout)
        op = linux_uring.Operation.read(len(payload), a.fileno(), 0)
        done: list[int] = []
        op.set_callback(done.append)
        t0 = time.monotonic()
        ctx.submit(op)
        ctx.flush()                       # io_uring_enter: the request is in the kernel
        submit_call = time.monotonic() - t0
        peer.send_at(t0 + delay)
        chunks = _work_until_complete(ctx, t0 + timeout, "io_uring", on_timeout=lambda: ctx.cancel(op))
        completed_at = time.monotonic() - t0
        sent_at = peer.sent() - t0
        return CompletionResult("io_uring", op.get_value(), submit_call, sent_at, completed_at, chunks,
                                _leftover(a))
    finally:
        if peer is not None:
            peer.close()
        a.close()
        b.close()
        del ctx


def _linux_aio(payload: bytes, delay: float, timeout: float) -> CompletionResult:
    from caio import linux_aio

    if linux_aio is None:  # pragma: no cover
        raise ImportError("caio.linux_aio is not available")
    ctx = linux_aio.Context(max_requests=4)  # OSError where io_setup is refused
    with tempfile.TemporaryDirectory(prefix="course-aio-") as tmp:
        path = os.path.join(tmp, "data.bin")
        with open(path, "wb") as f:
            f.write(payload)
        fd = os.open(path, os.O_RDONLY)
        try:
            op = linux_aio.Operation.read(len(payload), fd, 0)
            done: list[int] = []
            op.set_callback(done.append)
            t0 = time.monotonic()
            ctx.submit(op)
            submit_call = time.monotonic() - t0
            chunks = _work_until_complete(ctx, t0 + timeout, "Linux AIO")
            completed_at = time.monotonic() - t0
            return CompletionResult("linux_aio", op.get_value(), submit_call, 0.0, completed_at, chunks, False)
        finally:
            os.close(fd)
            del ctx


def _simulation(payload: bytes, delay: float, timeout: float) -> CompletionResult:
    a, b = socket.socketpair()
    a.settimeout(timeout)
    buf = bytearray(len(payload))
    completion = threading.Event()

    def kernel_stand_in():           # plays the kernel: both phases, then the completion
        try:
            view, got = memoryview(buf), 0
            while got < len(buf):
                n = a.recv_into(view[got:])
                if not n:
                    break
                got += n
        except OSError:
            pass
        completion.set()

    helper = threading.Thread(target=kernel_stand_in, name="simulated-kernel", daemon=True)
    peer = None
    try:
        peer = _Peer(b, payload, timeout)
        t0 = time.monotonic()
        helper.start()
        submit_call = time.monotonic() - t0
        peer.send_at(t0 + delay)
        chunks = 0
        while not completion.is_set():
            if time.monotonic() > t0 + timeout:
                raise TimeoutError("the simulated completion did not arrive")
            _work()
            chunks += 1
        completed_at = time.monotonic() - t0
        sent_at = peer.sent() - t0
        helper.join(timeout)
        a.settimeout(None)
        return CompletionResult("simulation", bytes(buf), submit_call, sent_at, completed_at, chunks,
                                _leftover(a))
    finally:
        if peer is not None:
            peer.close()
        a.close()
        b.close()
        helper.join(1.0)


_IMPL = {"io_uring": _uring, "linux_aio": _linux_aio, "simulation": _simulation}


def completion_read(payload: bytes = b"hello, completion", delay: float = 0.2, *, backend: str = "auto",
                    timeout: float = 5.0) -> CompletionResult:
    """Submit one read, keep working until its completion arrives; see the module docstring.

    *backend* is ``"auto"`` (io_uring, then Linux AIO, then the simulation) or one of
    :data:`BACKENDS`.  Refusals met on the way are listed in ``result.refused``.
    """
    if backend != "auto" and backend not in BACKENDS:
        raise ValueError(f"backend must be 'auto' or one of {BACKENDS}")
    if not payload:
        raise ValueError("payload must not be empty")
    order = BACKENDS if backend == "auto" else (backend,)
    refused: list[str] = []
    for name in order:
        try:
            result = _IMPL[name](payload, delay, timeout)
        except (OSError, ImportError) as exc:
            if backend != "auto" or name == "simulation":
                raise
            refused.append(f"{name}: {exc.__class__.__name__}: {exc}")
            continue
        result.refused = refused
        return result
    raise RuntimeError("unreachable")  # pragma: no cover
