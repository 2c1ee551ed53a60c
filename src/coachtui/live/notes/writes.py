"""Our writes to the shared notes: small Yjs operations, one transaction per user action.

The web app's editor deletes, for everyone, any element its schema rejects (notes-protocol.md
§5), so every write here builds only what TipTap itself stores — element and attribute names
and value types as @tiptap/y-tiptap writes them (numbers as floats: JavaScript has no ints) —
and never rewrites a block wholesale: a new block is one inserted subtree, an edit the
difference between the old and the new text applied as inserts and deletes (so the coachee's
typing in the same paragraph merges, and the marks on the text left alone stay), a tick one
attribute. Each action runs in one transaction with our origin, which the undo manager tracks:
`undo` takes back our last action only, never someone else's. Text offsets are converted to
the UTF-8 byte offsets pycrdt 0.14 counts in.

A block is addressed by its element (see `blocks.py`); one deleted meanwhile by someone else is
refused with `Gone` — a stale handle is never written through.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pycrdt import Doc, UndoManager, XmlElement, XmlFragment, XmlText

from coachtui.live.notes.blocks import HARD_BREAK, ITEM_KINDS, LIST_TAGS, Block, blocks, find, segments
from coachtui.live.notes.compose import Draft

ORIGIN = "coachtui"
# A node of the tree, read through pycrdt's wide unions (a parent may be the fragment, a child
# text): the walks below check the tag of each one they rely on.
Node = Any
_CONTAINERS = {"blockquote", "listItem", "taskItem"}  # where a block may follow another
_NEEDS_CONTENT = {"bulletList", "orderedList", "taskList", "blockquote", "table"}
_LIST_KINDS = {tag: kind for kind, tag in LIST_TAGS.items()}
_NOT_INCLUSIVE = {"link"}  # ProseMirror marks that typing at their edge does not extend


class NotWritable(Exception):
    """The action cannot be done on this block (said in words to the user)."""


class Gone(NotWritable):
    def __init__(self) -> None:
        super().__init__("That block was deleted meanwhile.")


class NotesWriter:
    def __init__(
        self,
        doc: Doc[Any],
        fragment: XmlFragment,
        on_change: Callable[[bytes], None] = lambda update: None,
        *,
        read_only: bool = False,
    ) -> None:
        self.doc = doc
        self.fragment = fragment
        self.on_change = on_change  # each action's update, to be sent
        self.read_only = read_only
        self.undo_manager = UndoManager(scopes=[fragment], capture_timeout_millis=0)
        self.undo_manager.include_origin(ORIGIN)

    @contextmanager
    def _action(self) -> Iterator[None]:
        if self.read_only:
            raise NotWritable("The notes are read-only here.")
        before = self.doc.get_state()
        with self.doc.transaction(origin=ORIGIN):
            yield
        self.on_change(self.doc.get_update(before))

    def _current(self, block: Block) -> Block:
        current = find(self.fragment, block.element)
        if current is None:
            raise Gone()
        return current

    # -- the actions ------------------------------------------------------------------------

    def insert_after(self, after: Block | None, draft: Draft, *, at_start: bool = False) -> Node:
        """A new block after `after` (when None: at the end, or with `at_start` at the start);
        returns its element (a block's)."""
        anchor = self._current(after) if after is not None else None
        with self._action():
            parent, index, kind = _place(self.fragment, anchor, draft)
            if anchor is None and at_start:
                index = 0
            item = _item(kind, draft)
            parent.children.insert(index, item if kind != draft.kind else _wrap(draft, item))
            element: Node = parent.children[index]
            if kind == draft.kind and element.tag in LIST_TAGS.values():
                element = element.children[0]
            if draft.text:
                is_item = kind.removeprefix("joined-") in ITEM_KINDS
                _insert(element.children[0] if is_item else element, 0, draft.text)
        return element

    def insert_near(self, block: Block, draft: Draft, shown: Sequence[Block]) -> Node:
        """A new block after `block` while it is there; once someone else deleted it, where it
        was: after the nearest block before it in `shown` (the version the user saw) that is
        still there, or at the start when none is. Returns its element."""
        alive = blocks(self.fragment)
        if any(other.element == block.element for other in alive):
            return self.insert_after(block, draft)
        at = next((n for n, other in enumerate(shown) if other.element == block.element), 0)
        for earlier in reversed(shown[:at]):
            anchor = next((other for other in alive if other.element == earlier.element), None)
            if anchor is not None:
                return self.insert_after(anchor, draft)
        return self.insert_after(None, draft, at_start=True)

    def edit(self, block: Block, text: str, base: str | None = None) -> None:
        """Make `block`'s text `text` by the fewest inserts and deletes (marks left alone stay).

        `base` is the text the user started from (the composer's first text). What differs
        between it and `text` is what the user did; it is applied where that text is now, so
        what others typed meanwhile stays (without `base`, the block's text now)."""
        current = self._current(block)
        if current.text_element is None:
            raise NotWritable("That block has no text to edit here.")
        target = current.text_element
        now = current.text()
        base = now if base is None else base
        opcodes = difflib.SequenceMatcher(None, base, text, autojunk=False).get_opcodes()
        if all(tag == "equal" for tag, *_ in opcodes):
            return
        where = _Rebase(base, now)
        with self._action():
            # From the end: each step leaves the positions before it as they were.
            for tag, i1, i2, j1, j2 in reversed(opcodes):
                start = where.start(i1)
                if tag in ("delete", "replace"):
                    _delete(target, start, max(where.end(i2), start))
                if tag in ("insert", "replace"):
                    _insert(target, start, text[j1:j2])

    def tick(self, block: Block, checked: bool | None = None) -> bool:
        """Tick (or untick) a task; None flips it. Returns the new state."""
        current = self._current(block)
        if current.kind != "task":
            raise NotWritable("Only a task can be ticked.")
        state = not current.checked if checked is None else checked
        with self._action():
            current.element.attributes["checked"] = state
        return state

    def delete(self, block: Block) -> None:
        """Delete a block (with what it holds); a list, quote or table it leaves empty goes too."""
        current = self._current(block)
        target: Node = current.element
        while True:
            parent = target.parent
            if isinstance(parent, XmlElement) and parent.tag in _NEEDS_CONTENT and len(parent.children) == 1:
                target = parent
            else:
                break
        with self._action():
            parent = target.parent
            assert parent is not None
            if isinstance(parent, XmlFragment) and len(parent.children) == 1:
                parent.children.append(XmlElement("paragraph"))  # a document is never empty
            del parent.children[_index(parent, target)]

    def undo(self) -> bool:
        """Take back our last action (only ours); False when there is none left."""
        if self.read_only or not self.undo_manager.can_undo():
            return False
        before = self.doc.get_state()
        self.undo_manager.undo()
        self.on_change(self.doc.get_update(before))
        return True

    @property
    def can_undo(self) -> bool:
        return not self.read_only and self.undo_manager.can_undo()


class _Rebase:
    """Positions in the text the user started from, mapped to the text as it is now."""

    def __init__(self, base: str, now: str) -> None:
        self.length = len(now)
        self.opcodes = difflib.SequenceMatcher(None, base, now, autojunk=False).get_opcodes()

    def _map(self, at: int, end: bool) -> int:
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag == "equal" and i1 <= at <= i2:
                return j1 + (at - i1)
            if i1 <= at < i2:  # in what someone else changed meanwhile: its edge
                return j2 if end else j1
        return self.length

    def start(self, at: int) -> int:
        return self._map(at, end=False)

    def end(self, at: int) -> int:
        return self._map(at, end=True)


# -- where a new block goes -------------------------------------------------------------------


def _place(fragment: XmlFragment, anchor: Block | None, draft: Draft) -> tuple[Node, int, str]:
    """(parent, index, kind) where the new node goes. `kind` is the draft's, or, when it joins
    the list it is written in, that list's item kind (the node is then an item, not a list)."""
    if anchor is None:
        return fragment, len(fragment.children), draft.kind
    element: Node = anchor.element
    if anchor.kind == "table-row":
        table = element.parent
        return table.parent, _index(table.parent, table) + 1, draft.kind
    item = _enclosing_item(element)
    if item is not None:
        lst = item.parent
        kind = _LIST_KINDS.get(lst.tag, "")
        if draft.kind == kind or (draft.kind == "paragraph" and kind in ("bullet", "ordered")):
            return lst, _index(lst, item) + 1, "joined-" + kind
        outer = _outermost_list(lst)
        return outer.parent, _index(outer.parent, outer) + 1, draft.kind
    while not isinstance(element.parent, XmlFragment) and element.parent.tag not in _CONTAINERS:
        element = element.parent  # inside an unknown node: after it
    return element.parent, _index(element.parent, element) + 1, draft.kind


def _enclosing_item(element: Node) -> Node:
    node = element
    while isinstance(node, XmlElement):
        if node.tag in ("listItem", "taskItem"):
            return node
        if node.tag in ("blockquote", "tableCell", "tableHeader"):
            return None
        node = node.parent
    return None


def _outermost_list(lst: Node) -> Node:
    while True:
        item = lst.parent
        if not (isinstance(item, XmlElement) and item.tag in ("listItem", "taskItem")):
            return lst
        lst = item.parent


def _item(kind: str, draft: Draft) -> Node:
    """The block itself, without a list: paragraph, heading, or list or task item (empty)."""
    kind = kind.removeprefix("joined-")
    if kind == "heading":
        return XmlElement("heading", _attrs(level=float(draft.level)))
    if kind == "task":
        return XmlElement("taskItem", _attrs(checked=draft.checked), [XmlElement("paragraph")])
    if kind in ("bullet", "ordered"):
        return XmlElement("listItem", None, [XmlElement("paragraph")])
    return XmlElement("paragraph")


def _wrap(draft: Draft, item: Node) -> Node:
    if draft.kind == "ordered":
        return XmlElement("orderedList", _attrs(start=float(draft.start)), [item])
    if draft.kind in ("bullet", "task"):
        return XmlElement(LIST_TAGS[draft.kind], None, [item])
    return item


def _attrs(**values: Any) -> Any:
    """Attributes with their JSON types (pycrdt stores any; its signature says str)."""
    return values


def _index(parent: Node, child: Node) -> int:
    for n, node in enumerate(parent.children):
        if node == child:
            return n
    raise Gone()


# -- text -------------------------------------------------------------------------------------


def _utf8(text: str, at: int) -> int:
    return len(text[:at].encode("utf-8"))


def _delete(element: Node, start: int, end: int) -> None:
    """Delete the characters [start, end) of `element`'s text (a hard break is one)."""
    spans: list[tuple[XmlText | XmlElement, str, int, int]] = []
    position = 0
    for text, node in segments(element):
        low, high = max(start, position), min(end, position + len(text))
        if low < high:
            spans.append((node, text, low - position, high - position))
        position += len(text)
    for node, text, low, high in reversed(spans):
        if isinstance(node, XmlText):
            del node[_utf8(text, low) : _utf8(text, high)]
        else:
            del element.children[_index(element, node)]


def _insert(element: Node, at: int, text: str) -> None:
    """Insert `text` at character `at`; in a paragraph or heading a newline becomes a hard break."""
    code = element.tag == "codeBlock"
    pieces = [text] if code else text.split("\n")
    node, offset, index = _text_at(element, at)
    existing = "".join(str(chunk) for chunk, _ in node.diff())
    marks = {} if code else _marks_at(node, existing, offset)
    if pieces[0]:
        node.insert(_utf8(existing, offset), pieces[0], marks)
    if len(pieces) == 1:
        return
    # A line break: what followed the insertion point moves after the break, marks and all.
    cut = offset + len(pieces[0])
    now = existing[:offset] + pieces[0] + existing[offset:]
    tail = _chunks_from(node, cut)
    if tail:
        del node[_utf8(now, cut) : _utf8(now, len(now))]
    for piece in pieces[1:]:
        element.children.insert(index + 1, XmlElement(HARD_BREAK))
        element.children.insert(index + 2, XmlText())
        index += 2
        node = element.children[index]
        if piece:
            node.insert(0, piece, marks)
    length = len(pieces[-1].encode("utf-8"))
    for chunk, attrs in tail:
        node.insert(length, chunk, attrs or {})
        length += len(chunk.encode("utf-8"))


def _text_at(element: Node, at: int) -> tuple[Node, int, int]:
    """The text node holding character `at` (the one before it at a boundary), its offset there,
    and its index among the element's children; a new empty one where there is none."""
    position = 0
    children = list(element.children)
    index = 0
    for n, (text, node) in enumerate(segments(element)):
        if isinstance(node, XmlText) and position <= at <= position + len(text):
            return node, at - position, n
        if position + len(text) <= at:
            index = n + 1
        position += len(text)
    index = min(index, len(children))
    element.children.insert(index, XmlText())
    return element.children[index], 0, index


def _marks_at(node: XmlText, text: str, offset: int) -> dict[str, Any]:
    """The marks typed text takes there, as ProseMirror decides: the character before's (the
    one after's at the start), less a non-inclusive mark (a link) the other side lacks."""
    before = _attrs_of(node, offset - 1) if offset > 0 else None
    after = _attrs_of(node, offset) if offset < len(text) else None
    main, other = (before, after) if before is not None else (after, None)
    if not main:
        return {}
    return {
        name: value
        for name, value in main.items()
        if name.split("--")[0] not in _NOT_INCLUSIVE or (other or {}).get(name) == value
    }


def _attrs_of(node: XmlText, at: int) -> dict[str, Any]:
    position = 0
    for chunk, attrs in node.diff():
        if position <= at < position + len(str(chunk)):
            return dict(attrs or {})
        position += len(str(chunk))
    return {}


def _chunks_from(node: XmlText, start: int) -> list[tuple[str, dict[str, Any] | None]]:
    out: list[tuple[str, dict[str, Any] | None]] = []
    position = 0
    for chunk, attrs in node.diff():
        chunk = str(chunk)
        if position + len(chunk) > start:
            out.append((chunk[max(start - position, 0) :], attrs))
        position += len(chunk)
    return out
