"""The API client against real devservers over loopback, both backend eras."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from coachtui.api import (
    ApiClient,
    ApiVersionRejected,
    Era,
    Forbidden,
    InvalidCredentials,
    NetworkError,
    NotFound,
    ServerError,
    SessionExpired,
    Status,
    UnexpectedResponse,
)
from coachtui.devserver.server import DevServer
from tests.conftest import dev


async def logged_in(server: DevServer, who: str = "coach") -> ApiClient:
    assert server.demo is not None
    user = getattr(server.demo, who)
    api = ApiClient(server.url)
    await api.login(user.email, user.password)
    return api


async def test_login_and_every_read(server: DevServer, profile: str) -> None:
    demo = server.demo
    assert demo is not None
    api = await logged_in(server)
    async with api:
        assert api.user_id == demo.coach.user_id
        today = dt.date.today()
        rows = await api.list_sessions(today - dt.timedelta(days=30), today + dt.timedelta(days=30))
        assert demo.today_session_id in {r.id for r in rows}
        row = next(r for r in rows if r.id == demo.today_session_id)
        assert row.coach is not None and row.coach.name == "Avery Stone"
        assert row.coachee is not None and row.coachee.name == "Jordan Lee"
        assert row.organization is not None and row.organization.name == "Northwind Coaching"
        assert row.date.tzinfo is not None

        details = await api.session_details(demo.today_session_id)
        assert details.coachee is not None and details.coachee.name == "Jordan Lee"

        goals = await api.session_goals(demo.today_session_id)
        assert api.era is (Era.HEAD if profile == "head" else Era.SEED)
        assert len(goals) == 3
        actions = await api.session_actions(demo.today_session_id)
        assert len(actions) == 7
        assert any(a.due_by is None for a in actions) and any(a.due_by for a in actions)
        statuses = {a.status for a in actions}
        expected = set(Status) if profile == "head" else set(Status) - {Status.ON_HOLD}
        assert statuses == expected
        agreements = await api.session_agreements(demo.today_session_id)
        assert len(agreements) == 2


async def test_era_is_detected_once(server: DevServer, profile: str) -> None:
    demo = server.demo
    assert demo is not None
    async with await logged_in(server) as api:
        await api.session_goals(demo.today_session_id)
        dev(server, "stats/reset")
        await api.session_goals(demo.today_session_id)
        requests = dev(server, "stats")["requests"]
        assert sum(requests.values()) == 1, requests


async def test_an_era_remembered_from_before_an_upgrade_is_probed_again_once(
    server: DevServer, profile: str
) -> None:
    """The credentials remember the era; the backend was upgraded (seed → head) or rolled back
    since: the first 404 on a path of the remembered era asks again, once."""
    demo = server.demo
    assert demo is not None
    async with await logged_in(server) as api:
        actual = Era.HEAD if profile == "head" else Era.SEED
        api.era = Era.SEED if actual is Era.HEAD else Era.HEAD  # what an earlier run remembered
        goals = await api.session_goals(demo.today_session_id)
        assert api.era is actual and len(goals) == 3
        dev(server, "stats/reset")
        await api.session_goals(demo.today_session_id)
        assert sum(dev(server, "stats")["requests"].values()) == 1  # known again: no more probes


async def test_writes_round_trip(server: DevServer, profile: str) -> None:
    demo = server.demo
    assert demo is not None
    async with await logged_in(server) as api:
        session = await api.get_session(demo.today_session_id)
        due = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
        action = await api.create_action(
            session.id, "Try it", due_by=due, assignee_ids=[demo.coachee.user_id]
        )
        assert action.due_by == due and action.assignee_ids == [demo.coachee.user_id]
        updated = await api.update_action(action.model_copy(update={"status": Status.COMPLETED}))
        assert updated.status is Status.COMPLETED and updated.assignee_ids == [demo.coachee.user_id]
        await api.delete_action(action.id)
        assert action.id not in {a.id for a in await api.session_actions(session.id)}

        agreement = await api.create_agreement(session.id, "We agree")
        assert (await api.update_agreement(agreement.id, session.id, "We agree, v2")).body == "We agree, v2"
        await api.delete_agreement(agreement.id)

        goal = await api.create_goal(session, "A new goal")
        assert goal.title == "A new goal"
        assert (await api.update_goal(goal.model_copy(update={"title": "Renamed"}))).title == "Renamed"
        if profile == "head":
            assert goal.id in {g.id for g in await api.session_goals(session.id)}
            await api.unlink_goal(session.id, goal.id)
            await api.link_goal(session.id, goal.id)
            await api.delete_goal(goal.id)
            assert (await api.update_session_title(session.id, "New title")).title == "New title"


async def test_wrong_password(server: DevServer) -> None:
    async with ApiClient(server.url) as api:
        with pytest.raises(InvalidCredentials, match="Wrong e-mail or password"):
            await api.login("coach@example.com", "nope")


async def test_expired_session_is_typed_and_cookie_dropped(server: DevServer) -> None:
    demo = server.demo
    assert demo is not None
    api = await logged_in(server)
    async with api:
        dev(server, "expire", user_id=demo.coach.user_id)
        with pytest.raises(SessionExpired, match="coachtui login"):
            await api.session_agreements(demo.today_session_id)
        assert api.cookie is None  # the server's removal cookie was honoured


async def test_other_peoples_session(server: DevServer, profile: str) -> None:
    demo = server.demo
    assert demo is not None
    async with await logged_in(server, "coachee") as api:
        with pytest.raises(Forbidden):
            await api.get_session(demo.other_session_id)
        # Seed answers most authorization failures with 401, like an expired login.
        with pytest.raises(Forbidden if profile == "head" else SessionExpired):
            await api.session_agreements(demo.other_session_id)


async def test_unknown_session(server: DevServer, profile: str) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    async with await logged_in(server) as api:
        with pytest.raises(NotFound if profile == "head" else Forbidden):
            await api.get_session(unknown)
        with pytest.raises(NotFound if profile == "head" else Forbidden):
            await api.session_goals(unknown)
        assert api.era is None  # an unknown session teaches nothing about the era


async def test_api_version_rejected(server: DevServer) -> None:
    demo = server.demo
    assert demo is not None
    api = await logged_in(server)
    api.api_version = "2.0.0"
    async with api:
        with pytest.raises(ApiVersionRejected, match="API version"):
            await api.session_agreements(demo.today_session_id)


async def test_server_down_is_a_network_error(make_server) -> None:  # type: ignore[no-untyped-def]
    server = make_server("head")
    url = server.url
    server.stop()
    async with ApiClient(url) as api:
        with pytest.raises(NetworkError, match="Could not reach"):
            await api.login("coach@example.com", "x")


@pytest.fixture
async def html_server() -> AsyncIterator[str]:
    """A raw server answering every request with an HTML page (a proxy or wrong URL)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b"<html><body>Welcome to nginx!</body></html>"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\nConnection: close\r\n\r\n"
            + body
        )
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    srv.close()
    await srv.wait_closed()


