"""The pydantic models of the live events' payloads (live/events.py decodes with them).

A module of its own, imported on the first event: a dozen pydantic classes cost ~30 ms of CPU to
define (even with their schemas deferred), and the start-up's first paint needs none of them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from coachtui.api.models import Action, Agreement, Goal


class Payload(BaseModel):
    # Built when the first event of a kind arrives (most kinds never arrive in a run).
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    coaching_session_id: str | None = None
    coaching_relationship_id: str | None = None


class ActionPayload(Payload):
    action: Action


class ActionDeleted(Payload):
    action_id: str


class AgreementPayload(Payload):
    agreement: Agreement


class AgreementDeleted(Payload):
    agreement_id: str


class GoalPayload(Payload):
    goal: Goal


class OverarchingGoalPayload(Payload):
    overarching_goal: Goal


class GoalDeleted(Payload):
    goal_id: str


class OverarchingGoalDeleted(Payload):
    overarching_goal_id: str


class SessionGoalLink(Payload):
    coaching_session_id: str
    goal_id: str


class SessionScoped(Payload):
    coaching_session_id: str


class ForceLogout(BaseModel):
    model_config = ConfigDict(defer_build=True)
    reason: str = ""
