"""Immigrant metrics and page: hand-built tables with hand-checked numbers (arithmetic beside each check)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from serviceplan.core.params import Disclosure, ImmigrantsParams, Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.sources import statfin
from serviceplan.inputs.sources.immigrants import LANGUAGE_GROUPS
from serviceplan.metrics import immigrants as im
from serviceplan.metrics import immigrants_text as it
from serviceplan.metrics import with_changes
from serviceplan.metrics.kpis import KPI_COLUMNS, Context
from serviceplan.present import charts, disclosure

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
RULE = Disclosure(min_count=5, symbol="..")
JUNE = Period(2025, 6)
GROUPS = list(LANGUAGE_GROUPS.values())  # ukrainian, russian, arabic, english, somali, persian_dari, estonian, other


def params_with(**settings: object) -> Params:
    """The 2025 parameters with this page's settings replaced (default: a 36-month integration period)."""
    base = load_params(2025, REPO / "params")
    values: dict[str, object] = {"integration_period_months": 36, "history_months": 13}
    values.update(settings)
    areas = base.areas.model_copy(update={"immigrants": ImmigrantsParams(**values)})
    return base.model_copy(update={"areas": areas, "disclosure": RULE})


def report_rows(month: str, groups: dict[str, tuple[int, int, int, int, int]]) -> pd.DataFrame:
    """A canonical month of the immigrant services' report: ``groups`` maps a language group to (customers,
    integration period, training, moved, contacts); groups not given are zero; the total row is their sum."""
    columns = list(im.COUNTS)
    rows = []
    for group in GROUPS:
        values = groups.get(group, (0, 0, 0, 0, 0))
        rows.append({"period": month, "language_group": group, **dict(zip(columns, values, strict=True))})
    total = {c: sum(r[c] for r in rows) for c in columns}
    rows.append({"period": month, "language_group": "total", **total})
    frame = pd.DataFrame(rows).astype({"period": "string", "language_group": "string"})
    frame["is_total"] = frame["language_group"] == "total"
    return frame


JUNE_GROUPS = {
    "ukrainian": (500, 200, 80, 6, 90),
    "russian": (300, 60, 20, 2, 50),
    "arabic": (200, 90, 30, 1, 40),
    "estonian": (100, 3, 0, 0, 20),
}
# totals: customers 1100, integration 353, training 130, moved 9, contacts 200


def statistics(months: list[str], foreign: list[float], unemployed: list[float]) -> pd.DataFrame:
    """Canonical statistics rows: Lahti as given, Päijät-Häme with a 10 % and the whole country a 20 % share."""
    rows = []
    for i, month in enumerate(months):
        for region, share in (("KU398", None), ("MK07", 0.10), ("SSS", 0.20)):
            total = unemployed[i] if share is None else 10_000.0
            count = foreign[i] if share is None else share * 10_000.0
            rows.append({"region": region, "period": month, "measure": "foreign", "value": count})
            rows.append({"region": region, "period": month, "measure": "unemployed", "value": total})
    frame = pd.DataFrame(rows).astype({"region": "string", "period": "string", "measure": "string"})
    frame["updated"] = pd.Timestamp("2025-07-25T05:00:00Z")
    return frame


def june_analysis(params: Params, groups: dict | None = None) -> im.ImmigrantAnalysis:
    """2024-06..2025-06 statistics (Lahti: 1000 foreign of 8000 a year ago, 1260 of 10 000 now) and the June 2025
    report (with May's totals for the month-on-month change)."""
    months = [str(p) for p in month_range(Period(2024, 6), JUNE)]
    stats = statistics(months, [1000.0] * 12 + [1260.0], [8000.0] * 12 + [10_000.0])
    report = pd.concat(
        [report_rows("2025-05", {"ukrainian": (480, 200, 70, 5, 160)}), report_rows("2025-06", groups or JUNE_GROUPS)],
        ignore_index=True,
    )
    return im.analyse(stats, report, params, JUNE)


# ---- metrics -------------------------------------------------------------------------------------------------


