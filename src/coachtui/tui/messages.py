"""Messages from the live engine to the widgets; the only way data reaches the screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from coachtui.live.changes import Resync
from coachtui.live.events import Pane
from coachtui.live.status import ConnectionStatus

if TYPE_CHECKING:  # (pycrdt, the notes' CRDT, is imported once the notes connect)
    from coachtui.live.notes.blocks import Block


@dataclass
class ConnectionChanged(Message):
    status: ConnectionStatus

    def can_replace(self, message: Message) -> bool:
        # A newer status of the same state supersedes this one; a change of state never skips one.
        return isinstance(message, ConnectionChanged) and message.status.state is self.status.state


@dataclass
class PaneChanged(Message):
    """Pane `pane` of the session model has new data or a new status. (At most one is queued per
    pane: the app holds back the next until it has shown this one, so none needs replacing.)"""

    pane: Pane


@dataclass
class AuthLost(Message):
    message: str
    at: dt.datetime | None = None  # when it was learned: a loss from before a new login is stale


@dataclass
class LoggedOut(Message):
    reason: str


@dataclass
class SessionChosen(Message):
    session_id: str


@dataclass
class ToggleDone(Message):
    """`x` on a row: complete it, or undo that."""

    pane: Pane
    entity_id: str


@dataclass
class DeleteRequested(Message):
    """`d` on a row: delete it (asked first)."""

    pane: Pane
    entity_id: str


@dataclass
class UndoRequested(Message):
    """`z`: bring back the last item deleted (or goal unlinked) here."""


@dataclass
class EditRequested(Message):
    """`n` (entity_id None: a new item), `enter` on a row, `t` (pane HEADER: the session title)."""

    pane: Pane
    entity_id: str | None


@dataclass
class LinkRequested(Message):
    """`l`: link one of the relationship's goals to this session."""


@dataclass
class ReportsArrived(Message):
    """Change reports are waiting in the app's inbox (one message for any number of them)."""


@dataclass
class Resynced(Message):
    """The reload after a reconnect is done: what it found changed while disconnected."""

    report: Resync


@dataclass
class CopyRequested(Message):
    """`c` on a row: copy its full text to the clipboard."""

    pane: Pane
    entity_id: str


@dataclass
class HistoryRequested(Message):
    """`h`: show the session's history."""


@dataclass
class NotesStatusChanged(Message):
    """The notes connection's state changed (shown next to the live one)."""

    status: ConnectionStatus


@dataclass
class NotesChanged(Message):
    """The notes document changed: redraw it (one queued at a time)."""


@dataclass
class NotesUnsent(Message):
    """How many of our changes to the notes the server has not acknowledged yet."""

    count: int


@dataclass
class NotesWriteRequested(Message):
    """A write key in the Notes pane: `action` (new, edit, tick, delete, undo) for `block`, the
    block under the cursor (None: there is none, the notes are empty)."""

    action: str
    block: Block | None


@dataclass
class PresenceChanged(Message):
    """Who has the session open may have changed."""
