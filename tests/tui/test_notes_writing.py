"""Writing in the shared notes from the keyboard (issue 23), against the devserver's notes server:
the block cursor, the composer (n, enter, ctrl+s, Escape), x, d, z, --read-only, and the
"not sent yet" status with `q` asking first. What the server holds is read from its own document,
and checked against the web app's schema after each write."""

from __future__ import annotations

from typing import Any

from pycrdt import XmlFragment
from textual.widgets import DataTable, Static, TextArea

from coachtui.devserver.server import DevServer
from coachtui.live.notes.document import render
from coachtui.live.notes.schema import problems
from coachtui.live.status import ConnState
from coachtui.tui.messages import SessionChosen
from coachtui.tui.screens.composer import ComposerScreen
from coachtui.tui.screens.editor import EditorScreen
from coachtui.tui.screens.modals import Notice, UnsentQuestion
from coachtui.tui.session_run import SessionRun
from coachtui.tui.widgets.notes import NotesPane
from coachtui.tui.widgets.status_bar import StatusBar
from tests.conftest import dev
from tests.tui.factory import make_app, notes_options, open_picker
from tests.waiting import settled, until

WIDE = (160, 45)  # the notes have a column of their own from 160 columns


def pane_of(app: Any) -> NotesPane:
    pane: NotesPane = app.session_screen.query_one(NotesPane)
    return pane


def under_cursor(app: Any) -> str:
    block = pane_of(app).cursor
    return block.lines[0].plain if block is not None else ""


def server_lines(server: DevServer, app: Any) -> list[str]:
    """The notes as the server holds them, after checking them against the web app's schema."""
    fragment = server_fragment(server, app)
    assert problems(fragment) == []
    return [line.plain for line in render(fragment)]


def server_fragment(server: DevServer, app: Any) -> XmlFragment:
    room = server.backend.notes.rooms[app.notes.document_name]
    fragment: XmlFragment = room.doc.get("default", type=XmlFragment)
    return fragment


def notes_status(app: Any) -> str:
    described = app.session_screen.query_one(StatusBar).describe_notes()
    return str(described) if described is not None else ""


async def ready(pilot: Any, app: Any) -> NotesPane:
    """The session loaded, the notes drawn, the Notes pane focused (its cursor on the first block)."""
    await until(pilot, lambda: settled(app) and app.notes is not None and app.notes.synced)
    pane = pane_of(app)
    await until(pilot, lambda: "Session notes" in pane.visible_text())
    await pilot.press("4")
    await until(pilot, lambda: app.focused is pane and under_cursor(app) == "Session notes")
    return pane


async def on_the_server(pilot: Any, app: Any) -> None:
    """Our changes acknowledged: the server holds them (a write shows here before it has)."""
    await until(pilot, lambda: app.notes.unsent == 0)


async def cursor_to(pilot: Any, app: Any, text: str) -> None:
    await pilot.press("g")
    for _ in range(40):
        if under_cursor(app) == text:
            return
        await pilot.press("j")
    raise AssertionError(f"no block {text!r} under the cursor")


async def test_the_block_cursor_moves_by_block_and_stays_on_its_block(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        pane = await ready(pilot, app)
        assert str(pane.border_subtitle).startswith("n new ·")  # the pane's own keys while it has the focus
        await pilot.press("j")
        assert under_cursor(app).startswith("Jordan wants to delegate more")
        await pilot.press("down", "down")
        assert under_cursor(app) == "• Platform roadmap for Q1"
        await pilot.press("j")  # a nested item is a block of its own
        assert under_cursor(app) == "  • Two senior engineers could own parts of it"
        await pilot.press("k", "up")
        assert under_cursor(app) == "What is on Jordan's plate"
        await pilot.press("G")
        assert pane.cursor is not None and pane.cursor.kind == "rule"  # the last block
        await pilot.press("home")
        assert under_cursor(app) == "Session notes"
        await pilot.press("end", "g")
        assert under_cursor(app) == "Session notes"
        await pilot.press("pagedown")
        assert pane.cursor_at is not None and pane.cursor_at > 1
        await pilot.press("pageup")
        assert under_cursor(app) == "Session notes"
        # The coachee writes above: the cursor stays on its block, which stays where it was on screen.
        for n in range(30):  # long enough to scroll
            dev(head_server, "notes", session_id=demo.today_session_id, append=f"Line {n}")
        await until(pilot, lambda: pane.visible_text()[-1] == "Line 29")
        await pilot.press("G", "k")
        assert under_cursor(app) == "Line 28" and pane.scroll_offset.y > 0  # the scroll followed
        row = pane.cursor_row()
        dev(head_server, "notes", session_id=demo.today_session_id, prepend="Written above by the coachee")
        await until(pilot, lambda: pane.visible_text()[0] == "Written above by the coachee")
        assert under_cursor(app) == "Line 28" and pane.cursor_row() == row
        # The same letters still act on rows in the other panes.
        await pilot.press("2", "n")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))


