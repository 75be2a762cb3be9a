"""Employer services metrics (plan section 7): hand-built tables with hand-checked numbers (the arithmetic is
written beside each check), the KPI table, the page's texts and the notebook on the demo data."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from serviceplan.core.params import EmployerServicesParams, Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics import employer_services as es
from serviceplan.metrics import employer_services_text as text
from serviceplan.metrics.kpis import KPI_COLUMNS, Context

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "06_employer_services.ipynb"
FEBRUARY = Period(2025, 2)


def small_params(**settings: object) -> Params:
    """The 2025 parameters with the page's targets fixed here (so the checks do not follow the defaults)."""
    base = load_params(2025, REPO / "params")
    values: dict[str, object] = {
        "fill_rate_target": 0.6,
        "days_to_fill_median_target": 22.0,
        "days_to_fill_mean_target": 28.0,
        "events_ladec_per_year_target": 60.0,
        "events_education_per_year_target": 120.0,
        "history_months": 18,
    }
    values.update(settings)
    areas = base.areas.model_copy(update={"employer_services": EmployerServicesParams(**values)})
    return base.model_copy(update={"areas": areas})


COLUMNS = [
    "period",
    "field",
    "vacancies_received",
    "vacancies_filled",
    "vacancies_open",
    "days_to_fill_median",
    "days_to_fill_mean",
    "placements",
    "employer_visits",
    "employer_calls",
    "events_ladec",
    "events_education",
]


def report(rows: list[list[object]]) -> pd.DataFrame:
    """A canonical employer services table from rows in :data:`COLUMNS` order (field ``total`` is the total row)."""
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["is_total"] = frame["field"] == "total"
    return frame.astype({"period": "string", "field": "string"})


# January 2025: 100 received, 60 filled (median 25, mean 30 days); February: 200 received, 140 filled
# (median 20, mean 25); events: Ladec 4 + 6, education 5 + 15. February's fields: health care 120 received,
# 80 filled, 3 placed, 30 days; hospitality 80 received, 60 filled, 37 placed, 10 days.
REPORT = report(
    [
        ["2025-01", "total", 100, 60, 90, 25.0, 30.0, 30, 10, 40, 4, 5],
        ["2025-02", "health_social", 120, 80, 70, 30.0, 33.0, 3, 6, 30, 4, 10],
        ["2025-02", "hospitality", 80, 60, 40, 10.0, 14.75, 37, 4, 20, 2, 5],
        ["2025-02", "total", 200, 140, 110, 20.0, 25.0, 40, 10, 50, 6, 15],
    ]
)


