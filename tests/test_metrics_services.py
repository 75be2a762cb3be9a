"""Services metrics (plan section 3): hand-built tables with hand-checked numbers (arithmetic beside each check),
the page's texts and disclosure control, and the notebook under Papermill."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from serviceplan.core.params import Params, ServicesParams, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics import services, services_text
from serviceplan.metrics.kpis import KPI_COLUMNS, Context

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "03_services.ipynb"


def small_params(**update: object) -> Params:
    """The 2025 parameters with a two-month effectiveness window, a 15 % threshold on the 6-month follow-up and
    at least 30 people followed for a judgement."""
    base = load_params(2025, REPO / "params")
    values: dict[str, object] = {
        "history_months": 12,
        "effectiveness_window_months": 2,
        "effectiveness_follow_up_months": 6,
        "effectiveness_threshold_share": 0.15,
        "min_followed": 30,
        "open_market_target_share": {3: 0.22, 6: 0.25},
        "initial_interview_target_share": 0.9,
        "job_search_discussion_target_share": 0.8,
    }
    values.update(update)
    areas = base.areas.model_copy(update={"services": ServicesParams(**values)})  # type: ignore[arg-type]
    return base.model_copy(update={"areas": areas})


def services_rows(rows: list[tuple[str, str, str, int, int, int, float]]) -> pd.DataFrame:
    """A canonical services table from (month, service type, provider, starts, stock, ends, cost)."""
    frame = pd.DataFrame(rows, columns=["period", "service_type", "provider", "starts", "stock", "ends", "cost_eur"])
    frame["production_mode"] = "own"
    frame["outcome_based"] = False
    for column in ("starts", "stock", "ends"):
        frame[column] = frame[column].astype("Int64")
    return frame.astype({"period": "string", "service_type": "string", "provider": "string"})


def outcome_rows(rows: list[tuple[str, str, int, int, int]]) -> pd.DataFrame:
    """A canonical outcome table from (follow-up month, service type, follow-up months, ended, open market); the
    rest of the ended are unemployed."""
    records = []
    for period, service, follow_up, ended, open_market in rows:
        records.append(
            {
                "period": period,
                "service_type": service,
                "provider": "P",
                "follow_up_months": follow_up,
                "cohort_period": str(Period.parse(period).shift(-follow_up)),
                "ended": ended,
                "open_market": open_market,
                "subsidised_work": 0,
                "education": 0,
                "unemployed": ended - open_market,
                "outside_labour_force": 0,
            }
        )
    frame = pd.DataFrame(records)
    for column in ("follow_up_months", "ended", "open_market", "subsidised_work", "education", "unemployed"):
        frame[column] = frame[column].astype("Int64")
    return frame.astype({"period": "string", "service_type": "string", "cohort_period": "string"})


def event_rows(rows: list[tuple[str, str, int, int, int, int, int]]) -> pd.DataFrame:
    """Canonical customer events from (month, age group, interviews, within 5 wd, within 10 wd, discussions due,
    on time)."""
    columns = ["period", "age_group", "initial_interviews", "interviews_within_5wd", "interviews_within_10wd"]
    frame = pd.DataFrame(rows, columns=[*columns, "discussions_due", "discussions_on_time"])
    frame["new_jobseekers"] = frame["initial_interviews"] + 10
    for column in frame.columns[2:]:
        frame[column] = frame[column].astype("Int64")
    return frame.astype({"period": "string", "age_group": "string"})


def _plain(texts: list[str]) -> str:
    """Sentences joined, with the no-break spaces of Finnish number formats as plain spaces."""
    return " ".join(texts).replace("\u00a0", " ").replace("\u202f", " ")


# Services of the effectiveness example: cost per month of each cohort month (the months people left services).
SERVICES = services_rows(
    [
        ("2024-09", "pay_subsidy", "A", 9, 90, 9, 900.0),
        ("2024-09", "coaching", "C", 4, 40, 4, 400.0),
        ("2025-02", "pay_subsidy", "A", 10, 100, 10, 2000.0),
        ("2025-03", "pay_subsidy", "A", 10, 100, 10, 3000.0),
        ("2025-02", "coaching", "C", 5, 30, 5, 1000.0),
        ("2025-03", "coaching", "C", 5, 30, 5, 1200.0),
        ("2025-09", "pay_subsidy", "A", 10, 100, 8, 1000.0),
        ("2025-09", "pay_subsidy", "B", 5, 50, 4, 500.0),
        ("2025-09", "coaching", "C", 20, 60, 15, 300.0),
    ]
)
OUTCOMES = outcome_rows(
    [
        # 3 months: 2025-07 falls outside a two-month window ending 2025-09
        ("2025-07", "pay_subsidy", 3, 50, 50),
        ("2025-08", "pay_subsidy", 3, 40, 12),
        ("2025-09", "pay_subsidy", 3, 60, 18),
        ("2025-09", "coaching", 3, 20, 6),
        # 6 months: cohorts 2025-02 (follow-up 2025-08) and 2025-03 (follow-up 2025-09)
        ("2025-08", "pay_subsidy", 6, 20, 4),
        ("2025-09", "pay_subsidy", 6, 20, 6),
        ("2025-08", "coaching", 6, 16, 2),
        ("2025-09", "coaching", 6, 15, 3),
        ("2025-09", "work_trial", 6, 20, 1),
    ]
)
EVENTS = event_rows(
    [
        ("2025-12", "20_24", 100, 10, 30, 200, 150),
        ("2025-12", "30_54", 300, 20, 90, 800, 650),
        ("2026-01", "20_24", 100, 20, 60, 200, 180),
        ("2026-01", "30_54", 300, 40, 200, 800, 700),
    ]
)


# ---- volumes ---------------------------------------------------------------------------------------------------


def test_volumes_add_up_providers_and_give_the_stock_a_year_earlier():
    table = services.volumes(SERVICES, Period(2025, 9)).set_index("service_type")
    # pay subsidy: providers A + B: starts 10 + 5, stock 100 + 50, ends 8 + 4, cost 1000 + 500; a year earlier 90
    assert table.loc["pay_subsidy", ["starts", "stock", "ends", "cost_eur"]].tolist() == [15, 150, 12, 1500]
    assert table.loc["pay_subsidy", "stock_year_ago"] == 90
    # a type without rows has zeros; the total row adds the types: stock 150 + 60 = 210, a year earlier 90 + 40
    assert table.loc["work_trial", ["starts", "stock", "ends"]].tolist() == [0, 0, 0]
    assert table.loc[services.TOTAL, ["starts", "stock", "ends", "cost_eur"]].tolist() == [35, 210, 27, 1800]
    assert table.loc[services.TOTAL, "stock_year_ago"] == 130
    assert table.loc[services.TOTAL, "label"] == "Yhteensä" and table.loc["coaching", "label"] == "Valmennus"
    # without the month a year earlier the column is missing, not zero
    assert math.isnan(
        services.volumes(SERVICES, Period(2025, 3)).set_index("service_type").at["coaching", "stock_year_ago"]
    )


def test_volume_history_covers_the_months_with_data_up_to_the_period():
    history = services.volume_history(SERVICES, Period(2025, 3), months=3)
    # three months asked for, 2025-01..2025-03, but the table starts 2024-09: all three months, zeros in January
    assert sorted(history["month"].unique()) == ["2025-01", "2025-02", "2025-03"]
    jan = history[(history["month"] == "2025-01") & (history["service_type"] == "pay_subsidy")]
    assert jan["stock"].iloc[0] == 0
    assert len(history) == 3 * len(services.SERVICE_TYPES)


# ---- effectiveness --------------------------------------------------------------------------------------------


def test_effectiveness_pools_the_window_and_divides_cost_by_outcomes():
    params = small_params()
    table = services.effectiveness(SERVICES, OUTCOMES, params, Period(2025, 9)).set_index("service_type")
    pay = table.loc["pay_subsidy"]
    # 3 months, follow-ups 2025-08 and 2025-09 only: ended 40 + 60 = 100, open 12 + 18 = 30, share 0.30
    assert (pay["followed_3m"], pay["open_3m"], pay["other_3m"]) == (100, 30, 70)
    assert pay["share_3m"] == pytest.approx(0.30)
    # their cohorts are 2025-05 and 2025-06, months without a services export: the cost is unknown, not zero
    assert math.isnan(pay["cost_3m_eur"]) and math.isnan(pay["cost_per_outcome_3m_eur"])
    # 6 months: ended 20 + 20 = 40, open 4 + 6 = 10, share 0.25; cost of the cohort months 2025-02 and 2025-03:
    # 2000 + 3000 = 5000 €, per open-market outcome 5000 / 10 = 500 €
    assert (pay["followed_6m"], pay["open_6m"]) == (40, 10)
    assert pay["share_6m"] == pytest.approx(0.25)
    assert pay["cost_6m_eur"] == 5000 and pay["cost_per_outcome_6m_eur"] == pytest.approx(500)
    # coaching 6 months: ended 16 + 15 = 31 (>= 30: judged), open 2 + 3 = 5, share 5 / 31 = 0.1613 (above 15 %)
    coaching = table.loc["coaching"]
    assert coaching["share_6m"] == pytest.approx(5 / 31) and coaching["judged"] and not coaching["below_threshold"]
    # cost (1000 + 1200) / 5 = 440 € per outcome
    assert coaching["cost_per_outcome_6m_eur"] == pytest.approx(440)
    # work trial: 1 of 20 (5 %) but only 20 followed: not judged, so not flagged
    trial = table.loc["work_trial"]
    assert trial["share_6m"] == pytest.approx(0.05) and not trial["judged"] and not trial["below_threshold"]
    # total 6 months: ended 40 + 31 + 20 = 91, open 10 + 5 + 1 = 16; the total row is never flagged
    total = table.loc[services.TOTAL]
    assert (total["followed_6m"], total["open_6m"]) == (91, 16) and not total["judged"]
    assert total["share_6m"] == pytest.approx(16 / 91)


def test_threshold_flags_a_judged_service_below_it():
    # a 20 % threshold: coaching (16.1 %, 31 followed) falls below; pay subsidy (25 %) does not; work trial (5 %)
    # is not judged with 20 followed
    params = small_params(effectiveness_threshold_share=0.20)
    table = services.effectiveness(SERVICES, OUTCOMES, params, Period(2025, 9))
    assert services.flagged(table) == ["coaching"]
    # judging the 3-month follow-up instead: pay 30 % (100 followed), coaching 6 / 20 = 30 % but only 20 followed
    params = small_params(effectiveness_threshold_share=0.20, effectiveness_follow_up_months=3)
    assert services.flagged(services.effectiveness(SERVICES, OUTCOMES, params, Period(2025, 9))) == []


def test_effectiveness_before_any_follow_up_is_missing_not_zero():
    table = services.effectiveness(SERVICES, OUTCOMES.iloc[0:0], small_params(), Period(2025, 9))
    assert math.isnan(table.set_index("service_type").at[services.TOTAL, "share_3m"])
    assert math.isnan(table.set_index("service_type").at["pay_subsidy", "cost_per_outcome_6m_eur"])
    assert not table["judged"].any()


def test_published_effectiveness_hides_small_counts_and_what_reveals_them():
    params = small_params()
    table = services.effectiveness(SERVICES, OUTCOMES, params, Period(2025, 9))
    published = services.published_effectiveness(table, params.disclosure).set_index("service_type")
    # 6 months: coaching open 5 is shown (not 1..4), work trial open 1 is hidden (primary). Its row then has one
    # hidden cell, so its "other" (19) goes too, and the open column has one hidden cell, so the smallest other
    # non-zero open count (coaching 5) is hidden as well; the "other" column likewise loses coaching's 26.
    assert math.isnan(published.at["work_trial", "open_6m"]) and math.isnan(published.at["work_trial", "other_6m"])
    assert math.isnan(published.at["coaching", "open_6m"]) and math.isnan(published.at["coaching", "other_6m"])
    # the shares and costs per outcome built on hidden counts are hidden; people followed stay visible
    assert math.isnan(published.at["work_trial", "share_6m"]) and math.isnan(published.at["coaching", "share_6m"])
    assert math.isnan(published.at["coaching", "cost_per_outcome_6m_eur"])
    assert published.at["coaching", "followed_6m"] == 31
    # pay subsidy and the total stay: 10 / 40 and 16 / 91
    assert published.at["pay_subsidy", "share_6m"] == pytest.approx(0.25)
    assert published.at[services.TOTAL, "share_6m"] == pytest.approx(16 / 91)
    # for showing, hidden cells hold the symbol
    shown = services.published_effectiveness(table, params.disclosure, as_missing=False).set_index("service_type")
    assert shown.at["work_trial", "open_6m"] == ".." and shown.at["coaching", "share_6m"] == ".."


# ---- statutory service level -------------------------------------------------------------------------------------


def test_service_level_applies_the_deadline_in_force_each_month():
    params = small_params()
    level = services.service_level(EVENTS, params, Period(2026, 1), months=12).set_index("month")
    # December 2025: 5 working days: within 10 + 20 = 30 of 100 + 300 = 400 interviews: 7.5 %
    assert level.at["2025-12", "deadline_days"] == 5
    assert level.at["2025-12", "within_deadline"] == 30 and level.at["2025-12", "deadline_share"] == pytest.approx(
        0.075
    )
    # January 2026: 10 working days: within 60 + 200 = 260 of 400: 65 %; within 5 days would be 60 / 400 = 15 %
    assert level.at["2026-01", "deadline_days"] == 10
    assert level.at["2026-01", "deadline_share"] == pytest.approx(0.65)
    assert level.at["2026-01", "share_5wd"] == pytest.approx(0.15)
    # discussions on time: (180 + 700) / (200 + 800) = 88 %; late 1000 − 880 = 120
    assert level.at["2026-01", "discussions_share"] == pytest.approx(0.88)
    assert level.at["2026-01", "discussions_late"] == 120 and level.at["2026-01", "interviews_late"] == 140


def test_rule_change_is_marked_and_explained_with_the_same_rule_a_year_earlier():
    params = small_params()
    events = pd.concat(
        [EVENTS, event_rows([("2025-01", "30_54", 200, 10, 40, 100, 60)])], ignore_index=True
    )  # a year before January 2026: 40 of 200 within 10 working days = 20 %
    analysis = services.analyse(SERVICES, OUTCOMES, events, params, Period(2026, 1))
    assert services_text.rule_changes(analysis) == {"2026-01": "määräaika 10 työpäivää"}
    text = _plain(services_text.describe(analysis))
    assert "Tammikuussa 2026 alkuhaastatteluista 65,0 % pidettiin lain määräajassa (10 työpäivää)" in text
    assert "Määräaika muuttui 5 työpäivästä 10 työpäivään 1.1.2026" in text
    assert "samalla 10 työpäivän mittarilla osuus oli vuotta aiemmin 20,0 %" in text
    intro = services_text.service_level_intro(analysis)
    assert "1.1.2025 alkaen 5 työpäivässä ja 1.1.2026 alkaen 10 työpäivässä" in intro


# ---- KPIs ------------------------------------------------------------------------------------------------------


def _context(params: Params, period: Period) -> Context:
    return Context(period=period, params=params, workspace=Workspace(REPO))


def test_kpis_have_stable_ids_targets_and_statuses():
    params = small_params(effectiveness_threshold_share=0.20)
    period = Period(2025, 9)
    events = event_rows([("2025-09", "30_54", 200, 100, 150, 100, 85)])
    analysis = services.analyse(SERVICES, OUTCOMES, events, params, period)
    kpis = services.kpi_rows(_context(params, period), analysis)
    assert list(kpis.columns) == list(KPI_COLUMNS) and set(kpis["area"]) == {"services"}
    row = kpis.set_index("kpi")
    assert list(row.index) == [
        "services_stock",
        "services_starts",
        "services_ends",
        "services_cost_eur",
        "open_market_share_3m",
        "open_market_share_6m",
        "cost_per_open_market_outcome_3m_eur",
        "cost_per_open_market_outcome_6m_eur",
        "services_below_threshold",
        "initial_interview_on_time_share",
        "job_search_discussion_on_time_share",
    ]
    # volumes of 2025-09 (see the volume test): stock 210, starts 35, ends 27, cost 1800 €
    assert row.loc[["services_stock", "services_starts", "services_ends"], "value"].tolist() == [210, 35, 27]
    assert row.at["services_cost_eur", "value"] == 1800
    # 3 months: open (30 + 6) / followed (100 + 20) = 30 %, target 22 %: ok
    assert row.at["open_market_share_3m", "value"] == pytest.approx(0.30)
    assert (row.at["open_market_share_3m", "target"], row.at["open_market_share_3m", "status"]) == (0.22, "ok")
    # 6 months: 16 / 91 = 17.6 % against 25 %: more than 5 % short, alert
    assert row.at["open_market_share_6m", "value"] == pytest.approx(16 / 91)
    assert row.at["open_market_share_6m", "status"] == "alert"
    # cost per outcome 6 months: (5000 + 2200 + 0) / 16 = 450 €
    assert row.at["cost_per_open_market_outcome_6m_eur", "value"] == pytest.approx(7200 / 16)
    # 3 months: the cohorts 2025-05..06 have no services export here, so the cost per outcome is unknown
    assert math.isnan(row.at["cost_per_open_market_outcome_3m_eur", "value"])
    # coaching below a 20 % threshold: one service type against the target 0: alert
    assert row.at["services_below_threshold", "value"] == 1 and row.at["services_below_threshold", "status"] == "alert"
    # interviews within 5 working days (the 2025 rule): 100 / 200 = 50 % against 90 %
    assert row.at["initial_interview_on_time_share", "value"] == pytest.approx(0.5)
    assert "5 työpäivää" in row.at["initial_interview_on_time_share", "label"]
    # discussions 85 / 100 = 85 % against 80 %: ok
    assert row.at["job_search_discussion_on_time_share", "value"] == pytest.approx(0.85)
    assert row.at["job_search_discussion_on_time_share", "status"] == "ok"


def test_kpis_hide_a_share_built_on_a_small_count():
    params = small_params()
    period = Period(2025, 9)
    # 48 of 50 interviews within the deadline: the 2 late interviews are a small count, so the share is not published
    events = event_rows([("2025-09", "30_54", 50, 48, 48, 100, 97)])
    kpis = services.kpi_rows(_context(params, period), services.analyse(SERVICES, OUTCOMES, events, params, period))
    row = kpis.set_index("kpi")
    assert math.isnan(row.at["initial_interview_on_time_share", "value"])
    assert row.at["initial_interview_on_time_share", "status"] == "none"
    # 97 of 100 discussions on time: 3 late, hidden too
    assert math.isnan(row.at["job_search_discussion_on_time_share", "value"])


def test_kpis_before_the_first_follow_up_are_missing():
    params = small_params()
    period = Period(2025, 2)
    analysis = services.analyse(SERVICES, OUTCOMES.iloc[0:0], EVENTS.iloc[0:0], params, period)
    row = services.kpi_rows(_context(params, period), analysis).set_index("kpi")
    assert row.loc[["open_market_share_3m", "services_below_threshold"], "value"].isna().all()
    assert (row["status"] == "none").all()


# ---- texts -----------------------------------------------------------------------------------------------------


def test_texts_name_the_flagged_service_and_never_a_hidden_share():
    params = small_params(effectiveness_threshold_share=0.20)
    analysis = services.analyse(SERVICES, OUTCOMES, EVENTS.iloc[0:0], params, Period(2025, 9))
    text = _plain(services_text.describe(analysis))
    # coaching is flagged; its 6-month share (5 / 31) is hidden by secondary suppression, so no percentage follows
    assert "Alle 20 prosentin vaikuttavuuskynnyksen (6 kk palvelun jälkeen) jäi valmennus." in text
    assert "16,1 %" not in text
    # the totals: 3 months 36 / 120 = 30,0 %, 6 months 16 / 91 = 17,6 %
    assert "3 kuukauden kuluttua 30,0 % ja 6 kuukauden kuluttua 17,6 %" in text
    titles = services_text.figure_texts(analysis)
    assert (
        titles["effectiveness"]["title"]
        == "Valmennus jäi alle 20 prosentin vaikuttavuuskynnyksen (6 kk palvelun jälkeen)"
    )
    assert "Valmennus peitetty ja peitetty" not in titles["effectiveness"]["alt"]
    assert "Työkokeilu ei tietoa ja peitetty" in titles["effectiveness"]["alt"]
    labels = services_text.effectiveness_labels(analysis)
    assert labels["coaching"] == "Valmennus – alle kynnyksen" and labels["pay_subsidy"] == "Palkkatuki"


def test_stock_chart_and_table_hide_the_same_cells():
    rows = [("2025-09", "pay_subsidy", "A", 10, 100, 8, 1.0), ("2025-09", "coaching", "C", 1, 3, 1, 1.0)]
    rows += [("2025-09", "work_trial", "W", 5, 40, 5, 1.0)]
    analysis = services.analyse(
        services_rows(rows), OUTCOMES.iloc[0:0], EVENTS.iloc[0:0], small_params(), Period(2025, 9)
    )
    chart = services_text.stock_history(analysis).set_index("service_type")["stock"]
    # coaching 3 is hidden; the month's types add up to the total, so the smallest other (work trial 40) goes too
    assert math.isnan(chart["coaching"]) and math.isnan(chart["work_trial"]) and chart["pay_subsidy"] == 100
    table = services_text.stock_table(analysis).iloc[0]
    assert (table["Valmennus"], table["Työkokeilu"], table["Palkkatuki"], table["Yhteensä"]) == (
        "..",
        "..",
        "100",
        "143",
    )


def test_reference_line_joins_the_legend_and_event_labels_stay_inside():
    from serviceplan.present import charts

    series = pd.DataFrame({"month": ["2025-11", "2025-12", "2026-01"], "share": [0.1, 0.2, 0.6]})
    figure = charts.monthly_lines(
        series, x="month", lines=[charts.Series("share", "Osuus")], periods=series["month"].tolist(),
        title="Otsikko", unit="share",
    )  # fmt: skip
    charts.add_reference_line(figure, 0.9, "Tavoite 90 %", axis="y")
    assert [t.get_text() for t in figure.legends[0].texts] == ["Osuus", "Tavoite 90 %"] and len(figure.legends) == 1
    charts.mark_months(figure, series["month"].tolist(), {"2026-01": "määräaika 10 työpäivää"})
    label = next(a for a in figure.axes[0].texts if a.get_text() == "määräaika 10 työpäivää")
    # the change is in the right half of the chart: the label sits left of the line (ending at it)
    assert label.get_horizontalalignment() == "right"
    charts.plt.close(figure)


def test_period_line_names_the_cohorts_across_years():
    from serviceplan.present.narrative import months_between

    assert months_between("2025-06", "2025-06") == "kesäkuussa 2025"
    assert months_between("2025-01", "2025-06") == "tammi–kesäkuussa 2025"
    assert months_between("2025-04", "2026-03") == "huhtikuun 2025 ja maaliskuun 2026 välillä"
    analysis = services.analyse(SERVICES, OUTCOMES, EVENTS.iloc[0:0], small_params(), Period(2025, 9))
    # 3 months: follow-ups 2025-08..09 = cohorts 2025-05..06; 6 months: cohorts 2025-02..03
    assert services_text.period_line(analysis).endswith(
        "Vaikuttavuuden luvuissa ovat mukana 3 kk:n seurannassa touko–kesäkuussa 2025 ja 6 kk:n seurannassa "
        "helmi–maaliskuussa 2025 päättyneet palvelut."
    )


# ---- the notebook ----------------------------------------------------------------------------------------------


def test_notebook_runs_under_papermill_without_warnings(run_page):
    page = run_page(NOTEBOOK.name, "2025-07")
    assert [Path(p).name for _, p in page.images] == [
        "services-volumes.png",
        "services-effectiveness.png",
        "services-service-level.png",
    ]
    for alt, path in page.images:
        assert len(alt) > 60 and (page.folder / path).is_file()
    assert "| Tunnusluku |" in page.markdown and "Tietosuojan vuoksi" in page.markdown
    assert "vaikuttavuuskynnyksen" in page.markdown
