"""The notes side of the devserver: collab tokens as the backend mints them, and a Hocuspocus
server (what TipTap Cloud runs) on a WebSocket, holding one Yjs document per name.

Tokens are HS256 JWTs with the backend's claims (`domain/src/jwt`): `sub` the document name, `aud`
the app id, `allowedDocumentNames` the relationship's wildcard, 24 h. The WebSocket speaks the v2
protocol: Auth → Authenticated or PermissionDenied, Sync Step1/Step2/Update relayed between
clients, awareness relayed and dropped when a socket closes. Fault controls (tests): deny the
next auths, drop every connection, go silent. In the demo a simulated coachee types into the
notes and comes and goes.
"""

from __future__ import annotations

import asyncio
import base64
import fnmatch
import hashlib
import hmac
import json
import logging
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText
from starlette.websockets import WebSocket, WebSocketDisconnect

from coachtui import lib0

log = logging.getLogger(__name__)

APP_ID = "coachtui-dev"  # the `aud`: a real one names the TipTap app (wss://{aud}.collab.tiptap.cloud)
TOKEN_TTL = 86400
ISSUER = "https://refactorcoach.com"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def document_name(org_slug: str, rel_slug: str, session_id: str) -> str:
    return f"{org_slug}.{rel_slug}.{session_id}-v0"


class Tokens:
    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = secret or secrets.token_bytes(32)

    def mint(self, document: str, wildcard: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "exp": int(now + TOKEN_TTL),
            "iat": int(now),
            "ndf": int(now),  # (sic: the backend's typo for nbf)
            "iss": ISSUER,
            "sub": document,
            "aud": APP_ID,
            "allowedDocumentNames": [wildcard],
        }
        signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = hmac.new(self.secret, signing.encode(), hashlib.sha256).digest()
        return f"{signing}.{_b64(signature)}"

    def allows(self, token: str, document: str) -> bool:
        try:
            head, body, signature = token.split(".")
            expected = hmac.new(self.secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(signature)):
                return False
            claims = json.loads(_unb64(body))
        except (ValueError, TypeError):
            return False
        if not isinstance(claims, dict) or claims.get("exp", 0) < time.time():
            return False
        allowed = claims.get("allowedDocumentNames")
        return isinstance(allowed, list) and any(
            isinstance(pattern, str) and fnmatch.fnmatchcase(document, pattern) for pattern in allowed
        )


@dataclass
class _Conn:
    ws: WebSocket
    documents: set[str] = field(default_factory=set)  # authenticated for
    clients: dict[str, set[int]] = field(default_factory=dict)  # awareness client ids, per document
    queued: list[bytes] = field(default_factory=list)  # frames before Auth succeeded


@dataclass
class _Room:
    doc: Doc[Any]
    awareness: dict[int, tuple[int, str]] = field(default_factory=dict)  # client → (clock, JSON)
    conns: list[_Conn] = field(default_factory=list)


