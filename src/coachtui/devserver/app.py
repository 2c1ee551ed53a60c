"""HTTP surface of the devserver (Starlette): the real backend's routes, texts and envelopes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from coachtui import API_VERSION
from coachtui.devserver.backend import (
    FORBIDDEN,
    NOT_FOUND,
    Backend,
    HttpError,
    JsonError,
)
from coachtui.devserver.faults import (
    MUTATIONS,
    DroppedAnswer,
    fault_routes,
    forever,
    held,
    scripted_mutation_failure,
    take_drop_after_commit,
    take_hold,
    take_hostile,
)

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
            # serde_json refuses a lone surrogate (`"\ud800"`) and nesting past 128 levels; Python
            # reads both, and a lone surrogate stored could never be written out again (every
            # read of its session would fail).
            json.dumps(body, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise HttpError(
                400, "Failed to parse the request body as JSON: lone surrogate in a string"
            ) from None
        except RecursionError:
            raise HttpError(
                400, "Failed to parse the request body as JSON: recursion limit exceeded"
            ) from None
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
    routes: list[BaseRoute] = [WebSocketRoute("/collab", backend.notes.serve)]  # the notes server

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
                    refused = take_hold(backend, request.url.path, write=False)  # (a path's hold only)
                    await held(backend, refused, "before")
                    await held(backend, refused, "after")
                    return response
                hostile = take_hostile(backend, request.url.path)
                if hostile is not None:
                    return hostile
                write = request.method in MUTATIONS and auth and versioned  # an API write, not login
                hold = take_hold(backend, request.url.path, write)
                await held(backend, hold, "before")
                failure = scripted_mutation_failure(backend) if write else None
                if failure is not None:
                    return failure
                dropped = write and take_drop_after_commit(backend)
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
                await held(backend, hold, "after")
                if dropped and response.status_code < 300:
                    return DroppedAnswer()
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
            return EventSourceResponse(forever(), ping=0, sep="\n", headers={"Cache-Control": "no-cache"})
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

    @route("/jwt/generate_collab_token", ["GET"])
    async def collab_token(ctx: Ctx) -> Any:
        return backend.collab_token(ctx.user_id, str(ctx.query("coaching_session_id", required=True)))

    # -- actions, agreements, goals: one collection and one item route per kind ----------------

    def collection(path: str, create: Callable[[str, dict[str, Any]], Any], listing: Handler) -> None:
        async def handler(ctx: Ctx) -> Any:
            if ctx.request.method == "POST":
                return envelope(create(ctx.user_id, await ctx.json()), 201)
            return await listing(ctx)

        route(path, ["GET", "POST"])(handler)

    def item(
        path: str,
        kind: str,
        update: Callable[[str, dict[str, Any]], Any],
        delete: Callable[[str], Any] | None = None,
        view: Callable[[dict[str, Any]], Any] = lambda doc: doc,
    ) -> None:
        async def handler(ctx: Ctx) -> Any:
            method, entity_id = ctx.request.method, ctx.param("id")
            if method == "PUT":
                return update(entity_id, await ctx.json())
            if method == "DELETE" and delete is not None:
                return JSONResponse(delete(entity_id))
            found = backend.store.get(kind, entity_id)
            if found is None:
                raise NOT_FOUND
            return view(found)

        route(f"{path}/{{id}}", ["GET", "PUT", "DELETE"] if delete else ["GET", "PUT"])(handler)

    def in_session(ctx: Ctx) -> str:
        """The `coaching_session_id` query of a listing, for a participant of that session."""
        sid = ctx.query("coaching_session_id", required=True) or ""
        backend.session_of(ctx.user_id, sid)
        return sid

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

    async def list_actions(ctx: Ctx) -> Any:
        return [backend.action_view(a) for a in backend.session_actions(in_session(ctx))]

    async def list_agreements(ctx: Ctx) -> Any:
        return backend.store.list("agreement", session_id=in_session(ctx))

    collection("/actions", backend.create_action, list_actions)
    item("/actions", "action", backend.update_action, backend.delete_action, backend.action_view)
    collection("/agreements", backend.create_agreement, list_agreements)
    item("/agreements", "agreement", backend.update_agreement, backend.delete_agreement)

    if backend.head:

        async def list_goals(ctx: Ctx) -> Any:
            rid = ctx.query("coaching_relationship_id", required=True) or ""
            if ctx.user_id not in backend.participants(backend.relationship(rid)):
                raise backend.deny()
            return backend.store.list("goal", relationship_id=rid)

        collection("/goals", backend.create_goal, list_goals)
        item("/goals", "goal", backend.update_goal, backend.delete_goal)

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

        async def list_overarching_goals(ctx: Ctx) -> Any:
            sid = ctx.query("coaching_session_id", required=True) or ""
            if backend.store.get("session", sid) is None:
                raise HttpError(500, "INTERNAL SERVER ERROR")  # the seed era's quirk
            return backend.store.list("goal", session_id=in_session(ctx))

        collection("/overarching_goals", backend.create_overarching_goal, list_overarching_goals)
        item("/overarching_goals", "goal", backend.update_overarching_goal)  # no delete in that era

    if faults:
        routes.extend(fault_routes(backend))

    async def bare_status(request: Request, exc: Exception) -> Response:
        # axum's fallback: unknown route 404 and wrong method 405, both with an empty body.
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return Response(b"", status)

    return Starlette(routes=routes, exception_handlers={404: bare_status, 405: bare_status})
