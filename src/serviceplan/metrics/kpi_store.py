"""One computation per KPI table and month: KPI tables kept under a key computed from what they are made of.

A month's report shows every area's KPI table three times over: on the area's page (beside the same KPIs a month
and a year earlier), on the summary page (every area, the same three months) and in the version's KPI files. In
a batch run these all read one store, so that each table is computed once: the first that needs a table (an area
page for its own month and the two months it compares with, otherwise the summary or the KPI files) computes it
and keeps it; the others read it. In a range, a month's comparison with the month before reads what that month's
run kept, and a later run (a revision, the next month) reads what earlier runs kept.

The key of a table is never handed over: whoever reads or writes computes it from the inputs of the area's KPI
function, so that a changed input or parameter can never show a stale figure. It holds

* the area, its KPI function and the month;
* the digest of that month's resolved parameters (the parameters of the month's own year);
* every delivery of the area's datasets up to the month
  (:func:`serviceplan.inputs.canonical.delivery_digests`: the files' bytes and the reader code, from which the
  canonical rows up to the month are built);
* the digest of the plan's files (``plan/``), the package code and the runtime environment,

the inputs of the notebooks' execution keys (:func:`serviceplan.publish.manifest.execution_key`), without the notebook's
source (a KPI table does not depend on which page asks for it) and with the deliveries instead of a digest of the
canonical rows (equal deliveries mean equal rows, and computing their digests reads no table: a few milliseconds).

The batch passes the store's folder to the notebooks' kernels in the environment variable :data:`ENV_STORE`. A
notebook run on its own (JupyterLab, nbval) has no store and computes what it needs, with the same result.
Entries are JSON files written under a temporary name and renamed into place, so a reader sees a whole entry or
none; values round-trip exactly (floats as their shortest exact text).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from serviceplan.core import digests
from serviceplan.core.paths import Workspace, replace_atomically
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import delivery_digests
from serviceplan.metrics.areas import AREAS, Area
from serviceplan.metrics.kpis import KPI_COLUMNS, Context, KpiFunction, frame

ENV_STORE = "SERVICEPLAN_KPI_STORE"  # the folder of the run's KPI store, set by the batch for its kernels
FORMAT = 1  # bump when the entries or the key change, so that older entries are not read
FOLDER = "kpis"  # the store's folder inside the reports' cache
NUMBER_COLUMNS = frozenset({"value", "target"})


def folder_of(ws: Workspace) -> Path:
    """Where a workspace keeps its KPI tables: ``reports/.cache/kpis/`` (beside the cached executions)."""
    return ws.reports_dir / ".cache" / FOLDER


@dataclass
class KpiStore:
    """The KPI tables kept in ``folder``, one JSON file per key (see the module docstring).

    The code and plan digests and the list of deliveries are computed once per store object: make one per
    collection (a page's comparison, the summary's, the KPI files), not one per process.
    """

    folder: Path
    _digests: dict[str, str] = field(default_factory=dict, repr=False)

    _deliveries: dict[tuple[Path, str], list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    def _once(self, name: str, compute: Callable[[], str]) -> str:
        if name not in self._digests:
            self._digests[name] = compute()
        return self._digests[name]

    def _delivered(self, ws: Workspace, name: str, period: Period) -> list[tuple[str, str]]:
        """:func:`~serviceplan.inputs.canonical.delivery_digests` up to ``period`` (each delivery listed once per
        store)."""
        if (ws.root, name) not in self._deliveries:
            self._deliveries[(ws.root, name)] = delivery_digests(ws, name)
        return [(month, digest) for month, digest in self._deliveries[(ws.root, name)] if month <= str(period)]

    def key(self, area: Area, ctx: Context) -> str:
        """The key of ``area``'s KPI table for ``ctx`` (month, parameters, workspace), computed from its inputs."""
        ws = ctx.workspace
        return digests.sha256_json(
            {
                "format": FORMAT,
                "area": area.id,
                "function": area.kpi_function,
                "period": str(ctx.period),
                "params": ctx.params.digest(),
                "deliveries": {name: self._delivered(ws, name, ctx.period) for name in sorted(area.datasets)},
                "plan": self._once(f"plan {ws.plan_dir}", lambda: digests.folder_digest(ws.plan_dir)),
                "code": self._once("code", digests.code_digest),
                "environment": digests.environment(),
            }
        )

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, area: Area, ctx: Context) -> pd.DataFrame | None:
        """The kept table of ``area`` for ``ctx``, or ``None`` (never kept, or unreadable)."""
        key = self.key(area, ctx)
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("rows"), list):
            return None
        return from_records(entry["rows"])

    def put(self, area: Area, ctx: Context, table: pd.DataFrame) -> None:
        """Keep ``table`` as ``area``'s KPI table for ``ctx`` (replacing an entry under the same key).

        The store only saves work: when it cannot be written (a full disk, a folder without write permission) the
        table is not kept and the caller goes on with it; whoever needs it next computes it again.
        """
        key = self.key(area, ctx)
        entry = {"format": FORMAT, "key": key, "area": area.id, "period": str(ctx.period), "rows": records(table)}
        text = json.dumps(entry, ensure_ascii=False) + "\n"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            replace_atomically(self._path(key), lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))
        except OSError:
            pass  # not kept (see above)

    def table(self, area: Area, ctx: Context, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The kept table of ``area`` for ``ctx``; computed by ``compute()`` and kept when there is none."""
        table = self.get(area, ctx)
        if table is None:
            table = compute()
            self.put(area, ctx, table)
        return table


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A KPI table's rows as JSON-ready dicts (missing numbers as ``None``)."""
    rows = []
    for row in table[list(KPI_COLUMNS)].itertuples(index=False):
        record = dict(zip(KPI_COLUMNS, row, strict=True))
        for column in NUMBER_COLUMNS:
            value = float(record[column])
            record[column] = None if math.isnan(value) else value
        rows.append(record)
    return rows


def from_records(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The KPI table of :func:`records` rows, as the KPI functions build it (:func:`serviceplan.metrics.kpis.frame`)."""
    numbers = [{c: math.nan if row[c] is None else float(row[c]) for c in NUMBER_COLUMNS} for row in rows]
    return frame([{**row, **values} for row, values in zip(rows, numbers, strict=True)])


def from_environment() -> KpiStore | None:
    """The store the batch gave this process (:data:`ENV_STORE`), or ``None`` (a notebook run on its own)."""
    folder = os.environ.get(ENV_STORE)
    return KpiStore(Path(folder)) if folder else None


def area_of(function: KpiFunction) -> Area | None:
    """The registered area whose KPI function is ``function`` (``None`` for any other function)."""
    name = f"{getattr(function, '__module__', '')}:{getattr(function, '__qualname__', '')}"
    return next((area for area in AREAS if area.kpi_function == name), None)


def kpi_table(
    function: KpiFunction, ctx: Context, area: Area | None = None, store: KpiStore | None = None
) -> pd.DataFrame:
    """``function(ctx)``, read from ``store`` when it keeps that table of ``area`` (and kept there when computed)."""
    if store is None or area is None:
        return function(ctx)
    return store.table(area, ctx, lambda: function(ctx))