class NotesHub:
    """Every notes document the devserver holds, and the sockets following them."""

    def __init__(
        self, tokens: Tokens, seed_document: Callable[[str, XmlFragment], None] | None = None
    ) -> None:
        self.tokens = tokens
        self.seed_document = seed_document
        self.rooms: dict[str, _Room] = {}
        self.conns: list[_Conn] = []
        # Fault controls.
        self.deny_next = 0
        self.token_failures: list[int] = []  # statuses the next token requests answer
        self.silent = False
        self.connects = 0
        self.pongs = 0  # answers to our Ping (send_oddities)
        # The demo's simulated coachee, started on a room's first reader (on the server's loop).
        self.activity: Callable[[NotesHub, str], Any] | None = None
        self._active: dict[str, asyncio.Future[Any]] = {}

    def room(self, name: str) -> _Room:
        room = self.rooms.get(name)
        if room is None:
            doc: Doc[Any] = Doc()
            fragment = doc.get("default", type=XmlFragment)
            if self.seed_document is not None:  # (by document name: each session its own notes)
                self.seed_document(name, fragment)
            room = self.rooms[name] = _Room(doc)
        return room

    # -- the socket ----------------------------------------------------------------------------

    async def serve(self, ws: WebSocket) -> None:
        await ws.accept()
        conn = _Conn(ws)
        self.conns.append(conn)
        self.connects += 1
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = message.get("bytes")
                if data is None or self.silent:
                    continue  # text frames mean nothing here; a silent server answers nothing
                await self._handle(conn, data)
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            self.conns.remove(conn)
            await self._gone(conn)

    async def _send(self, conn: _Conn, data: bytes) -> None:
        try:
            await conn.ws.send_bytes(data)
        except (RuntimeError, OSError, WebSocketDisconnect):
            pass  # closing: its own loop cleans up

    async def _handle(self, conn: _Conn, data: bytes) -> None:
        if data == lib0.PONG:
            self.pongs += 1
            return
        try:
            frame = lib0.parse(data)
        except lib0.Malformed:
            return
        if frame is None:
            await self._send(conn, lib0.PONG)
            return
        name, body = frame.document, frame.body
        try:
            if frame.kind == lib0.MessageType.AUTH:
                body.var_uint()
                token = body.var_string()
                if self.deny_next > 0 or not self.tokens.allows(token, name):
                    self.deny_next = max(self.deny_next - 1, 0)
                    reply = lib0.var_uint(lib0.AuthReply.PERMISSION_DENIED) + lib0.var_string(
                        "permission-denied"
                    )
                    await self._send(conn, lib0.frame(name, lib0.MessageType.AUTH, reply))
                    return
                conn.documents.add(name)
                room = self.room(name)
                if self.activity is not None and name not in self._active:
                    self._active[name] = asyncio.ensure_future(self.activity(self, name))
                room.conns.append(conn)
                granted = lib0.var_uint(lib0.AuthReply.AUTHENTICATED) + lib0.var_string("read-write")
                await self._send(conn, lib0.frame(name, lib0.MessageType.AUTH, granted))
                if room.awareness:
                    states = [(c, clock, state) for c, (clock, state) in room.awareness.items()]
                    await self._send(conn, lib0.awareness(name, lib0.awareness_update(states)))
                queued, conn.queued = conn.queued, []
                for earlier in queued:
                    await self._handle(conn, earlier)
                return
            if name not in conn.documents:
                conn.queued.append(data)  # as Hocuspocus does: held until the auth succeeds
                return
            room = self.room(name)
            if frame.kind == lib0.MessageType.SYNC:
                step, payload = body.var_uint(), body.var_bytes()
                if step == lib0.SyncStep.STEP1:
                    await self._send(conn, lib0.sync(name, lib0.SyncStep.STEP1, room.doc.get_state()))
                    await self._send(conn, lib0.sync(name, lib0.SyncStep.STEP2, room.doc.get_update(payload)))
                else:
                    before = room.doc.get_state()
                    room.doc.apply_update(payload)
                    status = lib0.frame(name, lib0.MessageType.SYNC_STATUS, lib0.var_int(1))
                    await self._send(conn, status)
                    if room.doc.get_state() != before:
                        await self._broadcast(room, name, room.doc.get_update(before), skip=conn)
            elif frame.kind == lib0.MessageType.AWARENESS:
                raw = body.var_bytes()
                for client, clock, state in lib0.read_awareness_update(raw):
                    conn.clients.setdefault(name, set()).add(client)
                    if state == "null":
                        room.awareness.pop(client, None)
                    else:
                        room.awareness[client] = (clock, state)
                for other in list(room.conns):
                    if other is not conn:
                        await self._send(other, lib0.awareness(name, raw))
        except lib0.Malformed:
            return

    async def _broadcast(self, room: _Room, name: str, update: bytes, skip: _Conn | None = None) -> None:
        frame = lib0.sync(name, lib0.SyncStep.UPDATE, update)
        for conn in list(room.conns):
            if conn is not skip:
                await self._send(conn, frame)

    async def _gone(self, conn: _Conn) -> None:
        """A socket closed: its awareness states go, and the others hear it."""
        for name, clients in conn.clients.items():
            room = self.rooms.get(name)
            if room is None:
                continue
            removed = [(c, room.awareness.pop(c)[0] + 1, "null") for c in clients if c in room.awareness]
            if removed:
                update = lib0.awareness(name, lib0.awareness_update(removed))
                for other in list(room.conns):
                    if other is not conn:
                        await self._send(other, update)
        for room in self.rooms.values():
            if conn in room.conns:
                room.conns.remove(conn)

    # -- server-side changes (the demo's coachee, test controls) ----------------------------------

    async def edit(self, name: str, change: Callable[[XmlFragment], object]) -> None:
        """Change the document as a remote browser would, and send the update to every reader."""
        room = self.room(name)
        before = room.doc.get_state()
        change(room.doc.get("default", type=XmlFragment))
        await self._broadcast(room, name, room.doc.get_update(before))

    async def set_presence(self, name: str, client: int, state: dict[str, Any] | None) -> None:
        """An awareness state as another browser's (None: it left)."""
        await self.set_presence_raw(name, client, json.dumps(state) if state is not None else "null")

    async def set_presence_raw(self, name: str, client: int, raw: str) -> None:
        """An awareness state as sent, any text at all (what a hostile peer can announce)."""
        room = self.room(name)
        clock = room.awareness.get(client, (0, ""))[0] + 1
        state = None if raw == "null" else raw
        if state is None:
            room.awareness.pop(client, None)
        else:
            room.awareness[client] = (clock, raw)
        update = lib0.awareness(name, lib0.awareness_update([(client, clock, raw)]))
        for conn in list(room.conns):
            await self._send(conn, update)

    async def send_oddities(self) -> int:
        """What a v4 server or TipTap Cloud may send besides the basics: the connection-level
        Ping (a reader answers 0x0a: counted in `pongs`), Stateless, SyncStatus, an unknown type,
        and a frame for another document."""
        sent = 0
        for conn in list(self.conns):
            for name in conn.documents:
                for frame in (
                    lib0.PING,
                    lib0.frame(
                        name, lib0.MessageType.STATELESS, lib0.var_string('{"action":"version.created"}')
                    ),
                    lib0.frame(name, lib0.MessageType.SYNC_STATUS, lib0.var_int(1)),
                    lib0.frame(name, 42, b"\x01\x02"),  # type: ignore[arg-type]
                    lib0.frame("another.document", lib0.MessageType.SYNC, b"\xff"),
                ):
                    await self._send(conn, frame)
                    sent += 1
        return sent

    async def drop_all(self) -> int:
        dropped = 0
        for conn in list(self.conns):
            try:
                await conn.ws.close(code=1012)
                dropped += 1
            except RuntimeError:
                pass
        return dropped


