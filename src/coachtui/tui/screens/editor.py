"""The editor: one dialog for every kind, built from the kind's field description (live/forms.py).

It never calls the network: ctrl+s dismisses with the values (after checking them, and after
asking when someone else changed the item meanwhile); the app saves them. While open it is told
of the item's latest server copy, and says what changed elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.containers import Lines
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from coachtui.live.forms import DATE_HINT, Form, FormField, Kind, Values, change_of, check, differing
from coachtui.text import notice
from coachtui.tui.screens.modals import confirm
from coachtui.tui.widgets.key_bar import KeyBar

# Textual's TextArea wraps the whole text several times as it opens, and each key costs time in
# proportion to the number of lines and to the length of the line typed in: past these sizes
# opening takes seconds and every key a noticeable pause, with the whole app frozen meanwhile
# (benchmarks/editing.py measures a text at the limits). A longer text is not put in the editor:
# it is named in a sentence and saved back exactly as the server has it.
EDITABLE_CHARS = 200_000
EDITABLE_LINES = 5_000
EDITABLE_LINE = 20_000
LIMITS = f"up to {EDITABLE_CHARS:,} characters and {EDITABLE_LINES:,} lines of up to {EDITABLE_LINE:,}"


def too_long_to_edit(text: str) -> bool:
    if len(text) > EDITABLE_CHARS or text.count("\n") >= EDITABLE_LINES:
        return True
    return len(text) > EDITABLE_LINE and max(map(len, text.split("\n"))) > EDITABLE_LINE


def kept_as_is(text: str, *, others: bool) -> str:
    """The sentence shown instead of a text too long to edit here."""
    lines = text.count("\n") + 1
    on = f" on {lines:,} lines" if lines > 1 else " on one line"
    rest = " Change the other fields here; this text stays" if others else " It stays"
    return (
        f"Too long to edit here: {len(text):,} characters{on} (this editor takes {LIMITS})."
        f"{rest} exactly as it is when you save."
    )


class _Line(Text):
    """A line of an `EditorText`, divided into its wrapped sections once per look, not per row.

    TextArea draws each screen row of a wrapped line by dividing the whole line at every wrap
    offset and keeping one section, so a line wrapped over 200 rows was divided 200 times a frame
    (most of a key's cost in a 20,000-character line). The sections depend only on the line's text
    and styles, which are the same for every row of the line in one frame.
    """

    __slots__ = ("_kept",)
    _kept: dict[Any, Lines]  # the field's: TextArea makes a new line object for every row it draws

    def divide(self, offsets: Iterable[int]) -> Lines:
        offsets = tuple(offsets)
        if len(offsets) < _DIVIDE_ONCE_FROM:
            return super().divide(offsets)
        key = (self.plain, tuple(self._spans), self.style, self.end, offsets)
        kept = self._kept
        if (lines := kept.get(key)) is None:
            lines = kept[key] = super().divide(offsets)
            while len(kept) > _DIVISIONS_KEPT:
                del kept[next(iter(kept))]
        return lines


_DIVIDE_ONCE_FROM = 8  # wrap offsets; a short line costs less to divide than to look up
_DIVISIONS_KEPT = 4  # the line typed in, as styled with and without the cursor


class EditorText(TextArea):
    """A text field that refuses a paste taking it past what the editor can hold, and divides a
    long wrapped line once per look (`_Line`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._divisions: dict[Any, Lines] = {}

    def get_line(self, line_index: int) -> Text:
        line = _Line(self.document.get_line(line_index), end="", no_wrap=True)
        line._kept = self._divisions
        return line

    async def _on_paste(self, event: events.Paste) -> None:
        if too_long_to_edit(self.text + event.text):
            event.prevent_default()  # (TextArea's own handler would insert it)
            self.notify(
                notice(
                    f"Not pasted: {len(event.text):,} characters would make this text too long to "
                    f"edit here (it takes {LIMITS})."
                ),
                severity="warning",
                markup=False,
            )


@dataclass(frozen=True)
class EditorResult:
    values: Values
    overwrite: bool = False  # the user agreed to replace someone else's change
    as_new: bool = False  # the item was deleted elsewhere: save it as a new one
    # What the user's changes are measured from: the server's copy when the editor opened, with
    # the fields someone else changed meanwhile (and the user had not touched) taken in.
    base: Values | None = None


class WordCheckbox(Checkbox):
    """`[x] Avery Stone (coach)` / `[ ] Jordan Lee (coachee)`: the state in characters, not only
    a colour (Textual's box reads `X` either way, ticked or not)."""

    @property
    def _button(self) -> Content:
        return Content.styled("[x]" if self.value else "[ ]", "bold" if self.value else "")


class EditorScreen(ModalScreen[EditorResult | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "close", "Close"),
    ]

    def __init__(
        self,
        form: Form,
        values: Values,
        *,
        item_id: str | None,
        base: Values | None,
        title: str,
        facts: str = "",
        error: str = "",
        on_change: Callable[[Values], None] | None = None,
        pristine: Values | None = None,
    ) -> None:
        super().__init__()
        self.form = form
        self.item_id = item_id
        self.base = base  # what the server had when the editing began (None: new)
        # Escape asks first once the fields differ from this: what the server has (or an empty
        # form), not what the editor opened with, which may be a restored draft or a failed save.
        self.initial = dict(pristine if pristine is not None else values)
        self.start_values = values
        self.title_text = title
        self.facts = facts
        self.error = error
        self.on_change = on_change
        self.latest: Values | None = base  # the server's copy now
        self.deleted = False
        # Fields changed elsewhere that the user had not touched: shown as the server has them,
        # and no longer counted as the user's change (git merges hunks that do not overlap).
        self.adopted: Values = {}
        # Texts too long to edit here (by field name): shown as a sentence, saved as they are.
        self.kept: Values = {}

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="editor"):
            yield Static(self.title_text, id="editor-title", markup=False)
            yield Static("", id="editor-elsewhere", markup=False)
            yield Static(self.error, id="editor-error", markup=False)
            with Vertical(id="editor-fields"):
                for f in self.form.fields:
                    with Horizontal(classes="editor-row"):
                        yield Static(f.label, classes="editor-label", markup=False)
                        with Vertical(classes="editor-input"):
                            yield self._input(f, self.start_values.get(f.name))
                            yield Static("", id=f"error-{f.name}", classes="field-error", markup=False)
            if self.facts:
                yield Static(self.facts, id="editor-facts", markup=False)
        yield KeyBar(
            [
                Binding("ctrl+s", "screen.save", "Save"),
                Binding("escape", "screen.close", "Close"),
                Binding("tab", "app.focus_next", "Next field"),
            ]
        )

    def _input(self, f: FormField, value: Any) -> Widget:
        fid = f"field-{f.name}"
        if f.kind is Kind.TEXT:
            text = str(value or "")
            if too_long_to_edit(text):
                self.kept[f.name] = value
                others = len(self.form.fields) > 1
                return Static(kept_as_is(text, others=others), id=fid, classes="field-kept", markup=False)
            return EditorText(
                text, id=fid, soft_wrap=True, compact=True, tab_behavior="focus", show_line_numbers=False
            )
        if f.kind in (Kind.LINE, Kind.DATE):
            hint = DATE_HINT if f.kind is Kind.DATE else ""
            return Input(str(value or ""), id=fid, placeholder=hint, compact=True, select_on_focus=False)
        if f.kind is Kind.CHOICE:
            # Text, never str: a label made of a name or a title is never parsed as markup.
            options = [(Text(label), v) for v, label in f.choices]
            return Select(options, value=value, id=fid, allow_blank=False, compact=True)
        chosen = set(value or ())
        boxes: list[Widget] = [
            WordCheckbox(Text(label), v in chosen, compact=True, name=v) for v, label in f.choices
        ]
        if not boxes:
            boxes = [Static("(the session's people are not known yet)", classes="field-hint")]
        return Horizontal(*boxes, id=fid, classes="editor-people")

    def on_mount(self) -> None:
        self.query_one("#editor-error").display = bool(self.error)
        self.query_one("#editor-elsewhere").display = False
        first = self.query_one(f"#field-{self._first_editable()}")
        first.focus()
        if isinstance(first, TextArea):
            first.move_cursor(first.document.end)
        elif isinstance(first, Input):
            first.cursor_position = len(first.value)

    def _first_editable(self) -> str:
        return next((f.name for f in self.form.fields if f.name not in self.kept), self.form.fields[0].name)

    # -- values -------------------------------------------------------------------------------

    def values(self) -> Values:
        values: Values = {}
        for f in self.form.fields:
            widget = self.query_one(f"#field-{f.name}")
            if f.name in self.kept:
                values[f.name] = self.kept[f.name]
            elif isinstance(widget, TextArea):
                values[f.name] = widget.text
            elif isinstance(widget, Input):
                values[f.name] = widget.value
            elif isinstance(widget, Select):
                values[f.name] = widget.value
            else:
                values[f.name] = [c.name for c in widget.query(Checkbox) if c.value]
        return values

    @property
    def typed(self) -> bool:
        return bool(differing(self.form, self.initial, self.values()))

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Any) -> None:
        event.stop()
        name = (event.control.id or "").removeprefix("field-")
        if isinstance(event, Checkbox.Changed):
            name = next((f.name for f in self.form.fields if f.kind is Kind.PEOPLE), "")
        self._show_field_error(name, "")
        if self.on_change is not None and self.is_mounted:
            self.on_change(self.values())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in a one-line field saves, as in a form (ctrl+s saves anywhere)."""
        event.stop()
        self.action_save()

    def _show_field_error(self, name: str, message: str) -> None:
        for label in self.query(f"#error-{name}").results(Static):
            label.update(message)
            label.display = bool(message)

    # -- what the server has now -----------------------------------------------------------------

    def show_latest(self, latest: Values | None) -> None:
        """The item's latest server copy (None: deleted elsewhere)."""
        if self.base is None:
            return
        note = self.query_one("#editor-elsewhere", Static)
        if latest is None:
            self.deleted = True
            note.update("Deleted elsewhere. ctrl+s saves what is here as a new item.")
            note.display = True
            return
        self.latest = latest
        changed = differing(self.form, self.base, latest)
        if not changed:
            note.display = False
            return
        mine = set(self.mine())
        for name in changed:
            if name not in mine:
                self._adopt(name, latest[name])
        parts = [change_of(self.form, n, self.base[n], latest[n]) for n in changed]
        note.update("Changed elsewhere · " + " · ".join(parts))
        note.display = True

    def own_base(self) -> Values:
        """The server's first copy with what was taken in from elsewhere since."""
        return {**(self.base or {}), **self.adopted}

    def mine(self) -> list[str]:
        """The fields the user changed."""
        if self.base is None:
            return [f.name for f in self.form.fields]
        return differing(self.form, self.own_base(), self.values())

    def _adopt(self, name: str, value: Any) -> None:
        """Show someone else's change in a field the user has not touched."""
        self.adopted[name] = value
        self.initial[name] = value
        widget = self.query_one(f"#field-{name}")
        if name in self.kept:
            self.kept[name] = value
            text = str(value or "")
            said = (
                kept_as_is(text, others=len(self.form.fields) > 1)
                if too_long_to_edit(text)
                else "Changed elsewhere: close and open it again to edit it."
            )
            self.query_one(f"#field-{name}", Static).update(said)
        elif isinstance(widget, TextArea):
            widget.text = str(value or "")
        elif isinstance(widget, Input):
            widget.value = str(value or "")
        elif isinstance(widget, Select):
            widget.value = value
        else:
            chosen = set(value or ())
            for box in widget.query(Checkbox):
                box.value = box.name in chosen

    # -- keys ---------------------------------------------------------------------------------

    def action_save(self) -> None:
        values = self.values()
        errors = check(self.form, values)
        for f in self.form.fields:
            self._show_field_error(f.name, errors.get(f.name, ""))
        if errors:
            self.query_one(f"#field-{next(iter(errors))}").focus()
            return
        if self.deleted:
            question = confirm(
                f"This {self.form.noun} was deleted elsewhere",
                "Save what you wrote as a new one?",
                "Save as new",
            )
            self.app.push_screen(question, self._then(EditorResult(values, as_new=True)))
            return
        base = self.own_base() if self.base is not None else None
        clashing = self._clashing()
        if clashing:
            theirs = ", ".join(self.form.field(n).label for n in clashing)
            question = confirm(
                "Overwrite their change?",
                f"While you were editing, someone else changed what you changed too: {theirs} "
                "(shown at the top). Saving puts your version over theirs; fields you did not "
                "touch keep their change.",
                "Overwrite",
            )
            self.app.push_screen(question, self._then(EditorResult(values, overwrite=True, base=base)))
            return
        self.dismiss(EditorResult(values, base=base))

    def _clashing(self) -> list[str]:
        """Fields both the user and someone else changed: only these need a question."""
        if self.base is None or self.latest is None:
            return []
        mine = set(self.mine())
        return [n for n in differing(self.form, self.own_base(), self.latest) if n in mine]

    def _then(self, result: EditorResult | None) -> Callable[[str | None], None]:
        """Close with `result` once the question on top is answered yes."""

        def answered(choice: str | None) -> None:
            if choice == "yes":
                self.dismiss(result)

        return answered

    def action_close(self) -> None:
        if not self.typed:
            self.dismiss(None)
            return
        question = confirm(
            "Discard what you typed?",
            f"Your changes to this {self.form.noun} are not saved.",
            "Discard",
            no="Keep editing",
        )
        self.app.push_screen(question, self._then(None))
