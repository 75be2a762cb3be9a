"""Step 3 of a month: every area's KPI table, checked against the KPI schema; read from the run's KPI store where
the month's pages kept it (:mod:`serviceplan.metrics.kpi_store`), computed here otherwise."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from serviceplan.core.errors import RunError, ServiceplanError
from serviceplan.core.params import Params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics import kpi_store
from serviceplan.metrics.areas import Area
from serviceplan.metrics.kpi_store import KpiStore
from serviceplan.metrics.kpis import KPI_COLUMNS, Context


def area_kpis(
    ws: Workspace, period: Period, params: Params, area: Area, store: KpiStore | None = None
) -> pd.DataFrame | None:
    """One area's rows of the month's KPI table, checked against the KPI schema (``None``: the area has none);
    read from ``store`` when an area page of the run kept it there (and kept there when computed here)."""
    if area.kpi_function is None:
        return None
    try:
        function = area.kpis()
    except (ImportError, AttributeError) as exc:
        raise RunError(f"the KPI function {area.kpi_function} of area '{area.id}' cannot be loaded: {exc}") from None
    assert function is not None
    try:
        table = kpi_store.kpi_table(function, Context(period=period, params=params, workspace=ws), area, store)
    except ServiceplanError:
        raise
    except Exception as exc:
        raise RunError(f"the KPI function {area.kpi_function} raised {type(exc).__name__}: {exc}") from None
    missing = [c for c in KPI_COLUMNS if c not in table.columns]
    if missing:
        raise RunError(f"the KPI table of area '{area.id}' lacks the column(s) {', '.join(missing)}")
    table = table[list(KPI_COLUMNS)]
    wrong = table[(table["period"].astype(str) != str(period)) | (table["area"].astype(str) != area.id)]
    if len(wrong):
        first = wrong.iloc[0]
        raise RunError(
            f"the KPI table of area '{area.id}' has a row for period {first['period']!r}, area "
            f"{first['area']!r}; expected period {period} and area {area.id!r}"
        )
    return table


def collect_kpis(
    ws: Workspace,
    period: Period,
    params: Params,
    areas: Sequence[Area],
    store: KpiStore | None = None,
) -> pd.DataFrame:
    """The month's KPI table: every area's KPI function, checked against the KPI schema, in area order (tables
    kept in ``store`` by the month's area pages are read from there, see :func:`area_kpis`)."""
    frames = []
    for area in areas:
        table = area_kpis(ws, period, params, area, store)
        if table is not None:
            frames.append(table)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in KPI_COLUMNS})
    kpis = pd.concat(frames, ignore_index=True)
    duplicated = kpis[kpis.duplicated(["area", "kpi"])]
    if len(duplicated):
        raise RunError(f"KPI {duplicated.iloc[0]['kpi']!r} of area '{duplicated.iloc[0]['area']}' appears twice")
    return kpis
