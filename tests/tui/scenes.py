"""App states built through the keys, shared by the snapshot tests and `make screenshots`."""

from __future__ import annotations

from typing import Any

from coachtui.api.models import Status
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.tui.app import CoachApp
from coachtui.tui.screens.editor import EditorScreen
from tests.live.helpers import coachee_api
from tests.waiting import until


async def editing_with_a_conflict(pilot: Any, app: CoachApp, server: DevServer, typed: str) -> None:
    """The editor open on a not-started action, `typed` added to its text, while the coachee
    puts that action In Progress: the editor shows "Changed elsewhere"."""
    assert app.live is not None
    target = next(a for a in app.live.model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED)
    table = app.session_screen.pane_widget(Pane.ACTIONS)
    table.focus()
    table.move_cursor(row=table.get_row_index(target.id), animate=False)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
    await pilot.press(*typed)
    async with await coachee_api(server) as other:
        await other.update_action(target.model_copy(update={"status": Status.IN_PROGRESS}))
    note = app.screen.query_one("#editor-elsewhere")
    await until(pilot, lambda: "Changed elsewhere" in str(note.render()))
