"""Test-only fault controls of the devserver (`--faults`, loopback clients only): scripted /sse
answers, hostile REST bodies, drops, stalls, raw bytes, floods, forced logouts and request stats."""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from coachtui.devserver.notes import (
    COACHEE_CLIENT,
    clear,
    nested_quotes,
    ordered_list,
    paragraph,
    presence_state,
)
from coachtui.loopback import is_loopback_host

if TYPE_CHECKING:
    from coachtui.devserver.backend import Backend


@dataclass
class Faults:
    """Scripted answers for the next requests (tests only)."""

    fail: list[tuple[int, str | None, str, str]] = field(
        default_factory=list
    )  # status, retry-after, ctype, body
    stall: int = 0
    hostile: list[tuple[str, str]] = field(default_factory=list)  # (mode, path prefix) for REST answers
    # Statuses for the next writes, not committed (None: that write goes through).
    fail_mutations: list[int | None] = field(default_factory=list)
    drop_after_commit: int = 0  # the next writes commit (events included), then get no answer
    # The next writes wait until released: "before" anything is done, or "after" they are
    # committed (events sent), their answer held — a save kept in flight as long as a test needs.
    # With a path, the next requests to it (any method, refused ones too: a 401's answer can be
    # kept on its way) are held instead of the next writes.
    holds: list[tuple[str, str | None]] = field(default_factory=list)  # (when, path prefix)
    released: asyncio.Event | None = None
    holding: int = 0  # writes waiting now


MUTATIONS = ("POST", "PUT", "PATCH", "DELETE")
STATUS_TEXT = {403: "FORBIDDEN", 404: "NOT FOUND", 500: "INTERNAL SERVER ERROR", 503: "SERVICE UNAVAILABLE"}


def scripted_mutation_failure(backend: Backend) -> Response | None:
    """The next scripted failure for a write, if any: answered without committing anything."""
    if not backend.faults.fail_mutations:
        return None
    status = backend.faults.fail_mutations.pop(0)
    if status is None:
        return None
    return PlainTextResponse(STATUS_TEXT.get(status, f"HTTP {status}"), status)


def take_hold(backend: Backend, path: str, write: bool) -> tuple[str, asyncio.Event] | None:
    """When this request waits ("before" or "after" it is done), and for what (None: it does not)."""
    faults = backend.faults
    if faults.released is None:
        return None
    for i, (when, prefix) in enumerate(faults.holds):
        if path.startswith(prefix) if prefix is not None else write:
            del faults.holds[i]
            return when, faults.released
    return None


async def held(backend: Backend, hold: tuple[str, asyncio.Event] | None, when: str) -> None:
    if hold is None or hold[0] != when:
        return
    backend.faults.holding += 1
    try:
        await hold[1].wait()
    finally:
        backend.faults.holding -= 1


def take_drop_after_commit(backend: Backend) -> bool:
    if backend.faults.drop_after_commit <= 0:
        return False
    backend.faults.drop_after_commit -= 1
    return True


