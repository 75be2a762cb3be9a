"""Step 1 of a month: check its inputs and decide what to execute; the canonical tables the notebooks read are
built while the first notebooks run (:class:`~serviceplan.inputs.canonical.CanonicalBuild`, stepped by
:func:`~serviceplan.publish.notebook_execution.execute_notebooks`)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence

from serviceplan.core.errors import DataError, RunError, Violation
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs import month_tables
from serviceplan.inputs.canonical import CanonicalBuild, input_files, validate_period
from serviceplan.metrics import kpi_store
from serviceplan.metrics.areas import Area, report_areas, report_datasets
from serviceplan.publish import manifest as mf
from serviceplan.publish import privacy_gate, versions
from serviceplan.publish.execution_cache import restore_cached
from serviceplan.publish.run_model import KERNEL, WORK, MonthPlan, NotebookJob


def prepare_month(
    ws: Workspace, period: Period, areas: Sequence[Area], *, revise: str | None, force: bool
) -> MonthPlan | None:
    """Check the month's inputs and decide what to execute; ``None`` when the month is already published."""
    started = time.perf_counter()
    revision = versions.next_revision(ws, period, revise)
    if revision is None:
        return None
    params = load_params(period.year, ws.params_dir)  # a broken parameter file is reported first, in a second
    areas = report_areas(params, areas)  # another municipality than the own data's: the public pages only
    names = report_datasets(params, areas)
    validate_period(ws, period, None if params.regions.has_own_data else names)
    code, env = mf.code_digest(), mf.environment()
    plan_files = {"plan": mf.folder_digest(ws.plan_dir)}  # the plan's actions and risks, read by the pages
    digests = _dataset_digests(ws, names, period)
    jobs = []
    for area in areas:
        source = ws.notebooks_dir / area.notebook
        if not source.is_file():
            raise RunError(f"the notebook of area '{area.id}' is missing: {source}")
        source_sha = mf.notebook_digest(source)
        datasets = {name: digests[name] for name in area.datasets if name in digests}
        key = mf.execution_key(
            notebook_sha256=source_sha,
            period=period,
            params_digest=params.digest(),
            datasets=datasets,
            code=code,
            env=env,
            kernel=KERNEL,
            workspace_inputs=plan_files,
        )
        jobs.append(NotebookJob(area, source, source_sha, datasets, key))
    version = versions.version_name(period, revision)
    staging = versions.staging_dir(ws, version)
    (staging / "logs").mkdir()
    inputs = [*input_files(ws, period), *mf.folder_files(ws.plan_dir)]
    plan = MonthPlan(period, version, revision, revise, staging, params, inputs, jobs, started)
    # --force computes everything again, KPI tables included: a store of the month's own, removed with .work/
    plan.kpi_store = staging / WORK / kpi_store.FOLDER if force else kpi_store.folder_of(ws)
    plan.month_tables = staging / WORK / month_tables.FOLDER if force else month_tables.folder_of(ws)
    plan.areas = list(areas)
    plan.privacy = privacy_gate.FolderScan(staging, params, inputs)
    try:
        for job in jobs:
            if not force and restore_cached(ws, plan, job):
                job.state = "reused"
        # the datasets of the notebooks to execute, in the order the notebooks start
        needed = [name for job in plan.execution_order() for name in job.area.datasets if name in digests]
        plan.build = CanonicalBuild(ws, needed, up_to=period) if needed else None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    plan.prepare_seconds = time.perf_counter() - started
    plan.code = code
    return plan


def _dataset_digests(ws: Workspace, names: Sequence[str], period: Period) -> dict[str, str]:
    """Each dataset's digest for ``period`` (:func:`~serviceplan.publish.manifest.dataset_digest`); the violations
    of every dataset at once (a file that cannot be read, two deliveries for a month)."""
    digests: dict[str, str] = {}
    violations: list[Violation] = []
    for name in names:
        try:
            digests[name] = mf.dataset_digest(ws, name, period)
        except DataError as exc:
            violations.extend(exc.violations)
    if violations:
        raise DataError(violations)
    return digests
