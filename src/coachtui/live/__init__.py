"""Live engine: SSE connection, typed events, routing, the session model. Never imports Textual."""

from coachtui.live.backoff import Backoff
from coachtui.live.connection import SseConnection
from coachtui.live.engine import LiveSession
from coachtui.live.events import LiveEvent, Pane, decode
from coachtui.live.session import PaneState, PaneStatus, SessionModel
from coachtui.live.status import ConnectionStatus, ConnState, LastError

__all__ = [
    "Backoff",
    "ConnState",
    "ConnectionStatus",
    "LastError",
    "LiveEvent",
    "LiveSession",
    "Pane",
    "PaneState",
    "PaneStatus",
    "SessionModel",
    "SseConnection",
    "decode",
]