async def test_n_writes_a_task_after_the_cursor_and_the_cursor_lands_on_it(head_server: DevServer) -> None:
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        await cursor_to(pilot, app, "☐ Draft the delegation plan")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.focused is not None)
        assert type(app.focused).__name__ == "TextArea"
        await pilot.press(*"[ ] Call Sam about the plan")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: under_cursor(app) == "☐ Call Sam about the plan")
        await on_the_server(pilot, app)
        lines = server_lines(head_server, app)
        at = lines.index("☐ Draft the delegation plan")
        assert lines[at + 1] == "☐ Call Sam about the plan"  # joined the task list, after the cursor
        assert app.focused is pane_of(app)
        # A heading at the end (after the last block).
        await pilot.press("G", "n", *"## Follow-up", "ctrl+s")
        await until(pilot, lambda: under_cursor(app) == "Follow-up")
        await on_the_server(pilot, app)
        assert server_lines(head_server, app)[-1] == "Follow-up"


async def test_enter_edits_the_block_keeping_the_marks_on_untouched_text(head_server: DevServer) -> None:
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        await pilot.press("j", "enter")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.focused is not None)
        area = app.screen.query_one(TextArea)
        assert area.text.startswith("Jordan wants to delegate more without losing sight")
        area.move_cursor((0, 0))
        await pilot.press(*"Today: ")  # typed at the start
        await pilot.press("ctrl+s")
        await until(pilot, lambda: under_cursor(app).startswith("Today: Jordan wants to delegate more"))
        await on_the_server(pilot, app)
        fragment = server_fragment(head_server, app)
        paragraph: Any = fragment.children[1]
        chunks = [(str(text), dict(attrs or {})) for text, attrs in paragraph.children[0].diff()]
        assert ("delegate more", {"bold": {}}) in chunks and chunks[0][0].startswith("Today: ")
        assert problems(fragment) == []


async def test_x_ticks_a_task_d_deletes_after_asking_and_z_undoes(head_server: DevServer) -> None:
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        await cursor_to(pilot, app, "☐ Book the skip-levels")
        await pilot.press("x")
        await until(pilot, lambda: under_cursor(app) == "☑ Book the skip-levels")
        await on_the_server(pilot, app)
        assert "☑ Book the skip-levels" in server_lines(head_server, app)
        await pilot.press("x")
        await until(pilot, lambda: "☐ Book the skip-levels" in server_lines(head_server, app))
        # x on anything else says so and writes nothing.
        await pilot.press("g", "x")
        await until(pilot, lambda: any("x ticks a task" in str(n.message) for n in app._notifications))
        # d asks first (Cancel has the focus), saying when nested items go too.
        await cursor_to(pilot, app, "• Platform roadmap for Q1")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        body = str(app.screen.query_one("#notice-body").render())
        assert "Platform roadmap for Q1" in body and "nested in it goes too (1 more block)" in body
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)
        assert "• Platform roadmap for Q1" in server_lines(head_server, app)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(pilot, lambda: "• Platform roadmap for Q1" not in server_lines(head_server, app))
        assert "  • Two senior engineers could own parts of it" not in server_lines(head_server, app)
        await until(pilot, lambda: under_cursor(app) == "• Hiring loop redesign (paused)")  # the neighbour
        # z takes back our last change only.
        await pilot.press("z")
        await until(pilot, lambda: "• Platform roadmap for Q1" in server_lines(head_server, app))
        await pilot.press("z", "z")  # the two ticks
        await pilot.press("z")
        await until(
            pilot, lambda: any("Nothing of yours to undo" in str(n.message) for n in app._notifications)
        )
        await on_the_server(pilot, app)
        assert "☐ Book the skip-levels" in server_lines(head_server, app)


