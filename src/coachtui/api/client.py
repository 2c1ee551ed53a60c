"""Async client for the refactor-platform REST API (both the seed era and HEAD).

The session cookie is kept by this object, not by an httpx cookie jar: it is sent only to the
base URL that issued it, redirects are never followed, and it never appears in a message.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError

from coachtui.api.errors import (
    ApiError,
    ApiVersionRejected,
    BadRequest,
    Conflict,
    Forbidden,
    InvalidCredentials,
    NetworkError,
    NotFound,
    ServerError,
    SessionExpired,
    UnexpectedResponse,
)
from coachtui.api.models import (
    Action,
    Agreement,
    CoachingSession,
    EnrichedSession,
    Era,
    Goal,
    SessionGoalLink,
    Status,
    User,
)
from coachtui.loopback import is_loopback

log = logging.getLogger(__name__)

DEFAULT_API_VERSION = "1.0.0-beta1"
COOKIE_NAME = "id"
MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # a session's data is kilobytes; anything near this is hostile
LOGIN_HINT = "run `coachtui login`"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LoginResult:
    user: User
    cookie: SecretStr


def normalize_base_url(url: str) -> str:
    """`localhost:4000` → `http://localhost:4000`; trailing slashes go (paths are appended)."""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) server URL: {url!r}")
    return url.rstrip("/")


class ApiClient:
    """One server, one user. Use as `async with ApiClient(...) as api:`."""

    def __init__(
        self,
        base_url: str,
        *,
        cookie: SecretStr | str | None = None,
        user_id: str | None = None,
        era: Era | None = None,
        api_version: str = DEFAULT_API_VERSION,
        timeout: float = 15.0,
        verify: bool | str = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.host = urlsplit(self.base_url).netloc
        self.user_id = user_id
        self.era = era
        self.api_version = api_version
        self.verify = verify
        self._timeout = timeout
        self._cookie: SecretStr | None = SecretStr(cookie) if isinstance(cookie, str) else cookie
        # A jar whose policy accepts no domain: httpx must never store or send cookies on its own.
        self._http = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            verify=tls_context(verify),
            transport=transport,
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            headers={"User-Agent": "coachtui"},
        )

    def use_login(self, cookie: SecretStr, user_id: str) -> None:
        """Continue with a login made elsewhere (e.g. `coachtui login` in another terminal)."""
        self._cookie = cookie
        self.user_id = user_id

    def fresh(self) -> ApiClient:
        """A new client with the same server, login and era (httpx clients belong to one event loop)."""
        return ApiClient(
            self.base_url,
            cookie=self._cookie,
            user_id=self.user_id,
            era=self.era,
            api_version=self.api_version,
            timeout=self._timeout,
            verify=self.verify,
        )

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r}, logged_in={self._cookie is not None})"

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def cookie(self) -> SecretStr | None:
        return self._cookie

    @property
    def logged_in(self) -> bool:
        return self._cookie is not None

    # -- transport ------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def auth_headers(self) -> dict[str, str]:
        if self._cookie is None:
            return {}
        return {"Cookie": f"{COOKIE_NAME}={self._cookie.get_secret_value()}"}

    def absorb_cookies(self, response: httpx.Response) -> None:
        """Follow the server's Set-Cookie for `id`: refresh, rotate, or removal."""
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            morsel = jar.get(COOKIE_NAME)
            if morsel is None:
                continue
            if not morsel.value or morsel["max-age"] in ("0", "-1"):
                self._cookie = None
            else:
                self._cookie = SecretStr(morsel.value)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        versioned: bool = True,
    ) -> httpx.Response:
        headers = self.auth_headers()
        if versioned:
            headers["X-Version"] = self.api_version
        request = self._http.build_request(
            method, self.url(path), params=params, json=json_body, data=form, headers=headers
        )
        try:
            response = await self._read_capped(request)
        except httpx.TimeoutException as exc:
            raise NetworkError(f"{self.host} did not answer in time ({type(exc).__name__}).") from None
        except httpx.TransportError as exc:
            raise NetworkError(f"Could not reach {self.base_url}: {transport_reason(exc)}.") from None
        log.debug("%s %s -> %s", method, _route_shape(path), response.status_code)
        if response.status_code < 500:
            self.absorb_cookies(response)
        return response

    async def _read_capped(self, request: httpx.Request) -> httpx.Response:
        """Send, and read the body only up to MAX_RESPONSE_BYTES: a hostile server cannot make
        the client hold more than that in memory."""
        too_big = UnexpectedResponse(f"{self.host} sent an absurdly large response; ignored.")
        response = await self._http.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
                raise too_big
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise too_big
        finally:
            await response.aclose()
        # The body is decoded already: the new response must not decode it again.
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(response.status_code, headers=headers, content=bytes(body), request=request)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Any:
        response = await self._send(method, path, params=params, json_body=json_body)
        raise_for_status(response, self.host)
        return unwrap(response, self.host)

    # -- auth -------------------------------------------------------------------------------

    async def login(self, email: str, password: str) -> LoginResult:
        """Form-POST /login. The password lives only in this call's frame."""
        response = await self._send(
            "POST", "/login", form={"email": email, "password": password}, versioned=False
        )
        if response.status_code == 401:
            raise InvalidCredentials("Wrong e-mail or password.", status=401)
        if response.status_code in (404, 405, 415):
            raise UnexpectedResponse(
                f"{self.base_url} does not look like a refactor-platform server "
                f"(POST /login answered {response.status_code}); check the URL "
                "(production servers usually end in /api).",
                status=response.status_code,
            )
        raise_for_status(response, self.host)
        try:
            data = unwrap(response, self.host)
            user = User.model_validate(data)
        except (UnexpectedResponse, ValidationError):
            raise UnexpectedResponse(
                f"{self.base_url} answered the login, but not like a refactor-platform server."
            ) from None
        if self._cookie is None:
            raise UnexpectedResponse(f"{self.host} accepted the login but sent no session cookie.")
        self.user_id = user.id
        return LoginResult(user=user, cookie=self._cookie)

    async def logout(self) -> None:
        """DELETE /delete (200, empty body). The cookie is forgotten whatever the outcome."""
        try:
            response = await self._send("DELETE", "/delete", versioned=False)
            if response.status_code != 401:
                raise_for_status(response, self.host)
        finally:
            self._cookie = None

    async def health(self) -> bool:
        response = await self._send("GET", "/health", versioned=False)
        return response.status_code == 200

    # -- reads ------------------------------------------------------------------------------

    def _me(self) -> str:
        if not self.user_id:
            raise SessionExpired(f"Not logged in; {LOGIN_HINT}.")
        return self.user_id

    async def list_sessions(self, from_date: dt.date, to_date: dt.date) -> list[EnrichedSession]:
        data = await self._call(
            "GET",
            f"/users/{self._me()}/coaching_sessions",
            params={
                "from_date": from_date.isoformat(),
                "to_date": to_date.isoformat(),
                "include": "relationship,organization",
                "sort_by": "date",
                "sort_order": "asc",
            },
        )
        return parse_list(EnrichedSession, data, self.host)

    async def get_session(self, session_id: str) -> CoachingSession:
        data = await self._call("GET", f"/coaching_sessions/{session_id}")
        return parse_one(CoachingSession, data, self.host)

    async def session_details(self, session_id: str) -> EnrichedSession:
        """The session plus coach, coachee and organization (one extra, narrow list call)."""
        session = await self.get_session(session_id)
        day = session.date.date()
        try:
            rows = await self.list_sessions(day - dt.timedelta(days=1), day + dt.timedelta(days=1))
        except (Forbidden, NotFound, BadRequest):
            rows = []
        for row in rows:
            if row.id == session.id:
                # The single read has fields (e.g. title) the list may shape differently.
                return row.model_copy(update={"title": session.title or row.title})
        return EnrichedSession.model_validate(session.model_dump())

    async def session_goals(self, session_id: str) -> list[Goal]:
        """Goals of a session; learns the backend era the first time it is asked."""
        if self.era in (None, Era.HEAD):
            try:
                data = await self._call("GET", f"/coaching_sessions/{session_id}/goals")
            except (NotFound, BadRequest) as exc:
                if self.era is Era.HEAD or exc.status not in (404, 405):
                    raise
                # The route is missing, or the session is: only the former means seed era.
                await self.get_session(session_id)
                self.era = Era.SEED
                log.info("backend era detected: seed")
            else:
                if self.era is None:
                    log.info("backend era detected: head")
                self.era = Era.HEAD
                return parse_list(Goal, data, self.host)
        data = await self._call("GET", "/overarching_goals", params={"coaching_session_id": session_id})
        return parse_list(Goal, data, self.host)

    async def session_actions(self, session_id: str) -> list[Action]:
        data = await self._call(
            "GET",
            f"/users/{self._me()}/actions",
            params={"scope": "sessions", "coaching_session_id": session_id},
        )
        return parse_list(Action, data, self.host)

    async def session_agreements(self, session_id: str) -> list[Agreement]:
        data = await self._call("GET", "/agreements", params={"coaching_session_id": session_id})
        return parse_list(Agreement, data, self.host)

    # -- writes -----------------------------------------------------------------------------

    async def create_action(
        self,
        session_id: str,
        body: str,
        *,
        status: Status = Status.NOT_STARTED,
        due_by: dt.datetime | None = None,
        assignee_ids: list[str] | None = None,
        goal_id: str | None = None,
    ) -> Action:
        payload: dict[str, Any] = {
            "coaching_session_id": session_id,
            "body": body,
            "status": status.value,
            "due_by": _iso(due_by),
            "assignee_ids": assignee_ids or [],
        }
        if goal_id is not None:
            payload["goal_id"] = goal_id
        data = await self._call("POST", "/actions", json_body=payload)
        return parse_one(Action, data, self.host)

    async def update_action(self, action: Action) -> Action:
        """Full replacement, as the backend's PUT is: send every field of `action`."""
        payload: dict[str, Any] = {
            "coaching_session_id": action.coaching_session_id,
            "body": action.body,
            "status": action.status.value,
            "due_by": _iso(action.due_by),
            "assignee_ids": action.assignee_ids,
        }
        if action.goal_id is not None:
            payload["goal_id"] = action.goal_id
        data = await self._call("PUT", f"/actions/{action.id}", json_body=payload)
        return parse_one(Action, data, self.host)

    async def delete_action(self, action_id: str) -> None:
        await self._call("DELETE", f"/actions/{action_id}")

    async def create_agreement(self, session_id: str, body: str) -> Agreement:
        data = await self._call(
            "POST", "/agreements", json_body={"coaching_session_id": session_id, "body": body}
        )
        return parse_one(Agreement, data, self.host)

    async def update_agreement(self, agreement_id: str, session_id: str, body: str) -> Agreement:
        data = await self._call(
            "PUT",
            f"/agreements/{agreement_id}",
            json_body={"coaching_session_id": session_id, "body": body},
        )
        return parse_one(Agreement, data, self.host)

    async def delete_agreement(self, agreement_id: str) -> None:
        await self._call("DELETE", f"/agreements/{agreement_id}")

    async def create_goal(
        self,
        session: CoachingSession,
        title: str,
        *,
        body: str | None = None,
        status: Status = Status.NOT_STARTED,
        target_date: dt.date | None = None,
    ) -> Goal:
        """Seed: an overarching goal of the session. HEAD: a relationship goal created in it."""
        if self.era is None:
            await self.session_goals(session.id)
        if self.era is Era.SEED:
            payload: dict[str, Any] = {
                "coaching_session_id": session.id,
                "title": title,
                "body": body,
                "status": status.value,
            }
            data = await self._call("POST", "/overarching_goals", json_body=payload)
        else:
            payload = {
                "coaching_relationship_id": session.coaching_relationship_id,
                "created_in_session_id": session.id,
                "title": title,
                "body": body,
                "status": status.value,
                "target_date": target_date.isoformat() if target_date else None,
            }
            data = await self._call("POST", "/goals", json_body=payload)
        return parse_one(Goal, data, self.host)

    async def update_goal(self, goal: Goal) -> Goal:
        payload: dict[str, Any] = {
            "title": goal.title,
            "body": goal.body,
            "status": goal.status.value,
        }
        if self.era is Era.SEED:
            payload["coaching_session_id"] = goal.coaching_session_id
            data = await self._call("PUT", f"/overarching_goals/{goal.id}", json_body=payload)
        else:
            payload["coaching_relationship_id"] = goal.coaching_relationship_id
            payload["target_date"] = goal.target_date.isoformat() if goal.target_date else None
            data = await self._call("PUT", f"/goals/{goal.id}", json_body=payload)
        return parse_one(Goal, data, self.host)

    async def delete_goal(self, goal_id: str) -> None:
        if self.era is Era.SEED:
            raise BadRequest("The seed-era backend cannot delete goals.")
        await self._call("DELETE", f"/goals/{goal_id}")

    async def link_goal(self, session_id: str, goal_id: str) -> SessionGoalLink:
        data = await self._call(
            "POST", f"/coaching_sessions/{session_id}/goals", json_body={"goal_id": goal_id}
        )
        return parse_one(SessionGoalLink, data, self.host)

    async def unlink_goal(self, session_id: str, goal_id: str) -> None:
        await self._call("DELETE", f"/coaching_sessions/{session_id}/goals/{goal_id}")

    async def update_session_title(self, session_id: str, title: str | None) -> CoachingSession:
        data = await self._call("PATCH", f"/coaching_sessions/{session_id}/title", json_body={"title": title})
        return parse_one(CoachingSession, data, self.host)

    # -- the event stream ---------------------------------------------------------------------

    @asynccontextmanager
    async def open_stream(self, timeout: httpx.Timeout) -> AsyncIterator[httpx.Response]:
        """GET /sse with the cookie (no x-version). Yields the response once headers arrive."""
        headers = self.auth_headers()
        headers["Accept"] = "text/event-stream"
        headers["Cache-Control"] = "no-store"
        request = self._http.build_request("GET", self.url("/sse"), headers=headers, timeout=timeout)
        response = await self._http.send(request, stream=True)
        try:
            if response.status_code < 500:
                self.absorb_cookies(response)
            yield response
        finally:
            await response.aclose()


