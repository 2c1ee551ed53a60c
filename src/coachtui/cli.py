"""The `coachtui` command line: parsing only. Command bodies live in `coachtui.commands` and are
imported after parsing, so `coachtui --help` starts in a few tens of milliseconds."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from coachtui import API_VERSION, __version__

TYPE_CHECKING = False  # typing itself costs ~5 ms of start-up; mypy still reads this block
if TYPE_CHECKING:
    from datetime import date
    from types import ModuleType
    from typing import Any

EPILOG = """examples:
  coachtui demo                                   try everything on a built-in local server
  coachtui login --server https://myrefactor.com/api
  coachtui sessions --from 2026-11-01 --to 2026-11-30
  coachtui session 2d1e0c7a-…                     open one coaching session live
  coachtui show 2d1e0c7a-… --json                 print a session's goals, actions, agreements
  coachtui watch 2d1e0c7a-… --json | jq .summary  follow its changes from a shell
  coachtui add action 2d1e0c7a-… "Book a skip-level" --due 2026-12-04 --assign coachee
  coachtui devserver --port 4000                  run a local backend for two-terminal trials
  eval "$(coachtui completion bash)"              shell completion (also zsh, fish)
"""


# The exit codes of show, watch and add (coachtui.scripting returns them).
EXIT_CODES = """exit codes:
  0  done (watch: stopped with Ctrl+C)
  1  the server failed, could not be reached, or refused the request
  2  bad arguments
  3  not logged in, or the login expired: run `coachtui login`
  4  no such coaching session, or not one of yours
"""


def _parse_date(value: str) -> date:
    from datetime import date as day  # not imported for --help

    try:
        return day.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-26") from None


def version_text() -> str:
    """What a bug report needs: coachtui's version, the API version it speaks, Textual's and Python's.

    Textual's version comes from the installed package's metadata: importing Textual would cost
    `coachtui --version` a quarter of a second."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        textual = version("textual")
    except PackageNotFoundError:
        textual = "not installed"
    python = ".".join(str(n) for n in sys.version_info[:3])
    return (
        f"coachtui {__version__}\n"
        f"API version {API_VERSION} (the X-Version header it sends; --api-version changes it)\n"
        f"Textual {textual}, Python {python}"
    )


