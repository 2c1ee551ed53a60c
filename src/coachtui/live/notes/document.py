"""The notes document (ProseMirror in Yjs, as @tiptap/y-tiptap stores it) as terminal lines.

The notes are the `Y.XmlFragment` named "default": each ProseMirror node a `Y.XmlElement` named
after its type, with its attributes; each run of text a `Y.XmlText` whose formatting attributes
are the marks (`{"bold": {}}`, `{"link": {"href": …}}`). This walks it into `Line`s of `Span`s —
text plus mark names — that know nothing of Rich or Textual: the TUI styles them. Unknown nodes
show their text and unknown marks are dropped, never a crash; text is made printable (no control
or bidi characters) here, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pycrdt import XmlElement, XmlFragment, XmlText

from coachtui.text import printable

FRAGMENT = "default"
KNOWN_MARKS = ("bold", "italic", "strike", "underline", "code", "highlight", "link")
_HASHED = re.compile(r"--[A-Za-z0-9+/=_-]{8}$")  # overlapping marks are stored as `name--<hash>`
MAX_DEPTH = 40  # nested blocks shown; deeper ones are "…" (a hostile document nests thousands)
UNSHOWN = "This part of the notes could not be shown"


@dataclass(frozen=True)
class Span:
    text: str
    marks: frozenset[str] = frozenset()  # of KNOWN_MARKS; "url" for a link's address shown after it


@dataclass
class Line:
    """One line of the notes. `kind`: p, h1…h6, quote, code, rule, table, table-head, empty."""

    spans: list[Span] = field(default_factory=list)
    kind: str = "p"
    prefix: str = ""  # indentation, bullet, number, checkbox, quote bar

    @property
    def plain(self) -> str:
        return self.prefix + "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Found:
    """Where one addressable block starts in the lines (read by `blocks.py`).

    `element` is the block itself (a paragraph, heading, list or task item, code block, rule,
    table row, or an unknown node); `text` the element holding its inline content, if any."""

    element: XmlElement
    text: XmlElement | None
    kind: str  # paragraph, heading, bullet, ordered, task, quote, code, rule, table-row, other
    start: int


def render(fragment: XmlFragment) -> list[Line]:
    """The whole document; [] when it is empty (or one empty paragraph, as a new one is)."""
    return trim(walk(fragment))


def trim(lines: list[Line]) -> list[Line]:
    """`walk`'s lines as shown: without trailing empty lines; [] when nothing is left."""
    lines = list(lines)
    while lines and not lines[-1].plain.strip() and lines[-1].kind != "rule":
        lines.pop()
    return lines if any(line.plain.strip() or line.kind == "rule" for line in lines) else []


def walk(fragment: XmlFragment, found: list[Found] | None = None) -> list[Line]:
    """Every line, trailing empty ones included; with `found`, where each block starts."""
    lines: list[Line] = []
    for child in fragment.children:
        lines.extend(walk_node(child, found, len(lines)))
    return lines


def walk_node(child: Any, found: list[Found] | None = None, at: int = 0) -> list[Line]:
    """One top-level node's lines (what it adds to `walk`'s), `at` lines into the document."""
    # One bad node (a shape no renderer foresaw) costs its own block, never the document.
    part: list[Line] = []
    mark = len(found) if found is not None else 0
    try:
        _block(child, part, "", "", found=found, at=at)
    except Exception:
        part = [Line([Span(UNSHOWN, frozenset({"italic"}))])]
        if found is not None:
            del found[mark:]
    return part


def _tag(node: Any) -> str:
    return str(node.tag) if isinstance(node, XmlElement) else ""


def _attr(node: XmlElement, name: str) -> Any:
    try:
        return node.attributes.get(name)
    except Exception:  # a value pycrdt cannot read back is as good as absent
        return None