def test_foreign_indicators_and_monthly_totals():
    analysis = june_analysis(params_with())
    now = analysis.foreign_at()
    assert now["foreign_share"] == pytest.approx(0.126)  # 1260 / 10 000
    assert analysis.foreign_at(months_back=12)["foreign_share"] == pytest.approx(0.125)  # 1000 / 8000
    assert analysis.foreign_at("SSS")["foreign_share"] == pytest.approx(0.2)
    totals = analysis.totals_at()
    assert totals[list(im.COUNTS)].tolist() == [1100, 353, 130, 9, 200]
    assert totals["not_in_training"] == 223  # 353 − 130
    assert totals["training_share"] == pytest.approx(130 / 353)  # 0.3683
    assert totals["move_base"] == 362  # 353 + 9
    assert totals["move_rate"] == pytest.approx(9 / 362)  # 0.02486
    assert analysis.has_report and list(analysis.totals.index) == ["2025-05", "2025-06"]


def test_language_groups_in_report_order_with_shares():
    groups = june_analysis(params_with()).groups
    assert groups["group"].tolist() == [*GROUPS, "total"]
    assert groups["label"].iloc[0] == "Ukraina" and groups["label"].iloc[-1] == "Yhteensä"
    ukrainian = groups.iloc[0]
    assert ukrainian["integration_share"] == pytest.approx(0.4)  # 200 / 500
    assert ukrainian["training_share"] == pytest.approx(0.4)  # 80 / 200
    assert math.isnan(groups.set_index("group").loc["english", "integration_share"])  # 0 customers


def test_move_rate_target_from_params():
    assert im.move_rate_target(params_with()) == pytest.approx(1 / 36)  # 0.02778
    assert im.move_rate_target(params_with(integration_period_months=None)) is None


def test_kpis_values_targets_and_statuses(tmp_path: Path):
    params = params_with()
    ctx = Context(JUNE, params, Workspace(tmp_path))
    table = im.kpi_rows(ctx, june_analysis(params))
    assert list(table.columns) == list(KPI_COLUMNS)
    kpi = table.set_index("kpi")
    assert list(kpi.index) == [*im.KPI_LABELS, "rank_foreign_unemployment_rate"]
    assert (kpi["area"] == "immigrants").all()
    assert kpi.loc["foreign_unemployed", "value"] == 1260
    assert kpi.loc["foreign_share", "value"] == pytest.approx(0.126)
    assert kpi.loc["foreign_language_customers", "value"] == 1100
    assert kpi.loc["in_integration_period", "value"] == 353
    assert kpi.loc["in_integration_training", "value"] == 130
    assert kpi.loc["moved_to_occupation_teams", "value"] == 9
    # 9 / 362 = 0.0249 against 1 / 36 = 0.0278: 0.0029 short, more than 5 % of the target (0.0014)
    assert kpi.loc["move_rate", ["value", "target", "status"]].tolist() == [
        pytest.approx(9 / 362),
        pytest.approx(1 / 36),
        "alert",
    ]
    assert kpi.loc["ihl_contacts", "value"] == 200
    assert kpi.loc["foreign_share", "status"] == "none"


def test_kpis_hide_a_small_number_of_moves_and_its_rate(tmp_path: Path):
    params = params_with()
    ctx = Context(JUNE, params, Workspace(tmp_path))
    few = {**JUNE_GROUPS, "ukrainian": (500, 200, 80, 0, 90), "russian": (300, 60, 20, 1, 50)}  # 0 + 1 + 1 = 2
    kpi = im.kpi_rows(ctx, june_analysis(params, few)).set_index("kpi")
    assert math.isnan(kpi.loc["moved_to_occupation_teams", "value"])
    assert math.isnan(kpi.loc["move_rate", "value"])  # 2 / 355 with 353 shown would give the 2 away
    assert kpi.loc["in_integration_period", "value"] == 353


