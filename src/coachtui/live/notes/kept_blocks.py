"""The notes' blocks, kept from one version of the document to the next: a live edit walks again
only the top-level nodes it touched (a keystroke in one paragraph of 2,000 converts that
paragraph), the others' lines are reused as they were.

What an edit touched comes from the document itself (a deep observer on the fragment: each
event's path starts at the index of the top-level node it changed), so nothing is compared and
nothing can be missed; a node added is new to the cache, a node deleted is forgotten.
"""

from __future__ import annotations

from typing import Any

from pycrdt import XmlFragment

from coachtui.live.notes.blocks import Block, blocks_of
from coachtui.live.notes.document import Found, Line, walk_node


class KeptBlocks:
    def __init__(self, fragment: XmlFragment) -> None:
        self.fragment = fragment
        self._parts: dict[Any, tuple[list[Line], list[Found]]] = {}  # per top-level node
        self._touched: set[Any] = set()
        self._unsure = False  # an event whose node could not be told: walk everything
        self.walked = 0  # top-level nodes walked (tests count them)
        fragment.observe_deep(self._changed)

    def _changed(self, events: list[Any]) -> None:
        for event in events:
            try:
                path = event.path
                if path:
                    self._touched.add(self.fragment.children[path[0]])
            except Exception:
                self._unsure = True

    def blocks(self) -> list[Block]:
        """The document's blocks now, as `blocks.blocks` would make them."""
        kept = {} if self._unsure else self._parts
        touched, self._touched, self._unsure = self._touched, set(), False
        parts: dict[Any, tuple[list[Line], list[Found]]] = {}
        lines: list[Line] = []
        found: list[Found] = []
        for child in self.fragment.children:
            part = None if touched and child in touched else kept.get(child)
            if part is None:
                own: list[Found] = []
                part = (walk_node(child, own), own)
                self.walked += 1
            parts[child] = part
            at = len(lines)
            found.extend(Found(p.element, p.text, p.kind, p.start + at) for p in part[1])
            lines.extend(part[0])
        self._parts = parts
        return blocks_of(lines, found)
