"""The notes renderer: every node and mark of the web app's schema, as golden text, over documents
built with pycrdt the way @tiptap/y-tiptap stores them; unknown content; hostile text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from coachtui.devserver.notes import demo_notes, list_block, paragraph
from coachtui.live.notes.document import Line, render


def fragment() -> XmlFragment:
    doc: Doc[Any] = Doc()
    root: XmlFragment = doc.get("default", type=XmlFragment)
    return root


def lines(f: XmlFragment) -> list[str]:
    return [line.plain for line in render(f)]


def marks_of(line: Line) -> list[tuple[str, list[str]]]:
    return [(s.text, sorted(s.marks)) for s in line.spans]


def test_every_block_node_as_golden_text() -> None:
    f = fragment()
    paragraph(f, ("Title", None), tag="heading", level=1)
    paragraph(f, ("Sub", None), tag="heading", level=3.0)  # (pycrdt gives numbers back as floats)
    paragraph(f, ("Plain text", None))
    bullets = list_block(f, "bulletList", ["one", "two"])
    first = bullets.children[0]
    assert isinstance(first, XmlElement)
    list_block(first, "orderedList", ["nested a", "nested b"], start=3)
    list_block(f, "taskList", ["open", "done", "string true"], item="taskItem", checked=[False, True, "true"])  # type: ignore[list-item]
    quote = f.children.append(XmlElement("blockquote"))
    paragraph(quote, ("Quoted", None))
    code = f.children.append(XmlElement("codeBlock", {"language": "python"}))
    code.children.append(XmlText("def f():\n\treturn 1"))
    f.children.append(XmlElement("horizontalRule"))
    para = f.children.append(XmlElement("paragraph"))
    para.children.append(XmlText("before"))
    para.children.append(XmlElement("hardBreak"))
    para.children.append(XmlText("after"))
    table = f.children.append(XmlElement("table"))
    for tag, cells in (("tableHeader", ["Who", "What"]), ("tableCell", ["Jordan", "Plan"])):
        row = table.children.append(XmlElement("tableRow"))
        for cell in cells:
            paragraph(row.children.append(XmlElement(tag)), (cell, None))
    assert lines(f) == [
        "Title",
        "Sub",
        "Plain text",
        "• one",
        "  3. nested a",
        "  4. nested b",
        "• two",
        "☐ open",
        "☑ done",
        "☑ string true",
        "▌ Quoted",
        "def f():",
        "    return 1",
        "",
        "before",
        "after",
        "│ Who    │ What │",
        "├────────┼──────┤",
        "│ Jordan │ Plan │",
    ]
    kinds = [line.kind for line in render(f)]
    assert kinds[:2] == ["h1", "h3"] and kinds[10] == "quote" and kinds[11] == "code" and kinds[13] == "rule"
    assert kinds[16] == "table-head" and kinds[18] == "table"


def test_every_mark_and_links_as_plain_text() -> None:
    f = fragment()
    paragraph(
        f,
        ("b", {"bold": {}}),
        ("i", {"italic": {}}),
        ("s", {"strike": {}}),
        ("u", {"underline": {}}),
        ("c", {"code": {}}),
        ("h", {"highlight": {}}),
        ("both", {"italic": {}, "highlight--a1b2c3d4": {}}),  # an overlapping mark's hashed key
        ("site", {"link": {"href": "https://example.com/a?b=c", "target": "_blank"}}),
        ("odd", {"textStyle": {}, "mention": {"id": "x"}}),  # unknown marks: the text alone
    )
    (line,) = render(f)
    assert marks_of(line) == [
        ("b", ["bold"]),
        ("i", ["italic"]),
        ("s", ["strike"]),
        ("u", ["underline"]),
        ("c", ["code"]),
        ("h", ["highlight"]),
        ("both", ["highlight", "italic"]),
        ("site", ["link"]),
        (" (https://example.com/a?b=c)", ["url"]),  # the address as text: never a live link
        ("odd", []),
    ]


def test_unknown_nodes_show_their_text_and_never_crash() -> None:
    f = fragment()
    weird = f.children.append(XmlElement("calloutBox", {"tone": "warm"}))
    paragraph(weird, ("Inside a future node", None))
    inline = f.children.append(XmlElement("paragraph"))
    inline.children.append(XmlText("Hello "))
    mention = inline.children.append(XmlElement("mention", {"id": "u1"}))
    mention.children.append(XmlText("@Jordan"))
    assert lines(f) == ["Inside a future node", "Hello @Jordan"]


def test_an_empty_document_is_empty() -> None:
    assert render(fragment()) == []
    f = fragment()
    f.children.append(XmlElement("paragraph"))  # what a document opened but never typed in holds
    assert render(f) == []


def test_hostile_text_is_made_printable() -> None:
    f = fragment()
    paragraph(f, ("[bold]x[/bold] \x1b]8;;http://evil\x07click\x1b]8;;\x07 \u202eevil\u202c \x1b[2J", None))
    paragraph(f, ("link", {"link": {"href": "javascript:\x1b[31malert(1)"}}))
    text = "\n".join(lines(f))
    assert not any(ch in text for ch in "\x1b\x07\u202e\u202c")
    assert "[bold]x[/bold]" in text  # literal: the TUI never parses markup


def test_the_demo_document() -> None:
    f = fragment()
    demo_notes(f)
    shown = lines(f)
    assert shown[0] == "Session notes" and "☑ Share the roadmap summary" in shown
    assert render(f)[-1].kind == "rule"


FIXTURES = Path(__file__).with_name("fixtures")
# What tests/collab/make_fixtures.mjs writes with the web app's own stack, as coachtui shows it.
WEBAPP_EVERYTHING = [
    "Notes from the web app",
    "b i s u c h site (https://example.com/x)",
    "Lists",
    "• one",
    "  • one.a",
    "• two",
    "5. five",
    "6. six",
    "☐ open",
    "☑ done",
    "▌ quoted",
    "let a = 1;",
    "let b = 2;",
    "",
    "before",
    "after",
    "│ Who    │ What │",
    "├────────┼──────┤",
    "│ Jordan │ Plan │",
    "Zoë écrit 😀",
]


def from_fixture(name: str) -> XmlFragment:
    f = fragment()
    assert f.doc is not None
    f.doc.apply_update((FIXTURES / name).read_bytes())
    return f


def test_documents_made_by_the_web_apps_own_editor_stack() -> None:
    everything = from_fixture("webapp-everything.bin")
    assert lines(everything) == WEBAPP_EVERYTHING
    styled = render(everything)[1]
    assert [sorted(s.marks) for s in styled.spans] == [
        ["bold"],
        ["italic"],
        ["strike"],
        ["underline"],
        ["code"],
        ["highlight"],
        ["link"],
        ["url"],
    ]
    assert render(from_fixture("webapp-empty.bin")) == []  # one empty paragraph: "no notes yet"