def test_kpis_without_a_report(tmp_path: Path):
    params = params_with()
    ctx = Context(Period(2024, 12), params, Workspace(tmp_path))
    months = [str(p) for p in month_range(Period(2024, 1), Period(2024, 12))]
    analysis = im.analyse(statistics(months, [900.0] * 12, [8000.0] * 12), pd.DataFrame(), params, Period(2024, 12))
    kpi = im.kpi_rows(ctx, analysis).set_index("kpi")
    assert kpi.loc["foreign_unemployed", "value"] == 900
    assert kpi.loc[["in_integration_period", "move_rate", "ihl_contacts"], "value"].isna().all()
    assert not analysis.has_report and analysis.groups.empty


# ---- disclosure control on the page --------------------------------------------------------------------------


def test_language_group_table_is_suppressed_column_by_column():
    shown = it.groups_frame(june_analysis(params_with())).set_index("group")
    # integration period: estonian 3 is small; the column's total is shown, so the smallest other non-zero
    # count of the column (russian 60) is hidden too; the shares computed from them go with them
    assert shown.loc["estonian", "in_integration_period"] == ".."
    assert shown.loc["russian", "in_integration_period"] == ".."
    assert shown.loc["estonian", "integration_share"] == ".." and shown.loc["russian", "training_share"] == ".."
    assert shown.loc["ukrainian", "in_integration_period"] == 200
    # moved: 6, 2, 1, 0: the 2 and the 1 are small; two hidden cells protect each other, the 6 stays
    assert shown.loc[["russian", "arabic"], "moved_to_occupation_teams"].tolist() == ["..", ".."]
    assert shown.loc["ukrainian", "moved_to_occupation_teams"] == 6 and shown.loc["estonian", "customers"] == 100
    # a zero reveals nobody and the column totals stay
    assert shown.loc["estonian", "in_integration_training"] == 0
    assert shown.loc["total", list(im.COUNTS)].tolist() == [1100, 353, 130, 9, 200]


def test_suppress_columns_protects_each_column_against_its_total():
    frame = pd.DataFrame(
        {"a": [10, 3, 8, 21], "b": [2, 2, 9, 13], "share": [0.1, 0.2, 0.3, 0.4]}, index=["x", "y", "z", "total"]
    )
    out = disclosure.suppress_columns(frame, RULE, counts=["a", "b"], derived={"share": ["a", "b"]}, total_row="total")
    assert out["a"].tolist() == [10, "..", "..", 21]  # 3 small, then the smallest other (8)
    assert out["b"].tolist() == ["..", "..", 9, 13]  # two small cells protect each other
    assert out["share"].tolist() == ["..", "..", "..", 0.4]  # hidden where either count is


def test_moves_and_integration_frames_hide_small_counts():
    few = {**JUNE_GROUPS, "ukrainian": (500, 200, 80, 0, 90), "russian": (300, 60, 20, 1, 50)}
    analysis = june_analysis(params_with(), few)
    moves = it.moves_frame(analysis, ["2025-05", "2025-06"]).set_index("month")
    assert moves.loc["2025-06", "moved_to_occupation_teams"] == ".." and moves.loc["2025-06", "move_rate"] == ".."
    assert moves.loc["2025-05", "moved_to_occupation_teams"] == 5
    # the target pace: 1 / 36 x (353 + 2) = 9.86 people
    assert moves.loc["2025-06", "target_moves"] == pytest.approx(355 / 36)
    data = it.chart_data(it.moves_frame(analysis, ["2025-05", "2025-06"]), ["moved_to_occupation_teams"])
    assert data["moved_to_occupation_teams_hidden"].tolist() == [False, True]
    assert math.isnan(data["moved_to_occupation_teams"].iloc[1])


def test_texts_never_name_a_hidden_count():
    few = {**JUNE_GROUPS, "ukrainian": (500, 200, 80, 0, 90), "russian": (300, 60, 20, 1, 50)}
    text = " ".join(it.describe(june_analysis(params_with(), few)))
    assert "siirtyi alle 5 henkilöä" in text and "siirtyi 2" not in text
    assert "peitetty tietosuojan vuoksi" in text


