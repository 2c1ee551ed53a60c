"""One remote edit repaints its row once: the entity and its mark in one frame."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.tui.widgets.panes import ActionsPane
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app
from tests.waiting import panes_caught_up, shows_demo, until


def notes_due(app: Any) -> bool:
    return app.session_run is not None and app.session_run.notes_queued


def row_updates(table: Any) -> int:
    return int(table.fast_row_updates + table.fallback_row_updates)


def shown_and_marked(table: Any, action_id: str, body: str) -> bool:
    row = table.get_row(action_id) if action_id in table.rows else []
    return any(body in str(cell) for cell in row) and table.marked().get(action_id) == "edited"


async def test_a_remote_edit_repaints_its_row_once(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot, await coachee_api(head_server) as other:
        await until(pilot, lambda: shows_demo(app))
        table = app.session_screen.query_one(ActionsPane)
        # The start-up reads done and drawn (the stream's opening read can come after the first),
        # and the layout final: the notes shown (they take a column), and the actions drawn for
        # the Goal column as it is now.
        await until(pilot, lambda: app.notes is not None and app.notes.synced and not notes_due(app))
        await until(
            pilot,
            lambda: (
                not engine(app).model.busy
                and panes_caught_up(app)
                and bool(table.context.goals) == table.shows_goals
            ),
        )
        await pilot.pause()
        # Marks held for a minute: their expiry (3 s) would repaint the row during a slow run.
        monkeypatch.setattr(table, "mark", partial(type(table).mark, table, seconds=60))
        first, second = list(engine(app).model.items(Pane.ACTIONS))[:2]
        before = row_updates(table)
        await other.update_action(first.model_copy(update={"body": "Edited once"}))
        await until(pilot, lambda: shown_and_marked(table, first.id, "Edited once"))
        # A second edit, of another row, drawn and marked: whatever the first would still have
        # repainted (a frame later) has been drawn by now.
        await other.update_action(second.model_copy(update={"body": "Edited twice"}))
        await until(pilot, lambda: shown_and_marked(table, second.id, "Edited twice"))
        await pilot.pause()
        # The report and the pane change of an edit are drawn in one frame (tui/run_frames.py).
        assert row_updates(table) - before == 2
