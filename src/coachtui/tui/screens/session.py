"""The session screen: header, the three panes, the status bar, the footer."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable

from coachtui.live.events import Pane
from coachtui.live.forms import noun
from coachtui.live.model import SessionModel
from coachtui.live.status import ConnectionStatus
from coachtui.tui.messages import (
    CopyRequested,
    DeleteRequested,
    EditRequested,
    HistoryRequested,
    LinkRequested,
    ToggleDone,
    UndoRequested,
)
from coachtui.tui.widgets.entity_table import EntityTable
from coachtui.tui.widgets.key_bar import KeyBar
from coachtui.tui.widgets.notes import NotesPane
from coachtui.tui.widgets.panes import ActionsPane, AgreementsPane, GoalsPane
from coachtui.tui.widgets.session_header import SessionHeader
from coachtui.tui.widgets.status_bar import StatusBar

PANE_KEYS = {Pane.GOALS: "1", Pane.ACTIONS: "2", Pane.AGREEMENTS: "3"}
WIDE = 120  # columns from which Notes has a column of its own (narrower: a tab beside Actions)


class SessionScreen(Screen[None]):
    # Nothing takes the focus by itself (the Notes pane would, being ready first): Actions gets
    # it once loaded (`_place_focus`), so `x` and the arrows work at once.
    AUTO_FOCUS = None
    BINDINGS = [
        Binding("1", "focus_pane('goals')", "Goals", show=False),
        Binding("2", "focus_pane('actions')", "Actions", show=False),
        Binding("3", "focus_pane('agreements')", "Agreements", show=False),
        Binding("4", "focus_notes", "Notes", show=False),
        Binding("f", "zoom", "Zoom", show=False),
        Binding("n", "new", "New"),
        Binding("enter", "open", "Open"),
        Binding("x", "toggle_done", "Done"),
        Binding("d", "delete", "Delete"),
        Binding("l", "link", "Link goal", show=False),
        Binding("t", "title", "Title", show=False),
        Binding("z", "undo", "Undo", show=False),
        Binding("h", "history", "History"),
        Binding("c", "copy", "Copy", show=False),
    ]

    def __init__(self, host: str, user: str, **status_options: Any) -> None:
        super().__init__()
        self.host = host
        self.user = user
        self.status_options = status_options
        self._covered: dict[Pane, SessionModel] = {}  # panes changed while a modal was on top
        self._focus_placed = False
        self._notes_chosen = False  # `4` was pressed: the Notes pane keeps the focus

    def compose(self) -> ComposeResult:
        yield SessionHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="panes"):
                with Horizontal(id="top"):
                    yield GoalsPane(id="goals")
                    yield AgreementsPane(id="agreements")
                yield ActionsPane(id="actions")
            yield NotesPane(id="notes")
        yield StatusBar(self.host, self.user, id="status", **self.status_options)
        mine = [
            Binding(b.key, f"screen.{b.action}", b.description, show=b.show, key_display=b.key_display)
            for b in self.BINDINGS
            if isinstance(b, Binding)
        ]
        yield KeyBar([*mine, *self.app.BINDINGS])

    def on_mount(self) -> None:
        self.query_one(SessionHeader).show(None)

    def pane_widget(self, pane: Pane) -> EntityTable:
        return self.query_one(f"#{pane.value}", EntityTable)

    # -- keys: they say what they would change; the app changes it (screens never call the network)

    def action_focus_pane(self, name: str) -> None:
        if name == "actions":
            self._notes_tab(False)
        self.query_one(f"#{name}", EntityTable).focus()

    def action_focus_notes(self) -> None:
        self._notes_chosen = True
        self._notes_tab(True)
        self.query_one(NotesPane).focus()

    def _notes_tab(self, on: bool) -> None:
        """Narrow screens: Notes and Actions share the bottom as two tabs (4 and 2)."""
        self.set_class(on, "-notes-tab")
        self._retitle()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < WIDE, "-narrow")
        self._retitle()

    def _retitle(self) -> None:
        narrow = self.has_class("-narrow")
        if not self.query(ActionsPane) or not self.query(NotesPane):
            return  # composing, or closing
        actions, notes = self.query_one(ActionsPane), self.query_one(NotesPane)
        actions.border_title = "Actions · 4 Notes" if narrow else "Actions"
        notes.border_title = "Notes · 2 Actions" if narrow else "Notes"

    def action_zoom(self) -> None:
        """`f`: the focused pane alone on the screen, and back."""
        if self.maximized is not None:
            self.minimize()
            return
        focused = self.focused
        if isinstance(focused, EntityTable | NotesPane):
            self.maximize(focused, container=False)
        else:
            self.notify("f zooms the focused pane: press 1, 2, 3 or 4 first.", severity="warning")

    def _selected(self, panes: tuple[Pane, ...], what: str) -> tuple[Pane, str] | None:
        pane = self._focused_pane()
        if pane not in panes:
            names = " or ".join(f"{p.value.title()} ({PANE_KEYS[p]})" for p in panes)
            self.notify(f"{what} works on a row of {names}.", severity="warning")
            return None
        table = self.pane_widget(pane)
        if table.take_lost_item() is not None:
            # The key was aimed at the row the cursor was on a moment ago, not at its neighbour.
            self.notify(
                f"Nothing done: the {noun(pane)} you were on was deleted elsewhere. "
                "The cursor is on the next one now.",
                severity="warning",
            )
            return None
        entity_id = table.selected_id()
        if entity_id is None:
            self.notify(f"Nothing to {what.lower()} here.", severity="warning")
            return None
        return pane, entity_id

    def _focused_pane(self) -> Pane | None:
        focused = self.focused
        return next((p for p in PANE_KEYS if focused is not None and focused.id == p.value), None)

    def action_new(self) -> None:
        pane = self._focused_pane()
        if pane is None:
            self.notify("n adds to the focused pane: press 1, 2 or 3 first.", severity="warning")
            return
        self.post_message(EditRequested(pane, None))

    def action_open(self) -> None:
        chosen = self._selected((Pane.ACTIONS, Pane.AGREEMENTS, Pane.GOALS), "Open")
        if chosen is not None:
            self.post_message(EditRequested(*chosen))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row (the table's own key) opens it."""
        event.stop()
        pane = next((p for p in PANE_KEYS if event.data_table.id == p.value), None)
        chosen = self._selected((pane,), "Open") if pane is not None else None
        if chosen is not None:
            self.post_message(EditRequested(*chosen))

    def action_link(self) -> None:
        self.post_message(LinkRequested())

    def action_title(self) -> None:
        self.post_message(EditRequested(Pane.HEADER, None))

    def action_toggle_done(self) -> None:
        chosen = self._selected((Pane.ACTIONS, Pane.GOALS), "Complete")
        if chosen is not None:
            self.post_message(ToggleDone(*chosen))

    def action_history(self) -> None:
        self.post_message(HistoryRequested())

    def action_copy(self) -> None:
        chosen = self._selected((Pane.ACTIONS, Pane.AGREEMENTS, Pane.GOALS), "Copy")
        if chosen is not None:
            self.post_message(CopyRequested(*chosen))

    def mark(self, pane: Pane, labels: dict[str, str]) -> None:
        """Highlight rows someone else changed (for a few seconds), by entity id."""
        try:  # (a DOM query per burst of reports would cost more than the mark)
            table = self.pane_widget(pane)
        except NoMatches:
            return  # closing
        table.mark(labels)

    def action_undo(self) -> None:
        self.post_message(UndoRequested())

    def action_delete(self) -> None:
        chosen = self._selected((Pane.ACTIONS, Pane.AGREEMENTS, Pane.GOALS), "Delete")
        if chosen is not None:
            self.post_message(DeleteRequested(*chosen))

    @property
    def closing(self) -> bool:
        """Its widgets are being removed (the app is shutting down): nothing more to draw."""
        return not self.query(EntityTable)

    def show_pane(self, model: SessionModel, pane: Pane) -> None:
        """Repaint exactly one pane from the model."""
        if self.closing:
            return
        if self.app.screen is not self:  # (`is_current` is also true beneath a modal)
            # Under a modal the panes are dimmed, not read; every repaint there makes Textual
            # re-render this whole screen beneath the modal at each frame, which in a burst slows
            # the keys. The model keeps the changes; the pane catches up when the modal closes.
            self._covered[pane] = model
            return
        if pane is Pane.HEADER:
            for header in self.query(SessionHeader):  # (none while the screen is taken down)
                header.show(model.header)
            # Assignee names come from the header: actions drawn before it arrived need them.
            if model.states[Pane.ACTIONS].loaded_once:
                self.show_pane(model, Pane.ACTIONS)
            return
        context = None
        if pane is Pane.ACTIONS and model.header is not None:
            context = {u.id: u.name for u in (model.header.coach, model.header.coachee) if u is not None}
        state = model.states[pane]
        self.pane_widget(pane).show(state, context, state.take_changes())
        if not self._focus_placed:
            self._place_focus(model)

    def _place_focus(self, model: SessionModel) -> None:
        """Once the panes have data: Actions has the focus, or else the first pane with rows, so
        the arrows work at once. (A loading pane cannot take the focus.)"""
        states = model.states
        order = [Pane.ACTIONS, Pane.GOALS, Pane.AGREEMENTS]
        if not states[Pane.ACTIONS].loaded_once:
            return
        target = Pane.ACTIONS
        if not states[Pane.ACTIONS].items:
            if not all(states[p].loaded_once for p in order):
                return
            target = next((p for p in order if states[p].items), Pane.ACTIONS)
        # (The Notes pane, ready before the tables, may have been given the focus meanwhile.)
        notes_by_default = isinstance(self.focused, NotesPane) and not self._notes_chosen
        if self.focused is None or self.focused.loading or notes_by_default:
            self.pane_widget(target).focus()
        self._focus_placed = True

    def forget_covered(self) -> None:
        """Another session opens: the panes a modal covered catch up from the new one."""
        self._covered = {}
        self._focus_placed = False

    def on_screen_resume(self) -> None:
        covered, self._covered = self._covered, {}
        for pane, model in covered.items():
            self.show_pane(model, pane)
        for table in self.query(EntityTable):
            table.redraw_marks()  # marks that came or went beneath the modal
        tell = getattr(self.app, "tell_held_notices", None)
        if tell is not None:
            tell()

    def show_status(self, status: ConnectionStatus) -> None:
        for bar in self.query(StatusBar):  # (none while the app is closing)
            bar.status = status

    def show_notes_status(self, status: ConnectionStatus) -> None:
        for bar in self.query(StatusBar):
            bar.notes = status

    def show_notes_unsent(self, count: int) -> None:
        for bar in self.query(StatusBar):
            bar.unsent = count
