"""Change reports: what changed, in words, from whom where known; the user's own changes told
apart from the other participant's; and what a reconnect finds changed while disconnected."""

from __future__ import annotations

import datetime as dt

from coachtui.api.models import Action, Agreement, EnrichedSession, Era, Status, User
from coachtui.devserver.server import DevServer
from coachtui.live.changes import Change, ChangeKind, ConnectionNote, Context, Origin, Resync, compare
from coachtui.live.edits import LocalEdits
from coachtui.live.events import Pane
from coachtui.live.status import ConnState
from tests.conftest import dev
from tests.live.helpers import Live, coachee_api
from tests.waiting import wait_for

AT = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
COACH = User(id="u-coach", first_name="Jim", last_name="Hodapp")
COACHEE = User(id="u-coachee", first_name="Jordan", last_name="Lee")
HEADER = EnrichedSession(
    id="s1", coaching_relationship_id="r1", date=AT, coach=COACH, coachee=COACHEE, title="Weekly"
)
CONTEXT = Context(HEADER, [], Era.HEAD, me=COACH.id)


def action(**fields: object) -> Action:
    base: dict[str, object] = {
        "id": "a1",
        "coaching_session_id": "s1",
        "body": "Write down three decisions from the offsite",
        "due_by": dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC),
        "user_id": COACHEE.id,
    }
    return Action.model_validate({**base, **fields})


def change(before: object, after: object, origin: Origin = Origin.LIVE) -> Change:
    found = compare(Pane.ACTIONS, before, after, CONTEXT, at=AT, origin=origin)  # type: ignore[arg-type]
    assert found is not None
    return found


def test_changes_read_as_sentences_with_names_not_ids() -> None:
    added = change(None, action(body="Book a skip-level with the VP of Engineering before December"))
    assert added.summary() == "Jordan Lee added an action: Book a skip-level with the VP of Engineering be…"
    assert change(action(), None).summary() == "Action removed: Write down three decisions from the offsite"
    done = change(action(), action(status=Status.COMPLETED))
    assert done.summary() == "Action completed: Write down three decisions from the offsite"
    moved = change(action(), action(due_by=dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)))
    assert moved.summary() == "Action “Write down three decisi…”: Due date Nov 27 → Dec 01"
    assigned = change(action(), action(assignee_ids=[COACHEE.id, "u-other"]))
    assert assigned.details() == ["Assignees nobody → Jordan Lee (coachee), someone else"]
    assert change(None, action(), Origin.YOURS).summary().startswith("You added an action")
    assert change(action(), None, Origin.YOURS).actor == "you"
    # Updates and deletions do not say who made them: no actor is claimed.
    assert done.actor is None and change(action(), None).actor is None
    # The user's own account in another window (the web app) is not someone else.
    assert change(None, action(user_id=COACH.id)).actor == "you (elsewhere)"


def test_what_a_person_cannot_see_is_no_change() -> None:
    assert compare(Pane.ACTIONS, action(), action(updated_at=AT), CONTEXT, at=AT, origin=Origin.LIVE) is None
    assert (
        compare(Pane.ACTIONS, action(body="Call"), action(body="Call  "), CONTEXT, at=AT, origin=Origin.LIVE)
        is None
    )


def test_server_text_in_a_change_is_inert() -> None:
    hostile = "[bold]x[/bold]\x1b]52;c;ZXZpbA==\x07\u202e"
    edited = compare(
        Pane.AGREEMENTS,
        Agreement(id="g1", coaching_session_id="s1", body="Plain"),
        Agreement(id="g1", coaching_session_id="s1", body=hostile),
        CONTEXT,
        at=AT,
        origin=Origin.LIVE,
    )
    assert edited is not None
    for line in (edited.summary(), *edited.details(), str(edited.to_json())):
        assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line
    assert "[bold]x[/bold]" in edited.summary()  # shown literally (the TUI never parses markup)