# -- the demo's notes ------------------------------------------------------------------------


Run = tuple[str, dict[str, Any] | None]  # text and its marks


def paragraph(
    parent: XmlFragment | XmlElement, *parts: Run, tag: str = "paragraph", at: int | None = None, **attrs: Any
) -> XmlElement:
    """Append (or insert `at`) a block holding formatted text runs; returns it."""
    if at is None:
        element = parent.children.append(XmlElement(tag, dict(attrs)))
    else:
        parent.children.insert(at, XmlElement(tag, dict(attrs)))
        found = parent.children[at]
        assert isinstance(found, XmlElement)
        element = found
    text = element.children.append(XmlText())
    offset = 0
    for run, marks in parts:
        text.insert(offset, run, marks)
        offset += len(run.encode("utf-8"))  # pycrdt 0.14 counts UTF-8 bytes (notes-protocol.md §3)
    return element


def list_block(
    parent: XmlFragment | XmlElement,
    tag: str,
    items: list[str],
    *,
    item: str = "listItem",
    checked: list[bool] | None = None,
    **attrs: Any,
) -> XmlElement:
    block = parent.children.append(XmlElement(tag, dict(attrs)))
    for n, words in enumerate(items):
        item_attrs: dict[str, Any] = {"checked": checked[n]} if checked is not None else {}
        element = block.children.append(XmlElement(item, item_attrs))
        paragraph(element, (words, None))
    return block


