"""Canonical tables: every dataset validated, normalised and stored as one Parquet table holding all months.

Notebooks read data only through :func:`load`; nothing downstream reads a raw file. Building is cached by the
content hash of the raw files, so an unchanged month costs a hash and a Parquet read.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd

from serviceplan.errors import DataError, UsageError, Violation
from serviceplan.paths import Workspace
from serviceplan.periods import Period
from serviceplan.sources import DATASETS
from serviceplan.sources.base import Dataset

_PERIOD_DIR = re.compile(r"^\d{4}-\d{2}$")


def raw_periods(ws: Workspace) -> list[Period]:
    """Months that have a folder of delivered files, oldest first."""
    if not ws.raw_dir.is_dir():
        return []
    found = []
    for child in ws.raw_dir.iterdir():
        if child.is_dir() and _PERIOD_DIR.match(child.name) and any(child.iterdir()):
            found.append(Period.parse(child.name))
    return sorted(found)


def newest_period(ws: Workspace) -> Period:
    """The newest month that has data; commands use it when no period is given."""
    periods = raw_periods(ws)
    if not periods:
        raise UsageError(f"no data in {ws.raw_dir}: run `serviceplan demo` to write the demo dataset")
    return periods[-1]


def ensure_data(ws: Workspace) -> bool:
    """Write the demo dataset if the workspace has no data at all. Returns whether it did."""
    if raw_periods(ws):
        return False
    from serviceplan import demo

    demo.generate(ws.raw_dir, ws.params_dir)
    return True


def input_files(ws: Workspace, up_to: Period) -> list[Path]:
    """Every delivered file of every dataset for the months up to ``up_to``, in a stable order."""
    files = []
    for period in raw_periods(ws):
        if period <= up_to:
            for dataset in DATASETS.values():
                files.extend(dataset.delivery(ws.raw_period_dir(str(period)), period))
    return files


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validate_period(ws: Workspace, period: Period) -> list[Path]:
    """Check every input of ``period`` against its contract; raise :class:`DataError` with all violations.

    Returns the files that were checked.
    """
    folder = ws.raw_period_dir(str(period))
    violations: list[Violation] = []
    checked: list[Path] = []
    for dataset in DATASETS.values():
        if period < dataset.first_period:
            continue
        paths = dataset.delivery(folder, period)
        if not paths:
            if dataset.required:
                stem = dataset.file_stem.format(period=period)
                accepted = " or ".join(f"{stem}.{ext}" for ext in dataset.readers)
                violations.append(
                    Violation(
                        f"data/raw/{period}/", None, None, None, f"the delivery {accepted} ({dataset.title}; missing)"
                    )
                )
            continue
        checked.extend(paths)
        try:
            dataset.read_delivery(paths, period)
        except DataError as exc:
            violations.extend(exc.violations)
    if violations:
        raise DataError(violations)
    return checked


def _build_one(ws: Workspace, dataset: Dataset) -> Path:
    """Build (or reuse) the canonical table of one dataset from every delivered month."""
    deliveries = []
    for period in raw_periods(ws):
        paths = dataset.delivery(ws.raw_period_dir(str(period)), period)
        if paths:
            deliveries.append((period, paths))
    digest = hashlib.sha256()
    for period, paths in deliveries:
        for path in paths:
            digest.update(f"{period}:{path.name}:{file_digest(path)}\n".encode())
    digest.update(dataset.name.encode())
    target = ws.canonical_dir / f"{dataset.name}.parquet"
    stamp = ws.canonical_dir / f"{dataset.name}.json"
    if (
        target.is_file()
        and stamp.is_file()
        and json.loads(stamp.read_text(encoding="utf-8")).get("inputs") == digest.hexdigest()
    ):
        return target
    violations: list[Violation] = []
    parts = []
    for period, paths in deliveries:
        try:
            parts.append(dataset.read_delivery(paths, period))
        except DataError as exc:
            violations.extend(exc.violations)
    if violations:
        raise DataError(violations)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    ws.canonical_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".parquet.tmp")
    table.to_parquet(tmp, index=False)
    tmp.replace(target)
    stamp.write_text(json.dumps({"inputs": digest.hexdigest(), "files": len(deliveries)}), encoding="utf-8")
    return target


def build_canonical(ws: Workspace, names: list[str] | None = None) -> dict[str, Path]:
    """Build the canonical tables (all by default); every violation across every file is reported at once."""
    built: dict[str, Path] = {}
    violations: list[Violation] = []
    for name in names or list(DATASETS):
        try:
            built[name] = _build_one(ws, DATASETS[name])
        except DataError as exc:
            violations.extend(exc.violations)
    if violations:
        raise DataError(violations)
    return built


def load(name: str, period: Period | str, ws: Workspace) -> pd.DataFrame:
    """The canonical table ``name`` with every row up to ``period`` (by its ``period`` column).

    Rows of later months are left out so that a report for a month always shows what was known for it.
    """
    if name not in DATASETS:
        raise UsageError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    period = Period.parse(str(period))
    path = build_canonical(ws, [name])[name]
    table = pd.read_parquet(path)
    if DATASETS[name].as_of is not None:
        table = DATASETS[name].as_of(table, period)
    elif "period" in table.columns:
        table = table[table["period"].astype(str) <= str(period)].reset_index(drop=True)
    return table
