"""A live session: one SSE connection feeding one session model. What the TUI runs in a worker."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable

from coachtui.api.client import ApiClient
from coachtui.live.backoff import Backoff
from coachtui.live.connection import SseConnection
from coachtui.live.events import ForceLogout, LiveEvent, Pane
from coachtui.live.session import SessionModel
from coachtui.live.status import ConnectionStatus, ConnState

log = logging.getLogger(__name__)


class LiveSession:
    def __init__(
        self,
        api: ApiClient,
        session_id: str,
        *,
        on_status: Callable[[ConnectionStatus], object] = lambda status: None,
        on_change: Callable[[Pane], object] = lambda pane: None,
        on_auth_lost: Callable[[str], object] = lambda message: None,
        on_force_logout: Callable[[str], object] = lambda reason: None,
        read_timeout: float = 45.0,
        header_timeout: float = 10.0,
        debounce: float = 0.15,
        poll_interval: float = 30.0,
        backoff: Backoff | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.poll_interval = poll_interval
        self._on_status = on_status
        self._on_auth_lost = on_auth_lost
        self._sleep = sleep
        self.model = SessionModel(
            api,
            session_id,
            on_change=on_change,
            on_auth_lost=self._auth_lost,
            debounce=debounce,
            sleep=sleep,
            now=now,
        )
        self.connection = SseConnection(
            api,
            on_status=self._status,
            on_event=self._event,
            on_connected=self.model.reload_all,
            on_force_logout=on_force_logout,
            read_timeout=read_timeout,
            header_timeout=header_timeout,
            backoff=backoff,
            sleep=sleep,
            now=now,
            clock=clock,
        )

    @property
    def status(self) -> ConnectionStatus:
        return self.connection.status

    def _status(self, status: ConnectionStatus) -> None:
        if status.state in (ConnState.RECONNECTING, ConnState.ERROR):
            self.model.mark_stale()
        self._on_status(status)

    def _auth_lost(self, message: str) -> None:
        # Any request that learns of it (a reload after `coachtui logout` elsewhere) ends the
        # stream too, so the status bar says so instead of Connected.
        self.connection.login_lost(message)
        self._on_auth_lost(message)

    def _event(self, event: LiveEvent) -> None:
        if not isinstance(event, ForceLogout):
            self.model.apply(event)

    def switch(self, session_id: str) -> None:
        """Another session, same connection: only the routing filter changes."""
        self.model.switch(session_id)

    def retry_now(self) -> None:
        self.connection.retry_now()
        if self.connection.status.state is ConnState.CONNECTED:
            self.model.reload_all()

    async def run(self) -> None:
        """Load, connect, stay live; returns only after a server-side logout. Cancel to stop."""
        self.model.reload_all()
        poller = asyncio.ensure_future(self.model.poll_seed_era(self.poll_interval, self._sleep))
        try:
            await self.connection.run()
        finally:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
            await self.model.aclose()
