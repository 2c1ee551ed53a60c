"""Changes made here: shown at once, confirmed by the server's answer, undone visibly on failure.

Each change goes on screen before its request (marked saving), the server's copy replaces it
when the answer comes, and the change's own event — which may arrive first — lands on an
identical row, so it repaints nothing. A PUT always starts from the latest copy the pane holds
(the backend's PUT is a full replacement: a field left out would be cleared). On failure the
row is put back as it was, unless the server's own copy arrived meanwhile, and the error says
why in words.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError, Conflict, Forbidden, NetworkError, NotFound, ServerError
from coachtui.api.models import Action, Agreement, CoachingSession, Era, Goal, Status
from coachtui.live.capabilities import EditRefused as EditRefused  # (where callers know it)
from coachtui.live.events import Pane
from coachtui.live.forms import Form, Kind, Values, build, differing, values_of
from coachtui.live.model import KEEP, SessionModel, same_item

log = logging.getLogger(__name__)


class EditFailed(Exception):
    """The server refused or failed the change; the screen shows what it has now."""

    def __init__(self, message: str, *, error: ApiError | None = None, undone: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.error = error
        self.undone = undone  # False: part of it was done (the message says which)


class ChangedElsewhere(Exception):
    """The item changed on the server since the editor opened (or was deleted: `fields` empty)."""

    def __init__(self, fields: list[str], *, deleted: bool = False) -> None:
        super().__init__(", ".join(fields) or "deleted")
        self.fields = fields
        self.deleted = deleted


def _reason(exc: ApiError, what: str) -> str:
    if isinstance(exc, NotFound):
        return f"Not {what}: it was deleted elsewhere."
    if isinstance(exc, Forbidden):
        return f"Not {what}: the server says you are not allowed to change that."
    if isinstance(exc, Conflict) and exc.code == "conflict":
        return f"Not {what}: this relationship already has the most goals in progress allowed."
    return f"Not {what}: {exc.message}"


def _outcome_unknown(exc: ApiError) -> bool:
    """The write may have been done although it failed: a 5xx (a PUT commits its fields before
    the assignees, §5.6) or a connection broken after the request went out."""
    return isinstance(exc, ServerError) or (isinstance(exc, NetworkError) and exc.request_sent)


def _failure(exc: ApiError, what: str) -> str:
    """What to tell the user when a change failed and the pane was read again."""
    if _outcome_unknown(exc):
        return f"Maybe not {what}: {exc.message} The pane shows what the server has now."
    return _reason(exc, what)


class LocalEdits:
    def __init__(self, model: SessionModel, api: ApiClient) -> None:
        self.model = model
        self.api = api
        self._status_before: dict[str, Status] = {}  # what `x` goes back to
        # For `z`: the session, pane and entity of the last delete, and whether it was everywhere.
        self._last_removed: tuple[str, Pane, Any, bool] | None = None
        self.requests = 0  # writes sent (benchmarks and tests count them)

    def current(self, pane: Pane, entity_id: str) -> Any:
        entity = self.model.states[pane].items.get(entity_id)
        if entity is None:
            raise EditRefused("That item is no longer there.")
        if entity_id in self.model.states[pane].saving:
            raise EditRefused("That item is still being saved.")
        return entity

    # -- x: complete, and back --------------------------------------------------------------------

    def toggled_status(self, entity: Action | Goal) -> Status:
        if entity.status is Status.COMPLETED:
            # Back to where it was; In Progress when that is not known (as the web app does).
            return self._status_before.get(entity.id, Status.IN_PROGRESS)
        return Status.COMPLETED

    async def toggle_completed(self, pane: Pane, entity_id: str) -> Action | Goal:
        entity: Action | Goal = self.current(pane, entity_id)
        new = self.toggled_status(entity)
        if new is Status.COMPLETED:
            self._status_before[entity_id] = entity.status
        changed = entity.model_copy(update={"status": new})
        saved: Action | Goal = await self._save(pane, entity, changed, "saved")
        return saved

    async def _save(self, pane: Pane, before: Any, changed: Any, what: str) -> Any:
        session_id = self.model.session_id
        self.model.show_local(pane, before.id, changed)
        self.requests += 1
        try:
            if isinstance(changed, Action):
                people = set(changed.assignee_ids) != set(before.assignee_ids)
                saved: Any = await self.api.update_action(changed, assignees_changed=people)
            elif isinstance(changed, Goal):
                saved = await self.api.update_goal(changed)
            elif isinstance(changed, Agreement):
                saved = await self.api.update_agreement(
                    changed.id, changed.coaching_session_id, changed.body or ""
                )
            else:  # pragma: no cover - the panes hold these three kinds only
                raise TypeError(type(changed).__name__)
        except ApiError as exc:
            if self.model.session_id != session_id:
                raise EditFailed(_reason(exc, what), error=exc) from None  # another session on screen
            self._undo(pane, before, changed)
            if isinstance(exc, ServerError | NetworkError):
                # A 503 may have saved the fields anyway, a broken connection may have saved
                # all of it: the pane is reloaded before anyone decides what happened.
                self.model.reload(pane)
            log.info("edit of %s failed: %s", pane.value, type(exc).__name__)
            raise EditFailed(_failure(exc, what), error=exc) from None
        except BaseException:
            # Cancelled (or broken) with the request maybe sent: the row never stays "saving…";
            # it is put back and read again, so the server's copy decides.
            self._interrupted(pane, session_id, lambda: self._undo(pane, before, changed))
            raise
        if self.model.session_id != session_id:
            return saved  # the user switched sessions meanwhile: this answer is not for the screen
        if isinstance(saved, Goal) and self.model.states[pane].items.get(saved.id) is None:
            saved = None  # unlinked meanwhile: not this session's goal any more
        self.model.settle_local(pane, before.id, saved)
        return saved

    # -- the editor: save a form's values --------------------------------------------------------

    def check_current(self, form: Form, item_id: str, base: Values) -> list[str]:
        """The fields someone else changed since `base` was read (raises ChangedElsewhere with
        deleted=True when the item is gone)."""
        if form.pane is Pane.HEADER:
            latest: Any = self.model.header
        else:
            latest = self.model.states[form.pane].items.get(item_id)
        if latest is None:
            raise ChangedElsewhere([], deleted=True)
        return differing(form, base, values_of(form, latest))

    async def update(
        self, form: Form, item_id: str, base: Values, values: Values, *, overwrite: bool = False
    ) -> Any:
        """Save the fields the user changed (from `base`, what the editor showed first) on top of
        the latest server copy, so what someone else changed in other fields stays. If someone
        else changed one of the same fields since, nothing is sent unless `overwrite`
        (ChangedElsewhere names those fields)."""
        pane = form.pane
        mine = set(differing(form, base, values))
        # Only a field both sides changed needs the user's word; the others merge.
        clashing = [name for name in self.check_current(form, item_id, base) if name in mine]
        if clashing and not overwrite:
            raise ChangedElsewhere(clashing)
        if pane is Pane.HEADER:
            if differing(form, values_of(form, self.model.header), values):
                await self.set_title(str(values["title"]).strip() or None)
            return self.model.header
        latest = self.current(pane, item_id)
        latest_values = values_of(form, latest)
        merged = {**latest_values, **{name: values[name] for name in mine}}
        if not differing(form, latest_values, merged):
            return latest  # nothing to save: no request
        changed = build(form, merged, latest, session_id=self.model.session_id, me=self.api.user_id)
        # A text the user did not touch goes back exactly as the server has it: the editor shows
        # it made printable (no bidi or zero-width characters), which must never be saved over
        # the coachee's own words.
        untouched = {
            f.name: getattr(latest, f.name)
            for f in form.fields
            if f.kind in (Kind.TEXT, Kind.LINE) and f.name not in mine and hasattr(latest, f.name)
        }
        if untouched:
            changed = changed.model_copy(update=untouched)
        if isinstance(changed, Action | Goal) and changed.status is not latest.status:
            self._status_before.pop(item_id, None)
        return await self._save(pane, latest, changed, "saved")

    async def create(self, form: Form, values: Values) -> Any:
        """Create the item the values describe: shown at once under a temporary id, replaced by
        the server's copy (or by its own event, whichever comes first). When the answer is lost
        after the request went out, the pane is read again to learn whether it was made, so a
        retry never creates it twice."""
        pane, session_id = form.pane, self.model.session_id
        local = build(form, values, None, session_id=session_id, me=self.api.user_id)
        temp = f"new-{uuid.uuid4().hex[:12]}"
        local = local.model_copy(update={"id": temp})
        known = set(self.model.states[pane].items)
        self.model.show_created(pane, temp, local)
        self.requests += 1
        try:
            saved = await self._send_create(local, session_id)
        except asyncio.CancelledError:
            self._interrupted(pane, session_id, lambda: self.model.settle_created(pane, temp, None))
            raise
        except ApiError as exc:
            saved = None
            if _outcome_unknown(exc):
                saved = await self._find_created(pane, session_id, temp, local, known)
            if saved is None:
                if self.model.session_id == session_id:
                    self.model.settle_created(pane, temp, None)
                log.info("create in %s failed: %s", pane.value, type(exc).__name__)
                raise EditFailed(_reason(exc, "saved"), error=exc) from None
        if self.model.session_id == session_id:
            self.model.settle_created(pane, temp, saved)
            if pane is Pane.GOALS and self.api.era is Era.HEAD:
                # Created in this session, it was linked (and maybe promoted): its answer and
                # event carry the status before that (§5.6), so the pane is read again.
                self.model.reload(pane, yours=True)
        return saved

    async def _send_create(self, item: Any, session_id: str) -> Any:
        if isinstance(item, Action):
            return await self.api.create_action(
                session_id,
                item.body or "",
                status=item.status,
                due_by=item.due_by,
                assignee_ids=item.assignee_ids,
                goal_id=item.goal_id,
            )
        if isinstance(item, Agreement):
            return await self.api.create_agreement(session_id, item.body or "")
        header = self.model.header
        session: CoachingSession = (
            header
            if header is not None and header.id == session_id
            else await self.api.get_session(session_id)
        )
        return await self.api.create_goal(
            session, item.title or "", body=item.body, status=item.status, target_date=item.target_date
        )

    async def _find_created(self, pane: Pane, session_id: str, temp: str, local: Any, known: set[str]) -> Any:
        """Was it created although the answer was lost? Its event may have said so already;
        otherwise the pane is read now (None: it was not, or that cannot be learned now)."""
        real = self.model.created_id(temp)
        if real is not None:
            return self.model.states[pane].items.get(real)
        try:
            rows: list[Any] = await self.model.fetch(pane, session_id)
        except ApiError:
            return None
        return next((r for r in rows if r.id not in known and same_item(local, r)), None)

    # -- goals: link, make room under the cap; the session title ----------------------------------

    async def linkable(self) -> list[Goal]:
        """The relationship's goals this session could link: not linked yet, not Completed or
        Won't Do, newest first (the web app's list)."""
        rel = self.model.relationship_id
        if rel is None:
            raise EditRefused("The session is still loading; try again in a moment.")
        try:
            goals = await self.api.relationship_goals(rel)
        except ApiError as exc:
            raise EditFailed(f"The goals could not be read: {exc.message}", error=exc) from None
        linked = self.model.states[Pane.GOALS].items
        done = (Status.COMPLETED, Status.WONT_DO)
        free = [g for g in goals if g.id not in linked and g.status not in done]
        return sorted(free, key=lambda g: g.created_at.timestamp() if g.created_at else 0.0, reverse=True)

    async def link(self, goal: Goal) -> None:
        """Link a goal of this relationship to the session (it may be promoted to In Progress)."""
        self.requests += 1
        self.model.expect_yours(Pane.GOALS)
        try:
            await self.api.link_goal(self.model.session_id, goal.id)
        except ApiError as exc:
            self.model.forget_yours(Pane.GOALS)
            raise EditFailed(_reason(exc, "linked"), error=exc) from None
        self.model.reload(Pane.GOALS, yours=True)  # the link's answer is not the goal; its events are coarse

    async def make_room(self, goal_id: str, title: str) -> str:
        """Put an in-progress goal On Hold (and take it out of this session, as the web app's swap
        does) so another can be in progress. Says exactly what was done if a step fails."""
        name = f"“{title}”" if title else "The goal"
        self.model.expect_yours(Pane.GOALS)
        try:
            goal = await self.api.get_goal(goal_id)
            self.requests += 1
            await self.api.update_goal(goal.model_copy(update={"status": Status.ON_HOLD}))
        except ApiError as exc:
            self.model.forget_yours(Pane.GOALS)
            raise EditFailed(
                f"Nothing changed: putting {name} on hold failed ({exc.message}).", error=exc
            ) from None
        if goal_id in self.model.states[Pane.GOALS].items:
            try:
                self.requests += 1
                await self.api.unlink_goal(self.model.session_id, goal_id)
            except NotFound:
                pass
            except ApiError as exc:
                self.model.forget_yours(Pane.GOALS)
                raise EditFailed(
                    f"{name} is on hold now, but removing it from this session failed "
                    f"({exc.message}); your goal was not saved yet.",
                    error=exc,
                ) from None
        self.model.reload(Pane.GOALS, yours=True)
        return f"{name} is on hold now."

    async def set_title(self, title: str | None) -> None:
        """The session title (current backend): shown at once, the server's copy after."""
        header = self.model.header
        self.requests += 1
        if header is not None:
            self.model.show_header(header.model_copy(update={"title": title}))
        try:
            saved = await self.api.update_session_title(self.model.session_id, title)
        except BaseException as exc:
            if header is not None:
                self.model.show_header(header)
            if not isinstance(exc, ApiError):
                self.model.reload(Pane.HEADER)  # cancelled: the server's copy decides
                raise
            raise EditFailed(_reason(exc, "saved"), error=exc) from None
        if self.model.header is not None and self.model.session_id == saved.id:
            self.model.show_header(self.model.header.model_copy(update={"title": saved.title}))
            self.model.report_title(header.title if header is not None else None, saved.title)

    def _interrupted(self, pane: Pane, session_id: str, undo: Callable[[], None]) -> None:
        """A change cancelled mid-way: shown as it was, and the pane read again (the request may
        have reached the server); nothing of it reaches another session's model."""
        if self.model.session_id != session_id or self.model.disposed:
            return
        undo()
        self.model.reload(pane)
        log.info("edit of %s interrupted", pane.value)

    def _undo(self, pane: Pane, before: Any, changed: Any) -> None:
        state = self.model.states[pane]
        if state.items.get(before.id) is changed or (changed is None and before.id not in state.items):
            self.model.settle_local(pane, before.id, before)  # nothing newer came: as it was
        else:
            self.model.settle_local(pane, before.id, KEEP)  # the server's copy arrived: it stays

    # -- d: delete, or remove a goal from this session ----------------------------------------------

    async def delete(self, pane: Pane, entity_id: str, *, everywhere: bool = False) -> None:
        entity = self.current(pane, entity_id)
        session_id = self.model.session_id
        self.model.show_local(pane, entity_id, None)
        self.requests += 1
        unlinked = False
        try:
            if pane is Pane.ACTIONS:
                await self.api.delete_action(entity_id)
            elif pane is Pane.AGREEMENTS:
                await self.api.delete_agreement(entity_id)
            elif everywhere:
                await self.api.delete_goal(entity_id)
            else:
                await self.api.unlink_goal(self.model.session_id, entity_id)
                unlinked = True
        except NotFound:
            pass  # gone already (deleted elsewhere): what was asked for is true
        except BaseException as exc:
            if not isinstance(exc, ApiError):
                self._interrupted(pane, session_id, lambda: self._undo(pane, entity, None))
                raise
            if self.model.session_id == session_id:
                self._undo(pane, entity, None)
                if isinstance(exc, ServerError | NetworkError):
                    self.model.reload(pane)
            raise EditFailed(_failure(exc, "deleted"), error=exc) from None
        if self.model.session_id == session_id:
            self.model.settle_local(pane, entity_id, None)
            # The backend links no completed goal again: removing one cannot be undone.
            undoable = not (unlinked and entity.status is Status.COMPLETED)
            self._last_removed = (session_id, pane, entity, everywhere) if undoable else None
        if unlinked and entity.status is Status.IN_PROGRESS:
            # Out of the session it is not being worked on: On Hold, as the web app does (and it
            # frees a place under the cap); linking it again promotes it. The unlink is done
            # whatever happens here, so a failure says so and puts nothing back.
            self.requests += 1
            try:
                await self.api.update_goal(entity.model_copy(update={"status": Status.ON_HOLD}))
            except ApiError as exc:
                raise EditFailed(
                    f"Removed from this session, but putting it On Hold failed ({exc.message}): "
                    "it still counts as in progress.",
                    error=exc,
                    undone=False,
                ) from None

    # -- z: undo the last delete or unlink, as the web app's Undo does (a new item, same content) --

    @property
    def undo_pane(self) -> Pane | None:
        """The pane `z` would bring an item back to (None: nothing to undo in this session)."""
        last = self._last_removed
        return last[1] if last is not None and last[0] == self.model.session_id else None

    async def undo(self) -> Any:
        """Re-create what the last delete removed (or link the goal again); returns it."""
        if self._last_removed is None or self.undo_pane is None:
            raise EditRefused("Nothing to undo: z brings back your last delete in this session.")
        session_id, pane, entity, everywhere = self._last_removed
        self._last_removed = None
        self.requests += 1
        # Shown at once under a temporary id, like a create: its event (a new id) takes that
        # row's place, so it is never reported as someone else's addition.
        relink = pane is Pane.GOALS and not everywhere
        temp = f"new-{uuid.uuid4().hex[:12]}"
        if relink:
            self.model.expect_yours(pane)
        else:
            self.model.show_created(pane, temp, entity.model_copy(update={"id": temp}))
        try:
            if relink:
                await self.api.link_goal(session_id, entity.id)
                restored: Any = entity
            else:
                restored = await self._send_create(entity, session_id)
        except asyncio.CancelledError:
            self._last_removed = (session_id, pane, entity, everywhere)
            if relink:
                self.model.forget_yours(pane)
            else:
                self._interrupted(pane, session_id, lambda: self.model.settle_created(pane, temp, None))
            raise
        except ApiError as exc:
            self._last_removed = (session_id, pane, entity, everywhere)  # still there to try again
            if self.model.session_id == session_id:
                self.model.forget_yours(pane) if relink else self.model.settle_created(pane, temp, None)
            raise EditFailed(_reason(exc, "restored"), error=exc) from None
        if self.model.session_id != session_id:
            return restored  # another session is on screen now
        if not relink:
            self.model.settle_created(pane, temp, restored)
        if pane is Pane.GOALS:
            # Linking may promote the goal; its own answer is incomplete.
            self.model.reload(pane, yours=True)
        return restored
