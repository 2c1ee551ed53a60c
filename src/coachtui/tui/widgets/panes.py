"""The three panes: Goals, Actions, Agreements. One class each, sharing the diffing table."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual.message import Message
from textual.widgets.data_table import ColumnKey

from coachtui.api.models import Action, Agreement, Goal, Status
from coachtui.tui.widgets.entity_table import EntityTable, cell

# Colours are theme names (see theme_styles), so a theme switch reaches them.
STATUS_STYLE = {
    Status.NOT_STARTED: "",
    Status.IN_PROGRESS: "bold {accent}",
    Status.ON_HOLD: "italic",
    Status.COMPLETED: "{success}",
    Status.WONT_DO: "dim strike",
}
STATUS_ORDER = {
    s: i
    for i, s in enumerate(
        (Status.IN_PROGRESS, Status.NOT_STARTED, Status.ON_HOLD, Status.COMPLETED, Status.WONT_DO)
    )
}


RANK_OF_LABEL = {s.label: rank for s, rank in STATUS_ORDER.items()}


def status_rank(cell: Text) -> int:
    return RANK_OF_LABEL.get(str(cell), len(RANK_OF_LABEL))


# Shared by every row that shows them (cells are never changed once built: see NO_MARK).
NOTHING = Text("—", style="dim")  # no goal, no due date, no target date
NO_ONE = cell("—")  # no assignee


def status_cell(status: Status, palette: dict[str, str]) -> Text:
    return _status_cell(status, palette.get("accent", "cyan"), palette.get("success", "green"))


@functools.lru_cache(maxsize=64)  # (five statuses in each theme's colours)
def _status_cell(status: Status, accent: str, success: str) -> Text:
    style = STATUS_STYLE[status].format(accent=accent, success=success)
    return Text(status.label, style=style, no_wrap=True)


class GoalsPane(EntityTable):
    SORT_COLUMN = "status"
    TITLE = "Goals"
    EMPTY_TEXT = "No goals yet."
    COLUMNS: ClassVar = (("title", "Goal", None), ("status", "Status", 11), ("target", "Target", 8))
    MIN_WIDTHS: ClassVar = {"target": 6}

    sort_rank = staticmethod(status_rank)

    def sort_key(self, goal: Goal) -> Any:
        return (STATUS_ORDER[goal.status], goal.created_at or dt.datetime.min.replace(tzinfo=dt.UTC))

    def row_for(self, goal: Goal) -> tuple[Text, ...]:
        title = goal.title or goal.body or "(untitled goal)"
        return (cell(title), status_cell(goal.status, self.palette), target_cell(goal.target_date))


@dataclass(frozen=True)
class ActionContext:
    """What an action's row needs besides the action: who is who, and the goals' titles."""

    names: dict[str, str] = field(default_factory=dict)
    goals: dict[str, str] = field(default_factory=dict)
    goal_column: bool = False  # built for a Goal column shown (`goals` filled) or hidden


class ActionsPane(EntityTable):
    SORT_COLUMN = "status"
    TITLE = "Actions"
    EMPTY_TEXT = "No actions yet."
    COLUMNS: ClassVar = (
        ("status", "Status", 11),
        ("body", "Action", None),
        ("goal", "Goal", 24),
        ("due", "Due", 8),
        ("assignees", "Assignees", 16),
    )
    MIN_WIDTHS: ClassVar = {"assignees": 10}
    OPTIONAL: ClassVar = frozenset({"goal"})

    class GoalsShown(Message):
        """The Goal column has room now (it had none), or has none any more: its rows want the
        goals' titles, or no longer (drawn now, not by the next remote edit's repaint)."""

    @property
    def shows_goals(self) -> bool:
        column = self.columns.get(ColumnKey("goal"))
        return column is not None and column.width > 0

    @property
    def laid_out(self) -> bool:
        # Its first size comes with its first rows, and a Goal column shown or hidden then
        # needs them built again (GoalsShown): until that is done, the rows are not final.
        context = self.context
        return super().laid_out and (context is None or context.goal_column == self.shows_goals)

    def _fit_columns(self) -> None:
        shown = self.shows_goals
        super()._fit_columns()
        if self.shows_goals != shown:
            self.post_message(self.GoalsShown())

    sort_rank = staticmethod(status_rank)

    def sort_key(self, action: Action) -> Any:
        return (STATUS_ORDER[action.status], action.created_at or dt.datetime.min.replace(tzinfo=dt.UTC))

    def row_for(self, action: Action) -> tuple[Text, ...]:
        context: ActionContext = self.context or ActionContext()
        assignees = ", ".join(context.names.get(a, "someone") for a in action.assignee_ids)
        if action.goal_id is None:
            goal = NOTHING
        else:  # (a goal of the relationship that is not linked to this session: no title here)
            goal = cell(context.goals.get(action.goal_id, "another session's goal"), "dim")
        return (
            status_cell(action.status, self.palette),
            cell(action.body or "(no description)"),
            goal,
            due_cell(action, self.palette),
            cell(assignees) if assignees else NO_ONE,
        )


def due_cell(action: Action, palette: dict[str, str], today: dt.date | None = None) -> Text:
    if action.due_by is None:
        return NOTHING
    local = action.due_by.astimezone()
    text = local.strftime("%b %d")
    done = action.status in (Status.COMPLETED, Status.WONT_DO)
    if not done and local.date() < (today or dt.date.today()):
        return Text(f"! {text}", style=f"bold {palette.get('error', 'red')}")
    return Text(text)


def target_cell(target: dt.date | None, today: dt.date | None = None) -> Text:
    """`Dec 01` this year, `2027-03` another (a narrow column: the title needs the room)."""
    if target is None:
        return NOTHING
    same_year = target.year == (today or dt.date.today()).year
    return cell(target.strftime("%b %d") if same_year else target.strftime("%Y-%m"), "dim")


class AgreementsPane(EntityTable):
    TITLE = "Agreements"
    EMPTY_TEXT = "No agreements yet."
    COLUMNS: ClassVar = (("body", "Agreement", None),)

    def sort_key(self, agreement: Agreement) -> Any:
        return agreement.created_at or dt.datetime.min.replace(tzinfo=dt.UTC)

    def row_for(self, agreement: Agreement) -> tuple[Text, ...]:
        return (cell(agreement.body or "(empty)"),)
