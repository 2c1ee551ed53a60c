"""The web app's notes schema, as a check over the Yjs tree: what its editor would load intact.

Mirrors the ProseMirror schema of the web app's extension list (StarterKit, TaskList and nested
TaskItem, Highlight, TextStyle, Link, Table) as y-tiptap stores it: content expressions, the
marks each node allows, and attribute value types as TipTap writes them. Anything reported here
is something the web app's editor would delete, for everyone, or misread. The writes never build
such a thing; tests hold every sequence of them to this check (and a few to the real schema).
"""

from __future__ import annotations

import re
from typing import Any, cast

from pycrdt import XmlElement, XmlFragment, XmlText

from coachtui.live.notes.document import BLOCK_NODES

MARKS = {"bold", "italic", "strike", "underline", "code", "highlight", "link", "textStyle"}
_INLINE = {"paragraph", "heading"}  # text with marks and hard breaks
_LISTS = {"bulletList": "listItem", "orderedList": "listItem", "taskList": "taskItem"}
_CELLS = {"tableCell", "tableHeader"}
_HASHED = re.compile(r"--[A-Za-z0-9+/=_-]{8}$")  # a mark overlapping its own kind: `name--<hash>`


def problems(fragment: XmlFragment) -> list[str]:
    """Every reason the web app's editor would reject the document ([] when it loads intact)."""
    out: list[str] = []
    children = list(fragment.children)
    if not children:
        out.append("doc: empty (needs a block)")
    for n, child in enumerate(children):
        _block(child, f"doc[{n}]", out)
    return out


def _block(node: Any, where: str, out: list[str]) -> None:
    if not isinstance(node, XmlElement) or node.tag not in BLOCK_NODES:
        out.append(f"{where}: {_name(node)} is not a block")
        return
    _node(node, where, out)


def _node(node: XmlElement, where: str, out: list[str]) -> None:
    tag = str(node.tag)
    where = f"{where}<{tag}>"
    children = list(node.children)
    attrs: dict[str, Any] = dict(cast(Any, node.attributes))
    if tag in _INLINE:
        _inline(children, where, out)
        if tag == "heading" and not (_number(attrs.get("level")) and attrs["level"] in range(1, 7)):
            out.append(f"{where}: level {attrs.get('level')!r} is not 1 to 6")
    elif tag == "codeBlock":
        for child in children:
            if not isinstance(child, XmlText):
                out.append(f"{where}: {_name(child)} in a code block")
            elif any(attrs_ for _, attrs_ in child.diff()):
                out.append(f"{where}: marks in a code block")
        if attrs.get("language") is not None and not isinstance(attrs.get("language"), str):
            out.append(f"{where}: language is not a string")
    elif tag == "horizontalRule":
        if children:
            out.append(f"{where}: a rule holds nothing")
    elif tag == "blockquote":
        _blocks(children, where, out)
    elif tag in _LISTS:
        if not children:
            out.append(f"{where}: an empty list")
        for n, child in enumerate(children):
            if not isinstance(child, XmlElement) or child.tag != _LISTS[tag]:
                out.append(f"{where}[{n}]: {_name(child)} in a {tag}")
            else:
                _list_item(child, f"{where}[{n}]", out)
        if tag == "orderedList" and "start" in attrs and not _number(attrs["start"]):
            out.append(f"{where}: start {attrs['start']!r} is not a number")
    elif tag == "table":
        if not children:
            out.append(f"{where}: an empty table")
        for n, row in enumerate(children):
            if not isinstance(row, XmlElement) or row.tag != "tableRow":
                out.append(f"{where}[{n}]: {_name(row)} in a table")
                continue
            for m, cell in enumerate(row.children):
                if not isinstance(cell, XmlElement) or cell.tag not in _CELLS:
                    out.append(f"{where}[{n}][{m}]: {_name(cell)} in a row")
                else:
                    _blocks(list(cell.children), f"{where}[{n}][{m}]", out)


def _list_item(item: XmlElement, where: str, out: list[str]) -> None:
    where = f"{where}<{item.tag}>"
    children = list(item.children)
    if not children or not (isinstance(children[0], XmlElement) and children[0].tag == "paragraph"):
        out.append(f"{where}: an item starts with a paragraph")
    for n, child in enumerate(children):
        _block(child, f"{where}[{n}]", out)
    if item.tag == "taskItem" and not isinstance(item.attributes.get("checked"), bool):
        out.append(f"{where}: checked {item.attributes.get('checked')!r} is not a bool")


def _blocks(children: list[Any], where: str, out: list[str]) -> None:
    if not children:
        out.append(f"{where}: needs a block")
    for n, child in enumerate(children):
        _block(child, f"{where}[{n}]", out)


def _inline(children: list[Any], where: str, out: list[str]) -> None:
    for child in children:
        if isinstance(child, XmlText):
            for _, attrs in child.diff():
                for name in attrs or {}:
                    if _HASHED.sub("", str(name)) not in MARKS:
                        out.append(f"{where}: unknown mark {name!r}")
        elif not (isinstance(child, XmlElement) and child.tag == "hardBreak" and not list(child.children)):
            out.append(f"{where}: {_name(child)} inline")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _name(node: Any) -> str:
    if isinstance(node, XmlElement):
        return f"<{node.tag}>"
    return "text" if isinstance(node, XmlText) else type(node).__name__
