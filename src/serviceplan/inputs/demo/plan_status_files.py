"""Demo files of the monthly status update of the plan's actions (``toimenpiteet_YYYY-MM.csv``).

Most actions are finished shortly before their deadline (a few days to three weeks, drawn from the seed); the
exceptions below make every state appear on the timeline: one action finishes late, one is still unfinished
months after its deadline, one starts late, one continuing action gets done. Actions the plan reports done are
reported done on the plan's date. The actions come from ``plan/actions.yaml`` of the workspace the files are
written to (or the project's own plan when the folder is outside a workspace).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from serviceplan.core.finnish_csv import write_finnish_csv
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.demo.world import CITY_FIRST, World
from serviceplan.inputs.plan import Action, Plan, find_plan_dir, load_plan
from serviceplan.inputs.sources.plan_actions import contract_for

LEAD_DAYS = (0, 21)  # finished this many days before the deadline (inclusive range)


@dataclass(frozen=True)
class Course:
    """How one action goes in the demo: when work starts, when it is finished (``None``: not by the demo's end)."""

    start: date
    finished: date | None
    note: str = ""
    note_from: Period | None = None  # the note is reported from this month until the month the action is done


# Demo exceptions by action id (ids missing from the plan are ignored).
EXCEPTIONS: dict[str, Course] = {
    # finished late: the study was done after the summer
    "T5.3": Course(date(2025, 1, 1), date(2025, 8, 20), "Selvitys viivästynyt resurssipulan vuoksi.", Period(2025, 6)),
    # still not finished in June 2026: the decisions were postponed
    "T6.1": Course(date(2025, 2, 1), None, "Päätökset siirtyneet; linjaukset valmistelussa.", Period(2025, 12)),
    # started only in March 2025
    "T5.2": Course(date(2025, 3, 1), date(2025, 11, 14)),
    # a continuing action without a deadline that gets done
    "T1.2": Course(date(2025, 1, 1), date(2025, 10, 15), "Seurantajärjestelmä hankittu.", Period(2025, 10)),
    # the proposal is finished on its deadline, the last day of June
    "T2.2": Course(date(2025, 1, 1), date(2025, 6, 30)),
}


def courses(plan: Plan, world: World) -> dict[str, Course]:
    """The demo course of every action of ``plan``."""
    rng = world.rng("plan_actions")
    result: dict[str, Course] = {}
    for action in plan.actions:
        lead = int(rng.integers(LEAD_DAYS[0], LEAD_DAYS[1] + 1))
        if action.id in EXCEPTIONS:
            result[action.id] = EXCEPTIONS[action.id]
        elif action.done_in_plan:
            result[action.id] = Course(plan.info.date, plan.info.date)
        elif action.deadline is None:
            result[action.id] = Course(CITY_FIRST.first_day, None)
        else:
            finished = action.deadline - timedelta(lead)
            result[action.id] = Course(min(CITY_FIRST.first_day, finished), finished)
    return result


def _row(action: Action, course: Course, period: Period) -> dict[str, str]:
    last = period.last_day
    if course.finished is not None and course.finished <= last:
        status, finished = "valmis", f"{course.finished.day}.{course.finished.month}.{course.finished.year}"
    elif course.start <= last:
        status, finished = "käynnissä", ""
    else:
        status, finished = "ei aloitettu", ""
    done_earlier = course.finished is not None and course.finished < period.first_day
    shown = course.note_from is not None and course.note_from <= period and not done_earlier
    note = course.note if shown else ""
    return {"Kausi": str(period), "Toimenpide": action.id, "Tila": status, "Valmistumispäivä": finished, "Huomio": note}


def update_frame(plan: Plan, world: World, period: Period) -> pd.DataFrame:
    """The status update delivered for ``period``: one row per action, with the delivered headers."""
    plan_courses = courses(plan, world)
    rows = [_row(a, plan_courses[a.id], period) for a in plan.actions]
    return pd.DataFrame(rows, columns=contract_for(plan, period).headers)


def write_plan_status(world: World, raw_dir: Path) -> list[Path]:
    """Write one status update a month, 2025-01 onward."""
    plan = load_plan(find_plan_dir(raw_dir, fallback_to_checkout=True))
    return [
        write_finnish_csv(update_frame(plan, world, p), raw_dir / str(p) / f"toimenpiteet_{p}.csv")
        for p in month_range(CITY_FIRST, world.last)
    ]
