"""Session title (or date) in local time, coach, coachee and organization."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from coachtui.api.models import EnrichedSession
from coachtui.text import inert


class SessionHeader(Static):
    def show(self, session: EnrichedSession | None) -> None:
        if session is None:
            self.update(Text("Loading session…", style="dim"))
            return
        local = session.date.astimezone()
        title = session.title or session.display_title or f"Session of {local:%A %d %B}"
        text = Text()
        text.append(inert(title, limit=120), style="bold")
        text.append(f"   {local:%a %d %b %Y, %H:%M}", style="dim")
        line = []
        if session.coach:
            line.append(("Coach ", inert(session.coach.name, limit=40)))
        if session.coachee:
            line.append(("Coachee ", inert(session.coachee.name, limit=40)))
        if session.organization:
            line.append(("", inert(session.organization.name, limit=40)))
        text.append("\n")
        for i, (label, value) in enumerate(line):
            if i:
                text.append("  ·  ", style="dim")
            text.append(label, style="dim")
            text.append(value)
        self.update(text)
