"""Services metrics: policy line 3 of the plan (section "3. Palvelut").

The plan: the customer is steered to work first and to services second, and services that are unlikely to lead
to lasting employment (or to improve markedly the jobseeker's chances of working) are cut. This module turns the
canonical tables ``services`` (starts, stock, ends and cost per service type and provider), ``service_outcomes``
(status 3 and 6 months after a service ended) and ``customer_events`` (initial interviews and job-search
discussions) into the numbers of the services page. Every function is pure: tables and parameters in, tables out.

Volumes
-------
Starts, stock at the end of the month and ends per service type are the providers' rows added up.

Effectiveness (``params.areas.services``)
----------------------------------------
* A service's *open-market share* at follow-up f (3 or 6 months) = people in open-market work f months after
  their service ended / people whose service ended, pooled over the follow-up months of the last
  ``effectiveness_window_months`` up to the period (a year by default, so that a month's small cohort does not
  decide). Before the first follow-up month the share is missing.
* *Cost per open-market outcome* = the service's cost in the cohort months of those follow-ups (the months the
  followed people left the service) / the open-market outcomes. In a steady state a month's cost is the cost of
  the services of the people who end in a month (stock x monthly cost = ends x duration x monthly cost), so the
  ratio is the full cost of the service spent per person who reached open-market work.
* A service is *below the threshold* when at least ``min_followed`` people were followed up at the judged
  follow-up (``effectiveness_follow_up_months``) and its open-market share is below
  ``effectiveness_threshold_share``. With fewer people it is not judged: the share would be too uncertain.

Statutory service level
-----------------------
The rule in force for each month (``params.service_level_rule``): the share of initial interviews held within
the deadline in force (5 working days in 2025, 10 from 2026) of the interviews held in the month, and the share
of job-search discussions held by their due date of those falling due. The client system counts interviews
within both 5 and 10 working days, so a comparison across the rule change can also be made on one rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from serviceplan.core.params import Disclosure, Params
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.sources import customer_events, services
from serviceplan.metrics import with_changes
from serviceplan.metrics.kpis import Context, frame, kpi_row
from serviceplan.present import disclosure

AREA = "services"
TOTAL = "total"
TOTAL_LABEL = "Yhteensä"
SERVICE_TYPES: tuple[str, ...] = tuple(services.SERVICE_TYPE_CODES.values())
# The export's Finnish names are the names readers know.
SERVICE_LABELS: dict[str, str] = {code: name for name, code in services.SERVICE_TYPE_CODES.items()} | {
    TOTAL: TOTAL_LABEL
}
FOLLOW_UPS: tuple[int, ...] = services.FOLLOW_UP_MONTHS
VOLUME_COLUMNS: tuple[str, ...] = ("starts", "stock", "ends")


def _up_to(table: pd.DataFrame, period: Period) -> pd.DataFrame:
    if table.empty or "period" not in table.columns:
        return table
    return table[table["period"].astype(str) <= str(period)]


def _numbers(table: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """``columns`` as float64 (nullable integer counts from Parquet become plain floats)."""
    return table[list(columns)].astype("float64")


def history_months(table: pd.DataFrame, period: Period, months: int) -> list[str]:
    """The last ``months`` months up to ``period`` that are not before the table's first month (``YYYY-MM``)."""
    if table.empty or "period" not in table.columns:
        return []
    first = max(Period.parse(min(table["period"].astype(str))), period.shift(1 - months))
    return [str(p) for p in month_range(first, period)] if first <= period else []


# ---- volumes -------------------------------------------------------------------------------------------------


