"""Steps 3-5 of a month: the KPI files, the manifest, the render (Quarto or previews), the privacy gate and the
atomic publication; or, when it fails, its staging folder set aside."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from serviceplan.core.errors import RunError
from serviceplan.core.paths import Workspace
from serviceplan.metrics.areas import Area
from serviceplan.metrics.kpi_store import KpiStore
from serviceplan.publish import accessibility_gate as accessibility
from serviceplan.publish import manifest as mf
from serviceplan.publish import privacy_gate, versions
from serviceplan.publish import render as rd
from serviceplan.publish.kpi_tables import collect_kpis
from serviceplan.publish.run_messages import say
from serviceplan.publish.run_model import KERNEL, WORK, MonthPlan, Outcome


class Renderer:
    """Renders versions with Quarto when it is there, else writes previews and says so once per run."""

    def __init__(self, enabled: bool, console: Console):
        self.enabled = enabled
        self.console = console
        self._looked = False
        self._quarto: rd.Quarto | None = None
        self._found: str | None = None
        self._warned = False

    def quarto(self) -> rd.Quarto | None:
        if not self._looked:
            self._quarto, self._found = rd.find_quarto()
            self._looked = True
        return self._quarto

    def wants_previews(self) -> bool:
        """Whether versions get HTML previews (rendering asked for, and no usable Quarto)."""
        return self.enabled and self.quarto() is None

    def render(
        self, folder: Path, pages: Sequence[rd.Page], title: str, pdf_name: str, **version: str
    ) -> dict[str, Any]:
        """Render one version folder (the site and the PDF side by side, or the previews); returns the manifest's
        ``render`` record. ``version`` holds the version bar's texts: ``version``, ``label`` and ``published``."""
        if not self.enabled:
            return {"quarto": None, "skipped": True}
        quarto = self.quarto()
        if quarto is not None:
            return {"quarto": quarto.version, **rd.render_quarto(folder, quarto, pdf_name)}
        if not self._warned:
            say(self.console, rd.quarto_missing_message(self._found))
            self._warned = True
        return {"quarto": None, **rd.write_previews(folder, pages, title, **version)}


def import_ahead(areas: Sequence[Area]) -> None:
    """Import what finishing a month imports (the areas' KPI modules, the KPI schema's validator), for a run to
    call while its notebooks execute: about 0.3 s less at the end of the first month. An area whose KPI function
    cannot be imported is left for :func:`finish_month` to report."""
    for area in areas:
        with contextlib.suppress(Exception):
            area.kpis()
    mf.import_validator()


