"""Pilot tests of the session screen against the devserver over loopback."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from rich.text import Text
from textual.command import CommandPalette
from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from coachtui.devserver.server import DevServer
from coachtui.live.backoff import Backoff
from coachtui.live.events import Pane
from coachtui.live.status import ConnState
from coachtui.tui.screens.modals import HelpScreen, Notice
from coachtui.tui.widgets.panes import ActionsPane, AgreementsPane, GoalsPane
from coachtui.tui.widgets.status_bar import StatusBar
from tests.conftest import ServerFactory, dev
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app
from tests.waiting import caught_up, event_counts, panes_caught_up, shows_demo, until


def panes(app: Any) -> dict[str, Any]:
    screen = app.session_screen
    return {
        "goals": screen.query_one(GoalsPane),
        "actions": screen.query_one(ActionsPane),
        "agreements": screen.query_one(AgreementsPane),
    }


def status_text(app: Any) -> str:
    return " ".join(str(part) for part in app.session_screen.query_one(StatusBar).describe())


async def test_initial_load(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app))
        assert "Connected" in status_text(app) and "127.0.0.1" in status_text(app)
        # (At 100 columns Notes is a tab beside Actions: its title says how to reach it.)
        assert [p.border_title for p in panes(app).values()] == ["Goals", "Actions  [4 Notes]", "Agreements"]
        rows = panes(app)["actions"].visible_rows()
        assert any("! " in r[3] for r in rows)  # the overdue action is marked
        assert {r[0] for r in rows} == {"Not Started", "In Progress", "On Hold", "Completed", "Won't Do"}


@pytest.mark.parametrize(
    ("pane", "size"),
    [
        ("actions", (100, 32)),
        ("agreements", (100, 32)),
        ("goals", (100, 32)),
        # Where the Goal column shows, the Actions rows are built again when the pane first has
        # a size, which comes only with its first rows: the count starts once that is done.
        # (Not a goal's rename there: the actions linked to it show its title.)
        ("actions", (170, 45)),
        ("agreements", (170, 45)),
    ],
)
async def test_event_reaches_exactly_its_pane(
    head_server: DevServer, pane: str, size: tuple[int, int]
) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=size) as pilot, await coachee_api(head_server) as other:
        await until(pilot, lambda: shows_demo(app) and panes_caught_up(app))
        widgets = panes(app)
        before = {name: w.syncs for name, w in widgets.items()}
        since = event_counts(app, head_server)
        cursor = widgets["actions"].cursor_row
        if pane == "actions":
            await other.create_action(demo.today_session_id, "Marker from the coachee")
        elif pane == "agreements":
            await other.create_agreement(demo.today_session_id, "Marker from the coachee")
        else:
            goal = engine(app).model.items(Pane.GOALS)[0]
            await other.update_goal(goal.model_copy(update={"title": "Marker from the coachee"}))
        await until(
            pilot, lambda: any("Marker from the coachee" in " ".join(r) for r in widgets[pane].visible_rows())
        )
        await until(pilot, lambda: caught_up(app, head_server, since))
        changed = {name for name, w in widgets.items() if w.syncs != before[name]}
        assert changed == {pane}
        assert widgets["actions"].cursor_row == cursor


async def test_live_rows_join_their_status_group_and_the_cursor_follows(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot, await coachee_api(head_server) as other:
        await until(pilot, lambda: shows_demo(app))
        table = panes(app)["actions"]
        await pilot.press("down", "down")
        on = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        created = await other.create_action(demo.today_session_id, "Fresh and not started")
        await until(pilot, lambda: len(table.rows) == 8)
        statuses = [r[0] for r in table.visible_rows()]
        assert statuses == sorted(
            statuses,
            key=lambda label: ["In Progress", "Not Started", "On Hold", "Completed", "Won't Do"].index(label),
        )
        at = table.get_row_index(created.id)
        assert statuses[at] == "Not Started" and at < len(statuses) - 1  # in its group, not at the bottom
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key == on


async def test_other_session_events_are_ignored(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app) and panes_caught_up(app))
        before = {n: w.syncs for n, w in panes(app).items()}
        events = engine(app).status.events_received
        await app.api.create_action(demo.other_session_id, "Not for this screen")
        await until(pilot, lambda: engine(app).status.events_received > events)
        await until(pilot, lambda: not engine(app).model.busy and panes_caught_up(app))
        assert {n: w.syncs for n, w in panes(app).items()} == before


async def test_reconnecting_keeps_data_marked_stale(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app))
        dev(head_server, "sse/fail", status=503, count=50)
        dev(head_server, "sse/drop")
        await until(pilot, lambda: "Reconnecting" in status_text(app) and "503" in status_text(app))
        assert "attempt" in status_text(app)
        actions = panes(app)["actions"]
        assert actions.has_class("-stale") and "stale since" in str(actions.border_subtitle)
        assert len(actions.rows) == 7


async def test_expired_login_shows_one_modal(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app))
        dev(head_server, "expire", user_id=demo.coach.user_id)
        dev(head_server, "sse/drop")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        assert isinstance(app.screen, Notice) and "Session expired" in app.screen.title_text
        await until(pilot, lambda: "Error" in status_text(app) and "coachtui login" in status_text(app))
        await pilot.press("r")  # another failure must not stack a second modal
        await until(pilot, lambda: any("No new login" in str(n.message) for n in app._notifications))
        assert sum(isinstance(s, Notice) for s in app.screen_stack) == 1
        assert len(panes(app)["actions"].rows) == 7


async def test_force_logout_clears_and_exits(
    head_server: DevServer, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = head_server.demo
    assert demo is not None
    cleared: list[bool] = []
    app = await make_app(head_server, on_logout=lambda: cleared.append(True))
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app))
        dev(head_server, "force_logout", user_id=demo.coach.user_id, reason="password changed")
        # The logout also fails the reloads in flight (401): whichever the app hears of first,
        # the server's logout is what it shows, and it says so in the status bar.
        await until(
            pilot, lambda: isinstance(app.screen, Notice) and app.screen.title_text.startswith("Logged")
        )
        # The reloads' 401s, if any, are in too.
        await until(
            pilot, lambda: "Logged out by the server" in status_text(app) and not engine(app).model.busy
        )
        await pilot.pause()
        assert isinstance(app.screen, Notice) and "password changed" in app.screen.body_text
        assert sum(isinstance(s, Notice) for s in app.screen_stack) == 1
        assert cleared == [True]
        assert "Logged out by the server" in status_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1
    farewell = " ".join(capsys.readouterr().err.split())
    assert "logged out by the server (password changed)" in farewell and "coachtui login" in farewell


HOSTILE = "[bold red]boom[/] \x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u202eevil\u202c \x08tab\there"


async def test_markup_and_escapes_render_literally(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app))
        await app.api.create_agreement(demo.today_session_id, HOSTILE)
        table = panes(app)["agreements"]
        await until(pilot, lambda: len(table.rows) == 3)
        cells = [table.cells_of(k)[0] for k in table.rows]
        hostile = next(c for c in cells if "boom" in str(c))
        # No style at all: the "+ new" mark (the row is the user's own account's, made elsewhere)
        # has a column of its own.
        assert isinstance(hostile, Text) and not hostile.spans
        plain = str(hostile)
        assert "[bold red]boom[/]" in plain
        assert not any(ch in plain for ch in "\x1b\x07\x08\t\u202e\u202c")


async def test_quit_while_reconnecting_is_prompt(make_server: ServerFactory) -> None:
    server = make_server("head")
    # A long backoff: quitting must not wait for it. (Not "within a second": a loaded machine
    # took 1.1 s to take the app down; waiting out the backoff would take 15 s or more.)
    app = await make_app(server, live_options={"backoff": Backoff(base=30.0, cap=30.0)})
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app))
        server.stop()
        await until(pilot, lambda: "Reconnecting" in status_text(app))
        loop = asyncio.get_running_loop()
        started = loop.time()
        await pilot.press("q")
    assert loop.time() - started < 10.0


async def test_palette_does_not_stop_the_worker(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot, await coachee_api(head_server) as other:
        await until(pilot, lambda: shows_demo(app))
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)
        workers = [w for w in app.workers if w.group == "live"]
        assert workers and all(w.is_running for w in workers)
        await other.create_agreement(demo.today_session_id, "Still streaming")
        await until(pilot, lambda: len(panes(app)["agreements"].rows) == 3)


async def test_picker_opens_a_session_and_rejects_a_bad_one(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    app.initial_session = None
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        from textual.widgets import DataTable

        from coachtui.tui.screens.picker import PickerScreen

        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: len(table.rows) == 5)
        assert str(table.get_row_at(0)[0]).startswith("Today")
        await pilot.press("enter")
        await until(pilot, lambda: shows_demo(app))
        assert app.live is not None and engine(app).model.session_id == demo.today_session_id


async def test_seed_profile_shows_goals(make_server: ServerFactory) -> None:
    server = make_server("seed")
    app = await make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: shows_demo(app))
        assert app.api.era is not None and app.api.era.value == "seed"


async def test_each_state_reaches_the_status_bar_in_order(head_server: DevServer) -> None:
    from coachtui.tui.messages import ConnectionChanged, PaneChanged, SessionChosen

    app = await make_app(head_server)
    app.initial_session = None  # start in the picker: nothing is connected yet
    seen: list[Any] = []
    async with app.run_test(size=(100, 32), message_hook=seen.append) as pilot:
        await until(pilot, lambda: status_text(app) != "")  # (nothing connects before a session is chosen)
        assert status_text(app).startswith("● Disconnected")
        app.post_message(SessionChosen(head_server.demo.today_session_id))  # type: ignore[union-attr]
        await until(pilot, lambda: shows_demo(app))
        dev(head_server, "sse/drop")
        await until(
            pilot, lambda: app.live is not None and engine(app).status.state is ConnState.RECONNECTING
        )
        await until(pilot, lambda: app.live is not None and engine(app).status.state is ConnState.CONNECTED)

        def repainted_after_the_drop() -> set[str]:  # (the resync's reloads come in one by one)
            drop = max(
                (
                    i
                    for i, m in enumerate(seen)
                    if isinstance(m, ConnectionChanged) and m.status.state is ConnState.RECONNECTING
                ),
                default=len(seen),
            )
            return {m.pane.value for m in seen[drop:] if isinstance(m, PaneChanged)}

        await until(pilot, lambda: repainted_after_the_drop() >= {"goals", "actions", "agreements"})
        states: list[ConnState] = []
        for m in seen:
            if isinstance(m, ConnectionChanged) and (not states or states[-1] is not m.status.state):
                states.append(m.status.state)
        assert states == [
            ConnState.CONNECTING,
            ConnState.CONNECTED,
            ConnState.RECONNECTING,
            ConnState.CONNECTED,
        ]
        last_connected = max(
            i
            for i, m in enumerate(seen)
            if isinstance(m, ConnectionChanged) and m.status.state is ConnState.RECONNECTING
        )
        resynced = {m.pane for m in seen[last_connected:] if isinstance(m, PaneChanged)}
        assert {p.value for p in resynced} >= {"goals", "actions", "agreements"}  # panes repainted after
        assert "Connected" in status_text(app)


async def test_an_emptied_pane_says_so(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(80, 24)) as pilot, await coachee_api(head_server) as other:
        await until(pilot, lambda: shows_demo(app))
        table = panes(app)["agreements"]
        for agreement in await other.session_agreements(demo.today_session_id):
            await other.delete_agreement(agreement.id)
        await until(pilot, lambda: table.visible_rows() == [["No agreements yet."]])
        assert table.border_subtitle == "0 items"
        created = await other.create_agreement(demo.today_session_id, "A fresh start")
        await until(pilot, lambda: table.visible_rows() == [["A fresh start"]])
        assert created.id in table.rows


def drawn(table: Any) -> list[str]:
    """The table's lines as the compositor gets them: through the widget's line cache, which only
    a refresh of the region renews, and the table's own render caches."""
    strips = table.render_lines(Region(0, 0, *table.outer_size))
    return ["".join(segment.text for segment in strip) for strip in strips]