class _Version(argparse.Action):
    """`--version`, worked out only when asked for (argparse's own wants the text up front)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(version_text())
        parser.exit()


def _session_id_argument(p: argparse.ArgumentParser, **kwargs: Any) -> None:
    """The ID positional; a shell with completion offers the ids `coachtui sessions` lists."""
    action = p.add_argument(
        "session_id", metavar="ID", help="coaching session id (see `coachtui sessions`)", **kwargs
    )
    action.completer = _complete_session_ids  # type: ignore[attr-defined]  # argcomplete's hook


def _complete_session_ids(parsed_args: argparse.Namespace, **_: object) -> dict[str, str]:
    from coachtui.commands import session_id_choices

    return session_id_choices(parsed_args)


# -- parser ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    # Options every command has, and those only the commands that talk to a server have: `demo`
    # and `devserver` run their own, so their --help must not offer --server.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="write a debug log (no cookies, passwords or coaching content) and say where",
    )
    client = argparse.ArgumentParser(add_help=False)
    client.add_argument(
        "--server",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="backend URL, e.g. http://localhost:4000 or https://myrefactor.com/api "
        "(default: $COACHTUI_SERVER, else the last server you logged in to)",
    )
    client.add_argument(
        "--ca-bundle",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="trust this CA file for https (SSL_CERT_FILE is honoured too)",
    )
    client.add_argument(
        "--api-version",
        metavar="V",
        default=argparse.SUPPRESS,
        help=f"X-Version header to send (default: {API_VERSION})",
    )

    parser = argparse.ArgumentParser(
        prog="coachtui",
        parents=[common, client],
        description="Follow a refactor-platform coaching session live from your terminal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action=_Version, help="show the version, the API version it speaks and Textual's"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(
        name: str, command: str, help_text: str, example: str, *, talks_to_server: bool = True
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            parents=[common, client] if talks_to_server else [common],
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(command_name=command)
        return p

    p = add(
        "login",
        "login",
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
        "logout",
        "log out on the server and delete the stored credentials",
        "coachtui logout --server http://localhost:4000",
    )

    p = add(
        "sessions",
        "sessions",
        "list your coaching sessions (30 days back to 30 days ahead)",
        "coachtui sessions --from 2026-11-01 --to 2026-12-31 --json",
    )
    p.add_argument("--from", dest="from_date", type=_parse_date, metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="to_date", type=_parse_date, metavar="DATE", help="last day, YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = add(
        "session",
        "session",
        "open a coaching session live (a picker when no id is given)",
        "coachtui session 2d1e0c7a-5b7e-4c1e-9a55-0f3c4d2b1a77",
    )
    _session_id_argument(p, nargs="?")
    _notify_option(p)
    _notes_options(p, url=True)

    from_shell = "\n\n" + "no Textual on this path: works in scripts, pipes and cron"

    def script(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        p = add(name, name, help_text, example)
        p.epilog = f"{p.epilog}\n\n{EXIT_CODES}"
        p.description = f"{help_text}.{from_shell}"
        _session_id_argument(p)
        return p

    p = script(
        "show",
        "print a session's header, goals, actions and agreements once",
        "coachtui show 2d1e0c7a-5b7e-4c1e-9a55-0f3c4d2b1a77 --json | jq '.actions[].body'",
    )
    p.add_argument("--json", action="store_true", help="print JSON (schema coachtui.show/1, see the README)")
    p = script(
        "watch",
        "print one line per change to a session until Ctrl+C",
        "coachtui watch 2d1e0c7a-5b7e-4c1e-9a55-0f3c4d2b1a77 --json | jq -r .summary",
    )
    p.add_argument("--json", action="store_true", help="JSON Lines, one object per change (see the README)")

    add_parser = sub.add_parser(
        "add",
        help="create an action or an agreement from a shell; prints its id",
        description="Create an action or an agreement from a shell; prints its id.",
    )
    kinds = add_parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, example in (
        ("action", 'coachtui add action 2d1e0c7a-… "Book a skip-level" --due 2026-12-04 --assign coachee'),
        ("agreement", 'coachtui add agreement 2d1e0c7a-… "We meet every Thursday"'),
    ):
        p = kinds.add_parser(
            kind,
            parents=[common, client],
            help=f"add an {kind}",
            description=f"Create an {kind} in a coaching session and print its id.{from_shell}",
            epilog=f"example:\n  {example}\n\n{EXIT_CODES}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(command_name="add")
        _session_id_argument(p)
        p.add_argument("text", metavar="TEXT", help=f"the {kind}'s text")
        if kind == "action":
            p.add_argument("--due", metavar="DATE", help="due date, YYYY-MM-DD (default: none)")
            p.add_argument(
                "--assign",
                action="append",
                choices=("coach", "coachee"),
                help="assign it to the coach or the coachee (repeat for both)",
            )

    p = add(
        "demo",
        "demo",
        "run the app against a built-in local server with demo data",
        "coachtui demo --profile seed --no-activity",
        talks_to_server=False,
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
    _notify_option(p)
    _notes_options(p, url=False)

    p = add(
        "devserver",
        "devserver",
        "run a local backend that speaks the real wire protocol",
        "coachtui devserver --port 4000 --profile head --db /tmp/coach.sqlite",
        talks_to_server=False,
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

    p = add(
        "completion",
        "completion",
        "print the shell code that completes coachtui's commands, options and session ids",
        "coachtui completion fish > ~/.config/fish/completions/coachtui.fish",
        talks_to_server=False,
    )
    p.epilog = (
        "examples:\n"
        '  eval "$(coachtui completion bash)"    in ~/.bashrc\n'
        '  eval "$(coachtui completion zsh)"     in ~/.zshrc, after compinit\n'
        "  coachtui completion fish > ~/.config/fish/completions/coachtui.fish"
    )
    p.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell to complete in")
    return parser


def _notes_options(p: argparse.ArgumentParser, *, url: bool) -> None:
    p.add_argument(
        "--invisible",
        action="store_true",
        help="read the shared notes without announcing yourself (the others see no presence dot)",
    )
    p.add_argument(
        "--read-only",
        action="store_true",
        help="never write in the shared notes: the Notes pane's n, enter, x, d and z are off "
        "(also $COACHTUI_NOTES_READ_ONLY=1)",
    )
    if url:
        p.add_argument(
            "--collab-url",
            metavar="URL",
            default=None,
            help="the notes server (default: $COACHTUI_COLLAB_URL, else wss://{app}.collab.tiptap.cloud "
            "from the notes token)",
        )


def _notify_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--notify",
        choices=("off", "bell", "desktop"),
        default="off",
        help="when the terminal is not in front and the other participant changes something: ring "
        "the bell, or raise a desktop notification through the terminal (OSC 777/9; see the README "
        "for which terminals); default off",
    )


SCREEN_COMMANDS = ("session", "demo")  # the commands that draw a screen


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    if argv is None and "_ARGCOMPLETE" in os.environ:
        # The shell asks for completions (the code `coachtui completion` printed): answer and exit.
        # Checked before importing argcomplete, so that every other start pays nothing for it.
        import argcomplete

        argcomplete.autocomplete(parser, always_complete_options=False)
    args = parser.parse_args(argv)
    for name, default in (
        ("server", None),
        ("debug", False),
        ("ca_bundle", None),
        ("api_version", API_VERSION),
    ):
        if not hasattr(args, name):
            setattr(args, name, default)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    from coachtui import startup_heap

    if args.command_name in SCREEN_COMMANDS:
        startup_heap.hold()  # until the screen has its data (the app settles it)
    try:
        return _run_command(args)
    finally:
        startup_heap.release()


def _run_command(args: argparse.Namespace) -> int:
    from coachtui import commands
    from coachtui.api.errors import ApiError
    from coachtui.credentials import CredentialsError
    from coachtui.errors import UserError
    from coachtui.logs import setup_logging
    from coachtui.text import inert

    log_path = setup_logging(args.debug)
    if log_path is not None:
        print(f"Debug log: {log_path}", file=sys.stderr)
    module: ModuleType = commands
    if args.command_name in ("show", "watch", "add"):
        from coachtui import scripting as module  # exit codes of their own (see their --help)
    try:
        return int(getattr(module, f"cmd_{args.command_name}")(args))
    except (ApiError, UserError, CredentialsError) as exc:
        print(f"coachtui: {inert(str(exc))}", file=sys.stderr)
        return 1
    except ImportError as exc:
        from coachtui.devserver import SERVER_MODULES, ServerExtraMissing, server_missing_message

        top = (exc.name or "").partition(".")[0]
        if not isinstance(exc, ServerExtraMissing) and top not in SERVER_MODULES:
            raise
        print(
            f"coachtui: {exc if isinstance(exc, ServerExtraMissing) else server_missing_message([top])}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
