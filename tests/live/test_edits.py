"""Local changes against the devserver, without a screen: optimistic, confirmed, undone, echoed."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from coachtui.api.models import Action, EnrichedSession, Era, Status, User
from coachtui.devserver.server import DevServer
from coachtui.live.capabilities import Capabilities, EditRefused
from coachtui.live.edits import EditFailed, LocalEdits
from coachtui.live.events import Pane
from tests.conftest import ServerFactory, dev
from tests.live.helpers import Live
from tests.waiting import wait_for


def rest_writes(server: DevServer) -> int:
    return sum(n for route, n in dev(server, "stats")["requests"].items() if not route.startswith("GET"))


def rest_reads(server: DevServer) -> int:
    return sum(
        n
        for route, n in dev(server, "stats")["requests"].items()
        if route.startswith("GET") and route != "GET /sse"
    )


def first(live: Live, pane: Pane, status: Status) -> Action:
    found: Action = next(e for e in live.model.items(pane) if e.status is status)
    return found


async def test_x_shows_at_once_then_confirms_with_one_request(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        action = first(live, Pane.ACTIONS, Status.NOT_STARTED)
        writes, reads = rest_writes(head_server), rest_reads(head_server)
        task = asyncio.ensure_future(edits.toggle_completed(Pane.ACTIONS, action.id))
        await asyncio.sleep(0)  # the request is not answered yet: the pane already shows it
        state = live.model.states[Pane.ACTIONS]
        assert state.items[action.id].status is Status.COMPLETED and action.id in state.saving
        saved = await task
        assert saved.status is Status.COMPLETED and action.id not in state.saving
        await live.caught_up()  # the change's own event has come back
        assert state.items[action.id].status is Status.COMPLETED
        assert rest_writes(head_server) - writes == 1 and rest_reads(head_server) == reads  # no reload
        # The PUT started from the full copy: nothing else of the action was cleared.
        assert state.items[action.id].body == action.body and state.items[action.id].due_by == action.due_by
        back = await edits.toggle_completed(Pane.ACTIONS, action.id)
        assert back.status is Status.NOT_STARTED  # back to what it was, not a guess


async def test_x_on_an_action_completed_elsewhere_goes_back_to_in_progress(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        action = first(live, Pane.ACTIONS, Status.COMPLETED)
        saved = await LocalEdits(live.model, live.api).toggle_completed(Pane.ACTIONS, action.id)
        assert saved.status is Status.IN_PROGRESS


async def test_a_failed_x_is_undone_and_says_why(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        action = first(live, Pane.ACTIONS, Status.NOT_STARTED)
        dev(head_server, "rest/fail_mutations", status=403)
        with pytest.raises(EditFailed, match="Not saved"):
            await edits.toggle_completed(Pane.ACTIONS, action.id)
        state = live.model.states[Pane.ACTIONS]
        assert state.items[action.id] == action and not state.saving


async def test_a_503_reloads_the_pane_to_learn_what_was_saved(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        action = first(live, Pane.ACTIONS, Status.NOT_STARTED)
        reloads = live.model.requests(Pane.ACTIONS)
        dev(head_server, "rest/fail_mutations", status=503)
        with pytest.raises(EditFailed):
            await edits.toggle_completed(Pane.ACTIONS, action.id)
        await wait_for(lambda: live.model.requests(Pane.ACTIONS) > reloads and not live.model.busy)


async def test_x_on_an_item_deleted_elsewhere(head_server: DevServer) -> None:
    async with Live(head_server) as live, Live(head_server, who="coachee") as other:
        await live.ready()
        await other.ready()
        action = first(live, Pane.ACTIONS, Status.NOT_STARTED)
        edits = LocalEdits(live.model, live.api)
        await other.api.delete_action(action.id)
        await wait_for(lambda: action.id not in live.model.states[Pane.ACTIONS].items)
        with pytest.raises(EditRefused, match="no longer there"):
            await edits.toggle_completed(Pane.ACTIONS, action.id)


async def test_d_removes_at_once_and_a_failure_puts_it_back(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        agreements = live.model.states[Pane.AGREEMENTS]
        keep, gone = list(agreements.items)
        dev(head_server, "rest/fail_mutations", status=500)
        with pytest.raises(EditFailed, match=r"Maybe not deleted: .* The pane shows what the server has now"):
            await edits.delete(Pane.AGREEMENTS, keep)
        assert keep in agreements.items and not agreements.saving
        task = asyncio.ensure_future(edits.delete(Pane.AGREEMENTS, gone))
        await asyncio.sleep(0)
        assert gone not in agreements.items and gone in agreements.saving
        await task
        await live.caught_up()
        assert gone not in agreements.items and not agreements.saving
        assert gone not in {a.id for a in await live.api.session_agreements(live.session_id)}


async def test_d_on_a_goal_unlinks_it_or_deletes_it_everywhere(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        one, two = list(live.model.states[Pane.GOALS].items)[:2]
        rel = live.model.relationship_id
        assert rel is not None
        await edits.delete(Pane.GOALS, one)
        await edits.delete(Pane.GOALS, two, everywhere=True)
        await live.caught_up()
        assert set(live.model.states[Pane.GOALS].items).isdisjoint({one, two})
        linked = {g.id for g in await live.api.session_goals(live.session_id)}
        assert linked.isdisjoint({one, two})
        everywhere = {g["id"] for g in dev_goals(head_server, live, rel)}
        assert one in everywhere and two not in everywhere  # unlinked only vs deleted


def dev_goals(server: DevServer, live: Live, rel: str) -> list[dict[str, object]]:
    import httpx

    cookie = live.api.cookie
    assert cookie is not None
    r = httpx.get(
        f"{server.url}/goals",
        params={"coaching_relationship_id": rel},
        headers={"X-Version": "1.0.0-beta1", "Cookie": f"id={cookie.get_secret_value()}"},
    )
    return list(r.json()["data"])


async def test_seed_era_shows_its_own_change_from_the_answer(make_server: ServerFactory) -> None:
    server = make_server("seed")
    async with Live(server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        action = first(live, Pane.ACTIONS, Status.NOT_STARTED)
        await edits.toggle_completed(Pane.ACTIONS, action.id)  # no event will come in that era
        assert live.model.states[Pane.ACTIONS].items[action.id].status is Status.COMPLETED
        goal = next(iter(live.model.states[Pane.GOALS].items))
        perms = Capabilities(Era.SEED, live.model.header, live.api.user_id, dt.datetime.now(dt.UTC))
        with pytest.raises(EditRefused, match="cannot remove goals"):
            perms.check("delete", Pane.GOALS)
        assert goal in live.model.states[Pane.GOALS].items


async def test_a_reload_during_a_save_does_not_undo_it_on_screen(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        action = first(live, Pane.ACTIONS, Status.NOT_STARTED)
        changed = action.model_copy(update={"status": Status.COMPLETED})
        live.model.show_local(Pane.ACTIONS, action.id, changed)  # as if its PUT were in flight
        live.model.reload(Pane.ACTIONS)  # a snapshot taken before the change
        await wait_for(lambda: not live.model.busy)
        assert live.model.states[Pane.ACTIONS].items[action.id].status is Status.COMPLETED


def test_the_coachee_is_locked_out_after_the_sessions_day() -> None:
    coach, coachee = User(id="c", first_name="A"), User(id="e", first_name="B")
    session = EnrichedSession(
        id="s",
        coaching_relationship_id="r",
        date=dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC),
        coach=coach,
        coachee=coachee,
    )
    later = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    same_day = session.date
    for pane, what in ((Pane.GOALS, "edit"), (Pane.AGREEMENTS, "delete"), (Pane.ACTIONS, "delete")):
        with pytest.raises(EditRefused, match="only the coach"):
            Capabilities(Era.HEAD, session, "e", later).check(what, pane)
        Capabilities(Era.HEAD, session, "c", later).check(what, pane)  # the coach still can
        Capabilities(Era.HEAD, session, "e", same_day).check(what, pane)  # and on the day, both can
    Capabilities(Era.HEAD, session, "e", later).check("edit", Pane.ACTIONS)  # actions stay editable


@pytest.mark.parametrize("profile", ["head", "seed"])
async def test_z_brings_back_the_last_delete_with_its_content(
    make_server: ServerFactory, profile: str
) -> None:
    server = make_server(profile)
    async with Live(server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        with pytest.raises(EditRefused, match="Nothing to undo"):
            await edits.undo()
        action = next(a for a in live.model.items(Pane.ACTIONS) if a.due_by is not None and a.assignee_ids)
        await edits.delete(Pane.ACTIONS, action.id)
        restored = await edits.undo()
        assert restored.id != action.id  # a new item, as the web app's Undo makes
        shown = live.model.states[Pane.ACTIONS].items[restored.id]  # (seed era: from the answer)
        same = ("body", "status", "due_by", "assignee_ids")
        assert {k: getattr(shown, k) for k in same} == {k: getattr(action, k) for k in same}
        assert action.id not in live.model.states[Pane.ACTIONS].items
        await live.caught_up()
        assert sum(a.body == action.body for a in live.model.items(Pane.ACTIONS)) == 1  # no duplicate
        with pytest.raises(EditRefused):
            await edits.undo()  # one level: the last delete only


async def test_z_links_an_unlinked_goal_again(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        goal = next(iter(live.model.states[Pane.GOALS].items))
        await edits.delete(Pane.GOALS, goal)
        await edits.undo()
        await wait_for(lambda: goal in live.model.states[Pane.GOALS].items and not live.model.busy)
        assert goal in {g.id for g in await live.api.session_goals(live.session_id)}


async def test_a_change_in_flight_stays_with_its_session(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        action = first(live, Pane.ACTIONS, Status.NOT_STARTED)
        agreement = next(iter(live.model.states[Pane.AGREEMENTS].items))
        await edits.delete(Pane.AGREEMENTS, agreement)
        task = asyncio.ensure_future(edits.toggle_completed(Pane.ACTIONS, action.id))
        await asyncio.sleep(0)  # shown locally, request in flight…
        live.model.switch(demo.other_session_id)  # …when the user opens another session
        await task
        await wait_for(lambda: not live.model.busy and live.model.states[Pane.ACTIONS].loaded_once)
        other = live.model.states[Pane.ACTIONS]
        assert action.id not in other.items and not other.saving
        assert edits.undo_pane is None  # the delete belongs to the first session
        with pytest.raises(EditRefused):
            await edits.undo()
