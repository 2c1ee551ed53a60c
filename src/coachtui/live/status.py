"""Connection states and the detail that travels with them (what a status bar shows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class ConnState(StrEnum):
    DISCONNECTED = "Disconnected"
    CONNECTING = "Connecting"
    CONNECTED = "Connected"
    RECONNECTING = "Reconnecting"
    ERROR = "Error"


@dataclass(frozen=True)
class LastError:
    message: str
    at: dt.datetime
    attempt: int


@dataclass(frozen=True)
class ConnectionStatus:
    state: ConnState = ConnState.DISCONNECTED
    attempt: int = 0
    next_retry_at: float | None = None  # on the connection's monotonic clock
    retry_delay: float | None = None
    last_error: LastError | None = None
    connected_at: dt.datetime | None = None
    last_event_at: dt.datetime | None = None
    events_received: int = 0
    hint: str | None = None  # what the user can do, in the Error state
    login_expired: bool = False  # the Error is a 401: only a new login helps
