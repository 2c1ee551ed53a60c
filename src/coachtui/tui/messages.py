"""Messages from the live engine to the widgets; the only way data reaches the screen."""

from __future__ import annotations

from textual.message import Message

from coachtui.live.events import Pane
from coachtui.live.status import ConnectionStatus


class ConnectionChanged(Message):
    def __init__(self, status: ConnectionStatus) -> None:
        super().__init__()
        self.status = status

    def can_replace(self, message: Message) -> bool:
        # A newer status of the same state supersedes this one; a change of state never skips one.
        return isinstance(message, ConnectionChanged) and message.status.state is self.status.state


class PaneChanged(Message):
    """Pane `pane` of the session model has new data or a new status."""

    def __init__(self, pane: Pane) -> None:
        super().__init__()
        self.pane = pane

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PaneChanged) and message.pane is self.pane


class AuthLost(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class LoggedOut(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class SessionChosen(Message):
    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
