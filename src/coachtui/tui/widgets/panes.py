"""The three panes: Goals, Actions, Agreements. One class each, sharing the diffing table."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from rich.text import Text

from coachtui.api.models import Action, Agreement, Goal, Status
from coachtui.tui.widgets.entity_table import EntityTable, cell

STATUS_STYLE = {
    Status.NOT_STARTED: "",
    Status.IN_PROGRESS: "bold $accent",
    Status.ON_HOLD: "italic",
    Status.COMPLETED: "green",
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


def status_cell(status: Status) -> Text:
    style = STATUS_STYLE[status].replace("$accent", "cyan")
    return Text(status.label, style=style, no_wrap=True)


class GoalsPane(EntityTable):
    SORT_COLUMN = "status"
    TITLE = "Goals"
    EMPTY_TEXT = "No goals for this session."
    COLUMNS: ClassVar = (("title", "Goal", None), ("status", "Status", 11), ("target", "Target", 10))

    sort_rank = staticmethod(status_rank)

    def sort_key(self, goal: Goal) -> Any:
        return (STATUS_ORDER[goal.status], goal.created_at or dt.datetime.min.replace(tzinfo=dt.UTC))

    def row_for(self, goal: Goal) -> tuple[Text, ...]:
        title = goal.title or goal.body or "(untitled goal)"
        target = goal.target_date.isoformat() if goal.target_date else "—"
        return (cell(title), status_cell(goal.status), cell(target, "dim"))


class ActionsPane(EntityTable):
    SORT_COLUMN = "status"
    TITLE = "Actions"
    EMPTY_TEXT = "No actions for this session."
    COLUMNS: ClassVar = (
        ("status", "Status", 11),
        ("body", "Action", None),
        ("due", "Due", 12),
        ("assignees", "Assignees", 16),
    )

    sort_rank = staticmethod(status_rank)

    def sort_key(self, action: Action) -> Any:
        return (STATUS_ORDER[action.status], action.created_at or dt.datetime.min.replace(tzinfo=dt.UTC))

    def row_for(self, action: Action) -> tuple[Text, ...]:
        names: dict[str, str] = self.context or {}
        assignees = ", ".join(names.get(a, "someone") for a in action.assignee_ids) or "—"
        return (
            status_cell(action.status),
            cell(action.body or "(no description)"),
            due_cell(action),
            cell(assignees),
        )


def due_cell(action: Action, today: dt.date | None = None) -> Text:
    if action.due_by is None:
        return Text("—", style="dim")
    local = action.due_by.astimezone()
    text = local.strftime("%b %d")
    done = action.status in (Status.COMPLETED, Status.WONT_DO)
    if not done and local.date() < (today or dt.date.today()):
        return Text(f"! {text}", style="bold red")
    return Text(text)


class AgreementsPane(EntityTable):
    TITLE = "Agreements"
    EMPTY_TEXT = "No agreements yet."
    COLUMNS: ClassVar = (("body", "Agreement", None),)

    def sort_key(self, agreement: Agreement) -> Any:
        return agreement.created_at or dt.datetime.min.replace(tzinfo=dt.UTC)

    def row_for(self, agreement: Agreement) -> tuple[Text, ...]:
        return (cell(agreement.body or "(empty)"),)
