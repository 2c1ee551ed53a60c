from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

from coachtui.api.client import ApiClient
from coachtui.devserver.server import DevServer
from coachtui.live.backoff import Backoff
from coachtui.live.engine import LiveSession
from coachtui.live.events import Pane
from coachtui.live.session import PaneStatus
from coachtui.live.status import ConnectionStatus, ConnState


async def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait on a condition, not on time; the timeout only turns a hang into a failure."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


class Live:
    """A LiveSession against a devserver, recording what it reports."""

    def __init__(
        self, server: DevServer, who: str = "coach", session_id: str | None = None, **options: Any
    ) -> None:
        assert server.demo is not None
        self.server = server
        self.user = getattr(server.demo, who)
        self.session_id = session_id or server.demo.today_session_id
        self.statuses: list[ConnectionStatus] = []
        self.changes: Counter[Pane] = Counter()
        self.auth_lost: list[str] = []
        self.logged_out: list[str] = []
        self.options = {"debounce": 0.05, "backoff": Backoff(base=0.05, cap=0.2), **options}
        self.task: asyncio.Task[None] | None = None
        self.api_options: dict[str, Any] = {}

    async def __aenter__(self) -> Live:
        self.api = ApiClient(self.server.url, **self.api_options)
        await self.api.login(self.user.email, self.user.password)
        self.live = LiveSession(
            self.api,
            self.session_id,
            on_status=self.statuses.append,
            on_change=lambda pane: self.changes.update([pane]),
            on_auth_lost=self.auth_lost.append,
            on_force_logout=self.logged_out.append,
            **self.options,
        )
        self.task = asyncio.ensure_future(self.live.run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.api.aclose()

    @property
    def model(self) -> Any:
        return self.live.model

    @property
    def state(self) -> ConnState:
        return self.live.status.state

    def states(self) -> list[ConnState]:
        out: list[ConnState] = []
        for s in self.statuses:
            if not out or out[-1] is not s.state:
                out.append(s.state)
        return out

    def fresh(self) -> bool:
        return all(s.status is PaneStatus.FRESH for s in self.model.states.values())

    async def ready(self) -> None:
        await wait_for(lambda: self.state is ConnState.CONNECTED and self.fresh())
        await asyncio.sleep(0.1)  # let the start-up reload's coalesced trigger settle
