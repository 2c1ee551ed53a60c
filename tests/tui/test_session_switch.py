"""Nothing of one session reaches another: a switch from A to B with an editor open, with notices
held, with a save or a title save in flight. Against the devserver; a save is kept in flight with
its `rest/hold` control, so what happens after the switch is not a race."""

from __future__ import annotations

from typing import Any

from coachtui.api.models import Action, Status
from coachtui.config import state_dir
from coachtui.devserver.server import DevServer
from coachtui.drafts import Drafts
from coachtui.live.events import Pane
from coachtui.tui.messages import SessionChosen
from coachtui.tui.screens.editor import EditorScreen
from coachtui.tui.screens.history import HistoryScreen
from coachtui.tui.screens.modals import Notice
from coachtui.tui.widgets.entity_table import EMPTY_KEY
from coachtui.tui.widgets.session_header import SessionHeader
from tests.conftest import dev
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app
from tests.tui.held_saves import an_open_action, holding, release, x_held
from tests.tui.test_editing import notices, pane, put_cursor_on
from tests.tui.test_selection import order
from tests.waiting import settled, until


def writes(server: DevServer) -> int:
    requests = dev(server, "stats")["requests"].items()
    return sum(
        n for r, n in requests if r.split()[0] in ("POST", "PUT", "PATCH", "DELETE") and "login" not in r
    )


async def switch_to(pilot: Any, app: Any, session_id: str, *, on_top: bool = True) -> None:
    """As the picker does once a session is chosen; waits until it is open and loaded (and the
    session screen on top, unless `on_top` is False)."""
    app.post_message(SessionChosen(session_id))
    await until(
        pilot,
        lambda: (
            (app.screen is app.session_screen or not on_top)
            and engine(app).model.session_id == session_id
            and settled(app)
            and engine(app).model.header is not None
        ),
    )


async def test_an_editor_open_at_a_switch_closes_and_its_text_stays_a_draft_of_its_session(
    head_server: DevServer,
) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        target = an_open_action(app)
        await put_cursor_on(pilot, actions, target.id)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
        await pilot.press(*" Private to Jordan")
        before = writes(head_server)
        await switch_to(pilot, app, demo.other_session_id)
        assert not any(isinstance(s, EditorScreen) for s in app.screen_stack)
        await pilot.press("ctrl+s", "y")  # whatever the hands were about to do: nothing is sent
        await until(pilot, lambda: app.screen is app.session_screen)
        assert writes(head_server) == before
        kept = Drafts(state_dir(), app.api.base_url, app.api.user_id, demo.today_session_id).all()
        assert [(d.item_id, str(d.values["body"])) for d in kept] == [
            (target.id, f"{target.body} Private to Jordan")
        ]
        assert not Drafts(state_dir(), app.api.base_url, app.api.user_id, demo.other_session_id).all()
        # Back in Jordan's session, the text is offered back, for that action.
        await switch_to(pilot, app, demo.today_session_id, on_top=False)
        await until(pilot, lambda: isinstance(app.screen, Notice))
        offer = app.screen
        assert isinstance(offer, Notice) and offer.title_text == "Restore your unsaved draft?"


async def test_beneath_a_dialog_open_at_a_switch_the_panes_show_the_new_session(
    head_server: DevServer,
) -> None:
    """Panes under a dialog wait for it to close to catch up, but not when they still show the
    session left behind: a dialog over one session's header and another's rows is a lie (the
    draft question of the session switched to was seen over the last one's rows)."""
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app, pane(app, Pane.ACTIONS), 7))
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen is not app.session_screen)
        dialog = app.screen
        await switch_to(pilot, app, demo.other_session_id, on_top=False)
        header = app.session_screen.query_one(SessionHeader)
        model = engine(app).model
        await until(
            pilot,
            lambda: (
                header.session is not None
                and header.session.id == demo.other_session_id
                and all(
                    set(order(pane(app, p))) - {EMPTY_KEY} == {item.id for item in model.items(p)}
                    for p in (Pane.GOALS, Pane.ACTIONS, Pane.AGREEMENTS)
                )
            ),
        )
        assert app.screen is dialog


