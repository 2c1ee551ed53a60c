"""Seeing what changed: marked rows, notices in words (coalesced), the history, the report after
a reconnect, `c`, and the bell/desktop notification while the terminal is not in front.
Against the devserver, the other participant acting through its own login."""

from __future__ import annotations

import datetime as dt
import itertools
import time

import pytest
from textual._xterm_parser import XTermParser
from textual.widgets import OptionList

from coachtui.api.models import Status
from coachtui.devserver.server import DevServer
from coachtui.live.changes import Change, Origin
from coachtui.live.events import Pane
from coachtui.live.status import ConnState
from coachtui.tui.attention import NotifyMode
from coachtui.tui.screens.history import HistoryScreen
from coachtui.tui.widgets.entity_table import EntityTable
from tests.conftest import dev
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app
from tests.tui.test_editing import notices, pane, put_cursor_on
from tests.waiting import caught_up, event_counts, settled, until


def row_text(table: EntityTable, entity_id: str) -> str:
    return " ".join(str(cell) for cell in table.get_row(entity_id))


async def test_a_remote_change_is_marked_in_words_and_yours_is_not(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # the cue must not depend on colour
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        model = engine(app).model
        theirs, mine = [a for a in model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED][:2]
        await coachee.update_action(theirs.model_copy(update={"status": Status.IN_PROGRESS}))
        await until(pilot, lambda: "● edited" in row_text(actions, theirs.id))
        assert actions.marked() == {theirs.id: "edited"}
        assert "Action “" in notices(app) and "Status Not Started → In Progress" in notices(app)
        await put_cursor_on(pilot, actions, mine.id)
        since = event_counts(app, head_server)
        await pilot.press("x")
        await until(pilot, lambda: str(actions.cells_of(mine.id)[0]) == "Completed" and not model.busy)
        await until(pilot, lambda: not model.states[Pane.ACTIONS].saving)
        await until(pilot, lambda: caught_up(app, head_server, since))  # the change's own event is back
        assert mine.id not in actions.marked() and not actions.row_mark(mine.id)
        assert "completed" not in notices(app).lower()  # the user knows what they did
        new = await coachee.create_action(model.session_id, "Book a skip-level", status=Status.NOT_STARTED)
        await until(pilot, lambda: new.id in actions.rows and "+ new" in row_text(actions, new.id))
        await until(pilot, lambda: "Jordan Lee added an action: Book a skip-level" in notices(app))
        # The mark goes after a few seconds; the row stays.
        await until(pilot, lambda: not actions.row_mark(theirs.id))
        assert theirs.id not in actions.marked()


async def test_a_removal_is_told_not_just_gone(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        agreements = pane(app, Pane.AGREEMENTS)
        await until(pilot, lambda: settled(app, agreements, 2))
        gone = engine(app).model.items(Pane.AGREEMENTS)[0]
        await coachee.delete_agreement(gone.id)
        await until(pilot, lambda: f"Agreement removed: {(gone.body or '')[:30]}" in notices(app))


async def test_a_burst_of_200_changes_makes_at_most_one_notice_per_pane_every_2_seconds(
    head_server: DevServer,
) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app))
        shown: list[tuple[float, str, int]] = []
        tell = app.notices.show

        def counted(text: str, title: str, count: int) -> None:
            shown.append((time.monotonic(), text, count))
            tell(text, title, count)

        app.notices.show = counted
        target = engine(app).model.items(Pane.ACTIONS)[0]
        dev(head_server, "sse/flood", action_id=target.id, count=200, seconds=0.5)
        await until(pilot, lambda: sum(c for _, _, c in shown) == 200)
        # Never a wall of toasts: one, then at most one every 2 s (how many depends on how long
        # the machine takes to read the burst: 3 on an idle one, 4 or 5 were seen under load).
        assert all(b[0] - a[0] >= 1.9 for a, b in itertools.pairwise(shown)), [t for _, t, _ in shown]
        assert shown[0][2] == 1 and all(t == f"{c} changes in Actions" for _, t, c in shown if c > 1)
        assert len(app.history) == 200  # every one of them is in the history


