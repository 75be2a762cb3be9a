"""Target-group metrics: policy line 2 of the plan (section "2. Kohderyhmä").

The plan points the most effective services at young people and at the newly unemployed (0–6 months), so that
unemployment does not become long-term and the city's share of benefit costs does not grow; every customer under
25 gets a named personal advisor, and Ohjaamo serves everyone under 30, anonymously too. This module turns the
canonical tables ``statfin`` (public statistics: stocks by age and by duration of unemployment, the flow into
over three months of unemployment; Lahti and its comparison regions) and ``customer_events`` (the city's client
system: named advisors and Ohjaamo visits by age group) into those numbers. Every function is pure.

Outflow estimates
-----------------
The statistics publish stocks and one flow, not the fate of each spell, so both outflow figures are estimates
from aggregates (the page says so, :func:`serviceplan.metrics.target_groups_text.method_text`). "Ended" means
left open unemployment for any reason: a job, a service (people in services are not counted as unemployed),
studies or leaving the labour force.

* *Ended before three months* (``outflow_3m``): everyone unemployed for under 3 months at the end of month t−3
  (table 12ta, class 0–3 months) passes the 3-month mark during months t−2..t unless the unemployment ends first,
  and whoever passes it then is in the flow into over 3 months (table 12ts) of one of those months::

      outflow_3m(t) = 1 − (flow(t−2) + flow(t−1) + flow(t)) / dur_0_3(t−3)

* *Ended within six months* (``outflow_6m``): the newly unemployed (classes 0–3 and 3–6 months) at the end of
  month t−6 are in class 6–12 months at the end of month t if still unemployed::

      outflow_6m(t) = 1 − dur_6_12(t) / (dur_0_3(t−6) + dur_3_6(t−6))

Caveats: an interrupted spell (a short job or a service) starts its duration again, people move between
municipalities, and the newest month's flow is a preliminary figure revised the next month. Months without the
needed history give NaN, never a guess.

Disclosure: counts of people in the KPI table are published, so a count of 1..``disclosure.min_count``-1 is
given as NaN, as is a share that would reveal one (the share of under-25s with a named advisor when those
without one are that few).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from serviceplan.core.params import Disclosure, Params
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.sources import customer_events, statfin
from serviceplan.metrics import comparison, load, monthly, with_changes
from serviceplan.metrics.kpis import Context, frame, judge, kpi_row

AREA = "target_groups"

# Measures of the statistics the page reads (statfin.MEASURES).
DURATIONS: tuple[str, ...] = ("dur_0_3", "dur_3_6", "dur_6_12", "dur_12_24", "dur_24_plus")
MEASURES: tuple[str, ...] = ("unemployed", "rate", "under25", "under30", "long_term", "flow_over_3m", *DURATIONS)
DURATION_LABELS: dict[str, str] = {
    "dur_0_3": "alle 3 kk",
    "dur_3_6": "3–6 kk",
    "dur_6_12": "6–12 kk",
    "dur_12_24": "12–24 kk",
    "dur_24_plus": "yli 24 kk",
}

# Age groups of the client system's report (customer_events canonical codes).
UNDER_25 = "under_25"
ADVISOR_GROUPS: tuple[str, ...] = customer_events.UNDER_25
ADVISOR_LABELS: dict[str, str] = {
    "under_20": "alle 20-vuotiaat",
    "20_24": "20–24-vuotiaat",
    UNDER_25: "alle 25-vuotiaat",
}
OHJAAMO_GROUPS: tuple[str, ...] = ("under_20", "20_24", "25_29", "anonymous")
OHJAAMO_TOTAL = "total"
OHJAAMO_LABELS: dict[str, str] = {
    "under_20": "alle 20-v.",
    "20_24": "20–24-v.",
    "25_29": "25–29-v.",
    "anonymous": "nimettömät",
    OHJAAMO_TOTAL: "yhteensä",
}


# ---- public statistics ---------------------------------------------------------------------------------------


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator`` element-wise, NaN where the denominator is missing or not positive."""
    den = denominator.astype("float64")
    return (numerator.astype("float64") / den.where(den > 0)).astype("float64")


