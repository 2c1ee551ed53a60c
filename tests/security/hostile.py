"""Hostile text for property tests, and the checks that none of it reached an output."""

from __future__ import annotations

import re

from hypothesis import strategies as st

from coachtui.text import UNSAFE

PIECES = [
    "[bold red]x[/]",
    "[/oops]",
    "[link=https://evil]click[/link]",
    "[@click=app.quit]q[/]",
    "\x1b[31m",
    "\x1b]0;owned\x07",  # OSC 0: the window title
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: the clipboard
    "\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1bP+q\x1b\\",  # DCS
    "\x1b[201~rm -rf ~\n",  # the end of a bracketed paste, then a command
    "\x1b[2J",
    "\x9b31m",  # 8-bit CSI
    "\x9d0;owned\x9c",  # 8-bit OSC
    "\u202eevil",
    "\u2066",
    "\u200b",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u2028",
    "\U000e0041",  # a language tag
    "\ud800",  # a lone surrogate
    "\udfff",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\x08",
    "\x00",
    "\x7f",
    "漢字",
    "e\u0301",
    "👩‍👩‍👧",
    "[",
    "]",
    "\\",
    "x" * 500,
]

hostile = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), min_size=1, max_size=12).map(
    "".join
)
long_line = st.integers(1, 4000).map(lambda n: ("long " * n)[:20_000])
hostile_text = st.one_of(hostile, hostile, long_line)

_ONE_LINE = re.compile(f"{UNSAFE.pattern}|[\\n\\t]")


def leaks(text: str, *, lines: bool = False) -> list[str]:
    """The characters in `text` that no output may hold (newlines allowed if `lines`)."""
    pattern = UNSAFE if lines else _ONE_LINE
    return sorted({f"U+{ord(c):04X}" for c in pattern.findall(text)})


# How long a wait may take before it counts as a hang: these tests drive a whole app on a shared
# two-core machine; a passing run never waits this long.
PATIENCE = 30.0