def finish_month(ws: Workspace, plan: MonthPlan, renderer: Renderer, console: Console) -> Outcome:
    """KPIs, manifest, render and publish one month whose notebooks have run."""
    finish_started = time.perf_counter()
    areas = plan.areas
    failed = [job for job in plan.jobs if job.state == "failed"]
    if failed:
        for job in failed:
            say(console, f"{plan.period}: {job.area.notebook} failed: {job.error}")
        names = ", ".join(job.area.notebook for job in failed)
        raise RunError(f"{plan.period} not published: notebook {names} failed ({failed[0].error}).")
    store = KpiStore(plan.kpi_store) if plan.kpi_store else None
    kpis = collect_kpis(ws, plan.period, plan.params, areas, store)
    shutil.rmtree(plan.staging / WORK, ignore_errors=True)  # the notebooks' working folders (and a forced store)
    kpi_hashes = mf.write_kpi_files(kpis, plan.staging, plan.version)
    records = mf.kpi_records(kpis)
    record = _manifest(ws, plan, kpi_hashes, len(records))
    changes = None
    previous = [v for v in versions.revisions_of(ws, plan.period) if v.revision < plan.revision]
    if previous:
        before = previous[-1]
        changes = versions.describe_changes(before.manifest() or {}, mf.read_kpi_json(before.path), record, records)
    record["changes"] = changes
    pages = [rd.Page(area.notebook, area.title) for area in areas]
    pdf_name = rd.pdf_file_name(plan.version)
    record["created"] = mf.utc_now()  # the publication time the pages, the PDF and the landing page show
    rd.write_quarto_sources(
        plan.staging,
        ws,
        version=plan.version,
        period=plan.period,
        revision=plan.revision,
        pages=pages,
        kpis=records,
        changes=changes,
        reason=plan.reason,
        pdf_name=pdf_name,
        resources=list(mf.KPI_FILES),
        area_titles={area.id: area.title for area in areas},
        published=record["created"],
        organisation=plan.params.accessibility.organisation,
    )
    render_started = time.perf_counter()
    title = rd.version_title(rd.shared_settings(ws), plan.period, plan.revision)
    record["render"] = renderer.render(
        plan.staging,
        pages,
        title,
        pdf_name,
        version=plan.version,
        label=rd.revision_label_fi(plan.revision),
        published=rd.date_fi(record["created"]),
    )
    config = ws.quarto_config
    record["render"]["config_sha256"] = mf.sha256_file(config) if config.is_file() else None
    quarto_seconds = record["render"].pop("seconds", {})
    work = plan.prepare_seconds + sum(job.seconds for job in plan.jobs) + time.perf_counter() - finish_started
    record["timings"] = {
        "wall_seconds": round(time.perf_counter() - plan.started, 3),  # in a range, includes other months' turns
        "work_seconds": round(work, 3),  # this month's own work: checks, its notebooks, KPIs, render
        "render_seconds": round(time.perf_counter() - render_started, 3),
        # the two Quarto runs, side by side (null without Quarto): each one's own wall time
        "render_site_seconds": quarto_seconds.get("site"),
        "render_pdf_seconds": quarto_seconds.get("pdf"),
        "notebooks": {
            job.area.notebook: {"seconds": round(job.seconds, 3), "reused": job.state == "reused"} for job in plan.jobs
        },
    }
    mf.write_json(plan.staging / "manifest.json", record)
    scan = plan.privacy or privacy_gate.FolderScan(plan.staging, plan.params, plan.inputs)
    leaks = scan.scan()  # files scanned while the notebooks ran are read again only if they changed since
    for leak in leaks[:50]:
        say(console, f"{plan.period}: {leak}")
    if leaks:
        raise privacy_gate.PrivacyError(leaks)  # the month fails: nothing is published, the folder is set aside
    target = versions.publish(plan.staging, ws, plan.version)
    accessibility.write_statement(ws, plan.params)
    reused = sum(job.state == "reused" for job in plan.jobs)
    detail = f"{len(plan.jobs) - reused} notebook(s) executed, {reused} reused"
    say(console, f"{plan.period}: published {plan.version} in {target} ({detail}; {work:.1f} s of work)")
    return Outcome(plan.period, "published", plan.version, detail, work)


def _manifest(ws: Workspace, plan: MonthPlan, kpi_hashes: dict[str, str], rows: int) -> dict[str, Any]:
    """The manifest of a month without its render record and volatile fields."""
    previous = [v.name for v in versions.revisions_of(ws, plan.period) if v.revision < plan.revision]
    return {
        "schema": mf.SCHEMA_VERSION,
        "version": plan.version,
        "period": str(plan.period),
        "revision": plan.revision,
        "reason": plan.reason,
        "revises": previous[-1] if previous else None,
        "code": {**mf.git_state(), "digest": plan.code},
        "environment": mf.environment(),
        "parameters": {"digest": plan.params.digest(), "values": plan.params.model_dump(mode="json")},
        "inputs": mf.input_records(ws, plan.inputs),
        "notebooks": [
            {
                "area": job.area.id,
                "notebook": job.area.notebook,
                "title": job.area.title,
                "source_sha256": job.source_sha256,
                "datasets": job.datasets,
                "execution_key": job.key,
                "log": f"logs/{job.stem}.log",
            }
            for job in plan.jobs
        ],
        "kernel": KERNEL,
        "kpis": {"rows": rows, "files": kpi_hashes},
    }


def set_aside(ws: Workspace, plan: MonthPlan) -> Path:
    """Move a failed month's staging folder to ``reports/.failed/`` for inspection; returns where it went."""
    failed_dir = ws.reports_dir / versions.FAILED
    failed_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = failed_dir / f"{plan.version}.{stamp}.{os.getpid()}"
    if plan.staging.exists():
        shutil.move(plan.staging, target)
    return target
