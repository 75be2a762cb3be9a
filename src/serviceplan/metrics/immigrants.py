"""Immigrant metrics: policy line 8 of the plan (section "8. Maahanmuuttajat").

The plan wants working integration and employment services for immigrant jobseekers: after the integration
period, immigrants are served by the occupation-based teams of their own field like everyone else, and the
services are joined up with International House Lahti (action T8.1, by 31.3.2025). This module turns the
canonical tables ``statfin`` (foreign-national unemployed of Lahti and its comparison regions) and
``immigrants`` (the immigrant services' monthly report by language group) into those numbers. Every function is
pure.

Definitions
-----------
* ``foreign_share``: foreign nationals among the unemployed jobseekers (statistics table 12r5), compared between
  the municipality, its region and the whole country. The unemployment *rate* of foreign nationals (table 12tg:
  their share of the foreign labour force) ranks the municipality among the largest cities
  (:mod:`serviceplan.metrics.comparison`).
* ``move_rate``: people who moved to an occupation-based team during the month / (people in the integration period
  at the month's end + those who moved). The denominator approximates everyone who was in the integration period
  during the month. Its target is ``1 / areas.immigrants.integration_period_months``: if an integration plan lasts
  at most that many months, in a steady state at least that share finishes (and should move on) every month.
* ``training_share``: people in integration training / people in the integration period (the report's contract
  guarantees training is a subset of the integration period).

Disclosure: language groups are small, so every count of people published is checked: the KPI table gives a
count of 1..``disclosure.min_count``-1 (and a rate that would reveal one) as NaN; the tables of the page are
suppressed in :mod:`serviceplan.metrics.immigrants_text`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from serviceplan.core.params import Params
from serviceplan.core.periods import Period
from serviceplan.inputs.sources import immigrants, statfin
from serviceplan.metrics import comparison, load, monthly, with_changes
from serviceplan.metrics.kpis import Context, frame, kpi_row
from serviceplan.metrics.target_groups import complete_months, ratio, region_names, shown_count

AREA = "immigrants"
COUNTS: tuple[str, ...] = immigrants.COUNT_COLUMNS
TOTAL = immigrants.TOTAL_CODE
GROUP_LABELS: dict[str, str] = {code: label for label, code in immigrants.LANGUAGE_GROUPS.items()}
GROUP_LABELS[TOTAL] = "Yhteensä"
FOREIGN_MEASURES: tuple[str, ...] = ("foreign", "unemployed")


def foreign_indicators(wide: pd.DataFrame) -> pd.DataFrame:
    """A region's foreign-national unemployed per month (index ``YYYY-MM``): ``foreign``, ``unemployed`` and
    ``foreign_share`` (foreign / unemployed)."""
    w = complete_months(wide, FOREIGN_MEASURES)
    out = pd.DataFrame(index=w.index)
    out["foreign"] = w["foreign"]
    out["unemployed"] = w["unemployed"]
    out["foreign_share"] = ratio(w["foreign"], w["unemployed"])
    out.index.name = "month"
    return out


_TOTAL_COLUMNS = [*COUNTS, "not_in_training", "training_share", "move_base", "move_rate"]


def monthly_totals(report: pd.DataFrame) -> pd.DataFrame:
    """The immigrant services' totals per month (index ``YYYY-MM``): the report's counts (:data:`COUNTS`) from its
    total rows, ``not_in_training`` (integration period minus training), ``training_share``, ``move_base``
    (integration period + moved) and ``move_rate`` (moved / move_base)."""
    if report.empty:
        return pd.DataFrame(columns=_TOTAL_COLUMNS, dtype="float64")
    rows = immigrants.totals(report)
    table = rows.set_index(rows["period"].astype(str))[list(COUNTS)].astype("float64").sort_index()
    table["not_in_training"] = table["in_integration_period"] - table["in_integration_training"]
    table["training_share"] = ratio(table["in_integration_training"], table["in_integration_period"])
    table["move_base"] = table["in_integration_period"] + table["moved_to_occupation_teams"]
    table["move_rate"] = ratio(table["moved_to_occupation_teams"], table["move_base"])
    table.index.name = "month"
    return table[_TOTAL_COLUMNS]


def language_groups(report: pd.DataFrame, period: Period) -> pd.DataFrame:
    """One month's report by language group, in the report's order with the total row last: ``group`` (canonical
    code), ``label`` (Finnish), the counts, ``integration_share`` (integration period / customers) and
    ``training_share``. Empty without a report for the month."""
    rows = report[report["period"].astype(str) == str(period)] if len(report) else report
    if rows.empty:
        return pd.DataFrame(columns=["group", "label", *COUNTS, "integration_share", "training_share"])
    table = rows.set_index(rows["language_group"].astype(str)).reindex([*immigrants.LANGUAGE_GROUPS.values(), TOTAL])
    out = pd.DataFrame({"group": table.index, "label": [GROUP_LABELS[g] for g in table.index]})
    for column in COUNTS:
        out[column] = table[column].astype("float64").to_numpy()
    out["integration_share"] = ratio(out["in_integration_period"], out["customers"])
    out["training_share"] = ratio(out["in_integration_training"], out["in_integration_period"])
    return out


def move_rate_target(params: Params) -> float | None:
    """The monthly move-rate target: 1 / the integration period's length in months (``None`` when not set)."""
    months = params.areas.immigrants.integration_period_months
    return None if months is None else 1.0 / months


