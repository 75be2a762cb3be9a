"""Target-group metrics and page: hand-built tables with hand-checked numbers (arithmetic beside each check)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from serviceplan.core.params import Disclosure, Params, TargetGroupsParams, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.sources import statfin
from serviceplan.metrics import target_groups as tg
from serviceplan.metrics import target_groups_text as tt
from serviceplan.metrics import with_changes
from serviceplan.metrics.kpis import KPI_COLUMNS, Context
from serviceplan.present import charts, disclosure
from serviceplan.present.narrative import more_or_less

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
RULE = Disclosure(min_count=5, symbol="..")
JULY = Period(2025, 7)


def params_with(**settings: object) -> Params:
    """The 2025 parameters with this page's settings replaced (defaults: the plan's 100 % advisor target, no-growth
    targets, the whole country as the outflow benchmark, 13 months of history)."""
    base = load_params(2025, REPO / "params")
    values: dict[str, object] = {
        "named_advisor_under25_target": 1.0,
        "long_term_max_change_yoy": 0.0,
        "flow_over_3m_max_change_yoy": 0.0,
        "outflow_benchmark_region": "SSS",
        "history_months": 13,
    }
    values.update(settings)
    areas = base.areas.model_copy(update={"target_groups": TargetGroupsParams(**values)})
    return base.model_copy(update={"areas": areas, "disclosure": RULE})


def statistics_rows(series: dict[str, dict[str, list[float]]], months: list[str]) -> pd.DataFrame:
    """Canonical statistics rows from ``{region: {measure: one value per month}}``."""
    rows = [
        {"table": "t", "region": region, "period": month, "measure": measure, "value": float(value)}
        for region, measures in series.items()
        for measure, values in measures.items()
        for month, value in zip(months, values, strict=True)
    ]
    frame = pd.DataFrame(rows).astype({"table": "string", "region": "string", "period": "string", "measure": "string"})
    frame["updated"] = pd.Timestamp("2025-08-25T05:00:00Z")
    return frame


def region(n: int, **overrides: list[float]) -> dict[str, list[float]]:
    """``n`` months of a region's figures, constant unless overridden."""
    base = {
        "unemployed": 8000,
        "rate": 14.0,
        "under25": 1000,
        "under30": 2000,
        "long_term": 3000,
        "flow_over_3m": 60,
        "dur_0_3": 300,
        "dur_3_6": 100,
        "dur_6_12": 100,
        "dur_12_24": 1500,
        "dur_24_plus": 1500,
    }
    out = {name: [float(value)] * n for name, value in base.items()}
    out.update({name: [float(v) for v in values] for name, values in overrides.items()})
    return out


def events_rows(month: str, customers: dict[str, tuple[int, int]], visits: dict[str, int]) -> pd.DataFrame:
    """Canonical client-system rows of one month: ``customers`` maps an age group to (customers, named advisor),
    ``visits`` an age group (or ``anonymous``) to Ohjaamo visits."""
    groups = ["under_20", "20_24", "25_29", "30_54", "55_plus", "anonymous"]
    rows = []
    for group in groups:
        count, named = customers.get(group, (0, 0))
        rows.append(
            {"period": month, "age_group": group, "customers": count, "named_advisor": named, "ohjaamo_visits": 0}
        )
        rows[-1]["ohjaamo_visits"] = visits.get(group, 0)
    return pd.DataFrame(rows).astype({"period": "string", "age_group": "string"})


# ---- indicators from the statistics ------------------------------------------------------------------------


