"""The session screen: header, the three panes, the status bar, the footer."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import DataTable

from coachtui.live.events import Pane
from coachtui.live.forms import noun
from coachtui.live.model import SessionModel
from coachtui.live.status import ConnectionStatus
from coachtui.text import notice
from coachtui.tui.messages import (
    CopyRequested,
    DeleteRequested,
    EditRequested,
    HistoryRequested,
    LinkRequested,
    PaneChanged,
    ToggleDone,
    UndoRequested,
)
from coachtui.tui.widgets.entity_table import EntityTable
from coachtui.tui.widgets.key_bar import KeyBar
from coachtui.tui.widgets.notes import WRITE_KEYS, NotesPane
from coachtui.tui.widgets.panes import ActionContext, ActionsPane, AgreementsPane, GoalsPane
from coachtui.tui.widgets.session_header import SessionHeader
from coachtui.tui.widgets.status_bar import StatusBar

PANE_KEYS = {Pane.GOALS: "1", Pane.ACTIONS: "2", Pane.AGREEMENTS: "3"}
# Columns from which the notes have a column of their own, when there are notes; narrower (or
# no notes), they are a tab beside Actions, so the texts a coach reads get the width.
WIDE = 160
ZOOM_HINT = " · f: back"
# Rows from which Goals and Agreements stack above Actions, each the full width and only as tall
# as its rows (up to a limit): a coach's sentences read whole instead of cut at half the screen.
TALL = 34


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
        self._showing: dict[Pane, str] = {}  # the session each pane shows
        self._focus_placed = False
        self._notes_chosen = False  # `4` was pressed: the Notes pane keeps the focus
        # `1`-`3` pressed on a pane still loading (it cannot take the focus yet): it takes it
        # when its data is drawn, and the start-up focus does not go to Actions instead.
        self._wanted: EntityTable | None = None
        self._notes_exist = False  # the notes have text: worth a column where there is room
        self._panes: dict[Pane, EntityTable] = {}
        self._undo_offered = False  # what the key bar says about `z`
        self._resumed = False  # ever made the active screen

    def compose(self) -> ComposeResult:
        # The layout's classes for the terminal as it is, before the widgets are styled: left to
        # the first resize, each class changed then restyled every widget (~20 ms of CPU each).
        self._set_layout_classes(self.app.size)
        goals, agreements, actions = (
            GoalsPane(id="goals"),
            AgreementsPane(id="agreements"),
            ActionsPane(id="actions"),
        )
        # Kept: a burst repaints a pane sixty times a second, and a DOM query for it each time
        # was most of what a repaint cost.
        self._panes = {Pane.GOALS: goals, Pane.AGREEMENTS: agreements, Pane.ACTIONS: actions}
        yield SessionHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="panes"):
                with Horizontal(id="top"):
                    yield goals
                    yield agreements
                yield actions
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

    # -- the key bar offers only the keys that act where the focus is ------------------------------

    def on_descendant_focus(self) -> None:
        self._offer_keys()

    def on_descendant_blur(self) -> None:
        self._offer_keys()

    def on_notes_pane_keys_changed(self, _: NotesPane.KeysChanged) -> None:
        self._offer_keys()

    def _offer_keys(self) -> None:
        """n enter x d only where they act: not on an empty pane's placeholder row, x not on
        Agreements (nothing to complete there); in the Notes pane its own write keys instead,
        those that act on the block under its cursor (none when read-only). With nothing
        focused (before the panes load) every key is shown."""
        focused = self.focused
        hidden: frozenset[str] = frozenset()
        leading: tuple[Binding, ...] = ()
        if isinstance(focused, NotesPane):
            hidden, leading = WRITE_KEYS, focused.acting_keys()
        elif isinstance(focused, EntityTable):
            if focused.selected_id() is None:
                hidden = frozenset({"enter", "x", "d"})
            elif focused.id == Pane.AGREEMENTS.value:
                hidden = frozenset({"x"})
        for bar in self.query(KeyBar):
            bar.focus_keys(hidden, leading)

    def pane_widget(self, pane: Pane) -> EntityTable:
        table = self._panes.get(pane)
        if table is None or not table.is_attached:
            raise NoMatches(f"no {pane.value} pane (composing, or closing)")
        return table

    # -- keys: they say what they would change; the app changes it (screens never call the network)

    def action_focus_pane(self, name: str) -> None:
        if name == "actions":
            self._notes_tab(False)
        table = self.query_one(f"#{name}", EntityTable)
        self._wanted = table if table.loading else None
        table.focus()

    def action_focus_notes(self) -> None:
        self._notes_chosen = True
        self._wanted = None
        self._notes_tab(True)
        self.query_one(NotesPane).focus()

    def _notes_tab(self, on: bool) -> None:
        """Narrow screens: Notes and Actions share the bottom as two tabs (4 and 2)."""
        self.set_class(on, "-notes-tab")
        self._retitle()

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out()

    def on_actions_pane_goals_shown(self, _: ActionsPane.GoalsShown) -> None:
        """The Goal column appeared (a wider terminal): the rows need the goals' titles."""
        self.post_message(PaneChanged(Pane.ACTIONS))

    def on_notes_pane_filled(self, message: NotesPane.Filled) -> None:
        self._notes_exist = message.has_text
        self._lay_out()

    def _lay_out(self) -> None:
        self._set_layout_classes(self.size)
        self._retitle()

    def _set_layout_classes(self, size: Size) -> None:
        width, height = size
        column = width >= WIDE and self._notes_exist
        self.set_class(not column, "-narrow")
        self.set_class(height >= TALL, "-stacked")

    def _retitle(self) -> None:
        narrow = self.has_class("-narrow")
        if not self.query(ActionsPane) or not self.query(NotesPane):
            return  # composing, or closing
        actions, notes = self.query_one(ActionsPane), self.query_one(NotesPane)
        # The other tab's key in brackets: "Notes · 2 Actions" read as "2 actions". (A zoomed
        # pane keeps its way back: the notes may fill, and the layout change, while it is.)
        zoomed = self.maximized
        actions_title = "Actions  [4 Notes]" if narrow else "Actions"
        notes_title = "Notes  [2 Actions]" if narrow else "Notes"
        actions.border_title = actions_title + (ZOOM_HINT if zoomed is actions else "")
        notes.border_title = notes_title + (ZOOM_HINT if zoomed is notes else "")

    def action_zoom(self) -> None:
        """`f`: the focused pane alone on the screen, and back."""
        zoomed = self.maximized
        if zoomed is not None:
            self.minimize()
            zoomed.border_title = str(zoomed.border_title or "").removesuffix(ZOOM_HINT)
            return
        focused = self.focused
        if isinstance(focused, EntityTable | NotesPane):
            self.maximize(focused, container=False)
            # The key bar is hidden under the zoomed pane: its title says how to come back.
            focused.border_title = f"{focused.border_title or ''}{ZOOM_HINT}"
        else:
            self.notify("f zooms the focused pane: press 1, 2, 3 or 4 first.", severity="warning")

    def _selected(self, panes: tuple[Pane, ...], what: str) -> tuple[Pane, str] | None:
        pane = self._focused_pane()
        if pane not in panes:
            names = " or ".join(f"{p.value.title()} ({PANE_KEYS[p]})" for p in panes)
            self.notify(f"{what} works on a row of {names}.", severity="warning", markup=False)
            return None
        table = self.pane_widget(pane)
        if table.take_lost_item() is not None:
            # The key was aimed at the row the cursor was on a moment ago, not at its neighbour.
            self.notify(
                notice(
                    f"Nothing done: the {noun(pane)} you were on was deleted elsewhere. "
                    "The cursor is on the next one now."
                ),
                severity="warning",
                markup=False,
            )
            return None
        entity_id = table.selected_id()
        if entity_id is None:
            self.notify(f"Nothing to {what.lower()} here.", severity="warning", markup=False)
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
        return not self._panes or not all(table.is_attached for table in self._panes.values())

    def show_pane(self, model: SessionModel, pane: Pane) -> None:
        """Repaint exactly one pane from the model."""
        if self.closing:
            return
        showing_another = self._showing.get(pane) != model.session_id
        if self.app.screen is not self and not showing_another:  # (`is_current`: true beneath a modal)
            # Under a modal the panes are dimmed, not read; every repaint there makes Textual
            # re-render this whole screen beneath the modal at each frame, which in a burst slows
            # the keys. The model keeps the changes; the pane catches up when the modal closes.
            # (Not a pane still showing the session left behind: a switch's first dialog, the
            # draft question, must not sit over one session's rows and another's header.)
            self._covered[pane] = model
            return
        self._showing[pane] = model.session_id
        if pane is Pane.HEADER:
            for header in self.query(SessionHeader):  # (none while the screen is taken down)
                header.show(model.header)
            # Assignee names come from the header: actions drawn before it arrived need them.
            if model.states[Pane.ACTIONS].loaded_once:
                self.show_pane(model, Pane.ACTIONS)
            return
        context = None
        if pane is Pane.ACTIONS:
            session = model.header
            people = (session.coach, session.coachee) if session is not None else ()
            goal_column = self._actions().shows_goals
            context = ActionContext(
                names={u.id: u.name for u in people if u is not None},
                # (Titles only where the Goal column shows: elsewhere a goal's rename would
                # repaint every action for nothing.)
                goals=_goal_titles(model) if goal_column else {},
                goal_column=goal_column,
            )
        state = model.states[pane]
        try:
            table = self.pane_widget(pane)
        except NoMatches:
            return  # being taken down (a reload's answer can arrive during the app's exit)
        table.show(state, context, state.take_changes())
        if self._wanted is table and not table.loading:
            self._wanted = None
            table.focus()
        if table.has_focus:
            self._offer_keys()  # (its first row came, or its last went)
        if pane is Pane.GOALS and model.states[Pane.ACTIONS].loaded_once:
            # An action's row shows its goal's title: Actions are repainted when a title changed.
            actions = self._actions()
            if actions.shows_goals and actions.context is not None:
                before, after = actions.context.goals, _goal_titles(model)
                renamed = {g for g in before.keys() | after.keys() if before.get(g) != after.get(g)}
                if any(a.goal_id in renamed for a in model.items(Pane.ACTIONS)):
                    self.show_pane(model, Pane.ACTIONS)
        if not self._focus_placed:
            self._place_focus(model)

    def _actions(self) -> ActionsPane:
        actions = self.pane_widget(Pane.ACTIONS)
        assert isinstance(actions, ActionsPane)
        return actions

    @property
    def laid_out(self) -> bool:
        """Every pane with data shows it in the columns its size has (none waits for a resize),
        and the notes have the column their text gives them (no change of layout is pending)."""
        return (
            not self.closing
            and self.notes_in_place
            and all(t.laid_out for t in self._panes.values() if not t.loading)
        )

    @property
    def notes_in_place(self) -> bool:
        """The notes have the column their text gives them, or none (their text came after the
        panes' first paint: the layout that follows it has been applied)."""
        notes = self.query(NotesPane)
        if not notes:
            return False
        column = not self.has_class("-narrow")
        in_place = self.maximized is not None or column == (notes[0].region.x > 0)  # (else hidden or below)
        return self._notes_exist == bool(notes[0].lines) and in_place

    @property
    def focus_placed(self) -> bool:
        """The start-up focus has been given and has landed (`focus()` applies it a frame later)."""
        return self._focus_placed and self.focused is not None

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
        # (A pane chosen with 1-3 before its data was drawn takes the focus when it is: else `x`
        # pressed next would act on Actions.)
        if self._wanted is None and (self.focused is None or self.focused.loading or notes_by_default):
            self.pane_widget(target).focus()
            if notes_by_default:
                # Nor is its cursor the user's: left there, it would keep its block in place and
                # what the others add at the top would scroll out of sight above it.
                self.query_one(NotesPane).focus_given_away()
        self._focus_placed = True

    def forget_covered(self) -> None:
        """Another session opens: the panes a modal covered catch up from the new one."""
        self._covered = {}
        self._focus_placed = False
        self._wanted = None

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed:
            # Pushed a moment ago: its widgets were styled as they mounted. Textual restyles a
            # resumed screen whole (after this handler), ~10 ms of the first paint's CPU for
            # nothing; from the first dialog on it does, as it should.
            self._resumed = True
            event.refresh_styles = False
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

    def offer_undo(self, on: bool) -> None:
        """`z` in the key bar while there is a delete of yours to undo in this session."""
        if on == self._undo_offered:
            return  # (asked on every pane update: a DOM query each time cost a burst dearly)
        bars = list(self.query(KeyBar))
        for bar in bars:
            bar.offer(Binding("z", "screen.undo", "Undo") if on else None, after="d")
        if bars:
            self._undo_offered = on

    def flash(self, text: str, title: str) -> None:
        """A change notice in the status line: it covers no row, and `h` keeps the detail."""
        for bar in self.query(StatusBar):
            bar.flash(text, title)

    def show_notes_status(self, status: ConnectionStatus) -> None:
        for bar in self.query(StatusBar):
            bar.notes = status

    def show_notes_unsent(self, count: int) -> None:
        for bar in self.query(StatusBar):
            bar.unsent = count


def _goal_titles(model: SessionModel) -> dict[str, str]:
    goals = model.states[Pane.GOALS].items.values()
    return {g.id: getattr(g, "title", None) or g.body or "(untitled goal)" for g in goals}
