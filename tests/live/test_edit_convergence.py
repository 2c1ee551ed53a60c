"""Local edits, the other participant's edits, network faults, session switches and cancelled
edits, interleaved: once things settle the screen's model equals the server for the session open
now, every create that said it succeeded exists exactly once in the session it was made in (one
that failed not at all, one cancelled at most once) and never in the other, and the last
successful edit of an item is what the server has."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError
from coachtui.api.models import Action, Status
from coachtui.devserver.server import DevServer
from coachtui.live.edits import ChangedElsewhere, EditFailed, EditRefused, LocalEdits
from coachtui.live.events import Pane
from coachtui.live.forms import form_for, values_of
from coachtui.live.status import ConnState
from tests.conftest import ServerFactory, dev
from tests.live.helpers import Live, coachee_api
from tests.waiting import wait_for

MINE = ["create_action", "create_agreement", "edit_action", "toggle_action", "delete_agreement"]
THEIRS = ["their_status", "their_create", "their_delete"]
FAULTS = ["drop_after_commit", "fail_next", "sse_drop"]
FLOW = ["switch", "cancel"]  # another session opens (as the app does); the last edit is cancelled
step = st.one_of(
    st.tuples(st.sampled_from(MINE), st.integers(0, 50)),
    st.tuples(st.sampled_from(THEIRS), st.integers(0, 50)),
    st.tuples(st.sampled_from(FAULTS), st.integers(0, 50)),
    st.tuples(st.sampled_from(FLOW), st.integers(0, 50)),
)


class Ledger:
    """What the user was told happened to their own changes."""

    def __init__(self) -> None:
        self.created: dict[str, bool | None] = {}  # body -> it said it succeeded (None: cancelled)
        self.made_in: dict[str, str] = {}  # body -> the session it was created in
        # Action id -> the bodies it may have now: that of its last successful edit, and those of
        # the edits after it that said "Maybe not saved" (a 5xx or a connection broken after
        # the request went out: the server may have it).
        self.bodies: dict[str, set[str]] = {}


async def mine(live: Live, edits: LocalEdits, ledger: Ledger, kind: str, n: int, tag: str) -> None:
    model = edits.model  # the session this change is made in, whichever is open later
    ledger.made_in[f"mine {tag}"] = model.session_id
    try:
        if kind == "create_action":
            form = form_for(Pane.ACTIONS, live.api.era, model.header, model.items(Pane.GOALS))
            values = {**values_of(form, None, today=dt.date.today()), "body": f"mine {tag}"}
            ledger.created[f"mine {tag}"] = False
            await edits.create(form, values)
            ledger.created[f"mine {tag}"] = True
        elif kind == "create_agreement":
            form = form_for(Pane.AGREEMENTS, live.api.era, model.header, [])
            ledger.created[f"mine {tag}"] = False
            await edits.create(form, {"body": f"mine {tag}"})
            ledger.created[f"mine {tag}"] = True
        elif kind in ("edit_action", "toggle_action"):
            actions = [a for a in model.items(Pane.ACTIONS) if not a.id.startswith("new-")]
            if not actions:
                return
            target: Action = actions[n % len(actions)]
            if kind == "toggle_action":
                await edits.toggle_completed(Pane.ACTIONS, target.id)
                return
            form = form_for(Pane.ACTIONS, live.api.era, model.header, model.items(Pane.GOALS), target)
            base = values_of(form, target)
            try:
                await edits.update(form, target.id, base, {**base, "body": f"edit {tag}"})
            except EditFailed as failed:
                if failed.message.startswith("Maybe not"):
                    ledger.bodies.setdefault(target.id, {base["body"]}).add(f"edit {tag}")
                raise
            except asyncio.CancelledError:  # it may have reached the server, or not
                ledger.bodies.setdefault(target.id, {base["body"]}).add(f"edit {tag}")
                raise
            ledger.bodies[target.id] = {f"edit {tag}"}
        else:
            # (Not the user's own new ones: those are counted at the end.)
            agreements = [a for a in model.items(Pane.AGREEMENTS) if not (a.body or "").startswith("mine")]
            if agreements:
                await edits.delete(Pane.AGREEMENTS, agreements[n % len(agreements)].id)
    except (EditFailed, EditRefused, ChangedElsewhere):
        pass  # said to the user; the ledger holds only what was said to succeed
    except asyncio.CancelledError:
        if f"mine {tag}" in ledger.created:
            ledger.created[f"mine {tag}"] = None  # "interrupted": made once, or not at all
        raise


async def theirs(other: ApiClient, sid: str, kind: str, n: int, tag: str) -> None:
    try:
        await _theirs(other, sid, kind, n, tag)
    except ApiError:
        pass  # a fault meant for the user's writes met the other participant's


async def _theirs(other: ApiClient, sid: str, kind: str, n: int, tag: str) -> None:
    if kind == "their_create":
        await other.create_agreement(sid, f"theirs {tag}")
        return
    # Never the text of an action: that is the user's, checked at the end (their status changes
    # meet the user's text edits: both must stay).
    actions = await other.session_actions(sid)
    if not actions:
        return
    target = actions[n % len(actions)]
    if kind == "their_status":
        statuses = [s for s in Status if s is not target.status]
        await other.update_action(target.model_copy(update={"status": statuses[n % len(statuses)]}))
    else:
        agreements = [a for a in await other.session_agreements(sid) if not (a.body or "").startswith("mine")]
        if agreements:
            await other.delete_agreement(agreements[n % len(agreements)].id)


def fault(server: DevServer, kind: str, n: int) -> None:
    if kind == "drop_after_commit":
        dev(server, "rest/drop_after_commit")
    elif kind == "fail_next":
        dev(server, "rest/fail_mutations", status=(503, 500, 403)[n % 3])
    else:
        dev(server, "sse/drop")


async def scenario(server: DevServer, steps: list[tuple[str, int]]) -> None:
    assert server.demo is not None
    sid = server.demo.today_session_id
    sessions = [sid, server.demo.other_session_id]
    ledger = Ledger()
    async with Live(server, read_timeout=0.6) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        other = await coachee_api(server)
        async with other:
            in_flight: list[asyncio.Task[None]] = []
            for i, (kind, n) in enumerate(steps):
                tag = f"{i}-{n}"
                if kind in MINE:  # not awaited: the next steps interleave with it
                    in_flight.append(asyncio.ensure_future(mine(live, edits, ledger, kind, n, tag)))
                    await asyncio.sleep(0)
                elif kind in THEIRS:
                    await theirs(other, sid, kind, n, tag)
                elif kind == "switch":  # as the app does: a model and edits of the new session's own
                    live.live.switch(sessions[1] if live.model.session_id == sessions[0] else sessions[0])
                    edits = LocalEdits(live.model, live.api)
                elif kind == "cancel":
                    if in_flight:
                        in_flight[-1].cancel()
                else:
                    fault(server, kind, n)
            await asyncio.gather(*in_flight, return_exceptions=True)

            # The coach reads both sessions (the coachee of the first cannot read the second).
            everything: dict[str, tuple[dict[str, Action], list[Any]]] = {}
            for s in sessions:
                acts = {a.id: a for a in await live.api.session_actions(s)}
                everything[s] = (acts, await live.api.session_agreements(s))
            open_now = live.model.session_id
            actions = everything[open_now][0]
            agreements = {a.id: a for a in everything[open_now][1]}
            truth: dict[Pane, dict[str, Any]] = {Pane.ACTIONS: actions, Pane.AGREEMENTS: agreements}

            def converged() -> bool:
                model = live.model
                return (
                    live.state is ConnState.CONNECTED
                    and not model.busy
                    and all(dict(model.states[p].items) == truth[p] for p in truth)
                    and not any(model.states[p].saving for p in truth)
                )

            await wait_for(converged, timeout=15)

        bodies = {
            s: [a.body for a in acts.values()] + [a.body for a in agrs]
            for s, (acts, agrs) in everything.items()
        }
        for body, succeeded in ledger.created.items():
            home = ledger.made_in[body]
            count = bodies[home].count(body)
            if succeeded is None:
                assert count <= 1, (body, count)
            else:
                assert count == (1 if succeeded else 0), (body, succeeded, count)
            assert all(bodies[s].count(body) == 0 for s in sessions if s != home), (body, home)
        for action_id, possible in ledger.bodies.items():
            for acts, _ in everything.values():
                if action_id in acts:
                    assert acts[action_id].body in possible, (action_id, possible)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_local_and_remote_edits_converge_and_lose_nothing(
    make_server: ServerFactory, steps: list[tuple[str, int]]
) -> None:
    server = make_server("head", keepalive=0.2)
    asyncio.run(scenario(server, steps))