def demo_notes(fragment: XmlFragment) -> None:
    """What a coach and a coachee would have written together by the middle of a session."""
    paragraph(fragment, ("Session notes", None), tag="heading", level=1)
    paragraph(
        fragment,
        ("Jordan wants to ", None),
        ("delegate more", {"bold": {}}),
        (" without losing sight of quality. We agreed to ", None),
        ("start small", {"italic": {}}),
        (" and review in two weeks.", None),
    )
    paragraph(fragment, ("What is on Jordan's plate", None), tag="heading", level=2)
    bullets = list_block(fragment, "bulletList", ["Platform roadmap for Q1", "Hiring loop redesign (paused)"])
    first = bullets.children[0]
    assert isinstance(first, XmlElement)
    list_block(first, "bulletList", ["Two senior engineers could own parts of it"])
    paragraph(fragment, ("Next steps", None), tag="heading", level=2)
    list_block(
        fragment,
        "taskList",
        ["Draft the delegation plan", "Book the skip-levels", "Share the roadmap summary"],
        item="taskItem",
        checked=[False, False, True],
    )
    quote = fragment.children.append(XmlElement("blockquote"))
    paragraph(
        quote, ("“I keep the ", None), ("hard", {"strike": {}}), (" interesting parts for myself.”", None)
    )
    paragraph(
        fragment,
        ("Reading: ", None),
        ("Situational leadership", {"link": {"href": "https://example.com/situational"}}),
        (" — and ", None),
        ("the one-pager", {"highlight": {}}),
        (" in ", None),
        ("docs/roadmap.md", {"code": {}}),
        (".", None),
    )
    fragment.children.append(XmlElement("horizontalRule"))


def kickoff_notes(fragment: XmlFragment) -> None:
    """The first session's notes (two weeks ago)."""
    paragraph(fragment, ("Kick-off", None), tag="heading", level=1)
    paragraph(
        fragment,
        ("Jordan leads a team of eight since the summer and wants to ", None),
        ("stop being the bottleneck", {"bold": {}}),
        (".", None),
    )
    list_block(fragment, "bulletList", ["Too many reviews land on Jordan", "Roadmap work waits for evenings"])
    list_block(fragment, "taskList", ["List what only Jordan can do"], item="taskItem", checked=[True])


def checkin_notes(fragment: XmlFragment) -> None:
    """Last week's check-in."""
    paragraph(fragment, ("Delegation check-in", None), tag="heading", level=1)
    paragraph(fragment, ("Priya took the on-call rota; it went well. Reviews are still Jordan's.", None))
    list_block(
        fragment,
        "taskList",
        ["Ask two peers for feedback", "Draft the delegation plan"],
        item="taskItem",
        checked=[True, False],
    )


def demo_seeds(sessions: dict[str, Callable[[XmlFragment], None]]) -> Callable[[str, XmlFragment], None]:
    """Each demo session's own notes, by session id (a document name ends with `{id}-v0`);
    the others start empty, as a new session's do."""

    def seed(name: str, fragment: XmlFragment) -> None:
        for session_id, notes in sessions.items():
            if name.endswith(f"{session_id}-v0"):
                notes(fragment)
                return

    return seed


COACHEE_CLIENT = 424242  # the awareness client id of the demo's (and the tests') simulated coachee