def statfin_rows(values: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Canonical statistics rows of Lahti from ``{month: (open vacancies, new vacancies)}``."""
    rows = []
    for month, (open_, new) in values.items():
        rows.append(("12r5", "KU398", month, "open_vacancies", open_))
        rows.append(("12r5", "KU398", month, "new_vacancies", new))
        rows.append(("12r5", "SSS", month, "open_vacancies", 50_000.0))  # another region: ignored
    return pd.DataFrame(rows, columns=["table", "region", "period", "measure", "value"])


STATS = statfin_rows({"2024-02": (1000.0, 1200.0), "2025-01": (900.0, 1000.0), "2025-02": (800.0, 1100.0)})


def test_publishable_count_and_ratio():
    assert math.isnan(es.publishable_count(3, 5)) and es.publishable_count(5, 5) == 5
    assert es.publishable_count(0, 5) == 0 and math.isnan(es.publishable_count(None, 5))
    assert es.ratio(60, 100) == pytest.approx(0.6) and math.isnan(es.ratio(1, 0))


def test_monthly_table_puts_statistics_beside_the_report():
    stats = es.lahti_statistics(STATS, "KU398")
    assert stats.set_index("month").at["2025-02", "stat_open_vacancies"] == 800  # Lahti, not the country
    table = es.monthly_table(REPORT, stats, ["2024-02", "2025-01", "2025-02"]).set_index("month")
    assert table.at["2024-02", "stat_new_vacancies"] == 1200 and math.isnan(table.at["2024-02", "received"])
    assert table.at["2025-01", "fill_rate"] == pytest.approx(0.6)  # 60 / 100
    assert table.at["2025-02", "fill_rate"] == pytest.approx(0.7)  # 140 / 200
    assert table.at["2025-02", "contacts"] == 60  # 10 visits + 50 calls
    assert table.at["2025-02", "median_days"] == 20  # the total row's, not rebuilt from the fields


def test_by_field_keeps_every_field_and_the_total():
    fields = es.by_field(REPORT, "2025-02").set_index("field")
    assert list(fields.index) == [*es.FIELDS, "total"]
    assert fields.at["health_social", "fill_rate"] == pytest.approx(80 / 120)
    assert math.isnan(fields.at["industry", "received"])  # no row in this hand-built report
    assert fields.at["total", "label"] == "Yhteensä"
    assert es.by_field(REPORT, "2025-03").empty


def test_year_to_date_sums_and_the_filled_weighted_mean():
    monthly = es.monthly_table(REPORT, es.lahti_statistics(STATS, "KU398"), ["2024-02", "2025-01", "2025-02"])
    ytd = es.year_to_date(monthly, FEBRUARY, small_params().areas.employer_services)
    assert ytd.months == 2 and ytd.received == 300 and ytd.filled == 200  # 100 + 200; 60 + 140
    assert ytd.events_ladec == 10 and ytd.events_education == 20  # 4 + 6; 5 + 15
    assert ytd.mean_days == pytest.approx(26.5)  # (60 x 30 + 140 x 25) / 200 = (1 800 + 3 500) / 200
    assert ytd.events_ladec_target == pytest.approx(10)  # 60 a year x 2 / 12
    assert ytd.events_education_target == pytest.approx(20)  # 120 x 2 / 12
    assert math.isnan(es.pro_rata(None, FEBRUARY))
    assert es.window(FEBRUARY, 3) == ["2024-12", "2025-01", "2025-02"]


def analysed(period: Period = FEBRUARY, **settings: object) -> tuple[Params, es.EmployerAnalysis]:
    params = small_params(**settings)
    return params, es.analyse(REPORT, STATS, params, period)


def test_every_kpi_from_hand_built_tables(tmp_path: Path):
    params, analysis = analysed()
    table = es.kpi_rows(Context(FEBRUARY, params, Workspace(tmp_path)), analysis)
    assert list(table.columns) == list(KPI_COLUMNS)
    kpis = table.set_index("kpi")
    assert kpis.index.is_unique and set(kpis["area"]) == {"employer_services"}
    expected = {
        "emp_open_vacancies": (800, "none"),
        "emp_new_vacancies": (1100, "none"),
        "emp_vacancies_received": (200, "none"),
        "emp_vacancies_filled": (140, "none"),
        "emp_fill_rate": (0.7, "ok"),  # 140 / 200 against at least 0.6
        "emp_placements": (40, "none"),
        "emp_days_to_fill_median": (20, "ok"),  # at most 22
        "emp_days_to_fill_mean": (25, "ok"),  # at most 28
        "emp_employer_contacts": (60, "none"),
        "emp_events_ladec_ytd": (10, "ok"),  # 4 + 6 against 60 x 2 / 12 = 10
        "emp_events_education_ytd": (20, "ok"),  # 5 + 15 against 120 x 2 / 12 = 20
    }
    assert set(kpis.index) == {*expected, "rank_vacancies_per_unemployed"}
    # the statistics here hold no unemployed, so no vacancies per unemployed and no place among the cities
    assert math.isnan(kpis.at["rank_vacancies_per_unemployed", "value"])
    assert kpis.at["rank_vacancies_per_unemployed", "unit"] == "rank"
    for kpi, (value, status) in expected.items():
        assert kpis.at[kpi, "value"] == pytest.approx(value), kpi
        assert kpis.at[kpi, "status"] == status, kpi
    assert kpis.at["emp_events_ladec_ytd", "target"] == pytest.approx(10)


def test_kpi_statuses_below_target_and_months_without_the_report(tmp_path: Path):
    # January: fill rate 0.6 meets 0.6; median 25 > 22 by 3 (over 5 % of 22: alert); mean 30 > 28 by 2
    # (over 1.4: alert); Ladec 4 against 60 / 12 = 5: 1 short, more than 5 % of 5 (alert)
    params, analysis = analysed(Period(2025, 1), days_to_fill_mean_target=29.0)
    kpis = es.kpi_rows(Context(Period(2025, 1), params, Workspace(tmp_path)), analysis).set_index("kpi")
    assert kpis.at["emp_fill_rate", "status"] == "ok"
    assert kpis.at["emp_days_to_fill_median", "status"] == "alert"
    assert kpis.at["emp_days_to_fill_mean", "status"] == "warn"  # 30 > 29 by 1, within 5 % of 29 (1.45)
    assert kpis.at["emp_events_ladec_ytd", "status"] == "alert"
    # February 2024: the statistics only
    params, analysis = analysed(Period(2024, 2))
    kpis = es.kpi_rows(Context(Period(2024, 2), params, Workspace(tmp_path)), analysis).set_index("kpi")
    assert kpis.at["emp_open_vacancies", "value"] == 1000
    assert math.isnan(kpis.at["emp_vacancies_received", "value"])
    assert math.isnan(kpis.at["emp_events_ladec_ytd", "value"]) and kpis.at["emp_events_ladec_ytd", "status"] == "none"


def test_small_placements_are_hidden_in_tables_charts_and_kpis(tmp_path: Path):
    _, analysis = analysed()
    shown = text.fields_display(analysis).set_index("field")
    # health care's 3 placements are hidden, and hospitality's 37 with them (else 40 - 37 = 3); the total is shown
    assert shown.at["health_social", "placements"] == ".." and shown.at["hospitality", "placements"] == ".."
    assert shown.at["total", "placements"] == 40
    chart = text.field_chart_data(analysis, "received")
    assert list(chart["field"][:2]) == ["health_social", "hospitality"]  # most received first (NaN rows last)
    assert chart.set_index("field").at["health_social", "placements"] == ".."
    small = report([["2025-02", "total", 10, 4, 6, 20.0, 25.0, 2, 1, 5, 0, 0]])
    params = small_params()
    analysis = es.analyse(small, STATS, params, FEBRUARY)
    kpis = es.kpi_rows(Context(FEBRUARY, params, Workspace(tmp_path)), analysis).set_index("kpi")
    assert math.isnan(kpis.at["emp_placements", "value"])  # 2 people
    assert "peitetty" in " ".join(text.describe(analysis))


def test_page_texts_state_the_numbers():
    _, analysis = analysed()
    sentences = text.describe(analysis)
    assert sentences[0] == (
        "Työnvälitystilaston mukaan kunnassa (Lahti) oli helmikuun lopussa 800 avointa työpaikkaa, 20,0\u00a0% "
        "vähemmän kuin vuotta aiemmin; uusia paikkoja ilmoitettiin kuukauden aikana 1\u202f100."
    )  # 800 / 1 000 - 1 = -20 %
    joined = " ".join(sentences)
    assert "täytettiin 140 (70\u00a0% ilmoitettujen määrästä, tavoite 60\u00a0%)" in joined
    assert "mediaani lyheni edellisestä kuukaudesta 5,0 päivää" in joined  # 25 -> 20
    assert "hitaimmin täyttyivät sosiaali- ja terveysalan paikat (mediaani 30,0 päivää)" in joined
    assert "Ladecin kanssa 10 (tavoite tähän mennessä 10)" in joined
    texts = text.figure_texts(analysis)
    assert texts["time"]["title"] == "Täyttöajan mediaani helmikuussa 20,0 päivää (tavoite enintään 22)"
    assert all(len(t["alt"]) > 40 for t in texts.values())


def test_kpi_note_explains_the_missing_year_ago_values_only_in_the_first_year():
    _, analysis = analysed()
    assert "ei vielä ole vuoden takaista vertailua" in text.kpi_note(analysis)
    later = es.analyse(REPORT, STATS, small_params(), Period(2026, 1))
    assert "vuoden takaista" not in text.kpi_note(later)


def test_no_year_on_year_phrase_without_last_years_statistics():
    stats = statfin_rows({"2025-02": (800.0, 1100.0)})
    analysis = es.analyse(REPORT, stats, small_params(), FEBRUARY)
    assert text.vacancy_sentence(analysis).startswith(
        "Työnvälitystilaston mukaan kunnassa (Lahti) oli helmikuun lopussa 800 avointa työpaikkaa; uusia"
    )
    assert "vuotta aiemmin" not in text.figure_texts(analysis)["vacancies"]["title"]


# ---- the notebook ------------------------------------------------------------------------------------------


def test_notebook_runs_under_papermill_without_warnings(run_page):
    page = run_page(NOTEBOOK.name, "2026-01")
    assert len(page.images) == 5 and all(Path(p).stem.startswith("employer_services-") for _, p in page.images)
    for alt, path in page.images:
        assert len(alt) > 60 and (page.folder / path).is_file()
    assert "| Tunnusluku |" in page.markdown and "Tietosuojan vuoksi" in page.markdown
    assert "tammikuussa" in page.markdown  # January 2026 in the generated sentences