def test_describe_states_the_numbers():
    text = " ".join(it.describe(june_analysis(params_with())))
    assert "Työttömiä ulkomaan kansalaisia oli kesäkuussa 2025 1\u202f260, 26,0\u00a0% enemmän" in text  # 1260 / 1000
    assert "12,6\u00a0%" in text and "Koko maa 20,0\u00a0%" in text
    assert "Vieraskielisiä asiakkaita oli 1\u202f100, joista kotoutumisajalla 353" in text
    assert "siirtyi 9 henkilöä eli 2,5\u00a0%" in text  # 9 / 362
    assert "noin 10 henkilöä" in text  # 362 / 36 = 10.06
    assert "25,0\u00a0% enemmän kuin edellisenä kuukautena" in text  # contacts 160 -> 200
    assert "Suurin kieliryhmä oli ukraina (500 asiakasta)" in text


def test_figure_texts():
    analysis = june_analysis(params_with())
    months = analysis.history()
    texts = it.figure_texts(analysis, months, ["2025-05", "2025-06"])
    assert set(texts) == {"foreign", "integration", "moves", "groups", "contacts"}
    assert texts["foreign"]["title"].startswith("Lahti: ulkomaan kansalaisia oli 13\u00a0% työttömistä")
    assert "tavoitetahdilla siirtyneitä olisi noin 10" in texts["moves"]["title"]
    assert "venäjä" in texts["groups"]["alt"]  # the hidden groups are named in the alt text
    assert all(len(t["alt"]) > 60 for t in texts.values())


def test_category_bars_write_the_symbol_instead_of_a_hidden_bar():
    data = pd.DataFrame({"label": ["A", "B"], "n": [120, ".."]})
    fig = charts.category_bars(data, category="label", bars=[charts.Series("n", "N")], title="T", symbol="..")
    ax = fig.axes[0]
    assert [p.get_width() for p in ax.patches] == [120, 0]
    assert [t.get_text() for t in ax.texts] == ["120", ".."]
    charts.plt.close(fig)


# ---- the notebook --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["2025-03"])
def test_notebook_runs_under_papermill_without_warnings(run_page, period: str):
    page = run_page("07_immigrants.ipynb", period)
    assert len(page.images) == 6  # with the largest cities (immigrants-cities)
    for alt, path in page.images:
        assert len(alt) > 60 and (page.folder / path).is_file() and path.startswith("figures/immigrants-")
    assert "| Tunnusluku |" in page.markdown and "Tietosuojan vuoksi" in page.markdown and "| .. |" in page.markdown


def test_kpis_with_changes_reuses_the_pages_analysis(demo_workspace):
    ctx = Context(Period(2025, 9), load_params(2025, demo_workspace.params_dir), demo_workspace)
    expected = with_changes(im.kpis, ctx, first_period=statfin.DATASET.first_period)
    got = im.kpis_with_changes(ctx, im.analyse_period(ctx))
    pd.testing.assert_frame_equal(got, expected)
    # no report before 2025: the year-ago values of the report's KPIs are missing, the statistics' are not
    earlier = got.set_index("kpi")["prev_year_value"]
    assert math.isnan(earlier["in_integration_period"]) and earlier["foreign_unemployed"] > 0


def test_method_text_names_the_foreign_rate_table_the_report_reads():
    """Main's method text claimed table 12tg was not in the report's data; the report now fetches it (the largest
    cities' comparison ranks foreign nationals' unemployment rates from it), and the text says so."""
    assert "12tg" in statfin.TABLES
    text = it.method_text(june_analysis(params_with()))
    assert "taulukko 12tg" in text and "ei sisälly" not in text


def test_kpi_note_explains_the_suppression_symbol_only_when_a_kpi_is_hidden():
    """Main's note said "Alle 5 henkilön lukuja ei julkaista (–)": the en dash is the legend's true zero."""
    shown = it.kpi_note(june_analysis(params_with()))
    assert "(–)" not in shown and "”..”" not in shown and it.hidden_kpis(june_analysis(params_with())) == []
    few = {"ukrainian": (480, 200, 70, 2, 160), "russian": (300, 90, 30, 0, 80)}
    hidden = june_analysis(params_with(), few)
    assert it.hidden_kpis(hidden) == ["moved_to_occupation_teams", "move_rate"]
    assert it.kpi_note(hidden).endswith(disclosure.explanation(params_with().disclosure))
