"""`coachtui show`, `watch` and `add`: one session from a shell, for people and for scripts.

No Textual on these paths: `show` prints the panes once, `watch` runs the same live engine as
the TUI and prints one line per change (the same typed changes as its history), `add` creates
an action or an agreement and prints its id. Server text is printed inert, never as escapes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import sys
from typing import Any, TextIO

from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError, NotFound, SessionExpired
from coachtui.api.models import Action, Agreement, EnrichedSession, Goal, Status, User
from coachtui.commands import clean_session_id, logged_in_client, say_left_out, session_row
from coachtui.errors import UserError
from coachtui.live.changes import Change, ConnectionNote, Resync
from coachtui.live.engine import LiveEngine
from coachtui.live.events import Pane
from coachtui.live.forms import noun
from coachtui.live.model import SessionModel
from coachtui.live.observer import LiveObserver
from coachtui.live.status import ConnectionStatus, ConnState
from coachtui.text import inert, json_line

SHOW_SCHEMA = "coachtui.show/1"
WATCH_SCHEMA = "coachtui.watch/1"

# Exit codes of show, watch and add (their --help lists them: cli.EXIT_CODES).
EXIT_OK = 0
EXIT_ERROR = 1  # the server failed or could not be reached, or refused the request
EXIT_USAGE = 2  # bad arguments (argparse's own code)
EXIT_LOGIN = 3  # not logged in, or the login expired
EXIT_NOT_FOUND = 4  # no such coaching session (or not one of yours)


class ScriptError(UserError):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _session_id(args: argparse.Namespace) -> str:
    session_id = clean_session_id(args.session_id)
    if not session_id:
        raise ScriptError("Give a coaching session id (see `coachtui sessions`).", EXIT_USAGE)
    return session_id


def _client(args: argparse.Namespace) -> ApiClient:
    try:
        client, _, _ = logged_in_client(args)
    except UserError as exc:
        raise ScriptError(str(exc), EXIT_LOGIN) from None
    return client


def _failed(exc: ApiError) -> ScriptError:
    if isinstance(exc, NotFound):
        return ScriptError("No such coaching session (or it is not one of yours).", EXIT_NOT_FOUND)
    if isinstance(exc, SessionExpired):
        return ScriptError(f"{exc.message} Run `coachtui login`.", EXIT_LOGIN)
    return ScriptError(exc.message, EXIT_ERROR)


PREFIX_WINDOW = dt.timedelta(days=365)  # where an id prefix is looked for, both ways from today
FULL_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


async def resolve_session_id(api: ApiClient, given: str) -> str:
    """A whole id as it is; the start of one (as git takes a short hash) when exactly one of your
    sessions, a year back to a year ahead, starts with it."""
    if FULL_ID.fullmatch(given):
        return given
    today = dt.date.today()
    rows = await api.list_sessions(today - PREFIX_WINDOW, today + PREFIX_WINDOW)
    matches = {r.id for r in rows if r.id.lower().startswith(given.lower())}
    if len(matches) == 1:
        return matches.pop()
    shown = inert(given, limit=40)
    if not matches:
        raise ScriptError(
            f"None of your sessions (a year back to a year ahead) has an id starting with {shown!r}; "
            "see `coachtui sessions`.",
            EXIT_NOT_FOUND,
        )
    raise ScriptError(
        f"{len(matches)} of your sessions have an id starting with {shown!r}: give more of it.", EXIT_USAGE
    )


def run_script(args: argparse.Namespace, body: Any) -> int:
    """Run one command's coroutine; expected failures become a sentence on stderr and a code."""

    async def main() -> int:
        api = _client(args)
        try:
            session_id = await resolve_session_id(api, _session_id(args))
        except BaseException:
            await api.aclose()
            raise
        return int(await body(api, session_id))

    try:
        return asyncio.run(main())
    except ScriptError as exc:
        print(f"coachtui: {inert(str(exc))}", file=sys.stderr)
        return exc.code
    except ApiError as exc:
        failure = _failed(exc)
        print(f"coachtui: {inert(str(failure))}", file=sys.stderr)
        return failure.code
    except BrokenPipeError:  # `coachtui show … | head`: the reader has what it wanted
        _quiet_stdout()
        return EXIT_OK


