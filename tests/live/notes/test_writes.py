"""Blocks, the composer's input rules and our writes, on documents the web app's own stack wrote
(the committed fixtures) and built here: where each new block goes, what an edit keeps, that a
remote participant's concurrent typing merges, and that every result passes the web app's schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from coachtui.live.notes.blocks import Block, blocks, notes_doc
from coachtui.live.notes.compose import Draft, like, parse
from coachtui.live.notes.document import render
from coachtui.live.notes.schema import problems
from coachtui.live.notes.writes import Gone, NotesWriter, NotWritable

FIXTURES = Path(__file__).parent / "fixtures"


def web_app_doc(name: str = "everything") -> tuple[Doc[Any], XmlFragment]:
    doc = notes_doc()  # (as the client holds it)
    doc.apply_update((FIXTURES / f"webapp-{name}.bin").read_bytes())
    return doc, doc.get("default", type=XmlFragment)


def writer(name: str = "everything") -> tuple[NotesWriter, list[bytes]]:
    doc, fragment = web_app_doc(name)
    sent: list[bytes] = []
    return NotesWriter(doc, fragment, sent.append), sent


def lines(fragment: XmlFragment) -> list[str]:
    return [line.plain for line in render(fragment)]


def block(fragment: XmlFragment, text: str) -> Block:
    return next(b for b in blocks(fragment) if text in "".join(line.plain for line in b.lines))


def sync(a: Doc[Any], b: Doc[Any]) -> None:
    a.apply_update(b.get_update(a.get_state()))
    b.apply_update(a.get_update(b.get_state()))


def test_blocks_are_what_the_pane_draws_with_one_handle_each() -> None:
    _, fragment = web_app_doc()
    found = blocks(fragment)
    assert [line.plain for b in found for line in b.lines] == lines(fragment)
    assert [(b.kind, b.text()) for b in found] == [
        ("heading", "Notes from the web app"),
        ("paragraph", "b i s u c h site"),
        ("heading", "Lists"),
        ("bullet", "one"),
        ("bullet", "one.a"),
        ("bullet", "two"),
        ("ordered", "five"),
        ("ordered", "six"),
        ("task", "open"),
        ("task", "done"),
        ("quote", "quoted"),
        ("code", "let a = 1;\nlet b = 2;"),
        ("rule", ""),
        ("paragraph", "before\nafter"),
        ("table-row", ""),
        ("table-row", ""),
        ("paragraph", "Zoë écrit 😀"),
    ]
    assert [b.first_line for b in found][:4] == [0, 1, 2, 3]
    assert found[0].level == 1 and found[2].level == 2 and found[8].checked is False and found[9].checked
    assert not found[12].editable and not found[14].editable and found[11].editable
    assert blocks(web_app_doc("empty")[1])[0].kind == "paragraph"


def test_a_fragment_with_no_children_has_no_blocks_and_takes_a_first_one() -> None:
    doc: Doc[Any] = Doc()
    fragment = doc.get("default", type=XmlFragment)
    assert blocks(fragment) == []  # (a document cleared by someone: the pane still draws it)
    NotesWriter(doc, fragment).insert_after(None, parse("[ ] first"))
    assert lines(fragment) == ["☐ first"] and problems(fragment) == []


@pytest.mark.parametrize(
    ("line", "draft"),
    [
        ("[ ] call Jordan", Draft("task", "call Jordan")),
        ("[x] booked", Draft("task", "booked", checked=True)),
        ("[] empty box", Draft("task", "empty box")),
        ("- a bullet", Draft("bullet", "a bullet")),
        ("* a star", Draft("bullet", "a star")),
        ("1. first", Draft("ordered", "first")),
        ("7. seventh", Draft("ordered", "seventh", start=7)),
        ("# Title", Draft("heading", "Title", level=1)),
        ("### Small", Draft("heading", "Small", level=3)),
        ("#no space", Draft("paragraph", "#no space")),
        ("-no space", Draft("paragraph", "-no space")),
        ("plain words [ ] later", Draft("paragraph", "plain words [ ] later")),
    ],
)
def test_input_rules_are_tiptaps(line: str, draft: Draft) -> None:
    assert parse(line) == draft


@pytest.mark.parametrize(
    ("after", "line", "expected"),
    [
        ("Lists", "# New title", ["Lists", "New title", "• one"]),
        ("• two", "plain joins the bullets", ["• two", "• plain joins the bullets", "5. five"]),
        ("• two", "- a bullet joins", ["• two", "• a bullet joins", "5. five"]),
        ("one.a", "- nested joins its list", ["  • one.a", "  • nested joins its list", "• two"]),
        ("• two", "[ ] a task follows the list", ["• two", "☐ a task follows the list", "5. five"]),
        ("6. six", "another number", ["6. six", "7. another number", "☐ open"]),
        ("☐ open", "[x] a ticked task joins", ["☐ open", "☑ a ticked task joins", "☑ done"]),
        ("☑ done", "plain follows the tasks", ["☑ done", "plain follows the tasks", "▌ quoted"]),
        ("quoted", "stays in the quote", ["▌ quoted", "▌ stays in the quote", "let a = 1;"]),
        ("Jordan", "after the table", ["│ Jordan │ Plan │", "after the table", "Zoë écrit 😀"]),
        ("Who", "1. a list after the table", ["│ Jordan │ Plan │", "1. a list after the table"]),
    ],
)
def test_a_new_block_goes_where_the_issue_says(after: str, line: str, expected: list[str]) -> None:
    notes, sent = writer()
    fragment = notes.fragment
    notes.insert_after(block(fragment, after), parse(line))
    shown = lines(fragment)
    start = shown.index(expected[0])
    assert shown[start : start + len(expected)] == expected
    assert problems(fragment) == [] and len(sent) == 1


def test_new_blocks_are_shaped_as_tiptap_writes_them() -> None:
    notes, _ = writer("empty")
    fragment = notes.fragment
    heading = notes.insert_after(None, parse("## Agenda"))
    task = notes.insert_after(blocks(fragment)[-1], parse("[x] Done already"))
    number = notes.insert_after(blocks(fragment)[-1], parse("3. third"))
    assert heading.tag == "heading" and dict(heading.attributes) == {"level": 2.0}
    assert isinstance(heading.attributes.get("level"), float)  # a JavaScript number, not a BigInt
    assert task.tag == "taskItem" and task.attributes.get("checked") is True
    assert task.parent.tag == "taskList" and task.children[0].tag == "paragraph"
    assert number.tag == "listItem" and dict(number.parent.attributes) == {"start": 3.0}
    assert lines(fragment) == ["", "Agenda", "☑ Done already", "3. third"]
    assert problems(fragment) == []
    # The cursor can find the block just written by its element.
    assert [b.kind for b in blocks(fragment) if b.element == task] == ["task"]


def test_an_edit_changes_only_what_differs_and_keeps_the_marks() -> None:
    notes, sent = writer()
    fragment = notes.fragment
    notes.edit(block(fragment, "b i s u"), "bold i s u c h site, see!")
    text = block(fragment, "bold i").text_element
    assert text is not None
    run = text.children[0]
    assert isinstance(run, XmlText)
    chunks = [(str(t), sorted(a or {})) for t, a in run.diff()]
    assert chunks[0] == ("bold", ["bold"])  # typed inside the bold run: bold, as in the editor
    assert chunks[-2][1] == ["link"] and chunks[-2][0] == " site"  # the link kept, not extended
    assert chunks[-1] == (", see!", [])
    notes.edit(block(fragment, "Zoë"), "Zoë a écrit 😀 ici")  # accents and emoji: byte offsets
    assert "Zoë a écrit 😀 ici" in lines(fragment)
    notes.edit(block(fragment, "before"), "before, between\nand after")
    shown = lines(fragment)
    assert shown[shown.index("before, between") + 1] == "and after"
    notes.edit(block(fragment, "between"), "one line now")
    assert "one line now" in lines(fragment)
    notes.edit(block(fragment, "let a"), "let a = 10;\nlet b = 2;\n")
    assert block(fragment, "let a").text() == "let a = 10;\nlet b = 2;\n"  # a code block's newlines
    assert problems(fragment) == [] and len(sent) == 5
    notes.edit(block(fragment, "one line now"), "one line now")  # nothing differs: nothing written
    assert len(sent) == 5


def test_an_edit_merges_with_the_participants_typing() -> None:
    notes, _ = writer()
    theirs: Doc[Any] = Doc()
    sync(theirs, notes.doc)
    target = block(notes.fragment, "Zoë")
    # Both type in the same paragraph before either sees the other's change.
    notes.edit(target, "Zoë écrit 😀 — noted by the coach")
    their_fragment = theirs.get("default", type=XmlFragment)
    their_text = their_fragment.children[len(their_fragment.children) - 1].children[0]
    assert isinstance(their_text, XmlText)
    their_text.insert(0, "Jordan: ")
    sync(theirs, notes.doc)
    expected = "Jordan: Zoë écrit 😀 — noted by the coach"
    assert lines(notes.fragment)[-1] == expected == lines(theirs.get("default", type=XmlFragment))[-1]


def test_an_edit_from_an_older_text_keeps_what_was_typed_since() -> None:
    notes, _ = writer()
    target = block(notes.fragment, "Zoë")
    base = target.text()  # the composer opens with this
    theirs: Doc[Any] = Doc()
    sync(theirs, notes.doc)
    their_fragment = theirs.get("default", type=XmlFragment)
    their_text = their_fragment.children[len(their_fragment.children) - 1].children[0]
    assert isinstance(their_text, XmlText)
    their_text.insert(len("Zoë".encode()), " (coachee)")
    sync(theirs, notes.doc)  # arrives while the composer is open
    notes.edit(target, "Zoë écrit bien 😀 — coach", base=base)
    expected = "Zoë (coachee) écrit bien 😀 — coach"
    sync(theirs, notes.doc)
    assert lines(notes.fragment)[-1] == expected == lines(their_fragment)[-1]
    # Without the base, the text as it is now is the start: theirs would be taken out.
    notes.edit(block(notes.fragment, "Zoë"), "Zoë a écrit")
    assert lines(notes.fragment)[-1] == "Zoë a écrit"


def test_tick_delete_and_undo_of_ours_only() -> None:
    notes, sent = writer()
    fragment = notes.fragment
    assert notes.tick(block(fragment, "open")) is True
    assert "☑ open" in lines(fragment)
    with pytest.raises(NotWritable, match="Only a task"):
        notes.tick(block(fragment, "Lists"))
    notes.delete(block(fragment, "quoted"))  # the quote's only paragraph: the quote goes too
    assert "▌ quoted" not in lines(fragment)
    notes.delete(block(fragment, "one.a"))  # the nested list's only item: the nested list goes
    assert "• one" in lines(fragment) and "  • one.a" not in lines(fragment)
    assert problems(fragment) == []
    # The participant writes meanwhile; our undo takes back ours, never theirs.
    theirs: Doc[Any] = Doc()
    sync(theirs, notes.doc)
    with theirs.transaction():
        theirs.get("default", type=XmlFragment).children.append(
            XmlElement("paragraph", None, [XmlText("the coachee's line")])
        )
    sync(theirs, notes.doc)
    assert notes.undo() and notes.undo() and notes.undo()
    assert "  • one.a" in lines(fragment) and "▌ quoted" in lines(fragment) and "☐ open" in lines(fragment)
    assert lines(fragment)[-1] == "the coachee's line"
    assert not notes.undo() and len(sent) == 6


def test_deleting_the_only_block_leaves_an_empty_paragraph() -> None:
    notes, _ = writer("empty")
    notes.insert_after(None, parse("only"))
    notes.delete(blocks(notes.fragment)[0])
    notes.delete(blocks(notes.fragment)[0])
    assert [getattr(child, "tag", None) for child in notes.fragment.children] == ["paragraph"]
    assert problems(notes.fragment) == []


def test_a_block_deleted_meanwhile_is_refused_not_written_through() -> None:
    notes, sent = writer()
    stale = block(notes.fragment, "Zoë")
    theirs: Doc[Any] = Doc()
    sync(theirs, notes.doc)
    their_fragment = theirs.get("default", type=XmlFragment)
    with theirs.transaction():
        del their_fragment.children[len(their_fragment.children) - 1]
    sync(theirs, notes.doc)
    for action in (
        lambda: notes.edit(stale, "x"),
        lambda: notes.delete(stale),
        lambda: notes.insert_after(stale, parse("y")),
    ):
        with pytest.raises(Gone, match="deleted meanwhile"):
            action()
    assert sent == []


def test_the_text_of_a_block_deleted_meanwhile_is_written_again_where_it_was() -> None:
    notes, _ = writer()
    shown = blocks(notes.fragment)  # the version the user saw when the composer opened
    task, heading = block(notes.fragment, "open"), block(notes.fragment, "Notes from the web app")
    rule = next(b for b in shown if b.kind == "rule")
    theirs: Doc[Any] = Doc()
    sync(theirs, notes.doc)
    their_fragment = theirs.get("default", type=XmlFragment)
    with theirs.transaction():  # the coachee deletes the "open" task, then the first heading
        task_list: Any = next(c for c in their_fragment.children if getattr(c, "tag", "") == "taskList")
        del task_list.children[0]
        del their_fragment.children[0]
    sync(theirs, notes.doc)
    notes.insert_near(task, like(task, "open, and now a bit more"), shown)
    after = lines(notes.fragment)
    assert after[after.index("☐ open, and now a bit more") + 1] == "☑ done"  # where it was, a task
    notes.insert_near(heading, like(heading, "Notes, again"), shown)  # nothing before it: the start
    assert lines(notes.fragment)[0] == "Notes, again" and blocks(notes.fragment)[0].level == 1
    notes.insert_near(rule, parse("after the rule"), shown)  # still there: right after it
    now = [(b.kind, b.text()) for b in blocks(notes.fragment)]
    assert now[now.index(("paragraph", "after the rule")) - 1] == ("rule", "")
    assert problems(notes.fragment) == []


def test_read_only_writes_nothing() -> None:
    doc, fragment = web_app_doc()
    state = doc.get_state()
    notes = NotesWriter(doc, fragment, read_only=True)
    with pytest.raises(NotWritable, match="read-only"):
        notes.insert_after(None, parse("no"))
    assert not notes.undo() and doc.get_state() == state


def test_the_schema_check_names_what_the_web_app_would_delete() -> None:
    doc: Doc[Any] = Doc()
    fragment = doc.get("default", type=XmlFragment)
    with doc.transaction():
        fragment.children.append(XmlElement("bulletList"))
        fragment.children.append(XmlElement("taskList", None, [XmlElement("taskItem", {"checked": "yes"})]))
        fragment.children.append(XmlElement("mention"))
        fragment.children.append(XmlElement("heading", None, [XmlText("no level")]))
    found = problems(fragment)
    assert any("empty list" in p for p in found)
    assert any("starts with a paragraph" in p for p in found)
    assert any("is not a bool" in p for p in found)
    assert any("<mention> is not a block" in p for p in found)
    assert any("level None" in p for p in found)
