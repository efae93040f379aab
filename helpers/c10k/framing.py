"""The lab's protocol: a frame is a 4-byte big-endian length followed by that many bytes.

TCP is a byte stream, so a reader must find frame boundaries itself (a ``recv`` may return
half a frame or three and a half).  :func:`take_frames` removes every *complete* frame from
the front of a ``bytearray`` and returns them as one ``bytes`` — an echo server sends that
back with a single call.
"""
from __future__ import annotations

import struct

HEADER = struct.Struct(">I")
MAX_FRAME = 1 << 20  # 1 MiB: a longer frame is a protocol error


class FrameError(ValueError):
    """The peer announced a frame longer than :data:`MAX_FRAME`."""


def encode(payload: bytes) -> bytes:
    """Length prefix + *payload*."""
    if len(payload) > MAX_FRAME:
        raise FrameError(f"frame of {len(payload)} bytes exceeds MAX_FRAME ({MAX_FRAME})")
    return HEADER.pack(len(payload)) + payload


def complete_length(buf) -> int:
    """How many bytes at the front of *buf* form complete frames (0 if not even one)."""
    end, n = 0, len(buf)
    while n - end >= 4:
        (size,) = HEADER.unpack_from(buf, end)
        if size > MAX_FRAME:
            raise FrameError(f"announced frame of {size} bytes exceeds MAX_FRAME ({MAX_FRAME})")
        if n - end - 4 < size:
            break
        end += 4 + size
    return end


def take_frames(buf: bytearray) -> bytes:
    """Remove the complete frames from the front of *buf* and return them (b"" if none)."""
    end = complete_length(buf)
    if not end:
        return b""
    out = bytes(buf[:end])
    del buf[:end]
    return out


def message(conn: int, seq: int, size: int) -> bytes:
    """The load generator's frame number *seq* on connection *conn*: *size* payload bytes.

    Deterministic, and different for every (conn, seq), so a reply that is lost, reordered,
    duplicated or mixed with another connection's data cannot pass as correct.
    """
    if size < 12:
        raise ValueError("size must be at least 12 bytes (the payload carries conn and seq)")
    head = struct.pack(">IQ", conn, seq)
    fill = bytes(((conn * 131 + seq * 7 + i) & 0xFF) for i in range(16))
    body = head + fill * ((size - 12) // 16 + 1)
    return encode(body[:size])
