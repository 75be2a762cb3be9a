"""Data freshness and completeness: for every input dataset, what has been delivered by a reporting month.

A report is only as good as its inputs, so the knowledge-management page shows, for each dataset of the registry
(:data:`serviceplan.inputs.sources.DATASETS`):

* the newest delivery on or before the period (a delivery is the month folder ``data/raw/<YYYY-MM>/`` that holds
  the dataset's file; nothing is read from the file here, the contracts check it elsewhere);
* the months missing: months from the dataset's first month to the period without a delivery. Only *required*
  (monthly) datasets can miss a month; a snapshot dataset (the partner network) is delivered when it changes and
  the newest snapshot applies, so it has no missing months;
* its state: ``current`` (delivered for the period, or at most ``max_lag_months`` before it; a snapshot is current
  when one exists), ``late`` (the newest delivery is older than that), ``missing`` (nothing delivered yet) or
  ``not_started`` (the period is before the dataset's first month, so nothing is expected);
* for the public statistics, the ``updated`` stamp Statistics Finland gave each table and the newest statistics
  month in it (:func:`statfin_updates`).

Listing the deliveries touches the file system (:func:`delivered_months`); everything else is a pure function of
that listing, so it is tested with hand-made listings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.canonical import raw_periods
from serviceplan.inputs.sources.base import Dataset

STATES: tuple[str, ...] = ("current", "late", "missing", "not_started")
STATE_LABELS: dict[str, str] = {
    "current": "ajan tasalla",
    "late": "myöhässä",
    "missing": "ei toimitettu",
    "not_started": "ei vielä odotettu",
}
# Cell states of the delivery grid (dataset x month).
CELL_STATES: tuple[str, ...] = ("delivered", "missing", "covered", "not_expected")
CELL_LABELS: dict[str, str] = {
    "delivered": "toimitettu",
    "missing": "puuttuu",
    "covered": "aiempi tilannekuva voimassa",
    "not_expected": "ei odotettu",
}

FRESHNESS_COLUMNS: tuple[str, ...] = (
    "dataset",
    "title",
    "owner",
    "required",
    "first_period",
    "newest_delivery",
    "lag_months",
    "expected_months",
    "delivered_months",
    "months_missing",
    "missing_list",
    "state",
)


def delivered_months(ws: Workspace, datasets: Mapping[str, Dataset], up_to: Period) -> dict[str, list[Period]]:
    """For each dataset, the months up to ``up_to`` whose folder holds its delivery, oldest first."""
    found: dict[str, list[Period]] = {name: [] for name in datasets}
    for period in raw_periods(ws):
        if period > up_to:
            continue
        folder = ws.raw_period_dir(str(period))
        for name, dataset in datasets.items():
            if period >= dataset.first_period and dataset.delivery(folder, period):
                found[name].append(period)
    return found


def short_title(title: str) -> str:
    """A title without its parenthesised detail: ``Työnvälitystilasto (KEHA-keskus ...)`` -> ``Työnvälitystilasto``."""
    return title.split(" (", 1)[0].strip()


def dataset_freshness(dataset: Dataset, delivered: Iterable[Period], period: Period, max_lag_months: int) -> dict:
    """One dataset's freshness row as of ``period`` (see the module docstring); deliveries after it are ignored."""
    months = sorted(p for p in set(delivered) if dataset.first_period <= p <= period)
    newest = months[-1] if months else None
    started = period >= dataset.first_period
    expected = month_range(dataset.first_period, period) if started and dataset.required else []
    missing = [p for p in expected if p not in set(months)]
    if not started:
        state = "not_started"
    elif newest is None:
        state = "missing"
    elif not dataset.required or newest.months_until(period) <= max_lag_months:
        state = "current"
    else:
        state = "late"
    return {
        "dataset": dataset.name,
        "title": dataset.title,
        "owner": dataset.owner,
        "required": dataset.required,
        "first_period": str(dataset.first_period),
        "newest_delivery": None if newest is None else str(newest),
        "lag_months": None if newest is None else newest.months_until(period),
        "expected_months": len(expected) if dataset.required else None,
        "delivered_months": len(months),
        "months_missing": len(missing) if dataset.required else None,
        "missing_list": ", ".join(str(p) for p in missing),
        "state": state,
    }


