"""The reporting municipality among the largest cities: five public indicators ranked every month.

What the city's own employment review does by hand: the reporting municipality (parameters ``regions``) is
ranked every month among the comparison group (``regions.comparison_group``, the 12 largest cities) on

* the unemployment rate (statistics table 12r5, content ``TYOTOSUUS``),
* the unemployment rate of the under-25s (table 12th),
* the share of the long-term unemployed (over 12 months) among the unemployed (12r5: long-term / unemployed),
* the unemployment rate of foreign nationals (table 12tg),
* open vacancies per unemployed person (12r5: open vacancies at the month's end / unemployed).

Rank 1 is the best place: the lowest rate or share, the most vacancies per unemployed person. Equal values share
the better place (``min`` ranking). A city without a figure for the month (a status symbol such as ``..``, or no
figure delivered) is left out of that month's ranking, and the number of cities ranked is given with every
rank. A reporting municipality outside the group is ranked with the group (among 13). Rates and shares are
compared, never counts: the cities differ tenfold in size.

The ranks are KPIs of the pages they belong to (target groups: the first three; immigrants: the foreign
nationals' rate; employer services: vacancies per unemployed), in the unit ``rank``; their change over a month or
a year is a difference in places. Every function is pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from serviceplan.core.params import Params
from serviceplan.core.periods import Period, month_range
from serviceplan.metrics import load
from serviceplan.metrics.kpis import Context, kpi_row

RANK_UNIT = "rank"


@dataclass(frozen=True)
class Indicator:
    """One compared indicator: how it is computed and shown, and which page's KPI table carries its rank."""

    id: str
    label: str  # Finnish
    unit: Literal["share", "ratio"]
    direction: Literal["lower_better", "higher_better"]
    tables: str  # the statistics tables it comes from
    area: str  # the policy area whose KPI table carries the rank
    best: str  # what rank 1 means, in Finnish
    short: str  # a word or two for chart titles

    @property
    def kpi(self) -> str:
        """The KPI id of the rank."""
        return f"rank_{self.id}"


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "unemployment_rate",
        "Työttömyysaste",
        "share",
        "lower_better",
        "12r5",
        "target_groups",
        "matalin",
        "työttömyysaste",
    ),
    Indicator(
        "youth_unemployment_rate",
        "Alle 25-vuotiaiden työttömyysaste",
        "share",
        "lower_better",
        "12th",
        "target_groups",
        "matalin",
        "nuoret",
    ),
    Indicator(
        "long_term_share",
        "Pitkäaikaistyöttömien osuus työttömistä",
        "share",
        "lower_better",
        "12r5",
        "target_groups",
        "pienin",
        "pitkäaikaistyöttömät",
    ),
    Indicator(
        "foreign_unemployment_rate",
        "Ulkomaan kansalaisten työttömyysaste",
        "share",
        "lower_better",
        "12tg",
        "immigrants",
        "matalin",
        "ulkomaan kansalaiset",
    ),
    Indicator(
        "vacancies_per_unemployed",
        "Avoimia työpaikkoja työtöntä kohden",
        "ratio",
        "higher_better",
        "12r5",
        "employer_services",
        "eniten",
        "avoimet työpaikat",
    ),
)
BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}
# The statistics measures each indicator is made of (serviceplan.inputs.sources.statfin.MEASURES).
MEASURES: tuple[str, ...] = ("rate", "youth_rate", "long_term", "unemployed", "foreign_rate", "open_vacancies")
# Which measure's status symbol explains an indicator that is missing.
_SOURCE_MEASURE: dict[str, tuple[str, ...]] = {
    "unemployment_rate": ("rate",),
    "youth_unemployment_rate": ("youth_rate",),
    "long_term_share": ("long_term", "unemployed"),
    "foreign_unemployment_rate": ("foreign_rate",),
    "vacancies_per_unemployed": ("open_vacancies", "unemployed"),
}


