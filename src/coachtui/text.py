"""Making other people's text safe, for each place it goes.

Names, titles, texts, notes, awareness states and error bodies come from the server or from the
other participant: hostile. Before any of it reaches a destination it passes through the one
function here for that destination:

- `inert`: a terminal cell or any one-line place (table cells, headers, status bar, stderr lines,
  log arguments): one line, no control characters.
- `label`: a widget label (choices, checkboxes): `inert`, cut; the TUI wraps it in `Text`, never
  markup.
- `notice`: a toast or desktop notification: lines kept, each inert, the whole cut.
- `printable`: an editor's text: lines and tabs kept, nothing cut.
- `clipboard`: what `c` copies (OSC 52): the printable text, newlines kept, no escape of any kind.
- `json_line`: one JSON document for `--json` output, every control and invisible formatting
  character escaped as `\\u…`, other non-ASCII text kept as it is.
- `log_value`: an argument of a log line: inert and short.

What is removed: C0 and C1 controls and DEL (the start of every CSI/OSC/DCS escape), bidi
overrides, embeddings and isolates, zero-width and other invisible formatting characters, line
and paragraph separators, and lone surrogates (which cannot be written to a terminal at all).
Rich markup is the TUI's concern: it renders with `Text`/`Content`, never parses markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Bidi embeddings/overrides/isolates and marks, zero-width and invisible formatting characters
# (ZWSP/ZWNJ/ZWJ, word joiner, invisible operators, BOM, Mongolian vowel separator, soft hyphen,
# interlinear annotations), language tags.
_FORMAT = (
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f"
    # Hangul fillers: blank, and as wide as 0 or 2 cells depending on who measures (Rich vs the
    # terminal), so a run of them hides the rest of a line or shifts a row's columns.
    "\u115f\u1160\u3164\uffa0"
)
_SURROGATE = "\ud800-\udfff"
_LINE_BREAKS = "\u2028\u2029\u0085"  # (U+0085 is also C1)

# Replaced by a space (they separate words) / removed (they are invisible).
_CONTROL_ONE_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_LINE_BREAKS}]")
_CONTROL_KEEP_LINES = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_LINE_BREAKS}]")
_INVISIBLE = re.compile(f"[{_FORMAT}{_SURROGATE}]")
_SPACES = re.compile(r" {2,}")

# What `json.dumps` leaves raw: DEL, C1, separators, formatting, surrogates (C0 it escapes itself,
# and a newline outside a string is `indent`'s).
_JSON_UNSAFE = re.compile(f"[\\x7f-\\x9f{_LINE_BREAKS}{_FORMAT}{_SURROGATE}]")

UNSAFE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_LINE_BREAKS}{_FORMAT}{_SURROGATE}]")
"""Any character that must never reach an output from the data (tests check outputs with it;
newline and tab are allowed where lines are kept)."""


def _cut(text: str, limit: int | None) -> str:
    if limit is not None and len(text) > limit:
        return text[: max(limit - 1, 0)] + "…"
    return text


def inert(value: str | None, *, limit: int | None = None) -> str:
    """One safe line: controls and line breaks become a space (runs collapse), invisible
    formatting characters go, trimmed, optionally cut to `limit` characters."""
    if not value:
        return ""
    text = _INVISIBLE.sub("", _CONTROL_ONE_LINE.sub(" ", str(value)))
    return _cut(_SPACES.sub(" ", text).strip(), limit)


def label(value: str | None, *, limit: int = 60) -> str:
    """A widget label (a choice, a checkbox) made of server text: one inert, short line."""
    return inert(value, limit=limit)


def printable(value: str | None) -> str:
    """Text for an editor: like `inert` but line breaks and tabs stay and nothing is cut."""
    text = (value or "").replace("\r\n", "\n")
    return _INVISIBLE.sub("", _CONTROL_KEEP_LINES.sub(" ", text))


def notice(value: str | None, *, limit: int = 400) -> str:
    """A toast or a desktop notification: its lines kept (at most 8), each one inert."""
    lines = [inert(line) for line in printable(value).split("\n")][:8]
    return _cut("\n".join(lines).strip("\n"), limit)


def clipboard(value: str | None) -> str:
    """What a copy puts on the clipboard: printable text with its newlines (CRLF as LF), tabs
    kept; no escape character of any kind, so pasting it can neither end a bracketed paste
    (ESC[201~) nor run anything the text did not show."""
    return printable(value)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells these as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_line(value: Any, *, indent: int | None = None) -> str:
    """JSON for a terminal or a pipe: every control, bidi, zero-width or other invisible
    formatting character (and lone surrogates) escaped as `\\u…`; the rest of the non-ASCII text
    as it is. (Those characters can only be inside strings, where `\\u…` means the same.)"""
    return _JSON_UNSAFE.sub(_escape, json.dumps(value, ensure_ascii=False, indent=indent))


def log_value(value: Any, *, limit: int = 80) -> str:
    """An argument of a log line: inert and short (a server can send a megabyte of name)."""
    return inert(str(value), limit=limit)
