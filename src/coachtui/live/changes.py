"""What changed, in words: typed changes found by comparing an item's copy before and after.

One description serves the TUI's highlights, notices and history and `coachtui watch`. Fields
are compared as the editor shows them (live/forms.py), so a change the user cannot see (an
`updated_at`) is no change, and values read as people read them: names, not ids; labels, not
enum values. The backend says who created an item (its `user_id`) but not who changed or
deleted one, so only creations name an actor (besides "you" for changes made here).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from coachtui.api.models import EnrichedSession, Era, Goal, Status
from coachtui.live.events import Entity, Pane
from coachtui.live.forms import Form, Kind, differing, form_for, noun, values_of
from coachtui.text import inert

YOU = "you"
SHORT = 48  # characters of an item's text in a one-line summary
# The editor's labels are short; in a sentence about a change the longer name reads better.
CHANGE_LABELS = {"due": "Due date", "target": "Target date", "assignees": "Assignees", "goal": "Goal"}


class ChangeKind(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


class Origin(StrEnum):
    LIVE = "live"  # an event carried it
    RELOAD = "reload"  # a pane read again (a coarse event, the seed era's polling) showed it
    RESYNC = "resync"  # the reload after a reconnect found it: it happened while disconnected
    YOURS = "yours"  # made here


@dataclass(frozen=True)
class FieldChange:
    name: str  # the form's field name: body, title, status, due, target, assignees, goal
    label: str
    before: str  # as a person reads it
    after: str
    before_value: Any = None  # as data (ISO dates, status values, assignee ids) for JSON
    after_value: Any = None


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    pane: Pane
    kind: ChangeKind
    item_id: str
    text: str  # the item's title or body (its last version; for a removal, the one removed)
    origin: Origin
    given_fields: tuple[FieldChange, ...] = ()
    actor: str | None = None  # who did it, where known: a creator's name, or "you"
    # Worked out when first read: a burst of a thousand edits to one text is marked and counted
    # at once, but its before → after is written out only for what is shown (notices, history).
    later: Callable[[], tuple[FieldChange, ...]] | None = field(default=None, compare=False, repr=False)

    @property
    def fields(self) -> tuple[FieldChange, ...]:
        if self.later is not None:
            object.__setattr__(self, "given_fields", self.later())
            object.__setattr__(self, "later", None)
        return self.given_fields

    @property
    def yours(self) -> bool:
        return self.origin is Origin.YOURS

    def summary(self, width: int = SHORT) -> str:
        """One line: "Jordan Lee added an action: Book a skip-level…", "Action completed: …",
        "Action “Write down…”: Due date Nov 27 → Dec 01"."""
        what = noun(self.pane)
        text = inert(self.text, limit=width) or "(empty)"
        if self.pane is Pane.HEADER:
            return "; ".join(_field_line(f, width) for f in self.fields) or "Session changed"
        if self.kind is ChangeKind.ADDED:
            if self.actor:
                return f"{_capital(self.actor)} added {_article(what)} {what}: {text}"
            return f"{_capital(what)} added: {text}"
        if self.kind is ChangeKind.REMOVED:
            if self.yours:
                return f"You removed {_article(what)} {what}: {text}"
            return f"{_capital(what)} removed: {text}"
        article = f"{_article(what)} {what}"
        if [f.name for f in self.fields] == ["status"] and self.fields[
            0
        ].after_value == Status.COMPLETED.value:
            return f"You completed {article}: {text}" if self.yours else f"{_capital(what)} completed: {text}"
        edited = any(f.name in ("body", "title") for f in self.fields)
        others = "; ".join(_field_line(f, width) for f in self.fields if f.name not in ("body", "title"))
        if edited:
            line = f"You edited {article}: {text}" if self.yours else f"{_capital(what)} edited: {text}"
            return f"{line}; {others}" if others else line
        short = inert(self.text, limit=24) or "(empty)"
        subject = f"You changed {article}" if self.yours else _capital(what)
        return f"{subject} “{short}”: {others}"

    def headline(self, width: int = SHORT) -> str:
        """What happened to which item, without the fields (the history lists those below)."""
        if self.pane is Pane.HEADER:
            return "Session title changed"
        completed = [(f.name, f.after_value) for f in self.fields] == [("status", Status.COMPLETED.value)]
        if self.kind is not ChangeKind.CHANGED or completed:
            return self.summary(width)
        what = noun(self.pane)
        text = inert(self.text, limit=width) or "(empty)"
        return (
            f"You changed {_article(what)} {what}: {text}"
            if self.yours
            else f"{_capital(what)} changed: {text}"
        )

    def details(self, width: int = 200) -> list[str]:
        """Each field's change, before → after (the history's lines under a change)."""
        if self.kind is not ChangeKind.CHANGED:
            return []
        lines = []
        for f in self.fields:
            if f.name in ("body", "title"):  # a line each: a long text cut short loses no "after"
                lines += [
                    f"{f.label} was “{inert(f.before, limit=width)}”",
                    f"{f.label} now “{inert(f.after, limit=width)}”",
                ]
            else:
                lines.append(_field_line(f, width))
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "change",
            "at": self.at.isoformat(),
            "pane": self.pane.value,
            "kind": self.kind.value,
            "id": self.item_id,
            "text": inert(self.text),
            "origin": self.origin.value,
            "actor": self.actor,
            "fields": [
                {
                    "field": f.name,
                    "label": f.label,
                    "before": f.before,
                    "after": f.after,
                    "before_value": f.before_value,
                    "after_value": f.after_value,
                }
                for f in self.fields
            ],
            "summary": self.summary(),
        }


@dataclass(frozen=True)
class ConnectionNote:
    """The live connection was lost, or is back (the history's and `watch`'s connection lines)."""

    at: dt.datetime
    state: str  # the ConnState's name: Reconnecting, Error, Connected, …
    detail: str = ""

    @property
    def summary(self) -> str:
        if self.state == "Connected":
            return "Connection back"
        return f"Connection lost ({self.detail})" if self.detail else "Connection lost"

    def to_json(self) -> dict[str, Any]:
        return {"type": "connection", "at": self.at.isoformat(), "state": self.state, "detail": self.detail}


@dataclass(frozen=True)
class Resync:
    """What the reload after a reconnect found changed: the backend replays nothing, so this is
    all anyone learns of what happened while the connection was down."""

    at: dt.datetime
    changes: tuple[Change, ...] = ()
    unchecked: tuple[Pane, ...] = ()  # panes whose reload failed

    @property
    def summary(self) -> str:
        counts = Counter((c.pane, c.kind) for c in self.changes)
        parts = []
        for pane in (Pane.HEADER, Pane.GOALS, Pane.ACTIONS, Pane.AGREEMENTS):
            for kind in ChangeKind:
                n = counts.get((pane, kind), 0)
                if n:
                    what = noun(pane) + ("s" if n != 1 else "")
                    parts.append(f"{n} {what} {kind.value}")
        found = ", ".join(parts) if parts else "nothing changed"
        if self.unchecked:
            found += f" ({', '.join(p.value for p in self.unchecked)} not checked: the reload failed)"
        return f"While disconnected: {found}"

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "resync",
            "at": self.at.isoformat(),
            "changes": len(self.changes),
            "unchecked": [p.value for p in self.unchecked],
            "summary": self.summary,
        }


Report = Change | ConnectionNote | Resync


@dataclass
class Context:
    """What turns ids into names: the session (its people), its goals, the era, who "you" are."""

    header: EnrichedSession | None
    goals: list[Goal] = field(default_factory=list)
    era: Era | None = None
    me: str | None = None
    _forms: dict[Pane, Form] = field(default_factory=dict, repr=False)

    def form(self, pane: Pane) -> Form:
        """The pane's form, built once per context: a burst compares thousands of items with
        it. (Built without an item: names it does not know read as "someone else".)"""
        form = self._forms.get(pane)
        if form is None:
            form = self._forms[pane] = form_for(pane, self.era, self.header, self.goals)
        return form

    def person(self, user_id: str | None) -> str | None:
        """A creator's name (the backend's `user_id`), "you (elsewhere)" for the user's own
        account in another window, None when not a participant."""
        if user_id is None or self.header is None:
            return None
        if user_id == self.me:
            return "you (elsewhere)"
        for user in (self.header.coach, self.header.coachee):
            if user is not None and user.id == user_id:
                return inert(user.name, limit=40)
        return None


def compare(
    pane: Pane,
    before: Entity | None,
    after: Entity | None,
    context: Context,
    *,
    at: dt.datetime,
    origin: Origin,
) -> Change | None:
    """The change from `before` to `after` (None: absent) that a person could see, if any."""
    if before is None and after is None:
        return None
    item = after if after is not None else before
    assert item is not None
    text = _text_of(item)
    if before is None:
        actor = YOU if origin is Origin.YOURS else context.person(getattr(after, "user_id", None))
        return Change(at, pane, ChangeKind.ADDED, item.id, text, origin, actor=actor)
    if after is None:
        return Change(at, pane, ChangeKind.REMOVED, item.id, text, origin, actor=_you(origin))
    if before == after or not _visibly_different(before, after):
        return None

    def fields() -> tuple[FieldChange, ...]:
        form = context.form(pane)
        old, new = values_of(form, before), values_of(form, after)
        return tuple(_field_change(form, n, old[n], new[n], at) for n in differing(form, old, new))

    return Change(at, pane, ChangeKind.CHANGED, item.id, text, origin, actor=_you(origin), later=fields)


def _visibly_different(before: Any, after: Any) -> bool:
    """Does any field the editor shows differ? (As `forms.differing` sees it, without building
    forms: texts trimmed, people as sets, a due time within the same local day the same.)"""
    text = "title" if isinstance(after, Goal) else "body"  # (a goal's body is not shown)
    if (getattr(before, text, None) or "").strip() != (getattr(after, text, None) or "").strip():
        return True
    if getattr(before, "status", None) != getattr(after, "status", None):
        return True
    if set(getattr(before, "assignee_ids", ())) != set(getattr(after, "assignee_ids", ())):
        return True
    for name in ("goal_id", "target_date"):
        if getattr(before, name, None) != getattr(after, name, None):
            return True
    due, was = getattr(after, "due_by", None), getattr(before, "due_by", None)
    if due != was:
        return due is None or was is None or due.astimezone().date() != was.astimezone().date()
    return False


def compare_title(
    before: str | None, after: str | None, item_id: str, *, at: dt.datetime, origin: Origin
) -> Change | None:
    if (before or "").strip() == (after or "").strip():
        return None
    shown = (inert(before) or "untitled", inert(after) or "untitled")
    field_change = FieldChange("title", "Session title", *shown, before, after)
    return Change(
        at, Pane.HEADER, ChangeKind.CHANGED, item_id, after or "", origin, (field_change,), _you(origin)
    )


def _you(origin: Origin) -> str | None:
    return YOU if origin is Origin.YOURS else None


def _text_of(item: Any) -> str:
    if isinstance(item, Goal):
        return item.title or item.body or ""
    return getattr(item, "body", None) or ""


def _field_change(form: Form, name: str, before: Any, after: Any, at: dt.datetime) -> FieldChange:
    f = form.field(name)
    label = CHANGE_LABELS.get(name, f.label if f.kind not in (Kind.TEXT, Kind.LINE) else "Text")
    return FieldChange(
        name, label, _read(form, name, before, at), _read(form, name, after, at), before, after
    )


def _read(form: Form, name: str, value: Any, at: dt.datetime) -> str:
    f = form.field(name)
    if f.kind is Kind.DATE:
        if not value:
            return "none"
        day = dt.date.fromisoformat(value)
        return day.strftime("%b %d") if day.year == at.year else day.strftime("%b %d %Y")
    if f.kind is Kind.CHOICE:
        label = dict(f.choices).get(value)
        return inert(label) if label is not None else "another goal"  # (a goal this screen does not know)
    if f.kind is Kind.PEOPLE:
        names = dict(f.choices)
        return inert(", ".join(names.get(v, "someone else") for v in value)) or "nobody"
    return inert(str(value or "")) or "empty"


def _field_line(f: FieldChange, width: int) -> str:
    if f.name in ("body", "title"):
        return f"{f.label}: “{inert(f.before, limit=width)}” → “{inert(f.after, limit=width)}”"
    return f"{f.label} {inert(f.before)} → {inert(f.after)}"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
