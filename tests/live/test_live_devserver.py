"""The live engine against the devserver over real loopback sockets and its fault controls."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from coachtui.api.models import Status
from coachtui.devserver.server import DevServer
from coachtui.live.events import Entity, Pane
from coachtui.live.model import PaneStatus
from coachtui.live.status import ConnState
from tests.conftest import ServerFactory, dev
from tests.live.helpers import Live, coachee_api
from tests.waiting import wait_for


def request_count(server: DevServer) -> int:
    return sum(v for k, v in dev(server, "stats")["requests"].items() if k != "GET /sse")


async def test_connect_loads_each_pane_once(head_server: DevServer) -> None:
    dev(head_server, "stats/reset")
    async with Live(head_server) as live:
        await live.ready()
        assert live.states()[:2] == [ConnState.CONNECTING, ConnState.CONNECTED]
        requests = dev(head_server, "stats")["requests"]
        # Each pane is read at start-up and again once the stream is open (what it missed
        # meanwhile); the two coalesce when the stream opens before the first read has begun, as it
        # does on an idle machine, and not under load: once or twice, never more.
        for route in ("GET /coaching_sessions/{sid}/goals", "GET /users/{uid}/actions", "GET /agreements"):
            assert requests[route] in (1, 2), (route, requests[route])
        assert len(live.model.items(Pane.ACTIONS)) == 7
        assert live.model.header.coachee.name == "Jordan Lee"


@pytest.mark.parametrize("pane", [Pane.ACTIONS, Pane.AGREEMENTS, Pane.GOALS])
async def test_entity_event_changes_only_its_pane_with_no_request(head_server: DevServer, pane: Pane) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live, await coachee_api(head_server) as coachee:
        await live.ready()
        live.changes.clear()
        session = await coachee.get_session(demo.today_session_id)
        goal = live.model.items(Pane.GOALS)[0]
        before = request_count(head_server)
        created: Entity
        if pane is Pane.ACTIONS:
            created = await coachee.create_action(session.id, "Marker action")
        elif pane is Pane.AGREEMENTS:
            created = await coachee.create_agreement(session.id, "Marker agreement")
        else:
            created = await coachee.update_goal(goal.model_copy(update={"title": "Marker goal"}))
        await wait_for(
            lambda: (
                created.id in live.model.states[pane].items
                and live.model.states[pane].items[created.id] == created
            )
        )
        await live.caught_up()
        assert request_count(head_server) == before + 1  # only the other participant's own write
        assert set(live.changes) == {pane}


async def test_delete_and_update_apply_in_place(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live, await coachee_api(head_server) as coachee:
        await live.ready()
        action = live.model.items(Pane.ACTIONS)[0]
        await coachee.update_action(action.model_copy(update={"status": Status.WONT_DO}))
        await wait_for(lambda: live.model.states[Pane.ACTIONS].items[action.id].status is Status.WONT_DO)
        await coachee.delete_action(action.id)
        await wait_for(lambda: action.id not in live.model.states[Pane.ACTIONS].items)


async def test_actor_event_twice_is_harmless(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live:
        await live.ready()
        created = await live.api.create_agreement(demo.today_session_id, "Mine")
        await wait_for(lambda: created.id in live.model.states[Pane.AGREEMENTS].items)
        version = live.model.states[Pane.AGREEMENTS].version
        from coachtui.live.events import Upsert

        live.model.apply(Upsert("agreement_created", Pane.AGREEMENTS, created, demo.today_session_id, None))
        assert live.model.states[Pane.AGREEMENTS].version == version
        assert [a.id for a in live.model.items(Pane.AGREEMENTS)].count(created.id) == 1


async def test_other_session_events_change_nothing(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live:
        await live.ready()
        live.changes.clear()
        before = request_count(head_server)
        events = live.live.status.events_received
        await live.api.create_action(demo.other_session_id, "Elsewhere")
        await live.api.create_agreement(demo.other_session_id, "Elsewhere")
        await wait_for(lambda: live.live.status.events_received >= events + 2)
        await live.caught_up()
        assert not live.changes
        assert request_count(head_server) == before + 2


async def test_coarse_burst_costs_at_most_two_reloads(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live:
        await live.ready()
        before, actions = live.model.requests(Pane.GOALS), live.model.requests(Pane.ACTIONS)
        # The goals read the burst starts is held until the whole burst is in: on a busy machine
        # the events can come in a few reads far apart, and each lone read would earn a reload.
        burst_in, fetch = asyncio.Event(), live.model.fetch

        async def held(pane: Pane, session_id: str) -> Any:
            if pane is Pane.GOALS:
                await burst_in.wait()
            return await fetch(pane, session_id)

        live.model.fetch = held
        dev(
            head_server,
            "sse/emit",
            user_id=demo.coach.user_id,
            type="coaching_session_goal_created",
            count=100,  # written back to back, as a burst arrives
            data={
                "coaching_relationship_id": demo.relationship_id,
                "coaching_session_id": demo.today_session_id,
                "goal_id": "g",
            },
        )
        await wait_for(lambda: live.live.status.events_received >= 100)
        burst_in.set()
        await wait_for(lambda: not live.model.busy)  # (the last event's trigger is pending until run)
        assert 1 <= live.model.requests(Pane.GOALS) - before <= 2
        assert live.model.requests(Pane.ACTIONS) == actions


async def test_title_update_reloads_only_the_header(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live, await coachee_api(head_server) as coachee:
        await live.ready()
        live.changes.clear()
        await coachee.update_session_title(demo.today_session_id, "Renamed live")
        await wait_for(lambda: live.model.header is not None and live.model.header.title == "Renamed live")
        assert set(live.changes) == {Pane.HEADER}


async def test_drop_reconnects_and_resyncs_missed_changes(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live, await coachee_api(head_server) as coachee:
        await live.ready()
        dev(head_server, "sse/fail", status=503, count=2)  # stay away a little while
        dev(head_server, "sse/drop")
        await wait_for(lambda: live.state is ConnState.RECONNECTING)
        assert any(s.status is PaneStatus.STALE for s in live.model.states.values())
        missed = await coachee.create_agreement(demo.today_session_id, "Made while away")
        await wait_for(lambda: live.state is ConnState.CONNECTED and live.fresh())
        await wait_for(lambda: missed.id in live.model.states[Pane.AGREEMENTS].items)
        assert live.states()[-3:] == [ConnState.CONNECTED, ConnState.RECONNECTING, ConnState.CONNECTED]
        assert "503" in (live.live.status.last_error.message if live.live.status.last_error else "")


async def test_503_retry_after_is_honoured(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        dev(head_server, "sse/fail", status=503, retry_after=1)
        dev(head_server, "sse/drop")
        await wait_for(lambda: any(s.retry_delay and s.retry_delay >= 1 for s in live.statuses))
        await wait_for(lambda: live.state is ConnState.CONNECTED)


async def test_401_on_reconnect_is_fatal(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live:
        await live.ready()
        requests = live.live.connection.requests
        dev(head_server, "expire", user_id=demo.coach.user_id)
        dev(head_server, "sse/drop")
        await wait_for(lambda: live.state is ConnState.ERROR)
        # Not a wait: time passes, more than the backoff's cap (0.2 s), for a retry that must not come.
        await asyncio.sleep(0.5)
        assert live.live.connection.requests == requests + 1
        assert "coachtui login" in (live.live.status.hint or "")
        assert len(live.model.items(Pane.ACTIONS)) == 7  # data kept


async def test_session_expiry_while_stream_stays_open(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live:
        await live.ready()
        dev(head_server, "expire", user_id=demo.coach.user_id)
        live.model.reload(Pane.AGREEMENTS)
        await wait_for(lambda: live.auth_lost != [] and not live.model.busy)
        assert live.model.states[Pane.AGREEMENTS].status is PaneStatus.FAILED
        assert len(live.model.items(Pane.AGREEMENTS)) == 2
        # The stream itself would stay open (the server checks the cookie only on connect), but
        # Connected would mislead: the status says the login expired at once.
        assert live.state is ConnState.ERROR and live.statuses[-1].login_expired
        # Not a wait: time passes, more than the backoff's cap (0.2 s), for a retry that must not come.
        await asyncio.sleep(0.3)
        assert live.live.connection.requests == 1  # no reconnect loop on a lost login


async def test_stall_is_detected_by_the_watchdog(make_server: ServerFactory) -> None:
    server = make_server("head", keepalive=60)
    async with Live(server, read_timeout=0.5) as live:
        await live.ready()
        dev(server, "sse/stall")
        dev(server, "sse/drop")
        await wait_for(
            lambda: any("no data" in (s.last_error.message if s.last_error else "") for s in live.statuses)
        )


async def test_keepalives_keep_a_quiet_stream_connected(make_server: ServerFactory) -> None:
    server = make_server("head", keepalive=0.2)
    async with Live(server, read_timeout=0.6) as live:
        await live.ready()
        await asyncio.sleep(1.5)  # not a wait: the quiet time the keepalives must bridge
        assert live.states()[-1] is ConnState.CONNECTED and ConnState.RECONNECTING not in live.states()


async def test_malformed_bytes_do_not_end_the_stream(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live, await coachee_api(head_server) as coachee:
        await live.ready()
        before = live.model.requests(Pane.AGREEMENTS)
        junk = (
            b"event: agreement_created\ndata: {broken\n\n"
            b'data: \xff\xfe not utf8\n\nevent: mystery\ndata: {"type":"mystery","data":{}}\n\n: c\n\n'
        )
        dev(head_server, "sse/raw", user_id=demo.coach.user_id, b64=base64.b64encode(junk).decode())
        await wait_for(lambda: live.model.requests(Pane.AGREEMENTS) > before)
        created = await coachee.create_action(demo.today_session_id, "Still live")
        await wait_for(lambda: created.id in live.model.states[Pane.ACTIONS].items)
        assert ConnState.RECONNECTING not in live.states()


async def test_force_logout(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live:
        await live.ready()
        dev(head_server, "force_logout", user_id=demo.coach.user_id, reason="password changed")
        await wait_for(lambda: live.logged_out == ["password changed"])
        assert live.state is ConnState.ERROR
        assert "password changed" in (
            live.live.status.last_error.message if live.live.status.last_error else ""
        )
        assert live.task is not None
        await asyncio.wait_for(live.task, 1)  # no reconnect: the run ends


async def test_two_connections_for_one_user_both_get_events(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with (
        Live(head_server) as one,
        Live(head_server) as two,
        await coachee_api(head_server) as coachee,
    ):
        await one.ready()
        await two.ready()
        created = await coachee.create_agreement(demo.today_session_id, "For both")
        await wait_for(lambda: all(created.id in x.model.states[Pane.AGREEMENTS].items for x in (one, two)))


async def test_switching_session_keeps_the_connection(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live:
        await live.ready()
        requests = live.live.connection.requests
        live.live.switch(demo.other_session_id)
        await wait_for(
            lambda: (
                live.fresh()
                and live.model.header is not None
                and live.model.header.id == demo.other_session_id
            )
        )
        assert live.live.connection.requests == requests
        created = await live.api.create_action(demo.other_session_id, "Now it counts")
        await wait_for(lambda: created.id in live.model.states[Pane.ACTIONS].items)


async def test_quit_while_reconnecting_is_prompt(make_server: ServerFactory) -> None:
    server = make_server("head")
    live = Live(server, backoff=None)
    async with live:
        await live.ready()
        server.stop()
        await wait_for(lambda: live.state is ConnState.RECONNECTING)
        assert live.task is not None
        live.task.cancel()
        done, _ = await asyncio.wait({live.task}, timeout=1)
        assert done


async def test_seed_era_polls_actions_and_agreements(make_server: ServerFactory) -> None:
    server = make_server("seed")
    demo = server.demo
    assert demo is not None
    async with Live(server, poll_interval=0.3) as live, await coachee_api(server) as coachee:
        await live.ready()
        created = await coachee.create_action(demo.today_session_id, "No event for this in the seed era")
        await wait_for(lambda: created.id in live.model.states[Pane.ACTIONS].items)
        session = await coachee.get_session(demo.today_session_id)
        goal = await coachee.create_goal(session, "Seed goal")  # the one live path of the seed era
        await wait_for(lambda: goal.id in live.model.states[Pane.GOALS].items)


async def test_head_backend_is_never_polled(head_server: DevServer) -> None:
    async with Live(head_server, poll_interval=0.1) as live:
        await live.ready()
        before = live.model.requests(Pane.ACTIONS)
        await asyncio.sleep(0.5)  # not a wait: five poll intervals pass, with no poll
        assert live.model.requests(Pane.ACTIONS) == before


async def test_a_401_answered_after_r_is_dated_when_its_request_went_out(head_server: DevServer) -> None:
    """`r` pressed while a reconnect's 401 is on its way (sent with the login `r` replaces): the
    failure is dated when its request went out, so the app knows it says nothing of the new login
    and does not ask for one again (it compares that time with the new login's)."""
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live:
        await live.ready()
        dev(head_server, "expire", user_id=demo.coach.user_id)
        dev(head_server, "rest/hold", path="/sse", when="after")  # the reconnect's 401 waits
        dev(head_server, "sse/drop")
        await wait_for(lambda: dev(head_server, "stats")["holding"] == 1)
        pressed = live.live.connection.clock.now()
        live.live.connection.retry_now()
        dev(head_server, "rest/hold", release=True)
        await wait_for(lambda: any(s.state is ConnState.ERROR for s in live.statuses))
        first = next(s for s in live.statuses if s.state is ConnState.ERROR)
        assert first.login_expired and first.last_error is not None
        assert first.last_error.at < pressed