def test_a_resync_counts_in_words() -> None:
    changes = (
        change(action(), action(status=Status.COMPLETED), Origin.RESYNC),
        change(action(id="a2"), action(id="a2", body="Other"), Origin.RESYNC),
        Change(AT, Pane.AGREEMENTS, ChangeKind.ADDED, "g1", "New", Origin.RESYNC),
    )
    assert Resync(AT, changes).summary == "While disconnected: 2 actions changed, 1 agreement added"
    assert Resync(AT).summary == "While disconnected: nothing changed"


async def test_the_other_participants_changes_are_reported_and_yours_are_yours(
    head_server: DevServer,
) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live, await coachee_api(head_server) as coachee:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        assert live.changes_seen() == []  # loading is not a change
        mine = next(a for a in live.model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED)
        await edits.toggle_completed(Pane.ACTIONS, mine.id)
        created = await coachee.create_action(
            demo.today_session_id, "Book a skip-level", status=Status.NOT_STARTED
        )
        await wait_for(lambda: any(c.item_id == created.id for c in live.changes_seen()))
        await live.caught_up()  # the toggle's own event has come back
        seen = [(c.item_id, c.origin, c.kind) for c in live.changes_seen()]
        assert seen == [
            (mine.id, Origin.YOURS, ChangeKind.CHANGED),
            (created.id, Origin.LIVE, ChangeKind.ADDED),
        ]
        assert live.changes_seen()[1].actor == demo.coachee.name
        # A create made here: its event comes back (perhaps before the answer) and is not "added by someone".
        form_values = {"body": "Mine", "status": "NotStarted", "due": "", "assignees": [], "goal": ""}
        from coachtui.live.forms import form_for

        form = form_for(Pane.ACTIONS, live.api.era, live.model.header, live.model.items(Pane.GOALS))
        saved = await edits.create(form, form_values)
        await live.caught_up()
        about = [c for c in live.changes_seen() if c.item_id == saved.id]
        assert [(c.origin, c.kind) for c in about] == [(Origin.YOURS, ChangeKind.ADDED)]
        # A delete and its undo (a new item) are the user's own too.
        await edits.delete(Pane.ACTIONS, saved.id)
        restored = await edits.undo()
        await live.caught_up()
        assert [c.origin for c in live.changes_seen() if c.item_id in (saved.id, restored.id)] == [
            Origin.YOURS,
            Origin.YOURS,
            Origin.YOURS,
        ]


async def test_a_reconnect_reports_exactly_what_changed_while_disconnected(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with Live(head_server) as live, await coachee_api(head_server) as coachee:
        await live.ready()
        actions = live.model.items(Pane.ACTIONS)
        agreement = live.model.items(Pane.AGREEMENTS)[0]
        dev(head_server, "sse/fail", status=503, count=1000)  # away until the changes are made
        dev(head_server, "sse/drop")
        await wait_for(lambda: live.state is ConnState.RECONNECTING)
        done = actions[0].model_copy(update={"status": Status.WONT_DO})
        await coachee.update_action(done)
        added = await coachee.create_agreement(demo.today_session_id, "Made while away")
        await coachee.delete_agreement(agreement.id)
        dev(head_server, "sse/fail", clear=True)  # the outage ends
        await wait_for(lambda: any(isinstance(r, Resync) for r in live.reports))
        report = next(r for r in live.reports if isinstance(r, Resync))
        assert {(c.pane, c.kind, c.item_id) for c in report.changes} == {
            (Pane.ACTIONS, ChangeKind.CHANGED, actions[0].id),
            (Pane.AGREEMENTS, ChangeKind.ADDED, added.id),
            (Pane.AGREEMENTS, ChangeKind.REMOVED, agreement.id),
        }
        assert all(c.origin is Origin.RESYNC for c in report.changes)
        assert (
            report.summary == "While disconnected: 1 action changed, 1 agreement added, 1 agreement removed"
        )
        notes = [r.state for r in live.reports if isinstance(r, ConnectionNote)]
        assert notes == ["Reconnecting", "Connected"]
        # Each difference is also reported on its own (the history lists it), and only once.
        assert sum(1 for c in live.changes_seen() if c.origin is Origin.RESYNC) == 3
