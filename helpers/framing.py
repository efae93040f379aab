"""Message framing over TCP: a 4-byte big-endian length prefix, then the payload.

TCP is a byte stream: one ``send`` may arrive as several ``recv`` s, and several sends as one.
A protocol therefore has to say where a message ends.  The course's framed echo protocol
(chapter 07's selectors server, reused by the C10K lab) uses the simplest robust framing::

    +----------------------------+---------------------------+
    | length: 4 bytes, unsigned, | payload: `length` bytes   |
    | big-endian (network order) | (any bytes, 0 allowed)    |
    +----------------------------+---------------------------+

``struct`` format ``"!I"``; lengths above :data:`MAX_FRAME` are refused (a garbage or
hostile prefix must not make a server buffer gigabytes).

- :func:`encode` — payload → frame bytes;
- :class:`FrameDecoder` — feed it whatever ``recv`` returned, get back the complete payloads;
- :func:`take_frames` — remove every complete frame from the front of a ``bytearray`` and return
  them as one ``bytes`` (an echo server sends that back with a single call);
- :func:`send_frame` / :func:`recv_frame` / :func:`recv_exactly` — the blocking-socket versions
  for simple clients.

Every framed server of the course (chapter 07's selectors server and the C10K lab's servers)
refuses the same :data:`MAX_FRAME`.

Used in: 07, 09 (and 04, through helpers.clients).
"""
from __future__ import annotations

import socket
import struct

__all__ = ["HEADER", "MAX_FRAME", "ConnectionClosedEarly", "FrameDecoder", "FrameError", "complete_length",
           "encode", "recv_exactly", "recv_frame", "send_frame", "take_frames"]

HEADER = struct.Struct("!I")
MAX_FRAME = 16 * 1024 * 1024  # 16 MiB: the one limit every framed server enforces


class FrameError(ValueError):
    """The byte stream is not valid framing (a length above the limit)."""


class ConnectionClosedEarly(ConnectionError):
    """The peer closed the connection before the whole reply arrived."""

    def __init__(self, expected: int, got: bytes):
        super().__init__(f"connection closed after {len(got)} of {expected} bytes")
        self.expected = expected
        self.got = got


def encode(payload: bytes, *, max_frame: int = MAX_FRAME) -> bytes:
    """The frame for *payload*: ``HEADER.pack(len(payload)) + payload``."""
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise TypeError(f"payload must be bytes-like, not {type(payload).__name__}")
    if len(payload) > max_frame:
        raise FrameError(f"payload of {len(payload)} bytes exceeds the {max_frame}-byte limit")
    return HEADER.pack(len(payload)) + bytes(payload)


class FrameDecoder:
    """Incremental decoder: ``feed(chunk)`` returns the payloads completed by *chunk* (maybe none, maybe many)."""

    def __init__(self, max_frame: int = MAX_FRAME):
        if max_frame < 0:
            raise ValueError("max_frame must be >= 0")
        self.max_frame = max_frame
        self._buf = bytearray()
        self._need: int | None = None  # payload length of the frame being read, once its header is in

    def feed(self, data: bytes) -> list[bytes]:
        """Add *data*; return every payload now complete, in order. Raises FrameError on a bad length."""
        self._buf += data
        frames: list[bytes] = []
        while True:
            if self._need is None:
                if len(self._buf) < HEADER.size:
                    return frames
                (length,) = HEADER.unpack_from(self._buf)
                if length > self.max_frame:
                    raise FrameError(f"frame length {length} exceeds the {self.max_frame}-byte limit")
                del self._buf[:HEADER.size]
                self._need = length
            if len(self._buf) < self._need:
                return frames
            frames.append(bytes(self._buf[:self._need]))
            del self._buf[:self._need]
            self._need = None

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a complete frame (0 at a frame boundary)."""
        return len(self._buf) + (HEADER.size if self._need is not None else 0)


def complete_length(buf, *, max_frame: int = MAX_FRAME) -> int:
    """How many bytes at the front of *buf* form complete frames (0 if not even one)."""
    end, n = 0, len(buf)
    while n - end >= HEADER.size:
        (size,) = HEADER.unpack_from(buf, end)
        if size > max_frame:
            raise FrameError(f"frame length {size} exceeds the {max_frame}-byte limit")
        if n - end - HEADER.size < size:
            break
        end += HEADER.size + size
    return end


def take_frames(buf: bytearray, *, max_frame: int = MAX_FRAME) -> bytes:
    """Remove the complete frames from the front of *buf* and return them (b"" if none)."""
    end = complete_length(buf, max_frame=max_frame)
    if not end:
        return b""
    out = bytes(buf[:end])
    del buf[:end]
    return out


def send_frame(sock: socket.socket, payload: bytes) -> None:
    """Send one frame on a blocking socket (``sendall``: never a partial send)."""
    sock.sendall(encode(payload))


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Read exactly *size* bytes from a blocking *sock* (looping over ``recv``, however TCP splits
    them); :class:`ConnectionClosedEarly` (a ConnectionError) if the peer closes first."""
    if size < 0:
        raise ValueError("size must be >= 0")
    chunks: list[bytes] = []
    got = 0
    while got < size:
        chunk = sock.recv(min(size - got, 1 << 20))
        if not chunk:
            raise ConnectionClosedEarly(size, b"".join(chunks))
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket, *, max_frame: int = MAX_FRAME) -> bytes | None:
    """Read one frame's payload from a blocking socket; None on a clean close at a frame boundary."""
    first = sock.recv(HEADER.size)
    if not first:
        return None
    head = first + (recv_exactly(sock, HEADER.size - len(first)) if len(first) < HEADER.size else b"")
    (length,) = HEADER.unpack(head)
    if length > max_frame:
        raise FrameError(f"frame length {length} exceeds the {max_frame}-byte limit")
    return recv_exactly(sock, length)
