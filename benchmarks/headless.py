"""Benchmarks of the live engine without a screen: requests per event, coarse bursts, reconnect."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from tests.waiting import wait_for

from benchmarks.common import DevServerProcess, login, today_session
from coachtui.api.client import ApiClient
from coachtui.live.engine import LiveEngine
from coachtui.live.events import Pane
from coachtui.live.model import PaneStatus
from coachtui.live.status import ConnState

T = TypeVar("T")
# Benchmarks wait longer (loaded machines) and poll finer (the waits are part of some timings).
_wait = partial(wait_for, timeout=30, interval=0.005)


class _Engine:
    def __init__(self, url: str, session_id: str) -> None:
        self.url, self.session_id = url, session_id

    async def __aenter__(self) -> LiveEngine:
        self.api = ApiClient(self.url)
        await self.api.login("coach@example.com", "coach-demo-pass")
        self.live = LiveEngine(self.api, self.session_id)
        self.task = asyncio.ensure_future(self.live.run())
        await _wait(
            lambda: (
                self.live.status.state is ConnState.CONNECTED
                and not self.live.model.busy
                and all(s.status is PaneStatus.FRESH for s in self.live.model.states.values())
            )
        )
        return self.live

    async def __aexit__(self, *exc: object) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.api.aclose()


def _on_devserver(server: DevServerProcess, body: Callable[[DevServerProcess], Coroutine[Any, Any, T]]) -> T:
    """Run `body` against a devserver process started for it, and stop the server after."""
    server.start()
    try:
        return asyncio.run(body(server))
    finally:
        server.stop()


def _rest(server: DevServerProcess) -> int:
    return sum(n for k, n in server.dev("stats")["requests"].items() if k != "GET /sse")


@dataclass
class RequestsPerEvent:
    by_kind: dict[str, float]
    repaints_other_session: int


def requests_per_event(per_kind: int) -> RequestsPerEvent:
    return _on_devserver(DevServerProcess(), lambda server: _requests_per_event(server, per_kind))


async def _requests_per_event(server: DevServerProcess, n: int) -> RequestsPerEvent:
    coach = login(server.url, "coach@example.com", "coach-demo-pass")
    sid = today_session(server.url, coach)
    other_api = ApiClient(server.url)
    await other_api.login("coachee@example.com", "coachee-demo-pass")
    result: dict[str, float] = {}
    async with _Engine(server.url, sid) as live, other_api:
        action = (await other_api.session_actions(sid))[0]
        goal = (await other_api.session_goals(sid))[0]

        async def measure(kind: str, act: Callable[[int], object], own_requests: int) -> None:
            events = live.status.events_received
            before = _rest(server)
            for i in range(n):
                await act(i)  # type: ignore[misc]
            await _wait(lambda: live.status.events_received >= events + n)
            # (an event's reload, if any, is triggered as it is applied: busy from then on)
            await _wait(lambda: not live.model.busy)
            result[kind] = (_rest(server) - before - own_requests * n) / n

        await measure(
            "entity (action_updated)",
            lambda i: other_api.update_action(action.model_copy(update={"body": f"v{i}"})),
            1,
        )
        await measure(
            "entity (goal_updated)",
            lambda i: other_api.update_goal(goal.model_copy(update={"title": f"g{i}"})),
            1,
        )

        async def title(i: int) -> None:
            await other_api.update_session_title(sid, f"title {i}")
            await _wait(
                lambda: (
                    not live.model.busy
                    and live.model.header is not None
                    and live.model.header.title == f"title {i}"
                )
            )

        await measure("coarse (title_updated), spaced", title, 1)
        elsewhere = today_session(server.url, coach, coachee="Sam")  # events arrive, nothing changes
        changes_before = sum(s.version for s in live.model.states.values())
        await measure(
            "other session (action_created)", lambda i: other_api.create_action(elsewhere, "elsewhere"), 1
        )
        repaints = sum(s.version for s in live.model.states.values()) - changes_before
    return RequestsPerEvent(result, repaints)


@dataclass
class Burst:
    coarse_events: int
    reloads: int
    sent_in: float  # seconds; the target is about a burst sent within one


def coarse_burst(count: int) -> Burst:
    return _on_devserver(DevServerProcess(), lambda server: _coarse_burst(server, count))


async def _coarse_burst(server: DevServerProcess, count: int) -> Burst:
    coach = login(server.url, "coach@example.com", "coach-demo-pass")
    sid = today_session(server.url, coach)
    async with _Engine(server.url, sid) as live:
        before = live.model.requests(Pane.GOALS)
        events = live.status.events_received
        start = time.monotonic()
        await asyncio.to_thread(
            server.dev,
            "sse/emit",
            user_id=coach.user_id,
            count=count,
            type="coaching_session_goal_created",
            data={"coaching_session_id": sid, "coaching_relationship_id": "r", "goal_id": "g"},
        )
        sent_in = time.monotonic() - start
        await _wait(lambda: live.status.events_received >= events + count)
        await _wait(lambda: not live.model.busy)  # (the last event's reload is pending until run)
        return Burst(count, live.model.requests(Pane.GOALS) - before, sent_in)


@dataclass
class Reconnect:
    seconds_to_resynced: float
    first_backoff_nominal: float


def reconnect() -> Reconnect:
    db = tempfile.mktemp(suffix=".sqlite", prefix="coachtui-bench-")
    return _on_devserver(DevServerProcess(db=db), _reconnect)


async def _reconnect(server: DevServerProcess) -> Reconnect:
    coach = login(server.url, "coach@example.com", "coach-demo-pass")
    sid = today_session(server.url, coach)
    async with _Engine(server.url, sid) as live:
        await asyncio.to_thread(server.stop)
        start = time.monotonic()
        await _wait(lambda: live.status.state is ConnState.RECONNECTING)
        await asyncio.to_thread(server.start)
        await _wait(
            lambda: (
                live.status.state is ConnState.CONNECTED
                and not live.model.busy
                and all(s.status is PaneStatus.FRESH for s in live.model.states.values())
            )
        )
        return Reconnect(time.monotonic() - start, live.connection.backoff.nominal(1))
