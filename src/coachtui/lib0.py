"""lib0 encoding (Yjs' wire format) and the Hocuspocus frames built on it.

Our own encoder: pycrdt's `write_var_string` writes a string's length in characters, not in
UTF-8 bytes, which breaks any non-ASCII document name or token (notes-protocol.md §3).
A frame is `varString(document) + varUint(type) + payload`; a v4 server's Ping is the lone
byte 0x09 (answered 0x0a), outside any document.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class MessageType(IntEnum):
    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3
    SYNC_REPLY = 4
    STATELESS = 5
    BROADCAST_STATELESS = 6
    CLOSE = 7
    SYNC_STATUS = 8


class SyncStep(IntEnum):
    STEP1 = 0  # a state vector: "send me what I lack"
    STEP2 = 1  # the updates the other side lacks
    UPDATE = 2  # a live change


class AuthReply(IntEnum):
    TOKEN = 0  # client → server
    PERMISSION_DENIED = 1
    AUTHENTICATED = 2


PING = b"\x09"
PONG = b"\x0a"


class Malformed(ValueError):
    """A frame that does not decode (truncated, or a length past its end)."""


def var_uint(n: int) -> bytes:
    if n < 0:
        raise ValueError("var_uint of a negative number")
    out = bytearray()
    while n > 0x7F:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    out.append(n)
    return bytes(out)


def var_int(n: int) -> bytes:
    """lib0's signed varint: sign in bit 6 of the first byte, 6 bits there, then 7 per byte."""
    negative = n < 0
    n = -n if negative else n
    first = (0x40 if negative else 0) | (n & 0x3F)
    n >>= 6
    out = bytearray([first | (0x80 if n else 0)])
    while n:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
    return bytes(out)


def var_bytes(data: bytes) -> bytes:
    return var_uint(len(data)) + data


def var_string(text: str) -> bytes:
    return var_bytes(text.encode("utf-8"))


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    @property
    def done(self) -> bool:
        return self.at >= len(self.data)

    def byte(self) -> int:
        if self.at >= len(self.data):
            raise Malformed("frame ends too early")
        value = self.data[self.at]
        self.at += 1
        return value

    def var_uint(self) -> int:
        n, shift = 0, 0
        while True:
            b = self.byte()
            n |= (b & 0x7F) << shift
            if b < 0x80:
                return n
            shift += 7
            if shift > 63:
                raise Malformed("varint too long")

    def var_int(self) -> int:
        b = self.byte()
        n = b & 0x3F
        negative = bool(b & 0x40)
        shift = 6
        while b & 0x80:
            b = self.byte()
            n |= (b & 0x7F) << shift
            shift += 7
            if shift > 70:
                raise Malformed("varint too long")
        return -n if negative else n

    def var_bytes(self) -> bytes:
        size = self.var_uint()
        if self.at + size > len(self.data):
            raise Malformed("length past the end of the frame")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("string is not UTF-8") from None

    def rest(self) -> bytes:
        chunk = self.data[self.at :]
        self.at = len(self.data)
        return chunk


# -- frames ------------------------------------------------------------------------------------


def frame(document: str, kind: MessageType, payload: bytes = b"") -> bytes:
    return var_string(document) + var_uint(kind) + payload


def auth(document: str, token: str) -> bytes:
    return frame(document, MessageType.AUTH, var_uint(AuthReply.TOKEN) + var_string(token))


def sync(document: str, step: SyncStep, data: bytes) -> bytes:
    return frame(document, MessageType.SYNC, var_uint(step) + var_bytes(data))


def awareness(document: str, update: bytes) -> bytes:
    return frame(document, MessageType.AWARENESS, var_bytes(update))


def awareness_update(states: list[tuple[int, int, str]]) -> bytes:
    """(client id, clock, JSON state or "null") for each client, as y-protocols encodes them."""
    out = bytearray(var_uint(len(states)))
    for client, clock, state in states:
        out += var_uint(client) + var_uint(clock) + var_string(state)
    return bytes(out)


def read_awareness_update(data: bytes) -> list[tuple[int, int, str]]:
    reader = Reader(data)
    return [(reader.var_uint(), reader.var_uint(), reader.var_string()) for _ in range(reader.var_uint())]


@dataclass(frozen=True)
class Frame:
    """One decoded frame; `body` is what follows the type (decoded further by type)."""

    document: str
    kind: int  # a MessageType, or an unknown number (ignored by the client)
    body: Reader


def parse(data: bytes) -> Frame | None:
    """A frame, or None for the connection-level Ping (the caller answers it with PONG)."""
    if data == PING:
        return None
    reader = Reader(data)
    document = reader.var_string()
    return Frame(document, reader.var_uint(), reader)
