"""The domain side of the devserver: entities, authorization and events, per profile.

Handlers in `app.py` translate HTTP to these calls; everything here is synchronous and runs on
the server's event loop, so publishing an event happens before the HTTP response is written,
as in the real backend (the actor's own event may beat its response).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import os
import uuid
from collections.abc import Callable
from typing import Any, Literal

from coachtui.devserver.broker import Broker
from coachtui.devserver.clock import ts, utcnow
from coachtui.devserver.faults import Faults
from coachtui.devserver.notes import NotesHub, Tokens, document_name
from coachtui.devserver.store import Doc, Store

Profile = Literal["head", "seed"]
STATUSES_SEED = ("NotStarted", "InProgress", "Completed", "WontDo")
STATUSES_HEAD = ("NotStarted", "InProgress", "OnHold", "Completed", "WontDo")
MAX_IN_PROGRESS_GOALS = 3
SESSION_HEAD_ONLY = (
    "coaching_session_series_id",
    "ical_sequence",
    "ical_recurrence_id",
    "duration_minutes",
    "title",
    "meeting_url",
    "provider",
    "hydrated_at",
    "notice_given_at",
)


class HttpError(Exception):
    """A plain-text error response, as most of the real backend's errors are."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


class JsonError(Exception):
    """HEAD's structured domain errors: {"status_code", "error", "message"[, "details"]}."""

    def __init__(self, status: int, error: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"status_code": status, "error": error, "message": message}
        if details is not None:
            self.body["details"] = details


NOT_FOUND = HttpError(404, "NOT FOUND")
# A database constraint failure (unknown goal or assignee, duplicate assignees): HEAD answers 503,
# the seed era 500 (contract §5.6).
SERVICE_UNAVAILABLE = HttpError(503, "SERVICE UNAVAILABLE")
INTERNAL_ERROR = HttpError(500, "INTERNAL SERVER ERROR")
TITLE_MAX = 500
FORBIDDEN = HttpError(403, "FORBIDDEN")
UNAUTHORIZED_SEED = HttpError(401, "UNAUTHORIZED")


def new_id() -> str:
    return str(uuid.uuid4())


def new_token() -> str:
    """22 URL-safe base64 characters of a random 128-bit value, like tower-sessions' id."""
    return base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()


def json_input_error(detail: str) -> HttpError:
    return HttpError(422, f"Failed to deserialize the JSON body into the target type: {detail}")


