"""The reporting municipality among the largest cities: indicators, places, standings, texts and the chart, from
hand-built statistics with hand-checked numbers; and the demo's cities are each their own, not copies."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from serviceplan.core.params import Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.demo import labour_markets, statfin_files
from serviceplan.inputs.demo.world import build_world
from serviceplan.metrics import comparison, comparison_text
from serviceplan.metrics.kpis import Context
from serviceplan.present import comparison_charts

REPO = Path(__file__).resolve().parents[1]
JUNE = Period(2026, 6)
YEAR_AGO = "2025-06"


def params_for(municipality: str = "KU398", group: list[str] | None = None) -> Params:
    base = load_params(2026, REPO / "params")
    regions = base.regions.model_copy(
        update={"municipality": municipality, "comparison_group": group or ["KU091", "KU398", "KU297"]}
    )
    return base.model_copy(update={"regions": regions})


def rows(figures: dict[tuple[str, str], dict[str, float | None]], status: dict | None = None) -> pd.DataFrame:
    """Canonical statistics rows from ``{(region, month): {measure: value}}``; ``status`` adds symbols."""
    status = status or {}
    out = [
        {
            "table": "12r5",
            "region": region,
            "period": month,
            "measure": measure,
            "value": math.nan if value is None else float(value),
            "status": status.get((region, month, measure)),
        }
        for (region, month), measures in figures.items()
        for measure, value in measures.items()
    ]
    return pd.DataFrame(out)


def city(rate: float, youth: float, long_term: float, unemployed: float, foreign: float, vacancies: float) -> dict:
    return {
        "rate": rate,
        "youth_rate": youth,
        "long_term": long_term,
        "unemployed": unemployed,
        "foreign_rate": foreign,
        "open_vacancies": vacancies,
    }


# Helsinki, Lahti and Kuopio in June 2026 and June 2025 (hand-made numbers)
FIGURES = {
    ("KU091", "2026-06"): city(12.9, 15.7, 18_000, 48_000, 24.2, 7_200),  # long-term 37.5 %, 0.15 vacancies
    ("KU398", "2026-06"): city(15.4, 19.6, 3_500, 9_400, 36.6, 940),  # 37.2 %, 0.10
    ("KU297", "2026-06"): city(12.0, 17.1, 2_300, 7_400, 31.9, 1_110),  # 31.1 %, 0.15
    ("KU091", YEAR_AGO): city(12.5, 15.0, 17_000, 47_000, 23.0, 7_000),
    ("KU398", YEAR_AGO): city(15.4, 19.6, 3_300, 9_300, 37.2, 930),
    ("KU297", YEAR_AGO): city(11.6, 16.5, 2_200, 7_100, 31.0, 1_100),
}


def analysed(figures: dict = FIGURES, params: Params | None = None, status: dict | None = None):
    return comparison.analyse(rows(figures, status), params or params_for(), JUNE)


def test_indicators_from_the_statistics() -> None:
    result = analysed()
    june = {i: result.values[i].loc["2026-06"] for i in result.values}
    assert june["unemployment_rate"]["KU398"] == pytest.approx(0.154)
    assert june["youth_unemployment_rate"]["KU091"] == pytest.approx(0.157)
    assert june["long_term_share"]["KU398"] == pytest.approx(3_500 / 9_400)
    assert june["foreign_unemployment_rate"]["KU297"] == pytest.approx(0.319)
    assert june["vacancies_per_unemployed"]["KU091"] == pytest.approx(0.15)
    assert result.values["unemployment_rate"].loc["2026-05"].isna().all()  # a month without figures


def test_places_one_is_best_in_the_indicators_direction() -> None:
    result = analysed()
    june = {i: result.ranks[i].loc["2026-06"].to_dict() for i in result.ranks}
    assert june["unemployment_rate"] == {"KU091": 2, "KU398": 3, "KU297": 1}  # the lowest rate first
    assert june["long_term_share"] == {"KU091": 3, "KU398": 2, "KU297": 1}  # 37.5 %, 37.2 %, 31.1 %
    # vacancies per unemployed: the most first; Helsinki 0.15 and Kuopio 0.15 (1110 / 7400) share the better place
    assert june["vacancies_per_unemployed"] == {"KU091": 1, "KU398": 3, "KU297": 1}


def test_standing_with_its_year_ago_median_and_best() -> None:
    result = analysed()
    rate = result.standing("unemployment_rate")
    assert (rate.value, rate.rank, rate.ranked) == (pytest.approx(0.154), 3, 3)
    assert (rate.value_year_ago, rate.rank_year_ago) == (pytest.approx(0.154), 3)
    assert rate.value_change == pytest.approx(0.0) and rate.rank_change == 0
    assert rate.group_median == pytest.approx(0.129) and rate.best_region == "KU297"
    foreign = result.standing("foreign_unemployment_rate")
    assert (foreign.rank, foreign.rank_year_ago) == (3, 3)
    assert foreign.value_change == pytest.approx(-0.006)


def test_a_city_without_a_figure_is_left_out_and_its_symbol_shown() -> None:
    figures = {**FIGURES, ("KU091", "2026-06"): {**FIGURES[("KU091", "2026-06")], "youth_rate": None}}
    result = analysed(figures, status={("KU091", "2026-06", "youth_rate"): ".."})
    youth = result.standing("youth_unemployment_rate")
    assert (youth.rank, youth.ranked) == (2, 2)  # Lahti second of the two cities with a figure
    assert math.isnan(result.ranks["youth_unemployment_rate"].at["2026-06", "KU091"])
    shown = comparison_text.cities_table(result, ["youth_unemployment_rate"]).frame
    assert shown.set_index("name").at["Helsinki", "youth_unemployment_rate"] == ".."
    assert "tietoa ei ole saatu" in comparison_text.cities_table(result, ["youth_unemployment_rate"]).note


def test_a_municipality_outside_the_group_is_ranked_with_it() -> None:
    figures = {**FIGURES, ("KU609", "2026-06"): city(15.1, 18.5, 1_500, 5_800, 36.0, 600)}
    result = analysed(figures, params_for("KU609"))
    assert list(result.names) == ["KU091", "KU398", "KU297", "KU609"] and result.size == 4
    assert result.standing("unemployment_rate").rank == 3  # 12.0, 12.9, 15.1, 15.4


def test_rank_kpis_of_each_page(tmp_path: Path) -> None:
    params = params_for()
    ctx = Context(JUNE, params, Workspace(tmp_path))
    result = analysed(params=params)
    target_groups = comparison.kpi_rows(ctx, result, "target_groups")
    assert [r["kpi"] for r in target_groups] == [
        "rank_unemployment_rate",
        "rank_youth_unemployment_rate",
        "rank_long_term_share",
    ]
    assert [r["value"] for r in target_groups] == [3, 3, 2]  # youth: 15.7 %, 17.1 %, 19.6 %
    assert {r["unit"] for r in target_groups} == {"rank"} and {r["direction"] for r in target_groups} == {
        "lower_better"
    }
    assert target_groups[0]["label"] == "Työttömyysaste: sija 3 suurimman kaupungin joukossa (1 = matalin)"
    (employer,) = comparison.kpi_rows(ctx, result, "employer_services")
    assert (employer["kpi"], employer["value"]) == ("rank_vacancies_per_unemployed", 3)


def test_texts_say_the_place_and_the_year_ago() -> None:
    result = analysed()
    lines = comparison_text.describe(result, ["unemployment_rate", "long_term_share"])
    assert lines == [
        "Työttömyysaste 15,4\u00a0%: Lahti on sijalla 3/3 (korkein 3 kaupungista); vuotta aiemmin sija oli 3/3.",
        # a year ago 36.2 %, 35.5 % and 31.0 %: Lahti second then too
        "Pitkäaikaistyöttömien osuus työttömistä 37,2\u00a0%: Lahti on sijalla 2/3; vuotta aiemmin sija oli 2/3.",
    ]
    standings = comparison_text.standings_table(result).frame.set_index("indicator")
    assert standings.loc["Työttömyysaste", ["value", "place", "place_year_ago", "best"]].tolist() == [
        "15,4\u00a0%",
        "3/3",
        "3/3",
        "Kuopio 12,0\u00a0%",
    ]
    assert standings.at["Avoimia työpaikkoja työtöntä kohden", "value_change"] == "0,00"  # 0.10 both years
    texts = comparison_text.figure_texts(result, ["2025-06", "2026-06"])
    assert texts["title"].endswith(
        "Lahti: työttömyysaste 3/3, nuoret 3/3, pitkäaikaistyöttömät 2/3, "
        "ulkomaan kansalaiset 3/3, avoimet työpaikat 3/3"
    )
    assert "Työttömyysaste 15,4\u00a0%, sija 3/3" in texts["alt"]


def test_small_multiples_highlight_the_home() -> None:
    result = analysed()
    months = [str(JUNE.shift(-i)) for i in range(12, -1, -1)]
    figure = comparison_charts.small_multiples(
        result.values,
        panels=comparison_text.chart_panels(),
        home="KU398",
        home_label="Lahti",
        months=months,
        title="x",
    )
    panels = [ax for ax in figure.axes if ax.get_visible()]
    # the title of a panel, wherever the theme in force places it (the report's theme puts titles on the left)
    titles = [next((t for loc in ("center", "left", "right") if (t := ax.get_title(loc=loc))), "") for ax in panels]
    assert titles[:2] == ["Työttömyysaste", "Alle 25-vuotiaiden työttömyysaste"]
    assert len(panels) == 5
    widths = sorted(line.get_linewidth() for line in panels[0].get_lines())
    assert widths == [0.9, 0.9, 1.4, 2.6]  # two other cities, the median, the home (thickest)
    plt.close(figure)


def test_the_demo_cities_are_each_their_own() -> None:
    """Not scaled copies of Lahti: each city's level, seasonality, and youth, long-term and foreign shares differ."""
    params = load_params(2025, REPO / "params")
    world = build_world(params.benefit_rule(Period(2025, 1)))
    series = labour_markets.labour_markets(world, params.regions.comparison_group)
    summary = {}
    for code, frame in series.items():
        table = frame.set_index("period")
        rate = table["unemployed"] / table["labour_force"]
        summary[code] = (
            round(rate.loc["2025-01"], 3),
            round(rate.loc["2025-07"] / rate.loc["2025-04"], 3),  # the summer peak's height
            round((table["under25"] / table["unemployed"]).loc["2025-01"], 3),
            round((table["long_term"] / table["unemployed"]).loc["2025-01"], 3),
            round((table["foreign"] / table["unemployed"]).loc["2025-01"], 3),
        )
    for i in range(5):  # no two cities alike on any of these
        values = [s[i] for s in summary.values()]
        assert len(set(values)) >= 8, (i, values)
    lahti = series["KU398"].set_index("period")
    assert lahti.at["2025-01", "youth_rate"] == pytest.approx(19.8, abs=0.8)  # KEHA 19.8 % (docs/domain.md)
    assert lahti.at["2025-01", "foreign_rate"] == pytest.approx(37.8, abs=2.0)  # 37.8 %
    regions = statfin_files.demo_regions(params.regions)
    assert len(regions) == 12 + 10 + 1 and list(regions)[:3] == ["KU398", "MK07", "SSS"]
