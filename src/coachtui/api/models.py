"""Wire models of the refactor-platform backend, tolerant of both the seed era and HEAD.

Unknown fields are ignored and every field a backend version may leave out is optional,
so one model loads what either version sends. Records, not pydantic models (`records.py`: the
first screen's start-up could not afford pydantic).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

from coachtui.api.records import NONE_IS_EMPTY, UTC_IF_NAIVE, Record, SecretStr


class Era(StrEnum):
    """Which backend generation a server runs."""

    SEED = "seed"  # January 2026: /overarching_goals, no action/agreement events
    HEAD = "head"  # current: /goals linked to sessions, full event catalogue


class Status(StrEnum):
    NOT_STARTED = "NotStarted"
    IN_PROGRESS = "InProgress"
    ON_HOLD = "OnHold"
    COMPLETED = "Completed"
    WONT_DO = "WontDo"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.NOT_STARTED: "Not Started",
    Status.IN_PROGRESS: "In Progress",
    Status.ON_HOLD: "On Hold",
    Status.COMPLETED: "Completed",
    Status.WONT_DO: "Won't Do",
}


# Naive timestamps (coaching_sessions.date) are UTC on the wire: made aware.
UtcDatetime = Annotated[dt.datetime, UTC_IF_NAIVE]


class WireModel(Record):
    """A record of the backend's (`records.Record`: decoded, checked, frozen)."""


@dataclass(frozen=True, kw_only=True)
class UserRole(WireModel):
    id: str | None = None
    role: str
    organization_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class User(WireModel):
    id: str
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    display_name: str | None = None
    timezone: str | None = None
    roles: list[UserRole] = field(default_factory=list)

    @property
    def name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return self.display_name or full or "(no name)"


@dataclass(frozen=True, kw_only=True)
class Organization(WireModel):
    id: str
    name: str = ""
    slug: str | None = None


@dataclass(frozen=True, kw_only=True)
class Relationship(WireModel):
    """Both the raw relationship and the 'with user names' variant load into this."""

    id: str
    organization_id: str | None = None
    coach_id: str
    coachee_id: str
    slug: str | None = None
    coach_first_name: str | None = None
    coach_last_name: str | None = None
    coachee_first_name: str | None = None
    coachee_last_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class CoachingSession(WireModel):
    id: str
    coaching_relationship_id: str
    date: UtcDatetime
    title: str | None = None
    display_title: str | None = None
    duration_minutes: int | None = None
    collab_document_name: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class EnrichedSession(CoachingSession):
    """A row of GET /users/{id}/coaching_sessions with include=relationship,organization."""

    relationship: Relationship | None = None
    coach: User | None = None
    coachee: User | None = None
    organization: Organization | None = None


@dataclass(frozen=True, kw_only=True)
class Goal(WireModel):
    """One model for seed-era overarching goals and HEAD goals."""

    id: str
    user_id: str | None = None
    title: str | None = None
    body: str | None = None
    status: Status = Status.NOT_STARTED
    coaching_session_id: str | None = None  # seed: the session it belongs to
    coaching_relationship_id: str | None = None  # HEAD: the relationship it belongs to
    created_in_session_id: str | None = None  # HEAD
    target_date: dt.date | None = None  # HEAD
    status_changed_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Action(WireModel):
    """ActionWithAssignees (or the bare model, whose assignee list is then empty)."""

    id: str
    coaching_session_id: str
    user_id: str | None = None
    body: str | None = None
    due_by: dt.datetime | None = None
    status: Status = Status.NOT_STARTED
    goal_id: str | None = None
    assignee_ids: Annotated[list[str], NONE_IS_EMPTY] = field(default_factory=list)
    status_changed_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Agreement(WireModel):
    id: str
    coaching_session_id: str
    body: str | None = None
    user_id: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class SessionGoalLink(WireModel):
    id: str | None = None
    coaching_session_id: str
    goal_id: str


@dataclass(frozen=True, kw_only=True)
class CollabToken(WireModel):
    """GET /jwt/generate_collab_token: a JWT for the notes server and the document's name.
    The token is a secret: it never appears in a repr, a log or an error."""

    token: SecretStr
    sub: str  # the notes document's name