def test_indicators_outflow_estimates_and_shares():
    months = [str(p) for p in month_range(Period(2025, 1), JULY)]
    wide = tg.complete_months(
        statistics_rows({"KU398": region(7, dur_0_3=[300, 240, 300, 300, 300, 300, 300])}, months)
        .pipe(lambda f: f.pivot_table(index="period", columns="measure", values="value"))
        .rename_axis(columns=None)
    )
    out = tg.indicators(wide)
    # 2025-04: 1 − (60 + 60 + 60) / dur_0_3(2025-01) = 1 − 180 / 300 = 0.4
    assert out.loc["2025-04", "outflow_3m"] == pytest.approx(0.4)
    # 2025-05: 1 − 180 / dur_0_3(2025-02) = 1 − 180 / 240 = 0.25
    assert out.loc["2025-05", "outflow_3m"] == pytest.approx(0.25)
    # the first three months have no month t−3
    assert out.loc[["2025-01", "2025-02", "2025-03"], "outflow_3m"].isna().all()
    # 2025-07: 1 − dur_6_12(2025-07) / (dur_0_3 + dur_3_6)(2025-01) = 1 − 100 / (300 + 100) = 0.75
    assert out.loc["2025-07", "outflow_6m"] == pytest.approx(0.75)
    assert out.loc[:"2025-06", "outflow_6m"].isna().all()
    # 2025-02: flow / dur_0_3 of the month before = 60 / 300 = 0.2; 2025-03: 60 / 240 = 0.25
    assert out.loc["2025-02", "flow_rate"] == pytest.approx(0.2)
    assert out.loc["2025-03", "flow_rate"] == pytest.approx(0.25)
    row = out.loc["2025-07"]
    assert row["rate"] == pytest.approx(0.14)  # 14.0 % as a share
    assert row["under25_share"] == pytest.approx(1000 / 8000)  # 0.125
    assert row["age_25_29"] == 1000  # 2000 − 1000
    assert row["newly_unemployed"] == 400  # 300 + 100
    assert row["long_term_share"] == pytest.approx(3000 / 8000)  # 0.375


def test_a_missing_month_gives_no_estimate_where_it_is_needed():
    months = ["2025-01", "2025-03", "2025-04", "2025-05", "2025-06"]  # February missing
    rows = statistics_rows({"KU398": region(5)}, months)
    out = tg.indicators(rows.pivot_table(index="period", columns="measure", values="value").rename_axis(columns=None))
    assert "2025-02" in out.index and math.isnan(out.loc["2025-02", "unemployed"])
    # 2025-04 needs the flows of 02..04, 2025-05 the 0–3 class of 02: both unknown; 2025-06 needs 04..06 and 03
    assert math.isnan(out.loc["2025-04", "outflow_3m"]) and math.isnan(out.loc["2025-05", "outflow_3m"])
    assert out.loc["2025-06", "outflow_3m"] == pytest.approx(1 - 180 / 300)


def test_indicators_of_an_empty_table():
    out = tg.indicators(pd.DataFrame())
    assert out.empty and "outflow_3m" in out.columns


# ---- client system -------------------------------------------------------------------------------------------


def test_advisor_coverage_and_ohjaamo_visits():
    events = events_rows(
        "2025-07",
        {"under_20": (10, 8), "20_24": (30, 27), "25_29": (50, 20)},
        {"under_20": 4, "20_24": 20, "25_29": 6, "anonymous": 3},
    )
    advisor = tg.advisor_coverage(events).set_index("group")
    # under 25 = under 20 + 20–24: 10 + 30 = 40 customers, 8 + 27 = 35 named, 5 without, 35 / 40 = 0.875
    assert advisor.loc["under_25", ["customers", "named_advisor", "without_advisor"]].tolist() == [40, 35, 5]
    assert advisor.loc["under_25", "share"] == pytest.approx(0.875)
    assert advisor.loc["under_20", "share"] == pytest.approx(0.8)  # 8 / 10
    assert "25_29" not in advisor.index  # the promise is for the under-25s
    visits = tg.ohjaamo_visits(events).loc["2025-07"]
    assert visits["total"] == 33  # 4 + 20 + 6 + 3 (anonymous visits included)
    assert visits["anonymous"] == 3


