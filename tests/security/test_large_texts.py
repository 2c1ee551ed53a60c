"""A text far larger than anyone writes, from the other participant: the editor stays usable, and
what it cannot hold is saved back exactly as the server has it (how fast the editor opens and
types at its limits is measured in benchmarks/editing.py, never here)."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.widgets import Input, Static, TextArea

from coachtui.api.models import Action, Status
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.tui.screens.editor import EditorScreen
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app
from tests.tui.test_editing import notices, pane, put_cursor_on
from tests.waiting import settled, until

# The attack's two: 600 KB on 300,001 lines, and one line of 1 MB.
HUGE = {
    "many lines": "MULTI\n" + "L\n" * 300_000,
    "one long line": "BIG1MB " + ("x" * 99 + " ") * 10_000,
}


async def _open_on_coachees_action(pilot: Any, app: Any, server: DevServer, body: str) -> str:
    """The coachee writes an action with `body`; the coach opens it with enter."""
    assert server.demo is not None
    coachee = await coachee_api(server)
    action = await coachee.create_action(
        server.demo.today_session_id, body, assignee_ids=[server.demo.coachee.user_id]
    )
    await coachee.aclose()
    actions = pane(app, Pane.ACTIONS)
    await until(pilot, lambda: settled(app) and action.id in actions.rows)  # (drawn as a row)
    await put_cursor_on(pilot, actions, action.id)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
    return action.id


async def _server_body_and_status(server: DevServer, action_id: str) -> tuple[str, Status]:
    assert server.demo is not None
    coachee = await coachee_api(server)
    try:
        action = next(
            a for a in await coachee.session_actions(server.demo.today_session_id) if a.id == action_id
        )
    finally:
        await coachee.aclose()
    return action.body or "", action.status


@pytest.mark.parametrize("shape", sorted(HUGE))
async def test_a_huge_text_is_named_not_edited_and_saved_back_unchanged(
    head_server: DevServer, shape: str
) -> None:
    body = HUGE[shape]
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        action_id = await _open_on_coachees_action(pilot, app, head_server, body)
        screen = app.screen
        assert isinstance(screen, EditorScreen)
        field = screen.query_one("#field-body")
        assert not screen.query(TextArea) and isinstance(field, Static)
        said = str(field.render())
        assert "Too long to edit here" in said and f"{len(body):,} characters" in said
        assert not isinstance(app.focused, TextArea)  # the first field that can be edited
        assert screen.values()["body"] == body and not screen.typed
        screen.query_one("#field-due", Input).value = "2031-05-06"
        await pilot.pause()  # (its Changed message first, as when typed)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, EditorScreen))
        await until(pilot, lambda: not engine(app).model.states[Pane.ACTIONS].saving)
        saved = engine(app).model.states[Pane.ACTIONS].items[action_id]
        assert isinstance(saved, Action)
        assert saved.due_by is not None and saved.due_by.date().isoformat() == "2031-05-06"
    server_body, _ = await _server_body_and_status(head_server, action_id)
    assert server_body == body  # not a character lost, cut or cleaned


async def test_a_large_text_within_the_limits_is_edited_and_saved_exactly(head_server: DevServer) -> None:
    body = "\n".join(f"line {i}: " + "word " * 8 for i in range(3_000))  # 150 KB on 3,000 lines
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        action_id = await _open_on_coachees_action(pilot, app, head_server, body)
        area = app.focused
        assert isinstance(area, TextArea) and area.text == body
        await pilot.press(*" more")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, EditorScreen))
        await until(pilot, lambda: not engine(app).model.states[Pane.ACTIONS].saving)
    server_body, _ = await _server_body_and_status(head_server, action_id)
    assert server_body == body + " more"


async def test_a_paste_past_the_limits_is_refused_with_a_sentence(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app))
        await pilot.press("2", "n")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and isinstance(app.focused, TextArea))
        area = app.focused
        assert isinstance(area, TextArea)
        app.post_message(events.Paste(HUGE["many lines"]))  # as a terminal's paste arrives
        await until(pilot, lambda: "Not pasted: 600,006 characters" in notices(app))
        assert area.text == ""
        app.post_message(events.Paste("Call the vendor"))
        await until(pilot, lambda: area.text == "Call the vendor")
