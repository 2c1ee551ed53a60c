"""Make text from the server inert before it reaches a terminal.

Control characters (C0, C1, DEL: the start of every ANSI/OSC escape), bidi overrides and
isolates, and line breaks are replaced, so a title can neither style, move the cursor, reorder
the line, nor break a one-line layout. Rich markup is the TUI's concern: it renders with
`Text`, never parses markup.
"""

from __future__ import annotations

import re

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}]")


def inert(value: str | None, *, limit: int | None = None) -> str:
    """One safe line: unsafe characters become a space (runs collapse), trimmed, optionally cut."""
    if not value:
        return ""
    text = _UNSAFE.sub(" ", value)
    text = re.sub(r" {2,}", " ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


_UNSAFE_KEEP_LINES = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")


def printable(value: str | None) -> str:
    """Text for an editor: like `inert` but line breaks and tabs stay and nothing is cut."""
    return _UNSAFE_KEEP_LINES.sub(" ", (value or "").replace("\r\n", "\n"))
