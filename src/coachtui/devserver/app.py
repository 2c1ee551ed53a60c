"""HTTP surface of the devserver (Starlette): the real backend's routes, texts and envelopes."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from coachtui.devserver.backend import (
    FORBIDDEN,
    NOT_FOUND,
    Backend,
    HttpError,
    JsonError,
)
from coachtui.loopback import is_loopback_host

API_VERSION = "1.0.0-beta1"
Handler = Callable[["Ctx"], Awaitable[Any]]


class Ctx:
    """One request: who is calling, and its parsed inputs."""

    def __init__(self, request: Request, backend: Backend, user_id: str | None, token: str | None) -> None:
        self.request = request
        self.backend = backend
        self.user_id = user_id or ""
        self.token = token

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str, *, required: bool = False) -> str | None:
        value = self.request.query_params.get(name)
        if required and value is None:
            raise HttpError(400, f"Failed to deserialize query string: missing field `{name}`")
        return value

    def query_date(self, name: str) -> dt.date | None:
        value = self.query(name)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise HttpError(
                400, f"Failed to deserialize query string: {name}: input contains invalid characters"
            ) from None

    async def json(self) -> dict[str, Any]:
        ctype = self.request.headers.get("content-type", "")
        if not ctype.startswith("application/json"):
            raise HttpError(415, "Expected request with `Content-Type: application/json`")
        try:
            body = json.loads(await self.request.body())
        except ValueError as exc:
            raise HttpError(400, f"Failed to parse the request body as JSON: {exc}") from None
        if not isinstance(body, dict):
            raise HttpError(422, "Failed to deserialize the JSON body into the target type: invalid type")
        return body


def envelope(data: Any, status_code: int = 200) -> JSONResponse:
    """HTTP 200 always; the envelope carries 201/204 (the real backend's quirk)."""
    return JSONResponse({"status_code": status_code, "data": data})


def set_session_cookie(response: Response, token: str, ttl: float) -> None:
    response.headers.append("set-cookie", f"id={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={int(ttl)}")


def remove_session_cookie(response: Response) -> None:
    response.headers.append("set-cookie", "id=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")


def build_app(backend: Backend, *, faults: bool = False) -> Starlette:
    routes: list[Route] = []

    def route(
        path: str, methods: list[str], *, auth: bool = True, versioned: bool = True
    ) -> Callable[[Handler], Handler]:
        def wrap(fn: Handler) -> Handler:
            async def endpoint(request: Request) -> Response:
                key = f"{request.method} {path}"
                backend.requests[key] = backend.requests.get(key, 0) + 1
                token = request.cookies.get("id")
                user_id = backend.store.touch_auth(token, backend.session_ttl) if token else None
                if auth and user_id is None:
                    response: Response = PlainTextResponse("Unauthorized", 401)
                    if token:
                        remove_session_cookie(response)
                    return response
                hostile = _take_hostile(backend, request.url.path)
                if hostile is not None:
                    return hostile
                try:
                    if versioned:
                        raw = request.headers.get("x-version")
                        if raw is None:
                            raise HttpError(400, "`x-version` header is missing")
                        if raw.strip().strip('"') != API_VERSION:
                            raise HttpError(400, "`x-version` header is not a valid API version")
                    result = await fn(Ctx(request, backend, user_id, token))
                    response = result if isinstance(result, Response) else envelope(result)
                except HttpError as exc:
                    response = PlainTextResponse(exc.text, exc.status)
                except JsonError as exc:
                    response = JSONResponse(exc.body, exc.status)
                if user_id and token and response.status_code < 500 and request.url.path != "/delete":
                    set_session_cookie(response, token, backend.session_ttl)
                return response

            routes.append(Route(path, endpoint, methods=methods))
            return fn

        return wrap

    # -- auth and plumbing ------------------------------------------------------------------

    @route("/health", ["GET"], auth=False, versioned=False)
    async def health(ctx: Ctx) -> Response:
        return PlainTextResponse("healthy")

    @route("/login", ["POST"], auth=False, versioned=False)
    async def login(ctx: Ctx) -> Response:
        ctype = ctx.request.headers.get("content-type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            raise HttpError(415, "Form requests must have `Content-Type: application/x-www-form-urlencoded`")
        form = parse_qs((await ctx.request.body()).decode("utf-8", "replace"))
        email = form.get("email", [None])[0]
        password = form.get("password", [None])[0]
        if email is None or password is None:
            raise HttpError(422, "Failed to deserialize form body: missing field `email` or `password`")
        user, token = backend.login(email, password)
        response = envelope(user)
        set_session_cookie(response, token, backend.session_ttl)
        return response

    @route("/delete", ["DELETE"], versioned=False)
    async def logout(ctx: Ctx) -> Response:
        if ctx.token:
            backend.store.close_auth(ctx.token)
        response = Response(b"", 200)
        remove_session_cookie(response)
        return response

    @route("/sse", ["GET"], versioned=False)
    async def sse(ctx: Ctx) -> Response:
        if backend.faults.fail:
            status, retry_after, ctype, body = backend.faults.fail.pop(0)
            response = Response(body.encode(), status, media_type=ctype)
            if retry_after is not None:
                response.headers["retry-after"] = retry_after
            return response
        conn = backend.broker.register(ctx.user_id)
        if backend.faults.stall > 0:
            backend.faults.stall -= 1
            backend.broker.unregister(conn)
            return EventSourceResponse(_forever(), ping=0, sep="\n", headers={"Cache-Control": "no-cache"})
        return EventSourceResponse(
            backend.broker.stream(conn), ping=0, sep="\n", headers={"Cache-Control": "no-cache"}
        )

    # -- users and relationships ------------------------------------------------------------

    def self_only(ctx: Ctx) -> str:
        uid = ctx.param("uid")
        if uid != ctx.user_id:
            raise backend.deny()
        return uid

    @route("/users/{uid}/coaching_sessions", ["GET"])
    async def user_sessions(ctx: Ctx) -> Any:
        me = self_only(ctx)
        include = {p.strip() for p in (ctx.query("include") or "").split(",") if p.strip()}
        rows = backend.sessions_for_user(me, ctx.query_date("from_date"), ctx.query_date("to_date"))
        if ctx.query("sort_by") == "date" or ctx.query("sort_order"):
            rows.sort(key=lambda s: s["date"], reverse=ctx.query("sort_order") == "desc")
        return [backend.enriched(s, include) for s in rows]

    @route("/users/{uid}/organizations", ["GET"])
    async def user_organizations(ctx: Ctx) -> Any:
        me = self_only(ctx)
        org_ids = {
            r["organization_id"] for r in backend.store.list("relationship") if me in backend.participants(r)
        }
        return [o for o in backend.store.list("organization") if o["id"] in org_ids]

    @route("/users/{uid}/coaching-relationships", ["GET"])
    async def user_relationships(ctx: Ctx) -> Any:
        me = self_only(ctx)
        return [with_names(r) for r in backend.store.list("relationship") if me in backend.participants(r)]

    def with_names(rel: dict[str, Any]) -> dict[str, Any]:
        out = {k: rel[k] for k in ("id", "coach_id", "coachee_id", "created_at", "updated_at")}
        for role in ("coach", "coachee"):
            user = backend.store.get("user", rel[f"{role}_id"]) or {}
            out[f"{role}_first_name"] = user.get("first_name", "")
            out[f"{role}_last_name"] = user.get("last_name", "")
        return out

    @route("/organizations/{oid}/coaching_relationships/{rid}", ["GET"])
    async def org_relationship(ctx: Ctx) -> Any:
        rel = backend.store.get("relationship", ctx.param("rid"))
        if not backend.head:
            return with_names(rel) if rel else None
        if rel is None or rel["organization_id"] != ctx.param("oid"):
            raise NOT_FOUND
        if ctx.user_id not in backend.participants(rel):
            raise backend.deny()
        return with_names(rel)

    # -- coaching sessions ------------------------------------------------------------------

    @route("/coaching_sessions/{sid}", ["GET"])
    async def get_session(ctx: Ctx) -> Any:
        session, _ = backend.session_of(ctx.user_id, ctx.param("sid"), seed_status=FORBIDDEN)
        return backend.session_view(session)

    # -- actions ----------------------------------------------------------------------------

    @route("/users/{uid}/actions", ["GET"])
    async def user_actions(ctx: Ctx) -> Any:
        me = self_only(ctx)
        sid = ctx.query("coaching_session_id")
        if sid is not None:
            backend.session_of(me, sid)
            rows = backend.session_actions(sid)
        else:
            rows = [
                a for s in backend.sessions_for_user(me, None, None) for a in backend.session_actions(s["id"])
            ]
        return [backend.action_view(a) for a in rows]

    @route("/actions", ["GET", "POST"])
    async def actions(ctx: Ctx) -> Any:
        if ctx.request.method == "POST":
            return envelope(backend.create_action(ctx.user_id, await ctx.json()), 201)
        sid = ctx.query("coaching_session_id", required=True) or ""
        backend.session_of(ctx.user_id, sid)
        return [backend.action_view(a) for a in backend.session_actions(sid)]

    @route("/actions/{id}", ["GET", "PUT", "DELETE"])
    async def action(ctx: Ctx) -> Any:
        method, aid = ctx.request.method, ctx.param("id")
        if method == "PUT":
            return backend.update_action(aid, await ctx.json())
        if method == "DELETE":
            return JSONResponse(backend.delete_action(aid))
        found = backend.store.get("action", aid)
        if found is None:
            raise NOT_FOUND
        return backend.action_view(found)

    # -- agreements -------------------------------------------------------------------------

    @route("/agreements", ["GET", "POST"])
    async def agreements(ctx: Ctx) -> Any:
        if ctx.request.method == "POST":
            return envelope(backend.create_agreement(ctx.user_id, await ctx.json()), 201)
        sid = ctx.query("coaching_session_id", required=True) or ""
        backend.session_of(ctx.user_id, sid)
        return backend.store.list("agreement", session_id=sid)

    @route("/agreements/{id}", ["GET", "PUT", "DELETE"])
    async def agreement(ctx: Ctx) -> Any:
        method, aid = ctx.request.method, ctx.param("id")
        if method == "PUT":
            return backend.update_agreement(aid, await ctx.json())
        if method == "DELETE":
            return JSONResponse(backend.delete_agreement(aid))
        found = backend.store.get("agreement", aid)
        if found is None:
            raise NOT_FOUND
        return found

    # -- goals ------------------------------------------------------------------------------

    if backend.head:

        @route("/goals", ["GET", "POST"])
        async def goals(ctx: Ctx) -> Any:
            if ctx.request.method == "POST":
                return envelope(backend.create_goal(ctx.user_id, await ctx.json()), 201)
            rid = ctx.query("coaching_relationship_id", required=True) or ""
            rel = backend.relationship(rid)
            if ctx.user_id not in backend.participants(rel):
                raise backend.deny()
            return backend.store.list("goal", relationship_id=rid)

        @route("/goals/{id}", ["GET", "PUT", "DELETE"])
        async def goal(ctx: Ctx) -> Any:
            method, gid = ctx.request.method, ctx.param("id")
            if method == "PUT":
                return backend.update_goal(gid, await ctx.json())
            if method == "DELETE":
                return JSONResponse(backend.delete_goal(gid))
            found = backend.store.get("goal", gid)
            if found is None:
                raise NOT_FOUND
            return found

        @route("/coaching_sessions/{sid}/goals", ["GET", "POST"])
        async def session_goals(ctx: Ctx) -> Any:
            session, rel = backend.session_of(ctx.user_id, ctx.param("sid"))
            if ctx.request.method == "POST":
                return envelope(backend.link_goal(session, rel, await ctx.json()), 201)
            return backend.linked_goals(session["id"])

        @route("/coaching_sessions/{sid}/goals/{gid}", ["DELETE"])
        async def unlink(ctx: Ctx) -> Any:
            session, rel = backend.session_of(ctx.user_id, ctx.param("sid"))
            return JSONResponse(backend.unlink_goal(session, rel, ctx.param("gid")))

        @route("/coaching_sessions/{sid}/title", ["PATCH"])
        async def title(ctx: Ctx) -> Any:
            session, rel = backend.session_of(ctx.user_id, ctx.param("sid"))
            return backend.update_title(session, rel, await ctx.json())

    else:

        @route("/overarching_goals", ["GET", "POST"])
        async def overarching_goals(ctx: Ctx) -> Any:
            if ctx.request.method == "POST":
                return envelope(backend.create_overarching_goal(ctx.user_id, await ctx.json()), 201)
            sid = ctx.query("coaching_session_id", required=True) or ""
            if backend.store.get("session", sid) is None:
                raise HttpError(500, "INTERNAL SERVER ERROR")
            backend.session_of(ctx.user_id, sid)
            return backend.store.list("goal", session_id=sid)

        @route("/overarching_goals/{id}", ["GET", "PUT"])
        async def overarching_goal(ctx: Ctx) -> Any:
            gid = ctx.param("id")
            if ctx.request.method == "PUT":
                return backend.update_overarching_goal(gid, await ctx.json())
            found = backend.store.get("goal", gid)
            if found is None:
                raise NOT_FOUND
            return found

    if faults:
        routes.extend(fault_routes(backend))

    async def bare_status(request: Request, exc: Exception) -> Response:
        # axum's fallback: unknown route 404 and wrong method 405, both with an empty body.
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return Response(b"", status)

    return Starlette(routes=routes, exception_handlers={404: bare_status, 405: bare_status})


HOSTILE_BODIES = {
    "html": (200, "text/html", b"<html><body><h1>Welcome to nginx!</h1></body></html>"),
    "truncated": (200, "application/json", b'{"status_code":200,"data":[{"id":"a1","coaching_sess'),
    "shape": (200, "application/json", b'{"status_code":200,"data":{"surprise":true}}'),
    "huge": (200, "application/json", b'{"status_code":200,"data":["' + b"x" * (20 * 1024 * 1024) + b'"]}'),
    "error": (500, "text/plain", b"INTERNAL SERVER ERROR"),
}


def _take_hostile(backend: Backend, path: str) -> Response | None:
    """The next scripted hostile answer for this path, if any (tests only)."""
    for i, (mode, prefix) in enumerate(backend.faults.hostile):
        if path.startswith(prefix):
            del backend.faults.hostile[i]
            status, ctype, body = HOSTILE_BODIES[mode]
            return Response(body, status, media_type=ctype)
    return None


async def _forever() -> Any:
    """A stream that sends headers and then nothing, ever (the 'stall' fault)."""
    await asyncio.Event().wait()
    yield b""  # pragma: no cover


def fault_routes(backend: Backend) -> list[Route]:
    """Test-only controls under /_dev, answered to loopback clients only."""

    def loopback_only(fn: Callable[[dict[str, Any]], Any]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            host = request.client.host if request.client else ""
            if not is_loopback_host(host):
                return PlainTextResponse("fault controls answer loopback only", 403)
            body: dict[str, Any] = {}
            raw = await request.body()
            if raw:
                body = json.loads(raw)
            return JSONResponse(fn(body))

        return endpoint

    def drop(body: dict[str, Any]) -> Any:
        return {"dropped": backend.broker.drop(body.get("user_id"))}

    def fail(body: dict[str, Any]) -> Any:
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

    def stats(body: dict[str, Any]) -> Any:
        return {
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
        "sse/publish_times": publish_times,
        "sse/flood": flood,
        "seed/actions": seed_actions,
        "force_logout": force_logout,
        "expire": expire,
        "stats": stats,
        "stats/reset": reset_stats,
    }
    return [Route(f"/_dev/{name}", loopback_only(fn), methods=["POST", "GET"]) for name, fn in table.items()]