async def test_an_updated_row_is_drawn_new_and_the_others_are_untouched(head_server: DevServer) -> None:
    # Updates repaint one row and drop only that row's cached renders: the screen must show the
    # new text on the updated rows (cursor row included) and keep every other line as it was.
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot, await coachee_api(head_server) as other:
        await until(pilot, lambda: shows_demo(app))
        table = panes(app)["actions"]
        await until(pilot, lambda: app.focused is table)
        row = table.cursor_row
        await pilot.press("down")  # a cursor on the table, so highlighted lines are cached
        await until(pilot, lambda: table.cursor_row == row + 1)
        before = drawn(table)
        cursor_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        actions = {a.id: a for a in engine(app).model.items(Pane.ACTIONS)}
        other_id = next(k for k in table.rows if k.value != cursor_id).value
        for n, action_id in enumerate((cursor_id, other_id)):
            await other.update_action(actions[action_id].model_copy(update={"body": f"Edited body {n}"}))
        await until(pilot, lambda: sum("Edited body" in line for line in drawn(table)) == 2)
        after = drawn(table)
        changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert len(changed) == 2
        for i in changed:
            assert "Edited body" in after[i]
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == cursor_id
        # Both by the measured fast path: if a Textual upgrade broke it, this fails (the
        # update_cell fallback draws the same, only ~10 ms slower per event).
        assert table.fast_row_updates >= 2 and table.fallback_row_updates == 0


