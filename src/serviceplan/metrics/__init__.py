"""Metrics: one module per policy area, pure functions from canonical tables to numbers and KPI tables.

All arithmetic of the report lives here (the notebooks only call and show). This module holds what every area
shares: :func:`with_changes` puts a KPI table beside the same KPIs a month and a year earlier.
"""

from __future__ import annotations

import math

import pandas as pd

from serviceplan.kpis import Context, KpiFunction
from serviceplan.params import load_params
from serviceplan.periods import Period

# KPI units whose change is a difference in percentage points rather than a relative change.
POINT_UNITS = frozenset({"share"})


def context_for(ctx: Context, period: Period) -> Context:
    """The context of another month: same workspace, that month's parameters (which follow its year)."""
    params = ctx.params if period.year == ctx.period.year else load_params(period.year, ctx.workspace.params_dir)
    return Context(period=period, params=params, workspace=ctx.workspace)


def change(old: float, new: float, unit: str) -> float:
    """The change from ``old`` to ``new``: a difference for shares (percentage points as a fraction), else the
    relative change ``new / old - 1``; NaN when it cannot be computed."""
    if old is None or new is None or math.isnan(old) or math.isnan(new):
        return math.nan
    if unit in POINT_UNITS:
        return new - old
    if old == 0:
        return math.nan
    return new / old - 1.0


def with_changes(function: KpiFunction, ctx: Context, first_period: Period | None = None) -> pd.DataFrame:
    """The KPI table of ``ctx.period`` with each KPI's value a month and a year earlier and the changes.

    Added columns: ``prev_month_value``, ``prev_year_value``, ``change_month``, ``change_year`` and
    ``change_kind`` (``"relative"`` or ``"points"``). Months before ``first_period`` (no data yet) give NaN
    without calling ``function``. The earlier values are what was known then (data up to that month).
    """
    current = function(ctx)
    earlier: dict[str, dict[str, float]] = {}
    for name, months in (("prev_month_value", 1), ("prev_year_value", 12)):
        period = ctx.period.shift(-months)
        if first_period is not None and period < first_period:
            earlier[name] = {}
            continue
        table = function(context_for(ctx, period))
        earlier[name] = dict(zip(table["kpi"], table["value"].astype("float64"), strict=True))
    out = current.copy()
    for name, values in earlier.items():
        out[name] = [values.get(k, math.nan) for k in out["kpi"]]
    out["change_kind"] = ["points" if u in POINT_UNITS else "relative" for u in out["unit"]]
    for column, source in (("change_month", "prev_month_value"), ("change_year", "prev_year_value")):
        out[column] = [
            change(float(o), float(n), str(u)) for o, n, u in zip(out[source], out["value"], out["unit"], strict=True)
        ]
    return out
