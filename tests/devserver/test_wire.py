"""The devserver's bytes pinned to the contract's examples, so it cannot drift from the real backend."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from coachtui.devserver.server import DevServer, ServerOptions
from tests.conftest import dev, login_cookie
from tests.waiting import HANG

V = {"X-Version": "1.0.0-beta1"}  # the wire value itself, pinned (not the constant under test)


def test_login_cookie_and_envelope(server: DevServer, profile: str) -> None:
    assert server.demo is not None
    r = httpx.post(
        f"{server.url}/login", data={"email": "coach@example.com", "password": server.demo.coach.password}
    )
    assert r.status_code == 200
    assert re.fullmatch(
        r"id=[A-Za-z0-9_-]{22}; HttpOnly; SameSite=Lax; Path=/; Max-Age=86400", r.headers["set-cookie"]
    )
    body = r.json()
    assert body["status_code"] == 200 and body["data"]["id"] == server.demo.coach.user_id
    assert ("role" in body["data"]) == (profile == "seed")
    assert "password" not in r.text


def test_login_errors(server: DevServer) -> None:
    r = httpx.post(f"{server.url}/login", data={"email": "coach@example.com", "password": "bad"})
    assert (r.status_code, r.text) == (401, "UNAUTHORIZED")
    r = httpx.post(f"{server.url}/login", json={"email": "coach@example.com", "password": "bad"})
    assert r.status_code == 415 and "x-www-form-urlencoded" in r.text


def test_auth_and_version_texts(server: DevServer) -> None:
    assert server.demo is not None
    url = f"{server.url}/agreements?coaching_session_id={server.demo.today_session_id}"
    r = httpx.get(url, headers=V)
    assert (r.status_code, r.text) == (401, "Unauthorized")
    r = httpx.get(url, headers=V, cookies={"id": "A" * 22})
    assert r.status_code == 401 and "Max-Age=0" in r.headers["set-cookie"]
    cookie = login_cookie(server, "coach@example.com", server.demo.coach.password)
    r = httpx.get(url, cookies={"id": cookie})
    assert (r.status_code, r.text) == (400, "`x-version` header is missing")
    r = httpx.get(url, cookies={"id": cookie}, headers={"X-Version": "2"})
    assert (r.status_code, r.text) == (400, "`x-version` header is not a valid API version")
    r = httpx.get(url, cookies={"id": cookie}, headers={"X-Version": '"1.0.0-beta1"'})
    assert r.status_code == 200 and r.json()["status_code"] == 200
    assert r.headers["set-cookie"].startswith(f"id={cookie};")  # refreshed on every response


def test_create_is_http_200_with_envelope_201_and_delete_is_bare(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    cookie = login_cookie(head_server, "coach@example.com", demo.coach.password)
    with httpx.Client(base_url=head_server.url, headers=V, cookies={"id": cookie}) as c:
        r = c.post(
            "/actions",
            json={
                "coaching_session_id": demo.today_session_id,
                "status": "NotStarted",
                "body": "x",
                "due_by": "2026-01-20T00:00:00.000-05:00",
            },
        )
        assert r.status_code == 200 and r.json()["status_code"] == 201
        action = r.json()["data"]
        assert action["due_by"] == "2026-01-20T05:00:00Z" and action["assignee_ids"] == []
        r = c.post(
            "/actions",
            json={
                "coaching_session_id": demo.today_session_id,
                "status": "NotStarted",
                "due_by": "2026-01-20T00:00:00",
            },
        )
        assert r.status_code == 422 and r.text.startswith("Failed to deserialize the JSON body")
        r = c.delete(f"/actions/{action['id']}")
        assert r.json() == {"id": action["id"]}
        r = c.get(f"/coaching_sessions/{demo.today_session_id}/goals")
        goal_id = r.json()["data"][0]["id"]
        assert c.delete(f"/coaching_sessions/{demo.today_session_id}/goals/{goal_id}").json() == {
            "goal_id": goal_id
        }
        assert c.get("/no/such/route").status_code == 404


def test_seed_quirks(make_server) -> None:  # type: ignore[no-untyped-def]
    seed = make_server("seed")
    demo = seed.demo
    cookie = login_cookie(seed, "coachee@example.com", demo.coachee.password)
    with httpx.Client(base_url=seed.url, headers=V, cookies={"id": cookie}) as c:
        missing = "00000000-0000-4000-8000-000000000000"
        assert (
            c.get(f"/coaching_sessions/{missing}").status_code,
            c.get(f"/coaching_sessions/{missing}").text,
        ) == (403, "FORBIDDEN")
        r = c.get(f"/overarching_goals?coaching_session_id={missing}")
        assert (r.status_code, r.text) == (500, "INTERNAL SERVER ERROR")
        r = c.get(f"/agreements?coaching_session_id={demo.other_session_id}")
        assert (r.status_code, r.text) == (401, "UNAUTHORIZED")
        r = c.get(f"/coaching_sessions/{demo.today_session_id}/goals")
        assert (r.status_code, r.content) == (404, b"")  # the route does not exist in the seed era
        r = c.get(f"/coaching_sessions/{demo.today_session_id}")
        assert "title" not in r.json()["data"]
        r = c.post("/actions", json={"coaching_session_id": demo.today_session_id, "status": "OnHold"})
        assert r.status_code == 422


async def read_until(chunks: AsyncIterator[bytes], needle: bytes, timeout: float = HANG) -> bytes:
    buf = b""

    async def go() -> bytes:
        nonlocal buf
        async for chunk in chunks:
            buf += chunk
            if needle in buf:
                return buf
        return buf

    return await asyncio.wait_for(go(), timeout)


async def test_sse_framing_is_exact(make_server) -> None:  # type: ignore[no-untyped-def]
    server = make_server("head", keepalive=0.3)
    demo = server.demo
    coachee = login_cookie(server, "coachee@example.com", demo.coachee.password)
    coach = login_cookie(server, "coach@example.com", demo.coach.password)
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as c:
        async with c.stream("GET", "/sse", headers={"Cookie": f"id={coachee}"}) as stream:
            chunks = stream.aiter_raw()
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert stream.headers["cache-control"] == "no-cache"
            # Nothing on open: the first bytes are the keep-alive after the (short) interval.
            first = await read_until(chunks, b"\n\n")
            assert first == b":\n\n"
            r = await c.post(
                "/agreements",
                headers={**V, "Cookie": f"id={coach}"},
                json={"coaching_session_id": demo.today_session_id, "body": 'line1\nline2 "q"'},
            )
            agreement = r.json()["data"]
            data = await read_until(chunks, b"}}\n\n")
            # More keep-alives may come while the POST is answered (a loaded machine takes > 0.3 s).
            while data.startswith(b":\n\n"):
                data = data[len(b":\n\n") :]
            expected = (
                "event: agreement_created\ndata: "
                + json.dumps(
                    {
                        "type": "agreement_created",
                        "data": {"coaching_session_id": demo.today_session_id, "agreement": agreement},
                    },
                    separators=(",", ":"),
                )
                + "\n\n"
            ).encode()
            assert data == expected
            assert b"id:" not in data and b"retry:" not in data


async def test_sse_requires_login_and_fault_controls(head_server: DevServer) -> None:
    async with httpx.AsyncClient(base_url=head_server.url, timeout=5) as c:
        r = await c.get("/sse")
        assert (r.status_code, r.text) == (401, "Unauthorized")
        demo = head_server.demo
        assert demo is not None
        cookie = login_cookie(head_server, "coach@example.com", demo.coach.password)
        dev(head_server, "sse/fail", status=503, retry_after=7)
        r = await c.get("/sse", headers={"Cookie": f"id={cookie}"})
        assert r.status_code == 503 and r.headers["retry-after"] == "7"


def test_fault_controls_are_off_by_default(make_server) -> None:  # type: ignore[no-untyped-def]
    server = make_server("head", faults=False)
    assert httpx.post(f"{server.url}/_dev/stats").status_code == 404
    with pytest.raises(ValueError, match="loopback"):
        DevServer(ServerOptions(host="0.0.0.0", faults=True))


def test_data_survives_restart_with_a_db_file(tmp_path: Path) -> None:
    db = str(tmp_path / "dev.sqlite")
    first = DevServer(ServerOptions(db=db, seed=3)).start()
    demo = first.demo
    assert demo is not None
    cookie = login_cookie(first, "coach@example.com", demo.coach.password)
    r = httpx.post(
        f"{first.url}/agreements",
        headers=V,
        cookies={"id": cookie},
        json={"coaching_session_id": demo.today_session_id, "body": "kept"},
    )
    assert r.status_code == 200
    first.close()
    second = DevServer(ServerOptions(db=db)).start()
    try:
        assert second.demo is None  # existing data is not reseeded
        r = httpx.get(
            f"{second.url}/agreements?coaching_session_id={demo.today_session_id}",
            headers=V,
            cookies={"id": cookie},
        )  # sessions persist too
        assert "kept" in {a["body"] for a in r.json()["data"]}
    finally:
        second.close()
