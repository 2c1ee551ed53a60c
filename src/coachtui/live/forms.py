"""What the editor edits: each kind's fields, how a form's values come from an item and go back
to one, and which fields differ between two copies.

One description per kind (action, agreement, goal, the session title) serves creating and
editing, both backend eras, the editor's layout and its validation; nothing here knows Textual.
Form values are plain data (strings, and a list of ids for people) so a draft can be saved as
JSON and offered back after a crash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from coachtui.api.models import Action, Agreement, EnrichedSession, Era, Goal, Status, User
from coachtui.live.events import Pane
from coachtui.text import inert, label, printable

Values = dict[str, Any]  # field name -> str (text, choice, date) or list[str] (people)

TITLE_MAX = 500  # the backend refuses longer session titles (validation_error)
DATE_HINT = "YYYY-MM-DD, or empty"
NO_GOAL = ""


class Kind(StrEnum):
    TEXT = "text"  # several lines
    LINE = "line"
    CHOICE = "choice"
    DATE = "date"
    PEOPLE = "people"  # any of the choices


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    required: bool = False


@dataclass(frozen=True)
class Form:
    pane: Pane  # HEADER: the session title
    fields: tuple[FormField, ...]

    @property
    def noun(self) -> str:
        return noun(self.pane)

    def field(self, name: str) -> FormField:
        return next(f for f in self.fields if f.name == name)


def noun(pane: Pane) -> str:
    """What one item of `pane` is called (HEADER: the session title)."""
    return {Pane.ACTIONS: "action", Pane.AGREEMENTS: "agreement", Pane.GOALS: "goal"}.get(
        pane, "session title"
    )


class Invalid(Exception):
    """Values that cannot be sent; `errors` maps a field to a sentence shown beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def statuses(era: Era | None) -> tuple[tuple[str, str], ...]:
    """All five, OnHold only where the backend has it (not the January 2026 version)."""
    return tuple((s.value, s.label) for s in Status if s is not Status.ON_HOLD or era is not Era.SEED)


def people(header: EnrichedSession | None) -> tuple[tuple[str, str], ...]:
    if header is None:
        return ()
    found: list[tuple[str, str]] = []
    for role, user in (("coach", header.coach), ("coachee", header.coachee)):
        if isinstance(user, User):
            found.append((user.id, f"{label(user.name, limit=40) or '(no name)'} ({role})"))
    return tuple(found)


def _assignable(header: EnrichedSession | None, item: Any) -> tuple[tuple[str, str], ...]:
    """The coach and the coachee, and anyone else the action names already (kept, not dropped)."""
    known = people(header)
    ids = {v for v, _ in known}
    others = [(i, "someone else") for i in getattr(item, "assignee_ids", ()) if i not in ids]
    return (*known, *others)


def form_for(
    pane: Pane, era: Era | None, header: EnrichedSession | None, goals: list[Goal], item: Any = None
) -> Form:
    """The editor's fields for `item` of `pane` (None: a new one); `goals` are the session's,
    which an action can be linked to (plus the one it is linked to already, if elsewhere)."""
    if pane is Pane.ACTIONS:
        fields = [
            FormField("body", "Action", Kind.TEXT, required=True),
            FormField("status", "Status", Kind.CHOICE, statuses(era)),
            FormField("due", "Due", Kind.DATE),
            FormField("assignees", "Assignees", Kind.PEOPLE, _assignable(header, item)),
        ]
        if era is not Era.SEED:
            linked = [(g.id, label(g.title) or "(untitled goal)") for g in goals]
            current = getattr(item, "goal_id", None)
            if current and current not in {g.id for g in goals}:
                linked.append((current, "(a goal not linked to this session)"))
            fields.append(FormField("goal", "Goal", Kind.CHOICE, ((NO_GOAL, "(none)"), *linked)))
        return Form(pane, tuple(fields))
    if pane is Pane.AGREEMENTS:
        return Form(pane, (FormField("body", "Agreement", Kind.TEXT, required=True),))
    if pane is Pane.GOALS:
        fields = [
            FormField("title", "Goal", Kind.LINE, required=True),
            FormField("status", "Status", Kind.CHOICE, statuses(era)),
        ]
        if era is not Era.SEED:
            fields.append(FormField("target", "Target", Kind.DATE))
        return Form(pane, tuple(fields))
    return Form(Pane.HEADER, (FormField("title", "Title", Kind.LINE),))


# -- values <-> items ---------------------------------------------------------------------------


def _local_date(value: dt.datetime | None) -> str:
    return value.astimezone().date().isoformat() if value is not None else ""


def values_of(form: Form, item: Any, *, today: dt.date | None = None) -> Values:
    """The form's values for an item (None: a new one, with the web app's defaults)."""
    pane = form.pane
    if item is None:
        values: Values = {f.name: ([] if f.kind is Kind.PEOPLE else "") for f in form.fields}
        if "status" in values:
            values["status"] = Status.NOT_STARTED.value
        if pane is Pane.ACTIONS and today is not None:
            values["due"] = (today + dt.timedelta(days=7)).isoformat()  # as the web app proposes
        return values
    if pane is Pane.ACTIONS:
        values = {
            "body": printable(item.body),
            "status": item.status.value,
            "due": _local_date(item.due_by),
            "assignees": list(item.assignee_ids),
            "goal": item.goal_id or NO_GOAL,
        }
    elif pane is Pane.AGREEMENTS:
        values = {"body": printable(item.body)}
    elif pane is Pane.GOALS:
        values = {
            "title": printable(item.title).replace("\n", " "),
            "status": item.status.value,
            "target": item.target_date.isoformat() if item.target_date else "",
        }
    else:
        values = {"title": printable(item.title).replace("\n", " ")}
    return {f.name: values[f.name] for f in form.fields}


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("Type a date as YYYY-MM-DD (for example 2026-12-31), or leave it empty.") from None


