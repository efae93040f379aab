"""helpers.framing: length-prefixed frames survive any split or merge of the byte stream."""
from __future__ import annotations

import socket
import struct

import pytest
from hypothesis import given, strategies as st

from helpers.framing import HEADER, FrameDecoder, FrameError, encode, recv_frame, send_frame


def test_header_is_four_byte_big_endian_length():
    assert encode(b"abc") == b"\x00\x00\x00\x03abc"
    assert encode(b"") == b"\x00\x00\x00\x00"
    assert HEADER.size == 4


@given(payloads=st.lists(st.binary(max_size=300), max_size=8), cuts=st.lists(st.integers(1, 50), min_size=1))
def test_decoder_recovers_payloads_from_any_chunking(payloads, cuts):
    stream = b"".join(encode(p) for p in payloads)
    dec, out, pos, i = FrameDecoder(), [], 0, 0
    while pos < len(stream):
        n = cuts[i % len(cuts)]
        out += dec.feed(stream[pos:pos + n])
        pos += n
        i += 1
    assert out == payloads
    assert dec.pending == 0


def test_pending_counts_a_partial_frame():
    dec = FrameDecoder()
    assert dec.feed(encode(b"hello")[:6]) == []
    assert dec.pending == 6
    assert dec.feed(b"llo") == [b"hello"]


def test_oversized_length_is_refused():
    dec = FrameDecoder(max_frame=10)
    with pytest.raises(FrameError):
        dec.feed(struct.pack("!I", 11))
    with pytest.raises(FrameError):
        encode(b"x" * 11, max_frame=10)
    with pytest.raises(TypeError):
        encode("text")


def test_blocking_send_and_recv_frame():
    a, b = socket.socketpair()
    with a, b:
        send_frame(a, b"one")
        send_frame(a, b"")
        a.sendall(encode(b"two")[:2])
        a.sendall(encode(b"two")[2:])
        assert recv_frame(b) == b"one"
        assert recv_frame(b) == b""
        assert recv_frame(b) == b"two"
        a.shutdown(socket.SHUT_WR)
        assert recv_frame(b) is None


def test_recv_frame_raises_when_the_peer_closes_mid_frame():
    a, b = socket.socketpair()
    with a, b:
        a.sendall(encode(b"truncated")[:7])
        a.shutdown(socket.SHUT_WR)
        with pytest.raises(ConnectionError):
            recv_frame(b)
