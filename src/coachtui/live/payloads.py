"""The records of the live events' payloads (live/events.py decodes with them).

A module of its own, imported on the first event: the start-up's first paint needs none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from coachtui.api.models import Action, Agreement, Goal
from coachtui.api.records import Record


@dataclass(frozen=True, kw_only=True)
class Payload(Record):
    # Each kind's decoder is built when its first event arrives (most never arrive in a run).
    coaching_session_id: str | None = None
    coaching_relationship_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ActionPayload(Payload):
    action: Action


@dataclass(frozen=True, kw_only=True)
class ActionDeleted(Payload):
    action_id: str


@dataclass(frozen=True, kw_only=True)
class AgreementPayload(Payload):
    agreement: Agreement


@dataclass(frozen=True, kw_only=True)
class AgreementDeleted(Payload):
    agreement_id: str


@dataclass(frozen=True, kw_only=True)
class GoalPayload(Payload):
    goal: Goal


@dataclass(frozen=True, kw_only=True)
class OverarchingGoalPayload(Payload):
    overarching_goal: Goal


@dataclass(frozen=True, kw_only=True)
class GoalDeleted(Payload):
    goal_id: str


@dataclass(frozen=True, kw_only=True)
class OverarchingGoalDeleted(Payload):
    overarching_goal_id: str


@dataclass(frozen=True, kw_only=True)
class SessionGoalLink(Payload):
    coaching_session_id: str
    goal_id: str


@dataclass(frozen=True, kw_only=True)
class SessionScoped(Payload):
    coaching_session_id: str


@dataclass(frozen=True, kw_only=True)
class ForceLogout(Record):
    reason: str = ""
