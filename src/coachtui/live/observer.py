"""What the live layer reports, and to whom: one observer instead of a callback per report.

The defaults do nothing, so an observer overrides only what it needs. Reports are synchronous
and cheap: an observer that must do work (the TUI repainting a pane) queues it.
"""

from __future__ import annotations

from coachtui.live.changes import Change, ConnectionNote, Resync
from coachtui.live.events import LiveEvent, Pane
from coachtui.live.status import ConnectionStatus


class LiveObserver:
    def status_changed(self, status: ConnectionStatus) -> None:
        """The connection's state or its detail changed (also once per event received)."""

    def pane_changed(self, pane: Pane) -> None:
        """The model's data or status for `pane` changed."""

    def changed(self, change: Change) -> None:
        """Something on screen changed, in words (also each difference a resync found)."""

    def resynced(self, report: Resync) -> None:
        """The reload after a reconnect is done: what it found changed while disconnected."""

    def connection_noted(self, note: ConnectionNote) -> None:
        """The live connection was lost, or came back."""

    def login_lost(self, message: str) -> None:
        """A request learned that the login is gone (401)."""

    def logged_out(self, reason: str) -> None:
        """The server ended this login (force_logout); the stream has stopped."""


class StreamObserver(LiveObserver):
    """What the SSE connection reports besides: each event, and each (re)connection."""

    def event(self, event: LiveEvent) -> None:
        """One decoded event from the stream (force_logout excepted: that is `logged_out`)."""

    def connected(self) -> None:
        """The stream is open (again): what was missed must be reloaded."""
