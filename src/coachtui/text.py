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
overrides, embeddings and isolates, zero-width and every other default-ignorable (invisible)
character, line and paragraph separators, and lone surrogates (which cannot be written to a
terminal at all). Blank-looking characters (the braille blank, em spaces…) count as spaces where a
run of spaces collapses.
Rich markup is the TUI's concern: it renders with `Text`/`Content`, never parses markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt, unchanged since Unicode
# 14): characters a renderer draws as nothing. Among them bidi embeddings/overrides/isolates and
# marks, ZWSP/ZWNJ/ZWJ, word joiner, invisible operators, BOM, soft hyphen, the combining grapheme
# joiner, Khmer inherent vowels, Mongolian and other variation selectors, shorthand and musical
# format controls, language tags, and the Hangul fillers (blank, and 0 or 2 cells wide depending on
# who measures). Rich measures them all as 0 cells while terminals draw some of them, so a run of
# them shifts a row's columns, or hides the rest of a line. Plus the interlinear annotation
# controls (U+FFF9–FFFB). tests/security/test_hostile_text.py checks this against every format
# character Python's unicodedata knows.
_FORMAT = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff"
)
# Blank-looking characters other than the space: one-line places show each as a space (so a run of
# them collapses like spaces do), JSON escapes the braille blank, and a copy collapses their runs,
# so none of them can push the tail of a line out of sight.
_BLANK = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u2800\u3000"
_SURROGATE = "\ud800-\udfff"
_LINE_BREAKS = "\u2028\u2029\u0085"  # (U+0085 is also C1)

# Replaced by a space (they separate words, or look like a space) / removed (they are invisible).
_CONTROL_ONE_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_LINE_BREAKS}{_BLANK}]")
_CONTROL_KEEP_LINES = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_LINE_BREAKS}]")
_INVISIBLE = re.compile(f"[{_FORMAT}{_SURROGATE}]")
_SPACES = re.compile(r" {2,}")
_BLANK_RUN = re.compile(f"[ {_BLANK}]{{2,}}")

# What `json.dumps` leaves raw: DEL, C1, separators, formatting, surrogates (C0 it escapes itself,
# and a newline outside a string is `indent`'s).
_JSON_UNSAFE = re.compile(f"[\\x7f-\\x9f{_LINE_BREAKS}{_FORMAT}{_SURROGATE}\\u2800]")

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
    (ESC[201~) nor run anything the text did not show. A run of blank-looking characters other
    than spaces (braille blanks, em spaces…) becomes one space: it cannot push a command far to
    the right of what a pasted line shows."""
    return _BLANK_RUN.sub(_one_space, printable(value))


def _one_space(match: re.Match[str]) -> str:
    run = match.group()
    return " " if run.strip(" ") else run  # (a run of plain spaces is the text's own indentation)


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