def nested_quotes(fragment: XmlFragment, depth: int) -> None:
    """A paragraph inside `depth` blockquotes (a hostile document: thousands deep)."""
    parent: XmlFragment | XmlElement = fragment
    for _ in range(depth):
        parent = parent.children.append(XmlElement("blockquote"))
    paragraph(parent, ("deep inside", None))


def ordered_list(fragment: XmlFragment, start: Any) -> None:
    """An ordered list starting at `start`, whatever that is (Infinity, a string)."""
    listing = fragment.children.append(XmlElement("orderedList", {"start": start}))
    paragraph(listing.children.append(XmlElement("listItem")), ("first item", None))


def clear(fragment: XmlFragment) -> None:
    while len(fragment.children):
        del fragment.children[0]


def presence_state(user_id: str, name: str, role: str, mode: str) -> dict[str, Any] | None:
    """The web app's `presence` field (src/types/presence.ts) for "here" or "away"; None: gone."""
    if mode == "gone":
        return None
    here = mode == "here"
    return {
        "presence": {
            "userId": user_id,
            "name": name,
            "relationshipRole": role,
            "color": "#10B981",
            "isConnected": here,
            "status": "connected" if here else "disconnected",
            "lastSeen": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    }


WORDS = (
    "Jordan will ask Priya to own the on-call rota from January. "
    "Avery suggested a weekly fifteen-minute check-in instead of reviewing every pull request. "
    "Open question: who decides when a delegated task is done? "
    "Jordan noticed the urge to step in when things slip; we named it and agreed to wait a day first."
).split(" ")


async def simulate_typing(
    hub: NotesHub, name: str, user_id: str, user_name: str, *, pace: float = 0.6
) -> None:
    """The demo's coachee in the notes: types a sentence a word at a time under "Live", ticks a
    task now and then, and leaves and comes back (presence)."""
    rng = random.Random(7)
    await hub.set_presence(name, COACHEE_CLIENT, presence_state(user_id, user_name, "Coachee", "here"))
    await hub.edit(name, lambda f: paragraph(f, ("Live", None), tag="heading", level=2))
    await hub.edit(name, lambda f: paragraph(f, ("", None)))
    step = 0
    while True:
        await asyncio.sleep(pace)
        step += 1
        word = WORDS[(step - 1) % len(WORDS)] + " "
        if step % 90 == 60:  # away for a while, then back
            await hub.set_presence(
                name, COACHEE_CLIENT, presence_state(user_id, user_name, "Coachee", "away")
            )
            await asyncio.sleep(20 * pace)
            await hub.set_presence(
                name, COACHEE_CLIENT, presence_state(user_id, user_name, "Coachee", "here")
            )
        elif step % 15 == 0:
            await hub.edit(name, lambda f: paragraph(f, ("", None)))  # a new paragraph
        elif step % 37 == 0:
            await hub.edit(name, lambda f: _toggle_a_task(f, rng.random()))
        else:
            await hub.edit(name, partial(_type, word=word))
        if step % 10 == 0:  # renewed as a browser does, so it never expires
            await hub.set_presence(
                name, COACHEE_CLIENT, presence_state(user_id, user_name, "Coachee", "here")
            )


def _type(fragment: XmlFragment, word: str) -> None:
    last = fragment.children[len(fragment.children) - 1]
    if not isinstance(last, XmlElement) or last.tag != "paragraph":
        return
    if not len(last.children):
        last.children.append(XmlText())
    text = last.children[0]
    if isinstance(text, XmlText):
        text.insert(len(text), word)


def _toggle_a_task(fragment: XmlFragment, pick: float) -> None:
    for child in fragment.children:
        if isinstance(child, XmlElement) and child.tag == "taskList" and len(child.children):
            items = list(child.children)
            item = items[int(pick * len(items)) % len(items)]
            if isinstance(item, XmlElement):
                item.attributes["checked"] = not bool(item.attributes.get("checked"))
            return