def test_advisor_coverage_counts_a_missing_group_or_number_as_zero_month_by_month():
    july = events_rows("2025-07", {"under_20": (10, 8), "20_24": (30, 27)}, {})
    june = events_rows("2025-06", {"under_20": (12, 6), "20_24": (20, 15)}, {})
    june = june[june["age_group"] != "20_24"]  # no row for the 20–24-year-olds in June
    july.loc[july["age_group"] == "under_20", "named_advisor"] = float("nan")  # a number missing in July
    advisor = tg.advisor_coverage(pd.concat([july, june], ignore_index=True))
    assert advisor["month"].tolist() == ["2025-06"] * 3 + ["2025-07"] * 3  # months in order, the total last
    assert advisor["group"].tolist() == ["under_20", "20_24", "under_25"] * 2
    june_rows = advisor[advisor["month"] == "2025-06"].set_index("group")
    assert june_rows.loc["20_24", ["customers", "named_advisor"]].tolist() == [0, 0]
    assert math.isnan(june_rows.loc["20_24", "share"])  # no customers: no share
    assert june_rows.loc["under_25", ["customers", "named_advisor", "without_advisor"]].tolist() == [12, 6, 6]
    july_rows = advisor[advisor["month"] == "2025-07"].set_index("group")
    assert july_rows.loc["under_20", "named_advisor"] == 0 and july_rows.loc["under_25", "named_advisor"] == 27
    assert tg.advisor_coverage(july[july["age_group"] == "anonymous"]).empty


def test_published_values_hide_small_counts():
    assert math.isnan(tg.shown_count(3, RULE)) and tg.shown_count(0, RULE) == 0 and tg.shown_count(5, RULE) == 5
    # 37 of 40 named: 3 without an advisor is a small count, and the share would reveal it (40 − 0.925 x 40 = 3)
    assert math.isnan(tg.advisor_share_shown(37, 40, RULE))
    assert math.isnan(tg.advisor_share_shown(3, 40, RULE))  # 3 with an advisor: hidden as well
    assert tg.advisor_share_shown(35, 40, RULE) == pytest.approx(0.875)
    assert tg.advisor_share_shown(40, 40, RULE) == 1.0  # none without: 0 reveals nobody
    assert tg.year_on_year_target(3000, 0.0) == 3000
    assert tg.year_on_year_target(3000, -0.05) == pytest.approx(2850)  # 3000 x 0.95
    assert tg.year_on_year_target(float("nan"), 0.0) is None and tg.year_on_year_target(3000, None) is None


# ---- KPI table -----------------------------------------------------------------------------------------------


NEARLY_ALL = {"under_20": (100, 99), "20_24": (300, 298)}  # 1 + 2 = 3 of 400 without an advisor


def july_analysis(params: Params, advisors: dict[str, tuple[int, int]] | None = None) -> tg.TargetGroupAnalysis:
    """13 months 2024-07..2025-07. Lahti: flows 50 a year ago and 60 since, long-term 3000 -> 3150, under-25s
    1000 -> 1100; the whole country flows 75 into over 3 months and keeps 200 in class 6–12. Advisors (customers,
    named): under 20 (100, 94) and 20–24 (300, 290) unless given."""
    months = [str(p) for p in month_range(Period(2024, 7), JULY)]
    lahti = region(
        13,
        flow_over_3m=[50] + [60] * 12,
        long_term=[3000] * 12 + [3150],
        under25=[1000] * 12 + [1100],
        under30=[2000] * 12 + [2150],
    )
    country = region(13, flow_over_3m=[75] * 13, dur_6_12=[200] * 13)
    stats = statistics_rows({"KU398": lahti, "MK07": region(13), "SSS": country}, months)
    events = events_rows(
        "2025-07",
        advisors or {"under_20": (100, 94), "20_24": (300, 290)},
        {"under_20": 10, "20_24": 20, "25_29": 5, "anonymous": 3},
    )
    return tg.analyse(stats, events, params, JULY)


