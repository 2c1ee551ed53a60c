"""Typed live events of both backend eras, decoded from the `data:` JSON of a frame.

Decoding never raises: an unknown type becomes `Unknown`, a known type whose payload does not
fit becomes `Malformed` (its pane then reloads from REST).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from coachtui.api.models import Action, Agreement, Goal
from coachtui.api.records import Invalid


class Pane(StrEnum):
    HEADER = "header"
    GOALS = "goals"
    ACTIONS = "actions"
    AGREEMENTS = "agreements"


Entity = Action | Agreement | Goal


@dataclass(frozen=True)
class Upsert:
    """An entity carried in full: apply in place, no request."""

    type: str
    pane: Pane
    entity: Entity
    session_id: str | None
    relationship_id: str | None


@dataclass(frozen=True)
class Delete:
    type: str
    pane: Pane
    entity_id: str
    session_id: str | None
    relationship_id: str | None


@dataclass(frozen=True)
class Invalidate:
    """A coarse event: the pane must be reloaded to learn what changed."""

    type: str
    pane: Pane
    session_id: str | None
    relationship_id: str | None = None


@dataclass(frozen=True)
class NotShown:
    """Known, but about something coachtui does not display (topics, recordings, transcripts)."""

    type: str


@dataclass(frozen=True)
class ForceLogout:
    type: str
    reason: str


@dataclass(frozen=True)
class Malformed:
    type: str
    pane: Pane | None


@dataclass(frozen=True)
class Unknown:
    type: str


LiveEvent = Upsert | Delete | Invalidate | NotShown | ForceLogout | Malformed | Unknown


PANE_OF: dict[str, Pane] = {
    "action_created": Pane.ACTIONS,
    "action_updated": Pane.ACTIONS,
    "action_deleted": Pane.ACTIONS,
    "agreement_created": Pane.AGREEMENTS,
    "agreement_updated": Pane.AGREEMENTS,
    "agreement_deleted": Pane.AGREEMENTS,
    "goal_created": Pane.GOALS,
    "goal_updated": Pane.GOALS,
    "goal_deleted": Pane.GOALS,
    "overarching_goal_created": Pane.GOALS,
    "overarching_goal_updated": Pane.GOALS,
    "overarching_goal_deleted": Pane.GOALS,
    "coaching_session_goal_created": Pane.GOALS,
    "coaching_session_goal_deleted": Pane.GOALS,
    "coaching_session_title_updated": Pane.HEADER,
}
NOT_SHOWN = {"topics_changed", "meeting_recording_updated", "transcription_updated"}
KNOWN = set(PANE_OF) | NOT_SHOWN | {"force_logout"}


def decode(event_name: str, data: str) -> LiveEvent:
    """One frame's `event:` and `data:` into a typed event."""
    event_name = event_name[:64]  # a name is a few words; a server can send a megabyte of one
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # (RecursionError: JSON nested beyond Python's stack)
        return Malformed(event_name, PANE_OF.get(event_name)) if event_name in KNOWN else Unknown(event_name)
    if not isinstance(body, dict):
        return Malformed(event_name, PANE_OF.get(event_name)) if event_name in KNOWN else Unknown(event_name)
    kind = body.get("type") if isinstance(body.get("type"), str) else event_name
    if kind not in KNOWN:
        return Unknown(str(kind)[:64])
    payload = body.get("data")
    try:
        return _decode_known(str(kind), payload if isinstance(payload, dict) else {})
    except Invalid:
        return Malformed(str(kind), PANE_OF.get(str(kind)))


def _decode_known(kind: str, payload: dict[str, Any]) -> LiveEvent:
    from coachtui.live import payloads  # (on the first event, not at start-up: see there)

    if kind in NOT_SHOWN:
        return NotShown(kind)
    if kind == "force_logout":
        return ForceLogout(kind, payloads.ForceLogout.model_validate(payload).reason)
    pane = PANE_OF[kind]
    if kind in ("action_created", "action_updated"):
        p = payloads.ActionPayload.model_validate(payload)
        return Upsert(kind, pane, p.action, p.coaching_session_id or p.action.coaching_session_id, None)
    if kind == "action_deleted":
        d = payloads.ActionDeleted.model_validate(payload)
        return Delete(kind, pane, d.action_id, d.coaching_session_id, None)
    if kind in ("agreement_created", "agreement_updated"):
        a = payloads.AgreementPayload.model_validate(payload)
        # Seed declared these relationship-scoped; the agreement itself names its session.
        return Upsert(kind, pane, a.agreement, a.agreement.coaching_session_id, a.coaching_relationship_id)
    if kind == "agreement_deleted":
        ad = payloads.AgreementDeleted.model_validate(payload)
        return Delete(kind, pane, ad.agreement_id, ad.coaching_session_id, ad.coaching_relationship_id)
    if kind in ("goal_created", "goal_updated"):
        g = payloads.GoalPayload.model_validate(payload)
        return Upsert(kind, pane, g.goal, g.goal.created_in_session_id, g.coaching_relationship_id)
    if kind in ("overarching_goal_created", "overarching_goal_updated"):
        o = payloads.OverarchingGoalPayload.model_validate(payload)
        # Seed goal events carry the relationship; the goal's own session id is what matches.
        return Upsert(
            kind, pane, o.overarching_goal, o.overarching_goal.coaching_session_id, o.coaching_relationship_id
        )
    if kind == "goal_deleted":
        gd = payloads.GoalDeleted.model_validate(payload)
        return Delete(kind, pane, gd.goal_id, None, gd.coaching_relationship_id)
    if kind == "overarching_goal_deleted":
        od = payloads.OverarchingGoalDeleted.model_validate(payload)
        return Delete(kind, pane, od.overarching_goal_id, None, od.coaching_relationship_id)
    if kind in ("coaching_session_goal_created", "coaching_session_goal_deleted"):
        link = payloads.SessionGoalLink.model_validate(payload)
        return Invalidate(kind, pane, link.coaching_session_id, link.coaching_relationship_id)
    scoped = payloads.SessionScoped.model_validate(payload)
    return Invalidate(kind, pane, scoped.coaching_session_id)