def _block(
    node: Any,
    out: list[Line],
    first: str,
    rest: str,
    kind: str = "p",
    depth: int = 0,
    *,
    found: list[Found] | None = None,
    at: int = 0,
) -> None:
    """Append `node`'s lines; the first starts with `first`, the others with `rest`. `at`: how
    many lines come before `out` in the document (where a found block starts)."""
    if isinstance(node, XmlText):
        _inline_lines([node], out, first, rest, kind)
        return
    if not isinstance(node, XmlElement):
        return
    if depth > MAX_DEPTH:
        out.append(Line([Span("…")], kind, first))
        return
    depth += 1
    tag = _tag(node)
    children = list(node.children)
    if found is not None and tag in _LEAVES:
        role = _LEAVES[tag]
        role = "quote" if role == "paragraph" and kind == "quote" else role
        found.append(Found(node, node if tag in _TEXTUAL else None, role, at + len(out)))
    if tag == "paragraph":
        _inline_lines(children, out, first, rest, kind)
    elif tag == "heading":
        level = _int(_attr(node, "level"), 1)
        _inline_lines(children, out, first, rest, f"h{min(max(level, 1), 6)}")
    elif tag in ("bulletList", "orderedList", "taskList"):
        number = _int(_attr(node, "start"), 1)
        for item in children:
            if tag == "bulletList":
                bullet = "• "
            elif tag == "orderedList":
                bullet = f"{number}. "
                number += 1
            else:
                checked = _attr(item, "checked") if isinstance(item, XmlElement) else None
                bullet = "☑ " if checked in (True, "true") else "☐ "
            _item(item, out, first + bullet, rest + " " * len(bullet), kind, found, _ITEMS[tag], depth, at)
            first = rest
    elif tag in ("listItem", "taskItem"):
        _item(node, out, first, rest, kind, found, "task" if tag == "taskItem" else "bullet", depth, at)
    elif tag == "blockquote":
        for child in children:
            _block(child, out, first + "▌ ", rest + "▌ ", "quote", depth, found=found, at=at)
            first = rest
    elif tag == "codeBlock":
        text = "".join(_text(c, depth) for c in children)
        for n, code_line in enumerate(text.split("\n")):
            out.append(Line([Span(_clean(code_line, keep_tabs=True))], "code", first if n == 0 else rest))
    elif tag == "horizontalRule":
        out.append(Line([], "rule", first))
    elif tag == "table":
        _table(node, out, first, rest, found, depth, at)
    elif tag == "hardBreak":
        out.append(Line([], kind, first))
    else:  # an unknown node (a future extension): its content, as blocks or as text
        if any(isinstance(c, XmlElement) and _tag(c) in _BLOCKS for c in children):
            for child in children:
                _block(child, out, first, rest, kind, depth, found=found, at=at)
                first = rest
        else:
            if found is not None:
                found.append(Found(node, None, "other", at + len(out)))
            _inline_lines(children, out, first, rest, kind, depth)


# The web app's block nodes (its schema's "block" group).
BLOCK_NODES = frozenset(
    {
        "paragraph",
        "heading",
        "bulletList",
        "orderedList",
        "taskList",
        "blockquote",
        "codeBlock",
        "horizontalRule",
        "table",
    }
)
_BLOCKS = BLOCK_NODES - {"horizontalRule"}


# Blocks a cursor stops on (by tag), and those whose children are their text.
_LEAVES = {"paragraph": "paragraph", "heading": "heading", "codeBlock": "code", "horizontalRule": "rule"}
_TEXTUAL = {"paragraph", "heading", "codeBlock"}
_ITEMS = {"bulletList": "bullet", "orderedList": "ordered", "taskList": "task"}


def _item(
    node: Any,
    out: list[Line],
    first: str,
    rest: str,
    kind: str,
    found: list[Found] | None,
    role: str,
    depth: int,
    at: int,
) -> None:
    """A list or task item: one block with its first paragraph (the others are blocks of their own)."""
    children = list(node.children) if isinstance(node, XmlElement) else [node]
    if found is not None and isinstance(node, XmlElement):
        lead = children[0] if children else None
        found.append(
            Found(
                node,
                lead if isinstance(lead, XmlElement) and lead.tag == "paragraph" else None,
                role,
                at + len(out),
            )
        )
    if not children:
        out.append(Line([], kind, first))
    for n, child in enumerate(children):
        lead = n == 0 and _tag(child) == "paragraph"
        _block(child, out, first, rest, kind, depth, found=None if lead else found, at=at)
        first = rest