def check(form: Form, values: Values) -> dict[str, str]:
    """Everything wrong with the values, one sentence per field (empty: fine to send)."""
    errors: dict[str, str] = {}
    for f in form.fields:
        value = values.get(f.name)
        if f.kind in (Kind.TEXT, Kind.LINE):
            text = str(value or "")
            if f.required and not text.strip():
                errors[f.name] = f"Write something: an empty {form.noun} cannot be saved."
            elif form.pane is Pane.HEADER and len(text.strip()) > TITLE_MAX:
                errors[f.name] = f"At most {TITLE_MAX} characters (this has {len(text.strip())})."
        elif f.kind is Kind.DATE:
            try:
                _date(str(value or ""))
            except ValueError as exc:
                errors[f.name] = str(exc)
        elif f.kind is Kind.CHOICE and value not in {v for v, _ in f.choices}:
            errors[f.name] = "Pick one of the choices."
        elif f.kind is Kind.PEOPLE and not set(value or ()) <= {v for v, _ in f.choices}:
            errors[f.name] = "Only the coach and the coachee can be assigned."
    return errors


def _due(text: str, base: dt.datetime | None) -> dt.datetime | None:
    day = _date(text)
    if day is None:
        return None
    if base is not None and base.astimezone().date() == day:
        return base  # unchanged: keep the exact time the server has
    # Midnight here, with this machine's offset (as the web app sends it).
    return dt.datetime.combine(day, dt.time()).astimezone()


def build(form: Form, values: Values, base: Any, *, session_id: str, me: str | None) -> Any:
    """The item the values describe, on top of `base` (the latest server copy; None: new).

    Fields the form does not show (a goal's body, a goal's session) come from `base`, because
    the backend's PUT replaces every field it is sent. Raises Invalid when a value is wrong.
    """
    errors = check(form, values)
    if errors:
        raise Invalid(errors)
    pane = form.pane
    if pane is Pane.ACTIONS:
        goal = values.get("goal", base.goal_id if base is not None else None) or None
        fields: dict[str, Any] = {
            "body": str(values["body"]).strip(),
            "status": Status(values["status"]),
            "due_by": _due(str(values["due"]), base.due_by if base is not None else None),
            "assignee_ids": list(values["assignees"]),
            "goal_id": goal,
        }
        if base is None:
            return Action(id="", coaching_session_id=session_id, user_id=me, **fields)
        return base.model_copy(update=fields)
    if pane is Pane.AGREEMENTS:
        body = str(values["body"]).strip()
        if base is None:
            return Agreement(id="", coaching_session_id=session_id, body=body, user_id=me)
        return base.model_copy(update={"body": body})
    if pane is Pane.GOALS:
        fields = {"title": str(values["title"]).strip(), "status": Status(values["status"])}
        if "target" in values:
            fields["target_date"] = _date(str(values["target"]))
        if base is None:
            return Goal(id="", user_id=me, coaching_session_id=session_id, **fields)
        return base.model_copy(update=fields)
    title = str(values["title"]).strip() or None
    return base.model_copy(update={"title": title}) if base is not None else title


def differing(form: Form, a: Values, b: Values) -> list[str]:
    """Names of the fields whose values differ (people compared as sets)."""
    names = []
    for f in form.fields:
        x, y = a.get(f.name), b.get(f.name)
        if f.kind is Kind.PEOPLE:
            same = set(x or ()) == set(y or ())
        elif f.kind in (Kind.TEXT, Kind.LINE):
            same = str(x or "").strip() == str(y or "").strip()
        else:
            same = x == y
        if not same:
            names.append(f.name)
    return names


def shown(form: Form, name: str, value: Any) -> str:
    """A value as a person reads it (choice labels, names, "none")."""
    f = form.field(name)
    if f.kind is Kind.CHOICE:
        return dict(f.choices).get(value, str(value)) or "none"
    if f.kind is Kind.PEOPLE:
        labels = dict(f.choices)
        return ", ".join(labels.get(v, "someone else") for v in value) or "nobody"
    return str(value).strip() or "empty"


def change_of(form: Form, name: str, before: Any, after: Any, *, width: int = 48) -> str:
    """One field's change in a line: "Status: In Progress → Completed". A text shows its new
    version from a little before where it starts to differ, so an edit at the end of a long
    text is seen, not cut off in both versions alike."""
    label = form.field(name).label
    if form.field(name).kind not in (Kind.TEXT, Kind.LINE):
        was, now = (inert(shown(form, name, v), limit=30) for v in (before, after))
        return f"{label}: {was} → {now}"
    old, new = inert(str(before or "")), inert(str(after or ""))
    if not new:
        return f"{label}: now empty"
    same = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new))
    )
    start = max(0, min(same - 12, len(new) - width))
    text = ("…" if start else "") + new[start : start + width] + ("…" if start + width < len(new) else "")
    return f"{label} now “{text}”"
