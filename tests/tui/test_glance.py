"""Read and act at a glance: the layout at the sizes coaches use, notices in the status line, the
list keys everywhere, the editor's words and merges, zoom and the picker, against the devserver."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Checkbox, DataTable, OptionList

from coachtui.api.models import Action, Status
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.tui.notes_showing import NotesOptions
from coachtui.tui.screens.chooser import Chooser
from coachtui.tui.screens.editor import EditorScreen
from coachtui.tui.screens.history import HistoryScreen
from coachtui.tui.screens.modals import Notice
from coachtui.tui.widgets.entity_table import EntityTable
from coachtui.tui.widgets.notes import NotesPane
from coachtui.tui.widgets.panes import ActionsPane
from coachtui.tui.widgets.status_bar import StatusBar
from tests.conftest import dev
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app, open_picker
from tests.tui.test_editing import notices, pane, put_cursor_on
from tests.tui.test_editor import open_editor, text_of
from tests.waiting import settled, until


def whole(table: EntityTable, texts: list[str]) -> bool:
    """Every text fits its column's width (nothing a coach reads is cut)."""
    width = table.ordered_columns[table.text_column()].width
    return all(len(t) <= width for t in texts)


def notes_shown(app: Any) -> bool:
    notes = app.session_screen.query_one(NotesPane)
    return bool(notes.lines) and notes.display


@pytest.mark.parametrize(
    ("size", "goal_room", "action_room"),
    [((120, 36), 40, 60), ((160, 45), 60, 60)],
)
async def test_the_texts_get_the_room(
    head_server: DevServer, size: tuple[int, int], goal_room: int, action_room: int
) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=size) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7) and bool(app.notes and app.notes.synced))
        screen = app.session_screen
        notes = screen.query_one(NotesPane)
        # The notes: a column from 160 columns (they have text), a tab narrower.
        await until(pilot, lambda: notes.display is (size[0] >= 160))
        await pilot.pause()
        for which, room in (
            (Pane.GOALS, goal_room),
            (Pane.AGREEMENTS, goal_room),
            (Pane.ACTIONS, action_room),
        ):
            table = pane(app, which)
            assert table.ordered_columns[table.text_column()].width >= room, which
            texts = [getattr(i, "title", None) or i.body or "" for i in engine(app).model.items(which)]
            assert whole(table, [t for t in texts if len(t) <= room]), which
        assert not any(t.show_horizontal_scrollbar for t in screen.query(DataTable))


