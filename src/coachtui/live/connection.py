"""One `/sse` connection kept alive for the app's lifetime: honest states, backoff, watchdog.

Everything time-related is injected (a `Clock`, the backoff's random source), so tests drive
every transition with fake time. An attempt whose response headers do not come within the
header timeout fails; after that the watchdog is httpx's read timeout, which bounds every gap
between chunks, keep-alive comments included, so a half-open connection is noticed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from contextlib import AsyncExitStack
from dataclasses import replace

import httpx

from coachtui.api.client import ApiClient
from coachtui.api.http import transport_reason
from coachtui.live.backoff import Backoff, parse_retry_after
from coachtui.live.clock import REAL_CLOCK, Clock
from coachtui.live.events import PANE_OF, ForceLogout, LiveEvent, Malformed, decode
from coachtui.live.framing import MAX_EVENT_BYTES, Oversized, iter_sse
from coachtui.live.observer import StreamObserver
from coachtui.live.status import ConnectionStatus, ConnState, LastError
from coachtui.text import log_value

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
WRONG_TYPE_LIMIT = 3
LOGIN_HINT = "run `coachtui login`, then press r"


class _Retry(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class _Fatal(Exception):
    def __init__(
        self,
        message: str,
        hint: str,
        *,
        login_expired: bool = False,
        at: dt.datetime | None = None,
        asked: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.login_expired = login_expired
        self.at = at  # when it was learned, or when the request it answers went out (None: now)
        self.asked = asked  # `SseConnection._asked` when it began


class _LoggedOut(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SseConnection:
    def __init__(
        self,
        api: ApiClient,
        observer: StreamObserver,
        *,
        read_timeout: float = 45.0,
        connect_timeout: float = 10.0,
        header_timeout: float = 10.0,
        logout_grace: float = 1.0,
        reset_after: float = 30.0,
        backoff: Backoff | None = None,
        clock: Clock = REAL_CLOCK,
        max_event_bytes: int = MAX_EVENT_BYTES,
    ) -> None:
        self.api = api
        self.observer = observer
        self.timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=10.0, pool=10.0)
        self.read_timeout = read_timeout
        self.header_timeout = header_timeout
        self.logout_grace = logout_grace
        self.reset_after = reset_after
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.max_event_bytes = max_event_bytes
        self.status = ConnectionStatus()
        self._wake = asyncio.Event()
        self._server_retry: float | None = None
        self._wrong_type = 0
        self._connected_since: float | None = None
        self._login_lost: str | None = None
        self._login_lost_at: dt.datetime | None = None  # when a request learned it
        self._login_lost_asked = 0  # `_asked` then
        self._asked = 0  # how many times `r` asked for a retry
        self._lost = asyncio.Event()
        self.requests = 0

    # -- public -------------------------------------------------------------------------------

    def retry_now(self) -> None:
        """Skip the backoff wait, or leave the Error state (the user pressed r). Pressed after a
        failure began but before the Error state shows (while the stream is still read after a
        401), it counts too: the Error state is left as soon as it is reached."""
        self._asked += 1
        self._wake.set()

    def login_lost(self, message: str) -> None:
        """A request learned that the login is gone (401): the stream may still be open, but
        saying Connected would mislead. Close it and stand in Error until `retry_now`."""
        if self._login_lost is None:
            self._login_lost, self._login_lost_at = message, self.clock.now()
            self._login_lost_asked = self._asked  # (an `r` pressed before this is no answer to it)
            self._lost.set()
            if self.status.state is ConnState.CONNECTED:
                self._set(
                    state=ConnState.ERROR,
                    next_retry_at=None,
                    retry_delay=None,
                    last_error=LastError(message, self._login_lost_at, self.status.attempt),
                    hint=LOGIN_HINT,
                    login_expired=True,
                )

    async def run(self) -> None:
        """Connect and stay connected until cancelled (quit) or logged out by the server."""
        attempt = 0
        self._set(
            state=ConnState.CONNECTING,
            attempt=0,
            next_retry_at=None,
            retry_delay=None,
            hint=None,
            login_expired=False,
        )
        try:
            while True:
                try:
                    await self._connect_unless_login_lost()
                    raise _Retry("the server closed the stream")
                except _Retry as failure:
                    if (
                        self._connected_since is not None
                        and self.clock.monotonic() - self._connected_since >= self.reset_after
                    ):
                        attempt = 0
                    self._connected_since = None
                    attempt += 1
                    delay = self.backoff.delay(
                        attempt, retry_after=failure.retry_after, server_retry=self._server_retry
                    )
                    log.info("sse: reconnecting (attempt %d) in %.1fs", attempt, delay)
                    self._set(
                        state=ConnState.RECONNECTING,
                        attempt=attempt,
                        next_retry_at=self.clock.monotonic() + delay,
                        retry_delay=delay,
                        last_error=LastError(failure.message, self.clock.now(), attempt),
                        hint=None,
                        login_expired=False,
                    )
                    await self._wait(delay)
                except _Fatal as failure:
                    self._connected_since = None
                    log.warning("sse: stopped: %s", log_value(failure.message))
                    self._set(
                        state=ConnState.ERROR,
                        next_retry_at=None,
                        retry_delay=None,
                        last_error=LastError(failure.message, failure.at or self.clock.now(), attempt),
                        hint=failure.hint,
                        login_expired=failure.login_expired,
                    )
                    if self._asked == failure.asked:  # (else `r` was pressed since it began)
                        self._wake.clear()
                        await self._wake.wait()
                    self._login_lost = None
                    self._lost.clear()
                    attempt = 0
                    self._wrong_type = 0
                    self._set(state=ConnState.CONNECTING, attempt=0, hint=None, login_expired=False)
        except _LoggedOut as out:
            self._set(
                state=ConnState.ERROR,
                next_retry_at=None,
                retry_delay=None,
                last_error=LastError(f"Logged out by the server: {out.reason}", self.clock.now(), attempt),
                hint="run `coachtui login` to sign in again",
            )
            self.observer.logged_out(out.reason)
        finally:
            if self.status.state is not ConnState.ERROR:
                self._set(state=ConnState.DISCONNECTED, next_retry_at=None, retry_delay=None)

    # -- internals ------------------------------------------------------------------------------

    def _set(self, **changes: object) -> None:
        self.status = replace(self.status, **changes)  # type: ignore[arg-type]
        self.observer.status_changed(self.status)

    async def _wait(self, delay: float) -> None:
        self._wake.clear()
        sleeper = asyncio.ensure_future(self.clock.sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    async def _connect_unless_login_lost(self) -> None:
        asked = self._asked  # `r` pressed after this answers a failure of this attempt
        if self._login_lost is None:
            attempt = asyncio.ensure_future(self._connect_once())
            lost = asyncio.ensure_future(self._lost.wait())
            tasks = [attempt, lost]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                if not attempt.done() and self._asked == self._login_lost_asked:
                    # A server that logs a user out also fails their requests: the logout event
                    # may be right behind the 401 on the stream. It says what really happened,
                    # so the stream is read a moment longer before it is closed (unless `r` is
                    # pressed meanwhile: the user has logged in again elsewhere).
                    self._wake.clear()
                    tasks.append(asyncio.ensure_future(self._wake.wait()))
                    await asyncio.wait(
                        [attempt, tasks[-1]], timeout=self.logout_grace, return_when=asyncio.FIRST_COMPLETED
                    )
            except BaseException:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
            for task in tasks[1:]:
                task.cancel()
            await asyncio.gather(*tasks[1:], return_exceptions=True)
            if not attempt.done():
                attempt.cancel()
                await asyncio.gather(attempt, return_exceptions=True)
            elif self._login_lost is None or not isinstance(attempt.exception(), _Retry):
                try:
                    attempt.result()  # how the attempt ended: a _Retry, _Fatal or _LoggedOut
                except _Fatal as failure:
                    failure.asked = asked
                    raise
            # (a stream that ended after the 401 ended for the lost login: that is the failure)
        if self._login_lost is not None:
            raise _Fatal(
                self._login_lost,
                LOGIN_HINT,
                login_expired=True,
                at=self._login_lost_at,
                asked=self._login_lost_asked,
            )

    async def _connect_once(self) -> None:
        if not self.api.logged_in:
            raise _Fatal("Not logged in.", LOGIN_HINT, login_expired=True)
        self.requests += 1
        try:
            async with AsyncExitStack() as stack:
                # Connected means the server answered: a server that accepts the connection
                # but sends no headers (frozen, overloaded) fails this attempt after
                # header_timeout and goes to the backoff, instead of "trying now" for the whole
                # read timeout.
                sent = self.clock.now()
                try:
                    async with asyncio.timeout(self.header_timeout):
                        response = await stack.enter_async_context(self.api.open_stream(self.timeout))
                except TimeoutError:
                    raise _Retry(f"the server sent no response within {self.header_timeout:.0f}s") from None
                self._check_response(response, sent)
                self._wrong_type = 0
                self._connected_since = self.clock.monotonic()
                log.info("sse: connected")
                self._set(
                    state=ConnState.CONNECTED,
                    connected_at=self.clock.now(),
                    next_retry_at=None,
                    retry_delay=None,
                    hint=None,
                    login_expired=False,
                )
                self.observer.connected()
                await self._consume(response)
        except httpx.ReadTimeout:
            if self._connected_since is None:
                raise _Retry(f"the server did not answer within {self.read_timeout:.0f}s") from None
            raise _Retry(f"no data for {self.read_timeout:.0f}s (connection presumed dead)") from None
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Retry(_transport_reason(exc)) from None

    def _check_response(self, response: httpx.Response, sent: dt.datetime) -> None:
        status = response.status_code
        if status == 200:
            ctype = response.headers.get("content-type", "")
            if ctype.split(";")[0].strip().lower() == "text/event-stream":
                return
            self._wrong_type += 1
            shown = ctype.split(";")[0].strip() or "no content type"
            message = f"the server answered with {shown} instead of an event stream"
            if self._wrong_type >= WRONG_TYPE_LIMIT:
                raise _Fatal(message + f" ({self._wrong_type} times)", "check the server URL, then press r")
            raise _Retry(message)
        self._wrong_type = 0
        if status == 401:
            # Dated when the request went out, with the login it carried: a login picked up (`r`)
            # while the answer was on its way is not the one it refuses (the app compares them).
            raise _Fatal("Your login has expired.", LOGIN_HINT, login_expired=True, at=sent)
        if status == 403:
            raise _Fatal("The server refused the event stream (403).", "check your account, then press r")
        if status == 204:
            raise _Fatal("The server asked coachtui to stop listening (204).", "press r to try again")
        if status in RETRYABLE_STATUS:
            raise _Retry(
                f"the server answered HTTP {status}", parse_retry_after(response.headers.get("retry-after"))
            )
        raise _Fatal(
            f"The server rejected the event stream (HTTP {status}).", "check the server URL, then press r"
        )

    async def _consume(self, response: httpx.Response) -> None:
        async for item in iter_sse(response.aiter_bytes(), self.max_event_bytes):
            if isinstance(item, Oversized):
                log.warning("sse: dropped an oversized event")
                event: LiveEvent = Malformed(item.event or "oversized", PANE_OF.get(item.event or ""))
            else:
                if item.retry is not None and item.retry >= 0:
                    self._server_retry = item.retry / 1000
                if not item.data:
                    continue
                event = decode(item.event, item.data)
            self._count(event)
            if isinstance(event, ForceLogout):
                raise _LoggedOut(event.reason or "no reason given")
            self.observer.event(event)
            # One network read can hold hundreds of events; without a yield they would all be
            # handled before anything else runs (a key press, a repaint).
            await asyncio.sleep(0)

    def _count(self, event: LiveEvent) -> None:
        if isinstance(event, Malformed):
            log.warning("sse: malformed %s event", log_value(event.type, limit=64))
        else:
            log.debug("sse: event %s", log_value(event.type, limit=64))
        self.status = replace(
            self.status, events_received=self.status.events_received + 1, last_event_at=self.clock.now()
        )
        self.observer.status_changed(self.status)


def _transport_reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return transport_reason(exc)
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection broke mid-stream"
    return f"network error ({type(exc).__name__})"
