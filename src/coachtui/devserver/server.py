"""Run the devserver: in the foreground (`coachtui devserver`) or in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from websockets.exceptions import InvalidState

from coachtui.devserver.app import build_app
from coachtui.devserver.backend import Backend, Profile
from coachtui.devserver.demo_data import DemoData, seed_demo
from coachtui.devserver.notes import (
    NotesHub,
    checkin_notes,
    demo_notes,
    demo_seeds,
    kickoff_notes,
    simulate_typing,
)
from coachtui.devserver.store import PASSWORD_ITERATIONS, Store
from coachtui.loopback import is_loopback_host


@dataclass
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 0
    profile: Profile = "head"
    db: str | None = None
    demo_data: bool = True
    faults: bool = False
    keepalive: float = 15.0
    session_ttl: float = 86400.0
    seed: int | None = None
    password_iterations: int = PASSWORD_ITERATIONS  # tests lower it (see Store)
    now: dt.datetime | None = None  # pins the demo data's dates (snapshots)
    notes_activity: bool = False  # the demo's coachee types into today's notes and comes and goes
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


class _ThreadServer(uvicorn.Server):
    """uvicorn's server, told to stop from another thread and gone at once.

    uvicorn looks at `should_exit` every 0.1 s and then gives connections 0.1 s to finish, even
    when told to force the exit: 0.12-0.2 s of nothing for every devserver a test starts
    (issue 22). Here `stop()` wakes the loop, and a forced exit only lets the closes it asked for
    run; an unforced one (Ctrl-C) is uvicorn's own.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()

    def stop(self) -> None:
        self.should_exit = True
        self.force_exit = True
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                loop.call_soon_threadsafe(self._wake.set)

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if not self.force_exit:
            await super().shutdown(sockets)
            return
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            # uvicorn's WebSocket, between answering the peer's close and losing its transport,
            # tries to send a close of its own and raises (seen once in 612 tests): it is closing.
            with contextlib.suppress(InvalidState):
                connection.shutdown()
        await asyncio.sleep(0)  # the transports' closes, just asked for, run before the loop ends
        for server in self.servers:
            await server.wait_closed()


class DevServer:
    """A devserver on its own thread and event loop: `start()` returns once it accepts."""

    def __init__(self, options: ServerOptions | None = None) -> None:
        self.options = options or ServerOptions()
        if self.options.faults and not is_loopback_host(self.options.host):
            raise ValueError("fault controls are only available on a loopback address")
        self.store = Store(self.options.db, password_iterations=self.options.password_iterations)
        self.backend = Backend(
            self.store,
            self.options.profile,
            session_ttl=self.options.session_ttl,
            keepalive=self.options.keepalive,
        )
        self.demo: DemoData | None = None
        if self.options.demo_data and self.store.is_empty():
            self.demo = seed_demo(
                self.store, self.options.profile, seed=self.options.seed, now=self.options.now
            )
        if self.demo is not None:
            past, last, today = self.demo.session_ids
            self.backend.notes.seed_document = demo_seeds(
                {today: demo_notes, last: checkin_notes, past: kickoff_notes}
            )
            if self.options.notes_activity:
                coachee = self.demo.coachee
                today = self.demo.today_session_id
                names = {f"{today}-v0"}

                def activity(hub: NotesHub, name: str) -> Any:
                    if not any(name.endswith(n) for n in names):
                        return asyncio.sleep(0)  # other sessions' notes stay still
                    return simulate_typing(hub, name, coachee.user_id, coachee.name)

                self.backend.notes.activity = activity
        self.app = build_app(self.backend, faults=self.options.faults)
        self._server: _ThreadServer | None = None
        self._thread: threading.Thread | None = None
        self.port = self.options.port

    @property
    def scheme(self) -> str:
        return "https" if self.options.ssl_certfile else "http"

    @property
    def url(self) -> str:
        host = self.options.host
        return f"{self.scheme}://{'localhost' if self.options.ssl_certfile else host}:{self.port}"

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            host=self.options.host,
            port=self.options.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
            # Longer than the client's keep-alive (httpx: 5 s), so the client always drops an idle
            # connection first: with both at 5 s a request sent as the server closed it failed
            # with "the connection broke" (seen under load, where the two clocks drift apart).
            timeout_keep_alive=30,
            ssl_certfile=self.options.ssl_certfile,
            ssl_keyfile=self.options.ssl_keyfile,
        )

    def start(self, timeout: float = 10.0) -> DevServer:
        self._server = _ThreadServer(self._config())
        self._thread = threading.Thread(target=self._server.run, name="devserver", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"devserver could not listen on {self.options.host}:{self.options.port}")
            time.sleep(0.01)
        sock = self._server.servers[0].sockets[0]
        self.port = sock.getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def restart(self) -> None:
        """Stop and listen again on the same port (data kept): a backend restart."""
        self.options.port = self.port
        self.stop()
        self.app = build_app(self.backend, faults=self.options.faults)
        self.start()

    def close(self) -> None:
        self.stop()
        self.store.close()

    def bind(self) -> socket.socket:
        """Take the port now (OSError if it is busy), so nothing is announced before it is ours."""
        family = socket.AF_INET6 if ":" in self.options.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.options.host, self.options.port))
            sock.listen(2048)
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        return sock

    def serve_forever(self, sock: socket.socket | None = None) -> None:
        """Foreground mode for `coachtui devserver`: Ctrl-C stops it."""
        server = uvicorn.Server(self._config())
        asyncio.run(server.serve(sockets=[sock] if sock is not None else None))
