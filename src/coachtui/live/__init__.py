"""Live engine: SSE connection, typed events, routing, the session model. Never imports Textual."""

from coachtui.live.backoff import Backoff
from coachtui.live.clock import Clock
from coachtui.live.connection import SseConnection
from coachtui.live.engine import LiveEngine
from coachtui.live.events import LiveEvent, Pane, decode
from coachtui.live.model import PaneState, PaneStatus, SessionModel
from coachtui.live.observer import LiveObserver, StreamObserver
from coachtui.live.status import ConnectionStatus, ConnState, LastError

__all__ = [
    "Backoff",
    "Clock",
    "ConnState",
    "ConnectionStatus",
    "LastError",
    "LiveEngine",
    "LiveEvent",
    "LiveObserver",
    "Pane",
    "PaneState",
    "PaneStatus",
    "SessionModel",
    "SseConnection",
    "StreamObserver",
    "decode",
]