def indicator_values(statistics: pd.DataFrame, regions: list[str], months: list[str]) -> dict[str, pd.DataFrame]:
    """Every indicator as a table with a row per month (``months``) and a column per region (``regions``), NaN
    where a figure is missing. Input: the statistics rows known for the report month
    (:func:`serviceplan.inputs.sources.statfin.latest`)."""
    if statistics.empty:
        cube = pd.DataFrame()
    else:
        wanted = statistics["region"].astype(str).isin(regions) & statistics["measure"].astype(str).isin(MEASURES)
        cube = statistics[wanted].pivot_table(
            index="period", columns=["measure", "region"], values="value", aggfunc="first"
        )

    def measure(name: str) -> pd.DataFrame:
        known = len(cube.columns) > 0 and name in cube.columns.get_level_values(0)
        table = cube[name] if known else pd.DataFrame(index=cube.index)
        table.index = table.index.astype(str)
        return table.reindex(index=months, columns=regions).astype("float64")

    unemployed = measure("unemployed")
    positive = unemployed.where(unemployed > 0)
    values = {
        "unemployment_rate": measure("rate") / 100.0,
        "youth_unemployment_rate": measure("youth_rate") / 100.0,
        "long_term_share": measure("long_term") / positive,
        "foreign_unemployment_rate": measure("foreign_rate") / 100.0,
        "vacancies_per_unemployed": measure("open_vacancies") / positive,
    }
    for table in values.values():
        table.index.name, table.columns.name = "month", None
    return values


def indicator_symbols(statistics: pd.DataFrame, regions: list[str], month: str) -> dict[tuple[str, str], str]:
    """(indicator, region) -> the status symbol that explains a missing indicator value in ``month`` (``..``
    confidential or not yet published, ``.`` not applicable); only where the statistics give one."""
    if statistics.empty or "status" not in statistics.columns:
        return {}
    rows = statistics[
        (statistics["period"].astype(str) == month)
        & statistics["region"].astype(str).isin(regions)
        & statistics["status"].notna()
    ]
    found = {(str(r), str(m)): str(s) for r, m, s in zip(rows["region"], rows["measure"], rows["status"], strict=True)}
    out: dict[tuple[str, str], str] = {}
    for indicator, measures in _SOURCE_MEASURE.items():
        for region in regions:
            symbols = [found[(region, m)] for m in measures if (region, m) in found and found[(region, m)] != "-"]
            if symbols:
                out[(indicator, region)] = symbols[0]
    return out


def rank(values: pd.Series, direction: str) -> pd.Series:
    """Places 1..n of the non-missing ``values`` (1 = best: the lowest for ``lower_better``, the highest for
    ``higher_better``); equal values share the better place; missing values get NaN (ASSUMPTION A9)."""
    return values.rank(method="min", ascending=direction == "lower_better", na_option="keep")


@dataclass(frozen=True)
class Standing:
    """The reporting municipality's place on one indicator in a month, and a year earlier."""

    indicator: Indicator
    value: float
    rank: float
    ranked: int  # cities with a figure that month
    value_year_ago: float
    rank_year_ago: float
    ranked_year_ago: int
    group_median: float
    best_region: str | None
    best_value: float

    @property
    def value_change(self) -> float:
        """Change of the value over 12 months (a share: in points as a fraction; a ratio: its difference)."""
        return self.value - self.value_year_ago

    @property
    def rank_change(self) -> float:
        """Change of the place over 12 months (negative: up the table)."""
        return self.rank - self.rank_year_ago