async def test_escape_closes_the_composer_asking_first_if_typed(head_server: DevServer) -> None:
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        before = server_lines(head_server, app)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.focused is not None)
        await pilot.press("escape")  # nothing typed: it just closes
        await until(pilot, lambda: app.screen is app.session_screen)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.focused is not None)
        composer = app.screen
        await pilot.press(*"half a thought", "escape")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("escape")  # "Keep writing": back in the composer, the text kept
        await until(pilot, lambda: app.screen is composer)
        assert composer.query_one(TextArea).text == "half a thought"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(pilot, lambda: app.screen is app.session_screen)
        await pilot.press("j")  # (a key the app has handled since: nothing was written meanwhile)
        assert server_lines(head_server, app) == before and app.notes.unsent == 0


async def test_read_only_keeps_todays_behaviour(head_server: DevServer) -> None:
    options = notes_options(head_server)
    options.read_only = True
    app: Any = await make_app(head_server, notes=options)
    async with app.run_test(size=WIDE) as pilot:
        pane = await ready(pilot, app)
        before = server_lines(head_server, app)
        assert pane.border_subtitle == "read-only"
        for key in ("n", "enter", "x", "d", "z"):
            await pilot.press(key)
        await until(pilot, lambda: sum("read-only" in str(n.message) for n in app._notifications) >= 1)
        assert app.screen is app.session_screen
        assert server_lines(head_server, app) == before and app.notes.unsent == 0
        await pilot.press("j")
        assert under_cursor(app).startswith("Jordan wants to")  # reading still moves


async def test_changes_made_offline_say_not_sent_yet_and_q_asks_first(head_server: DevServer) -> None:
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        dev(head_server, "notes", deny=1000, drop=True)
        await until(pilot, lambda: app.notes.status.state is not ConnState.CONNECTED)
        await cursor_to(pilot, app, "☐ Book the skip-levels")
        await pilot.press("x")
        await pilot.press("n", *"Written offline", "ctrl+s")
        await until(pilot, lambda: "Notes: 2 changes not sent yet" in notes_status(app))
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, UnsentQuestion))
        await pilot.press("n")  # stay
        await until(pilot, lambda: app.screen is app.session_screen)
        assert app.is_running
        dev(head_server, "notes", deny=0)
        await pilot.press("r")
        await until(pilot, lambda: "not sent yet" not in notes_status(app))
        lines = server_lines(head_server, app)
        assert "☑ Book the skip-levels" in lines and "Written offline" in lines


