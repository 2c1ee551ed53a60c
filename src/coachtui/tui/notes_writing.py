"""The app's notes-writing half: the Notes pane's write keys → the composer, a question, or a
write through the session's `NotesWriter` (live/notes/writes.py), and where the cursor goes after.

Every write goes to the notes of the session run it was asked in: the composer and the delete
question are the run's screens (`push_for_run`), so a switch closes them and their answer does
nothing; the writer they use is the one of that run's connection, captured when they opened.
Nothing is written without a key: a composer closed with Escape writes nothing. What is typed is
never lost to someone else's delete: a composer whose block goes meanwhile stays open, says so,
and writes its text where that block was (`NotesWriter.insert_near`). Nor to a switch: changes
not sent yet (offline) live only in this session's notes connection, so a switch asks first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual import on

from coachtui.text import inert, notice, printable
from coachtui.tui.editing import EditingApp
from coachtui.tui.messages import NotesWriteRequested
from coachtui.tui.screens.modals import Notice, UnsentQuestion, confirm
from coachtui.tui.widgets.notes import NotesPane

# The notes' blocks and writer need pycrdt, and the composer Textual's TextArea: all imported
# where they are used, once the notes are open (none is needed for the first paint).
if TYPE_CHECKING:
    from coachtui.live.notes.blocks import Block
    from coachtui.live.notes.writes import NotesWriter

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
        from coachtui.live.notes.writes import NotWritable

        try:
            return action()
        except NotWritable as refused:
            self.notify(notice(str(refused)), title="Not written", severity="warning", markup=False)
            return None

    def _cursor_to(self, element: object) -> None:
        for pane in self.session_screen.query(NotesPane):
            pane.put_cursor_on(element)

    def _compose_new(self, writer: NotesWriter, after: Block | None) -> None:
        from coachtui.live.notes.compose import parse
        from coachtui.tui.screens.composer import NEW_HINT, ComposerScreen

        if after is None:
            title = "A new block in the notes"
        else:
            title = f"A new block after: {_quote(after)}"
        shown = self._blocks_shown()

        def written(text: str | None) -> None:
            if not text or not text.strip():
                return  # (nothing typed: nothing written)
            draft = parse(text)
            if after is None:
                element = self._write(lambda: writer.insert_after(None, draft))
            else:  # (after it, or where it was if someone deleted it meanwhile)
                element = self._write(lambda: writer.insert_near(after, draft, shown))
            if element is not None:
                self._cursor_to(element)

        block = after.element if after is not None else None
        gone = "Someone deleted the block this one follows: ctrl+s writes it where that block was."
        self.push_for_run(ComposerScreen(title, hint=NEW_HINT, block=block, gone=gone), written)

    def _compose_edit(self, writer: NotesWriter, block: Block) -> None:
        from coachtui.live.notes.blocks import find
        from coachtui.live.notes.compose import like
        from coachtui.tui.screens.composer import ComposerScreen

        if not block.editable:
            what = NOUNS.get(block.kind, "block")
            self.notify(notice(f"A {what} has no text to edit here."), severity="warning", markup=False)
            return
        # The composer shows the text made safe; what the user changes from it is applied where
        # that text is now (control characters it hid, and the coachee's typing, stay).
        base = printable(block.text())
        shown = self._blocks_shown()
        noun = NOUNS.get(block.kind, "block")

        def written(text: str | None) -> None:
            if text is None:
                return
            if find(writer.fragment, block.element) is not None:
                self._write(lambda: writer.edit(block, text, base=base))
                self._cursor_to(block.element)
                return
            # Deleted by someone else while it was being edited: the text is written again as a
            # new block where that one was, never dropped.
            element = self._write(lambda: writer.insert_near(block, like(block, text), shown))
            if element is not None:
                self._cursor_to(element)
                self.notify(
                    notice(
                        f"The {noun} was deleted elsewhere while you edited it: your text is back "
                        "as a new one where it was."
                    ),
                    severity="warning",
                    markup=False,
                )

        gone = (
            "Someone deleted this block meanwhile: your text is kept, and ctrl+s writes it where "
            "the block was."
        )
        composer = ComposerScreen(f"Edit the {noun}", base, block=block.element, gone=gone)
        self.push_for_run(composer, written)

    def notes_redrawn(self, found: Sequence[Block]) -> None:
        """A new version of the notes is on screen (one follows each write of ours, and each
        undo): the pane learns whether `z` has anything to take back, and a composer whose block
        is no longer in it (deleted by someone else) says so at once, and keeps its text."""
        from coachtui.tui.screens.composer import ComposerScreen

        run = self.session_run
        if run is not None and run.notes is not None:
            for pane in self.session_screen.query(NotesPane):
                pane.set_undoable(run.notes.writer.can_undo)
        for screen in run.screens if run is not None else ():
            if not isinstance(screen, ComposerScreen) or screen.block is None or screen.gone:
                continue
            if not any(block.element == screen.block for block in found):
                screen.block_gone()

    def unsent_question(self, title: str, go: str, after: str) -> Notice | None:
        """A question before an act that drops this session's notes connection with changes
        not sent yet (offline: they exist nowhere else), or None when there are none. `after`
        says what the act does to them ("{them}": it or them)."""
        changes = self._unsent_changes()
        if not changes:
            return None
        one = changes.startswith("1 ")
        return confirm(
            title,
            f"{changes} to the notes {'has' if one else 'have'} not reached the notes server yet "
            f"({'it is' if one else 'they are'} sent as soon as it is back, while this session "
            f"stays open). {after.format(them='it' if one else 'them')}",
            go,
            no="Stay",
            kind=UnsentQuestion,
        )

    def _unsent_changes(self) -> str:
        """How many changes of ours the notes server does not have yet, in words ("" if none)."""
        run = self.session_run
        unsent = run.notes.unsent if run is not None and run.notes is not None else 0
        return f"{unsent} change{'s' if unsent != 1 else ''}" if unsent else ""

    def unsent_warning(self) -> str:
        """A sentence for a question whose yes drops the notes connection (logout), or ""."""
        changes = self._unsent_changes()
        return f"\n\n{changes} to the notes not sent yet (offline) will be lost." if changes else ""

    def quit_question(self) -> Notice | None:
        """What quitting now would lose of the notes, as a question (None: nothing): changes not
        sent yet, or the text of a composer, which no draft keeps."""
        question = self.unsent_question(
            "Quit with changes not sent?", "Quit anyway", "Quitting now loses {them}."
        )
        return question or self._composer_question("Quit without writing?", "Quit anyway")

    def _composer_question(self, title: str, go: str) -> Notice | None:
        """A question before an act that closes a notes composer holding typed text (no draft
        keeps it), or None when none does."""
        from coachtui.tui.screens.composer import ComposerScreen

        typed = any(isinstance(s, ComposerScreen) and s.typed and s.text.strip() for s in self.screen_stack)
        if not typed:
            return None
        return confirm(
            title,
            "What you typed in the notes composer is not in the notes yet, and nothing keeps it.",
            go,
            no="Keep writing",
            kind=UnsentQuestion,
        )

    def switch_unless_unsent(self, switch: Callable[[], None], stay: Callable[[], None]) -> None:
        """A session switch, asking first when changes to the notes are not sent yet, or when a
        composer holds typed text: the switch would lose them, as quitting would (`q` asks the
        same)."""
        question = self.unsent_question(
            "Switch with changes not sent?", "Switch anyway", "Switching now loses {them}."
        ) or self._composer_question("Switch without writing?", "Switch anyway")
        if question is None:
            switch()
            return
        self.push_for_run(question, lambda choice: switch() if choice == "yes" else stay())

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