def test_kpis_values_targets_and_statuses(tmp_path: Path):
    params = params_with()
    ctx = Context(JULY, params, Workspace(tmp_path))
    table = tg.kpi_rows(ctx, july_analysis(params))
    assert list(table.columns) == list(KPI_COLUMNS)
    kpi = table.set_index("kpi")
    ranks = ["rank_unemployment_rate", "rank_youth_unemployment_rate", "rank_long_term_share"]
    assert list(kpi.index) == [*tg.KPI_LABELS, *ranks]
    # only Lahti of the 12 cities has figures here: first of one on the rate and the long-term share; the
    # under-25s' rate (table 12th) is not in these statistics, so no place
    assert kpi.loc[ranks, "value"].tolist()[::2] == [1, 1] and math.isnan(kpi.loc[ranks[1], "value"])
    assert set(kpi.loc[ranks, "unit"]) == {"rank"} and set(kpi.loc[ranks, "status"]) == {"none"}
    assert (kpi["area"] == "target_groups").all() and (kpi["period"] == "2025-07").all()
    assert kpi.loc["under25_unemployed", "value"] == 1100
    assert kpi.loc["under30_unemployed", "value"] == 2150
    assert kpi.loc["newly_unemployed", "value"] == 400  # 300 + 100
    # Lahti 1 − 180 / 300 = 0.4 against the country's 1 − 225 / 300 = 0.25: on the right side
    assert kpi.loc["outflow_3m", ["value", "target", "status"]].tolist() == [pytest.approx(0.4), 0.25, "ok"]
    # Lahti 1 − 100 / 400 = 0.75 against the country's 1 − 200 / 400 = 0.5
    assert kpi.loc["outflow_6m", ["value", "target", "status"]].tolist() == [pytest.approx(0.75), 0.5, "ok"]
    # 60 against a year ago's 50 x (1 + 0): 10 over, beyond 5 % of 50 = 2.5
    assert kpi.loc["flow_over_3m", ["value", "target", "status"]].tolist() == [60, 50, "alert"]
    # 3150 against 3000: 150 over, exactly 5 % of 3000, so within the warning tolerance
    assert kpi.loc["long_term_unemployed", ["value", "target", "status"]].tolist() == [3150, 3000, "warn"]
    # (94 + 290) / (100 + 300) = 384 / 400 = 0.96 against 1.0: 0.04 short, within 5 % of the target
    assert kpi.loc["named_advisor_under25", ["value", "target", "status"]].tolist() == [
        pytest.approx(0.96),
        1.0,
        "warn",
    ]
    assert kpi.loc["ohjaamo_visits", "value"] == 38  # 10 + 20 + 5 + 3
    assert kpi.loc["under25_unemployed", "direction"] == "lower_better"
    assert kpi.loc["newly_unemployed", "status"] == "none"


def test_kpis_hide_a_share_that_reveals_a_small_count(tmp_path: Path):
    params = params_with()
    ctx = Context(JULY, params, Workspace(tmp_path))
    kpi = tg.kpi_rows(ctx, july_analysis(params, NEARLY_ALL)).set_index("kpi")
    assert math.isnan(kpi.loc["named_advisor_under25", "value"])
    assert kpi.loc["named_advisor_under25", "status"] == "warn"  # 397 / 400 = 0.9925: just short of all


def test_kpis_without_targets_or_client_data(tmp_path: Path):
    params = params_with(outflow_benchmark_region=None, long_term_max_change_yoy=None)
    ctx = Context(JULY, params, Workspace(tmp_path))
    analysis = july_analysis(params)
    bare = tg.TargetGroupAnalysis(**{**analysis.__dict__, "advisor": tg.advisor_coverage(pd.DataFrame())})
    kpi = tg.kpi_rows(ctx, bare).set_index("kpi")
    assert math.isnan(kpi.loc["outflow_3m", "target"]) and kpi.loc["outflow_3m", "status"] == "none"
    assert kpi.loc["long_term_unemployed", "status"] == "none"
    assert (
        math.isnan(kpi.loc["named_advisor_under25", "value"]) and kpi.loc["named_advisor_under25", "status"] == "none"
    )


# ---- texts and shown tables ----------------------------------------------------------------------------------


