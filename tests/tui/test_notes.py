"""The Notes pane, zoom, presence in the header, and the notes status beside the live one —
each independent of the other — against the devserver's notes server."""

from __future__ import annotations

from typing import Any

from coachtui.devserver.server import DevServer
from coachtui.live.status import ConnState
from coachtui.tui.widgets.entity_table import EntityTable
from coachtui.tui.widgets.notes import NotesPane
from coachtui.tui.widgets.session_header import SessionHeader
from coachtui.tui.widgets.status_bar import StatusBar
from tests.conftest import ServerFactory, dev
from tests.tui.factory import engine, make_app, notes_options
from tests.waiting import settled, until

WIDE, NARROW = (160, 45), (80, 24)


def notes_pane(app: Any) -> NotesPane:
    pane: NotesPane = app.session_screen.query_one(NotesPane)
    return pane


def header_text(app: Any) -> str:
    return str(app.session_screen.query_one(SessionHeader).render())


def notes_status(app: Any) -> str:
    described = app.session_screen.query_one(StatusBar).describe_notes()
    return str(described) if described is not None else ""


def live_status(app: Any) -> str:
    return str(app.session_screen.query_one(StatusBar).describe()[0])


def notes_up(app: Any) -> bool:
    return app.notes is not None and app.notes.status.state is ConnState.CONNECTED


async def test_the_notes_show_and_follow_live_edits_without_moving_the_scroll(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: settled(app) and notes_up(app))
        pane = notes_pane(app)
        await until(pilot, lambda: "Session notes" in pane.visible_text())
        assert "☑ Share the roadmap summary" in pane.visible_text()
        dev(head_server, "notes", session_id=demo.today_session_id, append="Typed in the web app")
        await until(pilot, lambda: pane.visible_text()[-1] == "Typed in the web app")
        for n in range(30):  # long enough to scroll
            dev(head_server, "notes", session_id=demo.today_session_id, append=f"Line {n}")
        await until(pilot, lambda: pane.visible_text()[-1] == "Line 29")
        pane.scroll_y = 4  # as a reader scrolls (the wheel; the block cursor is tested on its own)
        await until(pilot, lambda: pane.scroll_offset.y == 4)
        before = pane.visible_text()
        dev(head_server, "notes", session_id=demo.today_session_id, prepend="A line above where you read")
        await until(pilot, lambda: pane.visible_text()[0] == "A line above where you read")
        assert pane.scroll_offset.y == 4  # the scroll position did not move
        # The new paragraph (and the gap before the heading under it) went above; nothing else moved.
        assert pane.visible_text()[2:] == before


async def test_notes_that_had_the_focus_only_while_the_tables_loaded_keep_following_the_top(
    head_server: DevServer,
) -> None:
    """The notes, ready before the tables, have the focus a moment (and a cursor with it); the
    focus goes to Actions once its rows come. That cursor was never the user's: left in place it
    kept its block still, and what the coachee writes at the top scrolled out of sight above."""
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    dev(head_server, "rest/hold", path=f"/users/{app.api.user_id}/actions")  # Actions: still loading
    async with app.run_test(size=WIDE) as pilot:
        pane = notes_pane(app)
        await until(pilot, lambda: notes_up(app) and pane.has_focus and pane.cursor_at is not None)
        dev(head_server, "rest/hold", release=True)
        # (The screen's focus moves at once; the pane hears of it, and lets its cursor go, when
        # it takes its Blur: waited for, or under load the check came between the two.)
        await until(
            pilot, lambda: settled(app) and isinstance(app.focused, EntityTable) and not pane.has_focus
        )
        assert pane.cursor_at is None
        for n in range(30):  # more than the pane's height
            dev(head_server, "notes", session_id=demo.today_session_id, prepend=f"From the web app {n}")
        await until(pilot, lambda: pane.visible_text()[0] == "From the web app 29")
        assert pane.scroll_offset.y == 0