async def test_the_history_lists_before_and_after_newest_first(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        await until(pilot, lambda: settled(app))
        model = engine(app).model
        action = next(a for a in model.items(Pane.ACTIONS) if a.due_by is not None)
        due = dt.datetime(2027, 1, 15, 12, tzinfo=dt.UTC)
        await coachee.update_action(action.model_copy(update={"due_by": due}))
        await until(pilot, lambda: any(isinstance(r, Change) for r in app.history))
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        listing = app.screen.query_one("#history-list", OptionList)
        first = str(listing.get_option_at_index(0).prompt)
        was = action.due_by.astimezone().strftime("%b %d")
        assert "Actions" in first and f"Due date {was} → Jan 15 2027" in first
        # A change arriving while it is open goes on top.
        await coachee.create_agreement(model.session_id, "Made while looking")
        await until(pilot, lambda: "Made while looking" in str(listing.get_option_at_index(0).prompt))
        assert f"Due date {was} → Jan 15 2027" in str(listing.get_option_at_index(1).prompt)
        await pilot.press("escape")
        assert app.screen is app.session_screen


async def test_after_a_reconnect_it_says_once_what_changed_meanwhile(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        await until(pilot, lambda: settled(app))
        model = engine(app).model
        action = model.items(Pane.ACTIONS)[0]
        agreement = model.items(Pane.AGREEMENTS)[0]
        dev(head_server, "sse/fail", status=503, count=1000)  # away until the changes are made
        dev(head_server, "sse/drop")
        await until(pilot, lambda: engine(app).status.state is ConnState.RECONNECTING)
        await coachee.update_action(action.model_copy(update={"status": Status.WONT_DO}))
        added = await coachee.create_agreement(demo.today_session_id, "Made while away")
        await coachee.delete_agreement(agreement.id)
        dev(head_server, "sse/fail", clear=True)  # the outage ends
        summary = "While disconnected: 1 action changed, 1 agreement added, 1 agreement removed"
        await until(pilot, lambda: summary in notices(app))

        def resynced() -> set[str]:  # (reports reach the history once a frame)
            return {r.item_id for r in app.history if isinstance(r, Change) and r.origin is Origin.RESYNC}

        await until(pilot, lambda: len(resynced()) >= 3)
        assert resynced() == {action.id, added.id, agreement.id}
        await until(pilot, lambda: pane(app, Pane.ACTIONS).marked() == {action.id: "edited"})
        assert pane(app, Pane.AGREEMENTS).marked() == {added.id: "new"}
        assert notices(app).count("While disconnected") == 1
        # Each difference is told once, by the report: no per-pane notice repeats them.
        assert "Agreement removed" not in notices(app)
        lines = [str(r.summary) for r in app.history if not isinstance(r, Change)]
        assert lines[:2] == ["Connection lost (The server answered 503.)", "Connection back"] or (
            lines[0].startswith("Connection lost") and lines[1] == "Connection back"
        )


async def test_c_copies_the_rows_full_text(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(80, 24)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        action = engine(app).model.items(Pane.ACTIONS)[0]
        await put_cursor_on(pilot, actions, action.id)
        await pilot.press("c")
        assert app.clipboard == action.body
        size = f"{len(action.body or '')} characters"
        # At 80 columns the row cuts this text: the notice says the copy holds more.
        assert f"Copied the action's text ({size}, more than the row shows — check" in notices(app)


@pytest.mark.parametrize("mode", [NotifyMode.BELL, NotifyMode.DESKTOP])
async def test_attention_is_called_only_while_the_terminal_is_not_in_front(
    head_server: DevServer, mode: NotifyMode
) -> None:
    written: list[str] = []
    app = await make_app(head_server, notify=mode, terminal_write=written.append)
    parser = XTermParser()

    def terminal_sends(sequence: str) -> None:
        for event in parser.feed(sequence):  # the terminal's focus report, parsed as Textual does
            app.post_message(event)

    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        await until(pilot, lambda: settled(app))
        model = engine(app).model
        body = "A private note about the coachee"
        await coachee.create_agreement(model.session_id, body)
        await until(pilot, lambda: app.notices.shown == 1)
        assert written == []  # in front: the notice is enough
        terminal_sends("\x1b[O")  # focus out
        await until(pilot, lambda: not app.attention.focused)
        await pilot.pause(2.1)  # not a wait: past the notice window, so the next change is told at once
        await coachee.create_agreement(model.session_id, "Another")
        await until(pilot, lambda: len(written) == 1)
        if mode is NotifyMode.BELL:
            assert written == ["\a"]
        else:
            assert written[0].startswith("\x1b]") and written[0].endswith("\x1b\\")
            assert "1 change in Agreements" in written[0]
            assert "Another" not in written[0] and body not in written[0]  # never what was written
        terminal_sends("\x1b[I")  # focus back
        await until(pilot, lambda: app.attention.focused)
        await pilot.pause(2.1)  # not a wait: past the notice window again
        await coachee.create_agreement(model.session_id, "A third")
        await until(pilot, lambda: app.notices.shown == 3)
        assert len(written) == 1
