"""Async client for the refactor-platform REST API (both the seed era and HEAD): the session
cookie, the transport, and the reads the screen makes. Writes are in `writes.py`; URL and TLS
helpers in `http.py`; how answers become models or errors in `responses.py`.

The session cookie is kept by this object, not by an httpx cookie jar: it is sent only to the
base URL that issued it, redirects are never followed, and it never appears in a message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import httpx

from coachtui import API_VERSION
from coachtui.api.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    InvalidCredentials,
    NetworkError,
    NotFound,
    SessionExpired,
    UnexpectedResponse,
)
from coachtui.api.http import api_path, normalize_base_url, route_shape, tls_context, transport_reason
from coachtui.api.models import (
    Action,
    Agreement,
    CoachingSession,
    CollabToken,
    EnrichedSession,
    Era,
    Goal,
    User,
)
from coachtui.api.records import Invalid, SecretStr
from coachtui.api.responses import LOGIN_HINT, Readable, parse_list, parse_one, raise_for_status, unwrap
from coachtui.api.writes import Writes

log = logging.getLogger(__name__)

DEFAULT_API_VERSION = API_VERSION
COOKIE_NAME = "id"
MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # a session's data is kilobytes; anything near this is hostile


@dataclass(frozen=True)
class LoginResult:
    user: User
    cookie: SecretStr


class SecretHeaders(dict[str, str]):
    """Request headers that may hold the cookie. A crash traceback prints its frames' locals
    (Textual's does): this dict shows only its header names there."""

    def __repr__(self) -> str:
        return f"<headers {', '.join(self)}>"


class ApiClient(Writes):
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
        # Counts the logins this client has used: the answer to a request sent with an earlier
        # one (a 401 still on its way when a new login was picked up) says nothing of this one.
        self.login_number = 0
        # A jar whose policy accepts no domain: httpx must never store or send cookies on its own.
        self._http = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            # (A plain-http server needs no CA bundle: reading one costs ~40 ms of every start.)
            verify=tls_context(verify) if self.base_url.startswith("https://") else False,
            transport=transport,
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            headers={"User-Agent": "coachtui"},
        )

    def use_login(self, cookie: SecretStr, user_id: str) -> None:
        """Continue with a login made elsewhere (e.g. `coachtui login` in another terminal)."""
        self._cookie = cookie
        self.user_id = user_id
        self.login_number += 1

    def for_new_loop(self) -> ApiClient:
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
            return SecretHeaders()
        return SecretHeaders({"Cookie": f"{COOKIE_NAME}={self._cookie.get_secret_value()}"})

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
        headers, login = self.auth_headers(), self.login_number
        if versioned:
            headers["X-Version"] = self.api_version
        try:
            request = self._http.build_request(
                method, self.url(path), params=params, json=json_body, data=form, headers=headers
            )
        except httpx.InvalidURL:
            # (Ids are quoted into paths, so this would be a server URL httpx cannot send to.)
            raise ApiError(f"Cannot ask {self.host} for that: the request's address is not valid.") from None
        try:
            response = await self._read_capped(request)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise NetworkError(f"Could not reach {self.base_url}: {transport_reason(exc)}.") from None
        except httpx.TimeoutException as exc:
            raise NetworkError(
                f"{self.host} did not answer in time ({type(exc).__name__}).", request_sent=True
            ) from None
        except httpx.TransportError as exc:
            # The request went out: a write may have been saved although no answer came.
            raise NetworkError(
                f"The connection to {self.host} broke before its answer arrived ({type(exc).__name__}).",
                request_sent=True,
            ) from None
        log.debug("%s %s -> %s", method, route_shape(path), response.status_code)
        if response.status_code < 500 and login == self.login_number:
            self.absorb_cookies(response)  # (an earlier login's 401 must not remove the new cookie)
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
        params: dict[str, str] | None = None,
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
        except (UnexpectedResponse, Invalid):
            raise UnexpectedResponse(
                f"{self.base_url} answered the login, but not like a refactor-platform server."
            ) from None
        if self._cookie is None:
            raise UnexpectedResponse(f"{self.host} accepted the login but sent no session cookie.")
        self.user_id = user.id
        self.login_number += 1
        return LoginResult(user=user, cookie=self._cookie)

    async def logout(self) -> None:
        """DELETE /delete (200, empty body). The cookie is forgotten whatever the outcome."""
        try:
            response = await self._send("DELETE", "/delete", versioned=False)
            if response.status_code != 401:
                raise_for_status(response, self.host)
        finally:
            self._cookie = None

    # -- reads ------------------------------------------------------------------------------

    def _me(self) -> str:
        if not self.user_id:
            raise SessionExpired(f"Not logged in; {LOGIN_HINT}.")
        return self.user_id

    async def list_sessions(self, from_date: dt.date, to_date: dt.date) -> Readable[EnrichedSession]:
        data = await self._call(
            "GET",
            api_path("users", self._me(), "coaching_sessions"),
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
        data = await self._call("GET", api_path("coaching_sessions", session_id))
        return parse_one(CoachingSession, data, self.host)

    async def collab_token(self, session_id: str) -> CollabToken:
        """A token for the session's shared notes (the backend creates the document lazily:
        it fails with 404 or 5xx until then)."""
        data = await self._call(
            "GET", "/jwt/generate_collab_token", params={"coaching_session_id": session_id}
        )
        return parse_one(CollabToken, data, self.host)

    async def session_details(self, session_id: str) -> EnrichedSession:
        """The session plus coach, coachee and organization (one extra, narrow list call)."""
        session = await self.get_session(session_id)
        day = session.date.date()
        rows: list[EnrichedSession]
        try:
            rows = await self.list_sessions(day - dt.timedelta(days=1), day + dt.timedelta(days=1))
        except (Forbidden, NotFound, BadRequest):
            rows = []
        for row in rows:
            if row.id == session.id:
                # The single read has fields (e.g. title) the list may shape differently.
                return row.model_copy(update={"title": session.title or row.title})
        return EnrichedSession.model_validate(session.model_dump())

    async def session_goals(self, session_id: str) -> Readable[Goal]:
        """Goals of a session; learns the backend era the first time it is asked, and asks
        again once when an era remembered from an earlier run (credentials) meets a 404 on a
        path of that era: the backend may have been upgraded (or rolled back) since."""
        if self.era is Era.SEED:
            try:
                return await self._seed_goals(session_id)
            except NotFound:
                log.info("the seed-era goals route is missing: probing the backend era again")
                self.era = None
        return await self._probed_goals(session_id)

    async def _seed_goals(self, session_id: str) -> Readable[Goal]:
        data = await self._call("GET", "/overarching_goals", params={"coaching_session_id": session_id})
        return parse_list(Goal, data, self.host)

    async def _probed_goals(self, session_id: str) -> Readable[Goal]:
        if self.era in (None, Era.HEAD):
            try:
                data = await self._call("GET", api_path("coaching_sessions", session_id, "goals"))
            except (NotFound, BadRequest) as exc:
                if exc.status not in (404, 405):
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
        return await self._seed_goals(session_id)

    async def relationship_goals(self, relationship_id: str) -> Readable[Goal]:
        """Every goal of a coaching relationship, in any status (current backend)."""
        data = await self._call("GET", "/goals", params={"coaching_relationship_id": relationship_id})
        return parse_list(Goal, data, self.host)

    async def get_goal(self, goal_id: str) -> Goal:
        path = api_path("overarching_goals", goal_id) if self.era is Era.SEED else api_path("goals", goal_id)
        return parse_one(Goal, await self._call("GET", path), self.host)

    async def session_actions(self, session_id: str) -> Readable[Action]:
        data = await self._call(
            "GET",
            api_path("users", self._me(), "actions"),
            params={"scope": "sessions", "coaching_session_id": session_id},
        )
        return parse_list(Action, data, self.host)

    async def session_agreements(self, session_id: str) -> Readable[Agreement]:
        data = await self._call("GET", "/agreements", params={"coaching_session_id": session_id})
        return parse_list(Agreement, data, self.host)

    # -- the event stream ---------------------------------------------------------------------

    @asynccontextmanager
    async def open_stream(self, timeout: httpx.Timeout) -> AsyncIterator[httpx.Response]:
        """GET /sse with the cookie (no x-version). Yields the response once headers arrive."""
        headers, login = self.auth_headers(), self.login_number
        headers["Accept"] = "text/event-stream"
        headers["Cache-Control"] = "no-store"
        request = self._http.build_request("GET", self.url("/sse"), headers=headers, timeout=timeout)
        response = await self._http.send(request, stream=True)
        try:
            if response.status_code < 500 and login == self.login_number:
                self.absorb_cookies(response)
            yield response
        finally:
            await response.aclose()