@dataclass(frozen=True)
class Comparison:
    """The indicators of the comparison group, ranked, for the months up to the report month."""

    period: Period
    home: str  # the reporting municipality's statistics code
    names: dict[str, str]  # code -> Finnish name, the group (and the home when outside it), in the group's order
    values: dict[str, pd.DataFrame]  # indicator id -> month x region values
    ranks: dict[str, pd.DataFrame]  # indicator id -> month x region places
    symbols: dict[tuple[str, str], str]  # (indicator, region) -> symbol explaining a missing value this month

    @property
    def size(self) -> int:
        """The number of cities compared (12, or 13 with a reporting municipality from outside the group)."""
        return len(self.names)

    def standing(self, indicator: str, months_back: int = 0) -> Standing:
        """The home's place on ``indicator`` in the report month (or ``months_back`` earlier)."""
        month = str(self.period.shift(-months_back))
        ago = str(self.period.shift(-months_back - 12))
        values, ranks = self.values[indicator], self.ranks[indicator]

        def at(table: pd.DataFrame, when: str, region: str) -> float:
            return float(table.at[when, region]) if when in table.index else math.nan

        def counted(when: str) -> int:
            return int(values.loc[when].notna().sum()) if when in values.index else 0

        row = values.loc[month] if month in values.index else pd.Series(dtype="float64")
        best = row.dropna()
        spec = BY_ID[indicator]
        best_region = None
        if len(best):
            best_region = str(best.idxmin() if spec.direction == "lower_better" else best.idxmax())
        return Standing(
            indicator=spec,
            value=at(values, month, self.home),
            rank=at(ranks, month, self.home),
            ranked=counted(month),
            value_year_ago=at(values, ago, self.home),
            rank_year_ago=at(ranks, ago, self.home),
            ranked_year_ago=counted(ago),
            group_median=float(best.median()) if len(best) else math.nan,
            best_region=best_region,
            best_value=float(best[best_region]) if best_region is not None else math.nan,
        )

    def month_table(self, month: str | None = None) -> pd.DataFrame:
        """One row per city for ``month`` (default: the report month): ``region``, ``name``, ``home`` and, per
        indicator, its value and ``<indicator>_rank``; ordered by the unemployment rate's place."""
        month = month or str(self.period)
        out = pd.DataFrame({"region": list(self.names), "name": list(self.names.values())})
        out["home"] = out["region"] == self.home
        for indicator in INDICATORS:
            values, ranks = self.values[indicator.id], self.ranks[indicator.id]
            known = month in values.index
            out[indicator.id] = [float(values.at[month, r]) if known else math.nan for r in out["region"]]
            out[f"{indicator.id}_rank"] = [float(ranks.at[month, r]) if known else math.nan for r in out["region"]]
        first = f"{INDICATORS[0].id}_rank"
        return out.sort_values([first, "name"], na_position="last", kind="stable").reset_index(drop=True)

    def chart_months(self) -> list[str]:
        """The months of the charts: the window's months from the first that has the home's unemployment rate."""
        rates = self.values[INDICATORS[0].id]
        known = [str(m) for m in rates.index if not math.isnan(float(rates.at[m, self.home]))]
        return [str(m) for m in rates.index if known and str(m) >= known[0]]

    def home_ranks(self, months: list[str]) -> pd.DataFrame:
        """The home's place on every indicator per month: ``month`` and a column per indicator id."""
        out = pd.DataFrame({"month": months})
        for indicator in INDICATORS:
            ranks = self.ranks[indicator.id].reindex(months)
            out[indicator.id] = ranks[self.home].to_numpy(dtype="float64")
        return out


def group_names(params: Params) -> dict[str, str]:
    """The cities compared, code -> Finnish name: the comparison group and, if it is not in it, the reporting
    municipality (last)."""
    regions = params.regions
    codes = list(dict.fromkeys([*regions.comparison_group, regions.municipality]))
    return {code: regions.name(code) for code in codes}


def analyse(statistics: pd.DataFrame, params: Params, period: Period, months: int = 25) -> Comparison:
    """Rank the comparison group on every indicator for the ``months`` months up to ``period`` (enough for the
    charts and a change over 12 months), from the statistics rows known for ``period``."""
    names = group_names(params)
    regions = list(names)
    window = [str(p) for p in month_range(period.shift(1 - months), period)]
    values = indicator_values(statistics, regions, window)
    ranks = {
        indicator.id: values[indicator.id].apply(lambda row, d=indicator.direction: rank(row, d), axis=1)
        for indicator in INDICATORS
    }
    return Comparison(
        period=period,
        home=params.regions.municipality,
        names=names,
        values=values,
        ranks=ranks,
        symbols=indicator_symbols(statistics, regions, str(period)),
    )


def analyse_period(ctx: Context) -> Comparison:
    """Load the statistics known for ``ctx.period`` and rank the cities (see :func:`analyse`)."""
    return analyse(load("statfin", ctx.period, ctx.workspace), ctx.params, ctx.period)


def kpi_label(indicator: Indicator, size: int) -> str:
    """The Finnish label of an indicator's rank KPI."""
    return f"{indicator.label}: sija {size} suurimman kaupungin joukossa (1 = {indicator.best})"


def kpi_rows(ctx: Context, comparison: Comparison, area: str) -> list[dict[str, object]]:
    """The rank KPIs the page ``area`` carries (unit ``rank``, 1 = best, no target), for the report month."""
    rows = []
    for indicator in INDICATORS:
        if indicator.area != area:
            continue
        standing = comparison.standing(indicator.id)
        label = kpi_label(indicator, comparison.size)
        rows.append(kpi_row(ctx, area, indicator.kpi, label, standing.rank, RANK_UNIT, None, "lower_better"))
    return rows
