"""The blocks kept between versions are the blocks walked afresh, after every kind of edit, local
or from a peer; and an edit walks again only the top-level nodes it touched."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment

from coachtui.devserver.notes import demo_notes, list_block, paragraph
from coachtui.live.notes.blocks import Block, blocks, notes_doc
from coachtui.live.notes.kept_blocks import KeptBlocks


def shape(found: list[Block]) -> list[tuple[Any, ...]]:
    return [
        (
            b.kind,
            b.element,
            b.text_element,
            b.first_line,
            [(line.kind, line.prefix, line.plain) for line in b.lines],
        )
        for b in found
    ]


def same(kept: KeptBlocks, fragment: XmlFragment) -> None:
    assert shape(kept.blocks()) == shape(blocks(fragment))


def notes(paragraphs: int) -> tuple[Doc[Any], XmlFragment]:
    """The demo's notes and `paragraphs` more."""
    doc = notes_doc()
    fragment = doc.get("default", type=XmlFragment)
    demo_notes(fragment)
    for n in range(paragraphs):
        paragraph(fragment, (f"Paragraph {n}", None))
    return doc, fragment


def test_kept_blocks_follow_every_kind_of_edit_and_walk_only_what_changed() -> None:
    doc, fragment = notes(50)
    kept = KeptBlocks(fragment)
    same(kept, fragment)
    everything = kept.walked
    assert everything == len(fragment.children)

    # Typing in one paragraph in the middle: that paragraph alone.
    middle = fragment.children[30]
    assert isinstance(middle, XmlElement)
    middle.children[0].insert(0, "typed ")  # type: ignore[union-attr]
    same(kept, fragment)
    assert kept.walked == everything + 1

    # A list item's text, deep inside a top-level list: that list alone.
    before = kept.walked
    lists = [c for c in fragment.children if isinstance(c, XmlElement) and c.tag == "bulletList"]
    item = lists[0].children[0]
    item.children[0].children[0].insert(0, "deep ")  # type: ignore[union-attr]
    same(kept, fragment)
    assert kept.walked == before + 1

    # A heading's level (an attribute, no text), a paragraph inserted, one deleted, a list added.
    before = kept.walked
    heading = fragment.children[0]
    assert isinstance(heading, XmlElement)
    heading.attributes["level"] = 2
    paragraph(fragment, ("Inserted near the top", None), at=1)
    del fragment.children[10]
    list_block(fragment, "taskList", ["a new task"])
    same(kept, fragment)
    assert kept.walked == before + 3  # the heading, the new paragraph, the new list

    # Several edits in one transaction, and a version with no edit at all.
    before = kept.walked
    paragraphs = [c for c in fragment.children if isinstance(c, XmlElement) and c.tag == "paragraph"]
    with doc.transaction():
        for node in (paragraphs[5], paragraphs[20], paragraphs[40]):
            node.children[0].insert(0, "x")  # type: ignore[union-attr]
    same(kept, fragment)
    assert kept.walked == before + 3
    same(kept, fragment)
    assert kept.walked == before + 3


def test_kept_blocks_follow_a_peers_updates() -> None:
    theirs, their_fragment = notes(20)
    ours = notes_doc()  # (as the client holds it)
    fragment = ours.get("default", type=XmlFragment)
    kept = KeptBlocks(fragment)
    same(kept, fragment)  # (empty)
    ours.apply_update(theirs.get_update())
    same(kept, fragment)
    walked = kept.walked
    edited = their_fragment.children[15]
    assert isinstance(edited, XmlElement)
    edited.children[0].insert(0, "typed by the coachee ")  # type: ignore[union-attr]
    del their_fragment.children[2]
    ours.apply_update(theirs.get_update(ours.get_state()))
    same(kept, fragment)
    assert kept.walked == walked + 1
    assert any("typed by the coachee" in line.plain for b in kept.blocks() for line in b.lines)
