"""Session title (or date) in local time, coach, coachee and organization."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from coachtui.api.models import EnrichedSession
from coachtui.live.notes.presence import Here, Presence
from coachtui.text import inert


class SessionHeader(Widget):
    """Two lines, each cut with … at the width: a long title never pushes the names line out."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: EnrichedSession | None = None
        self.presence: dict[str, Presence] | None = None  # None: the notes are not connected
        self.me_role: str | None = None  # our own role, when we announce ourselves

    def show_presence(self, presence: dict[str, Presence] | None, me_role: str | None) -> None:
        """Who has the session open, from the notes' awareness (None: not known now)."""
        if (presence, me_role) != (self.presence, self.me_role):
            self.presence, self.me_role = presence, me_role
            self.refresh()

    def _presence(self, role: str) -> Text:
        if self.presence is None:
            return Text()
        if role == self.me_role:
            return Text(" ● here (you)", style="dim")
        found = self.presence.get(role)
        if found is None or found.state is Here.UNKNOWN:
            return Text(" · presence unknown", style="dim")
        if found.state is Here.HERE:
            return Text(" ● here", style="bold")
        return Text(f" ○ {found.describe()}", style="dim")

    def show(self, session: EnrichedSession | None) -> None:
        self.session = session
        self.refresh()

    def render(self) -> Text:
        session = self.session
        if session is None:
            return Text("Loading session…", style="dim")
        width = max(self.content_size.width, 10)
        local = session.date.astimezone()
        title = session.title or session.display_title or f"Session of {local:%A %d %B}"
        when = Text(f"   {local:%a %d %b %Y, %H:%M}", style="dim")
        heading = Text(inert(title, limit=200), style="bold")
        # The title gives way first, so the date stays readable.
        heading.truncate(max(width - len(when), 10), overflow="ellipsis")
        first = Text.assemble(heading, when)
        first.truncate(width, overflow="ellipsis")
        second = Text()

        parts: list[tuple[str, str, Text]] = []
        if session.coach:
            parts.append(("Coach ", inert(session.coach.name, limit=40), self._presence("Coach")))
        if session.coachee:
            parts.append(("Coachee ", inert(session.coachee.name, limit=40), self._presence("Coachee")))
        if session.organization:
            parts.append(("", inert(session.organization.name, limit=40), Text()))
        for i, (label, value, presence) in enumerate(parts):
            if i:
                second.append("  ·  ", style="dim")
            second.append(label, style="dim")
            second.append(value)
            second.append_text(presence)
        second.truncate(width, overflow="ellipsis")
        return Text("\n").join([first, second])
