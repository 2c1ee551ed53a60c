"""Changes made here: shown at once, confirmed by the server's answer, undone visibly on failure.

Each change goes on screen before its request (marked saving), the server's copy replaces it
when the answer comes, and the change's own event — which may arrive first — lands on an
identical row, so it repaints nothing. A PUT always starts from the latest copy the pane holds
(the backend's PUT is a full replacement: a field left out would be cleared). On failure the
row is put back as it was, unless the server's own copy arrived meanwhile, and the error says
why in words.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError, Conflict, NetworkError, NotFound, ServerError
from coachtui.api.models import Action, Agreement, EnrichedSession, Era, Goal, Status
from coachtui.live.events import Pane
from coachtui.live.model import KEEP, SessionModel

log = logging.getLogger(__name__)


class EditRefused(Exception):
    """The change cannot be made here and nothing was sent; the message says why."""


class EditFailed(Exception):
    """The server refused or failed the change; the screen shows what it has now."""

    def __init__(self, message: str, *, error: ApiError | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.error = error


@dataclass(frozen=True)
class Permissions:
    """What the user may change in this session (the web app's rules, §5.6)."""

    era: Era | None
    locked: bool  # after the session's day, for the coachee

    def check(self, what: str, pane: Pane) -> None:
        if pane is Pane.GOALS and what == "delete" and self.era is Era.SEED:
            raise EditRefused("This server (January 2026 version) cannot remove goals.")
        if self.locked and (
            pane in (Pane.GOALS, Pane.AGREEMENTS) or (pane is Pane.ACTIONS and what == "delete")
        ):
            kind = {Pane.GOALS: "goals", Pane.AGREEMENTS: "agreements", Pane.ACTIONS: "actions"}[pane]
            verb = "delete" if what == "delete" else "change"
            raise EditRefused(f"The session is over: only the coach can {verb} its {kind} now.")


def permissions(
    session: EnrichedSession | None, me: str | None, era: Era | None, now: dt.datetime
) -> Permissions:
    """From the end of the session's day (in this machine's time zone) the coachee can no longer
    change goals and agreements nor delete actions; the coach always can."""
    is_coachee = session is not None and session.coachee is not None and session.coachee.id == me
    locked = False
    if session is not None and is_coachee:
        day_end = dt.datetime.combine(
            session.date.astimezone().date() + dt.timedelta(days=1), dt.time(), tzinfo=now.astimezone().tzinfo
        )
        locked = now >= day_end
    return Permissions(era, locked)


def _reason(exc: ApiError, what: str) -> str:
    if isinstance(exc, NotFound):
        return f"Not {what}: it was deleted elsewhere."
    if isinstance(exc, Conflict) and exc.code == "conflict":
        return f"Not {what}: this relationship already has the most goals in progress allowed."
    return f"Not {what}: {exc.message}"


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
                saved: Any = await self.api.update_action(changed)
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
            raise EditFailed(_reason(exc, what), error=exc) from None
        if self.model.session_id != session_id:
            return saved  # the user switched sessions meanwhile: this answer is not for the screen
        if isinstance(saved, Goal) and self.model.states[pane].items.get(saved.id) is None:
            saved = None  # unlinked meanwhile: not this session's goal any more
        self.model.settle_local(pane, before.id, saved)
        return saved

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
        try:
            if pane is Pane.ACTIONS:
                await self.api.delete_action(entity_id)
            elif pane is Pane.AGREEMENTS:
                await self.api.delete_agreement(entity_id)
            elif everywhere:
                await self.api.delete_goal(entity_id)
            else:
                await self.api.unlink_goal(self.model.session_id, entity_id)
        except NotFound:
            pass  # gone already (deleted elsewhere): what was asked for is true
        except ApiError as exc:
            if self.model.session_id == session_id:
                self._undo(pane, entity, None)
                if isinstance(exc, ServerError | NetworkError):
                    self.model.reload(pane)
            raise EditFailed(_reason(exc, "deleted"), error=exc) from None
        if self.model.session_id == session_id:
            self.model.settle_local(pane, entity_id, None)
            self._last_removed = (session_id, pane, entity, everywhere)

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
        try:
            if isinstance(entity, Action):
                restored: Any = await self.api.create_action(
                    session_id,
                    entity.body or "",
                    status=entity.status,
                    due_by=entity.due_by,
                    assignee_ids=entity.assignee_ids,
                    goal_id=entity.goal_id,
                )
            elif isinstance(entity, Agreement):
                restored = await self.api.create_agreement(session_id, entity.body or "")
            elif everywhere:
                session = await self.api.get_session(session_id)
                restored = await self.api.create_goal(
                    session,
                    entity.title or "",
                    body=entity.body,
                    status=entity.status,
                    target_date=entity.target_date,
                )
            else:
                await self.api.link_goal(session_id, entity.id)
                restored = entity
        except ApiError as exc:
            self._last_removed = (session_id, pane, entity, everywhere)  # still there to try again
            raise EditFailed(_reason(exc, "restored"), error=exc) from None
        if self.model.session_id != session_id:
            return restored  # another session is on screen now
        if pane is Pane.GOALS:
            self.model.reload(pane)  # linking may promote the goal; its own answer is incomplete
        else:
            # Its event may have shown it already (current backend); the seed era sends none.
            self.model.settle_local(pane, restored.id, restored)
        return restored