async def test_panes_beneath_a_modal_wait_and_catch_up_when_it_closes(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot, await coachee_api(head_server) as other:
        await until(pilot, lambda: shows_demo(app))
        table = panes(app)["actions"]
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        action = engine(app).model.items(Pane.ACTIONS)[0]
        await other.update_action(action.model_copy(update={"body": "Edited beneath the help"}))
        await until(
            pilot,
            lambda: engine(app).model.states[Pane.ACTIONS].items[action.id].body == "Edited beneath the help",
        )
        await until(pilot, lambda: panes_caught_up(app))  # the app has had the change (and kept it back)
        await pilot.pause()
        assert not any("Edited beneath the help" in " ".join(r) for r in table.visible_rows())
        await pilot.press("question_mark")  # `?` closes it again
        await until(pilot, lambda: app.screen is app.session_screen)
        await until(
            pilot, lambda: any("Edited beneath the help" in " ".join(r) for r in table.visible_rows())
        )


async def test_help_opens_again_and_closes_with_each_key(head_server: DevServer) -> None:
    # The help screen is kept between uses: it must come back focused and ready each time.
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app))
        for close in ("enter", "enter", "question_mark", "escape", "enter"):
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press(close)
            await until(pilot, lambda: app.screen is app.session_screen)
        assert sum(isinstance(s, HelpScreen) for s in app.screen_stack) == 0


