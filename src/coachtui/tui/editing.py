"""Changes made from the keyboard: the keys' messages become edits, sent by workers.

The session screen says what the user asked for (messages); this part of the app opens the
editor or a question, and hands the change to live/edits.py, which shows it at once and sends
it. Nothing typed is lost: the editor's text is kept as a draft until the server has it, a
failed save reopens the editor with the text and the reason, and a draft left by a crash is
offered back when the session opens again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from coachtui.api.client import ApiClient
from coachtui.api.errors import Conflict
from coachtui.api.models import Status
from coachtui.drafts import Draft, Drafts, draft_key
from coachtui.live.capabilities import EditRefused
from coachtui.live.clock import Clock
from coachtui.live.edits import ChangedElsewhere, EditFailed, LocalEdits
from coachtui.live.engine import LiveEngine
from coachtui.live.events import Pane
from coachtui.live.forms import Form, Values, change_of, differing, form_for, noun, values_of
from coachtui.live.model import LIST_PANES
from coachtui.text import inert, notice
from coachtui.tui.messages import DeleteRequested, EditRequested, LinkRequested, ToggleDone, UndoRequested
from coachtui.tui.screens.modals import Notice, delete_question
from coachtui.tui.screens.session import SessionScreen
from coachtui.tui.session_run import SessionRun

if TYPE_CHECKING:
    from coachtui.tui.screens.editor import EditorResult

# The editor and the chooser are imported when first opened: they are not on the first screen,
# and start-up is paid before the session shows.

EDITS_GROUP = "edits"
LINK_GROUP = "link-chooser"


@dataclass
class SaveJob:
    """One change to send; `retry` runs it again after room was made under the goal cap."""

    run: Callable[[], Awaitable[Any]]
    failed: Callable[[str], None]  # says why (reopens the editor, or a notification)
    done: Callable[[], None] = lambda: None
    what: str = "saved"  # for "Not saved: …"


class EditingApp(App[int]):
    """The CoachApp's editing half (see tui/app.py for the rest)."""

    api: ApiClient
    live: LiveEngine | None
    session_run: SessionRun | None
    clock: Clock
    session_screen: SessionScreen
    drafts_dir: Path | None

    @property
    def edits(self) -> LocalEdits | None:
        return self.session_run.edits if self.session_run is not None else None

    @property
    def drafts(self) -> Drafts | None:
        return self.session_run.drafts if self.session_run is not None else None

    def push_for_run(self, screen: Screen[Any], callback: Callable[[Any], None] | None = None) -> None:
        """Open an editor or a dialog that belongs to the session open now: a switch closes it,
        and its answer, if it comes after, does nothing (the run's guard)."""
        run = self.session_run
        if run is None:
            return
        run.screens.append(screen)
        answer = run.guard(callback or (lambda _: None))

        def answered(result: Any) -> None:
            if screen in run.screens:
                run.screens.remove(screen)
            answer(result)

        self.push_screen(screen, answered)

    def _show_pane(self, pane: Pane) -> None:
        raise NotImplementedError  # (the app's: repaint one pane now)

    # -- who may change what ----------------------------------------------------------------------

    def _allowed(self, what: str, pane: Pane) -> bool:
        """May the user make this change here? If not, say why (nothing is sent)."""
        reason = self._refusal(what, pane)
        if reason:
            self.notify(notice(reason), title="Not possible here", severity="warning", markup=False)
        return not reason

    def _refusal(self, what: str, pane: Pane) -> str:
        if self.session_run is None:
            return "The session is still loading."
        return self.session_run.model.capabilities().refusal(what, pane)

    # -- x, d, z ------------------------------------------------------------------------------------

    @on(ToggleDone)
    def toggle_done(self, message: ToggleDone) -> None:
        if self.edits is not None and self._allowed("edit", message.pane):
            self.run_edit(self.edits.toggle_completed(message.pane, message.entity_id))

    @on(DeleteRequested)
    def delete_requested(self, message: DeleteRequested) -> None:
        pane, entity_id = message.pane, message.entity_id
        if self.edits is None or self.live is None or not self._allowed("delete", pane):
            return
        entity = self.live.model.states[pane].items.get(entity_id)
        if entity is None:
            return
        edits = self.edits
        text = inert(
            getattr(entity, "title", None) or getattr(entity, "body", None) or "(no text)", limit=120
        )

        completed_goal = pane is Pane.GOALS and getattr(entity, "status", None) is Status.COMPLETED

        def answered(choice: str | None) -> None:
            if choice not in ("yes", "everywhere"):
                return
            gone = {"yes": "Removed from this session", "everywhere": "Deleted everywhere"}
            said = gone[choice] if pane is Pane.GOALS else "Deleted"
            self.session_screen.pane_widget(pane).removing(entity_id)
            change = edits.delete(pane, entity_id, everywhere=choice == "everywhere")
            self.run_edit(change, done=f"{said}: {text}", undo=True)

        self.push_for_run(delete_question(pane, text, completed_goal=completed_goal), answered)

    @on(UndoRequested)
    def undo_requested(self, message: UndoRequested) -> None:
        if self.edits is None:
            return
        pane = self.edits.undo_pane
        if pane is None:
            self.notify("Nothing to undo: z brings back your last delete.", severity="warning")
            return
        if self._allowed("edit", pane):
            self.run_edit(self.edits.undo(), done="Restored", failed_title="Not restored")

    def offer_undo(self) -> None:
        """`z` in the key bar exactly while there is a delete of yours to undo here."""
        if self.edits is not None:
            self.session_screen.offer_undo(self.edits.undo_pane is not None)

    @work(group=EDITS_GROUP, exit_on_error=False)
    async def run_edit(
        self,
        change: Awaitable[object],
        done: str | None = None,
        *,
        undo: bool = False,
        failed_title: str | None = None,
    ) -> None:
        try:
            restored = await change
            if done == "Restored":  # what came back, in words
                text = getattr(restored, "title", None) or getattr(restored, "body", None)
                done = f"Restored: {inert(text, limit=80)}" if text else "Restored."
            self.offer_undo()
            if done:
                undoable = undo and self.edits is not None and self.edits.undo_pane is not None
                said = done + (" · z undo" if undoable else "")
                self.notify(notice(said), timeout=5 if undoable else 3, markup=False)
        except EditRefused as refused:
            self.notify(notice(str(refused)), title="Not possible here", severity="warning", markup=False)
        except EditFailed as failed:
            if self._goal_cap(failed):
                self.notify(
                    "Too many goals in progress: put one on hold first.", severity="error", markup=False
                )
            else:
                title = failed_title or ("Change undone" if failed.undone else "Only partly done")
                self.notify(notice(failed.message), title=title, severity="error", markup=False)

    # -- n, enter, t: the editor -------------------------------------------------------------------

    @on(EditRequested)
    def edit_requested(self, message: EditRequested) -> None:
        pane, item_id = message.pane, message.entity_id
        if self.live is None:
            return
        if item_id is None or pane is Pane.HEADER:
            if not self._allowed("edit", pane):
                return
            if pane is Pane.HEADER:
                if self.live.model.header is None:
                    self.notify("The session is still loading.", severity="warning")
                    return
                item_id = self.live.model.session_id
        self.open_editor(pane, item_id, error=self._refusal("edit", pane) if item_id else "")

    def _form(self, pane: Pane, item: Any) -> Form:
        assert self.live is not None
        model = self.live.model
        return form_for(pane, self.api.era, model.header, model.items(Pane.GOALS), item)

    def _item(self, pane: Pane, item_id: str | None) -> Any:
        if self.live is None or item_id is None:
            return None
        model = self.live.model
        return model.header if pane is Pane.HEADER else model.states[pane].items.get(item_id)

    def open_editor(
        self,
        pane: Pane,
        item_id: str | None,
        *,
        values: Values | None = None,
        base: Values | None = None,
        error: str = "",
    ) -> None:
        item = self._item(pane, item_id)
        if item_id is not None and item is None and base is None:
            self.notify("That item is no longer there.", severity="warning")
            return
        form = self._form(pane, item)
        today = self.clock.now().astimezone().date()
        current = values_of(form, item, today=today) if item is not None else None
        if base is None:
            base = current
        start = values if values is not None else current or values_of(form, None, today=today)
        key = draft_key(pane, item_id)
        drafts = self.drafts  # this session's, whatever is open when the text is typed

        def keep(typed: Values, kept_base: Values | None = None) -> None:
            # The base with what the editor took in from elsewhere: a field the other side
            # changed meanwhile is theirs, not the user's, when the draft comes back.
            if drafts is not None:
                own = kept_base if kept_base is not None else editor.own_base() if base is not None else None
                drafts.put(Draft(pane, item_id, typed, own))

        from coachtui.tui.screens.editor import EditorScreen

        editor = EditorScreen(
            form,
            start,
            item_id=item_id,
            base=base,
            title=self._editor_title(form, item_id),
            facts=self._facts(item) if pane is not Pane.HEADER else "",
            error=error,
            on_change=keep,
            pristine=current or values_of(form, None, today=today),
        )

        def closed(result: EditorResult | None) -> None:
            if result is None:
                if drafts is not None:
                    drafts.drop(key)
                return
            keep(result.values, result.base)
            self._save_from_editor(form, item_id, base, result)

        self.push_for_run(editor, closed)
        if base is not None:
            editor.call_after_refresh(editor.show_latest, current)

    @staticmethod
    def _editor_title(form: Form, item_id: str | None) -> str:
        if form.pane is Pane.HEADER:
            return "Session title"
        return f"New {form.noun}" if item_id is None else f"Edit {form.noun}"

    def _facts(self, item: Any) -> str:
        """Read-only facts: who created it, when, last changes (local time)."""
        if item is None or self.live is None:
            return ""
        header = self.live.model.header
        names = {u.id: u.name for u in (header.coach, header.coachee) if u is not None} if header else {}
        parts = []
        if item.user_id:
            parts.append(f"Created by {inert(names.get(item.user_id, 'someone else'), limit=40)}")
        for label, when in (
            ("created", item.created_at),
            ("updated", item.updated_at),
            ("status changed", getattr(item, "status_changed_at", None)),
        ):
            if when is not None:
                parts.append(f"{label} {_when(when, self.clock.now())}")
        return " · ".join(parts)

    def _save_from_editor(
        self, form: Form, item_id: str | None, base: Values | None, result: EditorResult
    ) -> None:
        opened = self.session_run
        assert opened is not None
        edits, values, drafts = opened.edits, result.values, opened.drafts
        key = draft_key(form.pane, item_id)

        def failed(message: str) -> None:
            if opened is not self.session_run:
                title = "Not saved (kept as a draft)"
                self.notify(notice(message), title=title, severity="error", markup=False)
                return
            self._show_pane(form.pane)  # the row as the server has it, before the editor covers it
            self.open_editor(form.pane, item_id, values=values, base=base, error=message)

        # Their changes the save keeps: from what the editor first showed, before it took any in.
        kept = self._kept_theirs(form, item_id, base, result.base or base, values)
        if result.base is not None:
            base = result.base  # with what the editor took in from elsewhere

        def done() -> None:
            if drafts is not None:
                drafts.drop(key)  # saved in its own session, whichever is open now
            if kept:
                self.notify(notice("Saved; kept their " + " · ".join(kept) + "."), timeout=6, markup=False)

        reason = self._refusal("edit", form.pane)
        if reason:
            failed(reason)
            return
        if item_id is None or result.as_new or base is None:
            run: Callable[[], Awaitable[Any]] = lambda: edits.create(form, values)  # noqa: E731
        else:
            run = lambda: edits.update(form, item_id, base, values, overwrite=result.overwrite)  # noqa: E731
        self.save(SaveJob(run, failed, done))

    def _kept_theirs(
        self, form: Form, item_id: str | None, base: Values | None, own: Values | None, values: Values
    ) -> list[str]:
        """Someone else's changes (since `base`) to fields the user left alone (measured from
        `own`), in words ("Status change: Not Started → Won't Do"): the save keeps them."""
        if item_id is None or base is None or own is None or self.edits is None:
            return []
        try:
            theirs = self.edits.check_current(form, item_id, base)
        except ChangedElsewhere:
            return []
        model = self.edits.model
        item = model.header if form.pane is Pane.HEADER else model.states[form.pane].items.get(item_id)
        latest = values_of(form, item)
        mine = set(differing(form, own, values))
        return [
            change_of(form, name, base[name], latest[name]).replace(":", " change:", 1)
            for name in theirs
            if name not in mine
        ]

    @work(group=EDITS_GROUP, exit_on_error=False)
    async def save(self, job: SaveJob) -> None:
        try:
            await job.run()
        except ChangedElsewhere as elsewhere:
            job.failed(
                "Not saved: it was deleted elsewhere meanwhile."
                if elsewhere.deleted
                else "Not saved: someone changed it meanwhile (see above); ctrl+s asks before overwriting."
            )
        except EditRefused as refused:
            job.failed(str(refused))
        except EditFailed as failed:
            if self._goal_cap(failed):
                assert isinstance(failed.error, Conflict)
                self._offer_room(failed.error, job)
            else:
                job.failed(failed.message)
        else:
            job.done()

    # -- the goal cap: make room, then try again ---------------------------------------------------

    @staticmethod
    def _goal_cap(failed: EditFailed) -> bool:
        error = failed.error
        return isinstance(error, Conflict) and error.code == "conflict" and bool(error.in_progress_goals)

    def _offer_room(self, error: Conflict, job: SaveJob) -> None:
        cap = error.max_in_progress or len(error.in_progress_goals)
        options = [
            (gid, inert(title, limit=60) or "(untitled goal)") for gid, title in error.in_progress_goals
        ]
        from coachtui.tui.screens.chooser import Chooser

        chooser = Chooser(
            "Too many goals in progress",
            f"This coaching relationship can have at most {cap} goals in progress. Put one of them "
            "on hold (it also leaves this session) to make room, and yours is saved right after:",
            options,
            empty="",
            verb="Put on hold",
        )
        titles = dict(options)

        def chosen(goal_id: str | None) -> None:
            if goal_id is None:
                job.failed(f"Not {job.what}: the relationship already has the most goals in progress.")
            else:
                self.make_room(goal_id, titles.get(goal_id, ""), job)

        self.push_for_run(chooser, chosen)

    @work(group=EDITS_GROUP, exit_on_error=False)
    async def make_room(self, goal_id: str, title: str, job: SaveJob) -> None:
        assert self.edits is not None
        try:
            said = await self.edits.make_room(goal_id, title)
        except EditFailed as failed:
            job.failed(failed.message)
            return
        self.notify(notice(said), timeout=3, markup=False)
        self.save(job)

    # -- l: link a goal ---------------------------------------------------------------------------

    @on(LinkRequested)
    def link_requested(self, message: LinkRequested) -> None:
        if self.edits is not None and self._allowed("link", Pane.GOALS):
            self.choose_goal_to_link()

    # A group of its own: `exclusive` there replaces an earlier `l` still reading the goals, and
    # never cancels the saves of the "edits" group.
    @work(group=LINK_GROUP, exit_on_error=False, exclusive=True)
    async def choose_goal_to_link(self) -> None:
        run = self.session_run
        assert run is not None
        edits = run.edits
        try:
            goals = await edits.linkable()
        except (EditRefused, EditFailed) as exc:
            self.notify(notice(str(exc)), severity="error", markup=False)
            return
        if run is not self.session_run:
            return  # another session opened meanwhile: its goals are not these
        by_id = {g.id: g for g in goals}
        from coachtui.tui.screens.chooser import Chooser

        chooser = Chooser(
            "Link a goal to this session",
            "Goals of this coaching relationship not in this session (newest first):",
            [(g.id, inert(g.title, limit=60) or "(untitled goal)") for g in goals],
            empty="Every open goal of this coaching relationship is in this session already. "
            "n in Goals creates a new one.",
            verb="Link",
        )

        def chosen(goal_id: str | None) -> None:
            goal = by_id.get(goal_id or "")
            if goal is not None:
                self.save(SaveJob(lambda: edits.link(goal), self._say_failed, what="linked"))

        self.push_for_run(chooser, chosen)

    def _say_failed(self, message: str) -> None:
        self.notify(notice(message), title="Not done", severity="error", markup=False)

    # -- drafts: kept until saved, offered back --------------------------------------------------

    def offer_drafts(self) -> None:
        """Once the session's panes are loaded: offer back what a crash or a quit left unsaved."""
        run = self.session_run
        if run is None or run.drafts is None or run.drafts_offered:
            return
        model = run.model
        if model.header is None or not all(model.states[p].loaded_once for p in LIST_PANES):
            return
        run.drafts_offered = True
        waiting = run.drafts.all()
        if waiting:
            self._offer_draft(waiting[0])

    def _offer_draft(self, draft: Draft) -> None:
        drafts = self.drafts
        text = next((str(v) for v in draft.values.values() if isinstance(v, str) and v.strip()), "")
        kind = noun(draft.pane)
        what = f"a new {kind}" if draft.item_id is None else f"the {kind}"
        question = Notice(
            "Restore your unsaved draft?",
            f"You were writing {what} and it was not saved:\n\n{inert(text, limit=160) or '(empty)'}",
            [("restore", "Restore"), ("discard", "Discard")],
            keys=[
                Binding("y", "screen.choose('restore')", "Restore"),
                Binding("n", "screen.choose('discard')", "Discard"),
                Binding("escape", "screen.choose('later')", "Ask next time"),
            ],
        )

        def answered(choice: str | None) -> None:
            if drafts is None:
                return
            if choice == "discard":
                drafts.drop(draft.key)
            elif choice == "restore":
                self.open_editor(draft.pane, draft.item_id, values=draft.values, base=draft.base)
            rest = [d for d in drafts.all() if d.key != draft.key]
            if choice != "restore" and rest:
                self._offer_draft(rest[0])

        self.push_for_run(question, answered)

    def show_to_editor(self, pane: Pane) -> None:
        """An editor open on an item of `pane` learns the item's latest server copy."""
        screens = self.session_run.screens if self.session_run is not None else ()
        if not screens:
            return  # (no editor was ever opened: nothing to import)
        from coachtui.tui.screens.editor import EditorScreen

        for screen in screens:
            if isinstance(screen, EditorScreen) and screen.form.pane is pane and screen.item_id:
                if self.live is None or screen.item_id in self.live.model.states[pane].saving:
                    continue  # our own change on its way: not someone else's
                item = self._item(pane, screen.item_id)
                screen.show_latest(values_of(screen.form, item) if item is not None else None)


def _when(moment: dt.datetime, now: dt.datetime) -> str:
    """Local time; the year only when it is not this year (by the app's clock)."""
    local = moment.astimezone()
    same_year = local.year == now.astimezone().year
    return local.strftime("%d %b %H:%M" if same_year else "%d %b %Y %H:%M")