def _inline_lines(
    children: list[Any], out: list[Line], first: str, rest: str, kind: str, depth: int = 0
) -> None:
    line = Line([], kind, first)
    out.append(line)
    for child in children:
        if isinstance(child, XmlText):
            for text, attrs in child.diff():
                parts = str(text).split("\n")
                for n, part in enumerate(parts):
                    if n:
                        line = Line([], kind, rest)
                        out.append(line)
                    if part:
                        line.spans.extend(_spans(part, attrs))
        elif _tag(child) == "hardBreak":
            line = Line([], kind, rest)
            out.append(line)
        elif isinstance(child, XmlElement):  # an unknown inline node: its text
            text = _text(child, depth)
            if text:
                line.spans.append(Span(_clean(text)))


def _spans(text: str, attrs: Any) -> list[Span]:
    marks: set[str] = set()
    href = None
    if isinstance(attrs, dict):
        for key, value in attrs.items():
            name = _HASHED.sub("", str(key))
            if name in KNOWN_MARKS:
                marks.add(name)
            if name == "link" and isinstance(value, dict) and isinstance(value.get("href"), str):
                href = value["href"]
    spans = [Span(_clean(text), frozenset(marks))]
    if href:
        # The address as plain text after the link's text: never a clickable or OSC 8 link.
        spans.append(Span(f" ({_clean(href)})", frozenset({"url"})))
    return spans


def _table(
    node: XmlElement, out: list[Line], first: str, rest: str, found: list[Found] | None, depth: int, at: int
) -> None:
    rows: list[tuple[bool, list[str]]] = []
    elements = list(node.children)
    for row in elements:
        cells = [c for c in getattr(row, "children", []) if isinstance(c, XmlElement)]
        header = bool(cells) and all(_tag(c) == "tableHeader" for c in cells)
        rows.append((header, [" ".join(_clean(_text(c, depth)).split()) for c in cells]))
    if not rows:
        return
    columns = max(len(cells) for _, cells in rows)
    widths = [max((len(cells[i]) for _, cells in rows if i < len(cells)), default=0) for i in range(columns)]
    for n, (header, texts) in enumerate(rows):
        row_element = elements[n]
        if found is not None and isinstance(row_element, XmlElement):
            found.append(Found(row_element, None, "table-row", at + len(out)))
        padded = [(texts[i] if i < len(texts) else "").ljust(widths[i]) for i in range(columns)]
        out.append(
            Line(
                [Span("│ " + " │ ".join(padded) + " │")],
                "table-head" if header else "table",
                first if n == 0 else rest,
            )
        )
        if header:
            out.append(Line([Span("├─" + "─┼─".join("─" * w for w in widths) + "─┤")], "table", rest))


def _text(node: Any, depth: int = 0) -> str:
    """All text below `node`, hard breaks as newlines (below MAX_DEPTH: "…")."""
    if isinstance(node, XmlText):
        return "".join(str(text) for text, _ in node.diff())
    if isinstance(node, XmlElement):
        if _tag(node) == "hardBreak":
            return "\n"
        if depth > MAX_DEPTH:
            return "…"
        return "".join(_text(c, depth + 1) for c in node.children)
    return ""


def _int(value: Any, default: int, *, low: int = -(10**6), high: int = 10**6) -> int:
    """A number attribute, clamped (`start: Infinity`, `level: 1e300` are what a peer can send)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(number, low), high)


def _clean(text: str, *, keep_tabs: bool = False) -> str:
    """Printable on one line: control and bidi characters become spaces, a tab four spaces."""
    cleaned = printable(text).replace("\n", " ")
    return cleaned.replace("\t", "    ") if keep_tabs or "\t" in cleaned else cleaned
