"""The editor and its keys (n, enter, ctrl+s, escape, l, t), drafts, conflicts and the goal cap,
on both backend eras, against the devserver over loopback."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Static, TextArea

from coachtui.api.client import ApiClient
from coachtui.api.models import Action, Status
from coachtui.config import state_dir
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.tui.app import CoachApp
from coachtui.tui.screens.chooser import Chooser
from coachtui.tui.screens.editor import EditorScreen
from coachtui.tui.screens.modals import Notice
from tests.conftest import ServerFactory, dev
from tests.live.helpers import coachee_api
from tests.tui.factory import FAST, engine, make_app
from tests.tui.test_editing import notices, pane, put_cursor_on, reads
from tests.waiting import settled, until

SIZE = (100, 30)


def editor(app: Any) -> EditorScreen:
    screen = app.screen
    assert isinstance(screen, EditorScreen), type(screen).__name__
    return screen


def text_of(app: Any, selector: str) -> str:
    return str(editor(app).query_one(selector, Static).render())


async def open_editor(pilot: Any, app: Any, *keys: str) -> EditorScreen:
    await pilot.press(*keys)
    await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
    return editor(app)


@pytest.mark.parametrize("profile", ["head", "seed"])
async def test_n_writes_a_new_action_and_ctrl_s_saves_it(make_server: ServerFactory, profile: str) -> None:
    server = make_server(profile)
    app = await make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        screen = await open_editor(pilot, app, "2", "n")
        assert isinstance(app.focused, TextArea)  # the text first, ready to type
        assert ("goal" in [f.name for f in screen.form.fields]) is (profile == "head")
        await pilot.press(*"Call [b]the vendor[/b]")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, EditorScreen))
        await until(
            pilot, lambda: len(actions.rows) == 8 and not engine(app).model.states[Pane.ACTIONS].saving
        )
        bodies = [a.body for a in engine(app).model.items(Pane.ACTIONS)]
        assert bodies.count("Call [b]the vendor[/b]") == 1  # once, literally (no markup)
        assert not app.drafts.all()  # type: ignore[union-attr]  # saved: no draft left


async def test_enter_opens_the_full_text_and_ctrl_s_saves_a_change(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(80, 24)) as pilot:
        agreements = pane(app, Pane.AGREEMENTS)
        await until(pilot, lambda: settled(app, agreements, 2))
        target = engine(app).model.items(Pane.AGREEMENTS)[0]
        await put_cursor_on(pilot, agreements, target.id)
        await open_editor(pilot, app, "enter")
        area = app.focused
        assert isinstance(area, TextArea) and area.text == target.body  # never cut
        assert area.cursor_location == area.document.end
        assert "Created by" in text_of(app, "#editor-facts")
        await pilot.press(*" Reviewed.")
        await pilot.press("ctrl+s")
        await until(
            pilot,
            lambda: (
                engine(app).model.states[Pane.AGREEMENTS].items[target.id].body == f"{target.body} Reviewed."
            ),
        )
        await until(pilot, lambda: not engine(app).model.states[Pane.AGREEMENTS].saving)


async def test_escape_closes_at_once_unless_something_was_typed(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: settled(app))
        await open_editor(pilot, app, "3", "n")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, EditorScreen))
        await open_editor(pilot, app, "n")
        await pilot.press(*"keep me")
        for keep in ("n", "escape", "enter"):  # Enter lands on "Keep editing"
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, Notice))
            assert isinstance(app.screen, Notice) and "Discard" in app.screen.title_text
            await pilot.press(keep)
            await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
            assert editor(app).values()["body"] == "keep me"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, (EditorScreen, Notice)))
        assert len(pane(app, Pane.AGREEMENTS).rows) == 2 and not app.drafts.all()  # type: ignore[union-attr]


async def test_wrong_values_are_said_next_to_the_field_and_nothing_is_sent(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: settled(app))
        screen = await open_editor(pilot, app, "2", "n")
        screen.query_one("#field-due", Input).value = "next friday"
        await pilot.pause()  # (its Changed message first, as when typed)
        before = dev(head_server, "stats")["requests"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        assert "empty action" in text_of(app, "#error-body")
        assert "YYYY-MM-DD" in text_of(app, "#error-due")
        assert app.focused is screen.query_one("#field-body")
        assert dev(head_server, "stats")["requests"] == before


async def test_a_change_elsewhere_is_shown_and_saving_asks_before_overwriting(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=SIZE) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        model = engine(app).model
        target = next(a for a in model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED)
        await put_cursor_on(pilot, actions, target.id)
        await open_editor(pilot, app, "enter")
        await pilot.press(*" today")
        other = await coachee_api(head_server)
        await other.update_action(
            target.model_copy(update={"body": "Their words", "status": Status.IN_PROGRESS})
        )
        await until(pilot, lambda: "Changed elsewhere" in text_of(app, "#editor-elsewhere"))
        assert "Not Started → In Progress" in text_of(app, "#editor-elsewhere")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        assert isinstance(app.screen, Notice) and app.screen.title_text == "Overwrite their change?"
        await pilot.press("n")  # back to the editor, nothing sent, nothing lost
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
        assert editor(app).values()["body"] == f"{target.body} today"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(pilot, lambda: model.states[Pane.ACTIONS].items[target.id].body == f"{target.body} today")
        await until(pilot, lambda: not model.states[Pane.ACTIONS].saving)
        saved = model.states[Pane.ACTIONS].items[target.id]
        assert (
            isinstance(saved, Action) and saved.status is Status.IN_PROGRESS
        )  # their status stays: the user did not touch it
        await other.aclose()


async def test_a_failed_save_reopens_the_editor_with_the_text_and_the_reason(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: settled(app))
        await open_editor(pilot, app, "3", "n")
        await pilot.press(*"Refused text")
        dev(head_server, "rest/fail_mutations", status=500)
        await pilot.press("ctrl+s")
        await until(
            pilot,
            lambda: isinstance(app.screen, EditorScreen) and "Not saved" in text_of(app, "#editor-error"),
        )
        assert editor(app).values()["body"] == "Refused text"
        await pilot.press("escape")  # the text is still not saved: Escape asks first
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert len(engine(app).model.states[Pane.AGREEMENTS].items) == 2  # the optimistic row went away
        assert [d.values["body"] for d in app.drafts.all()] == ["Refused text"]  # type: ignore[union-attr]


async def test_unsaved_text_survives_quitting_and_is_offered_back(
    head_server: DevServer, capsys: pytest.CaptureFixture[str]
) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: settled(app))
        await open_editor(pilot, app, "2", "n")
        await pilot.press(*"Half a thought")
        await pilot.press("ctrl+c")  # quits from inside the dialog
    said = " ".join(capsys.readouterr().err.split())
    assert "your unsaved text is kept as a draft" in said  # one line on the shell
    later = await make_app(head_server)
    async with later.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(later.screen, Notice))
        await pilot.press("escape")  # not now: asked again next time
        await until(pilot, lambda: not isinstance(later.screen, Notice))
        assert not isinstance(later.screen, EditorScreen) and later.drafts.all()  # type: ignore[union-attr]
    again = await make_app(head_server)
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(again.screen, Notice))
        assert isinstance(again.screen, Notice) and again.screen.title_text == "Restore your unsaved draft?"
        assert "Half a thought" in again.screen.body_text
        await pilot.press("y")
        await until(pilot, lambda: isinstance(again.screen, EditorScreen) and again.focused is not None)
        assert editor(again).values()["body"] == "Half a thought"
        await pilot.press("escape")  # restored, never saved: Escape asks before losing it
        await until(pilot, lambda: isinstance(again.screen, Notice))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(again.screen, EditorScreen))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(pane(again, Pane.ACTIONS).rows) == 8)
        await until(pilot, lambda: not again.drafts.all())  # type: ignore[union-attr]


async def test_t_edits_the_session_title(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: settled(app))
        await open_editor(pilot, app, "t")
        field = app.focused
        assert isinstance(field, Input) and field.value == engine(app).model.header.title  # type: ignore[union-attr]
        field.value = "Renamed in the terminal"
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: "Renamed in the terminal" in str(app.session_screen.query_one("#header").render())
        )
        await until(pilot, lambda: not engine(app).model.busy)
        assert (await app.api.get_session(engine(app).model.session_id)).title == "Renamed in the terminal"


async def test_seed_era_says_what_it_cannot_do_and_sends_nothing(make_server: ServerFactory) -> None:
    server = make_server("seed")
    app = await make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: settled(app))
        before = dev(server, "stats")["requests"]
        await pilot.press("t")
        await until(pilot, lambda: "no session titles" in notices(app))
        await pilot.press("1", "l")
        await until(pilot, lambda: "cannot link goals" in notices(app))
        assert not isinstance(app.screen, (EditorScreen, Chooser))
        assert dev(server, "stats")["requests"] == before


async def test_l_links_a_goal_and_the_cap_offers_to_make_room(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=SIZE) as pilot:
        goals = pane(app, Pane.GOALS)
        await until(pilot, lambda: settled(app, goals, 3))
        model = engine(app).model

        def quiet() -> bool:
            return not model.busy and not model.states[Pane.GOALS].saving

        # Two more goals in progress: the relationship is at the cap (3).
        for title in ("Second", "Third"):
            await open_editor(pilot, app, "1", "n")
            editor(app).query_one("#field-title", Input).value = title
            await pilot.press("ctrl+s")
            await until(
                pilot,
                lambda: (
                    not isinstance(app.screen, EditorScreen)
                    and not model.busy
                    and not model.states[Pane.GOALS].saving
                ),
            )
        await until(pilot, lambda: sum(g.status is Status.IN_PROGRESS for g in model.items(Pane.GOALS)) == 3)
        # Take one out (unlinked goals in progress go on hold), then link it back.
        third = next(g for g in model.items(Pane.GOALS) if g.title == "Third")
        await put_cursor_on(pilot, goals, third.id)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(pilot, lambda: third.id not in model.states[Pane.GOALS].items and not model.busy)
        # Another goal in progress fills the cap again, so linking "Third" back meets it.
        await open_editor(pilot, app, "1", "n")
        editor(app).query_one("#field-title", Input).value = "Fourth"
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: any(g.title == "Fourth" for g in model.items(Pane.GOALS)) and not model.busy
        )
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, Chooser))
        listing = app.screen
        assert (
            isinstance(listing, Chooser)
            and [label for _, label in listing.options]
            == ["Third", "Ship the Q1 roadmap"][: len(listing.options)]
        )
        await pilot.press("enter")  # the newest first: "Third"
        await until(pilot, lambda: isinstance(app.screen, Chooser) and app.screen is not listing)
        room = app.screen
        assert isinstance(room, Chooser) and "Too many goals in progress" in room.title_text
        held = room.options[0][0]
        await pilot.press("enter")
        await until(pilot, lambda: third.id in model.states[Pane.GOALS].items and not model.busy)
        await until(pilot, lambda: held not in model.states[Pane.GOALS].items)
        assert "on hold now" in notices(app)
        await until(
            pilot, lambda: getattr(model.states[Pane.GOALS].items[third.id], "status", None) == "InProgress"
        )


async def test_the_coachee_after_the_session_day_cannot_add_agreements(head_server: DevServer) -> None:
    assert head_server.demo is not None
    api = ApiClient(head_server.url)
    await api.login(head_server.demo.coachee.email, head_server.demo.coachee.password)
    past = head_server.demo.session_ids[0]  # two weeks ago
    app = CoachApp(api, past, user_name="Jordan Lee", live_options=dict(FAST), drafts_dir=state_dir())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: settled(app))
        before = reads(head_server)
        await pilot.press("3", "n")
        await until(pilot, lambda: "only the coach can change its agreements" in notices(app))
        assert not isinstance(app.screen, EditorScreen) and reads(head_server) == before
        await pilot.press("2", "n")  # actions can still be added
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))


async def test_seed_era_keys_enter_escape_and_z(make_server: ServerFactory) -> None:
    """The keys the other tests run on the current backend, on the January 2026 one."""
    server = make_server("seed")
    app = await make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        goals = pane(app, Pane.GOALS)
        await until(pilot, lambda: settled(app, goals, 3))
        model = engine(app).model
        goal = model.items(Pane.GOALS)[0]
        await put_cursor_on(pilot, goals, goal.id)
        screen = await open_editor(pilot, app, "enter")
        assert [f.name for f in screen.form.fields] == ["title", "status"]  # no target in that era
        await pilot.press("escape")  # nothing typed: closes at once
        await until(pilot, lambda: not isinstance(app.screen, EditorScreen))
        screen = await open_editor(pilot, app, "enter")
        screen.query_one("#field-title", Input).value = "Renamed on the seed backend"
        await pilot.pause()
        await pilot.press("ctrl+s")
        shown = model.states[Pane.GOALS].items
        await until(pilot, lambda: getattr(shown[goal.id], "title", "") == "Renamed on the seed backend")
        await until(pilot, lambda: not model.states[Pane.GOALS].saving)
        agreements = pane(app, Pane.AGREEMENTS)
        await pilot.press("3", "d")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(pilot, lambda: len(model.states[Pane.AGREEMENTS].items) == 1)
        await pilot.press("z")  # the seed era sends no agreement events: shown from the answer
        await until(
            pilot, lambda: len(model.states[Pane.AGREEMENTS].items) == 2 and len(agreements.rows) == 2
        )
