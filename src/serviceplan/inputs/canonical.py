"""Canonical tables: every dataset validated, normalised and kept as tidy, typed Parquet, one file a delivery.

Notebooks read data only through :func:`load`, which returns one table holding every month up to the report's
period; nothing downstream reads a raw file. Each delivery is cached by the content hash of its raw files and of
the reader code, so an unchanged month costs a hash and a Parquet read.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from serviceplan.core.errors import DataError, ParameterError, RunError, UsageError, Violation, os_problem
from serviceplan.core.identity_codes import any_identity_code
from serviceplan.core.params import InputLimits, key_file, load_params
from serviceplan.core.paths import Workspace, replace_atomically
from serviceplan.core.periods import Period
from serviceplan.inputs import month_tables
from serviceplan.inputs.plan import load_plan
from serviceplan.inputs.readers import check_before_reading, display_name, input_limits
from serviceplan.inputs.sources import DATASETS, partners
from serviceplan.inputs.sources.base import Dataset


def raw_periods(ws: Workspace) -> list[Period]:
    """Months that have a folder of delivered files, oldest first."""
    return ws.raw_periods()


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
    from serviceplan.inputs import demo

    demo.generate(ws.raw_dir, ws.params_dir)
    return True


def check_has_data(ws: Workspace, period: Period) -> None:
    """Raise a one-line :class:`UsageError` when no file at all was delivered for ``period`` (instead of one
    "missing" line per dataset), naming the newest month that has data."""
    periods = raw_periods(ws)
    if period in periods:
        return
    if not periods:
        newest_period(ws)  # raises: no data at all
    raise UsageError(f"no data for {period} (no files in data/raw/{period}/); newest month with data is {periods[-1]}")


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


PartsKey = tuple[tuple[str, int, int], ...]


def _parts_key(paths: list[Path]) -> PartsKey:
    """The canonical files of a table with their modification times and sizes: equal keys, equal rows."""
    key = []
    for path in paths:
        stat = path.stat()
        key.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(key)


def _pandas_columns(table: pa.Table) -> object:
    """How pandas wrote a file's columns (dtypes), from its Parquet metadata; ``None`` without it."""
    meta = table.schema.metadata or {}
    return json.loads(meta[b"pandas"]).get("columns") if b"pandas" in meta else None


@functools.lru_cache(maxsize=4096)
def _arrow_of(path: str, mtime_ns: int, size: int) -> pa.Table:
    """A delivery's canonical Parquet file as an Arrow table (immutable), read once per process: the tables of
    several months (a page's month and those it compares with, a range's months) share their deliveries."""
    return pq.read_table(path)


@functools.lru_cache(maxsize=64)
def _concatenated(key: PartsKey) -> pd.DataFrame:
    """Every delivery of a table as one frame (remembered per process; callers get a copy).

    The deliveries are joined as Arrow tables and converted to pandas once, which is the same as converting each
    and concatenating the frames when every delivery has the same columns and dtypes; otherwise (a dtype that
    differs between months) the frames are concatenated as pandas does it.
    """
    if not key:
        return pd.DataFrame()
    tables = [_arrow_of(*part) for part in key]
    first = tables[0]
    columns = _pandas_columns(first)
    if columns is not None and all(t.schema.equals(first.schema) and _pandas_columns(t) == columns for t in tables[1:]):
        return pa.concat_tables(tables).to_pandas().reset_index(drop=True)
    return pd.concat([_read_cached(Path(path)) for path, _, _ in key], ignore_index=True)


def validate_period(ws: Workspace, period: Period, names: Sequence[str] | None = None) -> list[Path]:
    """Check every input of ``period`` against its contract; raise :class:`DataError` with all violations.

    Every delivered file is read and checked, whatever is cached. A delivery that passes is kept as canonical
    rows (as :func:`build_canonical` keeps it), so that building the canonical tables after validating does not
    read the month again. ``names`` limits the check to those datasets (default: all). Returns the files that
    were checked.
    """
    check_has_data(ws, period)
    folder = ws.raw_period_dir(str(period))
    violations: list[Violation] = []
    checked: list[Path] = []
    for dataset in (DATASETS[name] for name in (DATASETS if names is None else names)):
        if period < dataset.first_period:
            continue
        try:
            paths = dataset.delivery(folder, period)
        except DataError as exc:  # two deliveries for the month
            violations.extend(exc.violations)
            continue
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
            frame = read_delivery(ws, dataset, period, paths)
        except DataError as exc:
            violations.extend(exc.violations)
            continue
        digest = _delivery_digest(dataset, period, paths)
        target, stamp = _canonical_files(ws, dataset, period)
        if not (_stamp_matches(stamp, digest) and target.is_file()):
            _store_delivery(ws, period, target, stamp, digest, paths, frame)
    if violations:
        raise DataError(violations)
    check_parameter_references(ws, period)
    return checked