def test_describe_states_the_numbers():
    analysis = july_analysis(params_with())
    text = " ".join(tt.describe(analysis))
    assert "1\u202f100" in text and "10,0\u00a0% enemmän kuin vuotta aiemmin" in text  # 1100 / 1000 − 1
    assert "40\u00a0%" in text and "Koko maa 25\u00a0%" in text  # outflow estimates, Lahti and the benchmark
    assert "96,0\u00a0%" in text and "ilman omatyöntekijää oli 16 nuorta" in text  # 400 − 384
    assert "Ohjaamossa käytiin heinäkuussa 38 kertaa" in text
    assert "nimettömiä" not in text  # 3 anonymous visits: a small count is never named


def test_describe_does_not_name_a_hidden_count():
    analysis = july_analysis(params_with(), NEARLY_ALL)
    text = " ".join(tt.describe(analysis))
    assert "Lähes kaikilla" in text and "alle 5 nuorta" in text and "99,3" not in text


def test_tables_suppress_small_counts_and_what_reveals_them():
    analysis = july_analysis(params_with(), NEARLY_ALL)
    month = tt.advisor_month_table(analysis).frame.set_index("group")
    # without an advisor: 1, 2 and 3 in total are small; each row (named + without = customers) then hides its
    # named count too, and with it the share; the customers stay
    for group in ("Alle 20-vuotiaat", "20–24-vuotiaat", "Alle 25-vuotiaat"):
        assert month.loc[group, ["named_advisor", "without_advisor", "share"]].tolist() == ["..", "..", ".."]
    assert month["customers"].tolist() == [100, 300, 400]
    ohjaamo = tt.ohjaamo_table(analysis, ["2025-07"]).frame.iloc[0]
    assert ohjaamo["anonymous"] == ".."  # 3 anonymous visits
    # the row adds up to the total, so one more cell of the row is hidden: the smallest other count (5, 25–29)
    assert ohjaamo["25_29"] == ".." and ohjaamo["total"] == 38
    assert ".." in tt.ohjaamo_table(analysis, ["2025-07"]).markdown()


def test_comparison_table_has_rates_only():
    analysis = july_analysis(params_with())
    shown = tt.comparison_table(analysis)
    assert list(shown.frame.columns) == ["indicator", "KU398", "MK07", "SSS"]
    assert set(shown.formats.values()) == {"percent"}
    outflow = shown.frame.set_index("indicator").loc[tt.COMPARISON_ROWS["outflow_3m"]]
    assert outflow["KU398"] == pytest.approx(0.4) and outflow["SSS"] == pytest.approx(0.25)


def test_figure_texts_state_the_finding():
    texts = tt.figure_texts(july_analysis(params_with()))
    assert set(texts) == {"youth", "outflow", "duration", "advisor", "ohjaamo"}
    assert texts["youth"]["title"].startswith("Alle 25-vuotiaita työttömiä oli heinäkuun 2025 lopussa 1\u202f100")
    assert "3\u202f150" in texts["duration"]["title"]
    assert all(len(t["alt"]) > 60 for t in texts.values())


def test_advisor_chart_data_follows_the_suppressed_table():
    data = tt.advisor_chart_data(july_analysis(params_with(), NEARLY_ALL), ["2025-07"])
    assert data["hidden"].tolist() == [True] and math.isnan(data["share"].iloc[0])


# ---- presentation helpers added for this page ----------------------------------------------------------------


def test_more_or_less_phrases():
    assert more_or_less(1000, 1100) == "10,0\u00a0% enemmän kuin vuotta aiemmin"
    assert (
        more_or_less(200, 150, than="kuin edellisenä kuukautena") == "25,0\u00a0% vähemmän kuin edellisenä kuukautena"
    )
    assert more_or_less(1000, 1000.1) == "yhtä paljon kuin vuotta aiemmin"
    assert more_or_less(None, 5) == ""


def test_monthly_lines_breaks_at_hidden_values():
    data = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03"], "a": [0.2, "..", 0.4], "b": [0.1, 0.2, 0.3]})
    fig = charts.monthly_lines(
        data, x="month", lines=[charts.Series("a", "A"), charts.Series("b", "B")], title="T", unit="share"
    )
    first = fig.axes[0].lines[0].get_ydata()
    assert math.isnan(first[1]) and first[0] == 0.2
    assert fig.axes[0].get_ylim() == (0, pytest.approx(0.44))  # 0.4 x 1.1 headroom
    charts.plt.close(fig)


