"""Getting the coach's attention when the terminal is not in front: a bell, or a desktop
notification the terminal raises (OSC 777 / OSC 9). Off by default (`--notify`).

Textual turns on the terminal's focus reporting (DECSET 1004), so the app learns when its
window loses and regains focus (AppBlur / AppFocus). Nothing is sent while it has focus: the
coach is looking at the screen already. A notification says how many changes and where, never
what was written: it may show on a lock screen or a shared display.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum

from coachtui.text import inert


class NotifyMode(StrEnum):
    OFF = "off"
    BELL = "bell"
    DESKTOP = "desktop"


def desktop_sequence(title: str, body: str, term_program: str | None = None) -> str:
    """The escape sequence the terminal turns into a system notification: OSC 9 for iTerm2
    (which has no OSC 777), OSC 777 for the others that have one (Ghostty, WezTerm, foot, kitty,
    urxvt). One, never both: a terminal with both would show it twice."""
    title, body = (inert(t, limit=120).replace(";", ",") for t in (title, body))
    program = term_program if term_program is not None else os.environ.get("TERM_PROGRAM", "")
    if program == "iTerm.app":
        return f"\x1b]9;{title}: {body}\x1b\\"
    return f"\x1b]777;notify;{title};{body}\x1b\\"


class Attention:
    def __init__(self, mode: NotifyMode, write: Callable[[str], None]) -> None:
        self.mode = mode
        self.write = write
        self.focused = True  # until the terminal says otherwise (not every terminal reports it)
        self.sent = 0

    def alert(self, body: str) -> None:
        """Something changed: ring or notify, if asked to and the terminal is not in front."""
        if self.mode is NotifyMode.OFF or self.focused:
            return
        self.sent += 1
        if self.mode is NotifyMode.BELL:
            self.write("\a")
        else:
            self.write(desktop_sequence("coachtui", body))