def complete_months(wide: pd.DataFrame, measures: tuple[str, ...] = MEASURES) -> pd.DataFrame:
    """A region's wide table (:func:`serviceplan.inputs.sources.statfin.wide`) with every calendar month between its
    first and last month as a row (NaN where a month is missing) and every one of ``measures`` as a column, so that
    shifting by n rows means n months."""
    if wide.empty:
        return pd.DataFrame(columns=list(measures), dtype="float64")
    months = [str(p) for p in month_range(Period.parse(str(wide.index.min())), Period.parse(str(wide.index.max())))]
    table = wide.copy()
    table.index = table.index.astype(str)
    return table.reindex(index=months, columns=list(measures)).astype("float64")


def indicators(wide: pd.DataFrame) -> pd.DataFrame:
    """A region's monthly indicators of the target groups from its wide statistics table.

    Columns: the stocks ``unemployed``, ``under25``, ``under30``, ``age_25_29`` (under 30 minus under 25),
    ``newly_unemployed`` (0–6 months), ``long_term`` and the duration classes; the flow ``flow_over_3m``; the
    shares (0..1) ``rate`` (unemployment rate), ``under25_share``, ``under30_share``, ``long_term_share`` (of the
    unemployed), ``flow_rate`` (flow into over 3 months / the 0–3 month class at the end of the month before) and
    the estimates ``outflow_3m`` and ``outflow_6m`` (see the module docstring). Index: month ``YYYY-MM``.
    """
    w = complete_months(wide)
    out = pd.DataFrame(index=w.index)
    out["unemployed"] = w["unemployed"]
    out["under25"] = w["under25"]
    out["under30"] = w["under30"]
    out["age_25_29"] = w["under30"] - w["under25"]
    out["newly_unemployed"] = w["dur_0_3"] + w["dur_3_6"]
    out["long_term"] = w["long_term"]
    for column in DURATIONS:
        out[column] = w[column]
    out["flow_over_3m"] = w["flow_over_3m"]
    out["rate"] = w["rate"] / 100.0
    out["under25_share"] = ratio(w["under25"], w["unemployed"])
    out["under30_share"] = ratio(w["under30"], w["unemployed"])
    out["long_term_share"] = ratio(w["long_term"], w["unemployed"])
    out["flow_rate"] = ratio(w["flow_over_3m"], w["dur_0_3"].shift(1))
    crossed = w["flow_over_3m"].rolling(3, min_periods=3).sum()  # NaN unless all three months are known
    out["outflow_3m"] = 1.0 - ratio(crossed, w["dur_0_3"].shift(3))
    out["outflow_6m"] = 1.0 - ratio(w["dur_6_12"], out["newly_unemployed"].shift(6))
    out.index.name = "month"
    return out


def region_names(params: Params) -> dict[str, str]:
    """The report's regions, the reporting municipality first: statistics code -> Finnish name (parameters
    ``regions``: the municipality, its employment area where published, its region and the whole country)."""
    return {code: params.regions.name(code) for code in params.regions.report_regions()}


# ---- the city's client system --------------------------------------------------------------------------------


_ADVISOR_COLUMNS = ["month", "group", "customers", "named_advisor", "without_advisor", "share"]