@dataclass(frozen=True)
class ImmigrantAnalysis:
    """Everything the page and the KPI table show for one month."""

    period: Period
    params: Params
    regions: dict[str, str]  # statistics code -> Finnish name, Lahti first
    foreign: dict[str, pd.DataFrame]  # :func:`foreign_indicators` per region
    totals: pd.DataFrame  # :func:`monthly_totals`
    groups: pd.DataFrame  # :func:`language_groups` of the report month
    statistics_updated: pd.Timestamp | None
    cities: comparison.Comparison  # the reporting municipality among the largest cities

    @property
    def own_data(self) -> bool:
        """Whether the immigrant services' reports are the reporting municipality's (else not shown)."""
        return self.params.regions.has_own_data

    @property
    def home(self) -> str:
        """The reporting municipality's statistics code."""
        return self.params.regions.municipality

    def foreign_at(self, region: str | None = None, months_back: int = 0) -> pd.Series:
        """A region's (default Lahti) foreign-national figures for the report month or ``months_back`` earlier."""
        return monthly.row_or_nan(
            self.foreign.get(region or self.home, pd.DataFrame()), self.period.shift(-months_back)
        )

    def totals_at(self, months_back: int = 0) -> pd.Series:
        """The immigrant services' totals for the report month or ``months_back`` earlier (all NaN without)."""
        return monthly.row_or_nan(self.totals, self.period.shift(-months_back))

    @property
    def has_report(self) -> bool:
        """Whether the immigrant services' report of the month is in."""
        return str(self.period) in self.totals.index

    def history(self, first: Period | None = None) -> list[str]:
        """The months of the page's monthly charts: ``history_months`` up to the report month, not before ``first``."""
        return monthly.chart_months(self.period, self.params.areas.immigrants.history_months, first)

    def compare(self, column: str, months: list[str]) -> pd.DataFrame:
        """One indicator of every region per month: ``month`` and a column per region code."""
        return monthly.by_region(self.foreign, column, months)


def analyse(statistics: pd.DataFrame, report: pd.DataFrame, params: Params, period: Period) -> ImmigrantAnalysis:
    """Analyse ``period`` from the statistics rows known then and the immigrant services' reports (later months
    are ignored)."""
    regions = region_names(params)
    report = report[report["period"].astype(str) <= str(period)] if len(report) else report
    updated = None
    if len(statistics) and "updated" in statistics.columns:
        updated = pd.Timestamp(statistics["updated"].max())
    return ImmigrantAnalysis(
        period=period,
        params=params,
        regions=regions,
        foreign={code: foreign_indicators(statfin.wide(statistics, code)) for code in regions},
        totals=monthly_totals(report),
        groups=language_groups(report, period),
        statistics_updated=updated,
        cities=comparison.analyse(statistics, params, period),
    )


