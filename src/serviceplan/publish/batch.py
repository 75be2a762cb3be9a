"""The monthly batch: validate a period's inputs, execute its notebooks, collect KPIs, render, publish.

``serviceplan run PERIOD`` (or a range) goes through these steps for each month:

1. **Inputs** (:mod:`~serviceplan.publish.prepare_month`): the month's deliveries are checked against their
   contracts (a data error stops the month before anything runs) and the notebooks' execution keys are made
   from the deliveries' digests. The canonical tables of the earlier months are built while the first notebooks
   run, in the order the notebooks need them; a data error found there stops the month's notebooks, and nothing
   of the month is published.
2. **Notebooks** (:mod:`~serviceplan.publish.notebook_execution`): every area notebook is executed by Papermill
   in a fresh ``python3`` kernel, several at once (``--jobs``, default the number of CPU cores); the kernel is a
   new process forked from a server that has the notebooks' libraries imported already
   (:mod:`serviceplan.publish.kernel_fork`), so that no notebook pays for importing them again. Each runs in a
   private working folder inside the month's staging folder ``reports/.staging/<version>.<pid>/``; files a
   notebook writes land beside its executed copy. Each notebook's log goes to ``logs/<notebook>.log``. A notebook
   whose execution key (see :func:`serviceplan.publish.manifest.execution_key`) is unchanged is not executed
   again: its executed copy comes from ``reports/.cache/<key>/`` (:mod:`~serviceplan.publish.execution_cache`).
   ``--force`` executes everything.
3. **KPIs** (:mod:`~serviceplan.publish.kpi_tables`): each area's KPI function gives its rows of the KPI table,
   written as ``kpi.csv``, ``kpi_plain.csv`` and ``kpi.json``. Each area's table of a month is computed once
   per run: the notebooks' kernels and this process share a KPI store (:mod:`serviceplan.metrics.kpi_store`,
   ``reports/.cache/kpis/``); an area page keeps its month's table and the two it compares with, and the summary
   (executed after the area pages) and the KPI files read them.
4. **Manifest** and **render** (:mod:`~serviceplan.publish.finish_month`): Quarto site and PDF, or HTML previews
   without Quarto. In a range each month is finished as soon as its notebooks have run, while the notebooks of
   the months after it run.
5. **Publish**: the staging folder is renamed into ``reports/<version>/`` in one step and the landing page is
   rewritten atomically.

A notebook error or time-out fails the month: its partial output is moved to ``reports/.failed/`` and nothing is
published. A killed run leaves only its staging folder, which the next run removes. In a range each month is
its own version; a failing month does not stop the others, and the run ends with a summary of every month.
The cost of a month does not grow with the archive: only the new version and the landing page are written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from serviceplan.core.errors import DataError, RunError, ServiceplanError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics.areas import AREAS, Area
from serviceplan.publish import kernel_fork, versions
from serviceplan.publish import render as rd
from serviceplan.publish.finish_month import Renderer, finish_month, import_ahead, set_aside
from serviceplan.publish.notebook_execution import execute_notebooks
from serviceplan.publish.prepare_month import prepare_month
from serviceplan.publish.run_lock import run_lock
from serviceplan.publish.run_messages import say, write_error
from serviceplan.publish.run_model import DEFAULT_CELL_TIMEOUT, MonthPlan, Outcome
from serviceplan.publish.worker_server import may_execute, start_server, worker_context


def run_periods(
    ws: Workspace,
    periods: Sequence[Period],
    *,
    jobs: int | None = None,
    force: bool = False,
    revise: str | None = None,
    render: bool = True,
    areas: Sequence[Area] | None = None,
    timeout: float = DEFAULT_CELL_TIMEOUT,
    console: Console | None = None,
) -> int:
    """Validate, execute, render and publish each period; returns the exit code (0 when no month failed).

    With a single period an error is raised (the command line prints it); with several, each month's error is
    printed, the other months go on, and a summary lists every month's outcome.
    """
    console = console or Console(highlight=False)
    areas = tuple(AREAS if areas is None else areas)
    workers = max(1, jobs or os.cpu_count() or 1)
    single = len(periods) == 1
    outcomes: list[Outcome] = []
    plans: list[MonthPlan] = []
    with run_lock(ws), _sigterm_as_interrupt():
        kernel_fork.remove_stale_kernel_dirs()  # of kernels of runs killed with kill -9 (not in the workspace)
        removed = versions.clean_leftovers(ws)
        if removed:
            say(console, f"removed {len(removed)} leftover(s) of interrupted runs from {ws.reports_dir}")
        if versions.list_versions(ws):
            rd.write_landing_page(ws)  # repairs a landing page left behind by a run killed after publishing
        context = worker_context(ws.notebooks_dir / area.notebook for area in areas)
        if may_execute(ws, periods, revise):
            start_server(context)  # it imports the libraries while this process checks the inputs

        try:
            renderer = Renderer(render, console)
            preview = renderer.wants_previews()

            def finish(plan: MonthPlan) -> None:
                """End a month whose notebooks have all run: publish it, or say why not (raised for one month)."""
                if plan.data_error is not None:  # found while building its tables (a range goes on)
                    shutil.rmtree(plan.staging, ignore_errors=True)
                    outcomes.append(_failed(console, plan.period, None, plan.data_error))
                    return
                try:
                    try:
                        outcomes.append(finish_month(ws, plan, renderer, console))
                    except OSError as exc:  # a full disk while writing the version: the month fails, one line
                        raise write_error(ws, exc) from None
                except ServiceplanError as exc:
                    kept = set_aside(ws, plan)
                    if single:
                        raise RunError(f"{exc} Nothing was published; output and logs kept in {kept}.") from None
                    outcomes.append(_failed(console, plan.period, plan.version, exc, kept))

            execute_notebooks(
                ws,
                plans,
                workers,
                timeout,
                console,
                context,
                preview=preview,
                more=_prepared_months(ws, periods, areas, revise, force, outcomes, console),
                raise_data_errors=single,
                idle_work=[lambda: import_ahead(areas)],
                on_month_done=finish,  # in a range, while the notebooks of the months after it run
            )
            for plan in plans:
                if not plan.finished:
                    plan.finished = True
                    finish(plan)
        except BaseException:
            for plan in plans:
                shutil.rmtree(plan.staging, ignore_errors=True)
            published = [o.version for o in outcomes if o.status == "published"]
            if published:
                say(console, f"stopped; published before stopping: {', '.join(str(v) for v in published)}")
            raise
        finally:
            if any(o.status == "published" for o in outcomes):
                rd.write_landing_page(ws)
    if not single:
        _summary(console, outcomes)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def _prepared_months(
    ws: Workspace,
    periods: Sequence[Period],
    areas: Sequence[Area],
    revise: str | None,
    force: bool,
    outcomes: list[Outcome],
    console: Console,
) -> Iterator[MonthPlan]:
    """The months to execute, each checked and prepared when the execution asks for it (in a range, while the
    notebooks of the months before run: :func:`~serviceplan.publish.notebook_execution.execute_notebooks`).

    A month already published, or (in a range) one whose inputs fail, gets its outcome in ``outcomes`` instead;
    with a single month the error is raised.
    """
    for period in periods:
        try:
            plan = prepare_month(ws, period, areas, revise=revise, force=force)
        except ServiceplanError as exc:
            if len(periods) == 1:
                raise
            outcomes.append(_failed(console, period, None, exc))
            continue
        if plan is None:
            latest = versions.revisions_of(ws, period)[-1]
            say(console, versions.already_published_message(period, latest))
            outcomes.append(Outcome(period, "unchanged", latest.name, "already published; left unchanged"))
        else:
            yield plan


def _failed(
    console: Console, period: Period, version: str | None, exc: ServiceplanError, kept: Path | None = None
) -> Outcome:
    if isinstance(exc, DataError):
        for line in exc.report().splitlines():
            say(console, f"{period}: {line}")
        message = f"{len(exc.violations)} input data violation(s); {exc.outcome()}"
    else:
        message = str(exc) + (f" Partial output and logs kept in {kept}." if kept else "")
    say(console, f"{period}: error: {message}")
    return Outcome(period, "failed", version, message)


def _summary(console: Console, outcomes: Sequence[Outcome]) -> None:
    table = Table(title="Summary")
    for column in ("period", "outcome", "version", "work s", "detail"):
        table.add_column(column)
    for o in sorted(outcomes, key=lambda o: o.period):
        table.add_row(str(o.period), o.status, o.version or "–", f"{o.seconds:.1f}", o.message[:120])
    console.print(table)
    failed = sum(o.status == "failed" for o in outcomes)
    say(console, f"{len(outcomes)} month(s): {len(outcomes) - failed} ok, {failed} failed")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (a killed job, a closed session) like Ctrl-C, so that the run cleans up after itself."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def _interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- 1. inputs and plan ----------------------------------------------------------------------------------------