def advisor_coverage(events: pd.DataFrame) -> pd.DataFrame:
    """Named personal advisors of the under-25 customers per month: a row per age group (``under_20``, ``20_24``)
    and their total ``under_25``, with ``customers``, ``named_advisor``, ``without_advisor`` and ``share``
    (named / customers; NaN without customers). A group without a row in a month, or a missing number, counts
    zero."""
    if events.empty:
        return pd.DataFrame(columns=_ADVISOR_COLUMNS)
    young = events[events["age_group"].astype(str).isin(ADVISOR_GROUPS)]
    numbers = pd.DataFrame(
        {
            "month": young["period"].astype(str).to_numpy(dtype=object),
            "group": young["age_group"].astype(str).to_numpy(dtype=object),
            "customers": young["customers"].astype("float64").to_numpy(),
            "named_advisor": young["named_advisor"].astype("float64").to_numpy(),
        }
    )
    sums = numbers.groupby(["month", "group"], sort=True)[["customers", "named_advisor"]].sum()
    found = {
        key: (float(customers), float(named))
        for key, customers, named in zip(sums.index, sums["customers"], sums["named_advisor"], strict=True)
    }
    parts = []
    for month in sorted(set(numbers["month"])):
        values = {group: found.get((month, group), (0.0, 0.0)) for group in ADVISOR_GROUPS}
        customers, named = values[ADVISOR_GROUPS[0]]
        for group in ADVISOR_GROUPS[1:]:  # the total in the groups' order, as a column sum adds them
            customers, named = customers + values[group][0], named + values[group][1]
        values[UNDER_25] = (customers, named)
        for group in [*ADVISOR_GROUPS, UNDER_25]:
            customers, named = values[group]
            parts.append(
                {
                    "month": month,
                    "group": group,
                    "customers": customers,
                    "named_advisor": named,
                    "without_advisor": customers - named,
                    "share": named / customers if customers > 0 else math.nan,
                }
            )
    return pd.DataFrame(parts, columns=_ADVISOR_COLUMNS)


def ohjaamo_visits(events: pd.DataFrame) -> pd.DataFrame:
    """Ohjaamo visits per month (index ``YYYY-MM``) by age group and anonymous (:data:`OHJAAMO_GROUPS`) and their
    ``total``."""
    columns = [*OHJAAMO_GROUPS, OHJAAMO_TOTAL]
    if events.empty:
        return pd.DataFrame(columns=columns, dtype="float64")
    table = events.pivot_table(
        index=events["period"].astype(str),
        columns=events["age_group"].astype(str),
        values="ohjaamo_visits",
        aggfunc="sum",
    )
    table = table.reindex(columns=list(OHJAAMO_GROUPS)).astype("float64").fillna(0.0)
    table[OHJAAMO_TOTAL] = table.sum(axis=1)
    table.index.name = "month"
    table.columns.name = None
    return table


# ---- disclosure of published KPI values ----------------------------------------------------------------------


def is_small(count: float | None, rule: Disclosure) -> bool:
    """Whether ``count`` is a small count that must not be published (1..``min_count``-1)."""
    return count is not None and not pd.isna(count) and 0 < float(count) < rule.min_count


def shown_count(count: float | None, rule: Disclosure) -> float:
    """A count of people as it may be published: NaN when it is a small count (or missing)."""
    if count is None or pd.isna(count) or is_small(count, rule):
        return math.nan
    return float(count)


def advisor_share_shown(named: float, customers: float, rule: Disclosure) -> float:
    """The share with a named advisor as it may be published: NaN when those with or those without an advisor are
    a small count (customers − named = without, so the share and the customers would reveal it)."""
    if pd.isna(named) or pd.isna(customers) or customers <= 0:
        return math.nan
    if is_small(named, rule) or is_small(customers - named, rule):
        return math.nan
    return named / customers


def year_on_year_target(year_ago: float | None, max_change: float | None) -> float | None:
    """A target of "at most the year-ago value changed by ``max_change``" (``0.0``: no growth); ``None`` without a
    year-ago value or a setting."""
    if max_change is None or year_ago is None or pd.isna(year_ago):
        return None
    return float(year_ago) * (1.0 + max_change)


