"""Connection transitions with a scripted transport, fake sleep and clock, seeded randomness."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import httpx
import pytest

from coachtui.api.client import ApiClient
from coachtui.live.backoff import Backoff
from coachtui.live.clock import Clock
from coachtui.live.connection import SseConnection
from coachtui.live.status import ConnState
from tests.live.helpers import Recorder

Script = Callable[[int], httpx.Response | Exception]


class Harness:
    def __init__(self, script: Script) -> None:
        self.requests = 0
        self.sleeps: list[float] = []
        self.clock_now = 0.0

        def handler(request: httpx.Request) -> httpx.Response:
            self.requests += 1
            assert request.headers["cookie"] == "id=" + "c" * 22
            assert "x-version" not in request.headers
            out = script(self.requests)
            if isinstance(out, Exception):
                raise out
            return out

        self.api = ApiClient(
            "http://test", cookie="c" * 22, user_id="u", transport=httpx.MockTransport(handler)
        )
        self.recorder = Recorder()
        self.states = self.recorder.statuses
        self.conn = SseConnection(
            self.api,
            self.recorder,
            backoff=Backoff(rng=random.Random(5)),
            clock=Clock(sleep=self.sleep, monotonic=lambda: self.clock_now),
        )

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.clock_now += delay
        await asyncio.sleep(0)

    async def run_until(self, done: Callable[[], bool]) -> None:
        task = asyncio.ensure_future(self.conn.run())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while not done() and loop.time() < deadline:
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    def seen(self) -> list[ConnState]:
        out: list[ConnState] = []
        for s in self.states:
            if not out or out[-1] is not s.state:
                out.append(s.state)
        return out


def stream_response(body: bytes = b"", ctype: str = "text/event-stream") -> httpx.Response:
    return httpx.Response(200, headers={"content-type": ctype}, content=body)


async def test_401_is_fatal_with_exactly_one_request() -> None:
    h = Harness(lambda n: httpx.Response(401, text="Unauthorized"))
    await h.run_until(lambda: h.conn.status.state is ConnState.ERROR)
    for _ in range(100):
        await asyncio.sleep(0)
    assert h.requests == 1 and h.sleeps == []
    assert h.conn.status.hint is not None and "coachtui login" in h.conn.status.hint
    assert h.seen()[:3] == [ConnState.CONNECTING, ConnState.ERROR] or h.seen()[-1] is ConnState.DISCONNECTED


@pytest.mark.parametrize("status", [403, 404, 400, 204])
async def test_other_fatal_statuses(status: int) -> None:
    h = Harness(lambda n: httpx.Response(status))
    await h.run_until(lambda: h.conn.status.state is ConnState.ERROR)
    assert h.requests == 1 and h.conn.status.state is ConnState.ERROR


async def test_connection_refused_backs_off_exponentially() -> None:
    h = Harness(lambda n: httpx.ConnectError("[Errno 111] Connection refused"))
    await h.run_until(lambda: len(h.sleeps) >= 8)
    nominal = [1, 2, 4, 8, 16, 30, 30, 30]
    for delay, n in zip(h.sleeps, nominal, strict=False):
        assert n / 2 <= delay <= n
    assert h.states[-1].last_error is not None
    assert "refused" in h.states[-2].last_error.message  # type: ignore[union-attr]
    assert ConnState.CONNECTED not in h.seen()


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 425, 429])
async def test_retryable_statuses(status: int) -> None:
    h = Harness(lambda n: httpx.Response(status, headers={"retry-after": "7"}))
    await h.run_until(lambda: len(h.sleeps) >= 2)
    assert all(s >= 7 for s in h.sleeps[:2])
    assert h.conn.status.state is not ConnState.ERROR


async def test_wrong_content_type_three_times_is_fatal() -> None:
    h = Harness(lambda n: stream_response(b"<html>", ctype="text/html"))
    await h.run_until(lambda: h.conn.status.state is ConnState.ERROR)
    assert h.requests == 3 and len(h.sleeps) == 2
    assert "text/html" in h.conn.status.last_error.message  # type: ignore[union-attr]


async def test_flapping_keeps_backing_off_and_long_connection_resets() -> None:
    # Accept, then close at once: each attempt grows, since it never stayed up 30 s.
    h = Harness(lambda n: stream_response())
    await h.run_until(lambda: len(h.sleeps) >= 4)
    assert [h.conn.backoff.nominal(a) for a in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert h.sleeps[3] >= 4
    assert ConnState.CONNECTED in h.seen()

    # A connection that lived 30 s resets the count: the next delay is back near 1 s.
    h2 = Harness(lambda n: stream_response())
    original = h2.conn._consume

    async def long_lived(response: httpx.Response) -> None:
        h2.clock_now += 31
        await original(response)

    h2.conn._consume = long_lived  # type: ignore[method-assign]
    await h2.run_until(lambda: len(h2.sleeps) >= 3)
    assert all(s <= 1 for s in h2.sleeps[:3])


async def test_retry_field_raises_the_base() -> None:
    h = Harness(lambda n: stream_response(b"retry: 5000\n\n"))
    await h.run_until(lambda: len(h.sleeps) >= 1)
    assert h.sleeps[0] >= 2.5


async def test_retry_now_skips_the_wait() -> None:
    h = Harness(lambda n: httpx.Response(401))
    task = asyncio.ensure_future(h.conn.run())
    for _ in range(200):
        await asyncio.sleep(0)
    assert h.conn.status.state is ConnState.ERROR and h.requests == 1
    h.conn.retry_now()
    for _ in range(200):
        await asyncio.sleep(0)
    assert h.requests == 2
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
