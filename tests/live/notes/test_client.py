"""The notes client against the devserver's notes server, over real WebSockets on loopback: sync
and live edits, presence both ways, invisible, denial, drops, a silent server, no notes at all —
and proof that it writes only what it is asked to, and that changes made while away arrive."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets
from pycrdt import XmlFragment
from websockets.asyncio.server import ServerConnection

from coachtui import lib0
from coachtui.api.client import ApiClient
from coachtui.devserver.server import DevServer
from coachtui.live.backoff import Backoff
from coachtui.live.notes.blocks import blocks
from coachtui.live.notes.client import NotesConnection
from coachtui.live.notes.compose import parse
from coachtui.live.notes.document import render
from coachtui.live.notes.presence import Here
from coachtui.live.notes.reports import Me, NotesObserver
from coachtui.live.notes.schema import problems
from coachtui.live.status import ConnectionStatus, ConnState
from tests.conftest import ServerFactory, dev
from tests.waiting import wait_for


class Seen(NotesObserver):
    def __init__(self) -> None:
        self.statuses: list[ConnectionStatus] = []
        self.changes = 0
        self.presence = 0
        self.unsent: list[int] = []

    def notes_status(self, status: ConnectionStatus) -> None:
        self.statuses.append(status)

    def notes_changed(self) -> None:
        self.changes += 1

    def presence_changed(self) -> None:
        self.presence += 1

    def notes_unsent(self, count: int) -> None:
        self.unsent.append(count)


def state_vector_clients(vector: bytes) -> set[int]:
    reader = lib0.Reader(vector)
    found = set()
    for _ in range(reader.var_uint()):
        found.add(reader.var_uint())
        reader.var_uint()
    return found


@asynccontextmanager
async def notes(
    server: DevServer, session_id: str | None = None, **options: Any
) -> AsyncIterator[tuple[NotesConnection, Seen]]:
    demo = server.demo
    assert demo is not None
    api = ApiClient(server.url)
    await api.login(demo.coach.email, demo.coach.password)
    seen = Seen()
    options.setdefault("backoff", Backoff(base=0.05, cap=0.2))
    options.setdefault("url", server.url.replace("http://", "ws://") + "/collab")
    connection = NotesConnection(
        api,
        session_id or demo.today_session_id,
        seen,
        me=lambda: Me(demo.coach.user_id, demo.coach.name, "Coach"),
        **options,
    )
    task = asyncio.ensure_future(connection.run())
    try:
        yield connection, seen
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await api.aclose()


def connected(connection: NotesConnection) -> bool:
    return connection.status.state is ConnState.CONNECTED


async def test_each_demo_session_has_notes_of_its_own(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    past, last, today = demo.session_ids
    expected = {
        today: "Session notes",
        last: "Delegation check-in",
        past: "Kick-off",
        demo.other_session_id: None,
    }
    for session_id, title in expected.items():
        async with notes(head_server, session_id) as (connection, _):
            await wait_for(lambda: connected(connection) and connection.synced)
            shown = render(connection.fragment)
            assert (shown[0].plain if shown else None) == title


async def test_sync_then_live_edits_and_it_writes_only_what_it_is_asked(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with notes(head_server) as (connection, seen):
        await wait_for(lambda: connected(connection))
        assert render(connection.fragment)[0].plain == "Session notes"
        dev(head_server, "notes", session_id=demo.today_session_id, append="Jordan: één idee 😀")
        await wait_for(lambda: render(connection.fragment)[-1].plain == "Jordan: één idee 😀")
        assert seen.changes >= 2
        # Proof that it wrote nothing unasked: its client id is not in the document's state
        # vector, on its side nor on the server's.
        room = head_server.backend.notes.rooms[connection.document_name or ""]
        served = room.doc.get("default", type=XmlFragment)
        assert connection.doc.client_id not in state_vector_clients(connection.doc.get_state())
        assert connection.doc.client_id not in state_vector_clients(room.doc.get_state())
        assert connection.unsent == 0 and seen.unsent == []
        # Asked: exactly that arrives, and is acknowledged.
        last = blocks(connection.fragment)[-1]
        connection.writer.insert_after(last, parse("[ ] Send the recap"))
        assert connection.unsent == 1
        await wait_for(lambda: render(served)[-1].plain == "☐ Send the recap")
        await wait_for(lambda: connection.unsent == 0)
        assert seen.unsent == [1, 0]
        assert problems(served) == []
        assert [line.plain for line in render(served)] == [line.plain for line in render(connection.fragment)]


async def test_changes_made_while_away_arrive_after_the_reconnect(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with notes(head_server) as (connection, seen):
        await wait_for(lambda: connected(connection))
        room = head_server.backend.notes.rooms[connection.document_name or ""]
        served = room.doc.get("default", type=XmlFragment)
        doc = connection.doc
        dev(head_server, "notes", deny=2, drop=True)  # dropped, then refused twice: away a while
        await wait_for(lambda: connection.status.state is ConnState.RECONNECTING)
        # Away: the changes stay in the document, counted as not sent.
        connection.writer.insert_after(blocks(connection.fragment)[-1], parse("Written offline"))
        connection.writer.edit(blocks(connection.fragment)[0], "Session notes (coach)")
        assert connection.unsent == 2 and seen.unsent[-1] == 2
        dev(head_server, "notes", session_id=demo.today_session_id, append="Written by the coachee meanwhile")
        await wait_for(lambda: connected(connection))
        await wait_for(lambda: connection.unsent == 0)
        # Both at the end, concurrently: Yjs orders them by client id, the same on every side.
        both = {"Written offline", "Written by the coachee meanwhile"}
        await wait_for(lambda: both <= {line.plain for line in render(connection.fragment)})
        shown = [line.plain for line in render(served)]
        assert shown[0] == "Session notes (coach)" and both <= set(shown)
        assert shown == [line.plain for line in render(connection.fragment)]
        assert connection.doc is doc and problems(served) == []


async def test_presence_both_ways_as_the_web_app_shapes_it(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with notes(head_server) as (connection, _):
        await wait_for(lambda: connected(connection))
        room = head_server.backend.notes.rooms[connection.document_name or ""]
        await wait_for(lambda: connection.doc.client_id in room.awareness)
        ours = json.loads(room.awareness[connection.doc.client_id][1])["presence"]
        assert set(ours) == {
            "userId",
            "name",
            "relationshipRole",
            "color",
            "isConnected",
            "status",
            "lastSeen",
        }
        assert (ours["userId"], ours["relationshipRole"], ours["status"]) == (
            demo.coach.user_id,
            "Coach",
            "connected",
        )
        assert connection.roster.by_role()["Coachee"].state is Here.UNKNOWN
        dev(head_server, "notes", session_id=demo.today_session_id, presence="here")
        await wait_for(lambda: connection.roster.by_role()["Coachee"].state is Here.HERE)
        dev(head_server, "notes", session_id=demo.today_session_id, presence="away")
        await wait_for(lambda: connection.roster.by_role()["Coachee"].state is Here.AWAY)
        assert connection.roster.by_role()["Coachee"].describe().startswith("away since ")
        dev(head_server, "notes", session_id=demo.today_session_id, presence="gone")
        await wait_for(lambda: connection.roster.by_role()["Coachee"].state is Here.AWAY)


async def test_invisible_announces_no_presence(head_server: DevServer) -> None:
    async with notes(head_server, invisible=True) as (connection, _):
        await wait_for(lambda: connected(connection))
        room = head_server.backend.notes.rooms[connection.document_name or ""]
        await wait_for(lambda: connection.doc.client_id in room.awareness)
        assert room.awareness[connection.doc.client_id][1] == "{}"  # there for the protocol only


async def test_a_denied_token_is_fetched_again_and_three_denials_stop_until_r(head_server: DevServer) -> None:
    dev(head_server, "notes", deny=1)
    async with notes(head_server) as (connection, seen):
        await wait_for(lambda: connected(connection))
        assert any(
            "refused the token" in (s.last_error.message if s.last_error else "") for s in seen.statuses
        )
        requests = head_server.backend.requests["GET /jwt/generate_collab_token"]
        assert requests == 2  # a new token after the denial
        dev(head_server, "notes", deny=3, drop=True)
        await wait_for(lambda: connection.status.state is ConnState.ERROR)
        assert connection.status.hint == "r tries again"
        await asyncio.sleep(0.3)  # not a wait: time for a retry that must not come
        assert connection.status.state is ConnState.ERROR  # no loop against a server that says no
        connection.retry_now()
        await wait_for(lambda: connected(connection))


async def test_a_dropped_connection_comes_back_with_the_same_document(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with notes(head_server) as (connection, _):
        await wait_for(lambda: connected(connection))
        doc = connection.doc
        dev(head_server, "notes", drop=True)
        await wait_for(lambda: connection.status.state is ConnState.RECONNECTING)
        dev(head_server, "notes", session_id=demo.today_session_id, append="Written while away")
        await wait_for(lambda: connected(connection))
        await wait_for(lambda: render(connection.fragment)[-1].plain == "Written while away")
        assert connection.doc is doc


async def test_a_silent_server_is_noticed_and_left(make_server: ServerFactory) -> None:
    # Silent: the socket stays open and WebSocket pings are answered (by the server's library),
    # but the protocol says nothing — not even to our state vector, sent with each renewal.
    server = make_server("head")
    async with notes(server, renew_every=0.1, silence=0.5) as (connection, seen):
        await wait_for(lambda: connected(connection))
        await asyncio.sleep(1.0)  # not a wait: twice the silence limit passes, with the document quiet
        assert connected(connection)  # a quiet document is not a silent server
        dev(server, "notes", silent=True)
        await wait_for(lambda: connection.status.state is ConnState.RECONNECTING)
        assert any(
            s.last_error and s.last_error.message == "the notes server went silent" for s in seen.statuses
        )
        dev(server, "notes", silent=False)
        await wait_for(lambda: connected(connection))


async def test_no_notes_on_this_server_says_unavailable_once(head_server: DevServer) -> None:
    dev(head_server, "notes", token_fail=500, count=3)
    async with notes(head_server, token_retry=0.01) as (connection, seen):
        await wait_for(lambda: connected(connection))  # the document came: retried, then fine
        assert head_server.backend.requests["GET /jwt/generate_collab_token"] == 4
    dev(head_server, "notes", token_fail=404, count=10)
    async with notes(head_server, token_retry=0.01) as (connection, seen):
        await wait_for(lambda: connection.status.state is ConnState.ERROR)
        error = connection.status.last_error
        assert (
            error is not None
            and error.message == "Notes unavailable: this server has no shared notes for the session."
        )
        assert all("eyJ" not in (s.last_error.message if s.last_error else "") for s in seen.statuses)


async def test_pings_stateless_sync_status_and_unknown_frames_are_tolerated(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with notes(head_server) as (connection, seen):
        await wait_for(lambda: connected(connection))
        statuses = len(seen.statuses)
        assert dev(head_server, "notes", oddities=True)["sent"] == 5
        await wait_for(lambda: head_server.backend.notes.pongs == 1)  # the Ping was answered
        dev(head_server, "notes", session_id=demo.today_session_id, append="Still following")
        await wait_for(lambda: render(connection.fragment)[-1].plain == "Still following")
        assert connected(connection) and len(seen.statuses) == statuses  # no reconnect, no error


async def test_a_server_that_accepts_and_closes_is_retried_with_a_growing_wait(
    head_server: DevServer,
) -> None:
    """Only a connection that synced starts the backoff over (TipTap limits connections per
    address: a server that closes at once must not be knocked on every second)."""
    accepted = 0

    async def close_at_once(ws: ServerConnection) -> None:
        nonlocal accepted
        accepted += 1
        for _ in range(3):  # auth, our state vector, our presence: heard, then a clean close
            await ws.recv()
        await ws.close()

    async with websockets.serve(close_at_once, "127.0.0.1", 0) as closer:
        port = closer.sockets[0].getsockname()[1]
        async with notes(head_server, url=f"ws://127.0.0.1:{port}") as (connection, seen):
            await wait_for(lambda: accepted >= 4)
            attempts = [s.attempt for s in seen.statuses if s.state is ConnState.RECONNECTING]
            assert max(attempts) >= 3, attempts  # the wait grows: attempt 1, 2, 3…
            assert not connection.synced
