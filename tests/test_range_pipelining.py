"""A range run prepares the next month while the notebooks of the months before it run.

``execute_notebooks`` asks its ``more`` iterator for the next month whenever fewer notebooks are queued than
there are workers. Workers are replaced here by a stand-in that "finishes" a notebook after a few polls, so the
order of events (a month prepared, a notebook finished) is exact and the test takes no kernel.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from conftest import REPO
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics.areas import Area
from serviceplan.publish import notebook_execution
from serviceplan.publish.run_model import MonthPlan, NotebookJob
from stand_in_workers import StandInContext, stand_in_worker

EVENTS: list[tuple[str, str]] = []


def _record(kind: str, plan: MonthPlan, job: NotebookJob) -> None:
    if kind != "stopped":
        EVENTS.append((kind, f"{plan.period} {job.area.id}"))


_StandInWorker = stand_in_worker(_record, polls=3)


def _month(root: Path, period: Period, pages: int) -> MonthPlan:
    jobs = [
        NotebookJob(Area(f"a{i}", f"a{i}.ipynb", "Sivu", "-", ()), root / f"a{i}.ipynb", "0", {}, f"{period}-{i}")
        for i in range(pages)
    ]
    staging = root / "staging" / str(period)
    (staging / "logs").mkdir(parents=True)
    return MonthPlan(period, str(period), 1, None, staging, load_params(period.year, REPO / "params"), [], jobs)


def test_the_next_month_is_prepared_while_the_month_before_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    EVENTS.clear()
    monkeypatch.setattr(notebook_execution, "_Worker", _StandInWorker)
    months = [Period(2026, 4), Period(2026, 5), Period(2026, 6)]

    def prepared() -> Iterator[MonthPlan]:
        for period in months:
            EVENTS.append(("prepared", str(period)))
            yield _month(tmp_path, period, pages=3)

    plans: list[MonthPlan] = []
    notebook_execution.execute_notebooks(
        Workspace(tmp_path), plans, 2, 60.0, Console(quiet=True), StandInContext(), False, prepared()
    )
    assert [str(p.period) for p in plans] == ["2026-04", "2026-05", "2026-06"]
    assert all(job.state == "failed" for plan in plans for job in plan.jobs)  # every notebook ran exactly once
    assert sum(kind == "started" for kind, _ in EVENTS) == 9
    position = {event: index for index, event in enumerate(EVENTS)}
    for before, after in itertools.pairwise(months):
        last_of_before = max(position[("finished", f"{before} a{i}")] for i in range(3))
        first_of_before = position[("started", f"{before} a0")]
        # prepared while the month before runs: after its first notebook started, before its last finished
        assert first_of_before < position[("prepared", str(after))] < last_of_before, EVENTS
    assert EVENTS[0] == ("prepared", "2026-04") and EVENTS[1] == ("started", "2026-04 a0")


def test_a_single_month_is_prepared_before_any_notebook_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    EVENTS.clear()
    monkeypatch.setattr(notebook_execution, "_Worker", _StandInWorker)

    def prepared() -> Iterator[MonthPlan]:
        EVENTS.append(("prepared", "2026-06"))
        yield _month(tmp_path, Period(2026, 6), pages=1)

    plans: list[MonthPlan] = []
    notebook_execution.execute_notebooks(
        Workspace(tmp_path), plans, 2, 60.0, Console(quiet=True), StandInContext(), False, prepared()
    )
    assert EVENTS == [("prepared", "2026-06"), ("started", "2026-06 a0"), ("finished", "2026-06 a0")]


def test_each_month_is_finished_while_the_notebooks_of_the_next_run_and_the_last_is_left_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    EVENTS.clear()
    monkeypatch.setattr(notebook_execution, "_Worker", _StandInWorker)
    months = [Period(2026, 4), Period(2026, 5), Period(2026, 6)]

    def done(plan: MonthPlan) -> None:
        assert plan.finished  # marked before it is handed over, so never handed over twice
        EVENTS.append(("month done", str(plan.period)))

    plans: list[MonthPlan] = []
    notebook_execution.execute_notebooks(
        Workspace(tmp_path),
        plans,
        2,
        60.0,
        Console(quiet=True),
        StandInContext(),
        False,
        iter([_month(tmp_path, period, pages=3) for period in months]),
        on_month_done=done,
    )
    position = {event: index for index, event in enumerate(EVENTS)}
    for month, after in itertools.pairwise(months):
        finished = position[("month done", str(month))]
        last = max(position[("finished", f"{month} a{i}")] for i in range(3))
        assert last < finished  # after its own notebooks
        assert finished < max(position[("finished", f"{after} a{i}")] for i in range(3)), EVENTS  # while the next run
        # the worker its last notebook freed got its next notebook before the month was finished
        assert any(kind == "started" for kind, _ in EVENTS[last:finished]), EVENTS
    assert ("month done", "2026-06") not in position and not plans[-1].finished  # the caller finishes the last
