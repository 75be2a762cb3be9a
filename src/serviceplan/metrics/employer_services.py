"""Employer services: plan section 7 (Työnantajapalvelut).

The plan: the city has working employer and business services, meaning working job brokerage and cooperation
with Ladec (the city's business development company) and the region's educational institutions, drawn closer
together so that people are placed in work faster. This module turns two inputs into those numbers; every
function is pure (tables and parameters in, tables out):

* ``statfin`` (public employment service statistics, Lahti ``KU398``): open vacancies at the month's end and new
  vacancies of the month, the labour market's side, from 2024 on;
* ``employer_services`` (the team's monthly report, from 2025 on): vacancies received, filled and open, people
  placed, time to fill (median and mean days), employer visits and calls, cooperation events with Ladec and with
  educational institutions, by occupational field with a total row.

Definitions
-----------
* *Fill rate* = vacancies filled in the month / vacancies received in the month. A vacancy filled this month may
  have been received earlier, so the rate is a flow ratio, not a cohort's share (the report has no cohorts).
* *Time to fill*: the report's median and mean days from notice to filling over the vacancies filled in the
  month. The total row's median cannot be rebuilt from the fields' and is read from the total row. A mean over
  several months is the mean of the monthly means weighted by the vacancies filled.
* *Employer contacts* = visits + calls. *Cooperation events* year to date are compared with the year's target
  pro rata: annual target x month / 12.
* Placements are people: a count of 1..``min_count``-1 is not published (:func:`publishable_count`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from serviceplan.core.params import EmployerServicesParams, Params
from serviceplan.core.periods import Period
from serviceplan.inputs.sources import employer_services, statfin
from serviceplan.metrics import comparison, with_changes
from serviceplan.metrics.kpis import Context, frame, kpi_row

AREA = "employer_services"
TOTAL = employer_services.TOTAL_CODE
TOTAL_LABEL = "Yhteensä"
FIELDS: tuple[str, ...] = tuple(employer_services.FIELDS.values())
FIELD_LABELS: dict[str, str] = {
    **{code: label for label, code in employer_services.FIELDS.items()},
    TOTAL: TOTAL_LABEL,
}
# Public statistics measures the page reads (serviceplan.inputs.sources.statfin.MEASURES).
STAT_MEASURES: dict[str, str] = {"open_vacancies": "stat_open_vacancies", "new_vacancies": "stat_new_vacancies"}

MONTHLY_COLUMNS: tuple[str, ...] = (
    "month",
    "stat_open_vacancies",
    "stat_new_vacancies",
    "received",
    "filled",
    "open",
    "placements",
    "fill_rate",
    "median_days",
    "mean_days",
    "visits",
    "calls",
    "contacts",
    "events_ladec",
    "events_education",
)
_REPORT_COLUMNS: dict[str, str] = {
    "vacancies_received": "received",
    "vacancies_filled": "filled",
    "vacancies_open": "open",
    "placements": "placements",
    "days_to_fill_median": "median_days",
    "days_to_fill_mean": "mean_days",
    "employer_visits": "visits",
    "employer_calls": "calls",
    "events_ladec": "events_ladec",
    "events_education": "events_education",
}


def publishable_count(value: float | None, min_count: int) -> float:
    """A count of people for publishing: NaN when it is 1..``min_count``-1 (or missing), else the count."""
    if value is None or pd.isna(value):
        return math.nan
    return math.nan if 0 < float(value) < min_count else float(value)


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; NaN when the denominator is 0 or either is missing."""
    if pd.isna(numerator) or pd.isna(denominator) or float(denominator) == 0:
        return math.nan
    return float(numerator) / float(denominator)


def lahti_statistics(statfin_table: pd.DataFrame, region: str) -> pd.DataFrame:
    """The public statistics' vacancy measures of ``region`` per month (``month`` and :data:`STAT_MEASURES`
    columns; NaN where the statistics hide a value or have none). Input: ``data.load("statfin", ...)`` rows."""
    columns = ["month", *STAT_MEASURES.values()]
    if statfin_table.empty:
        return pd.DataFrame(columns=columns)
    wide = statfin.wide(statfin_table, region)
    out = pd.DataFrame({"month": [str(m) for m in wide.index]})
    for measure, column in STAT_MEASURES.items():
        out[column] = wide[measure].astype("float64").to_numpy() if measure in wide.columns else math.nan
    return out[columns]


