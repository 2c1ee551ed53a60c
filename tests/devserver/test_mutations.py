"""The devserver's writes behave as the contract's §5.4 and §5.6 say, through the typed client,
and its write faults (a failed write, a write committed without an answer) are what they claim."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from coachtui.api.client import ApiClient
from coachtui.api.errors import Conflict, NetworkError, ServerError
from coachtui.api.models import Status
from coachtui.devserver.server import DevServer
from tests.conftest import dev, login_cookie

V = {"X-Version": "1.0.0-beta1"}


@pytest.fixture
async def coach(head_server: DevServer) -> AsyncIterator[ApiClient]:
    assert head_server.demo is not None
    async with ApiClient(head_server.url) as api:
        await api.login(head_server.demo.coach.email, head_server.demo.coach.password)
        yield api


def events_sent(server: DevServer) -> int:
    return int(dev(server, "stats")["events_sent"])


async def test_put_leaves_assignees_unless_they_changed(head_server: DevServer, coach: ApiClient) -> None:
    demo = head_server.demo
    assert demo is not None
    action = await coach.create_action(
        demo.today_session_id, "Who does it", assignee_ids=[demo.coach.user_id]
    )
    # The client's copy says coachee, but the change is only the status: assignees are not sent.
    stale = action.model_copy(update={"status": Status.COMPLETED, "assignee_ids": [demo.coachee.user_id]})
    assert (await coach.update_action(stale)).assignee_ids == [demo.coach.user_id]
    changed = await coach.update_action(stale, assignees_changed=True)
    assert changed.assignee_ids == [demo.coachee.user_id]


async def test_put_is_a_full_replacement(head_server: DevServer, coach: ApiClient) -> None:
    demo = head_server.demo
    assert demo is not None
    action = next(a for a in await coach.session_actions(demo.today_session_id) if a.due_by is not None)
    cleared = await coach.update_action(action.model_copy(update={"due_by": None}))
    assert cleared.due_by is None and cleared.body == action.body
    assert cleared.status_changed_at is not None and cleared.status_changed_at != action.status_changed_at


async def test_a_bad_assignee_saves_the_fields_and_sends_no_event(
    head_server: DevServer, coach: ApiClient
) -> None:
    demo = head_server.demo
    assert demo is not None
    action = (await coach.session_actions(demo.today_session_id))[0]
    before = events_sent(head_server)
    twice = action.model_copy(update={"body": "Saved anyway", "assignee_ids": [demo.coach.user_id] * 2})
    with pytest.raises(ServerError) as failure:
        await coach.update_action(twice, assignees_changed=True)
    assert failure.value.status == 503
    saved = next(a for a in await coach.session_actions(demo.today_session_id) if a.id == action.id)
    assert saved.body == "Saved anyway" and saved.assignee_ids == action.assignee_ids
    assert events_sent(head_server) == before


async def test_an_unknown_goal_saves_nothing(head_server: DevServer, coach: ApiClient) -> None:
    demo = head_server.demo
    assert demo is not None
    action = (await coach.session_actions(demo.today_session_id))[0]
    with pytest.raises(ServerError):
        await coach.update_action(
            action.model_copy(update={"body": "Not saved", "goal_id": "2d1e0c7a-5b7e-4c1e-9a55-0f3c4d2b1a77"})
        )
    saved = next(a for a in await coach.session_actions(demo.today_session_id) if a.id == action.id)
    assert saved.body == action.body


def test_goal_errors_are_the_backends_json_bodies(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    cookie = httpx.post(
        f"{head_server.url}/login", data={"email": demo.coach.email, "password": demo.coach.password}
    ).cookies["id"]
    with httpx.Client(base_url=head_server.url, headers=V, cookies={"id": cookie}) as c:
        rel = demo.relationship_id
        for i in range(3):
            c.post("/goals", json={"coaching_relationship_id": rel, "status": "InProgress", "title": f"g{i}"})
        r = c.post("/goals", json={"coaching_relationship_id": rel, "status": "InProgress", "title": None})
        body = r.json()
        assert r.status_code == 409 and body["error"] == "conflict"
        assert body["message"] == "A coaching relationship can have at most 3 in-progress goals."
        assert body["details"]["max_in_progress_goals"] == 3
        assert len(body["details"]["in_progress_goals"]) >= 3
        assert all(
            set(g) == {"id", "title"} and g["title"] is not None for g in body["details"]["in_progress_goals"]
        )
        linked = c.get(f"/coaching_sessions/{demo.today_session_id}/goals").json()["data"][0]
        r = c.post(f"/coaching_sessions/{demo.today_session_id}/goals", json={"goal_id": linked["id"]})
        assert r.status_code == 409 and r.json() == {
            "status_code": 409,
            "error": "goal_already_linked_to_session",
            "message": "This goal is already linked to the coaching session.",
        }
        done = c.post("/goals", json={"coaching_relationship_id": rel, "status": "Completed"}).json()["data"]
        r = c.post(f"/coaching_sessions/{demo.today_session_id}/goals", json={"goal_id": done["id"]})
        assert r.status_code == 422 and r.json()["error"] == "cannot_link_completed_goal"
        assert r.json()["message"] == "Completed goals cannot be linked to a coaching session."


async def test_a_goal_created_in_a_session_is_promoted_but_answered_as_sent(
    head_server: DevServer, coach: ApiClient
) -> None:
    demo = head_server.demo
    assert demo is not None
    session = await coach.get_session(demo.today_session_id)
    before = events_sent(head_server)
    goal = await coach.create_goal(session, "Made in the session")
    assert goal.status is Status.NOT_STARTED  # the answer (and the event) carry the status as sent
    linked = {g.id: g for g in await coach.session_goals(session.id)}
    assert linked[goal.id].status is Status.IN_PROGRESS  # …but it was promoted when linked
    assert events_sent(head_server) - before == 1  # goal_created, and no link or goal_updated event


async def test_session_title_is_trimmed_emptied_and_capped(head_server: DevServer, coach: ApiClient) -> None:
    demo = head_server.demo
    assert demo is not None
    sid = demo.today_session_id
    assert (await coach.update_session_title(sid, "  Planning  ")).title == "Planning"
    assert (await coach.update_session_title(sid, "   ")).title is None
    with pytest.raises(Conflict) as failure:
        await coach.update_session_title(sid, "x" * 501)
    assert failure.value.status == 422 and failure.value.code == "validation_error"


async def test_fault_a_failed_write_changes_nothing(head_server: DevServer, coach: ApiClient) -> None:
    demo = head_server.demo
    assert demo is not None
    before = await coach.session_agreements(demo.today_session_id)
    dev(head_server, "rest/fail_mutations", status=503)
    with pytest.raises(ServerError):
        await coach.create_agreement(demo.today_session_id, "never saved")
    assert await coach.session_agreements(demo.today_session_id) == before
    await coach.create_agreement(demo.today_session_id, "the next one is")  # one failure only
    assert len(await coach.session_agreements(demo.today_session_id)) == len(before) + 1


async def test_fault_a_write_committed_without_an_answer(head_server: DevServer, coach: ApiClient) -> None:
    demo = head_server.demo
    assert demo is not None
    before = events_sent(head_server)
    dev(head_server, "rest/drop_after_commit")
    with pytest.raises(NetworkError) as failure:
        await coach.create_agreement(demo.today_session_id, "saved, unanswered")
    assert failure.value.request_sent  # the outcome is unknown: reconcile, do not repeat
    bodies = [a.body for a in await coach.session_agreements(demo.today_session_id)]
    assert bodies.count("saved, unanswered") == 1
    assert events_sent(head_server) - before == 1  # and its event went out


@pytest.mark.parametrize(
    "fields",
    [
        r'"body": "NUL\u0000 lone \ud800 surrogate \udfff end"',  # the attack's
        r'"body": "\udfff"',
        r'"body": "ok", "assignee_ids": ["\ud83d"]',
        '"body": "ok", "extra": ' + "[" * 100_000 + "]" * 100_000,  # serde_json stops at 128 levels
    ],
    ids=["lone surrogates", "trailing", "in a list", "deep"],
)
def test_a_body_the_backend_cannot_read_is_refused_and_nothing_stored(
    head_server: DevServer, fields: str
) -> None:
    """The backend's serde_json answers 400 to a string with a lone surrogate: the devserver too,
    before anything is stored (it used to store it, then fail every read of the session)."""
    demo = head_server.demo
    assert demo is not None
    cookie = login_cookie(head_server, demo.coachee.email, demo.coachee.password)
    sid = demo.today_session_id
    json_type = {"Content-Type": "application/json"}
    with httpx.Client(base_url=head_server.url, headers=V, cookies={"id": cookie}) as c:

        def actions() -> httpx.Response:
            return c.get(f"/users/{demo.coachee.user_id}/actions", params={"coaching_session_id": sid})

        before = actions().json()["data"]
        raw = f'{{"coaching_session_id": "{sid}", "status": "NotStarted", {fields}}}'
        sent = c.post("/actions", content=raw.encode(), headers=json_type)
        assert sent.status_code == 400 and "Failed to parse the request body as JSON" in sent.text
        after = actions()
        assert after.status_code == 200 and after.json()["data"] == before
        # A surrogate pair (an emoji written as two escapes) is one character: fine.
        pair = f'{{"coaching_session_id": "{sid}", "status": "NotStarted", "body": "\\ud83d\\ude00"}}'
        created = c.post("/actions", content=pair.encode(), headers=json_type)
        assert created.status_code == 200 and created.json()["data"]["body"] == "\U0001f600"


@pytest.mark.parametrize(
    "fields",
    [
        {"assignee_ids": [[[]]]},
        {"assignee_ids": "abc"},
        {"assignee_ids": [5]},
        {"due_by": "0001-01-01T00:00:00+23:00"},
        {"due_by": "9999-12-31T23:59:59-23:59"},
    ],
    ids=["nested-lists", "a-string", "a-number", "before-year-1-in-utc", "after-9999-in-utc"],
)
def test_a_body_of_the_wrong_kinds_is_a_422_and_nothing_stored(
    head_server: DevServer, fields: dict[str, object]
) -> None:
    """The backend's serde answers 422 to these; the devserver raised (500, a traceback in its
    log) or answered 503 as for an unknown user."""
    demo = head_server.demo
    assert demo is not None
    cookie = login_cookie(head_server, demo.coachee.email, demo.coachee.password)
    sid = demo.today_session_id
    with httpx.Client(base_url=head_server.url, headers=V, cookies={"id": cookie}) as c:

        def actions() -> httpx.Response:
            return c.get(f"/users/{demo.coachee.user_id}/actions", params={"coaching_session_id": sid})

        before = actions().json()["data"]
        sent = c.post("/actions", json={"coaching_session_id": sid, "status": "NotStarted", **fields})
        assert sent.status_code == 422 and "Failed to deserialize the JSON body" in sent.text
        assert actions().json()["data"] == before
