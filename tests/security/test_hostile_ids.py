"""Ids from a hostile server: whatever they hold, each stays one segment of the request path it
was meant for (never another endpoint of the server, never an invalid URL), and opening a session
from the picker either opens it or says why in one sentence."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.widgets import DataTable

from coachtui.api.client import ApiClient
from coachtui.api.errors import NotFound
from coachtui.api.http import api_path
from coachtui.devserver.server import DevServer
from coachtui.tui.screens.picker import PickerScreen
from tests.conftest import dev
from tests.tui.factory import engine, make_app, open_picker
from tests.tui.test_editing import notices
from tests.waiting import settled, until

# The attack's: a real id's shape, then an OSC title sequence and a shell substitution. (Without
# a `/`: the devserver, like Starlette, routes on the decoded path. A raw server below sees what
# is sent for one with slashes.)
CONTROLS = "5a6de2da-9c08-4af3-8a27-80c5b13bdbb\x1b]0;IDPWN\x07$(touch PWNED)"


def test_each_id_is_one_segment() -> None:
    assert api_path("coaching_sessions", "x/../../users/u?y#z", "goals") == (
        "/coaching_sessions/x%2F..%2F..%2Fusers%2Fu%3Fy%23z/goals"
    )
    assert api_path("goals", "..") == "/goals/%2E%2E" and api_path("goals", ".") == "/goals/%2E"
    assert api_path("actions", "\x1b]0;t\x07 é") == "/actions/%1B%5D0%3Bt%07%20%C3%A9"


def hostile_session(server: DevServer, session_id: str, title: str = "HOSTILE ID SESSION") -> None:
    """A session of the demo coach under `session_id`, as a hostile server's store would hold it."""
    assert server.demo is not None
    today = server.store.get("session", server.demo.today_session_id)
    assert today is not None
    doc = {**today, "id": session_id, "title": title, "collab_document_name": None}
    server.store.put("session", doc, relationship_id=today["coaching_relationship_id"])


@pytest.mark.parametrize("session_id", [CONTROLS, "x?y#z", "a b%2F"], ids=["controls", "query", "escaped"])
async def test_a_hostile_id_reaches_its_own_endpoint(head_server: DevServer, session_id: str) -> None:
    demo = head_server.demo
    assert demo is not None
    hostile_session(head_server, session_id)
    async with ApiClient(head_server.url) as api:
        await api.login(demo.coach.email, demo.coach.password)
        assert (await api.get_session(session_id)).id == session_id
        with pytest.raises(NotFound):  # "..": not the session list one level up
            await api.get_session("..")


async def test_what_is_sent_for_an_id_with_slashes_and_dots() -> None:
    targets: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        targets.append(head.split(b" ")[1])
        body = b'{"status_code":404,"error":"not_found","message":"Not found"}'
        writer.write(
            b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with ApiClient(f"http://127.0.0.1:{port}", cookie="c" * 22, user_id="u/..") as api:
            for call in (
                api.get_session("x/../../users/u"),
                api.delete_action(".."),
                api.unlink_goal("s?q=1", "g#f"),
                api.session_actions("s"),
                api.get_goal("\ud800x"),
            ):
                with pytest.raises(NotFound):
                    await call
    finally:
        server.close()
        await server.wait_closed()
    assert targets == [
        b"/coaching_sessions/x%2F..%2F..%2Fusers%2Fu",
        b"/actions/%2E%2E",
        b"/coaching_sessions/s%3Fq%3D1/goals/g%23f",
        b"/users/u%2F../actions?scope=sessions&coaching_session_id=s",
        b"/goals/%ED%A0%80x",
    ]


async def test_the_picker_opens_a_session_whatever_its_id(head_server: DevServer) -> None:
    hostile_session(head_server, CONTROLS)
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app))
        picker = await _picker_on(pilot, app, CONTROLS)
        picker.query_one(DataTable).focus()
        await pilot.press("enter")
        await until(pilot, lambda: engine(app).model.session_id == CONTROLS and settled(app))
        assert app.screen is app.session_screen
        assert "went wrong" not in notices(app)


async def test_a_session_that_cannot_be_opened_is_said_in_one_sentence(head_server: DevServer) -> None:
    hostile_session(head_server, CONTROLS)
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app))
        picker = await _picker_on(pilot, app, CONTROLS)
        dev(head_server, "rest/hostile", mode="html", path=f"/coaching_sessions/{CONTROLS}")  # (decoded)
        picker.query_one(DataTable).focus()
        await pilot.press("enter")

        def said() -> list[tuple[str, str]]:
            return [(n.title, n.message) for n in app._notifications]

        await until(pilot, lambda: any(title == "Cannot open that session" for title, _ in said()))
        assert "not JSON" in " ".join(message for _, message in said())  # the reason, in words
        assert isinstance(app.screen, PickerScreen)  # still choosing
        assert engine(app).model.session_id != CONTROLS


async def _picker_on(pilot: Any, app: Any, session_id: str) -> PickerScreen:
    picker = await open_picker(pilot, app)
    table = picker.query_one(DataTable)
    await until(pilot, lambda: session_id in table.rows)
    table.move_cursor(row=table.get_row_index(session_id), animate=False)
    await pilot.pause()
    return picker