# ---- the analysed month --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetGroupAnalysis:
    """Everything the page and the KPI table show for one month."""

    period: Period
    params: Params
    regions: dict[str, str]  # statistics code -> Finnish name, Lahti first
    by_region: dict[str, pd.DataFrame]  # :func:`indicators` per region
    benchmark: pd.DataFrame  # :func:`indicators` of the outflow benchmark region (empty without one)
    advisor: pd.DataFrame  # :func:`advisor_coverage`
    ohjaamo: pd.DataFrame  # :func:`ohjaamo_visits`
    statistics_updated: pd.Timestamp | None  # publication stamp of the newest statistics used
    cities: comparison.Comparison  # the reporting municipality among the largest cities

    @property
    def own_data(self) -> bool:
        """Whether the city's client system reports are the reporting municipality's (else not shown)."""
        return self.params.regions.has_own_data

    @property
    def home(self) -> str:
        """The reporting municipality's statistics code."""
        return self.params.regions.municipality

    def at(self, region: str | None = None, months_back: int = 0) -> pd.Series:
        """A region's indicators (default Lahti) for the report month, or ``months_back`` months earlier; all NaN
        when the statistics do not reach that month."""
        table = self.by_region.get(region or self.home, pd.DataFrame())
        return monthly.row_or_nan(table, self.period.shift(-months_back))

    def benchmark_at(self) -> pd.Series:
        """The outflow benchmark region's indicators for the report month (all NaN without one)."""
        return monthly.row_or_nan(self.benchmark, self.period)

    def advisor_row(self, group: str = UNDER_25, months_back: int = 0) -> pd.Series | None:
        """A row of :attr:`advisor` for the report month (or earlier); ``None`` without data."""
        month = str(self.period.shift(-months_back))
        rows = self.advisor[(self.advisor["month"] == month) & (self.advisor["group"] == group)]
        return rows.iloc[0] if len(rows) else None

    def history(self, first: Period | None = None) -> list[str]:
        """The months of the page's monthly charts: ``history_months`` up to the report month, not before ``first``."""
        return monthly.chart_months(self.period, self.params.areas.target_groups.history_months, first)

    def compare(self, column: str, months: list[str]) -> pd.DataFrame:
        """One indicator of every region per month: ``month`` and a column per region code."""
        return monthly.by_region(self.by_region, column, months)


def analyse(statistics: pd.DataFrame, events: pd.DataFrame, params: Params, period: Period) -> TargetGroupAnalysis:
    """Analyse ``period`` from the statistics rows known then (:func:`serviceplan.inputs.sources.statfin.latest`) and
    the client system's rows (any months; later months are ignored)."""
    regions = region_names(params)
    by_region = {code: indicators(statfin.wide(statistics, code)) for code in regions}
    bench_code = params.areas.target_groups.outflow_benchmark_region
    if bench_code is None:
        benchmark = pd.DataFrame()
    else:
        benchmark = by_region.get(bench_code)
        if benchmark is None:
            benchmark = indicators(statfin.wide(statistics, bench_code))
    events = events[events["period"].astype(str) <= str(period)] if len(events) else events
    updated = None
    if len(statistics) and "updated" in statistics.columns:
        updated = pd.Timestamp(statistics["updated"].max())
    return TargetGroupAnalysis(
        period=period,
        params=params,
        regions=regions,
        by_region=by_region,
        benchmark=benchmark,
        advisor=advisor_coverage(events),
        ohjaamo=ohjaamo_visits(events),
        statistics_updated=updated,
        cities=comparison.analyse(statistics, params, period),
    )


def analyse_period(ctx: Context) -> TargetGroupAnalysis:
    """Load the canonical tables up to ``ctx.period`` and analyse it (the client system's reports only when they
    are the reporting municipality's own, parameters ``regions``)."""
    statistics = load("statfin", ctx.period, ctx.workspace)
    own = ctx.params.regions.has_own_data
    events = load("customer_events", ctx.period, ctx.workspace) if own else pd.DataFrame()
    return analyse(statistics, events, ctx.params, ctx.period)


# ---- KPI table -----------------------------------------------------------------------------------------------

KPI_LABELS: dict[str, str] = {
    "under25_unemployed": "Alle 25-vuotiaat työttömät",
    "under30_unemployed": "Alle 30-vuotiaat työttömät",
    "newly_unemployed": "Alle 6 kk työttömänä olleet",
    "outflow_3m": "Työttömyys päättyi ennen 3 kk:n rajaa (arvio)",
    "outflow_6m": "Alle 6 kk työttömistä ei enää työttömänä 6 kk:n päästä (arvio)",
    "flow_over_3m": "Yli 3 kk työttömyyteen siirtyneet",
    "long_term_unemployed": "Pitkäaikaistyöttömät (yli 12 kk)",
    "named_advisor_under25": "Alle 25-vuotiaista asiakkaista nimetty omatyöntekijä",
    "ohjaamo_visits": "Ohjaamo-käynnit",
}


