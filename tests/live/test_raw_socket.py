"""Faults an HTTP framework cannot fake, from a raw asyncio server on loopback."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from coachtui.api.client import ApiClient
from coachtui.api.models import Action
from coachtui.live.backoff import Backoff
from coachtui.live.connection import SseConnection
from coachtui.live.events import Upsert
from coachtui.live.status import ConnState
from tests.live.helpers import Recorder
from tests.waiting import wait_for

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def frame(text: str) -> bytes:
    return text.encode()


ACTION = (
    'event: action_created\ndata: {"type":"action_created","data":{"coaching_session_id":"s",'
    '"action":{"id":"a1","coaching_session_id":"s","status":"NotStarted","body":"naïve ☕"}}}\n\n'
)


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[Behaviour], Awaitable[str]]]:
    servers: list[asyncio.Server] = []
    writers: list[asyncio.StreamWriter] = []

    async def start(behaviour: Behaviour) -> str:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)
            await reader.readuntil(b"\r\n\r\n")
            try:
                await behaviour(reader, writer)
            except (ConnectionError, asyncio.CancelledError):
                pass

        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(srv)
        return f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}"

    yield start
    for w in writers:
        w.transport.abort()
    for srv in servers:
        srv.close()


class Watch:
    def __init__(self, url: str, read_timeout: float = 0.5, header_timeout: float = 10.0) -> None:
        recorder = Recorder()
        self.statuses, self.events = recorder.statuses, recorder.events
        self.api = ApiClient(url, cookie="c" * 22, user_id="u")
        self.conn = SseConnection(
            self.api,
            recorder,
            read_timeout=read_timeout,
            header_timeout=header_timeout,
            backoff=Backoff(base=0.05, cap=0.1),
        )
        self.task = asyncio.ensure_future(self.conn.run())

    def errors(self) -> list[str]:
        return [s.last_error.message for s in self.statuses if s.last_error]

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.api.aclose()


async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.Event().wait()


async def test_headers_never_sent(raw_server: Callable[[Behaviour], Awaitable[str]]) -> None:
    watch = Watch(await raw_server(hang))
    await wait_for(lambda: any("did not answer" in e for e in watch.errors()))
    assert ConnState.CONNECTED not in {s.state for s in watch.statuses}
    await watch.close()


async def test_a_frozen_server_is_a_failed_attempt_not_a_long_wait(
    raw_server: Callable[[Behaviour], Awaitable[str]],
) -> None:
    # A stopped process keeps its socket open: the connection is accepted, nothing is answered.
    # Within the header timeout (10 s in the app) that attempt fails and the backoff takes over,
    # instead of "trying now" for the whole 45 s read timeout.
    watch = Watch(await raw_server(hang), read_timeout=45, header_timeout=0.3)
    await wait_for(lambda: watch.conn.requests >= 2, timeout=5)
    assert any("sent no response within" in e for e in watch.errors())
    reconnecting = [s for s in watch.statuses if s.state is ConnState.RECONNECTING]
    assert reconnecting and all(s.next_retry_at is not None for s in reconnecting)
    assert ConnState.CONNECTED not in {s.state for s in watch.statuses}
    await watch.close()


async def test_half_open_after_headers(raw_server: Callable[[Behaviour], Awaitable[str]]) -> None:
    async def headers_then_silence(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(HEADERS)
        await writer.drain()
        await asyncio.Event().wait()

    watch = Watch(await raw_server(headers_then_silence))
    await wait_for(lambda: any("no data" in e for e in watch.errors()))
    assert ConnState.CONNECTED in {s.state for s in watch.statuses}
    await watch.close()


async def test_reset_mid_event_is_retryable(raw_server: Callable[[Behaviour], Awaitable[str]]) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(HEADERS + chunk(ACTION.encode()[:30]))
        await writer.drain()
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    watch = Watch(await raw_server(reset))
    await wait_for(lambda: sum(s.state is ConnState.RECONNECTING for s in watch.statuses) >= 2)
    assert ConnState.ERROR not in {s.state for s in watch.statuses}
    assert watch.events == []
    await watch.close()


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
async def test_event_split_across_chunks_and_a_character(
    raw_server: Callable[[Behaviour], Awaitable[str]], eol: str
) -> None:
    payload = ACTION.replace("\n", eol).encode()
    cut = payload.index("☕".encode()) + 1  # inside the multi-byte character

    async def split(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(HEADERS)
        for part in (payload[:10], payload[10:cut], payload[cut:]):
            writer.write(chunk(part))
            await writer.drain()
            await asyncio.sleep(0.02)  # not a wait: the server sends the parts apart
        await asyncio.Event().wait()

    watch = Watch(await raw_server(split), read_timeout=5)
    await wait_for(lambda: len(watch.events) == 1)
    event = watch.events[0]
    assert isinstance(event, Upsert) and isinstance(event.entity, Action) and event.entity.body == "naïve ☕"
    await watch.close()