def volumes(services_table: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Starts, stock and ends of ``period`` and the month's cost per service type, with the stock a year earlier.

    Columns: ``service_type``, ``label``, ``starts``, ``stock``, ``ends``, ``cost_eur``, ``stock_year_ago`` (NaN
    when that month has no data). One row per service type in the export's order, and a total row last
    (``service_type`` = ``total``). A type missing from the month's export has zeros.
    """
    rows = []
    year_ago = str(period.shift(-12))
    has_year_ago = bool((services_table["period"].astype(str) == year_ago).any()) if len(services_table) else False
    for month, key in ((str(period), "now"), (year_ago, "year_ago")):
        part = services_table[services_table["period"].astype(str) == month] if len(services_table) else services_table
        sums = (
            _numbers(part, [*VOLUME_COLUMNS, "cost_eur"]).groupby(part["service_type"].astype(str)).sum()
            if len(part)
            else pd.DataFrame(columns=[*VOLUME_COLUMNS, "cost_eur"], dtype="float64")
        )
        rows.append((key, sums.reindex(list(SERVICE_TYPES), fill_value=0.0)))
    now, before = rows[0][1], rows[1][1]
    out = now.reset_index(names="service_type")
    out["stock_year_ago"] = before["stock"].to_numpy() if has_year_ago else math.nan
    total = {c: float(out[c].sum()) for c in [*VOLUME_COLUMNS, "cost_eur"]}
    total["stock_year_ago"] = float(out["stock_year_ago"].sum()) if has_year_ago else math.nan
    out = pd.concat([out, pd.DataFrame([{"service_type": TOTAL, **total}])], ignore_index=True)
    out["label"] = [SERVICE_LABELS[s] for s in out["service_type"]]
    return out[["service_type", "label", *VOLUME_COLUMNS, "cost_eur", "stock_year_ago"]]


def volume_history(services_table: pd.DataFrame, period: Period, months: int) -> pd.DataFrame:
    """Starts, stock and ends per month and service type over the last ``months`` months up to ``period``: a long
    table with ``month``, ``service_type``, ``label``, ``starts``, ``stock``, ``ends`` (zeros where a type is
    missing)."""
    wanted = history_months(services_table, period, months)
    columns = ["month", "service_type", "label", *VOLUME_COLUMNS]
    if not wanted:
        return pd.DataFrame(columns=columns)
    part = services_table[services_table["period"].astype(str).isin(wanted)]
    keys = [part["period"].astype(str), part["service_type"].astype(str)]
    sums = _numbers(part, VOLUME_COLUMNS).groupby(keys).sum()
    index = pd.MultiIndex.from_product([wanted, list(SERVICE_TYPES)])
    sums = sums.reindex(index, fill_value=0.0)
    out = sums.reset_index(names=["month", "service_type"])
    out["label"] = [SERVICE_LABELS[s] for s in out["service_type"]]
    return out[columns]


# ---- effectiveness -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpWindow:
    """The follow-up months pooled for one follow-up length, and the cohort months they describe."""

    follow_up: int
    months: tuple[str, ...]  # follow-up months with data, oldest first
    cohorts: tuple[str, ...]  # the months the followed people left their service

    @property
    def empty(self) -> bool:
        return not self.months


def follow_up_window(outcomes: pd.DataFrame, period: Period, follow_up: int, window_months: int) -> FollowUpWindow:
    """The follow-up months of length ``follow_up`` in the ``window_months`` months up to ``period`` that have
    outcome rows."""
    if outcomes.empty or "period" not in outcomes.columns:
        return FollowUpWindow(follow_up, (), ())
    first = str(period.shift(1 - window_months))
    rows = _follow_up_rows(outcomes, follow_up)
    rows = rows[(rows["period"].astype(str) >= first) & (rows["period"].astype(str) <= str(period))]
    months = tuple(sorted(rows["period"].astype(str).unique()))
    cohorts = tuple(sorted(rows["cohort_period"].astype(str).unique()))
    return FollowUpWindow(follow_up, months, cohorts)


def _follow_up_rows(outcomes: pd.DataFrame, follow_up: int) -> pd.DataFrame:
    return outcomes[outcomes["follow_up_months"].astype("int64") == follow_up] if len(outcomes) else outcomes


def effectiveness(services_table: pd.DataFrame, outcomes: pd.DataFrame, params: Params, period: Period) -> pd.DataFrame:
    """Open-market shares 3 and 6 months after the service, cost per open-market outcome and the threshold flag,
    per service type and in total (see the module docstring).

    Columns, for each follow-up f in (3, 6): ``followed_{f}m`` (people followed up), ``open_{f}m`` (of them in
    open-market work), ``other_{f}m`` (the rest), ``share_{f}m``, ``cost_{f}m_eur`` (cost in the cohort months;
    NaN when a cohort month has no services export) and ``cost_per_outcome_{f}m_eur``; then ``judged`` (enough
    people followed at the judged follow-up) and ``below_threshold``. Rows: ``service_type`` in the export's
    order, total last; ``label`` in Finnish.
    """
    settings = params.areas.services
    outcomes = _up_to(outcomes, period)
    services_table = _up_to(services_table, period)
    out = pd.DataFrame({"service_type": [*SERVICE_TYPES, TOTAL]})
    for follow_up in FOLLOW_UPS:
        window = follow_up_window(outcomes, period, follow_up, settings.effectiveness_window_months)
        rows = _follow_up_rows(outcomes, follow_up)
        rows = rows[rows["period"].astype(str).isin(window.months)] if len(rows) else rows
        counts = (
            _numbers(rows, ["ended", "open_market"]).groupby(rows["service_type"].astype(str)).sum()
            if len(rows)
            else pd.DataFrame(columns=["ended", "open_market"], dtype="float64")
        ).reindex(list(SERVICE_TYPES), fill_value=0.0)
        cohort_rows = services_table[services_table["period"].astype(str).isin(window.cohorts)]
        cost = (
            cohort_rows["cost_eur"].astype("float64").groupby(cohort_rows["service_type"].astype(str)).sum()
            if len(cohort_rows)
            else pd.Series(dtype="float64")
        ).reindex(list(SERVICE_TYPES), fill_value=0.0)
        followed = [*counts["ended"].tolist(), float(counts["ended"].sum())]
        opened = [*counts["open_market"].tolist(), float(counts["open_market"].sum())]
        # a cohort month without its services export has an unknown cost (not zero)
        costed = set(services_table["period"].astype(str)) if len(services_table) else set()
        known = not window.empty and set(window.cohorts) <= costed
        costs = [*cost.tolist(), float(cost.sum())] if known else [math.nan] * (len(SERVICE_TYPES) + 1)
        tag = f"{follow_up}m"
        out[f"followed_{tag}"] = followed
        out[f"open_{tag}"] = opened
        out[f"other_{tag}"] = [f - o for f, o in zip(followed, opened, strict=True)]
        out[f"share_{tag}"] = [o / f if f > 0 else math.nan for f, o in zip(followed, opened, strict=True)]
        out[f"cost_{tag}_eur"] = costs
        out[f"cost_per_outcome_{tag}_eur"] = [c / o if o > 0 else math.nan for c, o in zip(costs, opened, strict=True)]
    judged_tag = f"{settings.effectiveness_follow_up_months}m"
    out["judged"] = (out[f"followed_{judged_tag}"] >= settings.min_followed) & (out["service_type"] != TOTAL)
    out["below_threshold"] = out["judged"] & (out[f"share_{judged_tag}"] < settings.effectiveness_threshold_share)
    out["label"] = [SERVICE_LABELS[s] for s in out["service_type"]]
    return out


def flagged(table: pd.DataFrame) -> list[str]:
    """The service types below the effectiveness threshold (codes, in the table's order)."""
    return table.loc[table["below_threshold"].astype(bool), "service_type"].astype(str).tolist()


# ---- statutory service level -----------------------------------------------------------------------------------


SERVICE_LEVEL_COUNTS: tuple[str, ...] = (
    "new_jobseekers",
    "initial_interviews",
    "within_deadline",
    "interviews_within_5wd",
    "interviews_within_10wd",
    "discussions_due",
    "discussions_on_time",
)
# (part, rest, whole, share) of the service level: part + rest = whole, share = part / whole.
SERVICE_LEVEL_PAIRS: tuple[tuple[str, str, str, str], ...] = (
    ("within_deadline", "interviews_late", "initial_interviews", "deadline_share"),
    ("discussions_on_time", "discussions_late", "discussions_due", "discussions_share"),
)


def service_level(events: pd.DataFrame, params: Params, period: Period, months: int) -> pd.DataFrame:
    """The statutory service level per month over the last ``months`` months up to ``period``.

    Columns: ``month``, ``deadline_days`` (the initial-interview deadline in force, working days),
    ``interval_months`` (job-search discussion interval in force), the month's counts (all age groups):
    ``new_jobseekers``, ``initial_interviews``, ``within_deadline`` (interviews within the deadline in force),
    ``interviews_within_5wd``, ``interviews_within_10wd``, ``discussions_due``, ``discussions_on_time``; and the
    shares ``deadline_share`` (within_deadline / initial_interviews), ``share_5wd``, ``share_10wd`` and
    ``discussions_share`` (on time / due); NaN when the denominator is zero.
    """
    events = _up_to(events, period)
    wanted = history_months(events, period, months)
    summed = [c for c in SERVICE_LEVEL_COUNTS if c != "within_deadline"]
    part = events[events["period"].astype(str).isin(wanted)] if wanted else events
    counts = (
        _numbers(part, summed).groupby(part["period"].astype(str)).sum() if len(part) else pd.DataFrame(columns=summed)
    ).reindex(wanted, fill_value=0.0)
    out = counts.reset_index(names="month")
    rules = [params.service_level_rule(Period.parse(m)) for m in wanted]
    out["deadline_days"] = [r.initial_interview_working_days for r in rules]
    out["interval_months"] = [r.job_search_discussion_interval_months for r in rules]
    # the month's sums hold both counts (within 5 and within 10 working days): take the one of the rule in force
    out["within_deadline"] = [
        float(customer_events.interviews_within_deadline(counts, r.initial_interview_working_days).iloc[i])
        for i, r in enumerate(rules)
    ]
    out = out[["month", "deadline_days", "interval_months", *SERVICE_LEVEL_COUNTS]].astype(
        {c: "float64" for c in SERVICE_LEVEL_COUNTS}
    )
    for share, part, whole in (
        ("deadline_share", "within_deadline", "initial_interviews"),
        ("share_5wd", "interviews_within_5wd", "initial_interviews"),
        ("share_10wd", "interviews_within_10wd", "initial_interviews"),
        ("discussions_share", "discussions_on_time", "discussions_due"),
    ):
        out[share] = out[part].astype("float64") / out[whole].astype("float64").where(out[whole] > 0)
    out["interviews_late"] = out["initial_interviews"].astype("float64") - out["within_deadline"].astype("float64")
    out["discussions_late"] = out["discussions_due"].astype("float64") - out["discussions_on_time"].astype("float64")
    return out


# ---- disclosure control of what is published ---------------------------------------------------------------------


def protect(
    table: pd.DataFrame,
    rule: Disclosure,
    groups: tuple[tuple[str, str, str, str], ...] | list[tuple[str, str, str, str]],
    *,
    total_row: object | None = None,
    as_missing: bool = True,
) -> pd.DataFrame:
    """``table`` with the counts of each ``(part, rest, whole, share)`` group protected by disclosure control:
    part + rest = whole on every row (and the rows add up to ``total_row`` if given), small counts and the cells
    that would reveal them hidden, and ``share`` (part / whole) hidden with ``part``. Hidden cells are NaN
    (``as_missing``) or the disclosure symbol (for showing); the other columns are unchanged."""
    out = table.copy() if as_missing else table.astype(object).copy()
    method = disclosure.hide if as_missing else disclosure.suppress
    for part, rest, whole, share in groups:
        masked = method(
            table, rule, counts=[part, rest, whole], derived={share: part}, total_row=total_row, total_col=whole
        )
        for column in (part, rest, whole, share):
            out[column] = masked[column]
    return out


def effectiveness_groups() -> list[tuple[str, str, str, str]]:
    """The (part, rest, whole, share) groups of the effectiveness table, one per follow-up."""
    return [(f"open_{f}m", f"other_{f}m", f"followed_{f}m", f"share_{f}m") for f in FOLLOW_UPS]


def published_effectiveness(table: pd.DataFrame, rule: Disclosure, *, as_missing: bool = True) -> pd.DataFrame:
    """The effectiveness table as it may be published (see :func:`protect`); the costs per outcome are derived
    from the open-market counts and hidden with them."""
    out = protect(table.set_index("service_type", drop=False), rule, effectiveness_groups(), total_row=TOTAL,
                  as_missing=as_missing)  # fmt: skip
    for follow_up in FOLLOW_UPS:
        hidden = out[f"open_{follow_up}m"].map(lambda v: isinstance(v, str) or pd.isna(v))
        column = f"cost_per_outcome_{follow_up}m_eur"
        symbol = math.nan if as_missing else rule.symbol
        out[column] = [symbol if h and not pd.isna(c) else c for h, c in zip(hidden, out[column], strict=True)]
    return out.reset_index(drop=True)


def published_service_level(table: pd.DataFrame, rule: Disclosure, *, as_missing: bool = True) -> pd.DataFrame:
    """The monthly service level as it may be published (see :func:`protect`)."""
    if table.empty:
        return table
    return protect(table, rule, SERVICE_LEVEL_PAIRS, as_missing=as_missing)


# ---- the whole analysis of a month ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServicesAnalysis:
    """Everything the services page shows for one month."""

    period: Period
    params: Params
    volumes: pd.DataFrame
    history: pd.DataFrame  # volume_history
    effectiveness: pd.DataFrame
    windows: dict[int, FollowUpWindow]
    service_level: pd.DataFrame
    level_year_ago: pd.Series | None  # the service level of the same month a year earlier (None without data)
    has_volumes: bool  # the services export of the period is present

    def total(self, column: str) -> float:
        """A column of the effectiveness table's total row."""
        return float(self.effectiveness.loc[self.effectiveness["service_type"] == TOTAL, column].iloc[0])

    def volume_total(self, column: str) -> float:
        """A column of the volume table's total row."""
        return float(self.volumes.loc[self.volumes["service_type"] == TOTAL, column].iloc[0])

    def level_row(self) -> pd.Series | None:
        """The service level of the report month, or ``None`` without data for it."""
        rows = self.service_level[self.service_level["month"] == str(self.period)]
        return rows.iloc[0] if len(rows) else None


def analyse(
    services_table: pd.DataFrame,
    outcomes: pd.DataFrame,
    events: pd.DataFrame,
    params: Params,
    period: Period,
    *,
    history: bool = True,
) -> ServicesAnalysis:
    """All services numbers for ``period`` from the canonical tables (rows after ``period`` are ignored).

    ``history=False`` keeps only the report month in the monthly histories (what the KPIs need).
    """
    settings = params.areas.services
    months = settings.history_months if history else 1
    services_table = _up_to(services_table, period)
    outcomes = _up_to(outcomes, period)
    return ServicesAnalysis(
        period=period,
        params=params,
        volumes=volumes(services_table, period),
        history=volume_history(services_table, period, months),
        effectiveness=effectiveness(services_table, outcomes, params, period),
        windows={f: follow_up_window(outcomes, period, f, settings.effectiveness_window_months) for f in FOLLOW_UPS},
        service_level=service_level(events, params, period, months),
        level_year_ago=_first_row(service_level(events, params, period.shift(-12), 1)),
        has_volumes=bool((services_table["period"].astype(str) == str(period)).any()) if len(services_table) else False,
    )


def _first_row(table: pd.DataFrame) -> pd.Series | None:
    return table.iloc[0] if len(table) else None


def analyse_period(ctx: Context, *, history: bool = True) -> ServicesAnalysis:
    """Load the canonical tables of the workspace and analyse ``ctx.period`` (see :func:`analyse`)."""
    from serviceplan.metrics import load

    return analyse(
        load("services", ctx.period, ctx.workspace),
        load("service_outcomes", ctx.period, ctx.workspace),
        load("customer_events", ctx.period, ctx.workspace),
        ctx.params,
        ctx.period,
        history=history,
    )


# ---- KPIs ----------------------------------------------------------------------------------------------------


def _count(value: float, params: Params) -> float:
    """A count of people as published: NaN when disclosure control hides it (1..min_count-1)."""
    return math.nan if 0 < value < params.disclosure.min_count else value


def kpi_rows(ctx: Context, analysis: ServicesAnalysis) -> pd.DataFrame:
    """The services KPIs of an analysed month (see :func:`kpis`)."""
    params = ctx.params
    settings = params.areas.services
    rows = []
    has = analysis.has_volumes
    for column, kpi, label in (
        ("stock", "services_stock", "Palveluissa kuukauden lopussa"),
        ("starts", "services_starts", "Palveluihin aloittaneet kuukaudessa"),
        ("ends", "services_ends", "Palveluista päättyneet kuukaudessa"),
    ):
        value = _count(analysis.volume_total(column), params) if has else None
        rows.append(kpi_row(ctx, AREA, kpi, label, value, "count"))
    cost = analysis.volume_total("cost_eur") if has else None
    rows.append(kpi_row(ctx, AREA, "services_cost_eur", "Palvelujen kustannus kuukaudessa", cost, "eur"))
    published = published_effectiveness(analysis.effectiveness, params.disclosure).set_index("service_type")
    for follow_up in FOLLOW_UPS:
        share = published.loc[TOTAL, f"share_{follow_up}m"]
        rows.append(
            kpi_row(ctx, AREA, f"open_market_share_{follow_up}m",
                    f"Avoimilla työmarkkinoilla {follow_up} kk palvelun jälkeen", share, "share",
                    settings.open_market_target_share[follow_up], "higher_better")
        )  # fmt: skip
    for follow_up in FOLLOW_UPS:
        value = published.loc[TOTAL, f"cost_per_outcome_{follow_up}m_eur"]
        rows.append(
            kpi_row(ctx, AREA, f"cost_per_open_market_outcome_{follow_up}m_eur",
                    f"Kustannus avoimille työmarkkinoille työllistynyttä kohden ({follow_up} kk)", value, "eur")
        )  # fmt: skip
    judged_tag = f"{settings.effectiveness_follow_up_months}m"
    judged = analysis.effectiveness["judged"].any()
    below = float(len(flagged(analysis.effectiveness))) if judged else None
    rows.append(
        kpi_row(ctx, AREA, "services_below_threshold",
                f"Vaikuttavuuskynnyksen alle jääneet palvelutyypit ({judged_tag.removesuffix('m')} kk)", below,
                "count", 0, "lower_better")
    )  # fmt: skip
    level = published_service_level(analysis.service_level, params.disclosure)
    level = level[level["month"] == str(ctx.period)] if len(level) else level
    rule = params.service_level_rule(ctx.period)
    interview = float(level["deadline_share"].iloc[0]) if len(level) else None
    rows.append(
        kpi_row(ctx, AREA, "initial_interview_on_time_share",
                f"Alkuhaastattelu määräajassa ({rule.initial_interview_working_days} työpäivää)", interview, "share",
                settings.initial_interview_target_share, "higher_better")
    )  # fmt: skip
    discussions = float(level["discussions_share"].iloc[0]) if len(level) else None
    rows.append(
        kpi_row(ctx, AREA, "job_search_discussion_on_time_share", "Työnhakukeskustelut ajallaan", discussions,
                "share", settings.job_search_discussion_target_share, "higher_better")
    )  # fmt: skip
    return frame(rows)


def kpis(ctx: Context) -> pd.DataFrame:
    """The services area's KPI table for ``ctx.period``: people starting, in and leaving services, the month's
    cost, open-market shares 3 and 6 months after a service against the national benchmark, cost per open-market
    outcome, the number of service types below the effectiveness threshold, and the statutory service level
    (initial interviews within the deadline in force, job-search discussions on time) against their targets."""
    return kpi_rows(ctx, analyse_period(ctx, history=False))


def kpis_with_changes(ctx: Context, analysis: ServicesAnalysis) -> pd.DataFrame:
    """:func:`kpis` beside the same KPIs a month and a year earlier (:func:`serviceplan.metrics.with_changes`),
    reusing the page's analysis of the report month instead of analysing it again
    (the page's analysis keeps the monthly histories, which the KPIs do not read)."""
    return with_changes(kpis, ctx, first_period=services.DATASET.first_period, current=kpi_rows(ctx, analysis))
