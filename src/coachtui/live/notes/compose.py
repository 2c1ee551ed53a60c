"""What a line typed in the composer becomes: TipTap's own input rules, read once when it is written.

`[ ] ` a task, `[x] ` a ticked one, `- ` `+ ` or `* ` a bullet, `1. ` a numbered item (starting
at that number), `# ` to `###### ` a heading, anything else a paragraph — the same prefixes the
web app's editor turns into those blocks as one types them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coachtui.live.notes.blocks import Block

_TASK = re.compile(r"^\s*\[([ xX]?)\]\s")
_BULLET = re.compile(r"^\s*[-+*]\s")
_ORDERED = re.compile(r"^(\d{1,9})\.\s")
_HEADING = re.compile(r"^(#{1,6})\s")


@dataclass(frozen=True)
class Draft:
    kind: str  # paragraph, heading, bullet, ordered, task
    text: str
    level: int = 0  # a heading's
    checked: bool = False  # a task's
    start: int = 1  # a new numbered list's first number


def parse(line: str) -> Draft:
    if match := _TASK.match(line):
        return Draft("task", line[match.end() :], checked=match.group(1) in ("x", "X"))
    if match := _BULLET.match(line):
        return Draft("bullet", line[match.end() :])
    if match := _ORDERED.match(line):
        return Draft("ordered", line[match.end() :], start=int(match.group(1)))
    if match := _HEADING.match(line):
        return Draft("heading", line[match.end() :], level=len(match.group(1)))
    return Draft("paragraph", line)


def like(block: Block, text: str) -> Draft:
    """A new block of `block`'s kind holding `text`: a block deleted by someone else while its
    text was being edited here is written again as new (a task keeps its tick, a heading its
    level; a quote, code block or unknown block comes back as a paragraph)."""
    if block.kind in ("bullet", "ordered"):
        return Draft(block.kind, text)
    if block.kind == "task":
        return Draft("task", text, checked=bool(block.checked))
    if block.kind == "heading":
        return Draft("heading", text, level=block.level)
    return Draft("paragraph", text)
