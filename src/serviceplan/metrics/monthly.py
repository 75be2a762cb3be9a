"""Small helpers for monthly indicator tables (indexed by ``YYYY-MM``), shared by the area metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serviceplan.core.periods import Period, month_range


def chart_months(period: Period, count: int, first: Period | None = None) -> list[str]:
    """The ``count`` months up to ``period`` shown in a page's monthly charts, none before ``first``."""
    start = period.shift(1 - count)
    if first is not None and first > start:
        start = first
    return [str(p) for p in month_range(start, period)] if start <= period else []


def by_region(tables: dict[str, pd.DataFrame], column: str, months: list[str]) -> pd.DataFrame:
    """One indicator of every region per month: ``month`` and a column per region code (in ``tables`` order)."""
    out = pd.DataFrame({"month": months})
    for code, table in tables.items():
        out[code] = table.reindex(months)[column].to_numpy(dtype="float64")
    return out


def row_or_nan(table: pd.DataFrame, period: Period) -> pd.Series:
    """The month's row as floats, or a row of missing values when the month is not in the table."""
    if str(period) in table.index:
        return table.loc[str(period)].astype("float64")
    return pd.Series(np.nan, index=table.columns, dtype="float64")
