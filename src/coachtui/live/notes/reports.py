"""What a notes connection tells its owner (`NotesObserver`), and who we are in the notes (`Me`).

Apart from the client (live/notes/client.py) so the app can name them without importing the
client, websockets and pycrdt, which it needs only once the notes connect (after the first paint).
"""

from __future__ import annotations

from dataclasses import dataclass

from coachtui.live.status import ConnectionStatus


class NotesObserver:
    def notes_status(self, status: ConnectionStatus) -> None:
        """The notes connection's state or detail changed."""

    def notes_changed(self) -> None:
        """The document changed (synced, or a live edit)."""

    def presence_changed(self) -> None:
        """Who is here may have changed."""

    def notes_unsent(self, count: int) -> None:
        """How many of our changes the server does not have yet (0: all of them arrived)."""


@dataclass(frozen=True)
class Me:
    user_id: str
    name: str
    role: str  # "Coach" | "Coachee"