def _quiet_stdout() -> None:
    """After a broken pipe, Python's exit would try to flush stdout again and complain."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# -- show -------------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    async def go(api: ApiClient, session_id: str) -> int:
        async with api:
            header = await api.session_details(session_id)
            goals = await api.session_goals(session_id)
            actions = await api.session_actions(session_id)
            agreements = await api.session_agreements(session_id)
        for rows, what in ((goals, "goal"), (actions, "action"), (agreements, "agreement")):
            say_left_out(rows, what)
        if args.json:
            print(json_line(show_json(header, goals, actions, agreements), indent=2))
        else:
            width = shutil.get_terminal_size((100, 24)).columns
            print("\n".join(show_text(header, goals, actions, agreements, width)))
        return EXIT_OK

    return run_script(args, go)


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": inert(user.name)} if user is not None else None


def show_json(
    header: EnrichedSession, goals: list[Goal], actions: list[Action], agreements: list[Agreement]
) -> dict[str, Any]:
    """The documented `--json` shape (README, "coachtui show --json")."""
    names = _names(header)
    session = session_row(header)
    session.update(
        title=inert(session["title"]) or None,
        coach=_person(header.coach),
        coachee=_person(header.coachee),
        organization=inert(session["organization"]) or None,
    )
    return {
        "schema": SHOW_SCHEMA,
        "session": session,
        "goals": [
            {
                "id": g.id,
                "title": inert(g.title),
                "status": g.status.value,
                "target_date": g.target_date.isoformat() if g.target_date else None,
            }
            for g in goals
        ],
        "actions": [
            {
                "id": a.id,
                "body": inert(a.body),
                "status": a.status.value,
                "due_by": a.due_by.isoformat() if a.due_by else None,
                "assignees": [{"id": i, "name": names.get(i)} for i in a.assignee_ids],
                "goal_id": a.goal_id,
            }
            for a in actions
        ],
        "agreements": [{"id": g.id, "body": inert(g.body)} for g in agreements],
    }


def _names(header: EnrichedSession) -> dict[str, str]:
    return {u.id: inert(u.name) for u in (header.coach, header.coachee) if u is not None}


def _date(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return "—"
    day = value.astimezone().date() if isinstance(value, dt.datetime) else value
    return day.strftime("%b %d") if day.year == dt.date.today().year else day.isoformat()


def show_text(
    header: EnrichedSession,
    goals: list[Goal],
    actions: list[Action],
    agreements: list[Agreement],
    width: int,
) -> list[str]:
    """Aligned plain text that fits `width` columns: long texts are cut with …, never wrapped."""
    width = max(width, 40)
    row = session_row(header)
    title = inert(row["title"]) or "(untitled session)"
    people = " with ".join(p for p in (f"{row['coach']} (coach)", f"{row['coachee']} (coachee)") if p)
    lines = [_fit(title, width), _fit(f"{row['local_time']} · {inert(people)}", width)]
    names = _names(header)

    def table(name: str, rows: list[list[str]], empty: str) -> None:
        lines.extend(["", f"{name} ({len(rows)})"])
        if not rows:
            lines.append(f"  {empty}")
            return
        fixed = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        room = width - 2 - sum(w + 2 for w in fixed)
        for r in rows:
            cells = [c.ljust(w) for c, w in zip(r, fixed, strict=False)]
            lines.append(("  " + "  ".join([*cells, _fit(r[-1], max(room, 10))])).rstrip())

    order = [Status.IN_PROGRESS, Status.NOT_STARTED, Status.ON_HOLD, Status.COMPLETED, Status.WONT_DO]
    goal_rows = sorted(goals, key=lambda g: order.index(g.status))
    table(
        "Goals",
        [[g.status.label, _date(g.target_date), inert(g.title) or "(untitled goal)"] for g in goal_rows],
        "No goals for this session.",
    )
    action_rows = sorted(actions, key=lambda a: order.index(a.status))
    table(
        "Actions",
        [
            [
                a.status.label,
                ("! " if _overdue(a) else "") + _date(a.due_by),
                _fit(", ".join(names.get(i, "someone") for i in a.assignee_ids) or "—", 24),
                inert(a.body) or "(no description)",
            ]
            for a in action_rows
        ],
        "No actions for this session.",
    )
    table("Agreements", [["•", inert(g.body) or "(empty)"] for g in agreements], "No agreements yet.")
    return lines


def _overdue(action: Action) -> bool:
    """Due before today and not done: marked `!`, as in the session screen."""
    done = action.status in (Status.COMPLETED, Status.WONT_DO)
    return action.due_by is not None and not done and action.due_by.astimezone().date() < dt.date.today()


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


# -- watch ------------------------------------------------------------------------------------


class _Printer(LiveObserver):
    """The engine's reports as lines on `out`, flushed one by one (so `| jq` sees each at once)."""

    def __init__(self, out: TextIO, as_json: bool) -> None:
        self.out = out
        self.as_json = as_json
        self.state: ConnState | None = None
        self.quiet = False
        self.model: SessionModel | None = None  # set once the engine exists
        self.ready = False  # every pane has loaded once
        self.stopped: asyncio.Future[ScriptError] = asyncio.get_running_loop().create_future()

    def _line(self, data: dict[str, Any], text: str) -> None:
        if self.quiet:
            return
        if self.as_json:
            self.out.write(json_line(data) + "\n")
        else:
            at = dt.datetime.fromisoformat(data["at"]).astimezone().strftime("%H:%M:%S")
            self.out.write(f"{at}  {text}\n")
        self.out.flush()

    def pane_changed(self, pane: Pane) -> None:
        if self.ready or self.model is None:
            return
        states = self.model.states.values()
        if all(s.loaded_once for s in states):
            self.ready = True
            counts = ", ".join(
                f"{len(s.items)} {noun(s.pane)}{'s' if len(s.items) != 1 else ''}"
                for s in states
                if s.pane is not Pane.HEADER
            )
            # On stderr: stdout carries changes only (a script reads every line of it as one).
            print(f"Watching ({counts}); Ctrl+C stops.", file=sys.stderr, flush=True)

    def changed(self, change: Change) -> None:
        text = change.summary(width=60)
        if change.origin.value == "resync":
            text = f"(while disconnected) {text}"
        self._line(change.to_json(), f"{_pane_name(change.pane):<10}  {text}")

    def resynced(self, report: Resync) -> None:
        self._line(report.to_json(), report.summary)

    def status_changed(self, status: ConnectionStatus) -> None:
        if status.state is self.state:
            return
        self.state = status.state
        detail = (
            status.last_error.message if status.last_error and status.state is not ConnState.CONNECTED else ""
        )
        note = ConnectionNote(dt.datetime.now(dt.UTC), status.state.value, detail)
        self._line(
            note.to_json(), f"Connection: {status.state.value}" + (f" ({inert(detail)})" if detail else "")
        )
        if status.state is ConnState.ERROR and status.login_expired:
            self._stop(ScriptError("The login expired; run `coachtui login`.", EXIT_LOGIN))

    def login_lost(self, message: str) -> None:
        self._stop(ScriptError(f"{message} Run `coachtui login`.", EXIT_LOGIN))

    def logged_out(self, reason: str) -> None:
        self._stop(ScriptError(f"Logged out by the server ({inert(reason, limit=200)}).", EXIT_LOGIN))

    def _stop(self, error: ScriptError) -> None:
        if not self.stopped.done():
            self.stopped.set_result(error)


