"""Entry points used by the CLI for the commands that draw a screen."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import ssl
import tempfile
import threading
import uuid
from pathlib import Path

from coachtui.api.client import ApiClient
from coachtui.api.errors import Forbidden, NetworkError, NotFound, ServerError
from coachtui.config import state_dir
from coachtui.credentials import Credentials, CredentialStore
from coachtui.errors import UserError

log = logging.getLogger(__name__)


def _check_id(session_id: str) -> None:
    try:
        uuid.UUID(session_id)
    except ValueError:
        raise UserError(
            "That is not a session id (they look like 2d1e0c7a-5b7e-…); `coachtui sessions` lists yours."
        ) from None


async def _precheck(client: ApiClient, session_id: str | None) -> None:
    """Only a definite answer stops the launch (401, 403, 404): a server that cannot be reached
    or fails now may be back in a moment, and the screen says so while it retries."""
    async with client:
        if session_id is None:
            return
        try:
            await client.get_session(session_id)
        except (NotFound, Forbidden):
            raise UserError(
                "No coaching session with that id that you can see (`coachtui sessions` lists yours)."
            ) from None
        except (NetworkError, ServerError) as exc:
            log.info("precheck: %s; opening the session screen anyway", type(exc).__name__)


def run_session(
    client: ApiClient,
    creds: Credentials,
    store: CredentialStore,
    session_id: str | None,
    *,
    notify: str = "off",
    collab_url: str | None = None,
    invisible: bool = False,
    read_only: bool = False,
    ca_bundle: str | None = None,
) -> int:
    if session_id is not None:
        _check_id(session_id)
    # The check waits on the network, the import of the screens on the CPU: done together, a
    # round trip (a TLS handshake, on a remote server) is no longer added to every start.
    checked: list[BaseException] = []

    def precheck() -> None:
        try:
            asyncio.run(_precheck(client, session_id))
        except BaseException as exc:  # handed to the main thread, which raises it
            checked.append(exc)

    checking = threading.Thread(target=precheck, name="precheck")
    checking.start()
    try:
        from coachtui.tui.app import CoachApp
        from coachtui.tui.attention import NotifyMode
        from coachtui.tui.notes_showing import NotesOptions
    finally:
        checking.join()
    if checked:
        raise checked[0]

    api = client.for_new_loop()
    tls = ssl.create_default_context(cafile=str(ca_bundle)) if ca_bundle else None
    app = CoachApp(
        api,
        session_id,
        user_name=creds.display_name,
        on_logout=lambda: store.remove(creds.server),
        stored_login=lambda: store.get(creds.server),
        drafts_dir=state_dir(),
        notify=NotifyMode(notify),
        notes=NotesOptions(url=collab_url, invisible=invisible, read_only=read_only, ssl_context=tls),
    )
    code = app.run() or 0
    if api.era is not None:
        try:
            store.remember_era(creds.server, api.era)
        except Exception:  # remembering the era is an optimisation; never fail an exit over it
            pass
    return int(code)


def run_demo(
    *,
    profile: str,
    activity: bool,
    interval: float,
    notify: str = "off",
    invisible: bool = False,
    read_only: bool = False,
) -> int:
    from coachtui.devserver import require_server_extra

    require_server_extra()
    from coachtui.demo.coachee import simulate_coachee
    from coachtui.devserver.server import DevServer, ServerOptions
    from coachtui.tui.app import CoachApp
    from coachtui.tui.attention import NotifyMode
    from coachtui.tui.notes_showing import NotesOptions

    server = DevServer(ServerOptions(profile=profile, notes_activity=activity)).start()  # type: ignore[arg-type]
    demo = server.demo
    assert demo is not None
    throwaway = Path(tempfile.mkdtemp(prefix="coachtui-demo-"))
    os.chmod(throwaway, 0o700)
    store = CredentialStore(throwaway)  # never the user's real credentials
    try:
        login = ApiClient(server.url)

        async def sign_in() -> Credentials:
            async with login:
                result = await login.login(demo.coach.email, demo.coach.password)
            return Credentials(
                server=server.url, user_id=result.user.id, display_name=result.user.name, cookie=result.cookie
            )

        creds = asyncio.run(sign_in())
        store.save(creds)
        api = ApiClient(server.url, cookie=creds.cookie, user_id=creds.user_id)

        async def coachee() -> None:
            await simulate_coachee(
                server.url,
                demo.coachee.email,
                demo.coachee.password,
                demo.today_session_id,
                interval=interval,
            )

        app = CoachApp(
            api,
            demo.today_session_id,
            user_name=creds.display_name,
            activity=coachee if activity else None,
            on_logout=lambda: store.remove(server.url),
            drafts_dir=throwaway,  # the demo's data is thrown away too
            throwaway=True,  # (and ctrl+c in an editor says so, instead of promising a draft)
            notify=NotifyMode(notify),
            notes=NotesOptions(
                url=server.url.replace("http://", "ws://") + "/collab",
                invisible=invisible,
                read_only=read_only,
            ),
        )
        return int(app.run() or 0)
    finally:
        server.close()
        shutil.rmtree(throwaway, ignore_errors=True)