async def test_key_bar_keys_are_clickable(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app))
        keys = app.session_screen.query_one("#keys", Static)
        plain = Content.from_markup(str(keys.content)).plain
        assert plain == "n New  enter Open  x Done  d Delete  h History  ? Help  q Quit"
        await pilot.click(keys, offset=(1 + plain.index("?"), 0))
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen is app.session_screen)
        await pilot.click(keys, offset=(1 + plain.index("h History"), 0))
        await until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)
        await pilot.click(keys, offset=(1 + plain.index("d Delete"), 0))  # a key of the screen's own
        await until(pilot, lambda: isinstance(app.screen, Notice) and "Delete this" in app.screen.title_text)


async def test_moving_around_keeps_no_dead_widgets(head_server: DevServer) -> None:
    # Textual's Footer kept every key widget it rebuilt on a focus change alive (a leak that made
    # garbage collections ever slower); the key bar is drawn once.
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: shows_demo(app))

        async def wander() -> None:
            for _ in range(4):  # the leak was ~8 widgets per tab press: 4 rounds show it plainly
                await pilot.press("tab", "tab", "question_mark", "question_mark")
                await pilot.pause()

        def alive() -> int:
            gc.collect()
            return sum(isinstance(o, Widget) for o in gc.get_objects())

        await wander()  # the help screen and the palette of focus states exist after one round
        before = alive()
        await wander()
        assert alive() <= before
