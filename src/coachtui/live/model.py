"""What the panes show: per pane a keyed collection and a status, kept right by events and reloads.

Entity events are applied in place (no request); coarse and malformed events reload just their
pane. Reloads are single-flight per pane with one trailing rerun after a short debounce, so a
burst costs at most two requests, and entity events that arrive while a reload is in flight are
replayed on top of its result, so a snapshot taken before them cannot undo them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError, SessionExpired
from coachtui.api.models import EnrichedSession, Era, Goal
from coachtui.live.capabilities import Capabilities
from coachtui.live.changes import Change, Context, Origin, Resync, compare, compare_title
from coachtui.live.clock import REAL_CLOCK, Clock
from coachtui.live.events import Delete, Entity, Invalidate, LiveEvent, Malformed, Pane, Upsert
from coachtui.live.observer import LiveObserver

log = logging.getLogger(__name__)

LIST_PANES = (Pane.GOALS, Pane.ACTIONS, Pane.AGREEMENTS)
SEED_POLLED = (Pane.ACTIONS, Pane.AGREEMENTS)  # the seed-era backend sends no events for these


class _Keep:
    """Leave the pane's copy as it is."""


KEEP = _Keep()


class PaneStatus(StrEnum):
    LOADING = "loading"
    FRESH = "fresh"
    STALE = "stale"
    FAILED = "failed"


@dataclass
class PaneState:
    pane: Pane
    items: dict[str, Entity] = field(default_factory=dict)
    status: PaneStatus = PaneStatus.LOADING
    since: dt.datetime | None = None  # stale since / failed at
    error: str | None = None
    loaded_once: bool = False
    loaded_at: dt.datetime | None = None  # the last reload's answer
    polled_every: float | None = None  # seconds, when this pane has no live events (seed era)
    version: int = 0  # bumps on every visible change
    # Ids changed since the screen last looked (None: everything, e.g. after a reload), so a
    # pane can redraw one row per event instead of scanning all of them.
    changed: set[str] | None = None
    saving: set[str] = field(default_factory=set)  # ids with a local change the server has not confirmed
    unreadable: int = 0  # records the last reload left out: they could not be read
    unreadable_ids: frozenset[str] = frozenset()  # those of them that had an id

    def take_changes(self) -> set[str] | None:
        changes, self.changed = self.changed, set()
        return changes


