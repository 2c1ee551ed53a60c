"""What start-up leaves for after the panes' first paint: the notes connect, and the collector
settles, once every pane has its first answer drawn (and not before)."""

from __future__ import annotations

from typing import Any

import pytest

from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.live.model import LIST_PANES, PaneStatus, SessionModel
from coachtui.live.status import ConnState
from coachtui.tui import run_frames
from coachtui.tui.screens.session import WIDE
from coachtui.tui.session_run import SessionRun
from coachtui.tui.widgets.panes import ActionsPane
from tests.conftest import dev
from tests.tui.factory import make_app
from tests.waiting import HANG, settled, until


def drawn(app: Any) -> dict[str, Any]:
    """What the session screen shows now: each pane's status and the Actions rows drawn."""
    run = app.session_run
    return {
        "loading": [p for p, s in run.model.states.items() if s.status is PaneStatus.LOADING],
        "actions": sum(len(pane.rows) for pane in app.session_screen.query(ActionsPane)),  # (composed?)
    }


@pytest.mark.parametrize("size", [(120, 36), (170, 45)])
async def test_the_notes_and_the_collector_wait_for_the_panes(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """Where the notes are a tab behind Actions they wait for the panes; where their column is
    part of the first screen (160 columns and more) they start at once."""
    app = await make_app(head_server)
    seen: list[tuple[str, dict[str, Any]]] = []
    start_notes, settle = app.start_notes, app.settle_startup_heap

    def notes_started(run: SessionRun) -> None:
        seen.append(("notes", drawn(app)))
        start_notes(run)

    def heap_settled() -> None:
        seen.append(("heap", drawn(app)))
        settle()

    monkeypatch.setattr(app, "start_notes", notes_started)
    monkeypatch.setattr(app, "settle_startup_heap", heap_settled)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: settled(app) and app.heap_settled)
        notes = app.session_run.notes if app.session_run is not None else None
        assert notes is not None
        await until(pilot, lambda: notes.status.state is ConnState.CONNECTED)
    assert [what for what, _ in seen] == ["notes", "heap"]  # once each
    (_, at_notes), (_, at_heap) = seen
    assert at_heap["loading"] == [] and at_heap["actions"] == 7  # (the header among the panes)
    if size[0] < WIDE:
        assert at_notes == at_heap
    else:
        assert at_notes["actions"] == 0 and at_notes["loading"]


async def test_the_panes_first_answers_are_drawn_together(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each drawn as it came relaid out and repainted the whole screen: they wait for the last
    (the header's, a request behind the others) and are drawn in one frame."""
    monkeypatch.setattr(run_frames, "FIRST_PAINT_WAIT", HANG)  # however slow the machine
    app = await make_app(head_server)
    loading_when_drawn: list[list[Pane]] = []
    show_pane = app.session_screen.show_pane

    def showing(model: SessionModel, pane: Pane) -> None:
        loading_when_drawn.append([p for p, s in model.states.items() if s.status is PaneStatus.LOADING])
        show_pane(model, pane)

    monkeypatch.setattr(app.session_screen, "show_pane", showing)
    # The header's second request (the names) has no answer yet.
    dev(head_server, "rest/hold", path=f"/users/{app.api.user_id}/coaching_sessions")
    async with app.run_test(size=(120, 36)) as pilot:
        await until(
            pilot,
            lambda: (
                app.live is not None
                and app.live.model.states[Pane.HEADER].status is PaneStatus.LOADING
                and all(app.live.model.states[p].status is PaneStatus.FRESH for p in LIST_PANES)
            ),
        )
        await pilot.pause()  # (their messages handled)
        assert drawn(app)["actions"] == 0 and loading_when_drawn == []
        dev(head_server, "rest/hold", release=True)
        await until(pilot, lambda: settled(app) and drawn(app)["actions"] == 7)
    assert loading_when_drawn and all(loading == [] for loading in loading_when_drawn)


async def test_a_pane_that_does_not_answer_keeps_the_others_waiting_only_a_moment(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_frames, "FIRST_PAINT_WAIT", 0.05)
    app = await make_app(head_server)
    dev(head_server, "rest/hold", path="/agreements")  # Agreements: no answer yet
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: drawn(app) == {"loading": [Pane.AGREEMENTS], "actions": 7})
        dev(head_server, "rest/hold", release=True)
        await until(pilot, lambda: settled(app) and drawn(app)["loading"] == [])
