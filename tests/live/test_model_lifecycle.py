"""A session model's life: a reload that breaks is never silent, and a model disposed of (another
session opened) reports nothing and drops its late answers."""

from __future__ import annotations

import pytest

from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.live.model import PaneStatus
from tests.live.helpers import Live, coachee_api
from tests.waiting import wait_for


async def test_a_reload_that_breaks_unexpectedly_says_so(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Live(head_server) as live:
        await live.ready()

        async def broken(session_id: str) -> None:
            raise RuntimeError("a bug, not a server answer")

        # (No server answer can do this: every bad answer is an ApiError by design.)
        monkeypatch.setattr(live.api, "session_agreements", broken)
        live.model.reload(Pane.AGREEMENTS)
        state = live.model.states[Pane.AGREEMENTS]
        await wait_for(lambda: state.status is PaneStatus.FAILED)
        assert state.error is not None and "RuntimeError" in state.error
        assert "a bug" not in state.error


async def test_a_switch_gives_the_new_session_a_model_and_the_old_one_goes_quiet(
    head_server: DevServer,
) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live, await coachee_api(head_server) as coachee:
        await live.ready()
        old = live.model
        live.live.switch(demo.other_session_id)
        assert live.model is not old and old.disposed
        await wait_for(lambda: live.fresh() and live.model.header is not None)
        reported = len(live.reports)
        # An event for the old session reaches neither model's reports.
        created = await coachee.create_agreement(demo.today_session_id, "Only for the first session")
        mine = await live.api.create_agreement(demo.other_session_id, "For the one open now")
        await wait_for(lambda: mine.id in live.model.states[Pane.AGREEMENTS].items)
        assert created.id not in live.model.states[Pane.AGREEMENTS].items
        assert all(getattr(r, "item_id", None) != created.id for r in live.reports[reported:])


async def test_the_first_load_goes_out_when_the_stream_connects_not_after_the_debounce(
    head_server: DevServer,
) -> None:
    # A debounce no test waits out: the panes are read once the stream is there (what start-up
    # paints), once each, and a reload asked for later still waits it out.
    async with Live(head_server, debounce=600.0) as live:
        await wait_for(lambda: live.fresh() and live.model.header is not None and not live.model.busy)
        assert [live.model.requests(pane) for pane in Pane] == [1, 1, 1, 1]
        live.model.reload(Pane.AGREEMENTS)
        assert live.model.busy and live.model.requests(Pane.AGREEMENTS) == 1