async def test_notices_held_under_a_dialog_are_not_told_in_the_next_session(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        await until(pilot, lambda: settled(app, pane(app, Pane.ACTIONS), 7))
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        theirs = an_open_action(app)
        await coachee.update_action(theirs.model_copy(update={"status": Status.IN_PROGRESS}))
        await until(pilot, lambda: app.session_run is not None and bool(app.session_run.held_notices))
        await switch_to(pilot, app, demo.other_session_id)
        if isinstance(app.screen, HistoryScreen):  # (it belonged to the other session)
            await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)
        await pilot.pause()
        assert "In Progress" not in notices(app) and "Actions" not in {
            str(n.title) for n in app._notifications
        }


async def test_a_save_in_flight_at_a_switch_lands_in_its_own_session_only(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        target = await x_held(pilot, app, head_server)
        await switch_to(pilot, app, demo.other_session_id)
        other = engine(app).model
        release(head_server)
        await until(pilot, lambda: holding(head_server) == 0)
        for _ in range(50):  # the answer's way back: read until the server has it
            saved = await coachee.session_actions(demo.today_session_id)
            if next(a for a in saved if a.id == target.id).status is Status.COMPLETED:
                break
            await pilot.pause()
        assert next(a for a in saved if a.id == target.id).status is Status.COMPLETED
        assert target.id not in other.states[Pane.ACTIONS].items and not other.states[Pane.ACTIONS].saving
        assert target.id not in order(actions)
        # Back in its session: done once, shown as the server has it.
        await switch_to(pilot, app, demo.today_session_id)
        model = engine(app).model
        item = model.states[Pane.ACTIONS].items[target.id]
        assert isinstance(item, Action) and item.status is Status.COMPLETED
        assert not model.states[Pane.ACTIONS].saving


async def test_a_title_save_answered_after_a_switch_leaves_the_new_session_alone(
    head_server: DevServer,
) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app, pane(app, Pane.ACTIONS), 7))
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
        await pilot.press(*" renamed")
        dev(head_server, "rest/hold")
        dev(head_server, "rest/fail_mutations", status=503)  # its answer: a failure, undone
        await pilot.press("ctrl+s")
        await until(pilot, lambda: holding(head_server) == 1)
        await switch_to(pilot, app, demo.other_session_id)
        model = engine(app).model
        header = model.header
        assert header is not None and header.id == demo.other_session_id
        dev(head_server, "rest/hold", release=True)
        await until(pilot, lambda: holding(head_server) == 0 and "Not saved" in notices(app))
        assert model.header is not None and model.header.id == demo.other_session_id
        assert model.header == header


async def test_a_restored_draft_counts_only_what_the_user_changed_as_theirs(head_server: DevServer) -> None:
    """The coachee changed the status while the coach was writing (the editor took it in); the
    coach left with the text unsaved, came back and restored it: saving asks nothing and keeps
    both changes (the draft kept its base with the status taken in, so the status is not the
    coach's change clashing with theirs)."""
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        target = an_open_action(app)
        await put_cursor_on(pilot, actions, target.id)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        await coachee.update_action(target.model_copy(update={"status": Status.IN_PROGRESS}))
        await until(pilot, lambda: "status" in editor.adopted)
        await pilot.press(*" with the numbers")
        await switch_to(pilot, app, demo.other_session_id)
        await switch_to(pilot, app, demo.today_session_id, on_top=False)
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is app.session_screen)

        def saved() -> Action | None:
            item = next((a for a in engine(app).model.items(Pane.ACTIONS) if a.id == target.id), None)
            done = isinstance(item, Action) and (item.body or "").endswith(" with the numbers")
            return item if done and isinstance(item, Action) else None

        await until(pilot, lambda: saved() is not None)
        item = saved()
        assert item is not None and item.status is Status.IN_PROGRESS
        assert item.body == f"{target.body} with the numbers"
