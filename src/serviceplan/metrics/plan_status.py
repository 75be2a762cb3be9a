"""Status of the plan's concrete actions as of a reporting period: done, on track or late.

The city reports each action's status every month (:mod:`serviceplan.inputs.sources.plan_actions`); *late* is never
reported but computed here from the deadline in ``plan/actions.yaml`` and the period:

* **done** (``valmis``): the latest update on or before the period says ``valmis`` with a completion date on or
  before the period's last day. An action the plan itself reports done counts as done on the plan's date until an
  update says otherwise. Whether it was finished after its deadline is shown separately (``completed_late``).
* **late** (``myöhässä``): not done, and the deadline is before the period's last day. An action due on the last
  day of the period is therefore still on track in that period and late from the next one.
* **on track** (``aikataulussa``): everything else, including continuing actions without a deadline, which are
  never late.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.inputs.plan import Plan, load_plan
from serviceplan.metrics.kpis import Context, frame, kpi_row

STATES: tuple[str, ...] = ("done", "on_track", "late")
STATE_LABELS: dict[str, str] = {"done": "valmis", "on_track": "aikataulussa", "late": "myöhässä"}
REPORTED_LABELS: dict[str, str] = {
    "done": "valmis",
    "in_progress": "käynnissä",
    "not_started": "ei aloitettu",
    "unknown": "ei tietoa",
}

STATUS_COLUMNS: tuple[str, ...] = (
    "period",
    "action_id",
    "area",
    "title",
    "deadline_text",
    "deadline",
    "reported_status",
    "completed_on",
    "state",
    "days_past_deadline",
    "completed_late",
    "note",
)


def latest_updates(updates: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Each action's most recent status row delivered for ``period`` or earlier, indexed by action id."""
    if "period" not in updates.columns:  # no update delivered at all
        return pd.DataFrame(columns=["period", "status", "completed_on", "note"], index=pd.Index([], name="action_id"))
    known = updates[updates["period"].astype(str) <= str(period)]
    if known.empty:
        return known.set_index("action_id")
    return known.sort_values("period", kind="stable").groupby("action_id", sort=False).tail(1).set_index("action_id")


def status_as_of(plan: Plan, updates: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Every action of ``plan`` with its computed state as of the end of ``period``.

    ``updates`` is the canonical ``plan_actions`` table (columns ``period``, ``action_id``, ``status``,
    ``completed_on``, ``note``); rows of later months are ignored. ``days_past_deadline`` counts the days from
    the deadline to the period's last day for a late action and to the completion date for one finished late;
    it is 0 otherwise and missing for an action without a deadline.
    """
    as_of = pd.Timestamp(period.last_day)
    latest = latest_updates(updates, period)
    rows = []
    for action in plan.actions:
        deadline = pd.Timestamp(action.deadline) if action.deadline else pd.NaT
        note = ""
        if action.id in latest.index:
            record = latest.loc[action.id]
            reported = str(record["status"])
            completed = pd.Timestamp(record["completed_on"]) if pd.notna(record["completed_on"]) else pd.NaT
            note = "" if pd.isna(record["note"]) else str(record["note"])
        elif action.done_in_plan:
            reported, completed = "done", pd.Timestamp(plan.info.date)
        else:
            reported, completed = "unknown", pd.NaT
        done = reported == "done" and pd.notna(completed) and completed <= as_of
        if done:
            state = "done"
            overdue = (completed - deadline).days if pd.notna(deadline) else None
        elif pd.notna(deadline) and deadline < as_of:
            state = "late"
            overdue = (as_of - deadline).days
        else:
            state = "on_track"
            overdue = 0 if pd.notna(deadline) else None
        rows.append(
            {
                "period": str(period),
                "action_id": action.id,
                "area": action.area,
                "title": action.title,
                "deadline_text": action.deadline_text,
                "deadline": deadline,
                "reported_status": reported,
                "completed_on": completed if done else pd.NaT,
                "state": state,
                "days_past_deadline": None if overdue is None else max(overdue, 0),
                "completed_late": bool(done and overdue is not None and overdue > 0),
                "note": note,
            }
        )
    table = pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
    table["area"] = table["area"].astype("Int64")
    table["days_past_deadline"] = pd.array(table["days_past_deadline"].tolist(), dtype="Int64")
    for column in ("deadline", "completed_on"):
        table[column] = pd.to_datetime(table[column])
    for column in ("period", "action_id", "title", "deadline_text", "reported_status", "state", "note"):
        table[column] = table[column].astype("string")
    return table


def timeline(plan: Plan, updates: pd.DataFrame, periods: Iterable[Period]) -> pd.DataFrame:
    """:func:`status_as_of` for each of ``periods``, stacked (for a timeline chart of the actions)."""
    parts = [status_as_of(plan, updates, p) for p in periods]
    return pd.concat(parts, ignore_index=True)


def count_by_state(status: pd.DataFrame) -> pd.Series:
    """How many actions are in each state (every state listed, zeros included), in the order of :data:`STATES`."""
    counts = status["state"].astype(str).value_counts()
    return pd.Series({state: int(counts.get(state, 0)) for state in STATES}, name="actions")


def kpis(ctx: Context, area: str = "knowledge") -> pd.DataFrame:
    """Headline numbers of the plan's actions for ``ctx.period``: how many are done, on track and late."""
    from serviceplan.metrics import load

    plan = load_plan(ctx.workspace.plan_dir)
    status = status_as_of(plan, load("plan_actions", ctx.period, ctx.workspace), ctx.period)
    counts = count_by_state(status)
    return frame(
        [
            kpi_row(
                ctx, area, "plan_actions_done", "Valmiit toimenpiteet", counts["done"], "count", None, "higher_better"
            ),
            kpi_row(
                ctx, area, "plan_actions_on_track", "Aikataulussa olevat toimenpiteet", counts["on_track"], "count"
            ),
            kpi_row(
                ctx,
                area,
                "plan_actions_late",
                "Myöhässä olevat toimenpiteet",
                counts["late"],
                "count",
                None,
                "lower_better",
            ),
            kpi_row(ctx, area, "plan_actions_total", "Toimenpiteitä suunnitelmassa", len(status), "count"),
        ]
    )