def freshness_table(
    datasets: Mapping[str, Dataset],
    delivered: Mapping[str, Sequence[Period]],
    period: Period,
    max_lag_months: int,
) -> pd.DataFrame:
    """Every dataset's freshness as of ``period``, in registry order (columns :data:`FRESHNESS_COLUMNS`)."""
    rows = [dataset_freshness(d, delivered.get(name, ()), period, max_lag_months) for name, d in datasets.items()]
    table = pd.DataFrame(rows, columns=list(FRESHNESS_COLUMNS))
    for column in ("lag_months", "expected_months", "delivered_months", "months_missing"):
        table[column] = pd.array(table[column].tolist(), dtype="Int64")
    for column in ("dataset", "title", "owner", "first_period", "newest_delivery", "missing_list", "state"):
        table[column] = table[column].astype("string")
    table["required"] = table["required"].astype(bool)
    return table


def delivery_grid(
    datasets: Mapping[str, Dataset], delivered: Mapping[str, Sequence[Period]], months: Sequence[Period]
) -> pd.DataFrame:
    """The state of every (dataset, month) cell of ``months`` (long table: ``dataset``, ``month``, ``cell``).

    ``delivered``: a file came for that month; ``missing``: a required dataset's month without one; ``covered``:
    a snapshot dataset's month without a new snapshot while an earlier one applies; ``not_expected``: before the
    dataset's first month (or a snapshot dataset before its first snapshot).
    """
    rows = []
    for name, dataset in datasets.items():
        got = set(delivered.get(name, ()))
        for month in months:
            if month in got:
                cell = "delivered"
            elif month < dataset.first_period:
                cell = "not_expected"
            elif dataset.required:
                cell = "missing"
            else:
                cell = "covered" if any(p <= month for p in got) else "not_expected"
            rows.append({"dataset": name, "month": str(month), "cell": cell})
    return pd.DataFrame(rows, columns=["dataset", "month", "cell"]).astype("string")


def counts(table: pd.DataFrame) -> dict[str, int]:
    """Datasets in each state (every state listed), plus ``expected`` (started ones) and ``months_missing``."""
    states = table["state"].astype(str).value_counts()
    out = {state: int(states.get(state, 0)) for state in STATES}
    out["expected"] = len(table) - out["not_started"]
    out["months_missing"] = int(table["months_missing"].fillna(0).sum())
    return out


def current_share(table: pd.DataFrame) -> float | None:
    """Share of the datasets expected by the period (started ones) that are current; ``None`` if none is expected.

    Example: 10 started datasets of which 9 current -> 9 / 10 = 0.9.
    """
    tally = counts(table)
    return tally["current"] / tally["expected"] if tally["expected"] else None


def statfin_updates(statfin: pd.DataFrame, region: str, titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per statistics table: the newest month with a value for ``region``, the newest ``updated`` stamp of the
    table's rows and the newest delivery that brought them (``statfin`` as a report month sees it).

    Columns: ``table``, ``title``, ``newest_month``, ``updated`` (UTC timestamp), ``delivery``.
    """
    columns = ["table", "title", "newest_month", "updated", "delivery"]
    if statfin.empty or "table" not in statfin.columns:
        return pd.DataFrame(columns=columns)
    rows = []
    for table, part in statfin.groupby("table", sort=True):
        shown = part[(part["region"].astype(str) == region) & part["value"].notna()]
        rows.append(
            {
                "table": str(table),
                "title": (titles or {}).get(str(table), ""),
                "newest_month": str(shown["period"].astype(str).max()) if len(shown) else None,
                "updated": part["updated"].max(),
                "delivery": str(part["delivery"].astype(str).max()),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    for column in ("table", "title", "newest_month", "delivery"):
        out[column] = out[column].astype("string")
    return out
