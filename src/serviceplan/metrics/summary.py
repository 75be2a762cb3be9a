"""The front page (Yhteenveto): headline KPIs against their targets and the month's biggest changes.

The summary has no data of its own. It calls the KPI function of every area registered in
:data:`serviceplan.metrics.areas.AREAS` for the period, a month earlier and a year earlier (as
:func:`serviceplan.metrics.with_changes` does), so it shows exactly the numbers of the area pages and of the
version's KPI file, and it picks up a new area as soon as the area is registered. In a batch run it reads the
tables the area pages kept in the run's KPI store (:mod:`serviceplan.metrics.kpi_store`) and computes only the
missing ones.

Headline KPIs
-------------
``params.areas.summary.headline`` lists at most eight ids ``<area>.<kpi>``; the parameter model checks the form
and the area, and :func:`headline` stops with a one-line :class:`~serviceplan.core.errors.ParameterError` naming an id
that the area's KPI table does not have.

Disclosure
----------
A KPI of unit ``count`` is taken to count people unless it is listed in ``params.areas.summary.non_person_counts``
(actions, datasets, risks). A count of people of 1..``disclosure.min_count``-1 is hidden, and so is every change
computed from it: a change from a hidden value, or to one, would give the hidden value back.

The biggest changes
-------------------
Only a *material* month-on-month change can be a headline (``params.areas.summary.materiality``): a count, euros,
days or a ratio must have changed by at least ``min_relative_change`` of the previous value *and* by at least
``min_change[unit]`` in its own unit (``1 → 2`` actions is +100 % but one action); a share must have moved by at
least ``min_change["share"]`` (percentage points as a fraction), whatever its relative change (``2,0 % → 2,7 %``
is +35 % of a small share but 0,7 points). Material changes are ranked by their *materiality*: how many times
the change clears the smaller of its thresholds (for a share, its one threshold), so that euros, counts and
shares are ranked on one scale. A KPI takes part when both values are known, neither is hidden by disclosure
control, and it is not listed in ``params.areas.summary.not_in_changes`` (year-to-date sums, whose monthly
change is mostly the month added, and forecast interval bounds, which move with the forecast). Ties are broken
by the order of the areas and their KPIs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from serviceplan.core.errors import ParameterError, ServiceplanError
from serviceplan.core.params import Disclosure, Materiality, SummaryParams
from serviceplan.core.periods import Period
from serviceplan.inputs.sources import DATASETS
from serviceplan.metrics import POINT_UNITS, add_changes, context_for, kpi_store, shared_loads
from serviceplan.metrics.areas import AREAS, Area, report_areas
from serviceplan.metrics.kpi_store import KpiStore
from serviceplan.metrics.kpis import KPI_COLUMNS, Context

AREA = "summary"  # the front page's id in the page registry
STATUSES: tuple[str, ...] = ("ok", "warn", "alert", "none")
CHANGE_COLUMNS: tuple[str, ...] = (
    "prev_month_value",
    "prev_year_value",
    "change_kind",
    "change_month",
    "change_year",
    "change_month_kind",
    "change_year_kind",
)
HIDDEN_COLUMNS: tuple[str, ...] = ("value_hidden", "change_month_hidden", "change_year_hidden")


def kpi_areas(areas: Sequence[Area] | None = None) -> list[Area]:
    """The registered areas that have a KPI function, in registry order."""
    return [a for a in (AREAS if areas is None else areas) if a.kpi_function is not None]


def pages(areas: Sequence[Area] | None = None) -> list[Area]:
    """The report's pages other than this front page, in registry order."""
    return [a for a in (AREAS if areas is None else areas) if a.id != AREA]


def first_period(area: Area) -> Period | None:
    """The first month any of the area's datasets has data (earlier months are not compared with)."""
    firsts = [DATASETS[name].first_period for name in area.datasets if name in DATASETS]
    return min(firsts) if firsts else None


