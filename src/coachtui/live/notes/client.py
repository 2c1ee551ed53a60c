"""A participant in the session's shared notes, over the Hocuspocus protocol.

One WebSocket to the notes server (TipTap Cloud: `wss://{aud}.collab.tiptap.cloud`, the `aud` of
the backend's collab token; or `--collab-url`). Auth with the token, Sync Step1 with our state
vector, then the server's Step2 (synced) and live updates, applied to one pycrdt `Doc` kept across
reconnects, so a reconnect pulls only what is missing. Awareness: our presence (or an empty state
with `--invisible`) renewed every 15 s — that is also the keep-alive a v4 server needs — and the
others' states into a `Roster`. Reconnects back off 1 → 30 s with jitter (TipTap rate-limits
connects per IP). The token never appears in a log or an error.

It writes only what `writer` (a `NotesWriter`) is asked to: each action's update is sent while
connected; made while away, it stays in the `Doc` and goes with the Step2 that answers the
server's Step1 on reconnect. The server acknowledges each update and Step2 it applied with a
SyncStatus, in order: an action counts as sent (`unsent` drops) once a message carrying it is
acknowledged.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import ssl
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pycrdt import Doc, XmlFragment
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from coachtui import lib0
from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError, Forbidden, NetworkError, NotFound, ServerError, SessionExpired
from coachtui.api.records import SecretStr
from coachtui.live.backoff import Backoff
from coachtui.live.clock import REAL_CLOCK, Clock
from coachtui.live.notes.blocks import notes_doc
from coachtui.live.notes.document import FRAGMENT
from coachtui.live.notes.presence import RENEW_EVERY, Roster, announcement
from coachtui.live.notes.reports import Me, NotesObserver
from coachtui.live.notes.writes import NotesWriter
from coachtui.live.status import ConnectionStatus, ConnState, LastError
from coachtui.loopback import is_loopback
from coachtui.text import inert

log = logging.getLogger(__name__)

DEVSERVER_APP_ID = "coachtui-dev"  # the `aud` of the devserver's tokens (devserver/notes.py)
TOKEN_TRIES = 5  # the document is created lazily: the web app retries about 9 s in all
DENIALS_BEFORE_GIVING_UP = 3
CLOSE_REASONS = {4401: "unauthorized", 4403: "forbidden", 4408: "the server timed the connection out"}
MAX_MESSAGE = 32 * 1024 * 1024  # a first sync of a long document is a few MB; a peer can send more
MAX_QUEUE = 4  # messages read ahead of the one being handled (each up to MAX_MESSAGE)
_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?")


class Unavailable(Exception):
    """The server offers no notes for this session (or not to us): said once, not retried."""


class _Denied(Exception):
    pass


def audience(token: str) -> str | None:
    """The JWT's `aud` (the TipTap app id), read without verifying: it only names the host."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, RecursionError):
        return None
    aud = claims.get("aud") if isinstance(claims, dict) else None
    if isinstance(aud, list):
        aud = aud[0] if aud else None
    # One ASCII host label: the token is sent to `{aud}.collab.tiptap.cloud`, so `evil.com/x`,
    # `a.b` or a look-alike letter from another script must not steer it anywhere else.
    return aud if isinstance(aud, str) and _HOST_LABEL.fullmatch(aud) else None


