"""What each `coachtui` command does. Imported only once a command runs (not for --help)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import logging
import os
import re
import shutil
import sys
from collections.abc import Coroutine
from typing import Any

from coachtui import API_VERSION
from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError
from coachtui.api.http import normalize_base_url
from coachtui.api.responses import Readable
from coachtui.config import DEFAULT_SERVER, config_dir, server_from_env
from coachtui.credentials import Credentials, CredentialsError, CredentialStore
from coachtui.errors import UserError
from coachtui.loopback import is_loopback
from coachtui.session_list import session_order
from coachtui.text import inert, json_line

log = logging.getLogger("coachtui")


# -- helpers ---------------------------------------------------------------------------------


def _store() -> CredentialStore:
    return CredentialStore(config_dir())


def resolve_server(args: argparse.Namespace, store: CredentialStore | None = None) -> str:
    raw = args.server or server_from_env()
    if raw is None and store is not None:
        try:
            raw = store.default_server()
        except CredentialsError:
            raw = None
    try:
        return normalize_base_url(raw or DEFAULT_SERVER)
    except ValueError as exc:
        raise UserError(f"{exc}; give a URL like http://localhost:4000 or https://host/api") from None


def _tls(args: argparse.Namespace) -> bool | str:
    return str(args.ca_bundle) if getattr(args, "ca_bundle", None) else True


def _stored_login(args: argparse.Namespace) -> tuple[CredentialStore, str, Credentials | None]:
    """The credential store, the server the command is for, and the login stored for it."""
    store = _store()
    server = resolve_server(args, store)
    try:
        return store, server, store.get(server)
    except CredentialsError as exc:
        raise UserError(str(exc)) from None


def logged_in_client(args: argparse.Namespace) -> tuple[ApiClient, Credentials, CredentialStore]:
    store, server, creds = _stored_login(args)
    if creds is None:
        raise UserError(f"Not logged in to {server}; run `coachtui login --server {server}`.")
    client = ApiClient(
        server,
        cookie=creds.cookie,
        user_id=creds.user_id,
        era=creds.era,
        verify=_tls(args),
        api_version=args.api_version,
    )
    return client, creds, store


def _run(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)


# -- commands --------------------------------------------------------------------------------


def cmd_login(args: argparse.Namespace) -> int:
    store = _store()
    server = resolve_server(args, store)
    if server.startswith("http://") and not is_loopback(server):
        print(f"warning: {server} is plain http; your password would travel unencrypted.", file=sys.stderr)
    email = args.email or input("E-mail: ").strip()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
    if not email or not password:
        raise UserError("An e-mail and a password are needed to log in.")

    async def go() -> int:
        async with ApiClient(server, verify=_tls(args), api_version=args.api_version) as api:
            result = await api.login(email, password)
        try:
            store.save(
                Credentials(
                    server=server, user_id=result.user.id, display_name=result.user.name, cookie=result.cookie
                )
            )
        except CredentialsError as exc:
            raise UserError(str(exc)) from None
        print(f"Logged in to {server} as {inert(result.user.name)}.")
        return 0

    return _run(go())


def cmd_logout(args: argparse.Namespace) -> int:
    store, server, creds = _stored_login(args)
    if creds is None:
        print(f"Not logged in to {server}; nothing to do.")
        return 0

    async def go() -> int:
        note = ""
        async with ApiClient(server, cookie=creds.cookie, user_id=creds.user_id, verify=_tls(args)) as api:
            try:
                await api.logout()
            except ApiError as exc:
                note = f" (the server could not be told: {exc})"
        store.remove(creds.server)
        print(f"Logged out of {server}; stored credentials removed{note}.")
        return 0

    return _run(go())


SESSIONS_WINDOW = dt.timedelta(days=30)  # `coachtui sessions` lists this far back and ahead


def cmd_sessions(args: argparse.Namespace) -> int:
    today = dt.date.today()
    start = args.from_date or today - SESSIONS_WINDOW
    end = args.to_date or today + SESSIONS_WINDOW
    if end < start:
        raise UserError("--to must not be before --from.")
    client, _, _ = logged_in_client(args)

    async def go() -> int:
        async with client:
            read = await client.list_sessions(start, end)
        say_left_out(read, "coaching session")
        rows = session_order(read, today)
        if args.json:
            print(json_line([session_row(r) for r in rows], indent=2))
            return 0
        if not rows:
            print(f"No coaching sessions between {start} and {end}.")
            return 0
        table = [["DATE", "COACH", "COACHEE", "TITLE", "ID"]]
        for r in rows:
            d = session_row(r)
            table.append([d["local_time"], d["coach"], d["coachee"], d["title"] or "—", d["id"]])
        widths = [min(max(len(row[i]) for row in table), cap) for i, cap in enumerate((20, 20, 20, 40, 36))]
        # The id must stay whole (people copy it); the title gives way on a narrow terminal.
        spare = shutil.get_terminal_size((120, 24)).columns - (sum(widths) + 2 * (len(widths) - 1))
        if spare < 0:
            widths[3] = max(8, widths[3] + spare)
        for row in table:
            print(
                "  ".join(inert(cell, limit=w).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        return 0

    return _run(go())


def say_left_out(rows: Readable[Any], noun: str) -> None:
    """On stderr (stdout may be JSON a script reads): the records a list answer had that could
    not be read, and so are not shown."""
    if rows.unreadable:
        one = rows.unreadable == 1
        what, verb = (noun, "is") if one else (f"{noun}s", "are")
        print(f"{rows.unreadable} {what} could not be read and {verb} left out.", file=sys.stderr)


def session_row(r: Any) -> dict[str, Any]:
    local = r.date.astimezone()
    return {
        "id": r.id,
        "date": r.date.isoformat(),
        "local_time": local.strftime("%a %Y-%m-%d %H:%M"),
        "title": r.title or r.display_title,
        "coach": r.coach.name if r.coach else "",
        "coachee": r.coachee.name if r.coachee else "",
        "organization": r.organization.name if r.organization else "",
    }


_COMPLETION_TIMEOUT = 3.0  # seconds; a shell waiting on <Tab> gets nothing rather than a hang
_PLAIN_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # what the shell is given back as a word


def session_id_choices(args: argparse.Namespace) -> dict[str, str]:
    """Shell completion of a session id: the sessions `coachtui sessions` lists, each id described
    by its date, people and title (zsh and fish show that). Not logged in, server down, too slow:
    nothing is offered and nothing is said (a shell prompt is no place for an error)."""
    ns = argparse.Namespace(
        server=getattr(args, "server", None),
        ca_bundle=getattr(args, "ca_bundle", None),
        api_version=getattr(args, "api_version", None) or API_VERSION,
    )
    today = dt.date.today()
    try:
        client, _, _ = logged_in_client(ns)

        async def go() -> list[Any]:
            async with client:
                rows = await client.list_sessions(today - SESSIONS_WINDOW, today + SESSIONS_WINDOW)
            return session_order(rows, today)

        rows = asyncio.run(asyncio.wait_for(go(), _COMPLETION_TIMEOUT))
    except (UserError, ApiError, TimeoutError, OSError) as exc:
        log.debug("no session ids to complete: %s", type(exc).__name__)
        return {}
    choices: dict[str, str] = {}
    for r in rows:
        d = session_row(r)
        if _PLAIN_ID.fullmatch(d["id"]):
            people = " and ".join(name for name in (d["coach"], d["coachee"]) if name)
            choices[d["id"]] = inert(f"{d['local_time']} {people}: {d['title'] or '—'}", limit=72)
    return choices


def cmd_completion(args: argparse.Namespace) -> int:
    from argcomplete.shell_integration import shellcode

    print(shellcode(["coachtui"], shell=args.shell), end="")
    return 0


def cmd_session(args: argparse.Namespace) -> int:
    from coachtui.tui.launch import run_session

    client, creds, store = logged_in_client(args)
    url = args.collab_url or os.environ.get("COACHTUI_COLLAB_URL") or None
    if url is not None and not url.startswith(("ws://", "wss://")):
        raise UserError(f"--collab-url {url!r} must start with wss:// (or ws:// for a local server).")
    return run_session(
        client,
        creds,
        store,
        clean_session_id(args.session_id),
        notify=args.notify,
        collab_url=url,
        invisible=args.invisible,
        read_only=notes_read_only(args),
        ca_bundle=args.ca_bundle,
    )


def clean_session_id(raw: str | None) -> str | None:
    """An id pasted with the spaces or quotes around it is still the id."""
    if raw is None:
        return None
    return raw.strip().strip("'\"").strip() or None


def cmd_demo(args: argparse.Namespace) -> int:
    from coachtui.tui.launch import run_demo

    return run_demo(
        profile=args.profile,
        activity=not args.no_activity,
        interval=args.interval,
        notify=args.notify,
        invisible=args.invisible,
        read_only=notes_read_only(args),
    )


def notes_read_only(args: argparse.Namespace) -> bool:
    """`--read-only`, or the setting COACHTUI_NOTES_READ_ONLY (1, true, yes, on)."""
    setting = os.environ.get("COACHTUI_NOTES_READ_ONLY", "").strip().lower()
    return bool(args.read_only) or setting in ("1", "true", "yes", "on")


def cmd_devserver(args: argparse.Namespace) -> int:
    from coachtui.devserver import require_server_extra

    require_server_extra()
    from coachtui.devserver.demo_data import DEMO_LOGINS
    from coachtui.devserver.server import DevServer, ServerOptions

    server = DevServer(
        ServerOptions(
            host=args.host,
            port=args.port,
            profile=args.profile,
            db=args.db,
            demo_data=args.demo_data,
            faults=args.faults,
            keepalive=args.keepalive,
        )
    )
    try:
        sock = server.bind()
    except OSError as exc:
        server.close()
        raise UserError(
            f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc} "
            "(is another devserver running? try --port)."
        ) from None
    url = devserver_url(args.host, server.port)
    print(f"coachtui devserver ({args.profile} profile) on {url}")
    if args.demo_data:
        if server.demo is None:
            print(f"Using the existing data in {args.db}.")
        print("Demo users (e-mail / password):")
        for email, password in DEMO_LOGINS:
            print(f"  {email:<22} {password}")
        if server.demo is not None:
            print(f"Today's session: {server.demo.today_session_id}")
    print(f"Shared notes: {url.replace('http://', 'ws://')}/collab (coachtui finds them by itself)")
    print(f"Try: coachtui login --server {url} --email coach@example.com")
    print("Stop with Ctrl-C.", flush=True)
    try:
        server.serve_forever(sock)
    except KeyboardInterrupt:
        pass
    return 0


def devserver_url(host: str, port: int) -> str:
    """The URL people type: `localhost` for the loopback default (as the README says)."""
    shown = "localhost" if host in ("127.0.0.1", "localhost") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"