async def test_without_notes_the_panes_take_the_width_and_the_goal_shows(head_server: DevServer) -> None:
    app = await make_app(head_server, notes=NotesOptions(enabled=False))
    async with app.run_test(size=(160, 45)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        await until(pilot, lambda: actions.shows_goals)
        assert not app.session_screen.query_one(NotesPane).display  # no notes: no column for them
        model = engine(app).model
        linked = next(a for a in model.items(Pane.ACTIONS) if isinstance(a, Action) and a.goal_id)
        titles = {g.id: getattr(g, "title", "") for g in model.items(Pane.GOALS)}
        await until(pilot, lambda: str(actions.cells_of(linked.id)[2]) == titles[linked.goal_id])
        # A goal renamed elsewhere: its actions' rows say the new title.
        goal = next(g for g in model.items(Pane.GOALS) if g.id == linked.goal_id)
        async with await coachee_api(head_server) as other:
            await other.update_goal(goal.model_copy(update={"title": "Renamed by the coachee"}))
        await until(pilot, lambda: str(actions.cells_of(linked.id)[2]) == "Renamed by the coachee")


async def test_tab_titles_do_not_read_as_counts_and_zoom_says_how_back(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(80, 24)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        assert actions.border_title == "Actions  [4 Notes]"
        await pilot.press("f")
        await until(pilot, lambda: app.session_screen.maximized is actions)
        assert actions.border_title == "Actions  [4 Notes] · f: back"
        await pilot.press("f")
        await until(pilot, lambda: app.session_screen.maximized is None)
        assert actions.border_title == "Actions  [4 Notes]"


async def test_a_change_notice_is_one_line_in_the_status_line_not_a_toast(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as other:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        await other.create_agreement(demo.today_session_id, "Told in the status line")
        bar = app.session_screen.query_one(StatusBar)
        await until(pilot, lambda: any("Told in the status line" in t for t in bar.told))
        assert bar.flashed is not None and "Agreements: " in bar.flashed.plain
        assert not any("Told in the status line" in str(n.message) for n in app._notifications)
        assert "Connected" in bar.render_line(0).text  # the connection state stays in sight


async def test_j_k_g_and_capital_g_move_in_every_list(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        actions.focus()
        for keys, row in (
            (("g",), 0),
            (("j", "j"), 2),
            (("k",), 1),
            (("G",), 6),
            (("home",), 0),
            (("end",), 6),
        ):
            await pilot.press(*keys)
            await until(pilot, lambda row=row: actions.cursor_row == row)  # type: ignore[misc]
        # The history.
        await pilot.press("x")
        await until(pilot, lambda: not engine(app).model.busy)
        await pilot.press("x")
        await until(pilot, lambda: not engine(app).model.busy)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        listing = app.screen.query_one(OptionList)
        await until(pilot, lambda: listing.option_count >= 2 and listing.highlighted is not None)
        await pilot.press("G")
        await until(pilot, lambda: listing.highlighted == listing.option_count - 1)
        await pilot.press("g")
        await until(pilot, lambda: listing.highlighted == 0)
        await pilot.press("j")
        await until(pilot, lambda: listing.highlighted == 1)
        await pilot.press("escape")
        # The picker.
        table = (await open_picker(pilot, app)).query_one(DataTable)
        await pilot.press("G")
        await until(pilot, lambda: table.cursor_row == table.row_count - 1)
        await pilot.press("k")
        await until(pilot, lambda: table.cursor_row == table.row_count - 2)
        await pilot.press("g")
        await until(pilot, lambda: table.cursor_row == 0)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)


async def test_the_chooser_moves_with_j_and_k(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app))
        goals = engine(app).model.items(Pane.GOALS)
        for goal in goals:  # make the relationship's goals linkable
            await app.api.unlink_goal(demo.today_session_id, goal.id)
        await until(pilot, lambda: not engine(app).model.items(Pane.GOALS))
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, Chooser))
        listing = app.screen.query_one(OptionList)
        await until(pilot, lambda: listing.option_count >= 2 and listing.highlighted == 0)
        await pilot.press("j")
        await until(pilot, lambda: listing.highlighted == 1)
        await pilot.press("k")
        await until(pilot, lambda: listing.highlighted == 0)
        await pilot.press("G")
        await until(pilot, lambda: listing.highlighted == listing.option_count - 1)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Chooser))


async def test_the_picker_starts_on_the_session_you_came_from(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app))
        current = engine(app).model.session_id
        table = (await open_picker(pilot, app)).query_one(DataTable)
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert key == current
        assert str(table.get_row(current)[1]).startswith("open now")
        others = [str(k.value) for k in table.rows if k.value != current]
        assert others and not any(str(table.get_row(k)[1]).startswith("open now") for k in others)


async def test_checkboxes_say_their_state_in_words(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        target = next(a for a in engine(app).model.items(Pane.ACTIONS) if a.assignee_ids)
        await put_cursor_on(pilot, actions, target.id)
        screen = await open_editor(pilot, app, "enter")
        boxes = list(screen.query(Checkbox))
        drawn = {str(box.name): str(box.render()) for box in boxes}
        for box in boxes:
            ticked = box.name in target.assignee_ids
            assert drawn[str(box.name)].startswith("[x] " if ticked else "[ ] ")
        await pilot.press("escape")


async def test_enter_in_a_one_line_field_saves(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: settled(app))
        before = getattr(engine(app).model.header, "title", None) or ""
        screen = await open_editor(pilot, app, "t")
        await pilot.press(*" (saved with Enter)")
        await until(pilot, lambda: str(screen.values()["title"]).endswith(" (saved with Enter)"))
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, EditorScreen))
        saved = f"{before} (saved with Enter)".strip()
        await until(pilot, lambda: getattr(engine(app).model.header, "title", None) == saved)