# ---- the notebook --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["2026-06"])
def test_notebook_runs_under_papermill_without_warnings(run_page, period: str):
    page = run_page("02_target_groups.ipynb", period)
    assert len(page.images) == 6  # with the largest cities (target-groups-cities)
    for alt, path in page.images:
        assert len(alt) > 60 and (page.folder / path).is_file() and path.startswith("figures/target-groups-")
    assert (
        "| Tunnusluku |" in page.markdown and "Tietosuojan vuoksi" in page.markdown and "kesäkuu 2026" in page.markdown
    )


def test_suppress_rows_protects_each_month_on_its_own():
    series = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03"], "n": [10, 3, 8]})
    # the series' sum over months is not published: only the small month is hidden
    assert disclosure.suppress_rows(series, RULE, counts=["n"])["n"].tolist() == [10, "..", 8]
    # (plain suppress assumes the column sum is known and hides the smallest other month too)
    assert disclosure.suppress(series, RULE, counts=["n"])["n"].tolist() == [10, "..", ".."]
    table = pd.DataFrame({"a": [10, 3, 8], "b": [2, 20, 9], "total": [12, 23, 17], "share": [0.8, 0.1, 0.5]})
    out = disclosure.suppress_rows(table, RULE, counts=["a", "b", "total"], derived={"share": "a"}, total_col="total")
    # row 1: a = 3 is small and a + b = total, so b goes too; row 0: b = 2, so a goes; row 2 is left alone
    assert out.values.tolist() == [["..", "..", 12, ".."], ["..", "..", 23, ".."], [8, 9, 17, 0.5]]


def test_kpis_with_changes_reuses_the_pages_analysis(demo_workspace):
    ctx = Context(Period(2025, 9), load_params(2025, demo_workspace.params_dir), demo_workspace)
    expected = with_changes(tg.kpis, ctx, first_period=statfin.DATASET.first_period)
    got = tg.kpis_with_changes(ctx, tg.analyse_period(ctx))
    pd.testing.assert_frame_equal(got, expected)
    under25 = got.set_index("kpi").loc["under25_unemployed"]
    # the year-on-year change is this month / the same month a year earlier − 1
    assert under25["change_year"] == pytest.approx(under25["value"] / under25["prev_year_value"] - 1)


def test_notes_follow_the_parameters_and_the_tables():
    analysis = july_analysis(params_with())
    note = tt.kpi_note(analysis)
    assert "100\u00a0%" in note and "(Koko maa)" in note
    assert "vertailualueen" not in tt.kpi_note(july_analysis(params_with(outflow_benchmark_region=None)))
    # a table without hidden cells carries no disclosure note, one with them does
    assert tt.youth_table(analysis, ["2025-07"]).note is None
    assert tt.ohjaamo_table(analysis, ["2025-07"]).note == disclosure.explanation(RULE)
    # the flow is compared with the year-ago level as known now
    assert tt.flow_sentence(analysis).endswith("siirtyi kuukauden aikana 60 henkilöä (vuotta aiemmin 50)")


def test_kpi_note_states_the_targets_the_parameters_set():
    """Main's note said "enintään vuodentakainen taso" and "tavoite ... on suunnitelmasta" whatever the parameters
    held."""
    note = tt.kpi_note(july_analysis(params_with(long_term_max_change_yoy=-0.05, named_advisor_under25_target=0.95)))
    assert "Pitkäaikaistyöttömien tavoite on oletus: vähintään 5\u00a0% alle vuodentakaisen tason" in note
    assert "Yli 3 kk työttömyyteen siirtyneiden tavoite on oletus: enintään vuodentakainen taso" in note
    assert "Omatyöntekijän tavoite 95\u00a0% on oletus" in note and "(parametri" not in note
