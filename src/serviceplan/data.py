"""Canonical tables: every dataset validated, normalised and kept as tidy, typed Parquet, one file a delivery.

Notebooks read data only through :func:`load`, which returns one table holding every month up to the report's
period; nothing downstream reads a raw file. Each delivery is cached by the content hash of its raw files and of
the reader code, so an unchanged month costs a hash and a Parquet read.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import re
import sys
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
    """SHA-256 of a file's bytes (remembered per process while the file's size and modification time stay)."""
    stat = path.stat()
    return _digest_of(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _digest_of(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@functools.lru_cache(maxsize=2048)
def _parquet_of(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    return pd.read_parquet(path)


def _read_cached(path: Path) -> pd.DataFrame:
    """A delivery's canonical rows; a page that asks again (the summary asks every area thrice) reads no file."""
    stat = path.stat()
    return _parquet_of(str(path), stat.st_mtime_ns, stat.st_size)


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


_CODE_MODULES = ("serviceplan.contracts", "serviceplan.readers", "serviceplan.privacy")


@functools.cache
def _reader_digest(dataset_name: str) -> str:
    """A hash of the code that turns a delivery into canonical rows, so a changed reader rebuilds its cache."""
    dataset = DATASETS[dataset_name]
    modules = {*_CODE_MODULES, *(reader.__module__ for reader in dataset.readers.values())}
    digest = hashlib.sha256()
    for name in sorted(modules):
        source = getattr(sys.modules.get(name) or importlib.import_module(name), "__file__", None)
        if source:
            digest.update(Path(source).read_bytes())
    return digest.hexdigest()


def _deliveries(ws: Workspace, dataset: Dataset, up_to: Period | None) -> list[tuple[Period, list[Path]]]:
    deliveries = []
    for period in raw_periods(ws):
        if up_to is not None and period > up_to:
            continue
        paths = dataset.delivery(ws.raw_period_dir(str(period)), period)
        if paths:
            deliveries.append((period, paths))
    return deliveries


def _stamp_matches(stamp: Path, digest: str) -> bool:
    return stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")).get("inputs") == digest


def _cached_delivery(ws: Workspace, dataset: Dataset, period: Period, paths: list[Path]) -> Path:
    """The canonical rows of one delivery, read and checked once and kept as Parquet until its files change."""
    digest = hashlib.sha256(f"{dataset.name}:{period}:{_reader_digest(dataset.name)}\n".encode())
    for path in paths:
        digest.update(f"{path.name}:{file_digest(path)}\n".encode())
    folder = ws.canonical_dir / dataset.name
    target = folder / f"{period}.parquet"
    stamp = folder / f"{period}.json"
    if _stamp_matches(stamp, digest.hexdigest()) and target.is_file():
        return target
    frame = dataset.read_delivery(paths, period)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(target)
    stamp.write_text(json.dumps({"inputs": digest.hexdigest(), "files": [p.name for p in paths]}), encoding="utf-8")
    return target


def build_canonical(
    ws: Workspace, names: list[str] | None = None, up_to: Period | None = None
) -> dict[str, list[Path]]:
    """Build the canonical tables (all datasets by default) from every delivery up to ``up_to`` (default: all).

    Each delivery is cached on its own, so a month is read once, and a broken later month never blocks a report
    of an earlier one. Every violation across every file is reported at once.
    """
    built: dict[str, list[Path]] = {}
    violations: list[Violation] = []
    for name in names or list(DATASETS):
        dataset = DATASETS[name]
        built[name] = []
        for period, paths in _deliveries(ws, dataset, up_to):
            try:
                built[name].append(_cached_delivery(ws, dataset, period, paths))
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
    parts = [_read_cached(path) for path in build_canonical(ws, [name], up_to=period)[name]]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if DATASETS[name].as_of is not None:
        table = DATASETS[name].as_of(table, period)
    elif "period" in table.columns:
        table = table[table["period"].astype(str) <= str(period)].reset_index(drop=True)
    return table