# KPIs from the city's client system (customer_events), left out for a municipality without its own data.
OWN_DATA_KPIS: tuple[str, ...] = ("named_advisor_under25", "ohjaamo_visits")


def kpi_rows(ctx: Context, analysis: TargetGroupAnalysis) -> pd.DataFrame:
    """The area's KPI table from an analysed month (see :func:`kpis`)."""
    settings = ctx.params.areas.target_groups
    rule = ctx.params.disclosure
    now = analysis.at()
    ago = analysis.at(months_back=12)
    bench = analysis.benchmark_at()
    advisor = analysis.advisor_row()
    ohjaamo = (
        analysis.ohjaamo.loc[str(ctx.period), OHJAAMO_TOTAL] if str(ctx.period) in analysis.ohjaamo.index else None
    )
    if advisor is None:
        advisor_value, advisor_status = math.nan, "none"
    else:
        advisor_value = advisor_share_shown(advisor["named_advisor"], advisor["customers"], rule)
        # the status follows the true share: it tells only on which side of the target the share is
        advisor_status = judge(advisor["share"], settings.named_advisor_under25_target, "higher_better")

    def row(kpi: str, value: float | None, unit: str, direction: str = "none", target: float | None = None) -> dict:
        shown = shown_count(value, rule) if unit == "count" else value
        return kpi_row(ctx, AREA, kpi, KPI_LABELS[kpi], shown, unit, target, direction)  # type: ignore[arg-type]

    def bench_target(column: str) -> float | None:
        value = bench.get(column, math.nan)
        return None if pd.isna(value) else float(value)

    rows = [
        row("under25_unemployed", now["under25"], "count", "lower_better"),
        row("under30_unemployed", now["under30"], "count", "lower_better"),
        row("newly_unemployed", now["newly_unemployed"], "count"),
        row("outflow_3m", now["outflow_3m"], "share", "higher_better", bench_target("outflow_3m")),
        row("outflow_6m", now["outflow_6m"], "share", "higher_better", bench_target("outflow_6m")),
        row(
            "flow_over_3m",
            now["flow_over_3m"],
            "count",
            "lower_better",
            year_on_year_target(ago["flow_over_3m"], settings.flow_over_3m_max_change_yoy),
        ),
        row(
            "long_term_unemployed",
            now["long_term"],
            "count",
            "lower_better",
            year_on_year_target(ago["long_term"], settings.long_term_max_change_yoy),
        ),
        kpi_row(
            ctx,
            AREA,
            "named_advisor_under25",
            KPI_LABELS["named_advisor_under25"],
            advisor_value,
            "share",
            settings.named_advisor_under25_target,
            "higher_better",
            status=advisor_status,
        ),
        row("ohjaamo_visits", ohjaamo, "count", "higher_better"),
    ]
    if not analysis.own_data:  # the client system's KPIs belong to the city whose system it is
        rows = [r for r in rows if r["kpi"] not in OWN_DATA_KPIS]
    return frame([*rows, *comparison.kpi_rows(ctx, analysis.cities, AREA)])


def kpis(ctx: Context) -> pd.DataFrame:
    """The target-group area's KPI table for ``ctx.period``: young unemployed (under 25, under 30), the newly
    unemployed and the outflow estimates (targets: the benchmark region's estimates), the flow into over 3 months
    and the long-term unemployed (targets: the year-ago level), the share of under-25 customers with a named
    advisor (target from the plan: all) and the Ohjaamo visits (these two only with the city's own data), and the
    municipality's places among the largest cities (:mod:`serviceplan.metrics.comparison`)."""
    return kpi_rows(ctx, analyse_period(ctx))


def kpis_with_changes(ctx: Context, analysis: TargetGroupAnalysis) -> pd.DataFrame:
    """:func:`kpis` beside the same KPIs a month and a year earlier (:func:`serviceplan.metrics.with_changes`),
    reusing the page's analysis of the report month instead of analysing it again."""
    return with_changes(kpis, ctx, first_period=statfin.DATASET.first_period, current=kpi_rows(ctx, analysis))
