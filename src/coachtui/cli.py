"""The `coachtui` command. Imports Textual only for the commands that draw a screen."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import json
import logging
import shutil
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from coachtui import __version__
from coachtui.api.client import ApiClient, is_loopback, normalize_base_url
from coachtui.api.errors import ApiError
from coachtui.config import DEFAULT_SERVER, config_dir, server_from_env
from coachtui.credentials import Credentials, CredentialsError, CredentialStore
from coachtui.logs import setup_logging
from coachtui.text import inert

log = logging.getLogger("coachtui")

EPILOG = """examples:
  coachtui demo                                   try everything on a built-in local server
  coachtui login --server https://myrefactor.com/api
  coachtui sessions --from 2026-11-01 --to 2026-11-30
  coachtui session 2d1e0c7a-…                     open one coaching session live
  coachtui devserver --port 4000                  run a local backend for two-terminal trials
"""


class UserError(Exception):
    """An expected failure: its message is printed as is, exit code 1."""


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


def logged_in_client(args: argparse.Namespace) -> tuple[ApiClient, Credentials, CredentialStore]:
    store = _store()
    server = resolve_server(args, store)
    try:
        creds = store.get(server)
    except CredentialsError as exc:
        raise UserError(str(exc)) from None
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


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-26") from None


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
    store = _store()
    server = resolve_server(args, store)
    try:
        creds = store.get(server)
    except CredentialsError as exc:
        raise UserError(str(exc)) from None
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
        store.remove(server)
        print(f"Logged out of {server}; stored credentials removed{note}.")
        return 0

    return _run(go())


def cmd_sessions(args: argparse.Namespace) -> int:
    today = dt.date.today()
    start = args.from_date or today - dt.timedelta(days=30)
    end = args.to_date or today + dt.timedelta(days=30)
    if end < start:
        raise UserError("--to must not be before --from.")
    client, _, _ = logged_in_client(args)

    async def go() -> int:
        async with client:
            rows = await client.list_sessions(start, end)
        rows.sort(key=lambda r: r.date)
        if args.json:
            print(json.dumps([session_row(r) for r in rows], indent=2))
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


def cmd_session(args: argparse.Namespace) -> int:
    from coachtui.tui.launch import run_session

    client, creds, store = logged_in_client(args)
    return run_session(client, creds, store, args.session_id)


def cmd_demo(args: argparse.Namespace) -> int:
    from coachtui.tui.launch import run_demo

    return run_demo(profile=args.profile, activity=not args.no_activity, interval=args.interval)


def cmd_devserver(args: argparse.Namespace) -> int:
    from coachtui.devserver import require_server_extra

    require_server_extra()
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
    print(f"coachtui devserver ({args.profile} profile) on http://{args.host}:{args.port}")
    if server.demo is not None:
        d = server.demo
        print("Demo users (e-mail / password):")
        for u in (d.coach, d.coachee, d.other_coachee):
            print(f"  {u.email:<22} {u.password}")
        print(f"Today's session: {d.today_session_id}")
    elif args.db and args.demo_data:
        print(f"Using the existing data in {args.db}.")
    print(f"Try: coachtui login --server http://{args.host}:{args.port} --email coach@example.com")
    print("Stop with Ctrl-C.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


# -- parser ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--server",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="backend URL, e.g. http://localhost:4000 or https://myrefactor.com/api "
        "(default: $COACHTUI_SERVER, else the last server you logged in to)",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="write a debug log (no cookies, passwords or coaching content) and say where",
    )
    common.add_argument(
        "--ca-bundle",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="trust this CA file for https (SSL_CERT_FILE is honoured too)",
    )
    common.add_argument(
        "--api-version",
        metavar="V",
        default=argparse.SUPPRESS,
        help="X-Version header to send (default: 1.0.0-beta1)",
    )

    parser = argparse.ArgumentParser(
        prog="coachtui",
        parents=[common],
        description="Follow a refactor-platform coaching session live from your terminal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"coachtui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help_text: str, example: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            parents=[common],
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p

    p = add(
        "login",
        cmd_login,
        "log in and store the session cookie (never the password)",
        "printf '%s\\n' \"$PASS\" | coachtui login --server http://localhost:4000 \\\n"
        "      --email coach@example.com --password-stdin",
    )
    p.add_argument("--email", metavar="E", help="account e-mail (asked for when missing)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of a prompt",
    )

    add(
        "logout",
        cmd_logout,
        "log out on the server and delete the stored credentials",
        "coachtui logout --server http://localhost:4000",
    )

    p = add(
        "sessions",
        cmd_sessions,
        "list your coaching sessions (30 days back to 30 days ahead)",
        "coachtui sessions --from 2026-11-01 --to 2026-12-31 --json",
    )
    p.add_argument("--from", dest="from_date", type=_parse_date, metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="to_date", type=_parse_date, metavar="DATE", help="last day, YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = add(
        "session",
        cmd_session,
        "open a coaching session live (a picker when no id is given)",
        "coachtui session 2d1e0c7a-5b7e-4c1e-9a55-0f3c4d2b1a77",
    )
    p.add_argument(
        "session_id", nargs="?", metavar="ID", help="coaching session id (see `coachtui sessions`)"
    )

    p = add(
        "demo",
        cmd_demo,
        "run the app against a built-in local server with demo data",
        "coachtui demo --profile seed --no-activity",
    )
    p.add_argument(
        "--profile",
        choices=("head", "seed"),
        default="head",
        help="backend generation to imitate: head (current) or seed (January 2026)",
    )
    p.add_argument("--no-activity", action="store_true", help="do not simulate the coachee's edits")
    p.add_argument(
        "--interval", type=float, default=4.0, metavar="S", help="seconds between simulated edits (default 4)"
    )

    p = add(
        "devserver",
        cmd_devserver,
        "run a local backend that speaks the real wire protocol",
        "coachtui devserver --port 4000 --profile head --db /tmp/coach.sqlite",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=4000, help="port (default 4000)")
    p.add_argument(
        "--profile", choices=("head", "seed"), default="head", help="backend generation to imitate"
    )
    p.add_argument(
        "--db", metavar="PATH", help="SQLite file to keep data across restarts (default: in memory)"
    )
    p.add_argument(
        "--no-demo-data",
        dest="demo_data",
        action="store_false",
        help="start empty instead of with demo users and sessions",
    )
    p.add_argument("--demo-data", dest="demo_data", action="store_true", default=True, help=argparse.SUPPRESS)
    p.add_argument(
        "--faults", action="store_true", help="enable the /_dev fault controls for tests (loopback only)"
    )
    p.add_argument(
        "--keepalive",
        type=float,
        default=15.0,
        metavar="S",
        help="seconds of silence before a keep-alive comment (default 15)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in (
        ("server", None),
        ("debug", False),
        ("ca_bundle", None),
        ("api_version", "1.0.0-beta1"),
    ):
        if not hasattr(args, name):
            setattr(args, name, default)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    log_path = setup_logging(args.debug)
    if log_path is not None:
        print(f"Debug log: {log_path}", file=sys.stderr)
    try:
        return int(args.func(args))
    except (ApiError, UserError, CredentialsError) as exc:
        print(f"coachtui: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        from coachtui.devserver import INSTALL_HINT, ServerExtraMissing

        if isinstance(exc, ServerExtraMissing) or getattr(exc, "name", "") in (
            "starlette",
            "uvicorn",
            "sse_starlette",
        ):
            print(f"coachtui: {INSTALL_HINT}", file=sys.stderr)
            return 1
        raise
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
