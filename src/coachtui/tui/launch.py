"""Entry points used by the CLI for the commands that draw a screen."""

from __future__ import annotations

import time

from coachtui.api.client import ApiClient
from coachtui.credentials import Credentials, CredentialStore


def run_session(client: ApiClient, creds: Credentials, store: CredentialStore, session_id: str | None) -> int:
    raise NotImplementedError("the live session view is not built yet")


def run_demo(*, profile: str, activity: bool, interval: float) -> int:
    """Until the TUI exists: start the devserver with demo data and say how to reach it."""
    from coachtui.devserver import require_server_extra

    require_server_extra()
    from coachtui.devserver.server import DevServer, ServerOptions

    server = DevServer(ServerOptions(profile=profile)).start()  # type: ignore[arg-type]
    demo = server.demo
    assert demo is not None
    print(f"Demo backend ({profile}) on {server.url}; coach: {demo.coach.email} / {demo.coach.password}")
    print(f"Try: coachtui sessions --server {server.url} after coachtui login. Ctrl-C stops.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.close()
