"""Demo data: one organization, a coach, two coachees, sessions around today, and content in them.

`today` and `now` are parameters so snapshot tests can pin them; ids are random unless a seed
is given (then stable across runs).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from coachtui.devserver.backend import SESSION_HEAD_ONLY, Profile
from coachtui.devserver.clock import naive, ts
from coachtui.devserver.store import Doc, Store


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    user_id: str
    name: str


@dataclass(frozen=True)
class DemoData:
    coach: DemoUser
    coachee: DemoUser
    other_coachee: DemoUser
    organization_id: str
    relationship_id: str
    other_relationship_id: str
    today_session_id: str
    other_session_id: str  # the coach's session with the other coachee, same day
    session_ids: list[str]


COACH_PASSWORD = "coach-demo-pass"
COACHEE_PASSWORD = "coachee-demo-pass"
# The demo logins, the same whenever demo data is made (so a --db restart can print them again).
DEMO_LOGINS = (
    ("coach@example.com", COACH_PASSWORD),
    ("coachee@example.com", COACHEE_PASSWORD),
    ("sam@example.com", COACHEE_PASSWORD),
)


def seed_demo(
    store: Store,
    profile: Profile = "head",
    *,
    now: dt.datetime | None = None,
    seed: int | None = None,
) -> DemoData:
    rng = random.Random(seed)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4)) if seed is not None else str(uuid.uuid4())

    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    created = ts(now - dt.timedelta(days=30, seconds=-123456), 6)
    today_slot = now.replace(minute=0, second=0) - dt.timedelta(hours=0)

    org: Doc = {
        "id": uid(),
        "name": "Northwind Coaching",
        "logo": None,
        "slug": "northwind",
        "created_at": created,
        "updated_at": created,
    }
    store.put("organization", org)

    def user(first: str, last: str, email: str, password: str, display: str | None = None) -> DemoUser:
        doc: Doc = {
            "id": uid(),
            "email": email,
            "first_name": first,
            "last_name": last,
            "display_name": display,
            "github_username": None,
            "github_profile_url": None,
            "timezone": "America/Chicago",
            "role": "User",
            "roles": [
                {
                    "id": uid(),
                    "role": "User",
                    "organization_id": org["id"],
                    "user_id": "",
                    "created_at": created,
                    "updated_at": created,
                }
            ],
            "created_at": created,
            "updated_at": created,
        }
        doc["roles"][0]["user_id"] = doc["id"]
        store.put("user", doc)
        store.set_password(email, doc["id"], password)
        return DemoUser(email, password, doc["id"], display or f"{first} {last}")

    (coach_login, coachee_login, other_login) = DEMO_LOGINS
    coach = user("Avery", "Stone", *coach_login)
    coachee = user("Jordan", "Lee", *coachee_login)
    other = user("Sam", "Rivera", *other_login)

    def relationship(coachee_id: str, slug: str) -> Doc:
        doc = {
            "id": uid(),
            "organization_id": org["id"],
            "coach_id": coach.user_id,
            "coachee_id": coachee_id,
            "slug": slug,
            "created_at": created,
            "updated_at": created,
        }
        store.put("relationship", doc)
        return doc

    rel = relationship(coachee.user_id, "avery-jordan")
    other_rel = relationship(other.user_id, "avery-sam")

    def session(rel_doc: Doc, when: dt.datetime, title: str | None) -> Doc:
        doc = {
            "id": uid(),
            "coaching_relationship_id": rel_doc["id"],
            "coaching_session_series_id": None,
            "ical_sequence": 0,
            "ical_recurrence_id": None,
            "collab_document_name": None,
            "date": naive(when),
            "duration_minutes": 60,
            "title": title,
            "meeting_url": None,
            "provider": None,
            "created_at": created,
            "updated_at": created,
            "hydrated_at": created,
            "notice_given_at": created,
        }
        if profile == "seed":
            for key in SESSION_HEAD_ONLY:
                doc.pop(key)
        store.put("session", doc, relationship_id=rel_doc["id"])
        return doc

    past = session(rel, today_slot - dt.timedelta(days=14), "Kick-off: where are we headed?")
    last = session(rel, today_slot - dt.timedelta(days=7), "Delegation check-in")
    today = session(rel, today_slot, "Quarterly planning and delegation")
    session(rel, today_slot + dt.timedelta(days=7), None)
    # Later the same day, even late in the evening (the picker lists today's sessions by time).
    other_slot = min(today_slot + dt.timedelta(hours=2), today_slot.replace(hour=23, minute=30))
    other_today = session(other_rel, other_slot, "Career conversation")

    stamp_digits = iter([6, 3, 0, 6, 6, 3, 6, 0, 6, 6, 3, 6])

    def stamp(delta_hours: float) -> str:
        return ts(now - dt.timedelta(hours=delta_hours, microseconds=-654321), next(stamp_digits, 6))

    # Goals
    goal_rows = [
        ("Grow into the team-lead role", "Delegate more, review less.", "InProgress", "2026-12-31"),
        ("Ship the Q1 roadmap", None, "OnHold" if profile == "head" else "NotStarted", None),
        ("Build a sustainable weekly rhythm", "Protect two focus blocks a week.", "Completed", "2026-10-01"),
    ]
    goal_ids: list[str] = []
    for title, body, status, target in goal_rows:
        gid = uid()
        goal_ids.append(gid)
        stamp_s = stamp(30)
        if profile == "head":
            gdoc = {
                "id": gid,
                "coaching_relationship_id": rel["id"],
                "created_in_session_id": past["id"],
                "user_id": coach.user_id,
                "title": title,
                "body": body,
                "status": status,
                "status_changed_at": stamp_s,
                "completed_at": stamp_s if status == "Completed" else None,
                "target_date": target,
                "created_at": stamp_s,
                "updated_at": stamp_s,
            }
            store.put("goal", gdoc, relationship_id=rel["id"])
            for sid in (past["id"], today["id"]):
                store.put(
                    "link",
                    {
                        "id": uid(),
                        "coaching_session_id": sid,
                        "goal_id": gid,
                        "created_at": stamp_s,
                        "updated_at": stamp_s,
                    },
                    session_id=sid,
                    relationship_id=rel["id"],
                )
        else:
            gdoc = {
                "id": gid,
                "coaching_session_id": today["id"],
                "user_id": coach.user_id,
                "title": title,
                "body": body,
                "status": status,
                "status_changed_at": stamp_s,
                "completed_at": None,
                "created_at": stamp_s,
                "updated_at": stamp_s,
            }
            store.put("goal", gdoc, session_id=today["id"])

    # Actions: every status, with and without due dates, one overdue, one for the coach too.
    due_soon = now + dt.timedelta(days=3)
    action_rows = [
        ("Draft the delegation plan for the platform team", "InProgress", due_soon, [coachee.user_id]),
        (
            "Book a skip-level with two senior engineers",
            "NotStarted",
            now + dt.timedelta(days=10),
            [coachee.user_id],
        ),
        (
            "Write down three decisions to hand off this month",
            "NotStarted",
            now - dt.timedelta(days=2),
            [coachee.user_id],
        ),
        ("Share the one-page roadmap summary", "Completed", now - dt.timedelta(days=5), [coachee.user_id]),
        (
            "Pause the hiring-loop redesign until January",
            "OnHold" if profile == "head" else "WontDo",
            None,
            [],
        ),
        (
            "Send reading list on situational leadership",
            "NotStarted",
            now + dt.timedelta(days=1),
            [coach.user_id],
        ),
        ("Rewrite the on-call handbook alone", "WontDo", None, [coachee.user_id]),
    ]
    for i, (body, status, due, assignees) in enumerate(action_rows):
        stamp_s = stamp(20 - i)
        adoc = {
            "id": uid(),
            "coaching_session_id": today["id"],
            "user_id": coach.user_id,
            "body": body,
            "due_by": ts(due.replace(hour=17, minute=0, second=0), 0) if due else None,
            "status": status,
            "status_changed_at": stamp_s,
            "created_at": stamp_s,
            "updated_at": stamp_s,
            "assignee_ids": assignees,
        }
        if profile == "head":
            adoc["goal_id"] = goal_ids[0] if i < 3 else None
        store.put("action", adoc, session_id=today["id"])
    store.put(
        "action",
        {
            "id": uid(),
            "coaching_session_id": last["id"],
            "user_id": coachee.user_id,
            "body": "List recurring meetings to drop",
            "due_by": None,
            "status": "Completed",
            "status_changed_at": stamp(200),
            "created_at": stamp(200),
            "updated_at": stamp(200),
            "assignee_ids": [coachee.user_id],
            **({"goal_id": None} if profile == "head" else {}),
        },
        session_id=last["id"],
    )

    for body in (
        "Jordan owns the delegation plan; Avery reviews it next session.",
        "We meet every second Tuesday; cancel no later than the day before.",
    ):
        stamp_s = stamp(10)
        store.put(
            "agreement",
            {
                "id": uid(),
                "coaching_session_id": today["id"],
                "body": body,
                "user_id": coach.user_id,
                "created_at": stamp_s,
                "updated_at": stamp_s,
            },
            session_id=today["id"],
        )

    return DemoData(
        coach=coach,
        coachee=coachee,
        other_coachee=other,
        organization_id=org["id"],
        relationship_id=rel["id"],
        other_relationship_id=other_rel["id"],
        today_session_id=today["id"],
        other_session_id=other_today["id"],
        session_ids=[past["id"], last["id"], today["id"]],
    )
