"""The app's notes-writing half: the Notes pane's write keys → the composer, a question, or a
write through the session's `NotesWriter` (live/notes/writes.py), and where the cursor goes after.

Every write goes to the notes of the session run it was asked in: the composer and the delete
question are the run's screens (`push_for_run`), so a switch closes them and their answer does
nothing; the writer they use is the one of that run's connection, captured when they opened.
Nothing is written without a key: a composer closed with Escape writes nothing.
"""

from __future__ import annotations

from typing import Any

from textual import on

from coachtui.live.notes.blocks import Block
from coachtui.live.notes.compose import parse
from coachtui.live.notes.writes import NotesWriter, NotWritable
from coachtui.text import inert, notice, printable
from coachtui.tui.editing import EditingApp
from coachtui.tui.messages import NotesWriteRequested
from coachtui.tui.screens.composer import NEW_HINT, ComposerScreen
from coachtui.tui.screens.modals import confirm
from coachtui.tui.widgets.notes import NotesPane

READ_ONLY = "The notes are read-only here (--read-only, or COACHTUI_NOTES_READ_ONLY)."
NOUNS = {
    "paragraph": "paragraph",
    "heading": "heading",
    "bullet": "list item",
    "ordered": "list item",
    "task": "task",
    "quote": "quoted paragraph",
    "code": "code block",
    "rule": "rule",
    "table-row": "table row",
    "other": "block",
}


class NotesWritingApp(EditingApp):
    """The CoachApp's notes-writing half (see tui/app.py for the rest)."""

    def _writer(self) -> NotesWriter | None:
        """The open session's writer, or None after saying why there is none to use."""
        run = self.session_run
        notes = run.notes if run is not None else None
        if notes is None:
            self.notify("The notes are not open for this session.", severity="warning")
            return None
        if notes.writer.read_only:
            self.notify(notice(READ_ONLY), severity="warning", markup=False)
            return None
        if not notes.synced:
            self.notify("The notes are still loading: write once they show.", severity="warning")
            return None
        return notes.writer

    @on(NotesWriteRequested)
    def notes_write_requested(self, message: NotesWriteRequested) -> None:
        writer = self._writer()
        if writer is None:
            return
        block = message.block
        if message.action == "new":
            self._compose_new(writer, block)
        elif message.action == "undo":
            if not writer.undo():
                self.notify("Nothing of yours to undo in the notes.", severity="warning")
        elif block is None:
            self.notify("The notes are empty: n writes the first block.", severity="warning")
        elif message.action == "edit":
            self._compose_edit(writer, block)
        elif message.action == "tick":
            if block.kind != "task":
                noun = NOUNS.get(block.kind, "block")
                self.notify(notice(f"x ticks a task; this is a {noun}."), severity="warning", markup=False)
                return
            self._write(lambda: writer.tick(block))
        elif message.action == "delete":
            self._ask_delete(writer, block)

    def _write(self, action: Any) -> Any:
        """Run one write; a refusal (the block deleted meanwhile, read-only) is said in words."""
        try:
            return action()
        except NotWritable as refused:
            self.notify(notice(str(refused)), title="Not written", severity="warning", markup=False)
            return None

    def _cursor_to(self, element: object) -> None:
        for pane in self.session_screen.query(NotesPane):
            pane.put_cursor_on(element)

    def _compose_new(self, writer: NotesWriter, after: Block | None) -> None:
        if after is None:
            title = "A new block in the notes"
        else:
            title = f"A new block after: {_quote(after)}"

        def written(text: str | None) -> None:
            if not text or not text.strip():
                return  # (nothing typed: nothing written)
            element = self._write(lambda: writer.insert_after(after, parse(text)))
            if element is not None:
                self._cursor_to(element)

        self.push_for_run(ComposerScreen(title, hint=NEW_HINT), written)

    def _compose_edit(self, writer: NotesWriter, block: Block) -> None:
        if not block.editable:
            what = NOUNS.get(block.kind, "block")
            self.notify(notice(f"A {what} has no text to edit here."), severity="warning", markup=False)
            return
        # The composer shows the text made safe; what the user changes from it is applied where
        # that text is now (control characters it hid, and the coachee's typing, stay).
        base = printable(block.text())

        def written(text: str | None) -> None:
            if text is None:
                return
            self._write(lambda: writer.edit(block, text, base=base))
            self._cursor_to(block.element)

        title = f"Edit the {NOUNS.get(block.kind, 'block')}"
        self.push_for_run(ComposerScreen(title, base), written)

    def _ask_delete(self, writer: NotesWriter, block: Block) -> None:
        nested = _nested(block, self._blocks_shown())
        also = ""
        if nested:
            also = f"\n\nWhat is nested in it goes too ({nested} more block{'s' if nested > 1 else ''})."
        body = f"{_quote(block, 200)}{also}\n\nIt is deleted for everyone in the notes; z brings it back."

        def answered(choice: str | None) -> None:
            if choice == "yes":
                self._write(lambda: writer.delete(block))

        self.push_for_run(confirm(f"Delete this {NOUNS.get(block.kind, 'block')}?", body, "Delete"), answered)

    def _blocks_shown(self) -> list[Block]:
        return next((pane.blocks for pane in self.session_screen.query(NotesPane)), [])


def _quote(block: Block, limit: int = 60) -> str:
    text = " ".join(line.plain for line in block.lines).strip()
    return inert(text, limit=limit) or f"(an empty {NOUNS.get(block.kind, 'block')})"


def _nested(block: Block, shown: list[Block]) -> int:
    """How many blocks deleting `block` takes with it (an item's nested items, paragraphs)."""
    count = 0
    for other in shown:
        node: Any = other.element.parent
        while node is not None and hasattr(node, "parent"):
            if node == block.element:
                count += 1
                break
            node = node.parent
    return count