def _pane_name(pane: Pane) -> str:
    return "Session" if pane is Pane.HEADER else pane.value.capitalize()


def cmd_watch(args: argparse.Namespace) -> int:
    async def go(api: ApiClient, session_id: str) -> int:
        async with api:
            await api.get_session(session_id)  # an unknown id fails here, with its own exit code
            printer = _Printer(sys.stdout, args.json)
            engine = LiveEngine(api, session_id, printer)
            printer.model = engine.model
            running = asyncio.ensure_future(engine.run())
            interrupted = asyncio.Event()
            with contextlib.suppress(NotImplementedError, RuntimeError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGINT, interrupted.set)
            waiting = asyncio.ensure_future(interrupted.wait())
            try:
                ends: set[asyncio.Future[Any]] = {running, printer.stopped, waiting}
                await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
            finally:
                printer.quiet = True  # stopping is not news: no "Disconnected" line on Ctrl+C
                running.cancel()
                waiting.cancel()
                await asyncio.gather(running, waiting, return_exceptions=True)
            if printer.stopped.done():
                raise printer.stopped.result()
            if running.done() and not running.cancelled() and running.exception() is not None:
                raise ScriptError(
                    f"The live connection stopped ({type(running.exception()).__name__}).", EXIT_ERROR
                )
            return EXIT_OK

    try:
        return run_script(args, go)
    except KeyboardInterrupt:  # before the handler was in place: stopping is what was asked
        return EXIT_OK


# -- add --------------------------------------------------------------------------------------


def _due(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ScriptError(f"--due {text!r} is not a date like 2026-12-31.", EXIT_USAGE) from None
    return dt.datetime.combine(day, dt.time()).astimezone()  # midnight here, as the web app sends it


def cmd_add(args: argparse.Namespace) -> int:
    text = (args.text or "").strip()
    if not text:
        print(f"coachtui: Write something: an empty {args.kind} cannot be saved.", file=sys.stderr)
        return EXIT_USAGE

    async def go(api: ApiClient, session_id: str) -> int:
        async with api:
            if args.kind == "agreement":
                await api.get_session(session_id)
                item: Any = await api.create_agreement(session_id, text)
            else:
                due = _due(args.due)
                header = await api.session_details(session_id)
                await api.session_goals(session_id)  # learns the backend's era
                people = {"coach": header.coach, "coachee": header.coachee}
                assignees = []
                for role in dict.fromkeys(args.assign or []):
                    user = people.get(role)
                    if user is None:
                        raise ScriptError(f"This session has no {role} to assign.", EXIT_ERROR)
                    assignees.append(user.id)
                item = await api.create_action(
                    session_id, text, status=Status.NOT_STARTED, due_by=due, assignee_ids=assignees
                )
        print(inert(item.id))
        return EXIT_OK

    return run_script(args, go)