class Backend:
    def __init__(
        self,
        store: Store,
        profile: Profile = "head",
        *,
        session_ttl: float = 86400.0,
        keepalive: float = 15.0,
    ) -> None:
        if profile not in ("head", "seed"):
            raise ValueError(f"unknown profile {profile!r} (head or seed)")
        self.store = store
        self.profile: Profile = profile
        self.session_ttl = session_ttl
        self.broker = Broker(keepalive=keepalive)
        self.faults = Faults()
        self.requests: dict[str, int] = {}
        self.background: set[asyncio.Future[None]] = set()  # fault-control tasks kept alive
        self.notes = NotesHub(Tokens())  # the notes server (TipTap Cloud's part)

    @property
    def head(self) -> bool:
        return self.profile == "head"

    def statuses(self) -> tuple[str, ...]:
        return STATUSES_HEAD if self.head else STATUSES_SEED

    def deny(self) -> HttpError:
        """Authorization failure: seed mostly answered 401, HEAD 403."""
        return FORBIDDEN if self.head else UNAUTHORIZED_SEED

    # -- auth -------------------------------------------------------------------------------

    def login(self, email: str, password: str) -> tuple[Doc, str]:
        user_id = self.store.check_password(email, password)
        if user_id is None:
            raise HttpError(401, "UNAUTHORIZED")
        user = self.store.get("user", user_id)
        if user is None:
            raise HttpError(401, "UNAUTHORIZED")
        token = new_token()
        self.store.open_auth(token, user_id, self.session_ttl)
        return self.user_view(user), token

    def user_view(self, user: Doc) -> Doc:
        view = dict(user)
        if self.head:
            view.pop("role", None)
            view.setdefault("default_coaching_session_duration_minutes", 60)
        else:
            view.setdefault("role", "User")
            view.pop("default_coaching_session_duration_minutes", None)
        return view

    # -- lookups and authorization --------------------------------------------------------------

    def relationship(self, rel_id: str) -> Doc:
        rel = self.store.get("relationship", rel_id)
        if rel is None:
            raise NOT_FOUND
        return rel

    def participants(self, rel: Doc) -> list[str]:
        return [rel["coach_id"], rel["coachee_id"]]

    def session_of(
        self, me: str, session_id: str, *, seed_status: HttpError | None = None
    ) -> tuple[Doc, Doc]:
        """The session and its relationship, for a participant only.

        `seed_status` is the seed era's answer where it differs from the usual 401 (403 on the
        single session read); the seed era cannot tell a missing session from a forbidden one.
        """
        denial = seed_status if seed_status is not None and not self.head else self.deny()
        session = self.store.get("session", session_id)
        if session is None:
            raise NOT_FOUND if self.head else denial
        rel = self.relationship(session["coaching_relationship_id"])
        if me not in self.participants(rel):
            raise denial
        return session, rel

    def collab_token(self, me: str, session_id: str) -> Doc:
        """`GET /jwt/generate_collab_token`: the session's notes document (named on first use,
        as the backend's hydration does) and a token for every document of the relationship."""
        session, rel = self.session_of(me, session_id)
        if self.notes.token_failures:  # a backend without TipTap configured answers 5xx/404
            raise HttpError(self.notes.token_failures.pop(0), "Internal Server Error")
        org = self.store.get("organization", rel.get("organization_id") or "") or {}
        org_slug, rel_slug = org.get("slug") or "org", rel.get("slug") or rel["id"]
        name = session.get("collab_document_name")
        if not name:
            name = document_name(org_slug, rel_slug, session["id"])
            self.store.put("session", {**session, "collab_document_name": name}, relationship_id=rel["id"])
        return {"token": self.notes.tokens.mint(name, f"{org_slug}.{rel_slug}.*"), "sub": name}

    def session_view(self, session: Doc) -> Doc:
        if self.head:
            return dict(session)
        return {k: v for k, v in session.items() if k not in SESSION_HEAD_ONLY}

    def enriched(self, session: Doc, include: set[str]) -> Doc:
        row = self.session_view(session)
        rel = self.relationship(session["coaching_relationship_id"])
        if self.head:
            row["display_title"] = session.get("title")
            row["viewer_last_viewed_at"] = None
        if "relationship" in include:
            row["relationship"] = rel
            for role in ("coach", "coachee"):
                user = self.store.get("user", rel[f"{role}_id"])
                row[role] = self.user_view(user) if user else None
            if "organization" in include:
                row["organization"] = self.store.get("organization", rel["organization_id"])
        return row

    def sessions_for_user(self, me: str, from_date: dt.date | None, to_date: dt.date | None) -> list[Doc]:
        rels = [r for r in self.store.list("relationship") if me in self.participants(r)]
        out: list[Doc] = []
        for rel in rels:
            for session in self.store.list("session", relationship_id=rel["id"]):
                day = dt.datetime.fromisoformat(session["date"]).date()
                if (from_date and day < from_date) or (to_date and day > to_date):
                    continue
                out.append(session)
        return out

    # -- events -------------------------------------------------------------------------------

    def publish(self, rel: Doc, event_type: str, data: dict[str, Any]) -> None:
        self.broker.publish(self.participants(rel), event_type, data)

    def publish_in_session(
        self,
        session_id: str,
        event_type: str,
        data: dict[str, Any] | Callable[[Doc], dict[str, Any]],
        *,
        seed_too: bool = False,
    ) -> None:
        """Publish to the participants of a session's relationship (coach and coachee, the actor
        included). The seed era sends no action or agreement events: `seed_too` for what it does."""
        if not (self.head or seed_too):
            return
        session = self.store.get("session", session_id)
        if session is None:
            return
        rel = self.relationship(session["coaching_relationship_id"])
        self.publish(rel, event_type, data(rel) if callable(data) else data)

    # -- validation helpers -------------------------------------------------------------------

    def status_in(self, body: dict[str, Any], *, required: bool = True) -> str:
        value = body.get("status")
        if value is None and not required:
            return "NotStarted"
        if value not in self.statuses():
            raise json_input_error(f"status: unknown variant `{value}`")
        return str(value)

    @staticmethod
    def offset_ts(value: Any, name: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise json_input_error(f"{name}: invalid type")
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise json_input_error(f"{name}: input contains invalid characters") from None
        if parsed.tzinfo is None:
            raise json_input_error(f"{name}: premature end of input")
        try:
            return ts(parsed)
        except OverflowError:  # (year 1 at +23:00 is year 0 in UTC: chrono's range, not Python's)
            raise json_input_error(f"{name}: input is out of range") from None

    @staticmethod
    def required_str(body: dict[str, Any], name: str) -> str:
        value = body.get(name)
        if not isinstance(value, str):
            raise json_input_error(f"missing field `{name}`")
        return value

    @staticmethod
    def optional_str(body: dict[str, Any], name: str) -> str | None:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise json_input_error(f"{name}: invalid type")
        return value

    # -- actions ------------------------------------------------------------------------------

    def session_actions(self, session_id: str) -> list[Doc]:
        return self.store.list("action", session_id=session_id)

    def action_view(self, action: Doc) -> Doc:
        view = dict(action)
        if not self.head:
            view.pop("goal_id", None)
        return view

    def constraint_failure(self) -> HttpError:
        return SERVICE_UNAVAILABLE if self.head else INTERNAL_ERROR

    def _checked_assignees(self, body: dict[str, Any]) -> list[str] | None:
        """The `assignee_ids` to set (None: leave them), as the database would accept them."""
        if body.get("assignee_ids") is None:
            return None
        ids = body["assignee_ids"]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise json_input_error("assignee_ids: invalid type")  # (serde: a sequence of uuids)
        if len(set(ids)) != len(ids) or any(self.store.get("user", str(i)) is None for i in ids):
            raise self.constraint_failure()
        return [str(i) for i in ids]

    def _checked_goal(self, body: dict[str, Any]) -> str | None:
        goal_id = self.optional_str(body, "goal_id") if self.head else None
        if goal_id is not None and self.store.get("goal", goal_id) is None:
            raise self.constraint_failure()
        return goal_id

    def create_action(self, me: str, body: dict[str, Any]) -> Doc:
        session_id = self.required_str(body, "coaching_session_id")
        status = self.status_in(body)
        session = self.store.get("session", session_id)
        if session is None:
            raise HttpError(500, "INTERNAL SERVER ERROR")  # foreign key violation in the real DB
        goal_id = self._checked_goal(body)
        assignees = self._checked_assignees(body) or []
        now = ts(utcnow())
        action = {
            "id": new_id(),
            "coaching_session_id": session_id,
            "goal_id": goal_id,
            "user_id": me,
            "body": self.optional_str(body, "body"),
            "due_by": self.offset_ts(body.get("due_by"), "due_by"),
            "status": status,
            "status_changed_at": now,
            "created_at": now,
            "updated_at": now,
            "assignee_ids": assignees,
        }
        self.store.put("action", action, session_id=session_id)
        view = self.action_view(action)
        self.publish_in_session(
            session_id, "action_created", {"coaching_session_id": session_id, "action": view}
        )
        return view

    def update_action(self, action_id: str, body: dict[str, Any]) -> Doc:
        self.required_str(body, "coaching_session_id")
        status = self.status_in(body)
        action = self.store.get("action", action_id)
        if action is None:
            raise NOT_FOUND
        now = ts(utcnow())
        # A full replacement: omitted optional fields become null; `status_changed_at` moves on
        # every PUT. Not atomic: the fields commit first, then the assignees; if those fail the
        # answer is 503 with the fields saved and no event sent (contract §5.6).
        action.update(
            body=self.optional_str(body, "body"),
            due_by=self.offset_ts(body.get("due_by"), "due_by"),
            status=status,
            status_changed_at=now,
            updated_at=now,
        )
        if self.head:
            action["goal_id"] = self._checked_goal(body)
        self.store.put("action", action, session_id=action["coaching_session_id"])
        assignees = self._checked_assignees(body)
        if assignees is not None:
            action["assignee_ids"] = assignees
            self.store.put("action", action, session_id=action["coaching_session_id"])
        view = self.action_view(action)
        sid = action["coaching_session_id"]
        self.publish_in_session(sid, "action_updated", {"coaching_session_id": sid, "action": view})
        return view

    def delete_action(self, action_id: str) -> Doc:
        action = self.store.get("action", action_id)
        if action is None or not self.store.delete("action", action_id):
            raise NOT_FOUND
        sid = action["coaching_session_id"]
        self.publish_in_session(sid, "action_deleted", {"coaching_session_id": sid, "action_id": action_id})
        return {"id": action_id}

    # -- agreements ---------------------------------------------------------------------------

    def create_agreement(self, me: str, body: dict[str, Any]) -> Doc:
        session_id = self.required_str(body, "coaching_session_id")
        session = self.store.get("session", session_id)
        if session is None:
            raise HttpError(500, "INTERNAL SERVER ERROR")
        now = ts(utcnow())
        agreement = {
            "id": new_id(),
            "coaching_session_id": session_id,
            "body": self.optional_str(body, "body"),
            "user_id": me,
            "created_at": now,
            "updated_at": now,
        }
        self.store.put("agreement", agreement, session_id=session_id)
        self.publish_in_session(
            session_id, "agreement_created", {"coaching_session_id": session_id, "agreement": agreement}
        )
        return agreement

    def update_agreement(self, agreement_id: str, body: dict[str, Any]) -> Doc:
        self.required_str(body, "coaching_session_id")
        agreement = self.store.get("agreement", agreement_id)
        if agreement is None:
            raise NOT_FOUND
        agreement.update(body=self.optional_str(body, "body"), updated_at=ts(utcnow()))
        sid = agreement["coaching_session_id"]
        self.store.put("agreement", agreement, session_id=sid)
        self.publish_in_session(
            sid, "agreement_updated", {"coaching_session_id": sid, "agreement": agreement}
        )
        return agreement

    def delete_agreement(self, agreement_id: str) -> Doc:
        agreement = self.store.get("agreement", agreement_id)
        if agreement is None or not self.store.delete("agreement", agreement_id):
            raise NOT_FOUND
        sid = agreement["coaching_session_id"]
        self.publish_in_session(
            sid, "agreement_deleted", {"coaching_session_id": sid, "agreement_id": agreement_id}
        )
        return {"id": agreement_id}

    # -- goals: seed era (overarching goals, session-scoped) ----------------------------------

    def create_overarching_goal(self, me: str, body: dict[str, Any]) -> Doc:
        session_id = self.required_str(body, "coaching_session_id")
        status = self.status_in(body)
        session = self.store.get("session", session_id)
        if session is None:
            raise HttpError(500, "INTERNAL SERVER ERROR")
        now = ts(utcnow())
        goal = {
            "id": new_id(),
            "coaching_session_id": session_id,
            "user_id": me,
            "title": self.optional_str(body, "title"),
            "body": self.optional_str(body, "body"),
            "status": status,
            "status_changed_at": now,
            "completed_at": None,
            "created_at": now,
            "updated_at": now,
        }
        self.store.put("goal", goal, session_id=session_id)
        self.publish_in_session(
            session_id,
            "overarching_goal_created",
            lambda rel: {"coaching_relationship_id": rel["id"], "overarching_goal": goal},
            seed_too=True,
        )
        return goal

    def update_overarching_goal(self, goal_id: str, body: dict[str, Any]) -> Doc:
        status = self.status_in(body)
        goal = self.store.get("goal", goal_id)
        if goal is None:
            raise NOT_FOUND
        now = ts(utcnow())
        if goal["status"] != status:
            goal["status_changed_at"] = now
        goal.update(
            title=self.optional_str(body, "title"),
            body=self.optional_str(body, "body"),
            status=status,
            updated_at=now,
            completed_at=None,
        )
        self.store.put("goal", goal, session_id=goal["coaching_session_id"])
        self.publish_in_session(
            goal["coaching_session_id"],
            "overarching_goal_updated",
            lambda rel: {"coaching_relationship_id": rel["id"], "overarching_goal": goal},
            seed_too=True,
        )
        return goal

    # -- goals: HEAD (relationship-scoped, linked to sessions) --------------------------------

    def linked_goals(self, session_id: str) -> list[Doc]:
        goals = []
        for link in self.store.list("link", session_id=session_id):
            goal = self.store.get("goal", link["goal_id"])
            if goal is not None:
                goals.append(goal)
        return goals

    def _check_cap(self, rel_id: str, exclude: str | None = None) -> None:
        in_progress = [
            g
            for g in self.store.list("goal", relationship_id=rel_id)
            if g["status"] == "InProgress" and g["id"] != exclude
        ]
        if len(in_progress) >= MAX_IN_PROGRESS_GOALS:
            raise JsonError(
                409,
                "conflict",
                f"A coaching relationship can have at most {MAX_IN_PROGRESS_GOALS} in-progress goals.",
                {
                    "max_in_progress_goals": MAX_IN_PROGRESS_GOALS,
                    # (the one place a null title becomes "")
                    "in_progress_goals": [{"id": g["id"], "title": g["title"] or ""} for g in in_progress],
                },
            )

    def _link(self, session_id: str, goal_id: str, rel_id: str) -> Doc:
        now = ts(utcnow())
        link = {
            "id": new_id(),
            "coaching_session_id": session_id,
            "goal_id": goal_id,
            "created_at": now,
            "updated_at": now,
        }
        self.store.put("link", link, session_id=session_id, relationship_id=rel_id)
        return link

    def create_goal(self, me: str, body: dict[str, Any]) -> Doc:
        rel_id = self.required_str(body, "coaching_relationship_id")
        status = self.status_in(body)
        rel = self.relationship(rel_id)
        created_in = self.optional_str(body, "created_in_session_id")
        # Linked through the normal link rules: a NotStarted/OnHold goal created in a session is
        # promoted to InProgress, so it meets the cap too.
        if status == "InProgress" or (created_in and status in ("NotStarted", "OnHold")):
            self._check_cap(rel_id)
        now = ts(utcnow())
        goal = {
            "id": new_id(),
            "coaching_relationship_id": rel_id,
            "created_in_session_id": self.optional_str(body, "created_in_session_id"),
            "user_id": me,
            "title": self.optional_str(body, "title"),
            "body": self.optional_str(body, "body"),
            "status": status,
            "status_changed_at": now,
            "completed_at": None,
            "target_date": self.optional_str(body, "target_date"),
            "created_at": now,
            "updated_at": now,
        }
        answer = dict(goal)  # the answer and the event carry the status before the promotion
        if created_in and status in ("NotStarted", "OnHold"):
            goal.update(status="InProgress", status_changed_at=now)
        self.store.put("goal", goal, relationship_id=rel_id)
        if created_in:
            self._link(created_in, str(goal["id"]), rel_id)  # no link or goal_updated event follows
        self.publish(rel, "goal_created", {"coaching_relationship_id": rel_id, "goal": answer})
        return answer

    def update_goal(self, goal_id: str, body: dict[str, Any]) -> Doc:
        status = self.status_in(body)
        goal = self.store.get("goal", goal_id)
        if goal is None:
            raise NOT_FOUND
        if status == "InProgress" and goal["status"] != "InProgress":
            self._check_cap(goal["coaching_relationship_id"], exclude=goal_id)
        now = ts(utcnow())
        if goal["status"] != status:
            goal["status_changed_at"] = now
        goal.update(
            title=self.optional_str(body, "title"),
            body=self.optional_str(body, "body"),
            status=status,
            target_date=self.optional_str(body, "target_date"),
            completed_at=None,
            updated_at=now,
        )
        self.store.put("goal", goal, relationship_id=goal["coaching_relationship_id"])
        rel = self.relationship(goal["coaching_relationship_id"])
        self.publish(rel, "goal_updated", {"coaching_relationship_id": rel["id"], "goal": goal})
        return goal

    def delete_goal(self, goal_id: str) -> Doc:
        goal = self.store.get("goal", goal_id)
        if goal is None:
            raise NOT_FOUND
        for link in self.store.list("link", relationship_id=goal["coaching_relationship_id"]):
            if link["goal_id"] == goal_id:
                self.store.delete("link", link["id"])
        self.store.delete("goal", goal_id)
        rel = self.relationship(goal["coaching_relationship_id"])
        self.publish(rel, "goal_deleted", {"coaching_relationship_id": rel["id"], "goal_id": goal_id})
        return {"id": goal_id}

    def link_goal(self, session: Doc, rel: Doc, body: dict[str, Any]) -> Doc:
        goal_id = self.required_str(body, "goal_id")
        goal = self.store.get("goal", goal_id)
        if goal is None or goal["coaching_relationship_id"] != rel["id"]:
            raise NOT_FOUND
        if any(link["goal_id"] == goal_id for link in self.store.list("link", session_id=session["id"])):
            raise JsonError(
                409, "goal_already_linked_to_session", "This goal is already linked to the coaching session."
            )
        if goal["status"] in ("Completed", "WontDo"):
            raise JsonError(
                422, "cannot_link_completed_goal", "Completed goals cannot be linked to a coaching session."
            )
        promote = goal["status"] in ("NotStarted", "OnHold")
        if promote:
            self._check_cap(rel["id"], exclude=goal_id)
        link = self._link(session["id"], goal_id, rel["id"])
        self.publish(
            rel,
            "coaching_session_goal_created",
            {"coaching_relationship_id": rel["id"], "coaching_session_id": session["id"], "goal_id": goal_id},
        )
        if promote:
            now = ts(utcnow())
            goal.update(status="InProgress", status_changed_at=now, updated_at=now)
            self.store.put("goal", goal, relationship_id=rel["id"])
            self.publish(rel, "goal_updated", {"coaching_relationship_id": rel["id"], "goal": goal})
        return link

    def unlink_goal(self, session: Doc, rel: Doc, goal_id: str) -> Doc:
        for link in self.store.list("link", session_id=session["id"]):
            if link["goal_id"] == goal_id:
                self.store.delete("link", link["id"])
                self.publish(
                    rel,
                    "coaching_session_goal_deleted",
                    {
                        "coaching_relationship_id": rel["id"],
                        "coaching_session_id": session["id"],
                        "goal_id": goal_id,
                    },
                )
                return {"goal_id": goal_id}
        raise NOT_FOUND

    def update_title(self, session: Doc, rel: Doc, body: dict[str, Any]) -> Doc:
        if "title" in body:
            title = (self.optional_str(body, "title") or "").strip()
            if len(title) > TITLE_MAX:
                raise JsonError(
                    422,
                    "validation_error",
                    f"title must be at most {TITLE_MAX} characters (got {len(title)})",
                )
            session["title"] = title or None
            session["updated_at"] = ts(utcnow())
            self.store.put("session", session, relationship_id=rel["id"])
        self.publish(rel, "coaching_session_title_updated", {"coaching_session_id": session["id"]})
        return self.session_view(session)