# -- response handling (module level so the live layer and tests can share it) -------------


def tls_context(verify: bool | str) -> bool | ssl.SSLContext:
    """True: system CAs (or SSL_CERT_FILE/SSL_CERT_DIR); a path: trust that CA bundle instead.

    Contexts are shared: building one reads a whole CA bundle (~40 ms), and httpx would build a
    new one for every client (the CLI makes two or three before the first screen)."""
    if verify is False:
        return False
    return _shared_context(verify, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _shared_context(verify: bool | str, _cert_file: str | None, _cert_dir: str | None) -> ssl.SSLContext:
    if isinstance(verify, bool):
        return httpx.create_ssl_context()  # certifi, or SSL_CERT_FILE/SSL_CERT_DIR when set
    try:
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError):
        raise NetworkError(f"Cannot use the CA bundle {verify} (missing, unreadable, or not PEM).") from None


def transport_reason(exc: httpx.TransportError) -> str:
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 8:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.ConnectError):
        if (
            any(isinstance(e, ConnectionRefusedError) for e in chain)
            or "refused" in text
            or ("all connection attempts failed" in text)
        ):
            return "connection refused (is the server running?)"
        if "certificate" in text or "ssl" in text:
            return "TLS certificate not trusted (see --ca-bundle)"
        if "name or service" in text or "nodename" in text:
            return "unknown host name"
        return "could not connect"
    return type(exc).__name__