async def test_an_empty_document_says_so(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: settled(app) and notes_up(app))
        dev(head_server, "notes", session_id=demo.today_session_id, clear=True)
        await until(pilot, lambda: notes_pane(app).visible_text() == ["No notes yet for this session."])


async def test_4_at_80_columns_swaps_actions_for_notes_and_2_swaps_back(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=NARROW) as pilot:
        await until(pilot, lambda: settled(app) and notes_up(app))
        screen = app.session_screen
        actions, notes = screen.query_one("#actions", EntityTable), notes_pane(app)
        assert actions.display and not notes.display  # Actions first: the tab title says 4 Notes
        assert actions.border_title == "Actions  [4 Notes]"
        await pilot.press("4")
        await pilot.pause()
        assert notes.display and not actions.display and app.focused is notes
        assert notes.border_title == "Notes  [2 Actions]" and notes.region.height >= 8
        await pilot.press("2")
        await pilot.pause()
        assert actions.display and not notes.display and app.focused is actions


async def test_f_zooms_the_focused_pane_and_back(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: settled(app) and notes_up(app))
        screen = app.session_screen
        for key, pane in (("4", notes_pane(app)), ("2", screen.query_one("#actions"))):
            await pilot.press(key, "f")
            await pilot.pause()
            assert screen.maximized is pane and pane.region.width == WIDE[0]
            await pilot.press("f")
            await pilot.pause()
            assert screen.maximized is None and pane.region.width < WIDE[0]


async def test_presence_in_the_header(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: settled(app) and notes_up(app))
        await until(pilot, lambda: "Avery Stone ● here (you)" in header_text(app))
        assert "Jordan Lee · presence unknown" in header_text(app)
        dev(head_server, "notes", session_id=demo.today_session_id, presence="here")
        await until(pilot, lambda: "Jordan Lee ● here" in header_text(app))
        dev(head_server, "notes", session_id=demo.today_session_id, presence="gone")
        await until(pilot, lambda: "Jordan Lee ○ away since " in header_text(app))


async def test_invisible_shows_no_dot_of_its_own(head_server: DevServer) -> None:
    options = notes_options(head_server)
    options.invisible = True
    app = await make_app(head_server, notes=options)
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: settled(app) and notes_up(app))
        await until(pilot, lambda: "Jordan Lee · presence unknown" in header_text(app))  # presence drawn
        assert "(you)" not in header_text(app)


async def test_losing_the_notes_leaves_the_live_connection_and_the_reverse(
    make_server: ServerFactory,
) -> None:
    server = make_server("head")
    app = await make_app(server)
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: settled(app) and notes_up(app))
        await until(pilot, lambda: "Notes: ● Connected" in notes_status(app))
        dev(server, "notes", deny=100, drop=True)
        await until(
            pilot, lambda: "Notes: ● Reconnecting" in notes_status(app) or "Error" in notes_status(app)
        )
        assert engine(app).status.state is ConnState.CONNECTED and "Connected" in live_status(app)
        dev(server, "notes", deny=0)
        await pilot.press("r")
        await until(pilot, lambda: "Notes: ● Connected" in notes_status(app))
        dev(server, "sse/fail", status=503, count=50)
        dev(server, "sse/drop")
        await until(pilot, lambda: engine(app).status.state is ConnState.RECONNECTING)
        assert notes_up(app) and "Notes: ● Connected" in notes_status(app)


async def test_a_server_without_notes_says_unavailable(head_server: DevServer) -> None:
    dev(head_server, "notes", token_fail=404, count=20)
    app = await make_app(head_server, notes=notes_options(head_server, token_retry=0.01))
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: settled(app))
        await until(pilot, lambda: "Notes unavailable" in notes_status(app))
        assert notes_pane(app).visible_text() == [
            "Notes unavailable: this server has no shared notes for the session."
        ]
        assert engine(app).status.state is ConnState.CONNECTED  # the rest is unaffected
