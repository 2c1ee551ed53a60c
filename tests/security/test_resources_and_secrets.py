"""What a server can cost us, and where secrets could slip out: the line splitter's work is linear
in the bytes received; the awareness roster is capped; log lines are redacted with their
arguments, private, and hold no megabyte of event name; the cookie and the notes token are
never plain in a local a traceback would print."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.pretty import pretty_repr

from coachtui.api.client import ApiClient
from coachtui.api.records import SecretStr
from coachtui.live import framing
from coachtui.live.framing import LineSplitter
from coachtui.live.notes.presence import MAX_LAST_SEEN, MAX_REMOTE, MAX_STATE, Roster
from coachtui.logs import setup_logging

AT = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


class CountingEol:
    """The splitter's end-of-line pattern, counting the characters it is asked to scan."""

    def __init__(self) -> None:
        self.scanned = 0
        self.pattern = re.compile(r"\r\n|\r|\n")

    def finditer(self, text: str) -> Any:
        self.scanned += len(text)
        return self.pattern.finditer(text)


def test_one_long_line_in_small_chunks_is_scanned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    eol = CountingEol()
    monkeypatch.setattr(framing, "_EOL", eol)
    splitter = LineSplitter(1024 * 1024)
    line = "data: " + "x" * (512 * 1024)
    fed = 0
    for start in range(0, len(line), 64):
        splitter.feed(line[start : start + 64])
        fed += len(line[start : start + 64])
    assert splitter.feed("\n") == [line]
    assert eol.scanned == fed + 1  # every character once: no rescanning of what is buffered


@given(st.text(alphabet="ab\r\n", max_size=300), st.lists(st.integers(1, 40), max_size=40))
def test_the_splitter_finds_the_lines_of_the_whole_text(text: str, cuts: list[int]) -> None:
    splitter = LineSplitter(10_000)
    got: list[str | None] = []
    at = 0
    for size in [*cuts, len(text)]:
        got += splitter.feed(text[at : at + size])
        at += size
    expected = re.split(r"\r\n|\r|\n", text)[:-1]
    assert got == expected


def test_the_roster_keeps_a_bounded_number_of_states() -> None:
    roster = Roster(own_client=1)
    states = [
        (n, 1, json.dumps({"presence": {"userId": f"u{n}", "relationshipRole": "Coach"}}))
        for n in range(2, 2 + 10 * MAX_REMOTE)
    ]
    roster.apply(states, 0.0, AT)
    assert len(roster._remote) == MAX_REMOTE
    roster.apply([(2, 2, "x" * (MAX_STATE + 1))], 0.0, AT)  # too large to read: as if it left
    roster.clear(AT)
    assert len(roster._last_seen) <= MAX_LAST_SEEN
    deep = "[" * 5000 + "]" * 5000  # small enough to be read, too deep for json.loads
    assert len(deep) <= MAX_STATE and Roster(own_client=1).apply([(9, 1, deep)], 0.0, AT) is False


def test_log_lines_are_redacted_with_their_arguments_and_private(tmp_path: Path) -> None:
    path = setup_logging(True)
    assert path is not None
    log = logging.getLogger("coachtui.test")
    cookie = "id=" + "s3cr3tC00kieValue"
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"
    log.info("headers: %s", {"Cookie": cookie})
    log.info("token %s and %d", jwt, 7)
    log.info("a title from the server: %s", "\x1b]0;owned\x07ok")
    log.info("bad format %d", "not a number")
    for handler in logging.getLogger("coachtui").handlers:
        handler.flush()
    written = path.read_text(encoding="utf-8")
    assert "s3cr3tC00kieValue" not in written and "c2lnbmF0dXJl" not in written
    assert "id=<redacted>" in written and "token <redacted> and 7" in written
    assert "\x1b" not in written and "\x07" not in written
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_megabyte_event_name_is_not_logged_whole(tmp_path: Path) -> None:
    from coachtui.live.events import decode

    event = decode("x" * 1_000_000, "not json")
    assert len(event.type) <= 64


def test_the_cookie_is_hidden_in_what_a_traceback_prints() -> None:
    api = ApiClient("http://127.0.0.1:9", cookie="plain-cookie-value-123", user_id="u")
    headers = api.auth_headers()
    assert headers["Cookie"].endswith("plain-cookie-value-123")  # sent as it is
    for shown in (repr(headers), pretty_repr({"headers": headers}), repr(api), pretty_repr(api)):
        assert "plain-cookie-value-123" not in shown
    assert "plain" not in pretty_repr(SecretStr("plain"))  # what the notes token is kept in