def analyse_period(ctx: Context) -> ImmigrantAnalysis:
    """Load the canonical tables up to ``ctx.period`` and analyse it (the immigrant services' reports only when
    they are the reporting municipality's own, parameters ``regions``)."""
    statistics = load("statfin", ctx.period, ctx.workspace)
    own = ctx.params.regions.has_own_data
    report = load("immigrants", ctx.period, ctx.workspace) if own else pd.DataFrame()
    return analyse(statistics, report, ctx.params, ctx.period)


KPI_LABELS: dict[str, str] = {
    "foreign_unemployed": "Työttömät ulkomaan kansalaiset",
    "foreign_share": "Ulkomaan kansalaisten osuus työttömistä",
    "foreign_language_customers": "Vieraskieliset asiakkaat",
    "in_integration_period": "Kotoutumisajalla olevat asiakkaat",
    "in_integration_training": "Kotoutumiskoulutuksessa olevat",
    "moved_to_occupation_teams": "Ammattialatiimeihin siirtyneet kuukauden aikana",
    "move_rate": "Siirtyneiden osuus kotoutumisajalla olleista",  # a share: the label says "osuus", not "%"
    "ihl_contacts": "International House Lahti -yhteydenotot",
}


# KPIs from the public statistics; the others come from the immigrant services' own report.
PUBLIC_KPIS: tuple[str, ...] = ("foreign_unemployed", "foreign_share")


def kpi_rows(ctx: Context, analysis: ImmigrantAnalysis) -> pd.DataFrame:
    """The area's KPI table from an analysed month (see :func:`kpis`)."""
    rule = ctx.params.disclosure
    foreign = analysis.foreign_at()
    totals = analysis.totals_at()

    def count(kpi: str, value: float, direction: str = "none") -> dict[str, object]:
        return kpi_row(ctx, AREA, kpi, KPI_LABELS[kpi], shown_count(value, rule), "count", None, direction)  # type: ignore[arg-type]

    moved = shown_count(totals["moved_to_occupation_teams"], rule)
    # the rate and the integration-period count together would reveal a hidden number of moves
    rate = math.nan if pd.isna(moved) and totals["moved_to_occupation_teams"] > 0 else totals["move_rate"]
    rows = [
        count("foreign_unemployed", foreign["foreign"], "lower_better"),
        kpi_row(ctx, AREA, "foreign_share", KPI_LABELS["foreign_share"], foreign["foreign_share"], "share"),
        count("foreign_language_customers", totals["customers"]),
        count("in_integration_period", totals["in_integration_period"]),
        count("in_integration_training", totals["in_integration_training"]),
        count("moved_to_occupation_teams", totals["moved_to_occupation_teams"], "higher_better"),
        kpi_row(
            ctx,
            AREA,
            "move_rate",
            KPI_LABELS["move_rate"],
            rate,
            "share",
            move_rate_target(ctx.params),
            "higher_better",
        ),
        count("ihl_contacts", totals["ihl_contacts"], "higher_better"),
    ]
    if not analysis.own_data:  # the immigrant services' KPIs belong to the city whose report it is
        rows = [r for r in rows if r["kpi"] in PUBLIC_KPIS]
    return frame([*rows, *comparison.kpi_rows(ctx, analysis.cities, AREA)])


def kpis(ctx: Context) -> pd.DataFrame:
    """The immigrant area's KPI table for ``ctx.period``: foreign-national unemployed and their share of the
    unemployed, foreign-language customers, people in the integration period and in integration training, moves
    to the occupation-based teams (count, and rate against the target from params) and International House Lahti
    contacts."""
    return kpi_rows(ctx, analyse_period(ctx))


def kpis_with_changes(ctx: Context, analysis: ImmigrantAnalysis) -> pd.DataFrame:
    """:func:`kpis` beside the same KPIs a month and a year earlier (:func:`serviceplan.metrics.with_changes`),
    reusing the page's analysis of the report month instead of analysing it again."""
    return with_changes(kpis, ctx, first_period=statfin.DATASET.first_period, current=kpi_rows(ctx, analysis))
