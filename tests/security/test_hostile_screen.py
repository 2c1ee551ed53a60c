"""Hostile text from the other participant, through the real screen under Pilot: names (in the
header, the editor's choices, the presence), the session title, a goal, an action and an
agreement (in the panes, the toasts, the history and its copy, `c`), the notes. Nothing raises,
and nothing the data held that a terminal would obey reaches the screen or the clipboard."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.app import App

from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.tui.screens.editor import EditorScreen
from coachtui.tui.screens.history import HistoryScreen
from coachtui.tui.widgets.notes import NotesPane
from coachtui.tui.widgets.status_bar import StatusBar
from tests.conftest import dev
from tests.live.helpers import coachee_api
from tests.security.hostile import PATIENCE, PIECES, hostile_text, leaks
from tests.tui.factory import make_app
from tests.tui.test_editing import pane, put_cursor_on
from tests.waiting import settled, until

# The issue's own: a name that closes a tag, OSC 52, a bidi override, a paste hijack, 8-bit OSC.
REPRODUCED = [
    "[/oops]",
    "Eli\x1b]52;c;ZXZpbA==\x07",
    "[/oops]",
    "[/oops]\u202e",
    "\x1b[201~ls\n",
    "[b]",
    "\x9d0;t\x9c",
]


UNSET = "nothing copied yet"


def on_screen(app: App[Any]) -> str:
    """Every character the screens would draw (their segments' text, not Textual's own escapes),
    toasts included, one line per screen row."""
    rows = []
    for screen in app.screen_stack:
        update = screen._compositor.render_full_update()
        for line in update.strips:
            rows.append("".join(seg.text for strip in line for seg in strip if not seg.control))
    return "\n".join(rows)


def toasts(app: App[Any]) -> str:
    return "\n".join(f"{n.title or ''}\n{n.message}" for n in app._notifications)


def wire(text: str) -> str:
    """As a server can hold it: UTF-8, so a lone surrogate is U+FFFD (the renderers' own tests
    feed lone surrogates directly: test_hostile_text.py)."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def rename(server: DevServer, user_id: str, name: str) -> None:
    user = server.store.get("user", user_id)
    assert user is not None
    server.store.put("user", {**user, "display_name": wire(name)})


def clean(app: App[Any]) -> bool:
    assert leaks(on_screen(app), lines=True) == [], on_screen(app)
    assert leaks(toasts(app), lines=True) == []
    for bar in app.session_screen.query(StatusBar):  # type: ignore[attr-defined]  # notices told there
        assert leaks("\n".join(bar.told), lines=True) == []
    return True


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(hostile_text, min_size=7, max_size=7))
@example(["".join(PIECES[n:] + PIECES[:n]) for n in range(7)])  # every piece in every field
@example(REPRODUCED)
async def test_the_other_participant_cannot_write_to_the_terminal(
    head_server: DevServer, t: list[str]
) -> None:
    demo = head_server.demo
    assert demo is not None
    session_id = demo.today_session_id
    rename(head_server, demo.coach.user_id, t[0])
    rename(head_server, demo.coachee.user_id, t[1])
    dev(head_server, "notes", session_id=session_id, append=wire(t[2]))  # (creates the document)
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app), timeout=PATIENCE)
        dev(head_server, "notes", session_id=session_id, presence="here")  # the hostile name
        goal = (await coachee.session_goals(session_id))[0]
        await coachee.update_goal(goal.model_copy(update={"title": wire(t[3])}))
        action = await coachee.create_action(
            session_id, wire(t[4]), assignee_ids=[demo.coachee.user_id, demo.coach.user_id], goal_id=goal.id
        )
        await coachee.create_agreement(session_id, wire(t[5]))
        await coachee.update_session_title(session_id, wire(t[6])[:400])  # (at most 500: the backend)
        bar = app.session_screen.query_one(StatusBar)  # change notices are told in its line
        told = lambda: action.id in actions.rows and len(bar.told) >= 3  # noqa: E731
        await until(pilot, told, timeout=PATIENCE)
        await until(pilot, lambda: bool(app.session_screen.query_one(NotesPane).lines), timeout=PATIENCE)
        assert clean(app)

        await put_cursor_on(pilot, actions, action.id)
        app.copy_to_clipboard(UNSET)  # (the text copied may be empty once made safe)
        await pilot.press("c")
        await until(pilot, lambda: app.clipboard != UNSET, timeout=PATIENCE)
        assert leaks(app.clipboard, lines=True) == [] and "\x1b" not in app.clipboard

        await pilot.press("enter")  # the editor: Assignees and Goal hold the names and the title
        await until(pilot, lambda: isinstance(app.screen, EditorScreen), timeout=PATIENCE)
        assert clean(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen, timeout=PATIENCE)

        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen), timeout=PATIENCE)
        assert clean(app)
        app.copy_to_clipboard(UNSET)
        await pilot.press("c")
        await until(pilot, lambda: app.clipboard != UNSET, timeout=PATIENCE)
        assert leaks(app.clipboard, lines=True) == []
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen, timeout=PATIENCE)
        assert app.is_running
