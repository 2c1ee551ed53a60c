"""lib0 and Hocuspocus framing: round trips (non-ASCII names and tokens), every message type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachtui import lib0


@given(st.integers(min_value=0, max_value=2**53))
def test_var_uint_round_trips(n: int) -> None:
    assert lib0.Reader(lib0.var_uint(n)).var_uint() == n


@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_var_int_round_trips(n: int) -> None:
    assert lib0.Reader(lib0.var_int(n)).var_int() == n


@given(st.text())
def test_strings_carry_their_utf8_byte_length(text: str) -> None:
    encoded = lib0.var_string(text)
    assert lib0.Reader(encoded).var_string() == text
    assert lib0.Reader(encoded).var_uint() == len(text.encode("utf-8"))  # not len(text): pycrdt's bug


def test_known_bytes() -> None:
    assert lib0.var_uint(127) == b"\x7f" and lib0.var_uint(128) == b"\x80\x01"
    assert lib0.var_string("é") == b"\x02\xc3\xa9"  # pycrdt's encoder writes b"\x01\xc3\xa9"
    assert lib0.var_int(1) == b"\x01" and lib0.var_int(-1) == b"\x41"


def test_every_frame_type_parses_back() -> None:
    name, token = "northwind.jordan-ávery.s1-v0", "eyJ…ünïcode"
    auth = lib0.parse(lib0.auth(name, token))
    assert auth is not None and (auth.document, auth.kind) == (name, lib0.MessageType.AUTH)
    assert auth.body.var_uint() == lib0.AuthReply.TOKEN and auth.body.var_string() == token
    for step in lib0.SyncStep:
        frame = lib0.parse(lib0.sync(name, step, b"\x00\x01\x02"))
        assert frame is not None and frame.kind == lib0.MessageType.SYNC
        assert (frame.body.var_uint(), frame.body.var_bytes()) == (step, b"\x00\x01\x02")
    states = [(1, 5, '{"presence":{"name":"Zoë"}}'), (2**31, 1, "null")]
    frame = lib0.parse(lib0.awareness(name, lib0.awareness_update(states)))
    assert frame is not None and frame.kind == lib0.MessageType.AWARENESS
    assert lib0.read_awareness_update(frame.body.var_bytes()) == states
    for kind in (lib0.MessageType.CLOSE, lib0.MessageType.SYNC_STATUS, lib0.MessageType.STATELESS, 42):
        frame = lib0.parse(lib0.frame(name, kind, b""))  # type: ignore[arg-type]
        assert frame is not None and frame.kind == kind
    assert lib0.parse(lib0.PING) is None  # the v4 connection-level ping, answered with PONG


@pytest.mark.parametrize(
    "data", [b"", b"\x05ab", b"\x02ab\x00\x00\xff", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"]
)
def test_truncated_or_lying_frames_raise_malformed(data: bytes) -> None:
    with pytest.raises(lib0.Malformed):
        frame = lib0.parse(data)
        assert frame is not None
        frame.body.var_uint()
        frame.body.var_bytes()
