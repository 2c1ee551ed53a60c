"""Convergence: whatever the other participant does, and whatever the network does meanwhile,
once things settle the session model equals the server's data exactly."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachtui.api.client import ApiClient
from coachtui.api.models import Status
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.live.status import ConnState
from tests.conftest import ServerFactory, dev
from tests.live.helpers import Live
from tests.waiting import wait_for

MUTATIONS = [
    "create_action",
    "update_action",
    "delete_action",
    "create_agreement",
    "update_agreement",
    "delete_agreement",
    "update_goal",
]
FAULTS = ["drop", "burst_503", "stall"]
step = st.one_of(
    st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 50)),
    st.tuples(st.sampled_from(FAULTS), st.integers(1, 3)),
    st.tuples(st.just("pause"), st.integers(0, 3)),
)


async def mutate(api: ApiClient, session_id: str, kind: str, n: int) -> None:
    if kind == "create_action":
        await api.create_action(session_id, f"made by step {n}")
    elif kind in ("update_action", "delete_action"):
        actions = await api.session_actions(session_id)
        if actions:
            target = actions[n % len(actions)]
            if kind == "delete_action":
                await api.delete_action(target.id)
            else:
                statuses = list(Status)
                await api.update_action(
                    target.model_copy(update={"status": statuses[n % len(statuses)], "body": f"edited {n}"})
                )
    elif kind == "create_agreement":
        await api.create_agreement(session_id, f"agreed at step {n}")
    elif kind in ("update_agreement", "delete_agreement"):
        agreements = await api.session_agreements(session_id)
        if agreements:
            agreement = agreements[n % len(agreements)]
            if kind == "delete_agreement":
                await api.delete_agreement(agreement.id)
            else:
                await api.update_agreement(agreement.id, session_id, f"amended {n}")
    else:
        goals = await api.session_goals(session_id)
        if goals:
            goal = goals[n % len(goals)]
            await api.update_goal(goal.model_copy(update={"title": f"goal v{n}"}))


def fault(server: DevServer, kind: str, n: int) -> None:
    if kind == "drop":
        dev(server, "sse/drop")
    elif kind == "burst_503":
        dev(server, "sse/fail", status=503, count=n)
        dev(server, "sse/drop")
    else:
        dev(server, "sse/stall", count=1)
        dev(server, "sse/drop")


def snapshot(items: list[Any]) -> dict[str, Any]:
    return {e.id: e for e in items}


async def scenario(server: DevServer, steps: list[tuple[str, int]]) -> None:
    demo = server.demo
    assert demo is not None
    sid = demo.today_session_id
    async with Live(server, read_timeout=0.6) as live:
        await live.ready()
        other = ApiClient(server.url)
        await other.login(demo.coachee.email, demo.coachee.password)
        async with other:
            for kind, n in steps:
                if kind in FAULTS:
                    fault(server, kind, n)
                elif kind == "pause":
                    await asyncio.sleep(n * 0.05)  # not a wait: a "pause" step of the scenario
                else:
                    await mutate(other, sid, kind, n)

            async def truth() -> dict[Pane, dict[str, Any]]:
                return {
                    Pane.ACTIONS: snapshot(await other.session_actions(sid)),
                    Pane.AGREEMENTS: snapshot(await other.session_agreements(sid)),
                    Pane.GOALS: snapshot(await other.session_goals(sid)),
                }

            expected = await truth()

            def converged() -> bool:
                return live.state is ConnState.CONNECTED and all(
                    dict(live.model.states[p].items) == expected[p] for p in expected
                )

            await wait_for(converged, timeout=15)
            assert live.fresh() or live.state is ConnState.CONNECTED


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_model_converges_to_server_data(make_server: ServerFactory, steps: list[tuple[str, int]]) -> None:
    server = make_server("head", keepalive=0.2)
    asyncio.run(scenario(server, steps))