def _route_shape(path: str) -> str:
    """The path with ids blanked, safe for logs."""
    return "/".join("{id}" if len(part) >= 16 else part for part in path.split("/"))


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _body_text(response: httpx.Response) -> str:
    try:
        return response.text.strip()[:200]
    except UnicodeDecodeError:
        return ""


def raise_for_status(response: httpx.Response, host: str) -> None:
    status = response.status_code
    if status < 300:
        return
    if status < 400:
        # Never followed: the cookie must not travel to wherever the redirect points.
        raise UnexpectedResponse(
            f"{host} redirected the request elsewhere (HTTP {status}); check the server URL "
            "(https vs http, and whether it ends in /api).",
            status=status,
        )
    text = _body_text(response)
    if status == 401:
        raise SessionExpired(f"Your login on {host} has expired; {LOGIN_HINT}.", status=status)
    if status == 403:
        raise Forbidden("You are not allowed to see that (it belongs to someone else).", status=status)
    if status == 404:
        raise NotFound("Not found: it does not exist or was deleted.", status=status)
    if status == 400 and "x-version" in text:
        raise ApiVersionRejected(
            f"{host} rejected API version header ({text.strip('`')}); "
            "this server speaks another API version (see --api-version).",
            status=status,
        )
    if status >= 500:
        raise ServerError(f"{host} had an internal error (HTTP {status}); try again shortly.", status=status)
    code = _json_error_code(response)
    if status in (409, 422) and code is not None:
        raise Conflict(f"{host} refused the change ({code}).", status=status, code=code)
    raise BadRequest(f"{host} rejected the request (HTTP {status}).", status=status)


