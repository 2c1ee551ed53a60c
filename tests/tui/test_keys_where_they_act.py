"""Keys as a new user meets them (the new-user trial's findings): the key bar offers only the keys
that act where the focus is; `q` closes a dialog that has no text field (and types a q in one);
ctrl+c in the notes composer asks before its text is lost; the demo never promises a draft it
throws away. Against the devserver."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.widgets import TextArea

from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.tui.screens.composer import ComposerScreen
from coachtui.tui.screens.editor import EditorScreen
from coachtui.tui.screens.history import HistoryScreen
from coachtui.tui.screens.modals import HelpScreen, Notice, UnsentQuestion
from coachtui.tui.widgets.key_bar import KeyBar
from tests.tui.factory import engine, make_app, notes_options
from tests.tui.test_notes_writing import WIDE, cursor_to, ready, under_cursor
from tests.waiting import settled, until


def bar(app: Any) -> str:
    """The session screen's key bar as it reads."""
    return Text.from_markup(app.session_screen.query_one(KeyBar).hints).plain


async def test_the_key_bar_offers_only_the_keys_that_act_where_the_focus_is(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)  # (the Notes pane focused, its cursor on the title)
        await until(pilot, lambda: bar(app).startswith("n New  enter Edit  d Delete  h History"))
        assert "x " not in bar(app)  # x ticks a task; a heading has none
        await cursor_to(pilot, app, "☐ Draft the delegation plan")
        await until(pilot, lambda: "x Tick" in bar(app))
        await pilot.press("x")  # a change of ours: z can take it back now
        await until(pilot, lambda: "z Undo" in bar(app))
        await pilot.press("2")  # a row of actions: every row key acts
        await until(pilot, lambda: bar(app).startswith("n New  enter Open  x Done  d Delete"))
        await pilot.press("3")  # agreements: nothing to complete
        await until(pilot, lambda: "x Done" not in bar(app))
        assert "enter Open" in bar(app) and "d Delete" in bar(app)
        # An empty pane: n adds; there is no row to open, complete or delete.
        app.open_session(demo.other_session_id)
        await until(pilot, lambda: settled(app) and engine(app).model.session_id == demo.other_session_id)
        await until(pilot, lambda: app.session_screen.focus_placed)
        await pilot.press("1")
        await until(pilot, lambda: bar(app).startswith("n New  h History"))
        assert not engine(app).model.items(Pane.GOALS)


async def test_the_notes_of_a_session_opened_with_the_notes_pane_focused_have_a_cursor(
    head_server: DevServer,
) -> None:
    demo = head_server.demo
    assert demo is not None
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        pane = await ready(pilot, app)
        app.open_session(demo.session_ids[0])  # (as the picker does) the kick-off session
        await until(pilot, lambda: "Kick-off" in pane.visible_text())
        await until(pilot, lambda: app.focused is pane and under_cursor(app) == "Kick-off")
        await until(pilot, lambda: bar(app).startswith("n New  enter Edit  d Delete"))
        await pilot.press("j", "j", "j", "j")
        assert under_cursor(app) == "☑ List what only Jordan can do" and "x Tick" in bar(app)


async def test_read_only_notes_offer_no_write_keys(head_server: DevServer) -> None:
    options = notes_options(head_server)
    options.read_only = True
    app: Any = await make_app(head_server, notes=options)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: bar(app).startswith("h History"))
        await pilot.press("2")
        await until(pilot, lambda: bar(app).startswith("n New  enter Open"))


async def test_q_closes_a_dialog_with_no_text_field_and_types_in_one(head_server: DevServer) -> None:
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        await pilot.press("2")
        rows = len(engine(app).model.items(Pane.ACTIONS))
        for opens, kind in (("d", Notice), ("question_mark", HelpScreen), ("h", HistoryScreen)):
            await pilot.press(opens)
            await until(pilot, lambda kind=kind: isinstance(app.screen, kind))  # type: ignore[misc]
            await pilot.press("q")
            await until(pilot, lambda: app.screen is app.session_screen)
            assert app.is_running
        assert len(engine(app).model.items(Pane.ACTIONS)) == rows  # the delete question: cancelled
        # In the notes composer q is a letter; ctrl+c asks before what was typed is lost.
        await pilot.press("4", "n")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.focused is not None)
        composer = app.screen
        await pilot.press("q")
        assert composer.query_one(TextArea).text == "q"
        await pilot.press("ctrl+c")
        await until(pilot, lambda: isinstance(app.screen, UnsentQuestion))
        assert app.screen.title_text == "Quit without writing?"
        await pilot.press("q")  # (a dialog: q closes it, as Escape: back to writing)
        await until(pilot, lambda: app.screen is composer)
        assert app.is_running and composer.query_one(TextArea).text == "q"
        await pilot.press("ctrl+c")
        await until(pilot, lambda: isinstance(app.screen, UnsentQuestion))
        await pilot.press("ctrl+c")  # twice: quit, as asked
        await until(pilot, lambda: not app.is_running)


async def test_ctrl_c_in_the_demo_says_the_text_goes_with_it(
    head_server: DevServer, capsys: pytest.CaptureFixture[str]
) -> None:
    app: Any = await make_app(head_server, throwaway=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app) and app.session_screen.focus_placed)
        await pilot.press("2", "n")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
        await pilot.press(*"Half a thought", "ctrl+c")
    said = " ".join(capsys.readouterr().err.split())
    assert "the demo keeps nothing" in said and "offered back" not in said


async def test_a_pane_chosen_before_its_data_is_drawn_keeps_the_focus(head_server: DevServer) -> None:
    """`3` pressed while the panes still load: the start-up focus (Actions, once its data is
    drawn) must not take it back, or the next `x` completes an action instead of saying where it
    works (seen under load in test_x_where_it_means_nothing_says_where_it_works)."""
    app: Any = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.screen is app.session_screen)
        agreements = app.session_screen.pane_widget(Pane.AGREEMENTS)
        await pilot.press("3")
        await until(pilot, lambda: settled(app) and app.session_screen.focus_placed)
        await until(pilot, lambda: not app.session_screen.pane_widget(Pane.ACTIONS).loading)
        await until(pilot, lambda: app.focused is agreements)
        await pilot.pause()  # (a focus given by the start-up would land a frame later)
        assert app.focused is agreements
