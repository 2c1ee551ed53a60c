"""The editor's saves without a screen: forms, merges, conflicts, creates (echo first, answer
lost), the goal cap, and drafts on disk. Against the devserver over loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from coachtui.api.errors import Conflict
from coachtui.api.models import Action, Era, Goal, Status
from coachtui.devserver.server import DevServer
from coachtui.drafts import Draft, Drafts, draft_key
from coachtui.live.edits import ChangedElsewhere, EditFailed, LocalEdits
from coachtui.live.events import Pane
from coachtui.live.forms import Form, Invalid, build, change_of, form_for, statuses, values_of
from tests.conftest import ServerFactory, dev
from tests.live.helpers import Live, coachee_api
from tests.live.test_edits import rest_writes
from tests.waiting import wait_for


def action_form(live: Live, item: object = None) -> Form:
    return form_for(Pane.ACTIONS, live.api.era, live.model.header, live.model.items(Pane.GOALS), item)


# -- forms ------------------------------------------------------------------------------------


def test_a_form_round_trip_keeps_what_it_does_not_show() -> None:
    due = dt.datetime(2026, 12, 3, 15, 45, tzinfo=dt.UTC)
    action = Action(
        id="a1", coaching_session_id="s1", body="Call", due_by=due, goal_id="g1", assignee_ids=["u2"]
    )
    form = form_for(Pane.ACTIONS, Era.HEAD, None, [], action)
    values = values_of(form, action)
    same = build(form, values, action, session_id="s1", me="u1")
    assert same == action  # the exact due time too, not midnight of that day
    values["due"] = ""
    assert build(form, values, action, session_id="s1", me="u1").due_by is None  # cleared on purpose
    values["due"] = "2026-12-24"
    moved = build(form, values, action, session_id="s1", me="u1").due_by
    assert moved is not None and moved.astimezone().date() == dt.date(2026, 12, 24)


def test_values_are_checked_with_a_sentence_per_field() -> None:
    form = form_for(Pane.ACTIONS, Era.HEAD, None, [])
    values = values_of(form, None, today=dt.date(2026, 11, 27))
    assert values["due"] == "2026-12-04"  # a week ahead, as the web app proposes
    values.update(body="   ", due="31/12/2026", status="Soon")
    with pytest.raises(Invalid) as bad:
        build(form, values, None, session_id="s1", me="u1")
    assert set(bad.value.errors) == {"body", "due", "status"}
    assert "YYYY-MM-DD" in bad.value.errors["due"] and "empty action" in bad.value.errors["body"]
    title = form_for(Pane.HEADER, Era.HEAD, None, [])
    with pytest.raises(Invalid, match="At most 500"):
        build(title, {"title": "x" * 501}, None, session_id="s1", me="u1")


def test_a_change_elsewhere_reads_in_one_line_and_shows_where_a_text_differs() -> None:
    form = form_for(Pane.ACTIONS, Era.HEAD, None, [])
    long = "Draft the delegation plan for the platform team"
    assert (
        change_of(form, "body", long, long + " (Jordan)")
        == "Action now “…e delegation plan for the platform team (Jordan)”"
    )
    assert change_of(form, "body", "Call", "Email") == "Action now “Email”"
    assert change_of(form, "status", "NotStarted", "Completed") == "Status: Not Started → Completed"
    assert "\x1b" not in change_of(form, "body", "a", "a\x1b[31m")


def test_on_hold_is_offered_only_where_the_backend_has_it() -> None:
    assert "OnHold" in dict(statuses(Era.HEAD)) and "OnHold" not in dict(statuses(Era.SEED))
    assert [f.name for f in form_for(Pane.ACTIONS, Era.SEED, None, []).fields] == [
        "body",
        "status",
        "due",
        "assignees",
    ]  # no goal link in that era
    assert [f.name for f in form_for(Pane.GOALS, Era.SEED, None, []).fields] == ["title", "status"]


def test_text_from_the_server_reaches_the_editor_without_escapes() -> None:
    action = Action(id="a1", coaching_session_id="s1", body="line one\n\x1b[31mred\x1b[0m\u202e")
    values = values_of(form_for(Pane.ACTIONS, Era.HEAD, None, [], action), action)
    assert values["body"] == "line one\n [31mred [0m" and "\x1b" not in values["body"]


# -- updates: the user's fields over the latest copy -----------------------------------------------


async def test_an_edit_keeps_a_change_made_elsewhere_meanwhile(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        action: Action = next(a for a in live.model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED)
        form = action_form(live, action)
        base = values_of(form, action)
        mine = {**base, "body": "Mine: call the vendor"}
        other = await coachee_api(head_server)
        await other.update_action(action.model_copy(update={"status": Status.IN_PROGRESS}))
        await wait_for(lambda: live.model.states[Pane.ACTIONS].items[action.id].status is Status.IN_PROGRESS)
        # Different fields: no question, both kept (as git merges hunks that do not overlap).
        writes = rest_writes(head_server)
        saved = await edits.update(form, action.id, base, mine)
        # Their status stays (the user did not touch it), the text is the user's: one PUT.
        assert saved.body == "Mine: call the vendor" and saved.status is Status.IN_PROGRESS
        assert saved.due_by == action.due_by and saved.goal_id == action.goal_id
        assert rest_writes(head_server) - writes == 1
        # The same field changed on both sides: nothing is sent without the user's word.
        theirs = live.model.states[Pane.ACTIONS].items[action.id]
        await other.update_action(theirs.model_copy(update={"body": "Theirs: email the vendor"}))
        await wait_for(
            lambda: live.model.states[Pane.ACTIONS].items[action.id].body == "Theirs: email the vendor"
        )
        later = values_of(form, theirs)
        with pytest.raises(ChangedElsewhere) as elsewhere:
            await edits.update(form, action.id, later, {**later, "body": "Mine again"})
        assert elsewhere.value.fields == ["body"]
        await other.aclose()


async def test_a_save_without_changes_sends_nothing(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        action: Action = live.model.items(Pane.ACTIONS)[0]
        form = action_form(live, action)
        base = values_of(form, action)
        writes = rest_writes(head_server)
        await LocalEdits(live.model, live.api).update(form, action.id, base, dict(base))
        assert rest_writes(head_server) == writes


async def test_an_item_deleted_elsewhere_is_said_before_anything_is_sent(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        action: Action = live.model.items(Pane.ACTIONS)[0]
        form = action_form(live, action)
        base = values_of(form, action)
        other = await coachee_api(head_server)
        await other.delete_action(action.id)
        await wait_for(lambda: action.id not in live.model.states[Pane.ACTIONS].items)
        with pytest.raises(ChangedElsewhere) as gone:
            await LocalEdits(live.model, live.api).update(form, action.id, base, {**base, "body": "x"})
        assert gone.value.deleted
        await other.aclose()


# -- creates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["head", "seed"])
async def test_a_create_shows_at_once_and_once(make_server: ServerFactory, profile: str) -> None:
    server = make_server(profile)
    async with Live(server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        state = live.model.states[Pane.AGREEMENTS]
        before = len(state.items)
        form = form_for(Pane.AGREEMENTS, live.api.era, live.model.header, [])
        task = asyncio.ensure_future(edits.create(form, {"body": "  We write it down  "}))
        await asyncio.sleep(0)
        assert len(state.items) == before + 1 and state.saving  # shown, marked saving
        saved = await task
        await live.caught_up()  # its own event (current backend) has come back
        bodies = [a.body for a in state.items.values()]
        assert bodies.count("We write it down") == 1 and saved.id in state.items and not state.saving
        assert not any(i.startswith("new-") for i in state.items)


async def test_a_create_whose_answer_is_lost_is_found_not_repeated(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        form = action_form(live)
        values = values_of(form, None, today=dt.date.today())
        values["body"] = "Saved, answer lost"
        dev(head_server, "rest/drop_after_commit")
        saved = await edits.create(form, values)
        assert saved.body == "Saved, answer lost"
        on_server = await live.api.session_actions(live.session_id)
        assert [a.body for a in on_server].count("Saved, answer lost") == 1
        await wait_for(lambda: not live.model.states[Pane.ACTIONS].saving)
        shown = [a.body for a in live.model.items(Pane.ACTIONS)]
        assert shown.count("Saved, answer lost") == 1


async def test_a_refused_create_leaves_no_row(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        before = set(live.model.states[Pane.AGREEMENTS].items)
        dev(head_server, "rest/fail_mutations", status=403)
        form = form_for(Pane.AGREEMENTS, Era.HEAD, None, [])
        with pytest.raises(EditFailed, match="Not saved"):
            await LocalEdits(live.model, live.api).create(form, {"body": "refused"})
        assert set(live.model.states[Pane.AGREEMENTS].items) == before


# -- goals: the cap, making room, linking ---------------------------------------------------------


async def test_the_goal_cap_names_the_goals_and_room_can_be_made(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        form = form_for(Pane.GOALS, Era.HEAD, live.model.header, [])
        for n in range(5):
            try:
                await edits.create(form, {"title": f"Goal {n}", "status": "InProgress", "target": ""})
            except EditFailed as failed:
                cap = failed.error
                break
        else:
            pytest.fail("the cap never applied")
        assert isinstance(cap, Conflict) and cap.code == "conflict" and cap.max_in_progress == 3
        assert len(cap.in_progress_goals) == 3
        goal_id, title = cap.in_progress_goals[0]
        said = await edits.make_room(goal_id, title)
        assert "on hold" in said
        held: Goal = await live.api.get_goal(goal_id)
        assert held.status is Status.ON_HOLD
        assert goal_id not in {g.id for g in await live.api.session_goals(live.session_id)}
        made = await edits.create(form, {"title": "Now there is room", "status": "InProgress", "target": ""})
        assert made.title == "Now there is room"
        await wait_for(lambda: goal_id not in live.model.states[Pane.GOALS].items)
        linkable = await edits.linkable()
        assert goal_id in {g.id for g in linkable}  # on hold, not linked: can be linked again
        assert all(g.status not in (Status.COMPLETED, Status.WONT_DO) for g in linkable)


async def test_unlinking_an_in_progress_goal_puts_it_on_hold(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        goal: Goal = next(g for g in live.model.items(Pane.GOALS) if g.status is Status.IN_PROGRESS)
        await LocalEdits(live.model, live.api).delete(Pane.GOALS, goal.id)
        held = await live.api.get_goal(goal.id)
        assert held.status is Status.ON_HOLD and held.title == goal.title


async def test_a_failed_on_hold_after_an_unlink_says_so_and_puts_nothing_back(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        goal: Goal = next(g for g in live.model.items(Pane.GOALS) if g.status is Status.IN_PROGRESS)
        dev(head_server, "rest/fail_mutations", status=503, after=1)  # the unlink goes through
        with pytest.raises(EditFailed, match="Removed from this session, but putting it On Hold failed") as f:
            await LocalEdits(live.model, live.api).delete(Pane.GOALS, goal.id)
        assert not f.value.undone
        await live.caught_up()  # the unlink's event and reload have come
        assert goal.id not in live.model.states[Pane.GOALS].items  # not put back: it is unlinked
        assert goal.id not in {g.id for g in await live.api.session_goals(live.session_id)}
        assert (await live.api.get_goal(goal.id)).status is Status.IN_PROGRESS


async def test_the_session_title_shows_at_once_and_is_saved(head_server: DevServer) -> None:
    async with Live(head_server) as live:
        await live.ready()
        form = form_for(Pane.HEADER, Era.HEAD, live.model.header, [])
        base = values_of(form, live.model.header)
        edits = LocalEdits(live.model, live.api)
        await edits.update(form, live.session_id, base, {"title": "  Renamed here  "})
        assert live.model.header is not None and live.model.header.title == "Renamed here"
        assert (await live.api.get_session(live.session_id)).title == "Renamed here"


# -- drafts ---------------------------------------------------------------------------------------


SERVER = "http://localhost:4000"


def _files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "drafts").rglob("*.json"))


async def test_drafts_are_private_kept_until_dropped_and_name_nothing(tmp_path: Path) -> None:
    drafts = Drafts(tmp_path, SERVER, "user-1", "session-123", delay=0.01)
    drafts.put(Draft(Pane.ACTIONS, None, {"body": "half a thought"}, None))
    await wait_for(lambda: len(_files(tmp_path)) == 1)
    (path,) = _files(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "drafts").stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not {"session-123", "user-1", "localhost"} & {*path.parts}
    again = Drafts(tmp_path, SERVER, "user-1", "session-123")
    assert [d.values for d in again.all()] == [{"body": "half a thought"}]
    assert Drafts(tmp_path, SERVER, "user-1", "other").all() == []
    again.drop(again.all()[0].key)
    assert not path.exists()


def test_drafts_belong_to_one_user_on_one_server_url(tmp_path: Path) -> None:
    Drafts(tmp_path, SERVER, "user-1", "s").put(Draft(Pane.AGREEMENTS, None, {"body": "mine"}, None))
    assert Drafts(tmp_path, SERVER, "user-1", "s").all()
    assert Drafts(tmp_path, SERVER, "user-2", "s").all() == []  # another account, same machine
    assert Drafts(tmp_path, "https://localhost:4000", "user-1", "s").all() == []  # another scheme
    assert Drafts(tmp_path, "http://localhost:4001", "user-1", "s").all() == []


def test_two_windows_never_erase_each_others_drafts(tmp_path: Path) -> None:
    # Two processes on one session: each writes its drafts whole, neither file is the other's.
    one = Drafts(tmp_path, SERVER, "user-1", "s")
    two = Drafts(tmp_path, SERVER, "user-1", "s")
    one.put(Draft(Pane.ACTIONS, "a1", {"body": "one's edit"}, None))
    two.put(Draft(Pane.AGREEMENTS, None, {"body": "two's new agreement"}, None))
    two.put(Draft(Pane.ACTIONS, "a1", {"body": "two's edit of the same action"}, None))
    one.put(Draft(Pane.ACTIONS, "a1", {"body": "one's edit, longer"}, None))  # written last
    two.drop(draft_key(Pane.AGREEMENTS, None))  # two saved its agreement
    later = Drafts(tmp_path, SERVER, "user-1", "s")
    found = {d.values["body"] for d in later._found.values()}
    assert found == {"one's edit, longer", "two's edit of the same action"}
    assert len(later.all()) == 1  # offered once per item


CHILD_WINDOW = (
    "import sys\n"
    "from pathlib import Path\n"
    "from coachtui.drafts import Draft, Drafts\n"
    "from coachtui.live.events import Pane\n"
    "drafts = Drafts(Path(sys.argv[1]), 'http://localhost:4000', 'user-1', 's')\n"
    "drafts.put(Draft(Pane.ACTIONS, 'a1', {'body': 'typed in the other window'}, None))\n"
)


def test_a_draft_written_by_another_process_survives_this_ones_writes(tmp_path: Path) -> None:
    mine = Drafts(tmp_path, SERVER, "user-1", "s")
    mine.put(Draft(Pane.AGREEMENTS, None, {"body": "typed here"}, None))
    subprocess.run([sys.executable, "-c", CHILD_WINDOW, str(tmp_path)], check=True, timeout=60)
    mine.put(Draft(Pane.AGREEMENTS, None, {"body": "typed here, more"}, None))  # written after it
    mine.flush()
    later = Drafts(tmp_path, SERVER, "user-1", "s")
    assert {d.values["body"] for d in later.all()} == {"typed here, more", "typed in the other window"}


def test_a_damaged_drafts_file_is_left_alone(tmp_path: Path) -> None:
    drafts = Drafts(tmp_path, "s", "u", "x")
    drafts.directory.mkdir(parents=True)
    damaged = drafts.directory / "0-1.json"
    damaged.write_text("{not json")
    os.chmod(damaged, 0o600)
    assert Drafts(tmp_path, "s", "u", "x").all() == []
    assert damaged.read_text() == "{not json"


async def test_a_text_the_user_did_not_touch_is_saved_back_exactly_as_the_server_has_it(
    head_server: DevServer,
) -> None:
    """The editor shows texts made printable; changing only the due date must not save that
    printable copy over the coachee's own characters (bidi marks, zero-width joiners)."""
    demo = head_server.demo
    assert demo is not None
    written = "bidi \u202eevil\u202c end \u200d family"
    async with await coachee_api(head_server) as other:
        action = await other.create_action(demo.today_session_id, written)
    async with Live(head_server) as live:
        await live.ready()
        edits = LocalEdits(live.model, live.api)
        await wait_for(lambda: action.id in live.model.states[Pane.ACTIONS].items)
        item = live.model.states[Pane.ACTIONS].items[action.id]
        form = form_for(Pane.ACTIONS, live.api.era, live.model.header, live.model.items(Pane.GOALS), item)
        base = values_of(form, item)
        await edits.update(form, action.id, base, {**base, "due": "2027-01-05"})
        async with await coachee_api(head_server) as other:
            saved = next(a for a in await other.session_actions(demo.today_session_id) if a.id == action.id)
        assert saved.body == written and saved.due_by is not None