async def test_a_composer_of_one_session_never_writes_into_another(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        first: SessionRun = app.session_run
        await pilot.press("n", *"meant for the first session")
        other = next(s for s in demo.session_ids if s != demo.today_session_id)
        app.open_session(other)  # (as the picker does)
        await until(pilot, lambda: app.screen is app.session_screen and app.session_run is not first)
        await until(pilot, lambda: app.notes is not None and app.notes.synced)
        await pilot.press("4", "ctrl+s")  # (no composer any more: nothing to write)
        await pilot.press("j")
        assert first.notes is not None and first.notes.unsent == 0 and app.notes.unsent == 0
        for room in head_server.backend.notes.rooms.values():
            text = [line.plain for line in render(room.doc.get("default", type=XmlFragment))]
            assert "meant for the first session" not in text


async def pick(pilot: Any, app: Any, session_id: str) -> None:
    """Switch session as a user does: s, the session's row in the picker, Enter."""
    table = (await open_picker(pilot, app)).query_one(DataTable)
    table.move_cursor(row=table.get_row_index(session_id), animate=False)
    await pilot.press("enter")


async def test_a_switch_with_changes_not_sent_asks_first(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        first: SessionRun = app.session_run
        dev(head_server, "notes", deny=1000, drop=True)
        await until(pilot, lambda: app.notes.status.state is not ConnState.CONNECTED)
        await cursor_to(pilot, app, "☐ Book the skip-levels")
        await pilot.press("x")
        await until(pilot, lambda: "Notes: 1 change not sent yet" in notes_status(app))
        await pick(pilot, app, demo.other_session_id)
        await until(
            pilot, lambda: isinstance(app.screen, UnsentQuestion) and bool(app.screen.query("#notice-body"))
        )
        body = str(app.screen.query_one("#notice-body").render())
        assert "1 change to the notes has not" in body and "Switching now loses it." in body
        await pilot.press("n")  # stay: back in this session, the change still waiting to be sent
        await until(pilot, lambda: app.screen is app.session_screen)
        assert app.session_run is first and app.notes.unsent == 1
        app.action_logout()  # (the palette's Logout) says so too
        await until(pilot, lambda: isinstance(app.screen, Notice) and bool(app.screen.query("#notice-body")))
        assert "1 change to the notes not sent yet" in str(app.screen.query_one("#notice-body").render())
        await pilot.press("n")
        await until(pilot, lambda: app.screen is app.session_screen)
        await pick(pilot, app, demo.other_session_id)
        await until(pilot, lambda: isinstance(app.screen, UnsentQuestion))
        await pilot.press("y")  # switch anyway
        await until(
            pilot,
            lambda: (
                app.screen is app.session_screen
                and app.session_run is not first
                and app.live.model.session_id == demo.other_session_id
            ),
        )


async def test_a_block_deleted_elsewhere_while_in_the_composer_keeps_the_text(
    head_server: DevServer,
) -> None:
    demo = head_server.demo
    assert demo is not None
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        await pilot.press("j", "enter")  # the paragraph under the title
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.focused is not None)
        composer = app.screen
        area = composer.query_one(TextArea)
        area.move_cursor((0, 0))
        await pilot.press(*"Today: ")
        dev(head_server, "notes", session_id=demo.today_session_id, delete=1)  # the coachee deletes it
        pane = pane_of(app)
        await until(pilot, lambda: not any(t.startswith("Jordan wants") for t in pane.visible_text()))
        said = [str(line.render()) for line in composer.query("#composer-gone").results(Static)]
        assert any("deleted this block" in text for text in said)  # said at once, the text kept
        assert app.screen is composer and area.text.startswith("Today: Jordan wants to delegate more")
        await pilot.press("ctrl+s")  # written again, where it was: after the title
        await until(pilot, lambda: app.screen is app.session_screen)
        await on_the_server(pilot, app)
        lines = server_lines(head_server, app)
        assert lines[0] == "Session notes" and lines[1].startswith("Today: Jordan wants to delegate more")
        assert under_cursor(app).startswith("Today: Jordan wants to delegate more")
        assert any("deleted elsewhere" in str(n.message) for n in app._notifications)
        # A new block after one deleted meanwhile goes where that one was.
        await cursor_to(pilot, app, "What is on Jordan's plate")
        await pilot.press("n", *"- Written after a heading that went")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        dev(head_server, "notes", session_id=demo.today_session_id, delete=2)  # that heading
        await until(pilot, lambda: "What is on Jordan's plate" not in pane.visible_text())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: under_cursor(app) == "• Written after a heading that went")
        await on_the_server(pilot, app)
        lines = server_lines(head_server, app)
        assert "What is on Jordan's plate" not in lines
        at = lines.index("• Written after a heading that went")
        assert lines[at - 1].startswith("Today: Jordan") and lines[at + 1] == "• Platform roadmap for Q1"


async def test_a_switch_with_text_in_the_composer_asks_first(head_server: DevServer) -> None:
    """No draft keeps a composer's text: a switch (from the palette, over the composer) asks
    before it closes it, as quitting does; staying keeps the composer and its text."""
    demo = head_server.demo
    assert demo is not None
    app: Any = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot, app)
        first: SessionRun = app.session_run
        await cursor_to(pilot, app, "☐ Draft the delegation plan")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.focused is not None)
        composer = app.screen
        await pilot.press(*"Ask Sam about the budget")
        app.post_message(SessionChosen(demo.other_session_id))  # as the palette's picker does
        await until(
            pilot, lambda: isinstance(app.screen, UnsentQuestion) and bool(app.screen.query("#notice-body"))
        )
        assert "notes composer" in str(app.screen.query_one("#notice-body").render())
        await pilot.press("n")  # keep writing
        await until(pilot, lambda: app.screen is composer)
        assert composer.text == "Ask Sam about the budget" and app.session_run is first
        app.post_message(SessionChosen(demo.other_session_id))
        await until(pilot, lambda: isinstance(app.screen, UnsentQuestion))
        await pilot.press("y")  # switch anyway
        await until(
            pilot,
            lambda: app.screen is app.session_screen and app.live.model.session_id == demo.other_session_id,
        )