async def test_not_a_refactor_server(html_server: str) -> None:
    async with ApiClient(html_server, cookie="x" * 22, user_id="u") as api:
        with pytest.raises(UnexpectedResponse, match="not JSON"):
            await api.session_agreements("s")
        with pytest.raises(UnexpectedResponse, match="not like a refactor-platform server"):
            await api.login("a@b.c", "pw")


async def test_server_error_and_seed_500(make_server) -> None:  # type: ignore[no-untyped-def]
    server = make_server("seed")
    async with await logged_in(server) as api:
        api.era = Era.SEED
        with pytest.raises(ServerError, match="internal error"):
            await api.session_goals("00000000-0000-4000-8000-000000000000")


async def test_cookie_never_in_repr_or_errors(server: DevServer) -> None:
    demo = server.demo
    assert demo is not None
    api = await logged_in(server)
    async with api:
        assert api.cookie is not None
        secret = api.cookie.get_secret_value()
        assert secret not in repr(api) and secret not in repr(api.cookie)
        dev(server, "expire", user_id=demo.coach.user_id)
        with pytest.raises(SessionExpired) as info:
            await api.session_actions(demo.today_session_id)
        assert secret not in str(info.value)


async def test_redirects_are_not_followed(head_server: DevServer) -> None:
    """A redirect to another server would carry the cookie there; the client refuses it."""
    target = f"{head_server.url}/agreements"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            f"HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    dev(head_server, "stats/reset")
    try:
        async with ApiClient(f"http://127.0.0.1:{port}", cookie="c" * 22, user_id="u") as api:
            with pytest.raises(UnexpectedResponse, match="redirected"):
                await api.session_agreements("s")
    finally:
        srv.close()
        await srv.wait_closed()
    assert dev(head_server, "stats")["requests"].get("GET /agreements", 0) == 0
