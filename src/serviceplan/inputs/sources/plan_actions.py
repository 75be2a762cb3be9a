"""The city's monthly status update of the plan's concrete actions (``toimenpiteet_YYYY-MM.csv``).

One row per action of the plan (``plan/actions.yaml``): its id, the status the owner reports (valmis /
käynnissä / ei aloitettu), the completion date of a finished action and a free note. Delivered as a Finnish CSV
(``;``, UTF-8 with BOM) by the employment services' development team. Whether an action is *late* is never
reported here: :mod:`serviceplan.metrics.plan_status` computes it from the deadline and the period.

The allowed action ids come from the plan of the workspace the file lies in, so the contract is built per
delivery (:func:`contract_for`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.inputs.contracts import AS_DELIVERED, Column, Contract, Finding, TableCheck, recode
from serviceplan.inputs.plan import Plan, find_plan_dir, load_plan
from serviceplan.inputs.readers import read_finnish_csv
from serviceplan.inputs.sources.base import Dataset

# Status as the city writes it -> canonical code.
STATUS_CODES: dict[str, str] = {"valmis": "done", "käynnissä": "in_progress", "ei aloitettu": "not_started"}


def _completion_rules(period: Period, tracking_from: date) -> TableCheck:
    """A completion date exactly for finished actions, inside [tracking_from, end of the delivery month]."""
    last = pd.Timestamp(period.last_day)
    first = pd.Timestamp(tracking_from)

    def check(frame: pd.DataFrame) -> list[Finding]:
        findings = []
        for position in range(len(frame)):
            done = frame.at[position, "status"] == "valmis"
            completed = frame.at[position, "completed_on"]
            if done and pd.isna(completed):
                findings.append(Finding(position, "completed_on", "", "a completion date when Tila is 'valmis'"))
            elif not done and not pd.isna(completed):
                findings.append(
                    Finding(position, "completed_on", AS_DELIVERED, "no completion date unless Tila is 'valmis'")
                )
            elif done and completed > last:
                findings.append(
                    Finding(
                        position,
                        "completed_on",
                        AS_DELIVERED,
                        f"a completion date on or before {period.last_day.isoformat()} (end of the delivery month)",
                    )
                )
            elif done and completed < first:
                findings.append(
                    Finding(
                        position,
                        "completed_on",
                        AS_DELIVERED,
                        f"a completion date on or after {tracking_from.isoformat()} (when plan work started)",
                    )
                )
        return findings

    return check


def _every_action_listed(action_ids: tuple[str, ...]) -> TableCheck:
    def check(frame: pd.DataFrame) -> list[Finding]:
        listed = set(frame["action_id"].astype(str))
        return [
            Finding(None, "action_id", action_id, "a status row for every action of plan/actions.yaml (missing)")
            for action_id in action_ids
            if action_id not in listed
        ]

    return check


def contract_for(plan: Plan, period: Period) -> Contract:
    """The contract of a status update delivered for ``period`` against ``plan``."""
    return Contract(
        dataset="plan_actions",
        columns=(
            Column("period", "Kausi", "period", description="month of the update"),
            Column("action_id", "Toimenpide", "code", allowed=plan.action_ids, description="id in plan/actions.yaml"),
            Column("status", "Tila", "code", allowed=tuple(STATUS_CODES)),
            # between the plan's tracking start and the delivery month: _completion_rules
            Column("completed_on", "Valmistumispäivä", "date", optional=True, delivery_bounds=False),
            Column("note", "Huomio", "text", optional=True),
        ),
        key=("period", "action_id"),
        checks=(_completion_rules(period, plan.info.tracking_from), _every_action_listed(plan.action_ids)),
    )


def read_csv(path: Path, period: Period) -> pd.DataFrame:
    """Read one monthly status update into canonical rows (status as ``done``/``in_progress``/``not_started``)."""
    plan = load_plan(find_plan_dir(path.parent))
    contract = contract_for(plan, period)
    frame = contract.apply(read_finnish_csv(path, contract.headers), period)
    frame["status"] = recode(frame["status"], STATUS_CODES)
    frame["note"] = frame["note"].fillna("").astype("string")
    return frame


DATASET = Dataset(
    name="plan_actions",
    title="Palvelusuunnitelman toimenpiteiden tilannekatsaus",
    owner="Lahden työllisyyspalvelut, kehittämistiimi",
    file_stem="toimenpiteet_{period}",
    readers={"csv": read_csv},
    first_period=Period(2025, 1),
    description="Reported status of every concrete action of the plan, one update a month.",
)