def _json_error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])[:64]
    return None


def unwrap(response: httpx.Response, host: str) -> Any:
    """The envelope's `data`, or the bare body for the DELETE exceptions of the contract."""
    if not response.content:
        return None
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise UnexpectedResponse(
            f"{host} answered with something that is not JSON (is this the API URL?).",
            status=response.status_code,
        ) from None
    if isinstance(body, dict):
        if "status_code" in body:
            return body.get("data")
        if set(body) <= {"id", "goal_id"}:
            return body
    raise UnexpectedResponse(f"{host} answered in an unexpected shape.", status=response.status_code)


def parse_one(model: type[M], data: Any, host: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError:
        raise UnexpectedResponse(f"{host} sent a {model.__name__.lower()} in an unexpected shape.") from None


def parse_list(model: type[M], data: Any, host: str) -> list[M]:
    try:
        return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]
    except ValidationError:
        raise UnexpectedResponse(
            f"{host} sent a list of {model.__name__.lower()}s in an unexpected shape."
        ) from None


__all__ = [
    "COOKIE_NAME",
    "DEFAULT_API_VERSION",
    "ApiClient",
    "ApiError",
    "LoginResult",
    "is_loopback",
    "normalize_base_url",
    "parse_list",
    "parse_one",
    "raise_for_status",
    "unwrap",
]