class _Reloader:
    """Single flight with one trailing rerun; a debounce before each fetch coalesces bursts."""

    def __init__(
        self, run: Callable[[], Awaitable[None]], debounce: float, sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        self._run = run
        self.debounce = debounce
        self._sleep = sleep
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self._pause: asyncio.Future[None] | None = None  # the debounce being waited out
        self._at_once = False
        self.requests = 0

    def trigger(self, *, at_once: bool = False) -> None:
        """Fetch (again) after the debounce; `at_once`: without it, and a debounce being waited
        out ends now (the stream has just connected: nothing is left to coalesce)."""
        self._dirty = True
        if at_once:
            self._at_once = True
            if self._pause is not None:
                self._pause.cancel()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._loop())

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _loop(self) -> None:
        while self._dirty:
            if self.debounce > 0 and not self._at_once:
                self._pause = asyncio.ensure_future(self._sleep(self.debounce))
                try:
                    await asyncio.wait({self._pause})  # (ended early by `trigger(at_once=True)`)
                finally:
                    self._pause.cancel()
                    self._pause = None
            self._at_once = False
            self._dirty = False
            self.requests += 1
            await self._run()

    def cancel(self) -> None:
        self._dirty = False
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def aclose(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class SessionModel:
    def __init__(
        self,
        api: ApiClient,
        session_id: str,
        observer: LiveObserver,
        *,
        debounce: float = 0.15,
        clock: Clock = REAL_CLOCK,
    ) -> None:
        self.api = api
        self.session_id = session_id
        self.observer = observer
        self.clock = clock
        self.poll_interval: float | None = None  # set by whoever polls the seed era
        self.header: EnrichedSession | None = None
        self.states: dict[Pane, PaneState] = {p: PaneState(p) for p in (Pane.HEADER, *LIST_PANES)}
        self._generation = 0
        self._journal: dict[Pane, list[LiveEvent]] = {p: [] for p in LIST_PANES}
        # Local changes not yet confirmed (None: deleted here), laid over every reload's answer
        # so a snapshot taken before the change cannot undo it on screen.
        self._local: dict[Pane, dict[str, Entity | None]] = {p: {} for p in LIST_PANES}
        # Items created here, by their temporary id, until the server answers; and the real id
        # of those whose own event (or a reload) showed them first.
        self._creating: dict[Pane, dict[str, Entity]] = {p: {} for p in LIST_PANES}
        self._adopted: dict[str, str] = {}
        self._reloaders = {p: _Reloader(self._loader(p), debounce, clock.sleep) for p in self.states}
        # What a local change replaced (None: nothing, a create), until the answer says it is
        # done: then the difference is reported as the user's own, never as someone else's.
        self._mine_before: dict[tuple[Pane, str], Entity | None] = {}
        # The newest server copy of each item seen while it was being saved here (its event).
        self._seen_while_saving: dict[tuple[Pane, str], Entity] = {}
        # Reloads whose differences are the user's own doing (a link, a goal's promotion): up to
        # which reload number (counted as `_Reloader.requests`) of a pane that holds.
        self._yours_until: dict[Pane, float] = {}
        # The reload after a reconnect: panes not back yet, and what those back found changed.
        self._resync: tuple[set[Pane], list[Change], list[Pane]] | None = None
        self._context: tuple[tuple[object, ...], Context] | None = None
        self.disposed = False

    # -- reading ------------------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        """What may be changed in this session, by whom this client is logged in as, now."""
        return Capabilities(self.api.era, self.header, self.api.user_id, self.clock.now())

    @property
    def relationship_id(self) -> str | None:
        return self.header.coaching_relationship_id if self.header else None

    def items(self, pane: Pane) -> list[Any]:
        return list(self.states[pane].items.values())

    @property
    def busy(self) -> bool:
        """A reload is pending or in flight for some pane."""
        return any(r.busy for r in self._reloaders.values())

    def requests(self, pane: Pane) -> int:
        return self._reloaders[pane].requests

    # -- reloads ------------------------------------------------------------------------------

    def reload(self, pane: Pane, *, yours: bool = False) -> None:
        """Read `pane` again; `yours`: what it finds changed is the user's doing (see
        `expect_yours`), up to and including this reload."""
        reloader = self._reloaders[pane]
        if yours:
            self._yours_until[pane] = reloader.requests + 1
        reloader.trigger()

    def expect_yours(self, pane: Pane) -> None:
        """A change made here is about to reach `pane` by a reload (its events are coarse):
        until `reload(pane, yours=True)` follows, what reloads find is the user's doing."""
        self._yours_until[pane] = float("inf")

    def forget_yours(self, pane: Pane) -> None:
        """The change `expect_yours` announced failed: reloads find others' changes again."""
        self._yours_until.pop(pane, None)

    def report_title(self, before: str | None, after: str | None) -> None:
        """The user changed the session title here."""
        if self.header is not None:
            change = compare_title(before, after, self.header.id, at=self.clock.now(), origin=Origin.YOURS)
            if change is not None:
                self.observer.changed(change)

    def resync(self) -> None:
        """Reconnected: reload every pane and report, once, what changed while disconnected."""
        self._resync = (set(self.states), [], [])
        self.reload_all()

    def context(self) -> Context:
        """What names ids in change reports (one per header and version of the goals)."""
        key = (id(self.header), self.states[Pane.GOALS].version, self.api.era, self.api.user_id)
        if self._context is None or self._context[0] != key:
            goals = [g for g in self.states[Pane.GOALS].items.values() if isinstance(g, Goal)]
            self._context = (key, Context(self.header, goals, self.api.era, self.api.user_id))
        return self._context[1]

    def _report(
        self, pane: Pane, before: Entity | None, after: Entity | None, origin: Origin
    ) -> Change | None:
        change = compare(pane, before, after, self.context(), at=self.clock.now(), origin=origin)
        if change is not None:
            self.observer.changed(change)
        return change

    def reload_all(self, *, at_once: bool = False) -> None:
        """Every pane read again; `at_once`: without the debounce (see `_Reloader.trigger`)."""
        for pane in self.states:
            self._reloaders[pane].trigger(at_once=at_once)

    def switch(self, session_id: str) -> None:
        """Follow another session on the same connection: drop data, reload everything."""
        self.session_id = session_id
        self._generation += 1
        self.header = None
        self._local = {p: {} for p in LIST_PANES}  # changes to the old session stay out of the new one
        self._creating = {p: {} for p in LIST_PANES}
        self._adopted = {}
        self._mine_before = {}
        self._seen_while_saving = {}
        self._yours_until = {}
        self._resync = None
        for pane, state in self.states.items():
            self.states[pane] = PaneState(pane, version=state.version + 1)
            self.observer.pane_changed(pane)
        self.reload_all()

    def dispose(self) -> None:
        """Another session is open now: reloads in flight are cancelled, late answers and the
        edits still finishing here change this model only, and nothing more is reported."""
        self._generation += 1
        self.observer = LiveObserver()  # (its methods do nothing)
        for reloader in self._reloaders.values():
            reloader.cancel()
        self.disposed = True

    def mark_stale(self) -> None:
        """Connection lost: keep the data, say since when it may be out of date."""
        for pane, state in self.states.items():
            if state.status is PaneStatus.FRESH:
                state.status, state.since = PaneStatus.STALE, self.clock.now()
                state.version += 1
                self.observer.pane_changed(pane)

    async def aclose(self) -> None:
        await asyncio.gather(*(r.aclose() for r in self._reloaders.values()))

    def _loader(self, pane: Pane) -> Callable[[], Awaitable[None]]:
        async def load() -> None:
            generation, session_id = self._generation, self.session_id
            number, login = self._reloaders[pane].requests, self.api.login_number
            if pane in self._journal:
                self._journal[pane] = []
            try:
                result = await self.fetch(pane, session_id)
            except Exception as exc:  # not only ApiError: a reload task's failure is never silent
                if generation != self._generation:
                    return
                if isinstance(exc, SessionExpired) and login != self.api.login_number:
                    # Sent with the login a new one replaced: says nothing of it. Read again.
                    self._reloaders[pane].trigger()
                    return
                self._resynced(pane, [], failed=True)
                state = self.states[pane]
                message = (
                    exc.message
                    if isinstance(exc, ApiError)
                    else f"an unexpected error ({type(exc).__name__}); see the log"
                )
                state.status, state.error, state.since = PaneStatus.FAILED, message, self.clock.now()
                state.version += 1
                if isinstance(exc, ApiError):
                    log.warning("reload of %s failed: %s", pane.value, type(exc).__name__)
                else:  # (its type and where, never its message: it may quote server text)
                    where = "".join(traceback.format_tb(exc.__traceback__))
                    log.error("reload of %s failed: %s\n%s", pane.value, type(exc).__name__, where)
                self.observer.pane_changed(pane)
                if isinstance(exc, SessionExpired):
                    self.observer.login_lost(exc.message)
                return
            if generation != self._generation:
                return  # answer for a session no longer shown
            self._install(pane, result, number)

        return load

    async def fetch(self, pane: Pane, session_id: str) -> Any:
        """One pane's data for a session, read as a reload reads it (not installed)."""
        if pane is Pane.HEADER:
            known = self.header
            if known is not None and known.id == session_id:
                # Names and organization do not change under a session: one request, not two.
                session = await self.api.get_session(session_id)
                return known.model_copy(update=session.model_dump(exclude_unset=True))
            return await self.api.session_details(session_id)
        if pane is Pane.GOALS:
            return await self.api.session_goals(session_id)
        if pane is Pane.ACTIONS:
            return await self.api.session_actions(session_id)
        return await self.api.session_agreements(session_id)

    def _install(self, pane: Pane, result: Any, number: int = 0) -> None:
        state = self.states[pane]
        before = (dict(state.items), self.header)
        was_loaded, unreadable = state.loaded_once, state.unreadable
        left_out = state.unreadable_ids
        if pane is Pane.HEADER:
            self.header = result
        else:
            state.unreadable = getattr(result, "unreadable", 0)
            state.unreadable_ids = getattr(result, "unreadable_ids", frozenset())
            left_out |= state.unreadable_ids
            if state.unreadable:
                log.warning("%d of the %s could not be read: left out", state.unreadable, pane.value)
            state.items = {e.id: e for e in result}
            state.changed = None
            for event in self._journal[pane]:
                self._apply_to(state, event)
            self._journal[pane] = []
            for entity_id, local in self._local[pane].items():
                _put(state, entity_id, local)
            for entity in result:
                self._adopt_echo(state, entity, before[0])  # a create committed before this snapshot
        changed = (
            (state.items, self.header) != before
            or state.status is not PaneStatus.FRESH
            or state.unreadable != unreadable
        )
        state.status, state.error, state.since, state.loaded_once = PaneStatus.FRESH, None, None, True
        state.loaded_at = self.clock.now()
        if state.polled_every is not None:
            changed = True  # its subtitle shows when it was last polled
        if changed:
            state.version += 1
            self.observer.pane_changed(pane)
        found = self._differences(pane, before, number, left_out) if was_loaded and changed else []
        self._resynced(pane, found)
        self._note_polling()

    def _differences(
        self, pane: Pane, before: tuple[dict[str, Entity], Any], number: int, left_out: frozenset[str]
    ) -> list[Change]:
        """What a reload found changed, reported; the user's own unconfirmed changes excepted, and
        records that could not be read before or now (`left_out`): one that turned unreadable was
        not removed, nor one that reads again added; the pane's count tells of them."""
        until = self._yours_until.get(pane)
        if until is not None and number >= until:
            del self._yours_until[pane]
        if self._resync is not None and pane in self._resync[0]:
            origin = Origin.RESYNC
        else:
            origin = Origin.YOURS if until is not None and number <= until else Origin.RELOAD
        at = self.clock.now()
        if pane is Pane.HEADER:
            old, new = before[1], self.header
            if old is None or new is None or old.id != new.id:
                return []
            change = compare_title(old.title, new.title, new.id, at=at, origin=origin)
            if change is not None:
                self.observer.changed(change)
            return [change] if change is not None else []
        state = self.states[pane]
        old_items, items = before[0], state.items
        mine = state.saving | set(self._local[pane]) | set(self._adopted) | set(self._adopted.values())
        found = []
        for entity_id in old_items.keys() | items.keys():
            was, now = old_items.get(entity_id), items.get(entity_id)
            if was is now or entity_id in mine or entity_id in left_out:
                continue
            change = self._report(pane, was, now, origin)
            if change is not None:
                found.append(change)
        return found

    def _resynced(self, pane: Pane, found: list[Change], *, failed: bool = False) -> None:
        if self._resync is None or pane not in self._resync[0]:
            return
        waiting, changes, unchecked = self._resync
        waiting.discard(pane)
        changes.extend(found)
        if failed:
            unchecked.append(pane)
        if not waiting:
            self._resync = None
            self.observer.resynced(Resync(self.clock.now(), tuple(changes), tuple(unchecked)))

    def _note_polling(self) -> None:
        """Once the era is known: the seed era's actions and agreements are polled, not live."""
        if self.api.era is not Era.SEED or self.poll_interval is None:
            return
        for pane in SEED_POLLED:
            state = self.states[pane]
            if state.polled_every is None:
                state.polled_every = self.poll_interval
                if state.loaded_once:
                    state.version += 1
                    self.observer.pane_changed(pane)

    # -- events -------------------------------------------------------------------------------

    def apply(self, event: LiveEvent) -> Pane | None:
        """Route one event; returns the pane it changed (or asked to reload), else None."""
        if isinstance(event, Malformed):
            if event.pane is not None:
                self.reload(event.pane)
            return event.pane
        if isinstance(event, Invalidate):
            if event.session_id == self.session_id:
                self.reload(event.pane)
                return event.pane
            return None
        if isinstance(event, Upsert | Delete):
            if not self._in_scope(event):
                return None
            state = self.states[event.pane]
            entity_id = event.entity.id if isinstance(event, Upsert) else event.entity_id
            before = state.items.get(entity_id)
            if (
                before is None
                and _maybe_left_out(state, entity_id)
                and entity_id not in self._local[event.pane]
            ):
                # One of the records left out, now deleted or readable again: only a reload can
                # say, and the count must not stay at what the last one said. (Any other event
                # carries its data: no reload.)
                self.reload(event.pane)
            if self._reloaders[event.pane].busy:
                self._journal[event.pane].append(event)
            echo = isinstance(event, Upsert) and self._adopt_echo(state, event.entity, state.items)
            if isinstance(event, Upsert) and not echo and entity_id in self._local[event.pane]:
                # A server copy of an item being saved here: our own echo, or someone else's
                # change made meanwhile. The answer decides which (`settle_local`, by updated_at).
                self._keep_newest(event.pane, event.entity)
            if self._apply_to(state, event):
                state.version += 1
                mine = echo or entity_id in state.saving or entity_id in self._local[event.pane]
                # A record that reads again was changed, not added: what changed is not known.
                back = before is None and entity_id in state.unreadable_ids
                if (
                    state.loaded_once and not mine and not back
                ):  # (before the first load, nothing is "changed")
                    self._report(event.pane, before, state.items.get(entity_id), Origin.LIVE)
                # After the report: its row's mark is set before the pane is drawn, so the entity
                # and its mark reach the screen in one repaint, not two a frame apart.
                self.observer.pane_changed(event.pane)
                return event.pane
        return None

    def _in_scope(self, event: Upsert | Delete) -> bool:
        rel = self.relationship_id
        if event.relationship_id and rel and event.relationship_id != rel:
            return False
        items = self.states[event.pane].items
        if isinstance(event, Delete):
            return event.session_id == self.session_id or (
                event.session_id is None and event.entity_id in items
            )
        if event.type == "goal_updated":
            # A relationship goal shows here only while linked; link events say when that changes.
            return event.entity.id in items
        return event.session_id == self.session_id

    def _keep_newest(self, pane: Pane, entity: Entity) -> None:
        key = (pane, entity.id)
        if _newer(entity, self._seen_while_saving.get(key)):
            self._seen_while_saving[key] = entity

    @staticmethod
    def _apply_to(state: PaneState, event: LiveEvent) -> bool:
        if isinstance(event, Upsert):
            known = state.items.get(event.entity.id)
            if known == event.entity:
                return False  # the actor's own event after its response: nothing new
            if known is not None and _newer(known, event.entity, strictly=True):
                return False  # older than the copy shown (an answer came first): never goes back
            state.items[event.entity.id] = event.entity
            if state.changed is not None:
                state.changed.add(event.entity.id)
            return True
        if isinstance(event, Delete):
            if state.items.pop(event.entity_id, None) is None:
                return False
            if state.changed is not None:
                state.changed.add(event.entity_id)
            return True
        return False

    # -- local changes (see live/edits.py) ------------------------------------------------------

    def show_local(self, pane: Pane, entity_id: str, entity: Entity | None) -> None:
        """Show a change made here before the server confirms it (None: removed), marked saving."""
        state = self.states[pane]
        self._mine_before.setdefault((pane, entity_id), state.items.get(entity_id))
        self._local[pane][entity_id] = entity
        state.saving.add(entity_id)
        _put(state, entity_id, entity)
        self._changed(state, entity_id)

    def settle_local(self, pane: Pane, entity_id: str, entity: Entity | _Keep | None = KEEP) -> None:
        """The server answered: show its copy (None: gone; KEEP: what the pane has now, e.g. the
        change's own event, or the copy from before when the change failed and nothing came)."""
        state = self.states[pane]
        self._local[pane].pop(entity_id, None)
        state.saving.discard(entity_id)
        theirs = self._seen_while_saving.pop((pane, entity_id), None)
        if not isinstance(entity, _Keep):
            _put(state, entity_id, entity)
        self._changed(state, entity_id)
        mine = state.items.get(entity_id)
        if (pane, entity_id) in self._mine_before:
            self._report(pane, self._mine_before.pop((pane, entity_id)), mine, Origin.YOURS)
        if theirs is not None and mine is not None and _newer(theirs, mine, strictly=True):
            # Someone else changed it after our change was made: the newest server copy stays,
            # told as their change, not laid under ours.
            _put(state, entity_id, theirs)
            self._changed(state, entity_id)
            self._report(pane, mine, theirs, Origin.LIVE)

    def show_header(self, header: EnrichedSession) -> None:
        """The session header changed here (its title): shown at once."""
        if header == self.header or header.id != self.session_id:
            return  # (another session's header is never installed here)
        self.header = header
        self.states[Pane.HEADER].version += 1
        self.observer.pane_changed(Pane.HEADER)

    def show_created(self, pane: Pane, temp_id: str, entity: Entity) -> None:
        """Show an item created here under a temporary id until the server answers."""
        self._creating[pane][temp_id] = entity
        self.show_local(pane, temp_id, entity)

    def created_id(self, temp_id: str) -> str | None:
        """The real id of a create whose own event (or a reload) has shown it already."""
        return self._adopted.get(temp_id)

    def settle_created(self, pane: Pane, temp_id: str, saved: Entity | None) -> None:
        """The server answered a create: its copy replaces the local one (None: none was made).
        If the item's own event came first, the pane's copy (maybe newer) stays."""
        state = self.states[pane]
        self._creating[pane].pop(temp_id, None)
        self._local[pane].pop(temp_id, None)
        real = self._adopted.pop(temp_id, None)
        state.saving.discard(temp_id)
        _put(state, temp_id, None)
        if real is not None:
            state.saving.discard(real)
        self._mine_before.pop((pane, temp_id), None)
        if saved is not None:
            state.saving.discard(saved.id)
            if real is None:
                state.items[saved.id] = saved
        self._changed(state, temp_id)
        if saved is not None:
            self._changed(state, saved.id)
            self._report(pane, None, state.items.get(saved.id, saved), Origin.YOURS)

    def _adopt_echo(self, state: PaneState, entity: Entity, known: dict[str, Entity]) -> bool:
        """An item the server made may be one created here (its event can come before the
        answer): then it takes the local row's place instead of showing twice."""
        creating = self._creating.get(state.pane)
        if not creating or entity.id in known:
            return False
        temp = next(
            (t for t, mine in creating.items() if t not in self._adopted and same_item(mine, entity)), None
        )
        if temp is None:
            return False
        self._adopted[temp] = entity.id
        self._local[state.pane].pop(temp, None)
        state.saving.discard(temp)
        state.saving.add(entity.id)  # still saving until the answer comes
        _put(state, temp, None)
        if state.changed is not None:
            state.changed.add(temp)
        return True

    def _changed(self, state: PaneState, entity_id: str) -> None:
        if state.changed is not None:
            state.changed.add(entity_id)
        state.version += 1
        self.observer.pane_changed(state.pane)

    # -- seed era -----------------------------------------------------------------------------

    def polled_every(self, interval: float) -> None:
        """The seed backend sends no action/agreement events: they are polled this often."""
        self.poll_interval = interval
        self._note_polling()

    def poll(self) -> None:
        if self.api.era is Era.SEED and not self.disposed:
            for pane in SEED_POLLED:
                self.reload(pane)


def same_item(mine: Any, theirs: Any) -> bool:
    """Is `theirs` (from the server) the item `mine` (created here) asked for?"""
    if type(mine) is not type(theirs):
        return False
    if mine.user_id and theirs.user_id and mine.user_id != theirs.user_id:
        return False
    text = "title" if hasattr(mine, "title") else "body"
    return bool((getattr(mine, text) or "").strip() == (getattr(theirs, text) or "").strip())


def _newer(a: Any, b: Any, *, strictly: bool = False) -> bool:
    """Is `a` a later server copy than `b` (by updated_at; unknown times: `a`, unless strictly)?"""
    at, bt = getattr(a, "updated_at", None), getattr(b, "updated_at", None)
    if at is None or bt is None:
        return not strictly
    return bool(at > bt)


def _maybe_left_out(state: PaneState, entity_id: str) -> bool:
    """Whether `entity_id` may be one of the records the last reload could not read (those
    without a readable id cannot be told apart from any other)."""
    return entity_id in state.unreadable_ids or state.unreadable > len(state.unreadable_ids)


def _put(state: PaneState, entity_id: str, entity: Entity | None) -> None:
    if entity is None:
        state.items.pop(entity_id, None)
    else:
        state.items[entity_id] = entity