def area_changes(area: Area, ctx: Context, store: KpiStore | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The area's KPI table of ``ctx.period`` with the values a month and a year earlier and the changes (the
    columns of :func:`serviceplan.metrics.with_changes`), and the comparison months that could not be computed.

    A comparison month before the area's :func:`first_period`, or one for which the area's KPI function stops with
    a :class:`~serviceplan.core.errors.ServiceplanError` (e.g. no rule in force then), gives no comparison; an error in
    the period itself is raised. Tables kept in ``store`` are read from it, and those computed are kept there.
    """
    function = area.kpis()
    assert function is not None
    current = kpi_store.kpi_table(function, ctx, area, store)
    start = first_period(area)
    skipped: list[str] = []
    earlier: dict[str, dict[str, float]] = {}
    for column, months in (("prev_month_value", 1), ("prev_year_value", 12)):
        period = ctx.period.shift(-months)
        earlier[column] = {}
        if start is not None and period < start:
            continue
        try:
            table = kpi_store.kpi_table(function, context_for(ctx, period), area, store)
        except ServiceplanError:
            skipped.append(str(period))
            continue
        earlier[column] = dict(zip(table["kpi"].astype(str), table["value"].astype("float64"), strict=True))
    return add_changes(current, earlier, ctx.params.areas.summary.materiality.min_base), skipped


def collect(ctx: Context, areas: Sequence[Area] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Every KPI of every area of the report (registry order; a municipality without the city's own data has the
    public-data areas only) with its changes, an ``id`` (``<area>.<kpi>``) and the area's page title
    (``area_title``); and the comparisons that could not be computed (``"<area> <YYYY-MM>"``).

    In a batch run the tables come from the run's KPI store (:func:`serviceplan.metrics.kpi_store.from_environment`).
    """
    areas = report_areas(ctx.params, None if areas is None else list(areas))
    frames = []
    skipped: list[str] = []
    store = kpi_store.from_environment()
    with shared_loads():  # several areas read the same tables for the same months
        for area in kpi_areas(areas):
            table, missing = area_changes(area, ctx, store)
            table = table.assign(id=[f"{area.id}.{k}" for k in table["kpi"]], area_title=area.title)
            frames.append(table)
            skipped.extend(f"{area.id} {p}" for p in missing)
    columns = ["id", "area_title", *KPI_COLUMNS, *CHANGE_COLUMNS]
    if not frames:
        return pd.DataFrame(columns=columns), skipped
    return pd.concat(frames, ignore_index=True)[columns], skipped


def _small(value: float, rule: Disclosure) -> bool:
    return not math.isnan(value) and 0 < value < rule.min_count


def disclose(table: pd.DataFrame, rule: Disclosure, non_person_counts: Sequence[str]) -> pd.DataFrame:
    """``table`` with ``value_hidden``, ``change_month_hidden`` and ``change_year_hidden``: True where a count of
    people is 1..``min_count``-1, and for every change from or to such a count (see the module docstring)."""
    out = table.copy()
    things = set(non_person_counts)
    people = [str(u) == "count" and str(i) not in things for u, i in zip(out["unit"], out["id"], strict=True)]
    now = [p and _small(float(v), rule) for p, v in zip(people, out["value"], strict=True)]
    month = [p and _small(float(v), rule) for p, v in zip(people, out["prev_month_value"], strict=True)]
    year = [p and _small(float(v), rule) for p, v in zip(people, out["prev_year_value"], strict=True)]
    out["value_hidden"] = now
    out["change_month_hidden"] = [a or b for a, b in zip(now, month, strict=True)]
    out["change_year_hidden"] = [a or b for a, b in zip(now, year, strict=True)]
    return out


def check_ids(table: pd.DataFrame, ids: Sequence[str], key: str) -> None:
    """Stop with a one-line :class:`ParameterError` if an id of ``ids`` (parameter ``key``) is not in ``table``."""
    known = set(table["id"].astype(str))
    for kpi_id in ids:
        if kpi_id not in known:
            area = kpi_id.split(".")[0]
            same_area = sorted(k.split(".", 1)[1] for k in known if k.split(".")[0] == area)
            raise ParameterError(
                f"params: key '{key}': unknown KPI id {kpi_id!r}; area {area!r} has: {', '.join(same_area) or 'none'}"
            )


