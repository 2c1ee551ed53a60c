"""Timestamps a hostile or odd server sends in live events: the engine keeps going."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from tests.conftest import dev
from tests.live.helpers import Live, coachee_api
from tests.waiting import wait_for


def _action_event(action: Any, **changes: Any) -> dict[str, Any]:
    wire = action.model_dump(mode="json")
    wire.update(changes)
    return {"coaching_session_id": action.coaching_session_id, "action": wire}


async def _one_action(live: Live, server: DevServer, body: str) -> Any:
    other = await coachee_api(server)
    try:
        action = await other.create_action(live.session_id, body)
    finally:
        await other.aclose()
    await wait_for(lambda: action.id in live.model.states[Pane.ACTIONS].items)
    return action


async def test_a_naive_updated_at_in_an_event_does_not_stop_the_engine(head_server: DevServer) -> None:
    # The contract's offset timestamps end in "Z"; one without an offset (a proxy's rewrite, an
    # odd backend) was compared with an aware one, raised, and the engine stopped for good.
    async with Live(head_server) as live:
        await live.ready()
        action = await _one_action(live, head_server, "Naive time 1")
        event = _action_event(action, body="Naive time 2", updated_at="2099-01-01T00:00:00")
        dev(head_server, "sse/emit", type="action_updated", data=event)
        await wait_for(lambda: live.model.states[Pane.ACTIONS].items[action.id].body == "Naive time 2")
        kept = live.model.states[Pane.ACTIONS].items[action.id]
        assert kept.updated_at == dt.datetime(2099, 1, 1, tzinfo=dt.UTC)  # naive on the wire: UTC
        assert live.task is not None and not live.task.done()


async def test_a_due_date_at_the_end_of_time_is_refused_and_the_engine_goes_on(
    head_server: DevServer,
) -> None:
    # 9999-12-31T23:59:59-23:59 is year 10000 in UTC: read as local time it overflowed.
    async with Live(head_server) as live:
        await live.ready()
        action = await _one_action(live, head_server, "End of time 1")
        for due in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"):
            event = _action_event(action, body="End of time 2", due_by=due)
            dev(head_server, "sse/emit", type="action_updated", data=event)
        event = _action_event(action, body="End of time 3")
        dev(head_server, "sse/emit", type="action_updated", data=event)
        await wait_for(lambda: live.model.states[Pane.ACTIONS].items[action.id].body == "End of time 3")
        assert live.model.states[Pane.ACTIONS].items[action.id].due_by == action.due_by
        assert live.task is not None and not live.task.done()