def check_parameter_references(ws: Workspace, period: Period) -> None:
    """Parameters that name something in the month's data name something that is there; otherwise one
    :class:`ParameterError` naming the parameter file and key (before any page runs, not inside one).

    Checked: ``areas.ecosystems.hub_partner_id``, the employment services' own node in the partner network in
    force for ``period`` (a wrong id made the ecosystems page count 0 links), and the plan's actions and areas
    that ``areas.ecosystems`` follows (a wrong action id made the network map's milestone disappear quietly).
    """
    settings = load_params(period.year, ws.params_dir).areas.ecosystems
    if ws.plan_dir.is_dir():
        plan = load_plan(ws.plan_dir)
        plan_areas = sorted({action.area for action in plan.actions})
        if settings.network_map_action not in plan.action_ids:
            _reference_error(
                ws, period, "network_map_action", settings.network_map_action, "an action", plan.action_ids
            )
        for area in settings.plan_areas:
            if area not in plan_areas:
                raise _reference_error(
                    ws, period, "plan_areas", area, "an area with actions", list(map(str, plan_areas))
                )
    if period < partners.DATASET.first_period:
        return
    hub = settings.hub_partner_id
    network = load(partners.DATASET.name, period, ws)
    if network.empty:
        return  # no snapshot yet: the page says so itself
    ids = sorted(set(network.loc[network["record"] == "partner", "partner_id"].astype(str)))
    if hub in ids:
        return
    key = ("areas", "ecosystems", "hub_partner_id")
    snapshot = Period.parse(str(network["period"].iloc[0]))
    delivered = partners.DATASET.find(ws.raw_period_dir(str(snapshot)), snapshot)
    shown = display_name(delivered) if delivered is not None else f"data/raw/{snapshot}/"
    close = difflib.get_close_matches(hub, ids, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ParameterError(
        f"{key_file(period.year, ws.params_dir, key)}: key '{'.'.join(key)}': '{hub}' is no partner of the partner"
        f" network in force in {period} ({shown}){hint}"
    )


def _reference_error(ws: Workspace, period: Period, name: str, value: object, what: str, known: Sequence[str]) -> None:
    key = ("areas", "ecosystems", name)
    listed = ", ".join(known)
    raise ParameterError(
        f"{key_file(period.year, ws.params_dir, key)}: key '{'.'.join(key)}': {value!r} is not {what} of the plan"
        f" (plan/actions.yaml); expected one of {listed}"
    )


# The code every reader may run besides its own module (helpers of the readers' checks included).
_CODE_MODULES = (
    "serviceplan.inputs.contracts",
    "serviceplan.inputs.readers",
    "serviceplan.core.identity_codes",
    "serviceplan.inputs.sources.base",
    "serviceplan.inputs.sources.breakdown",
    "serviceplan.inputs.jsonstat",
    "serviceplan.inputs.pxweb",
    "serviceplan.inputs.plan",
)


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


def read_delivery(ws: Workspace, dataset: Dataset, period: Period, paths: list[Path]) -> pd.DataFrame:
    """Read, check and normalise one delivery within the limits of ``params: inputs``.

    Each file is checked first (readable, within the size limit), and an operating-system or parser failure
    while reading (permission denied, a symbolic link that loops, a file too deeply nested to parse) becomes
    one violation naming the file, relative to the workspace, instead of a traceback.
    """
    with input_limits(_input_limits(ws.params_dir, period.year)):
        check_before_reading(paths)
        try:
            return dataset.read_delivery(paths, period)
        except OSError as exc:
            raise _unreadable(ws, exc, paths, period) from None
        except RecursionError:
            expected = "a file the reader can take in: it is nested too deeply (thousands of levels of brackets?)"
            raise DataError([Violation(_delivery_name(paths, period), None, None, None, expected)]) from None


def _unreadable(ws: Workspace, exc: OSError, paths: list[Path], period: Period) -> DataError:
    """An operating-system error met while reading or hashing a delivery, as one violation naming the file
    relative to the workspace."""
    file = _delivery_name(paths, period)
    if exc.filename:
        path = Path(os.fsdecode(exc.filename))
        file = path.relative_to(ws.root).as_posix() if path.is_relative_to(ws.root) else display_name(path)
    return DataError([Violation(file, None, None, None, f"a readable file ({os_problem(exc)})")])


def _delivery_name(paths: list[Path], period: Period) -> str:
    return display_name(paths[0]) if len(paths) == 1 else f"data/raw/{period}/"


def _input_limits(params_dir: Path, year: int) -> InputLimits:
    """``params: inputs`` of ``year`` (remembered while the parameter files stay the same)."""
    files = [params_dir / "defaults.yaml", params_dir / "years" / f"{year}.yaml"]
    stamps = tuple((f.stat().st_mtime_ns, f.stat().st_size) if f.is_file() else None for f in files)
    return _limits_of(str(params_dir), year, stamps)


@functools.lru_cache(maxsize=16)
def _limits_of(params_dir: str, year: int, stamps: tuple[object, ...]) -> InputLimits:
    return load_params(year, Path(params_dir)).inputs


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
    if not stamp.is_file():
        return False
    try:
        return json.loads(stamp.read_text(encoding="utf-8")).get("inputs") == digest
    except (OSError, ValueError, AttributeError):  # unreadable or not ours: the delivery is read again
        return False


def _delivery_digest(dataset: Dataset, period: Period, paths: list[Path]) -> str:
    """What a delivery's canonical rows are made from: the dataset, the month, the reader code, the files."""
    digest = hashlib.sha256(f"{dataset.name}:{period}:{_reader_digest(dataset.name)}\n".encode())
    for path in paths:
        digest.update(f"{path.name}:{file_digest(path)}\n".encode())
    if dataset.checked_against is not None and paths:
        for other in dataset.checked_against(paths[0].parent, period):
            shown = "-" if other is None else f"{other.parent.name}/{other.name}:{file_digest(other)}"
            digest.update(f"checked against {shown}\n".encode())
    return digest.hexdigest()


def _canonical_files(ws: Workspace, dataset: Dataset, period: Period) -> tuple[Path, Path]:
    """The Parquet file of a delivery's canonical rows and its stamp (the digest of what it was made from)."""
    folder = ws.canonical_dir / dataset.name
    return folder / f"{period}.parquet", folder / f"{period}.json"


def _store_delivery(
    ws: Workspace, period: Period, target: Path, stamp: Path, digest: str, paths: list[Path], frame: pd.DataFrame
) -> None:
    """Keep a delivery's canonical rows: the Parquet file first, then the stamp that vouches for it.

    Nothing that holds a personal identity code is stored (a last check of every text cell, column name and file
    name, whatever the reader checked), and a disk that is full or read-only is one line naming the file.
    """
    texts = [*map(str, frame.columns), *(p.name for p in paths)]
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_datetime64_any_dtype(frame[column]):
            values = frame[column].dropna()
            with contextlib.suppress(TypeError):  # unhashable cells (lists) are searched one by one
                values = values.drop_duplicates()  # each distinct text once: a code column holds a few values
            texts.extend(str(v) for v in values.tolist())
    if any_identity_code(texts):
        expected = "aggregated data only: the delivery holds a personal identity code (not stored, not shown)"
        raise DataError([Violation(_delivery_name(paths, period), None, None, None, expected)])
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)  # what DataFrame.to_parquet(index=False) writes
        replace_atomically(target, lambda tmp: pq.write_table(table, tmp))
        text = json.dumps({"inputs": digest, "files": [p.name for p in paths]})
        replace_atomically(stamp, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as exc:
        shown = target.relative_to(ws.root).as_posix() if target.is_relative_to(ws.root) else target.name
        raise RunError(f"could not store the canonical table {shown}: {os_problem(exc)}") from None


def _cached_delivery(ws: Workspace, dataset: Dataset, period: Period, paths: list[Path]) -> Path:
    """The canonical rows of one delivery, read and checked once and kept as Parquet until its files change."""
    try:
        digest = _delivery_digest(dataset, period, paths)
    except OSError as exc:
        raise _unreadable(ws, exc, paths, period) from None
    target, stamp = _canonical_files(ws, dataset, period)
    if _stamp_matches(stamp, digest) and target.is_file():
        return target
    _store_delivery(ws, period, target, stamp, digest, paths, read_delivery(ws, dataset, period, paths))
    return target


class CanonicalBuild:
    """Building the canonical tables of ``names`` from every delivery up to ``up_to``, one delivery per
    :meth:`step`, for a caller that has other work to do between the steps (the batch starts a month's notebooks
    as soon as the datasets they read are built: :mod:`serviceplan.publish.notebook_execution`).

    Datasets are built in the order of ``names``; a broken delivery does not stop the others, and :meth:`check`
    raises every violation at once when all steps are done.
    """

    def __init__(self, ws: Workspace, names: Sequence[str], up_to: Period | None = None):
        self.ws = ws
        self.paths: dict[str, list[Path]] = {}
        self.violations: list[Violation] = []
        self._todo: list[tuple[Dataset, Period, list[Path]]] = []
        self._left: dict[str, int] = {}
        for name in dict.fromkeys(names):
            dataset = DATASETS[name]
            self.paths[name] = []
            try:
                deliveries = _deliveries(ws, dataset, up_to)
            except DataError as exc:  # two deliveries for a month
                self.violations.extend(exc.violations)
                continue
            self._todo.extend((dataset, period, paths) for period, paths in deliveries)
            self._left[name] = len(deliveries)
        self._todo.reverse()  # popped from the end: the first dataset first

    @property
    def done(self) -> bool:
        """Whether every delivery has been built (or found broken)."""
        return not self._todo

    def built(self, names: Sequence[str]) -> bool:
        """Whether every delivery of the datasets ``names`` has been built (or found broken); datasets outside
        this build count as built."""
        return all(not self._left.get(name) for name in names)

    def step(self) -> bool:
        """Build the next delivery (from its Parquet file when its inputs have not changed); returns whether
        deliveries remain."""
        if self._todo:
            dataset, period, paths = self._todo.pop()
            try:
                self.paths[dataset.name].append(_cached_delivery(self.ws, dataset, period, paths))
            except DataError as exc:
                self.violations.extend(exc.violations)
            self._left[dataset.name] -= 1
        return bool(self._todo)

    def check(self) -> dict[str, list[Path]]:
        """The canonical files of every dataset, oldest delivery first; raises :class:`DataError` with every
        violation found."""
        if self.violations:
            raise DataError(self.violations)
        return self.paths


def build_canonical(
    ws: Workspace, names: list[str] | None = None, up_to: Period | None = None
) -> dict[str, list[Path]]:
    """Build the canonical tables (all datasets by default) from every delivery up to ``up_to`` (default: all).

    Each delivery is cached on its own, so a month is read once, and a broken later month never blocks a report
    of an earlier one. Every violation across every file is reported at once.

    Datasets are independent: ``build_canonical(ws, [name], up_to=...)`` builds one, and processes may build
    different datasets (or the same one) at the same time, since every file is written under a temporary name
    of its process and renamed into place.
    """
    build = CanonicalBuild(ws, names or list(DATASETS), up_to)
    while build.step():
        pass
    return build.check()


def _load_with_key(name: str, period: Period, ws: Workspace) -> tuple[PartsKey, pd.DataFrame]:
    if name not in DATASETS:
        raise UsageError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    key = _parts_key(build_canonical(ws, [name], up_to=period)[name])
    folder = month_tables.from_environment()
    if folder is None:
        return key, _month_table(name, period, key)
    table_key = month_tables.key(name, str(period), delivery_digests(ws, name, up_to=period))
    table = month_tables.read(folder, table_key)
    if table is None:
        table = _month_table(name, period, key)
        month_tables.write(folder, table_key, table)
    return key, table


def _month_table(name: str, period: Period, key: PartsKey) -> pd.DataFrame:
    """The rows of dataset ``name`` known for ``period``, from its canonical files ``key``."""
    table = _concatenated(key).copy()
    if DATASETS[name].as_of is not None:
        return DATASETS[name].as_of(table, period)
    if "period" in table.columns:
        return table[table["period"].astype(str) <= str(period)].reset_index(drop=True)
    return table


def delivery_digests(ws: Workspace, name: str, up_to: Period | None = None) -> list[tuple[str, str]]:
    """``(month, digest)`` of every delivery of dataset ``name`` up to ``up_to`` (default: all), oldest first:
    what :func:`load` builds its table from (the delivered files' bytes and names and the reader code; the
    canonical cache's own keys).

    Computed from the delivered files (each hashed once per process while its size and modification time stay),
    without reading a canonical table: equal lists mean equal canonical rows up to ``up_to``.
    """
    if name not in DATASETS:
        raise UsageError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    dataset = DATASETS[name]
    digests = []
    for period, paths in _deliveries(ws, dataset, up_to):
        try:
            digests.append((str(period), _delivery_digest(dataset, period, paths)))
        except OSError as exc:  # as the build reports it
            raise _unreadable(ws, exc, paths, period) from None
    return digests


def load(name: str, period: Period | str, ws: Workspace) -> pd.DataFrame:
    """The canonical table ``name`` with every row up to ``period`` (by its ``period`` column).

    Rows of later months are left out so that a report for a month always shows what was known for it.
    """
    return _load_with_key(name, Period.parse(str(period)), ws)[1]
