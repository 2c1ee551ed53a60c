from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from coachtui.api.client import ApiClient
from coachtui.devserver.server import DevServer
from coachtui.live.backoff import Backoff
from coachtui.live.changes import Change, ConnectionNote, Resync
from coachtui.live.engine import LiveEngine
from coachtui.live.events import LiveEvent, Pane
from coachtui.live.model import PaneStatus
from coachtui.live.observer import StreamObserver
from coachtui.live.status import ConnectionStatus, ConnState
from tests.waiting import wait_for


class Recorder(StreamObserver):
    """Records every report of the live layer (a connection's, a model's or an engine's)."""

    def __init__(self) -> None:
        self.statuses: list[ConnectionStatus] = []
        self.events: list[LiveEvent] = []
        self.changes: Counter[Pane] = Counter()
        self.lost: list[str] = []
        self.logouts: list[str] = []
        self.connections = 0
        self.reports: list[Change | ConnectionNote | Resync] = []

    def changed(self, change: Change) -> None:
        self.reports.append(change)

    def resynced(self, report: Resync) -> None:
        self.reports.append(report)

    def connection_noted(self, note: ConnectionNote) -> None:
        self.reports.append(note)

    def status_changed(self, status: ConnectionStatus) -> None:
        self.statuses.append(status)

    def pane_changed(self, pane: Pane) -> None:
        self.changes.update([pane])

    def login_lost(self, message: str) -> None:
        self.lost.append(message)

    def logged_out(self, reason: str) -> None:
        self.logouts.append(reason)

    def event(self, event: LiveEvent) -> None:
        self.events.append(event)

    def connected(self) -> None:
        self.connections += 1


class Live:
    """A LiveEngine against a devserver, recording what it reports."""

    def __init__(
        self, server: DevServer, who: str = "coach", session_id: str | None = None, **options: Any
    ) -> None:
        assert server.demo is not None
        self.server = server
        self.user = getattr(server.demo, who)
        self.session_id = session_id or server.demo.today_session_id
        self.recorder = Recorder()
        self.statuses = self.recorder.statuses
        self.changes = self.recorder.changes
        self.auth_lost = self.recorder.lost
        self.logged_out = self.recorder.logouts
        self.options = {"debounce": 0.05, "backoff": Backoff(base=0.05, cap=0.2), **options}
        self.task: asyncio.Task[None] | None = None
        self.api_options: dict[str, Any] = {}
        self._counted = (0, 0)  # events received here, and sent by the server, when ready

    async def __aenter__(self) -> Live:
        self.api = ApiClient(self.server.url, **self.api_options)
        await self.api.login(self.user.email, self.user.password)
        self.live = LiveEngine(self.api, self.session_id, self.recorder, **self.options)
        self.task = asyncio.ensure_future(self.live.run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.api.aclose()

    @property
    def reports(self) -> list[Change | ConnectionNote | Resync]:
        return self.recorder.reports

    def changes_seen(self) -> list[Change]:
        return [r for r in self.recorder.reports if isinstance(r, Change)]

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
        # Not busy: the start-up reload's coalesced trigger has run too.
        await wait_for(lambda: self.state is ConnState.CONNECTED and self.fresh() and not self.model.busy)
        self._counted = (self.live.status.events_received, events_sent(self.server))

    async def caught_up(self) -> None:
        """Every event the server sent since `ready` (all go to both participants) has come in and
        been applied, and no reload it asked for is pending: the positive signal a check that
        nothing else happened waits on."""
        received, sent = self._counted
        due = events_sent(self.server) - sent
        await wait_for(lambda: self.live.status.events_received - received >= due and not self.model.busy)


def events_sent(server: DevServer) -> int:
    return server.backend.broker.events_sent  # (the server runs in this process, on a thread)


async def coachee_api(server: DevServer) -> ApiClient:
    """The demo coachee, logged in on `server` (the other participant of today's session)."""
    assert server.demo is not None
    api = ApiClient(server.url)
    await api.login(server.demo.coachee.email, server.demo.coachee.password)
    return api