async def test_a_change_to_other_fields_is_kept_without_asking(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        model = engine(app).model
        target = next(a for a in model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED)
        await put_cursor_on(pilot, actions, target.id)
        screen = await open_editor(pilot, app, "enter")
        await pilot.press(*" today")
        async with await coachee_api(head_server) as other:
            await other.update_action(target.model_copy(update={"status": Status.WONT_DO}))
        await until(pilot, lambda: "Changed elsewhere" in text_of(app, "#editor-elsewhere"))
        # Their change is shown in its field as it arrives (the user had not touched it).
        await until(pilot, lambda: screen.values()["status"] == Status.WONT_DO)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, EditorScreen))
        assert not isinstance(app.screen, Notice)  # no question: nothing overlapped
        await until(pilot, lambda: model.states[Pane.ACTIONS].items[target.id].body == f"{target.body} today")
        await until(pilot, lambda: not model.states[Pane.ACTIONS].saving)
        saved = model.states[Pane.ACTIONS].items[target.id]
        assert isinstance(saved, Action) and saved.status is Status.WONT_DO
        await until(pilot, lambda: "Saved; kept their Status change: Not Started → Won't Do" in notices(app))


async def test_removing_a_completed_goal_says_it_cannot_be_undone(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        goals = pane(app, Pane.GOALS)
        await until(pilot, lambda: settled(app, goals, 3))
        done = next(g for g in engine(app).model.items(Pane.GOALS) if g.status is Status.COMPLETED)
        await put_cursor_on(pilot, goals, done.id)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        assert isinstance(app.screen, Notice) and "cannot come back with z" in app.screen.body_text
        await pilot.press("y")
        await until(pilot, lambda: done.id not in goals.rows and "Removed from this session" in notices(app))
        assert "z undo" not in notices(app) and app.edits is not None and app.edits.undo_pane is None


async def test_zoomed_notes_follow_new_text_at_the_end(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: settled(app) and bool(app.notes and app.notes.synced))
        dev(head_server, "notes", session_id=demo.today_session_id, paragraphs=60)  # longer than the pane
        await pilot.press("4", "f")
        notes = app.session_screen.query_one(NotesPane)
        await until(pilot, lambda: app.session_screen.maximized is notes and notes.max_scroll_y > 0)
        await pilot.press("j", "j")  # the list keys move the notes' block cursor too
        await until(pilot, lambda: notes.cursor_at == 2)
        await pilot.press("G")
        await until(pilot, lambda: notes.scroll_y == notes.max_scroll_y)
        dev(head_server, "notes", session_id=demo.today_session_id, append="A line at the very end")
        await until(pilot, lambda: notes.visible_text()[-1] == "A line at the very end")
        await until(pilot, lambda: notes.scroll_y == notes.max_scroll_y)  # followed, like tail -f
        await pilot.press("g")
        await until(pilot, lambda: notes.scroll_y == 0)
        dev(head_server, "notes", session_id=demo.today_session_id, append="Another at the end")
        await until(pilot, lambda: notes.visible_text()[-1] == "Another at the end")
        assert notes.scroll_y == 0  # not at the end: it stays where the user put it


async def test_at_80x24_the_help_fits_and_its_body_scrolls_with_the_keys(head_server: DevServer) -> None:
    """Title and Close in sight at 80x24, the two columns whole (no row wrapped), the rest
    reached with the keys of a pager."""
    from textual.containers import VerticalScroll
    from textual.widgets import Button, Static

    from coachtui.tui.screens.modals import HELP, HelpScreen

    app = await make_app(head_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: settled(app))
        await pilot.press("question_mark")
        await until(
            pilot, lambda: isinstance(app.screen, HelpScreen) and bool(app.screen.query("#notice-scroll"))
        )
        help_screen = app.screen
        body = help_screen.query_one("#notice-scroll", VerticalScroll)
        await until(pilot, lambda: body.max_scroll_y > 0)  # laid out, and taller than its room
        for widget in (help_screen.query_one("#notice-title", Static), help_screen.query_one(Button)):
            region = widget.region
            assert region.height > 0 and 0 <= region.y and region.bottom <= 24
        widest = max(len(line) for line in HELP.splitlines())
        assert help_screen.query_one("#notice-body", Static).content_region.width >= widest
        await pilot.press("end")
        await until(pilot, lambda: body.scroll_y == body.max_scroll_y)
        await pilot.press("home")
        await until(pilot, lambda: body.scroll_y == 0)
        await pilot.press("G")
        await until(pilot, lambda: body.scroll_y == body.max_scroll_y)
        await pilot.press("g")
        await until(pilot, lambda: body.scroll_y == 0)
        await pilot.press("j")
        await until(pilot, lambda: body.scroll_y > 0)
        await pilot.press("q")
        await until(pilot, lambda: app.screen is app.session_screen)
