"""App states built through the keys, shared by the snapshot tests and `make screenshots`."""

from __future__ import annotations

import datetime as dt
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


async def others_changes(pilot: Any, app: CoachApp, server: DevServer) -> None:
    """The coachee completes an action, adds one and adds an agreement: the rows are marked and
    each pane's notice says what happened."""
    assert app.live is not None and server.demo is not None
    model = app.live.model
    target = next(a for a in model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED)
    async with await coachee_api(server) as other:
        await other.update_action(target.model_copy(update={"status": Status.COMPLETED}))
        await until(pilot, lambda: app.notices.shown == 1)
        await other.create_agreement(model.session_id, "Jordan shares the plan with the team by Friday")
        await until(pilot, lambda: app.notices.shown == 2)
    actions = app.session_screen.pane_widget(Pane.ACTIONS)
    agreements = app.session_screen.pane_widget(Pane.AGREEMENTS)
    await until(pilot, lambda: len(actions.marked()) == 1 and len(agreements.marked()) == 1)
    # The completed row is shown in place first, then moves to its group: the picture is the moved one.
    await until(pilot, lambda: not actions.regrouping)


async def history_with_a_reconnect(pilot: Any, app: CoachApp, server: DevServer) -> None:
    """Changes seen live, a dropped connection during which the coachee changed a due date, the
    report after it, and `h`: the history screen."""
    from coachtui.live.changes import Resync
    from coachtui.live.status import ConnState
    from coachtui.tui.screens.history import HistoryScreen
    from tests.conftest import dev

    await others_changes(pilot, app, server)
    assert app.live is not None
    model = app.live.model
    target = next(
        a for a in model.items(Pane.ACTIONS) if a.due_by is not None and a.status is Status.IN_PROGRESS
    )
    dev(server, "sse/drop")
    await until(pilot, lambda: app.live is not None and app.live.status.state is ConnState.RECONNECTING)
    async with await coachee_api(server) as other:
        moved = target.due_by + dt.timedelta(days=4) if target.due_by else None
        await other.update_action(
            target.model_copy(update={"due_by": moved, "body": f"{target.body} (with Sam)"})
        )
    await pilot.press("r")  # reconnect now rather than after the backoff
    await until(pilot, lambda: any(isinstance(r, Resync) for r in app.history))
    await pilot.press("h")
    await until(pilot, lambda: isinstance(app.screen, HistoryScreen))


async def notes_with_the_coachee_here(pilot: Any, app: CoachApp, server: DevServer) -> None:
    """The coachee has the session open in the web app and has just typed a line into the notes."""
    from coachtui.live.notes.presence import Here
    from coachtui.live.status import ConnState
    from coachtui.tui.widgets.notes import NotesPane
    from coachtui.tui.widgets.session_header import SessionHeader
    from tests.conftest import dev

    assert server.demo is not None
    await until(pilot, lambda: app.notes is not None and app.notes.status.state is ConnState.CONNECTED)
    sid = server.demo.today_session_id
    dev(server, "notes", session_id=sid, presence="here")
    dev(server, "notes", session_id=sid, append="Jordan: I will ask Priya to own the on-call rota.")
    pane = app.session_screen.query_one(NotesPane)
    await until(
        pilot, lambda: bool(pane.lines) and pane.lines[-1].plain.startswith("Jordan: I will ask Priya")
    )
    header = app.session_screen.query_one(SessionHeader)
    await until(pilot, lambda: header.presence is not None and header.presence["Coachee"].state is Here.HERE)


async def writing_in_the_notes(pilot: Any, app: CoachApp, server: DevServer) -> None:
    """The coach, in the Notes pane, moves the block cursor to a task and opens the composer on a
    new task after it (issue 23)."""
    from coachtui.tui.screens.composer import ComposerScreen
    from coachtui.tui.widgets.notes import NotesPane

    await notes_with_the_coachee_here(pilot, app, server)
    pane = app.session_screen.query_one(NotesPane)
    await pilot.press("4", "g")
    for _ in range(20):
        if pane.cursor is not None and pane.cursor.text() == "Book the skip-levels":
            break
        await pilot.press("j")
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.focused is not None)
    await pilot.press(*"[ ] Ask Priya about the on-call rota")
