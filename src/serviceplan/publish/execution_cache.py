"""The execution cache: an executed notebook, its log, preview and files kept under its execution key in
``reports/.cache/<key>/``, restored instead of executing again when the key is unchanged."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from serviceplan.core.errors import RunError
from serviceplan.core.paths import Workspace
from serviceplan.publish import manifest as mf
from serviceplan.publish import render as rd
from serviceplan.publish import versions
from serviceplan.publish.run_model import MonthPlan, NotebookJob


def cache_dir(ws: Workspace) -> Path:
    return ws.reports_dir / versions.CACHE


def restore_cached(ws: Workspace, plan: MonthPlan, job: NotebookJob) -> bool:
    """Copy a cached execution of ``job`` into the staging folder; ``False`` when there is none."""
    entry = cache_dir(ws) / job.key
    if not (entry / "notebook.ipynb").is_file():
        return False
    shutil.copy2(entry / "notebook.ipynb", plan.staging / job.area.notebook)
    if (entry / "log.txt").is_file():
        shutil.copy2(entry / "log.txt", plan.staging / "logs" / f"{job.stem}.log")
    if (entry / "preview.html").is_file():
        target = plan.staging / rd.preview_name(job.area.notebook)
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(entry / "preview.html", target)
    if (entry / "files").is_dir():
        merge_files(entry / "files", plan.staging, job, copy=True)
    return True


def merge_files(source: Path, staging: Path, job: NotebookJob, *, copy: bool) -> list[str]:
    """Put the files a notebook wrote beside the executed notebooks; two notebooks may not write one file."""
    placed = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source)
        target = staging / relative
        if target.exists():
            raise RunError(f"{job.area.notebook} wrote {relative.as_posix()}, which another notebook also wrote")
        target.parent.mkdir(parents=True, exist_ok=True)
        if copy:
            shutil.copy2(path, target)
        else:
            shutil.move(path, target)
        placed.append(relative.as_posix())
    return placed


def store_cached(ws: Workspace, plan: MonthPlan, job: NotebookJob, files: Sequence[str]) -> None:
    """Keep the execution under its key (written beside, then renamed into place in one step)."""
    cache = cache_dir(ws)
    entry = cache / job.key
    if entry.exists():
        return
    tmp = cache / f"{job.key}.tmp.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copy2(plan.staging / job.area.notebook, tmp / "notebook.ipynb")
    log = plan.staging / "logs" / f"{job.stem}.log"
    if log.is_file():
        shutil.copy2(log, tmp / "log.txt")
    preview = plan.staging / rd.preview_name(job.area.notebook)
    if preview.is_file():
        shutil.copy2(preview, tmp / "preview.html")
    for relative in files:
        target = tmp / "files" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(plan.staging / relative, target)
    mf.write_json(
        tmp / "meta.json",
        {"area": job.area.id, "notebook": job.area.notebook, "period": str(plan.period), "seconds": job.seconds},
    )
    try:
        os.rename(tmp, entry)
    except OSError:  # another run stored the same execution meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
