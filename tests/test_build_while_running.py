"""A month's canonical tables are built while its first notebooks run, and a data error found there stops the month.

``execute_notebooks`` steps each month's :class:`~serviceplan.inputs.canonical.CanonicalBuild` between looking
after its workers, and starts a notebook once the datasets it reads are built. Workers and builds are replaced
here by stand-ins that record what happens, so the order of events is exact and the tests take no kernel; the
real build is tested on the demo deliveries at the end.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from conftest import REPO
from serviceplan.core.errors import DataError, Violation
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs import canonical
from serviceplan.metrics.areas import Area
from serviceplan.publish import batch, notebook_execution
from serviceplan.publish.run_model import MonthPlan, NotebookJob
from stand_in_workers import StandInContext, stand_in_worker

EVENTS: list[str] = []


def _record(kind: str, plan: MonthPlan, job: NotebookJob) -> None:
    EVENTS.append(f"{kind} {plan.period} {job.area.id}")


class _StandInBuild:
    """A build of ``deliveries`` (dataset names, one per delivery, in build order); ``broken`` fails the check."""

    def __init__(self, period: Period, deliveries: Sequence[str], broken: bool = False) -> None:
        self.period = period
        self.todo = list(deliveries)
        self.broken = broken

    def built(self, names: Sequence[str]) -> bool:
        return not any(name in self.todo for name in names)

    def step(self) -> bool:
        if self.todo:
            EVENTS.append(f"built {self.period} {self.todo.pop(0)}")
        return bool(self.todo)

    def check(self) -> dict[str, list[Path]]:
        if self.broken:
            raise DataError([Violation("data/raw/2025-03/avustukset_2025-03.csv", 3, "summa", "x", "a number")])
        return {}


def _month(root: Path, period: Period, pages: dict[str, tuple[str, ...]], build: _StandInBuild) -> MonthPlan:
    jobs = [
        NotebookJob(
            Area(name, f"{name}.ipynb", "Sivu", "-", names, kpi_function="m:f"),
            root / f"{name}.ipynb",
            "0",
            dict.fromkeys(names, "digest"),
            f"{period}-{name}",
        )
        for name, names in pages.items()
    ]
    staging = root / "staging" / str(period)
    (staging / "logs").mkdir(parents=True)
    plan = MonthPlan(period, str(period), 1, None, staging, load_params(period.year, REPO / "params"), [], jobs)
    plan.build = build  # type: ignore[assignment]  # the stand-in has the build's interface
    return plan


def _execute(
    root: Path, plans: list[MonthPlan], raise_data_errors: bool = True, context: Any = None
) -> list[MonthPlan]:
    done: list[MonthPlan] = []
    notebook_execution.execute_notebooks(
        Workspace(root),
        done,
        2,
        60.0,
        Console(quiet=True),
        context or StandInContext(),
        False,
        iter(plans),
        raise_data_errors=raise_data_errors,
    )
    return done


@pytest.fixture
def stand_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    EVENTS.clear()
    monkeypatch.setattr(notebook_execution, "_Worker", stand_in_worker(_record, polls=5))


def test_a_notebook_starts_as_soon_as_its_datasets_are_built(tmp_path: Path, stand_in_workers: None) -> None:
    june = Period(2026, 6)
    build = _StandInBuild(june, ["ledger", "ledger", "statfin", "statfin", "statfin", "statfin", "statfin"])
    plan = _month(tmp_path, june, {"budget": ("ledger",), "target_groups": ("statfin",)}, build)
    _execute(tmp_path, [plan])
    position = {event: index for index, event in enumerate(EVENTS)}
    started = position["started 2026-06 budget"]
    # the budget page starts once the ledger is built, while the statistics are still being built ...
    assert position["built 2026-06 ledger"] < started < position["built 2026-06 statfin"], EVENTS
    # ... and the page that reads the statistics only when all of them are
    assert max(i for e, i in position.items() if e.startswith("built")) < position["started 2026-06 target_groups"]
    assert plan.build is None and plan.data_error is None
    assert [job.state for job in plan.jobs] == ["failed", "failed"]  # each ran once (the stand-in fails them)


def test_the_build_goes_on_while_the_first_workers_wait_for_the_worker_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    EVENTS.clear()
    everything_built = threading.Event()

    class Build(_StandInBuild):
        def step(self) -> bool:
            more = super().step()
            if not more:
                everything_built.set()
            return more

    class SlowlyStartingWorker(stand_in_worker(_record, polls=5)):  # type: ignore[misc]
        def __init__(self, context: Any) -> None:
            # The worker server is still importing: this start returns only once the run has built every table,
            # which it can do only if it does not wait for this start.
            assert everything_built.wait(10), "the build waited for a worker to start"
            EVENTS.append("worker started")
            super().__init__(context)

    monkeypatch.setattr(notebook_execution, "_Worker", SlowlyStartingWorker)
    june = Period(2026, 6)
    build = Build(june, ["ledger", "statfin", "statfin"])
    plan = _month(tmp_path, june, {"budget": ("ledger",), "target_groups": ("statfin",)}, build)
    _execute(tmp_path, [plan], context=StandInContext("forkserver"))
    assert (
        EVENTS.index("built 2026-06 statfin") < EVENTS.index("worker started") < EVENTS.index("started 2026-06 budget")
    ), EVENTS
    assert [job.state for job in plan.jobs] == ["failed", "failed"]  # each ran once (the stand-in fails them)


def test_a_data_error_found_while_notebooks_run_stops_the_month_and_names_what_was_stopped(
    tmp_path: Path, stand_in_workers: None
) -> None:
    june = Period(2026, 6)
    build = _StandInBuild(june, ["ledger", "grants", "grants"], broken=True)
    plan = _month(tmp_path, june, {"budget": ("ledger",), "grants": ("grants",)}, build)
    with pytest.raises(DataError) as raised:
        _execute(tmp_path, [plan])
    assert EVENTS.index("started 2026-06 budget") < EVENTS.index("stopped 2026-06 budget")
    assert not any(e.startswith("started 2026-06 grants") for e in EVENTS)  # its data never became ready
    assert raised.value.stopped == 1
    assert raised.value.outcome() == "the 1 notebook(s) that had started were stopped; nothing was published"
    assert plan.data_error is raised.value


def test_in_a_range_a_month_with_a_data_error_stops_and_the_next_goes_on(
    tmp_path: Path, stand_in_workers: None
) -> None:
    may, june = Period(2026, 5), Period(2026, 6)
    broken = _month(tmp_path, may, {"budget": ("ledger",)}, _StandInBuild(may, ["ledger", "ledger"], broken=True))
    fine = _month(tmp_path, june, {"budget": ("ledger",)}, _StandInBuild(june, ["ledger"]))
    done = _execute(tmp_path, [broken, fine], raise_data_errors=False)
    assert done == [broken, fine]
    assert isinstance(broken.data_error, DataError)
    assert broken.jobs[0].error == "not executed: the month's input data have violations"
    assert "started 2026-06 budget" in EVENTS and fine.data_error is None


def test_no_violation_found_before_any_notebook_starts_says_nothing_was_executed() -> None:
    error = DataError([Violation("data/raw/2026-06/avustukset_2026-06.csv", 2, "summa", "x", "a number")])
    assert error.outcome() == "nothing was executed or published"


def test_the_real_build_says_which_datasets_are_built_and_reports_every_violation_at_once(
    tmp_path: Path, make_demo_workspace: Any
) -> None:
    ws: Workspace = make_demo_workspace(tmp_path / "ws")
    shutil.rmtree(ws.canonical_dir, ignore_errors=True)
    june = Period(2026, 6)
    for name, month in (("grants", "2025-03"), ("ledger", "2025-04")):
        path = next(ws.raw_period_dir(month).glob(f"{canonical.DATASETS[name].file_stem.format(period=month)}.*"))
        path.write_bytes(b"\xff\xfe not a delivery")
    build = canonical.CanonicalBuild(ws, ["ledger", "grants", "statfin"], up_to=june)
    assert not build.built(["ledger"]) and build.built(["immigrants"])  # a dataset outside the build counts as built
    while not build.built(["ledger"]):
        build.step()
    assert not build.built(["grants"]) and not build.done
    while build.step():
        pass
    assert build.done and build.built(["ledger", "grants", "statfin"])
    with pytest.raises(DataError) as raised:
        build.check()
    files = {v.file for v in raised.value.violations}
    assert any("2025-03" in f for f in files) and any("2025-04" in f for f in files), files
    assert len(build.paths["statfin"]) == len(canonical.delivery_digests(ws, "statfin", june))


def test_a_run_with_a_broken_earlier_delivery_publishes_nothing(tmp_path: Path, make_demo_workspace: Any) -> None:
    ws: Workspace = make_demo_workspace(tmp_path / "ws")
    shutil.rmtree(ws.canonical_dir, ignore_errors=True)
    month = "2025-03"
    path = next(ws.raw_period_dir(month).glob(f"{canonical.DATASETS['immigrants'].file_stem.format(period=month)}.*"))
    path.write_bytes(b"\xff\xfe not a delivery")
    with pytest.raises(DataError) as raised:
        batch.run_periods(ws, [Period(2026, 6)], jobs=2, render=False, console=Console(quiet=True))
    assert any(month in v.file for v in raised.value.violations)
    # the budget page's tables are built first, so it had started when the immigrants' delivery was read
    assert raised.value.stopped >= 1
    assert not (ws.reports_dir / "2026-06").exists()
    staging = ws.reports_dir / ".staging"
    assert not staging.exists() or not any(staging.iterdir())