def headline(table: pd.DataFrame, params: SummaryParams, public_only: bool = False) -> pd.DataFrame:
    """The headline KPIs in the order of ``params.headline`` (``params.public_headline`` for a report from public
    statistics only); a one-line error for an unknown id."""
    ids, key = (params.public_headline, "public_headline") if public_only else (params.headline, "headline")
    check_ids(table, ids, f"areas.summary.{key}")
    indexed = table.set_index("id", drop=False)
    return indexed.loc[list(ids)].reset_index(drop=True)


def relative_change(previous: float, value: float) -> float:
    """``value / previous - 1`` (NaN when either is missing or ``previous`` is zero). Example: 20 -> 25 gives 0.25."""
    if math.isnan(previous) or math.isnan(value) or previous == 0:
        return math.nan
    return value / previous - 1.0


def materiality(previous: float, value: float, unit: str, rule: Materiality) -> float:
    """How many times the change ``previous -> value`` clears the smaller of its thresholds (module docstring):
    1.0 or more is material; NaN when either value is missing. A change from zero is measured by its size alone."""
    if math.isnan(previous) or math.isnan(value) or unit not in rule.min_change:
        return math.nan  # a unit without a threshold (a rank: places are not a change to headline) is not judged
    size = abs(value - previous) / rule.min_change[unit]  # type: ignore[index]
    if unit in POINT_UNITS or previous == 0:  # from zero the relative change is unbounded: the size decides
        return size
    relative = abs(relative_change(previous, value)) / rule.min_relative_change
    return min(size, relative)


def biggest_changes(table: pd.DataFrame, params: SummaryParams, public_only: bool = False) -> pd.DataFrame:
    """The ``params.biggest_changes`` KPIs with the most material month-on-month change (module docstring).

    ``table`` is a disclosed table (:func:`disclose`). Adds ``relative_change`` and ``materiality``; sorted by
    materiality, largest first; only material changes (materiality at least 1).
    """
    if not public_only:  # a report from public statistics only lacks the own-data KPIs listed there
        check_ids(table, params.not_in_changes, "areas.summary.not_in_changes")
    out = table.copy()
    out["relative_change"] = [
        relative_change(float(p), float(v)) for p, v in zip(out["prev_month_value"], out["value"], strict=True)
    ]
    out["materiality"] = [
        materiality(float(p), float(v), str(u), params.materiality)
        for p, v, u in zip(out["prev_month_value"], out["value"], out["unit"], strict=True)
    ]
    eligible = out[
        (out["materiality"] >= 1.0)
        & ~out["change_month_hidden"].astype(bool)
        & ~out["id"].isin(list(params.not_in_changes))
        & (out["change_kind"] != "places")  # a rank's relative change means nothing
    ]
    eligible = eligible.assign(_size=eligible["materiality"], _order=range(len(eligible)))
    ranked = eligible.sort_values(["_size", "_order"], ascending=[False, True], kind="stable")
    return ranked.drop(columns=["_size", "_order"]).head(params.biggest_changes).reset_index(drop=True)


def status_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Per area (registry order): how many of its KPIs are ``ok``, ``warn``, ``alert`` and ``none`` (no target),
    and ``targeted`` (the first three together)."""
    rows = []
    for title, part in table.groupby("area_title", sort=False):
        states = part["status"].astype(str).value_counts()
        row: dict[str, object] = {"area_title": str(title)}
        row.update({s: int(states.get(s, 0)) for s in STATUSES})
        row["targeted"] = sum(int(row[s]) for s in ("ok", "warn", "alert"))  # type: ignore[call-overload]
        rows.append(row)
    return pd.DataFrame(rows, columns=["area_title", *STATUSES, "targeted"])