class _Dropped(ConnectionAbortedError):
    """Raised on purpose to cut a connection; the server's error log leaves it out."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _Dropped))


class DroppedAnswer(Response):
    """The write is committed, then the connection breaks before an answer arrives: headers go
    out promising a body that never comes, and the connection is cut. The client cannot know
    whether its change was saved (the case a retry must reconcile, not repeat)."""

    def __init__(self) -> None:
        super().__init__(b"", 200)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        raise _Dropped("dropped after commit (fault control)")


HOSTILE_BODIES = {
    "html": (200, "text/html", b"<html><body><h1>Welcome to nginx!</h1></body></html>"),
    "truncated": (200, "application/json", b'{"status_code":200,"data":[{"id":"a1","coaching_sess'),
    "shape": (200, "application/json", b'{"status_code":200,"data":{"surprise":true}}'),
    "huge": (200, "application/json", b'{"status_code":200,"data":["' + b"x" * (20 * 1024 * 1024) + b'"]}'),
    "error": (500, "text/plain", b"INTERNAL SERVER ERROR"),
    # an API version refusal whose text would set the terminal's title if printed raw
    "osc": (400, "text/plain", b"unsupported x-version \x1b]0;owned\x07 header \xc2\x9b2J"),
    # JSON nested beyond Python's recursion limit (json.loads raises RecursionError)
    "deep": (200, "application/json", b'{"status_code":200,"data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
}


def take_hostile(backend: Backend, path: str) -> Response | None:
    """The next scripted hostile answer for this path, if any (tests only)."""
    for i, (mode, prefix) in enumerate(backend.faults.hostile):
        if path.startswith(prefix):
            del backend.faults.hostile[i]
            status, ctype, body = HOSTILE_BODIES[mode]
            return Response(body, status, media_type=ctype)
    return None


async def forever() -> Any:
    """A stream that sends headers and then nothing, ever (the 'stall' fault)."""
    await asyncio.Event().wait()
    yield b""  # pragma: no cover


def fault_routes(backend: Backend) -> list[Route]:
    """Test-only controls under /_dev, answered to loopback clients only."""
    quiet = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in quiet.filters):
        quiet.addFilter(_QuietDrops())

    def loopback_only(fn: Callable[[dict[str, Any]], Any]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            host = request.client.host if request.client else ""
            if not is_loopback_host(host):
                return PlainTextResponse("fault controls answer loopback only", 403)
            body: dict[str, Any] = {}
            raw = await request.body()
            if raw:
                body = json.loads(raw)
            result = fn(body)
            if inspect.isawaitable(result):
                result = await result
            return JSONResponse(result)

        return endpoint

    def drop(body: dict[str, Any]) -> Any:
        return {"dropped": backend.broker.drop(body.get("user_id"))}

    def fail(body: dict[str, Any]) -> Any:
        if body.get("clear"):  # let the next connect through (a test's outage is over)
            backend.faults.fail.clear()
            return {"queued": 0}
        for _ in range(int(body.get("count", 1))):
            backend.faults.fail.append(
                (
                    int(body.get("status", 503)),
                    None if body.get("retry_after") is None else str(body["retry_after"]),
                    str(body.get("content_type", "text/plain; charset=utf-8")),
                    str(body.get("body", "")),
                )
            )
        return {"queued": len(backend.faults.fail)}

    def hostile(body: dict[str, Any]) -> Any:
        mode = str(body.get("mode", "html"))
        if mode not in HOSTILE_BODIES:
            return {"error": f"mode is one of {sorted(HOSTILE_BODIES)}"}
        for _ in range(int(body.get("count", 1))):
            backend.faults.hostile.append((mode, str(body.get("path", "/"))))
        return {"queued": len(backend.faults.hostile)}

    def stall(body: dict[str, Any]) -> Any:
        backend.faults.stall += int(body.get("count", 1))
        return {"stall": backend.faults.stall}

    def raw(body: dict[str, Any]) -> Any:
        payload = base64.b64decode(body["b64"]) if "b64" in body else str(body.get("text", "")).encode()
        users = [body["user_id"]] if body.get("user_id") else backend.broker.all_users()
        return {"delivered": backend.broker.send_raw(users, payload)}

    def emit(body: dict[str, Any]) -> Any:
        users = [body["user_id"]] if body.get("user_id") else backend.broker.all_users()
        kind, data = str(body["type"]), dict(body.get("data") or {})
        return {
            "delivered": sum(
                backend.broker.publish(users, kind, data) for _ in range(int(body.get("count", 1)))
            )
        }

    async def notes_control(body: dict[str, Any]) -> Any:
        """The notes server's faults and the other participant's hand: deny the next `deny`
        auths, `drop` every socket, go `silent` (or not), `append` a paragraph to a session's
        notes (or `prepend` one), `delete` the top-level block at an index, or `clear` them, and
        set the coachee's `presence` ("here", "away", "gone"). Hostile peers' hands too:
        `awareness` states as raw text (a list of [client, text]), `nest` blockquotes that deep,
        an `ordered_start` for a list."""
        notes = backend.notes
        done: dict[str, Any] = {}
        if "deny" in body:
            notes.deny_next = int(body["deny"])
        if "silent" in body:
            notes.silent = bool(body["silent"])
        if "token_fail" in body:
            notes.token_failures.extend([int(body["token_fail"])] * int(body.get("count", 1)))
        if body.get("drop"):
            done["dropped"] = await notes.drop_all()
        if body.get("oddities"):
            done["sent"] = await notes.send_oddities()
        session_id = str(body.get("session_id", ""))
        found = backend.store.get("session", session_id) if session_id else None
        document = str((found or {}).get("collab_document_name") or "")
        edits = {
            "append",
            "prepend",
            "delete",
            "presence",
            "paragraphs",
            "awareness",
            "nest",
            "ordered_start",
        }
        if (body.get("clear") or edits & set(body)) and not document:
            return {"error": "no notes document for that session yet (ask for a token first)"}
        if body.get("clear"):
            await notes.edit(document, clear)
        if "append" in body:
            text = str(body["append"])
            await notes.edit(document, lambda fragment: paragraph(fragment, (text, None)))
        if "paragraphs" in body:  # a long document at once (benchmarks): `paragraphs` of them
            count = int(body["paragraphs"])

            def fill(fragment: Any) -> None:
                clear(fragment)
                for n in range(count):
                    paragraph(fragment, (f"p{n:05d}x " + "We talked about delegation and trust. " * 3, None))

            await notes.edit(document, fill)
        if "prepend" in body:
            first = str(body["prepend"])
            await notes.edit(document, lambda fragment: paragraph(fragment, (first, None), at=0))
        if "delete" in body:
            at = int(body["delete"])

            def delete(fragment: Any) -> None:
                del fragment.children[at]

            await notes.edit(document, delete)
        if "presence" in body:
            session = backend.store.get("session", session_id) or {}
            rel = backend.relationship(session["coaching_relationship_id"])
            user = backend.store.get("user", rel["coachee_id"]) or {}
            name = f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()
            state = presence_state(user.get("id", ""), name, "Coachee", str(body["presence"]))
            await notes.set_presence(document, COACHEE_CLIENT, state)
        for client, raw in body.get("awareness", ()):
            await notes.set_presence_raw(document, int(client), str(raw))
        if "nest" in body:
            await notes.edit(document, lambda fragment: nested_quotes(fragment, int(body["nest"])))
        if "ordered_start" in body:
            start = body["ordered_start"]  # (json.loads reads Infinity: what a JS peer can store)
            await notes.edit(document, lambda fragment: ordered_list(fragment, start))
        done["connects"] = notes.connects
        return done

    def force_logout(body: dict[str, Any]) -> Any:
        user_id = str(body["user_id"])
        backend.store.expire_user(user_id)
        sent = backend.broker.publish(
            [user_id], "force_logout", {"reason": str(body.get("reason", "logged out"))}
        )
        return {"delivered": sent}

    def expire(body: dict[str, Any]) -> Any:
        return {"expired": backend.store.expire_user(str(body["user_id"]))}

    def keepalive(body: dict[str, Any]) -> Any:
        backend.broker.keepalive = float(body["seconds"])
        return {"keepalive": backend.broker.keepalive}

    def publish_times(body: dict[str, Any]) -> Any:
        since = int(body.get("since", 0))
        return {"count": backend.broker.events_sent, "times": list(backend.broker.publish_times)[since:]}

    def flood(body: dict[str, Any]) -> Any:
        """`count` action_updated events for one action, spread evenly over `seconds` (load tests)."""
        action = backend.store.get("action", str(body["action_id"]))
        session = backend.store.get("session", action["coaching_session_id"]) if action else None
        if action is None or session is None:
            return {"error": "no such action"}
        rel = backend.relationship(session["coaching_relationship_id"])
        count, seconds = int(body.get("count", 100)), float(body.get("seconds", 1.0))

        async def run() -> None:
            start = asyncio.get_running_loop().time()
            for i in range(count):
                due = start + seconds * i / max(count, 1)
                delay = due - asyncio.get_running_loop().time()
                if delay > 0:
                    await asyncio.sleep(delay)
                update = {**action, "body": f"flood {i}"}
                backend.publish(
                    rel,
                    "action_updated",
                    {"coaching_session_id": session["id"], "action": backend.action_view(update)},
                )

        backend.background.add(asyncio.ensure_future(run()))
        return {"scheduled": count}

    def seed_actions(body: dict[str, Any]) -> Any:
        """Give a session `count` extra actions in one go (large-session benchmarks)."""
        session_id, count = str(body["session_id"]), int(body.get("count", 100))
        rows: list[tuple[dict[str, Any], str | None, str | None]] = []
        for i in range(count):
            doc: dict[str, Any] = {
                "id": str(uuid.uuid4()),
                "coaching_session_id": session_id,
                "goal_id": None,
                "user_id": None,
                "body": f"Bulk action {i}",
                "due_by": None,
                "status": "NotStarted",
                "status_changed_at": None,
                "created_at": None,
                "updated_at": None,
                "assignee_ids": [],
            }
            rows.append((doc, session_id, None))
        backend.store.put_many("action", rows)
        return {"added": count}

    def fail_mutations(body: dict[str, Any]) -> Any:
        """After `after` writes that go through, the next `count` answer `status` and change nothing."""
        queue = backend.faults.fail_mutations
        queue.extend([None] * int(body.get("after", 0)))
        queue.extend([int(body.get("status", 503))] * int(body.get("count", 1)))
        return {"queued": len(backend.faults.fail_mutations)}

    def drop_after_commit(body: dict[str, Any]) -> Any:
        """The next `count` writes are committed (and their events sent), then get no answer."""
        backend.faults.drop_after_commit += int(body.get("count", 1))
        return {"queued": backend.faults.drop_after_commit}

    def hold(body: dict[str, Any]) -> Any:
        """The next `count` writes (or requests to `path`, any method) wait, `when` "before" they
        are done or "after" (their answer held); `{"release": true}` lets every one go on."""
        faults = backend.faults
        if body.get("release", False):
            if faults.released is not None:
                faults.released.set()
            faults.released, faults.holds = None, []
            return {"holding": faults.holding}
        when = str(body.get("when", "before"))
        if when not in ("before", "after"):
            return {"error": 'when is "before" or "after"'}
        faults.released = faults.released or asyncio.Event()
        path = str(body["path"]) if body.get("path") else None
        faults.holds.extend([(when, path)] * int(body.get("count", 1)))
        return {"holding": faults.holding}

    def stats(body: dict[str, Any]) -> Any:
        return {
            "holding": backend.faults.holding,
            "connections": backend.broker.connections(),
            "requests": dict(backend.requests),
            "events_sent": backend.broker.events_sent,
        }

    def reset_stats(body: dict[str, Any]) -> Any:
        backend.requests.clear()
        return {}

    table: dict[str, Callable[[dict[str, Any]], Any]] = {
        "sse/drop": drop,
        "sse/fail": fail,
        "sse/stall": stall,
        "sse/raw": raw,
        "sse/emit": emit,
        "sse/keepalive": keepalive,
        "rest/hostile": hostile,
        "rest/fail_mutations": fail_mutations,
        "rest/drop_after_commit": drop_after_commit,
        "rest/hold": hold,
        "sse/publish_times": publish_times,
        "sse/flood": flood,
        "seed/actions": seed_actions,
        "force_logout": force_logout,
        "notes": notes_control,
        "expire": expire,
        "stats": stats,
        "stats/reset": reset_stats,
    }
    return [Route(f"/_dev/{name}", loopback_only(fn), methods=["POST", "GET"]) for name, fn in table.items()]
