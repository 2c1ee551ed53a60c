"""The notes connection against servers that misbehave, over real sockets on loopback: a message
over the size cap, a redirect (the token would follow it), plain ws:// to another machine, and
`aud` values that would steer the token elsewhere."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.server import ServerConnection, serve

from coachtui.devserver.server import DevServer
from coachtui.live.notes import client
from coachtui.live.notes.client import MAX_MESSAGE, audience
from coachtui.live.status import ConnState
from tests.live.notes.test_client import notes
from tests.security.hostile import PATIENCE
from tests.waiting import wait_for


def test_the_message_cap_is_in_the_agreed_range() -> None:
    assert 32 * 1024 * 1024 <= MAX_MESSAGE <= 64 * 1024 * 1024


@asynccontextmanager
async def raw_notes_server(answer: bytes) -> AsyncIterator[tuple[str, list[int]]]:
    """A WebSocket server that answers every connection's first frame with `answer`."""
    connections: list[int] = []

    async def handler(ws: ServerConnection) -> None:
        connections.append(1)
        await ws.recv()  # the auth frame
        await ws.send(answer)
        await ws.wait_closed()  # held open until the client gives up on it

    async with serve(handler, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}", connections


async def test_a_message_over_the_cap_closes_the_connection_and_it_retries(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "MAX_MESSAGE", 64 * 1024)  # the same code path, less to send
    async with (
        raw_notes_server(b"\x00" * (64 * 1024 + 1)) as (url, connections),
        notes(head_server, url=url) as (connection, _),
    ):
        await wait_for(lambda: len(connections) >= 2, timeout=PATIENCE)  # refused, then tried again
        error = connection.status.last_error
        assert error is not None and "too large" in error.message
        assert connection.status.state is not ConnState.CONNECTED


@asynccontextmanager
async def redirecting_server(location: str) -> AsyncIterator[tuple[str, list[int]]]:
    """An HTTP server that answers the WebSocket upgrade with a redirect to `location`."""
    asked: list[int] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        asked.append(1)
        writer.write(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}", asked


async def test_a_redirect_is_refused_not_followed(head_server: DevServer) -> None:
    async with (
        raw_notes_server(b"") as (elsewhere, reached),
        redirecting_server(elsewhere) as (url, asked),
        notes(head_server, url=url) as (connection, _),
    ):
        # asked, refused, asked again after the backoff
        await wait_for(lambda: len(asked) >= 2, timeout=PATIENCE)
        error = connection.status.last_error
        assert error is not None and "302" in error.message
        assert reached == []  # the token never went where the redirect pointed


async def test_plain_ws_to_another_machine_is_refused(head_server: DevServer) -> None:
    async with notes(head_server, url="ws://192.0.2.10:9/collab") as (connection, _):
        await wait_for(lambda: connection.status.state is ConnState.ERROR, timeout=PATIENCE)
        error = connection.status.last_error
        assert error is not None and "wss://" in error.message and "in clear" in error.message


def token(aud: object) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"aud": aud}).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{payload}.sig"


@pytest.mark.parametrize(
    ("aud", "host"),
    [
        ("abc123", "abc123"),
        ("my-app-7", "my-app-7"),
        (["first", "second"], "first"),
        ("evil.com/x", None),
        ("a.b", None),
        ("evil.com#", None),
        ("ünïcode", None),
        ("ａbc", None),  # a fullwidth letter: "alphanumeric", not ASCII
        ("x" * 64, None),
        ("-lead", None),
        ("", None),
        (7, None),
        ({"a": 1}, None),
    ],
)
def test_only_an_ascii_host_label_names_the_notes_server(aud: object, host: str | None) -> None:
    assert audience(token(aud)) == host


def test_a_token_too_deep_to_read_names_no_server() -> None:
    assert (
        audience(token(None).split(".")[0] + "." + base64.urlsafe_b64encode(b"[" * 100_000).decode()) is None
    )
