"""The live engine: one SSE connection feeding one session model. What the TUI runs in a worker."""

from __future__ import annotations

import asyncio
import logging

from coachtui.api.client import ApiClient
from coachtui.live.backoff import Backoff
from coachtui.live.changes import Change, ConnectionNote, Resync
from coachtui.live.clock import REAL_CLOCK, Clock
from coachtui.live.connection import SseConnection
from coachtui.live.events import ForceLogout, LiveEvent, Pane
from coachtui.live.model import SessionModel
from coachtui.live.observer import LiveObserver, StreamObserver
from coachtui.live.status import ConnectionStatus, ConnState

log = logging.getLogger(__name__)


class LiveEngine(StreamObserver):
    """Observes its connection and its model, and reports to `observer` (the TUI, a test)."""

    def __init__(
        self,
        api: ApiClient,
        session_id: str,
        observer: LiveObserver | None = None,
        *,
        read_timeout: float = 45.0,
        header_timeout: float = 10.0,
        logout_grace: float = 1.0,
        debounce: float = 0.15,
        poll_interval: float = 30.0,
        backoff: Backoff | None = None,
        clock: Clock = REAL_CLOCK,
    ) -> None:
        self.api = api
        self.poll_interval = poll_interval
        self.observer = observer or LiveObserver()
        self.debounce = debounce
        self.model = SessionModel(api, session_id, self, debounce=debounce, clock=clock)
        self.connection = SseConnection(
            api,
            self,
            read_timeout=read_timeout,
            header_timeout=header_timeout,
            logout_grace=logout_grace,
            backoff=backoff,
            clock=clock,
        )
        self.clock = clock
        self._ever_connected = False
        self._lost = False  # connected once, and not now

    @property
    def status(self) -> ConnectionStatus:
        return self.connection.status

    # -- reports from the connection and the model -----------------------------------------------

    def status_changed(self, status: ConnectionStatus) -> None:
        if status.state in (ConnState.RECONNECTING, ConnState.ERROR):
            self.model.mark_stale()
        if status.state is ConnState.CONNECTED:
            if self._lost:
                self._lost = False
                self.observer.connection_noted(ConnectionNote(self.clock.now(), status.state.value))
        elif self._ever_connected and not self._lost and status.state is not ConnState.CONNECTING:
            self._lost = True
            error = status.last_error.message if status.last_error else ""
            self.observer.connection_noted(ConnectionNote(self.clock.now(), status.state.value, error))
        self.observer.status_changed(status)

    def changed(self, change: Change) -> None:
        self.observer.changed(change)

    def resynced(self, report: Resync) -> None:
        self.observer.resynced(report)

    def pane_changed(self, pane: Pane) -> None:
        self.observer.pane_changed(pane)

    def login_lost(self, message: str) -> None:
        # Any request that learns of it (a reload after `coachtui logout` elsewhere) ends the
        # stream too, so the status bar says so instead of Connected.
        self.connection.login_lost(message)
        self.observer.login_lost(message)

    def logged_out(self, reason: str) -> None:
        self.observer.logged_out(reason)

    def event(self, event: LiveEvent) -> None:
        if not isinstance(event, ForceLogout):
            self.model.apply(event)

    def connected(self) -> None:
        # The backend replays nothing: whatever was missed is reloaded, and after a loss what
        # the reload finds different is reported as what happened meanwhile.
        # The first load waits for this (run()'s debounce, if the stream is slower): loaded
        # before the stream was there, the panes would be read twice. Now nothing is left to wait for.
        if self._ever_connected:
            self.model.resync()
        else:
            self.model.reload_all(at_once=True)
        self._ever_connected = True

    # -- commands -------------------------------------------------------------------------------

    def switch(self, session_id: str) -> SessionModel:
        """Another session, same connection: a model of its own takes the events from now on;
        the old one is disposed of (its late answers change nothing on screen)."""
        old = self.model
        self.model = SessionModel(self.api, session_id, self, debounce=self.debounce, clock=self.clock)
        if old.poll_interval is not None:
            self.model.polled_every(old.poll_interval)
        old.dispose()
        self.model.reload_all()
        return self.model

    def retry_now(self) -> None:
        self.connection.retry_now()
        if self.connection.status.state is ConnState.CONNECTED:
            self.model.reload_all()

    async def run(self) -> None:
        """Load, connect, stay live; returns only after a server-side logout. Cancel to stop."""
        self.model.reload_all()
        poller = asyncio.ensure_future(self._poll_seed_era())
        try:
            await self.connection.run()
        finally:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
            await self.model.aclose()

    async def _poll_seed_era(self) -> None:
        """Whichever model is current is polled (the seed era sends no action/agreement events)."""
        self.model.polled_every(self.poll_interval)
        while True:
            await self.clock.sleep(self.poll_interval)
            self.model.poll()