class _NoRedirects(connect):
    """The token goes in the first frame: a redirect (to any host) is refused, never followed."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc


class NotesConnection:
    def __init__(
        self,
        api: ApiClient,
        session_id: str,
        observer: NotesObserver,
        *,
        me: Callable[[], Me | None] = lambda: None,
        invisible: bool = False,
        url: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        backoff: Backoff | None = None,
        clock: Clock = REAL_CLOCK,
        renew_every: float = RENEW_EVERY,
        ping_interval: float = 20.0,
        token_retry: float = 1.0,
        silence: float = 3 * RENEW_EVERY,
        read_only: bool = False,
    ) -> None:
        self.api = api
        self.session_id = session_id
        self.observer = observer
        self.me = me  # asked at each connect: the role is known once the session header is read
        self.invisible = invisible
        self.url = url
        self.ssl_context = ssl_context
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.renew_every = renew_every
        self.ping_interval = ping_interval
        self.token_retry = token_retry  # first wait before asking for the token again (doubles)
        self.silence = silence  # seconds without a word from the server before it counts as gone
        self._heard_at = 0.0
        self.doc: Doc[Any] = notes_doc()
        self.fragment: XmlFragment = self.doc.get(FRAGMENT, type=XmlFragment)  # local, writes nothing
        self.writer = NotesWriter(self.doc, self.fragment, self._local_change, read_only=read_only)
        self._changes: dict[int, bytes] = {}  # our actions the server has not acknowledged, by number
        self._numbered = 0
        self._outbox: list[int] = []  # actions to send as updates (while connected)
        self._in_flight: deque[set[int]] = deque()  # per acknowledged message sent, what it carries
        self._send_now = asyncio.Event()
        self._answered = False  # this connection's Step2 went: updates may follow it
        self.roster = Roster(self.doc.client_id)
        self.status = ConnectionStatus()
        self.synced = False  # the first Step2 has arrived
        self._synced_now = False  # … on the connection open now
        self.document_name: str | None = None
        self.updates = 0  # updates applied (tests and benchmarks count them)
        self._clock = 0  # our awareness clock
        self._wake = asyncio.Event()
        self._announce_now = asyncio.Event()

    # -- state ----------------------------------------------------------------------------------

    def _set(self, **changes: Any) -> None:
        self.status = replace(self.status, **changes)
        self.observer.notes_status(self.status)

    def announce_now(self) -> None:
        """Who we are became known (the session header arrived): say so without waiting 15 s."""
        self._announce_now.set()

    def retry_now(self) -> None:
        """`r`: skip the wait before the next attempt (also after "unavailable")."""
        self._wake.set()

    @property
    def unsent(self) -> int:
        """Our changes the server has not acknowledged yet (`Notes: 2 changes not sent yet`)."""
        return len(self._changes)

    def _local_change(self, update: bytes) -> None:
        self._numbered += 1
        self._changes[self._numbered] = update
        self._outbox.append(self._numbered)
        self._send_now.set()
        self.observer.notes_changed()
        self.observer.notes_unsent(self.unsent)

    def _acknowledged(self, saved: bool) -> None:
        carried = self._in_flight.popleft() if self._in_flight else set()
        if not saved:
            if carried & self._changes.keys():
                self._record("the notes server did not take our changes (read-only?)")
            return
        before = self.unsent
        for number in carried:
            self._changes.pop(number, None)
        if self.unsent != before:
            self.observer.notes_unsent(self.unsent)

    async def _send_changes(self, ws: ClientConnection, document: str) -> None:
        """Each action's update as it is made, once synced (before that, Step2 carries it)."""
        while True:
            await self._send_now.wait()
            self._send_now.clear()
            if self.status.state is not ConnState.CONNECTED or not self._answered:
                continue
            numbers, self._outbox = self._outbox, []
            for number in numbers:
                update = self._changes.get(number)
                if update is not None:
                    self._in_flight.append({number})
                    await ws.send(lib0.sync(document, lib0.SyncStep.UPDATE, update))

    # -- the loop -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Connect and stay connected until cancelled; "unavailable" waits for `retry_now`."""
        attempt = 0
        denials = 0
        token: tuple[SecretStr, str] | None = None  # (a SecretStr: tracebacks print locals)
        while True:
            self._set(
                state=ConnState.CONNECTING if attempt == 0 else ConnState.RECONNECTING, next_retry_at=None
            )
            try:
                if token is None:
                    token = await self._token()
                self._synced_now = False
                await self._session(*token)
                if self._synced_now:
                    attempt = 0  # a session that ended after syncing: start the backoff over
                else:  # accepted, then closed: retried with a growing wait, not every second
                    self._record("the notes server closed the connection before sending the notes")
            except Unavailable as exc:
                log.info("notes unavailable")
                self._lost()
                self._set(
                    state=ConnState.ERROR,
                    last_error=LastError(str(exc), self.clock.now(), attempt),
                    hint="r tries again",
                    next_retry_at=None,
                )
                await self._wait(None)
                attempt, denials, token = 0, 0, None
                continue
            except _Denied as exc:
                denials += 1
                token = None  # expired (24 h) or revoked: a new one next time
                message = f"the notes server refused the token ({exc})"
                if denials >= DENIALS_BEFORE_GIVING_UP:
                    self._lost()
                    self._set(
                        state=ConnState.ERROR,
                        last_error=LastError(message, self.clock.now(), attempt),
                        hint="r tries again",
                        next_retry_at=None,
                    )
                    await self._wait(None)
                    attempt, denials = 0, 0
                    continue
                self._record(message)
            except (OSError, TimeoutError, WebSocketException, lib0.Malformed) as exc:
                self._record(_describe(exc))
            self._lost()
            attempt += 1
            delay = self.backoff.delay(attempt)
            self._set(
                state=ConnState.RECONNECTING,
                attempt=attempt,
                retry_delay=delay,
                next_retry_at=self.clock.monotonic() + delay,
            )
            await self._wait(delay)

    async def _wait(self, seconds: float | None) -> None:
        self._wake.clear()
        if seconds is None:
            await self._wake.wait()
            return
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass

    def _record(self, message: str) -> None:
        log.info("notes connection lost: %s", inert(message, limit=120))
        self.status = replace(
            self.status, last_error=LastError(message, self.clock.now(), self.status.attempt)
        )

    def _lost(self) -> None:
        # What was sent and not acknowledged goes again, with the next Step2.
        self._in_flight.clear()
        self._outbox.clear()
        self.roster.clear(self.clock.now())
        self.observer.presence_changed()

    async def _token(self) -> tuple[SecretStr, str]:
        """The token and document name, with backoff while the backend creates the document."""
        for attempt in range(1, TOKEN_TRIES + 1):
            try:
                result = await self.api.collab_token(self.session_id)
                return result.token, result.sub
            except Forbidden:
                raise Unavailable(
                    "Notes unavailable: the server does not let you open these notes."
                ) from None
            except SessionExpired as exc:
                raise Unavailable(f"Notes unavailable: {exc.message}") from None
            except (NotFound, ServerError, NetworkError) as exc:
                if attempt == TOKEN_TRIES:
                    why = (
                        "this server has no shared notes for the session"
                        if isinstance(exc, NotFound | ServerError)
                        else exc.message
                    )
                    raise Unavailable(f"Notes unavailable: {why}.") from None
                await self.clock.sleep(min(self.token_retry * 2 ** (attempt - 1), 4 * self.token_retry))
            except ApiError as exc:
                raise Unavailable(f"Notes unavailable: {exc.message}") from None
        raise AssertionError("unreachable")

    def _url(self, token: SecretStr) -> str:
        if self.url:
            return self.url
        aud = audience(token.get_secret_value())
        if aud is None:
            raise Unavailable("Notes unavailable: the notes token names no server; use --collab-url.")
        if aud == DEVSERVER_APP_ID:  # `coachtui devserver` serves its notes itself
            return self.api.base_url.replace("http://", "ws://").replace("https://", "wss://") + "/collab"
        return f"wss://{aud}.collab.tiptap.cloud"

    async def _session(self, token: SecretStr, document: str) -> None:
        url = self._url(token)
        if url.startswith("ws://") and not is_loopback(url.replace("ws://", "http://", 1)):
            raise Unavailable(
                "Notes unavailable: the notes server is not encrypted (ws://) and not on this "
                "machine; the token would travel in clear. Use wss://."
            )
        self.document_name = document
        self._in_flight.clear()  # a new connection acknowledges only what it carries
        self._outbox.clear()
        # Updates wait for our Step2 (the server's Step1 answered): one arriving before it
        # would lack what the Step2 brings, and a later change's deletions without an earlier
        # change's inserts can read as a missing attribute (a task with no `checked`).
        self._answered = False
        options: dict[str, Any] = {
            "max_size": MAX_MESSAGE,  # a larger message closes the connection (1009), then a retry
            "max_queue": MAX_QUEUE,
            "open_timeout": 10,
            "ping_interval": self.ping_interval,
            "ping_timeout": self.ping_interval,
            "close_timeout": 2,
            "compression": None,
        }
        if is_loopback(url.replace("ws://", "http://").replace("wss://", "https://")):
            options["proxy"] = None
        if url.startswith("wss://") and self.ssl_context is not None:
            options["ssl"] = self.ssl_context
        async with _NoRedirects(url, **options) as ws:
            self._heard_at = self.clock.monotonic()
            await ws.send(lib0.auth(document, token.get_secret_value()))
            await ws.send(lib0.sync(document, lib0.SyncStep.STEP1, self.doc.get_state()))
            await self._announce(ws, document)
            renewing = asyncio.ensure_future(self._renew(ws, document))
            sending = asyncio.ensure_future(self._send_changes(ws, document))
            try:
                async for message in ws:
                    if isinstance(message, str):
                        continue  # Hocuspocus speaks binary only
                    await self._handle(ws, document, message)
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd is not None else None
                if code in (4401, 4403):
                    raise _Denied(CLOSE_REASONS[code]) from None
                raise
            finally:
                renewing.cancel()
                sending.cancel()
                await asyncio.gather(renewing, sending, return_exceptions=True)

    async def _handle(self, ws: ClientConnection, document: str, data: bytes) -> None:
        self._heard_at = self.clock.monotonic()
        try:
            frame = lib0.parse(data)
        except lib0.Malformed:
            log.info("notes: a malformed frame was ignored")
            return
        if frame is None:  # the v4 connection-level Ping
            await ws.send(lib0.PONG)
            return
        if frame.document != document:
            return
        body = frame.body
        try:
            if frame.kind == lib0.MessageType.AUTH:
                reply = body.var_uint()
                if reply == lib0.AuthReply.PERMISSION_DENIED:
                    reason = body.var_string() if not body.done else "permission denied"
                    raise _Denied(inert(reason, limit=80) or "permission denied")
            elif frame.kind in (lib0.MessageType.SYNC, lib0.MessageType.SYNC_REPLY):
                step = body.var_uint()
                payload = body.var_bytes()
                if step == lib0.SyncStep.STEP1:
                    # What we have that they lack: every change of ours they have not
                    # acknowledged goes with it (an empty diff when there is none).
                    self._in_flight.append(set(self._changes))
                    self._outbox.clear()
                    await ws.send(lib0.sync(document, lib0.SyncStep.STEP2, self.doc.get_update(payload)))
                    if not self._answered:
                        self._answered = True
                        self._send_now.set()
                else:
                    self.doc.apply_update(payload)
                    self.updates += 1
                    if self.status.state is not ConnState.CONNECTED:  # Step2 (or an update): synced
                        self.synced = self._synced_now = True
                        self._set(
                            state=ConnState.CONNECTED,
                            attempt=0,
                            next_retry_at=None,
                            retry_delay=None,
                            connected_at=self.clock.now(),
                            hint=None,
                        )
                        self._send_now.set()  # what was made meanwhile
                    self.observer.notes_changed()
            elif frame.kind == lib0.MessageType.AWARENESS:
                updates = lib0.read_awareness_update(body.var_bytes())
                if self.roster.apply(updates, self.clock.monotonic(), self.clock.now()):
                    self.observer.presence_changed()
            elif frame.kind == lib0.MessageType.SYNC_STATUS:
                self._acknowledged(body.var_uint() == 1)
            elif frame.kind == lib0.MessageType.CLOSE:
                await ws.close()
            # Stateless, QueryAwareness and unknown types: nothing to do.
        except lib0.Malformed:
            log.info("notes: a malformed %s frame was ignored", frame.kind)
        except ValueError:  # an update pycrdt could not apply
            log.info("notes: an update could not be applied")
        except RecursionError:  # a peer's structure nested beyond Python's stack
            log.info("notes: a %s frame nested too deeply was ignored", frame.kind)

    def _own_state(self) -> str:
        me = None if self.invisible else self.me()
        if me is None:
            return "{}"  # present for the protocol (keep-alive), invisible to the web app
        return json.dumps(announcement(me.user_id, me.name, me.role, self.clock.now()))

    async def _announce(self, ws: ClientConnection, document: str) -> None:
        self._clock += 1
        update = lib0.awareness_update([(self.doc.client_id, self._clock, self._own_state())])
        await ws.send(lib0.awareness(document, update))

    async def _renew(self, ws: ClientConnection, document: str) -> None:
        """Every 15 s: our awareness again (the keep-alive), and the others' stale states out."""
        while True:
            self._announce_now.clear()
            try:
                await asyncio.wait_for(self._announce_now.wait(), self.renew_every)
            except TimeoutError:
                pass
            await self._announce(ws, document)
            # Our state vector too: the server answers with its own and what we lack (nothing,
            # normally). A server that answers nothing for a while is gone even if the socket
            # is not: WebSocket pings are answered below the protocol, by the server's library.
            await ws.send(lib0.sync(document, lib0.SyncStep.STEP1, self.doc.get_state()))
            if self.clock.monotonic() - self._heard_at > self.silence:
                self._record("the notes server went silent")
                await ws.close(code=1000)
                return
            if self.roster.expire(self.clock.monotonic(), self.clock.now()):
                self.observer.presence_changed()


def _describe(exc: BaseException) -> str:
    """In words, without the URL's secrets or the token (none are in these messages)."""
    if isinstance(exc, ConnectionClosed):
        if exc.sent is not None and exc.sent.code == 1009:  # ours: a message over MAX_MESSAGE
            return "the notes server sent a message too large to read"
        code = exc.rcvd.code if exc.rcvd is not None else None
        if code in CLOSE_REASONS:
            return f"closed: {CLOSE_REASONS[code]}"
        return "the notes server closed the connection"
    if isinstance(exc, InvalidStatus):
        return f"the notes server answered {exc.response.status_code}"
    if isinstance(exc, TimeoutError):
        return "the notes server did not answer in time"
    if isinstance(exc, OSError):
        return f"cannot reach the notes server ({exc.strerror or type(exc).__name__})"
    return f"notes connection error ({type(exc).__name__})"
