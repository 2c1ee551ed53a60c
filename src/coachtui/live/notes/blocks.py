"""The notes as a flat list of blocks, the unit a cursor moves over and a write addresses.

A block is what the Notes pane shows as one item: a paragraph, a heading, a list or task item
(with its first paragraph; an item's further paragraphs and nested lists are blocks of their own),
a paragraph in a quote, a code block, a rule, a table row, or an unknown node. Each holds its
lines exactly as `document.render` draws them (the same walk records where each block starts)
and a handle to its Yjs element: the handle stays valid whatever the others insert or delete around
it, so a cursor and a write follow the block, not an index; and, in a `notes_doc`, after the element
itself is deleted elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from coachtui.live.notes.document import Found, Line, walk

HARD_BREAK = "hardBreak"
LIST_TAGS = {"bullet": "bulletList", "ordered": "orderedList", "task": "taskList"}
ITEM_KINDS = ("bullet", "ordered", "task")


@dataclass(frozen=True, eq=False)
class Block:
    kind: str  # paragraph, heading, bullet, ordered, task, quote, code, rule, table-row, other
    element: XmlElement  # the block itself (for a list or task item: the item)
    text_element: XmlElement | None  # whose children are its text; None when it has none to edit
    lines: tuple[Line, ...]
    first_line: int  # its first line in `render(fragment)` (before trailing empty lines are cut)
    # As they were when the block was read: a block deleted meanwhile is written again as it was.
    level: int = 0  # a heading's level (1 to 6); 0 for anything else
    checked: bool | None = None  # a task's state; None for anything else

    @property
    def editable(self) -> bool:
        return self.text_element is not None

    def text(self) -> str:
        """Its text as the composer edits it: hard breaks as newlines, other inline nodes left out."""
        if self.text_element is None:
            return ""
        return "".join(segment for segment, _ in segments(self.text_element))


def blocks(fragment: XmlFragment) -> list[Block]:
    found: list[Found] = []
    return blocks_of(walk(fragment, found), found)


def blocks_of(lines: list[Line], found: list[Found]) -> list[Block]:
    """The blocks of `walk`'s lines, from where it found each one starting."""
    ends = [place.start for place in found[1:]] + [len(lines)] if found else []  # (no children)
    return [
        Block(
            place.kind,
            place.element,
            place.text,
            tuple(lines[place.start : end]),
            place.start,
            level=_level(place.element) if place.kind == "heading" else 0,
            checked=_checked(place.element) if place.kind == "task" else None,
        )
        for place, end in zip(found, ends, strict=True)
    ]


def notes_doc() -> Doc[Any]:
    """A document to hold the notes in: one that keeps what the others delete (`skip_gc`).

    A block keeps a handle to its element, and the composer, the cursor and a write hold blocks
    while the others edit. pycrdt otherwise frees a deleted element's memory, and reading it
    through an old handle crashes the whole process (a segfault, not an exception); a freed
    element's address can also be reused, and an old handle then equals a new element."""
    return Doc(skip_gc=True)


def _level(element: XmlElement) -> int:
    value = _attribute(element, "level")
    return min(max(int(value), 1), 6) if isinstance(value, int | float) else 1


def _checked(element: XmlElement) -> bool:
    """(The web app writes a bool; older writers the string "true".)"""
    return _attribute(element, "checked") in (True, "true")


def find(fragment: XmlFragment, element: XmlElement) -> Block | None:
    """The block whose element is `element` now, or None when it is gone (deleted meanwhile)."""
    return next((block for block in blocks(fragment) if block.element == element), None)


def segments(element: XmlElement) -> list[tuple[str, XmlText | XmlElement]]:
    """An element's inline content as (text, node): each text node's text, "\\n" per hard break,
    "" for an inline node of another kind (kept, never edited)."""
    out: list[tuple[str, XmlText | XmlElement]] = []
    for child in element.children:
        if isinstance(child, XmlText):
            out.append(("".join(str(text) for text, _ in child.diff()), child))
        elif isinstance(child, XmlElement):
            out.append(("\n" if child.tag == HARD_BREAK else "", child))
    return out


def _attribute(element: XmlElement, name: str) -> object:
    try:
        return element.attributes.get(name)
    except Exception:  # a value pycrdt cannot read back is as good as absent
        return None
