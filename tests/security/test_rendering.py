"""Whatever text the server sends, the panes render it inert and inside their borders."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult

from coachtui.api.models import Action, Agreement
from coachtui.live.events import Pane
from coachtui.live.model import PaneState, PaneStatus
from coachtui.tui.widgets.panes import ActionsPane, AgreementsPane
from tests.security.hostile import PIECES, leaks

pieces = st.sampled_from(PIECES)
hostile_text = st.lists(st.one_of(pieces, st.text(max_size=30)), max_size=30).map("".join)
long_text = st.integers(1, 10_000).map(lambda n: ("long " * n)[:10_000])


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield AgreementsPane(id="agreements")
        yield ActionsPane(id="actions")


def state(pane: Pane, entity: Action | Agreement) -> PaneState:
    return PaneState(pane, items={entity.id: entity}, status=PaneStatus.FRESH, loaded_once=True)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(hostile_text, long_text), min_size=1, max_size=5))
async def test_server_text_is_inert_and_laid_out(texts: list[str]) -> None:
    # One app per example, several texts shown in turn: as many texts as before, fewer app starts.
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        agreements, actions = app.query_one(AgreementsPane), app.query_one(ActionsPane)
        for text in texts:
            agreements.show(state(Pane.AGREEMENTS, Agreement(id="g", coaching_session_id="s", body=text)))
            actions.show(
                state(
                    Pane.ACTIONS,
                    Action(
                        id="a",
                        coaching_session_id="s",
                        body=text,
                        due_by=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                    ),
                ),
                {"u": text},
            )
            await pilot.pause()
            for table in (agreements, actions):
                for cell in table.get_row_at(0):
                    assert leaks(cell.plain) == []
                    assert all(
                        span.style in ("", None) or "link" not in str(span.style) for span in cell.spans
                    )
                    if "[" in text:
                        assert cell.spans == [] or all(
                            s.start == 0 and s.end == len(cell.plain) for s in cell.spans
                        )
                for y in range(table.size.height):
                    strip = table.render_line(y)
                    assert strip.cell_length == table.size.width
                    assert leaks(strip.text) == []
