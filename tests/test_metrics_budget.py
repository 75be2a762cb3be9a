"""Budget metrics: hand-built tables with hand-checked numbers (the arithmetic is written beside each check)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from serviceplan.core.errors import ParameterError
from serviceplan.core.params import BudgetByClass, Forecast, Params, WhatIf, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics import budget, budget_text, change, with_changes
from serviceplan.metrics.kpis import KPI_COLUMNS, Context

REPO_PARAMS = Path(__file__).resolve().parents[1] / "params"


def small_params(**update: object) -> Params:
    """The 2025 parameters with round budgets: 1 200 € a year in voluntary costs (100 € a month with flat phasing),
    a benefit share of 1 100 € (100 € for each of Kela's 11 invoices of 2025) and a simple forecast setting."""
    base = load_params(2025, REPO_PARAMS)
    values: dict[str, object] = {
        "budget_eur": BudgetByClass(
            vapaaehtoinen=1200, maararahasidonnainen=2400, maararahasta_riippumaton=1100 + 3600, tarvesidonnainen=0
        ),
        "benefit_share_budget_eur": 1100.0,
        "budget_phasing": {},
        "forecast": Forecast(
            run_rate_months=3, interval_months=6, min_history_months=3, prior_spread=0.1, interval_z=2.0
        ),
        "what_if": WhatIf(people=5, from_class="401-", to_class=None),
    }
    values.update(update)
    return base.model_copy(update=values)


def ledger_rows(amounts: dict[str, dict[str, float]]) -> pd.DataFrame:
    """A canonical ledger from ``{month: {budget_class: euros}}``."""
    rows = [
        {"period": month, "budget_class": cls, "amount_eur": float(euros)}
        for month, classes in amounts.items()
        for cls, euros in classes.items()
    ]
    return pd.DataFrame(rows).astype({"period": "string", "budget_class": "string"})


def invoice_rows(rows: list[tuple[str, str, str, int, float, float, bool]]) -> pd.DataFrame:
    """A canonical Kela invoice table from (billing, benefit month, class, recipients, paid, share, catch_up)."""
    columns = ["period", "benefit_period", "day_class", "recipients", "benefits_paid_eur", "municipal_share_eur"]
    frame = pd.DataFrame([r[:6] for r in rows], columns=columns)
    frame["catch_up"] = [r[6] for r in rows]
    return frame.astype({"period": "string", "benefit_period": "string", "day_class": "string"})


EMPTY_INVOICES = invoice_rows([])


def regular_invoices(months: list[str], share: float) -> list[tuple[str, str, str, int, float, float, bool]]:
    """One regular row a billing month in class 401- (share = 40 % of paid)."""
    return [(m, str(Period.parse(m).shift(-1)), "401-", 10, share / 0.4, share, False) for m in months]


# ---- phasing and actual costs ------------------------------------------------------------------------------


def test_month_weights_flat_phased_and_benefit_share_from_february():
    params = small_params(budget_phasing={"vapaaehtoinen": [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]})
    assert budget.month_weights("tarvesidonnainen", 2025, params) == pytest.approx([1 / 12] * 12)
    # weights 2,1,...,1,0 sum to 12: January 2/12, December 0
    phased = budget.month_weights("vapaaehtoinen", 2025, params)
    assert phased[0] == pytest.approx(2 / 12) and phased[11] == 0 and phased.sum() == pytest.approx(1)
    # Kela's first invoice is February 2025: January has no share, the other 11 months 1/11 each; 2026 is flat
    benefit = budget.month_weights(budget.BENEFIT_LINE, 2025, params)
    assert benefit[0] == 0 and benefit[1:] == pytest.approx([1 / 11] * 11)
    assert budget.month_weights(budget.BENEFIT_LINE, 2026, params) == pytest.approx([1 / 12] * 12)


def test_budget_lines_split_the_benefit_share_out_of_its_class():
    lines = {line.id: line for line in budget.budget_lines(small_params())}
    assert lines["maararahasta_riippumaton"].annual_budget_eur == 3600  # 4 700 − 1 100 benefit share
    assert lines[budget.BENEFIT_LINE].annual_budget_eur == 1100
    assert lines["toimeksiantotehtava"].annual_budget_eur is None  # the plan gives it no budget


def test_monthly_actuals_fill_missing_classes_and_split_catch_up():
    ledger = ledger_rows({"2025-01": {"vapaaehtoinen": 80}, "2025-02": {"vapaaehtoinen": 30, "tarvesidonnainen": 5}})
    invoices = invoice_rows(
        [
            ("2025-10", "2025-09", "401-", 10, 250.0, 100.0, False),
            ("2025-10", "2025-02", "401-", 2, 50.0, 20.0, True),
            ("2025-10", "2025-03", "101-200", 1, 50.0, 5.0, True),
        ]
    )
    actuals = budget.monthly_actuals(ledger, invoices).set_index(["month", "line"])
    assert actuals.at[("2025-01", "tarvesidonnainen"), "actual_eur"] == 0  # delivered month, class without rows
    assert actuals.at[("2025-02", "vapaaehtoinen"), "actual_eur"] == 30
    october = actuals.loc[("2025-10", budget.BENEFIT_LINE)]
    assert (october["regular_eur"], october["catch_up_eur"], october["actual_eur"]) == (100, 25, 125)  # 20 + 5


def test_budget_table_cumulates_and_totals_leave_out_unbudgeted_lines():
    params = small_params()
    ledger = ledger_rows(
        {
            "2025-01": {"vapaaehtoinen": 90, "toimeksiantotehtava": 1000},
            "2025-02": {"vapaaehtoinen": 120, "maararahasidonnainen": 200},
        }
    )
    table = budget.budget_table(budget.monthly_actuals(ledger, EMPTY_INVOICES), params, Period(2025, 2))
    row = table.set_index(["line", "month"]).loc[("vapaaehtoinen", "2025-02")]
    # budget 1 200 / 12 = 100 a month; year to date 90 + 120 = 210 against 200: 5 % over
    assert (row["budget_eur"], row["cum_actual_eur"], row["cum_budget_eur"]) == pytest.approx((100, 210, 200))
    assert row["cum_diff_share"] == pytest.approx(0.05)
    total = table.set_index(["line", "month"]).loc[(budget.OPERATING_TOTAL, "2025-02")]
    # operating total: 210 + 200 (toimeksiantotehtävä's 1 000 has no budget and is left out);
    # budget: (1 200 + 2 400 + 3 600 + 0) / 12 x 2 = 1 200
    assert (total["cum_actual_eur"], total["cum_budget_eur"]) == pytest.approx((410, 1200))
    benefit = table.set_index(["line", "month"]).loc[(budget.BENEFIT_LINE, "2025-01")]
    assert not benefit["observed"] and benefit["budget_eur"] == 0  # no invoice and no budget in January 2025


# ---- the forecast -----------------------------------------------------------------------------------------


def test_run_rate_forecast_and_interval_by_hand():
    params = small_params()
    amounts = [90, 110, 100, 120, 100, 110]
    ledger = ledger_rows({f"2025-{m:02d}": {"vapaaehtoinen": a} for m, a in enumerate(amounts, start=1)})
    line = next(line for line in budget.budget_lines(params) if line.id == "vapaaehtoinen")
    item = budget.forecast_line(line, budget.monthly_actuals(ledger, EMPTY_INVOICES), params, Period(2025, 6))
    # year to date 630; run rate of April–June: (120 + 100 + 110) / (3/12) = 1 320 a year
    assert item.ytd_eur == 630 and item.pace_eur == pytest.approx(1320)
    # half of the year remains: 630 + 1 320 x 6/12 = 1 290
    assert item.remaining_weight == pytest.approx(0.5) and item.point_eur == pytest.approx(1290)
    # monthly paces 12 x amounts = 1080, 1320, 1200, 1440, 1200, 1320: mean 1 260, squared deviations
    # 32 400 + 3 600 + 3 600 + 32 400 + 3 600 + 3 600 = 79 200, / 5 = 15 840, sd = 125.857
    assert item.spread_eur == pytest.approx(math.sqrt(15840)) and item.spread_source == "observed"
    # half-width 2 x 125.857 x 0.5 = 125.857: 1 164.14 – 1 415.86 around 1 290; the budget 1 200 lies inside,
    # the point above it: an overrun is possible, not certain
    assert (item.low_eur, item.high_eur) == pytest.approx((1290 - math.sqrt(15840), 1290 + math.sqrt(15840)))
    assert item.exceedance == "point"


def test_catch_up_counts_in_the_actuals_but_not_in_the_run_rate():
    params = small_params()
    months = [f"2025-{m:02d}" for m in range(2, 11)]  # Kela's invoices February–October, 100 € each
    catch_up = [("2025-10", "2025-03", "401-", 3, 750.0, 300.0, True)]  # October also bills March late: 300 €
    invoices = invoice_rows(regular_invoices(months, 100.0) + catch_up)
    analysis = budget.analyse(ledger_rows({"2025-10": {"vapaaehtoinen": 100}}), invoices, params, Period(2025, 10))
    item = analysis.forecast(budget.BENEFIT_LINE)
    # actual to date 9 x 100 + 300 = 1 200, of which 300 catch-up
    assert (item.ytd_eur, item.catch_up_eur) == (1200, 300)
    # run rate from August–October regular rows only: 300 / (3/11) = 1 100 a year, exactly the budget;
    # counting October's 400 € would have given 600 / (3/11) = 2 200
    assert item.pace_eur == pytest.approx(1100)
    # two invoices to come (November, December): 1 200 + 1 100 x 2/11 = 1 400; flat months give no spread
    assert item.point_eur == pytest.approx(1400) and item.half_width_eur == pytest.approx(0)
    assert item.exceedance == "all"  # the catch-up is real money: the year does exceed 1 100
    sentences = " ".join(budget_text.describe(analysis))
    assert "jälkilaskutusta" in sentences and "ei jatka sitä" in sentences


def test_january_before_kelas_first_invoice():
    params = small_params()
    ledger = ledger_rows({"2025-01": {"vapaaehtoinen": 80}})
    analysis = budget.analyse(ledger, EMPTY_INVOICES, params, Period(2025, 1))
    voluntary = analysis.forecast("vapaaehtoinen")
    # one month observed (80 € = 960 € a year) of the 3 wanted: the budget counts for the other two,
    # run rate (960 + 2 x 1 200) / 3 = 1 120; point 80 + 1 120 x 11/12 = 1 106.67
    assert voluntary.pace_eur == pytest.approx(1120) and voluntary.point_eur == pytest.approx(80 + 1120 * 11 / 12)
    # prior spread 10 % of 1 120 = 112; half-width 2 x 112 x 11/12 = 205.33
    assert voluntary.spread_source == "prior" and voluntary.half_width_eur == pytest.approx(2 * 112 * 11 / 12)
    benefit = analysis.forecast(budget.BENEFIT_LINE)
    # no invoice yet: the forecast is the budget (all of Kela's 11 invoices still to come)
    assert benefit.method == "budget" and benefit.point_eur == pytest.approx(1100) and benefit.ytd_eur == 0
    assert analysis.day_classes.empty and math.isnan(analysis.what_if.per_month_eur)
    text = " ".join(budget_text.describe(analysis))
    assert "ensimmäistä laskua ei ole vielä tullut" in text and "vasta yhteen kuukauteen" in text
    assert "ei voi vielä laskea" in " ".join(budget_text.what_if_text(analysis.what_if))


def test_combined_interval_is_root_sum_of_squares():
    def part(point: float, half: float, budget_eur: float) -> budget.LineForecast:
        return budget.LineForecast(
            "x", "x", budget.OPERATING, budget_eur, 0, 0, 0, 0, 0, 3, 3, point, point - half, point + half,
            "run_rate", "observed", "none",
        )  # fmt: skip

    total = budget.combine([part(100, 30, 120), part(200, 40, 150)], budget.OPERATING_TOTAL, budget.TOTAL)
    # points add up to 300; half-widths sqrt(30² + 40²) = 50; budget 270 < low 250? no: 250 < 270 < 300
    assert (total.point_eur, total.low_eur, total.high_eur) == pytest.approx((300, 250, 350))
    assert total.exceedance == "point"


@pytest.mark.parametrize(
    ("low", "point", "high", "budget_eur", "expected"),
    [(110, 120, 130, 100, "all"), (90, 110, 130, 100, "point"), (80, 95, 110, 100, "upper"), (70, 80, 90, 100, "none")],
)
def test_exceedance_levels(low, point, high, budget_eur, expected):
    assert budget.exceedance(low, point, high, budget_eur) == expected


def test_forecast_paths_start_at_the_actual_and_end_at_the_forecast():
    params = small_params()
    ledger = ledger_rows({f"2025-{m:02d}": {"vapaaehtoinen": 100, "maararahasidonnainen": 200} for m in range(1, 4)})
    analysis = budget.analyse(ledger, EMPTY_INVOICES, params, Period(2025, 3))
    paths = analysis.paths[analysis.paths["series"] == budget.OPERATING_TOTAL].set_index("month")
    total = analysis.forecast(budget.OPERATING_TOTAL)
    assert paths.at["2025-03", "cum_actual_eur"] == 900 == paths.at["2025-03", "cum_point_eur"]  # 3 x 300
    assert math.isnan(paths.at["2025-04", "cum_actual_eur"]) and math.isnan(paths.at["2025-02", "cum_point_eur"])
    assert paths.at["2025-12", "cum_point_eur"] == pytest.approx(total.point_eur)
    assert paths.at["2025-12", "cum_high_eur"] == pytest.approx(total.high_eur)
    assert paths.at["2025-12", "cum_budget_eur"] == pytest.approx(7200)  # 1 200 + 2 400 + 3 600 + 0


# ---- the benefit share by accumulated days and the what-if ---------------------------------------------------


def test_day_class_table_by_hand():
    params = small_params()
    invoices = invoice_rows(
        [
            ("2025-03", "2025-02", "101-200", 10, 8000.0, 800.0, False),
            ("2025-03", "2025-02", "401-", 30, 24000.0, 9600.0, False),
            ("2025-03", "2025-01", "401-", 2, 1600.0, 640.0, True),
        ]
    )
    table = budget.day_class_table(invoices, params, Period(2025, 3)).set_index("day_class")
    assert table.at["101-200", "step_share"] == 0.1 and table.at["401-", "step_share"] == 0.4
    assert table.at["401-", "mean_benefit_eur"] == 800  # 24 000 / 30
    # the month's share 800 + 9 600 = 10 400, of which 9 600 / 10 400 = 92.3 % from 401+ days
    assert table.at["401-", "share_of_total"] == pytest.approx(9600 / 10400)
    assert table.at[budget.TOTAL_ROW, "recipients"] == 40  # 10 + 0 + 0 + 30; the catch-up row is not counted
    assert table.at[budget.TOTAL_ROW, "invoiced_share"] == pytest.approx(10400 / 32000)
    assert table.at["401-", "ytd_catch_up_eur"] == 640 and table.at["201-300", "recipients"] == 0


def test_what_if_arithmetic():
    params = small_params()
    invoices = invoice_rows(
        [
            ("2025-04", "2025-03", "401-", 10, 8000.0, 3200.0, False),
            ("2025-05", "2025-04", "401-", 10, 8000.0, 3200.0, False),
            ("2025-06", "2025-05", "401-", 20, 16000.0, 6400.0, False),
            ("2025-06", "2025-02", "401-", 5, 9000.0, 3600.0, True),  # catch-up: not in the mean
        ]
    )
    result = budget.what_if(invoices, params, Period(2025, 6))
    # mean benefit on the latest regular invoice (June's): 16 000 / 20 = 800 € a month, as in the day-class table
    assert result.mean_benefit_eur == 800 and result.basis_months == ("2025-06",)
    # 5 people x 800 € x 40 % = 1 600 € a month, 19 200 € a year
    assert (result.per_month_eur, result.full_year_eur) == pytest.approx((1600, 19200))
    # the change starts in July's benefits, billed August–December: 5 invoices, 8 000 € this year
    assert result.months_this_year == 5 and result.rest_of_year_eur == pytest.approx(8000)
    lower = budget.what_if(
        invoices, small_params(what_if=WhatIf(people=5, from_class="401-", to_class="101-200")), Period(2025, 6)
    )
    assert lower.per_month_eur == pytest.approx(5 * 800 * (0.4 - 0.1))  # 1 200 €: they stay on a 10 % step
    assert budget.what_if(invoices, params, Period(2025, 11)).months_this_year == 0  # billed next year
    text = " ".join(budget_text.what_if_text(result))
    assert "1\u202f600\u00a0euroa kuukaudessa" in text and "19\u202f200\u00a0euroa vuodessa" in text


def test_what_if_uses_the_mean_benefit_the_day_class_table_shows():
    """The page shows the what-if under the day-class table: both must use one mean benefit per recipient (on main
    the what-if averaged three invoices, 798 €, while the table above it showed 794 €)."""
    params = small_params()
    invoices = invoice_rows(
        [
            ("2025-04", "2025-03", "401-", 10, 9000.0, 3600.0, False),
            ("2025-05", "2025-04", "401-", 10, 8500.0, 3400.0, False),
            ("2025-06", "2025-05", "401-", 20, 15880.0, 6352.0, False),  # 794 € per recipient
        ]
    )
    table = budget.day_class_table(invoices, params, Period(2025, 6)).set_index("day_class")
    result = budget.what_if(invoices, params, Period(2025, 6))
    assert result.mean_benefit_eur == table.at["401-", "mean_benefit_eur"] == 794
    line = budget_text.what_if_text(result)[1]
    assert "× keskimääräinen etuus 794\u00a0€ kuukaudessa" in line


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("what_if:\n  from_class: '900-'\n", "day class '900-' is not one of"),
        ("what_if:\n  to_class: '401-'\n", "to_class must be a lower day class"),
        ("budget_phasing:\n  vapaaehtoinen: [1, 2]\n", "12 non-negative monthly weights"),
        ("forecast:\n  prior_spread: 0\n", "key 'forecast.prior_spread'"),
    ],
)
def test_bad_budget_parameters_name_the_key(tmp_path: Path, override: str, message: str):
    params_dir = tmp_path / "params"
    shutil.copytree(REPO_PARAMS, params_dir)
    (params_dir / "years" / "2026.yaml").write_text(override, encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        load_params(2026, params_dir)


# ---- KPIs and changes -------------------------------------------------------------------------------------


def test_kpis_on_the_demo_data_match_the_ledger(demo_workspace):
    period = Period(2025, 6)
    ctx = Context(period, load_params(2025, demo_workspace.params_dir), demo_workspace)
    table = budget.kpis(ctx)
    assert list(table.columns) == list(KPI_COLUMNS) and table["kpi"].is_unique
    values = table.set_index("kpi")
    from serviceplan.inputs.canonical import load

    ledger = load("ledger", period, demo_workspace)
    budgeted = ledger[
        ledger["budget_class"].isin(
            ["vapaaehtoinen", "maararahasidonnainen", "maararahasta_riippumaton", "tarvesidonnainen"]
        )
    ]
    this_year = budgeted[budgeted["period"].astype(str) >= "2025-01"]
    assert values.at["operating_ytd_eur", "value"] == pytest.approx(this_year["amount_eur"].sum())
    # the budget to date follows the phasing of params/defaults.yaml: compare with its own sum
    expected = sum(
        line.annual_budget_eur * budget.month_weights(line.id, 2025, ctx.params)[:6].sum()
        for line in budget.budgeted_operating(budget.budget_lines(ctx.params))
    )
    assert values.at["operating_ytd_eur", "target"] == pytest.approx(expected)
    forecast = values.loc["forecast_total_eur"]
    assert forecast["target"] == pytest.approx(47_700_000) and forecast["status"] in ("ok", "warn", "alert")
    assert (
        values.at["forecast_total_low_eur", "value"] < forecast["value"] < values.at["forecast_total_high_eur", "value"]
    )


def test_with_changes_month_and_year_and_points():
    calls: list[str] = []

    def fake(ctx: Context) -> pd.DataFrame:
        calls.append(str(ctx.period))
        return pd.DataFrame(
            {
                "kpi": ["eur", "share", "few"],
                "value": [float(ctx.period.month * 100_000), ctx.period.month / 100, float(ctx.period.month)],
                "unit": ["eur", "share", "count"],
            }
        )

    ctx = Context(Period(2026, 2), load_params(2026, REPO_PARAMS), Workspace(REPO_PARAMS.parent))  # params only
    out = with_changes(fake, ctx).set_index("kpi")
    assert calls == ["2026-02", "2026-01", "2025-02"]
    assert out.at["eur", "change_month"] == pytest.approx(1.0)  # 200 000 against 100 000: +100 %
    assert out.at["eur", "change_year"] == pytest.approx(0.0)  # February against February
    assert out.at["share", "change_month"] == pytest.approx(0.01) and out.at["share", "change_kind"] == "points"
    # 2 against 1 is below the count's min_base (materiality): a difference of +1, not +100 %
    assert out.at["few", "change_month_kind"] == "difference" and out.at["few", "change_month"] == 1
    assert out.at["eur", "change_month_kind"] == "relative" and out.at["share", "change_year_kind"] == "points"
    calls.clear()
    early = with_changes(fake, ctx, first_period=Period(2025, 6))
    assert calls == ["2026-02", "2026-01"] and early["prev_year_value"].isna().all()
    assert math.isnan(change(0.0, 5.0, "eur")) and change(0.2, 0.25, "share") == pytest.approx(0.05)
    assert change(0.0, 5.0, "eur", "difference") == 5.0


# ---- the method text follows the month's data and the parameters (main hard-coded them) ------------------------


def _method(invoices: pd.DataFrame, period: Period, **update: object) -> str:
    params = small_params(**update)
    months = [str(Period(period.year, m)) for m in range(1, period.month + 1)]
    ledger = ledger_rows({m: {"vapaaehtoinen": 100} for m in months})
    text = budget_text.method_text(budget.analyse(ledger, invoices, params, period))
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_method_text_names_this_years_catch_up_from_the_data():
    """Main said "Kelan jälkilaskutus (loka–marraskuu 2025) on mukana toteumassa" on every page, also in 2026
    when the page's own KPI showed 0 € of catch-up."""
    none = _method(invoice_rows(regular_invoices(["2026-01", "2026-02", "2026-03"], 400.0)), Period(2026, 3))
    assert "loka–marraskuu 2025" not in none and "2025" not in none
    assert "vuonna 2026 jälkilaskutusta ei ole ollut maaliskuun loppuun mennessä" in none
    rows = regular_invoices(["2025-09", "2025-10", "2025-11"], 400.0)
    rows += [
        ("2025-10", "2025-02", "401-", 5, 2000.0, 800.0, True),
        ("2025-11", "2025-03", "401-", 5, 1500.0, 600.0, True),
    ]
    some = _method(invoice_rows(rows), Period(2025, 11))
    assert "Kelan jälkilaskutus (1 400 euroa loka–marraskuussa 2025) on mukana toteumassa" in some
    assert "jälkilaskutusta ei ole ollut" not in some


def test_method_text_says_the_first_year_of_the_benefit_share_only_in_that_year():
    first = _method(EMPTY_INVOICES, Period(2025, 6))
    later = _method(EMPTY_INVOICES, Period(2026, 6))
    assert "vuoden 2025 laskuissa ovat tammi–marraskuun etuudet, koska kuntaosuus alkoi 1.1.2025" in first
    assert "2025" not in later and "edellisen joulukuun–kuluvan marraskuun etuudet" in later


def test_method_text_derives_the_interval_coverage_and_the_phasing_from_the_parameters():
    """Main wrote "noin 90 % kuukausista" and "(kesätyöt kesällä, heinäkuussa lomakauden notkahdus)" whatever the
    parameters said."""
    flat = _method(EMPTY_INVOICES, Period(2025, 6))  # small_params: z = 2.0, no phasing
    assert "(±2,00 keskihajontaa, noin 95 % kuukausista)" in flat
    assert "raportin asetuksissa annetulla jaksotuksella." in flat and "kesätyöt kesällä" not in flat
    phased = _method(
        EMPTY_INVOICES, Period(2025, 6), budget_phasing={"vapaaehtoinen": [1, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 0.5]}
    )
    assert "(vapaaehtoinen eniten kesäkuussa ja heinäkuussa, vähiten joulukuussa)" in phased
    assert budget_text.interval_coverage(1.64) == pytest.approx(0.899, abs=0.001)