def monthly_table(report: pd.DataFrame, statistics: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """One row per month of ``months``: the public statistics' vacancies beside the employer services' total row
    (NaN where a source has no month), with the fill rate and contacts computed (see the module docstring)."""
    totals = report[report["is_total"].astype(bool)] if len(report) else report
    totals = totals.set_index(totals["period"].astype(str)) if len(totals) else totals
    stats = statistics.set_index("month") if len(statistics) else statistics
    rows = []
    for month in months:
        row: dict[str, object] = {"month": month}
        for column in STAT_MEASURES.values():
            row[column] = float(stats.at[month, column]) if month in stats.index else math.nan
        for source, column in _REPORT_COLUMNS.items():
            row[column] = float(totals.at[month, source]) if month in totals.index else math.nan
        row["fill_rate"] = ratio(row["filled"], row["received"])  # type: ignore[arg-type]
        row["contacts"] = row["visits"] + row["calls"]  # type: ignore[operator]
        rows.append(row)
    return pd.DataFrame(rows, columns=list(MONTHLY_COLUMNS))


FIELD_COLUMNS: tuple[str, ...] = (
    "field",
    "label",
    "received",
    "filled",
    "open",
    "placements",
    "fill_rate",
    "median_days",
    "mean_days",
    "visits",
    "calls",
    "events_ladec",
    "events_education",
)


def by_field(report: pd.DataFrame, period: Period | str) -> pd.DataFrame:
    """The month's report by occupational field (every field, in the report's order) and its total row, with the
    fill rate; empty when the month's report is not in."""
    month = report[report["period"].astype(str) == str(period)] if len(report) else report
    if month.empty:
        return pd.DataFrame(columns=list(FIELD_COLUMNS))
    month = month.set_index(month["field"].astype(str))
    rows = []
    for field in (*FIELDS, TOTAL):
        row: dict[str, object] = {"field": field, "label": FIELD_LABELS[field]}
        for source, column in _REPORT_COLUMNS.items():
            row[column] = float(month.at[field, source]) if field in month.index else math.nan
        row["fill_rate"] = ratio(row["filled"], row["received"])  # type: ignore[arg-type]
        rows.append(row)
    return pd.DataFrame(rows)[list(FIELD_COLUMNS)]


@dataclass(frozen=True)
class YearToDate:
    """Sums of the year's months up to the period (only months with a report count)."""

    months: int  # reports in the year so far
    received: float
    filled: float
    placements: float
    events_ladec: float
    events_education: float
    mean_days: float  # mean of the monthly means weighted by vacancies filled
    events_ladec_target: float  # the year's target pro rata (NaN without a target)
    events_education_target: float


def pro_rata(annual: float | None, period: Period) -> float:
    """The part of an annual target due by the end of ``period``: ``annual x month / 12`` (NaN without one)."""
    return math.nan if annual is None else float(annual) * period.month / 12


def year_to_date(monthly: pd.DataFrame, period: Period, settings: EmployerServicesParams) -> YearToDate:
    """The year's sums up to ``period`` from a :func:`monthly_table` (months of other years are ignored)."""
    year = monthly[monthly["month"].astype(str).str.startswith(f"{period.year}-")]
    year = year[(year["month"].astype(str) <= str(period)) & year["received"].notna()]
    filled = year["filled"].astype("float64")
    weighted = (year["mean_days"].astype("float64") * filled).sum()
    return YearToDate(
        months=len(year),
        received=float(year["received"].sum()),
        filled=float(filled.sum()),
        placements=float(year["placements"].sum()),
        events_ladec=float(year["events_ladec"].sum()),
        events_education=float(year["events_education"].sum()),
        mean_days=ratio(weighted, filled.sum()),
        events_ladec_target=pro_rata(settings.events_ladec_per_year_target, period),
        events_education_target=pro_rata(settings.events_education_per_year_target, period),
    )


def window(period: Period, months: int) -> list[str]:
    """The ``months`` months up to and including ``period`` (``YYYY-MM``), oldest first."""
    return [str(period.shift(-i)) for i in range(months - 1, -1, -1)]


# ---- the whole analysis of a month ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployerAnalysis:
    """Everything the employer services page shows for one month."""

    period: Period
    params: Params
    monthly: pd.DataFrame  # monthly_table over the page's window (history_months)
    fields: pd.DataFrame  # by_field of the period
    ytd: YearToDate
    cities: comparison.Comparison  # the reporting municipality among the largest cities

    @property
    def own_data(self) -> bool:
        """Whether the employer services' reports are the reporting municipality's (else not shown)."""
        return self.params.regions.has_own_data

    @property
    def settings(self) -> EmployerServicesParams:
        """The page's parameters."""
        return self.params.areas.employer_services

    @property
    def has_report(self) -> bool:
        """Whether the employer services' report of the period is in."""
        return not self.fields.empty

    def month(self, period: Period | str | None = None) -> pd.Series:
        """The monthly row of ``period`` (default: the report's period); all NaN outside the window."""
        wanted = str(period or self.period)
        rows = self.monthly[self.monthly["month"] == wanted]
        if rows.empty:
            return pd.Series({c: math.nan for c in MONTHLY_COLUMNS} | {"month": wanted})
        return rows.iloc[0]

    @property
    def report_months(self) -> list[str]:
        """The months of the window that have the employer services' report."""
        return self.monthly.loc[self.monthly["received"].notna(), "month"].astype(str).tolist()


def analyse(report: pd.DataFrame, statfin_table: pd.DataFrame, params: Params, period: Period) -> EmployerAnalysis:
    """All numbers of the employer services page for ``period`` (rows of later months are ignored; the
    statistics as known for the period, :func:`serviceplan.inputs.sources.statfin.latest`)."""
    settings = params.areas.employer_services
    report = report[report["period"].astype(str) <= str(period)] if len(report) else report
    statistics = lahti_statistics(statfin_table, params.regions.municipality)
    months = window(period, max(settings.history_months, period.month))  # the whole year for the year to date
    monthly = monthly_table(report, statistics, months)
    return EmployerAnalysis(
        period=period,
        params=params,
        monthly=monthly[monthly["month"].isin(window(period, settings.history_months))].reset_index(drop=True),
        fields=by_field(report, period),
        ytd=year_to_date(monthly, period, settings),
        cities=comparison.analyse(statfin_table, params, period),
    )


def analyse_period(ctx: Context) -> EmployerAnalysis:
    """Load the canonical tables of the workspace and analyse ``ctx.period`` (the employer services' reports only
    when they are the reporting municipality's own, parameters ``regions``)."""
    from serviceplan.metrics import load

    own = ctx.params.regions.has_own_data
    return analyse(
        load("employer_services", ctx.period, ctx.workspace) if own else pd.DataFrame(),
        load("statfin", ctx.period, ctx.workspace),
        ctx.params,
        ctx.period,
    )


# ---- KPIs --------------------------------------------------------------------------------------------------


# KPIs from the public statistics; the others come from the employer services' own report.
PUBLIC_KPIS: tuple[str, ...] = ("emp_open_vacancies", "emp_new_vacancies")


def kpi_rows(ctx: Context, analysis: EmployerAnalysis) -> pd.DataFrame:
    """The employer services KPIs of an analysed month (see :func:`kpis`)."""
    settings = analysis.settings
    row = analysis.month()
    ytd = analysis.ytd
    placements = publishable_count(row["placements"], ctx.params.disclosure.min_count)
    has_report = analysis.has_report
    rows = [
        kpi_row(ctx, AREA, "emp_open_vacancies", "Avoimet työpaikat kuun lopussa (työnvälitystilasto)",
                row["stat_open_vacancies"], "count"),
        kpi_row(ctx, AREA, "emp_new_vacancies", "Uudet avoimet työpaikat kuukauden aikana (työnvälitystilasto)",
                row["stat_new_vacancies"], "count"),
        kpi_row(ctx, AREA, "emp_vacancies_received", "Työnantajapalveluille ilmoitetut työpaikat",
                row["received"], "count"),
        kpi_row(ctx, AREA, "emp_vacancies_filled", "Täytetyt työpaikat", row["filled"], "count"),
        kpi_row(ctx, AREA, "emp_fill_rate", "Täytettyjen osuus ilmoitetuista", row["fill_rate"], "share",
                settings.fill_rate_target, "higher_better"),
        kpi_row(ctx, AREA, "emp_placements", "Työhön sijoittuneet asiakkaat", placements, "count",
                None, "higher_better"),
        kpi_row(ctx, AREA, "emp_days_to_fill_median", "Täyttöaika, mediaani (päivää)", row["median_days"], "days",
                settings.days_to_fill_median_target, "lower_better"),
        kpi_row(ctx, AREA, "emp_days_to_fill_mean", "Täyttöaika, keskiarvo (päivää)", row["mean_days"], "days",
                settings.days_to_fill_mean_target, "lower_better"),
        kpi_row(ctx, AREA, "emp_employer_contacts", "Työnantajakontaktit (käynnit ja puhelut)", row["contacts"],
                "count", None, "higher_better"),
        kpi_row(ctx, AREA, "emp_events_ladec_ytd", "Yhteistyötapahtumat Ladecin kanssa vuoden alusta",
                ytd.events_ladec if has_report else None, "count",
                None if math.isnan(ytd.events_ladec_target) else ytd.events_ladec_target, "higher_better"),
        kpi_row(ctx, AREA, "emp_events_education_ytd", "Yhteistyötapahtumat oppilaitosten kanssa vuoden alusta",
                ytd.events_education if has_report else None, "count",
                None if math.isnan(ytd.events_education_target) else ytd.events_education_target, "higher_better"),
    ]  # fmt: skip
    if not analysis.own_data:  # the team's report belongs to the city whose employer services made it
        rows = [r for r in rows if r["kpi"] in PUBLIC_KPIS]
    return frame([*rows, *comparison.kpi_rows(ctx, analysis.cities, AREA)])


def kpis(ctx: Context) -> pd.DataFrame:
    """The employer services KPI table for ``ctx.period``: open and new vacancies in the public statistics;
    vacancies received and filled, the fill rate, placements and the time to fill (median and mean) from the
    employer services' report; employer contacts; cooperation events with Ladec and educational institutions year
    to date against the year's targets pro rata."""
    return kpi_rows(ctx, analyse_period(ctx))


def kpis_with_changes(ctx: Context, analysis: EmployerAnalysis) -> pd.DataFrame:
    """:func:`kpis` beside the same KPIs a month and a year earlier (:func:`serviceplan.metrics.with_changes`),
    reusing the page's analysis of the report month instead of analysing it again."""
    return with_changes(kpis, ctx, first_period=statfin.DATASET.first_period, current=kpi_rows(ctx, analysis))
