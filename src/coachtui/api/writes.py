"""The backend's writes, both eras, with the exact bodies the contract gives (§5.4).

A mixin of ApiClient: typed mutations live here, apart from the reads the screen makes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from coachtui.api.errors import BadRequest
from coachtui.api.http import api_path, iso
from coachtui.api.models import Action, Agreement, CoachingSession, Era, Goal, SessionGoalLink, Status
from coachtui.api.responses import parse_one


class Writes:
    """Needs what ApiClient provides: `host`, `era`, `_call` and `session_goals`."""

    host: str
    era: Era | None

    async def _call(
        self, method: str, path: str, *, params: dict[str, str] | None = None, json_body: Any = None
    ) -> Any:
        raise NotImplementedError

    async def session_goals(self, session_id: str) -> list[Goal]:
        raise NotImplementedError

    async def create_action(
        self,
        session_id: str,
        body: str,
        *,
        status: Status = Status.NOT_STARTED,
        due_by: dt.datetime | None = None,
        assignee_ids: list[str] | None = None,
        goal_id: str | None = None,
    ) -> Action:
        payload: dict[str, Any] = {
            "coaching_session_id": session_id,
            "body": body,
            "status": status.value,
            "due_by": iso(due_by),
            "assignee_ids": assignee_ids or [],
        }
        if goal_id is not None:
            payload["goal_id"] = goal_id
        data = await self._call("POST", "/actions", json_body=payload)
        return parse_one(Action, data, self.host)

    async def update_action(self, action: Action, *, assignees_changed: bool = False) -> Action:
        """Full replacement, as the backend's PUT is: every field of `action` is sent (an omitted
        one would become null). `assignee_ids` only when they changed: present, the backend
        replaces the set (and e-mails people); absent, it leaves them (contract §5.6)."""
        payload: dict[str, Any] = {
            "coaching_session_id": action.coaching_session_id,
            "body": action.body,
            "status": action.status.value,
            "due_by": iso(action.due_by),
        }
        if assignees_changed:
            payload["assignee_ids"] = action.assignee_ids
        if action.goal_id is not None:
            payload["goal_id"] = action.goal_id
        data = await self._call("PUT", api_path("actions", action.id), json_body=payload)
        return parse_one(Action, data, self.host)

    async def delete_action(self, action_id: str) -> None:
        await self._call("DELETE", api_path("actions", action_id))

    async def create_agreement(self, session_id: str, body: str) -> Agreement:
        data = await self._call(
            "POST", "/agreements", json_body={"coaching_session_id": session_id, "body": body}
        )
        return parse_one(Agreement, data, self.host)

    async def update_agreement(self, agreement_id: str, session_id: str, body: str) -> Agreement:
        data = await self._call(
            "PUT",
            api_path("agreements", agreement_id),
            json_body={"coaching_session_id": session_id, "body": body},
        )
        return parse_one(Agreement, data, self.host)

    async def delete_agreement(self, agreement_id: str) -> None:
        await self._call("DELETE", api_path("agreements", agreement_id))

    async def create_goal(
        self,
        session: CoachingSession,
        title: str,
        *,
        body: str | None = None,
        status: Status = Status.NOT_STARTED,
        target_date: dt.date | None = None,
    ) -> Goal:
        """Seed: an overarching goal of the session. HEAD: a relationship goal created in it."""
        if self.era is None:
            await self.session_goals(session.id)
        if self.era is Era.SEED:
            payload: dict[str, Any] = {
                "coaching_session_id": session.id,
                "title": title,
                "body": body,
                "status": status.value,
            }
            data = await self._call("POST", "/overarching_goals", json_body=payload)
        else:
            payload = {
                "coaching_relationship_id": session.coaching_relationship_id,
                "created_in_session_id": session.id,
                "title": title,
                "body": body,
                "status": status.value,
                "target_date": target_date.isoformat() if target_date else None,
            }
            data = await self._call("POST", "/goals", json_body=payload)
        return parse_one(Goal, data, self.host)

    async def update_goal(self, goal: Goal) -> Goal:
        payload: dict[str, Any] = {
            "title": goal.title,
            "body": goal.body,
            "status": goal.status.value,
        }
        if self.era is Era.SEED:
            payload["coaching_session_id"] = goal.coaching_session_id
            data = await self._call("PUT", api_path("overarching_goals", goal.id), json_body=payload)
        else:
            payload["coaching_relationship_id"] = goal.coaching_relationship_id
            payload["target_date"] = goal.target_date.isoformat() if goal.target_date else None
            data = await self._call("PUT", api_path("goals", goal.id), json_body=payload)
        return parse_one(Goal, data, self.host)

    async def delete_goal(self, goal_id: str) -> None:
        if self.era is Era.SEED:
            raise BadRequest("The seed-era backend cannot delete goals.")
        await self._call("DELETE", api_path("goals", goal_id))

    async def link_goal(self, session_id: str, goal_id: str) -> SessionGoalLink:
        data = await self._call(
            "POST", api_path("coaching_sessions", session_id, "goals"), json_body={"goal_id": goal_id}
        )
        return parse_one(SessionGoalLink, data, self.host)

    async def unlink_goal(self, session_id: str, goal_id: str) -> None:
        await self._call("DELETE", api_path("coaching_sessions", session_id, "goals", goal_id))

    async def update_session_title(self, session_id: str, title: str | None) -> CoachingSession:
        data = await self._call(
            "PATCH", api_path("coaching_sessions", session_id, "title"), json_body={"title": title}
        )
        return parse_one(CoachingSession, data, self.host)
