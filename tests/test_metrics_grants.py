"""Grants metrics (plan section 4): hand-built tables with hand-checked numbers (arithmetic beside each check),
the page's texts and disclosure control, and the notebook under Papermill."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from serviceplan.core.errors import ParameterError
from serviceplan.core.params import GrantsParams, Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics import grants, grants_text
from serviceplan.metrics.kpis import KPI_COLUMNS, Context

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "04_grants.ipynb"
VOUCHER_PHASING = [0, 0, 0, 0, 0, 50, 50, 0, 0, 0, 0, 0]


def small_params(**update: object) -> Params:
    """The 2025 parameters with round grant budgets: Lahti-lisä 1 200 € (flat: 100 € a month), summer job
    vouchers 1 000 € paid in June–July only, recruitment bonus 600 €, the others nothing; a 3-month continuation
    window and a 60 % target."""
    base = load_params(2025, REPO / "params")
    values: dict[str, object] = {
        "budget_eur": {"lahti_lisa": 1200, "summer_job_voucher": 1000, "recruitment_bonus": 600},
        "phasing": {"summer_job_voucher": VOUCHER_PHASING},
        "continuation_window_months": 3,
        "continuing_target_share": 0.6,
        "history_months": 12,
    }
    values.update(update)
    areas = base.areas.model_copy(update={"grants": GrantsParams(**values)})  # type: ignore[arg-type]
    return base.model_copy(update={"areas": areas})


def grant_rows(rows: list[tuple[str, str, int, int, float, int | None, int | None]]) -> pd.DataFrame:
    """A canonical grants table from (month, grant type, decisions, recipients, paid, ended, continuing)."""
    columns = ["period", "grant_type", "decisions", "recipients", "paid_eur", "subsidies_ended", "jobs_continuing"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("decisions", "recipients", "subsidies_ended", "jobs_continuing"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame.astype({"period": "string", "grant_type": "string", "paid_eur": "float64"})


GRANTS = grant_rows(
    [
        ("2024-12", "lahti_lisa", 1, 9, 999.0, 50, 50),  # last year: never in this year's sums
        ("2025-01", "lahti_lisa", 4, 10, 90.0, 10, 6),
        ("2025-01", "recruitment_bonus", 6, 6, 60.0, 8, 5),
        ("2025-01", "workshops", 3, 3, 300.0, None, None),
        ("2025-02", "lahti_lisa", 7, 12, 120.0, 20, 13),
        ("2025-02", "recruitment_bonus", 5, 5, 50.0, 2, 2),
        ("2025-02", "workshops", 0, 3, 250.0, None, None),
        ("2025-02", "association_grants", 20, 18, 400.0, None, None),
    ]
)


def _plain(texts: list[str] | str) -> str:
    """Texts joined, with the no-break spaces of Finnish number formats as plain spaces."""
    text = texts if isinstance(texts, str) else " ".join(texts)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _context(params: Params, period: Period) -> Context:
    return Context(period=period, params=params, workspace=Workspace(REPO))


# ---- budget ------------------------------------------------------------------------------------------------------


def test_grant_budgets_default_to_zero_and_must_fit_the_voluntary_class():
    budgets = grants.grant_budgets(small_params())
    assert budgets["lahti_lisa"] == 1200 and budgets["workshops"] == 0 and len(budgets) == 6
    # the class is 2.6 M€: 2.7 M€ of grants does not fit
    with pytest.raises(ParameterError, match=r"areas\.grants\.budget_eur.*vapaaehtoinen"):
        grants.grant_budgets(small_params(budget_eur={"lahti_lisa": 2_700_000}))


def test_grants_params_refuse_unknown_grants_and_bad_phasing():
    with pytest.raises(ValueError, match="unknown grant type 'bonus'"):
        small_params(budget_eur={"bonus": 1})
    with pytest.raises(ValueError, match="12 non-negative monthly weights"):
        small_params(phasing={"workshops": [1, 2, 3]})


def test_month_weights_flat_or_phased():
    params = small_params()
    assert grants.month_weights("lahti_lisa", params) == pytest.approx([1 / 12] * 12)
    # vouchers: 50 + 50 in June and July, so half a year's budget in each
    assert grants.month_weights("summer_job_voucher", params) == pytest.approx(np.array(VOUCHER_PHASING) / 100)


def test_spend_table_compares_paid_to_date_with_the_phased_budget():
    table = grants.spend_table(GRANTS, small_params(), Period(2025, 2)).set_index("grant_type")
    lisa = table.loc["lahti_lisa"]
    # Lahti-lisä: budget 1 200 € flat, to the end of February 2 x 100 = 200 €; paid 90 + 120 = 210 € (2024 ignored)
    assert (lisa["budget_to_date_eur"], lisa["paid_ytd_eur"], lisa["paid_month_eur"]) == pytest.approx((200, 210, 120))
    # 210 − 200 = +10 € over, 5 % of the budget to date: within judge's 5 % tolerance, so "warn"
    assert lisa["diff_to_date_eur"] == pytest.approx(10) and lisa["status"] == "warn"
    assert lisa["used_share"] == pytest.approx(210 / 1200)
    # recruitment bonus: 600 € flat, 100 € to date; paid 60 + 50 = 110 €: 10 % over, "alert"
    assert table.loc["recruitment_bonus", "status"] == "alert"
    # vouchers: nothing budgeted before June and nothing paid: within the budget to date; workshops have no
    # budget at all: no status
    assert table.loc["summer_job_voucher", "budget_to_date_eur"] == 0
    assert table.loc["summer_job_voucher", "status"] == "ok" and table.loc["workshops", "status"] == "none"
    # total: budgets 1 200 + 1 000 + 600 = 2 800 €, to date 200 + 0 + 100 = 300 €; paid 210 + 110 + 550 + 400
    total = table.loc[grants.TOTAL]
    assert (total["annual_budget_eur"], total["budget_to_date_eur"]) == pytest.approx((2800, 300))
    assert total["paid_ytd_eur"] == pytest.approx(1270)


def test_monthly_paid_spreads_the_budget_and_leaves_future_months_empty():
    monthly = grants.monthly_paid(GRANTS, small_params(), Period(2025, 2)).set_index("month")
    assert monthly.at["2025-02", "paid_eur"] == pytest.approx(120 + 50 + 250 + 400)
    assert math.isnan(monthly.at["2025-03", "paid_eur"]) and math.isnan(monthly.at["2025-03", "lahti_lisa"])
    # June budget: Lahti-lisä 100 + vouchers 1 000 x 0.5 + recruitment 50 = 650 €; January 100 + 0 + 50 = 150 €
    assert monthly.at["2025-06", "budget_eur"] == pytest.approx(650)
    assert monthly.at["2025-01", "budget_eur"] == pytest.approx(150)
    assert monthly["budget_eur"].sum() == pytest.approx(2800)


# ---- recipients, vouchers and continuation ---------------------------------------------------------------------------


def test_recipients_table_and_its_published_form():
    params = small_params()
    table = grants.recipients_table(GRANTS, Period(2025, 2)).set_index("grant_type")
    # decisions this year: Lahti-lisä 4 + 7 = 11; mean paid per Lahti-lisä recipient 120 / 12 = 10 €
    assert table.at["lahti_lisa", "decisions_ytd"] == 11 and table.at["lahti_lisa", "mean_paid_eur"] == 10
    # totals of February: recipients 12 + 5 + 3 + 18 = 38
    assert table.at[grants.TOTAL, "recipients"] == 38
    shown = grants.published_recipients(grants.recipients_table(GRANTS, Period(2025, 2)), params.disclosure)
    shown = shown.set_index("grant_type")
    # workshops 3 recipients: hidden; the recipients column then has one hidden cell, so the smallest other
    # non-zero count (recruitment bonus 5) goes too; their means per recipient with them
    assert shown.at["workshops", "recipients"] == ".." and shown.at["recruitment_bonus", "recipients"] == ".."
    assert shown.at["workshops", "mean_paid_eur"] == ".." and shown.at["recruitment_bonus", "mean_paid_eur"] == ".."
    assert shown.at["lahti_lisa", "recipients"] == 12 and shown.at[grants.TOTAL, "recipients"] == 38
    # the count "this year so far" is not published at all (two reports would reveal a month by subtraction)
    assert "decisions_ytd" not in shown.columns


def test_vouchers_issued_and_used_this_year():
    rows = grant_rows(
        [
            ("2025-04", "summer_job_voucher", 1266, 0, 0.0, None, None),
            ("2025-06", "summer_job_voucher", 0, 457, 137100.0, None, None),
            ("2025-07", "summer_job_voucher", 0, 488, 146400.0, None, None),
        ]
    )
    vouchers = grants.vouchers(rows, Period(2025, 7))
    # used 457 + 488 = 945 of 1 266 issued: 74.6 %
    assert (vouchers.issued, vouchers.used, vouchers.paid_eur) == (1266, 945, 283500)
    assert vouchers.use_share == pytest.approx(945 / 1266)
    assert math.isnan(grants.vouchers(rows, Period(2025, 3)).use_share)


def test_continuation_pools_the_window():
    table = grants.continuation(GRANTS, Period(2025, 2), window_months=3).set_index("grant_type")
    # window 2024-12..2025-02: Lahti-lisä ended 50 + 10 + 20 = 80, continuing 50 + 6 + 13 = 69
    assert (table.at["lahti_lisa", "ended"], table.at["lahti_lisa", "continuing"]) == (80, 69)
    # recruitment bonus: 8 + 2 = 10 ended, 5 + 2 = 7 continuing; both: 90 ended, 76 continuing
    assert table.at["recruitment_bonus", "share"] == pytest.approx(0.7)
    assert table.at[grants.FOLLOW_UP_TOTAL, "share"] == pytest.approx(76 / 90)
    assert (table.at["lahti_lisa", "first_month"], table.at["lahti_lisa", "last_month"]) == ("2024-12", "2025-02")
    # a one-month window: February only: Lahti-lisä 13 / 20, recruitment bonus 2 / 2
    one = grants.continuation(GRANTS, Period(2025, 2), window_months=1).set_index("grant_type")
    assert one.at["lahti_lisa", "share"] == pytest.approx(0.65) and one.at["recruitment_bonus", "share"] == 1.0


def test_published_continuation_hides_small_counts_and_their_share():
    params = small_params()
    table = grants.continuation(GRANTS, Period(2025, 2), window_months=1)
    published = grants.published_continuation(table, params.disclosure).set_index("grant_type")
    # February: recruitment bonus 2 continuing of 2 ended: both small (primary). The continuing column then has one
    # hidden cell, so Lahti-lisä's 13 goes; the ended column likewise loses Lahti-lisä's 20. Lahti-lisä's 7 not
    # continuing and the total row (15 of 22) stay: 13 + 7 = 20 cannot be solved with two of the three hidden.
    assert math.isnan(published.at["recruitment_bonus", "continuing"])
    assert math.isnan(published.at["recruitment_bonus", "ended"])
    assert math.isnan(published.at["lahti_lisa", "continuing"]) and math.isnan(published.at["lahti_lisa", "ended"])
    assert published.at["lahti_lisa", "not_continuing"] == 7
    assert math.isnan(published.at["recruitment_bonus", "share"]) and math.isnan(published.at["lahti_lisa", "share"])
    assert published.at[grants.FOLLOW_UP_TOTAL, "share"] == pytest.approx(15 / 22)


# ---- KPIs ------------------------------------------------------------------------------------------------------


def test_kpis_have_stable_ids_targets_and_statuses():
    params = small_params()
    period = Period(2025, 2)
    kpis = grants.kpi_rows(_context(params, period), grants.analyse(GRANTS, params, period))
    assert list(kpis.columns) == list(KPI_COLUMNS) and set(kpis["area"]) == {"grants"}
    row = kpis.set_index("kpi")
    assert list(row.index) == [
        "grants_paid_ytd_eur",
        "grants_budget_used_share",
        "paid_ytd_lahti_lisa_eur",
        "paid_ytd_recruitment_bonus_eur",
        "paid_ytd_summer_job_voucher_eur",
        "paid_ytd_summer_interns_eur",
        "paid_ytd_workshops_eur",
        "paid_ytd_association_grants_eur",
        "grant_recipients",
        "lahti_lisa_recipients",
        "summer_job_vouchers_used_ytd",
        "summer_job_voucher_use_share",
        "jobs_continuing_share",
        "jobs_continuing_share_lahti_lisa",
        "jobs_continuing_share_recruitment_bonus",
    ]
    # paid 1 270 € against 300 € budgeted to date (workshops and associations have no budget here): alert
    assert row.at["grants_paid_ytd_eur", "value"] == pytest.approx(1270)
    assert (row.at["grants_paid_ytd_eur", "target"], row.at["grants_paid_ytd_eur", "status"]) == (300, "alert")
    assert row.at["grants_budget_used_share", "value"] == pytest.approx(1270 / 2800)
    # Lahti-lisä 210 € against 200 €: warn; workshops have no budget: no target, no status
    assert row.at["paid_ytd_lahti_lisa_eur", "status"] == "warn"
    assert (
        math.isnan(row.at["paid_ytd_workshops_eur", "target"]) and row.at["paid_ytd_workshops_eur", "status"] == "none"
    )
    # recruitment bonus 60 + 50 = 110 € against 100 €: alert; vouchers: nothing paid of 0 € budgeted to date
    assert row.at["paid_ytd_recruitment_bonus_eur", "value"] == 110
    assert row.at["paid_ytd_recruitment_bonus_eur", "status"] == "alert"
    assert row.at["paid_ytd_summer_job_voucher_eur", "value"] == 0
    assert row.at["paid_ytd_summer_job_voucher_eur", "target"] == 0
    assert row.at["paid_ytd_summer_job_voucher_eur", "status"] == "ok"
    assert row.at["paid_ytd_summer_interns_eur", "value"] == 0
    # association grants 400 € without a budget of their own: shown, no target
    assert row.at["paid_ytd_association_grants_eur", "value"] == 400
    assert math.isnan(row.at["paid_ytd_association_grants_eur", "target"])
    # recipients in February: 38 in all, Lahti-lisä 12
    assert (row.at["grant_recipients", "value"], row.at["lahti_lisa_recipients", "value"]) == (38, 12)
    # the window is three months (2024-12..2025-02): 76 / 90 = 84.4 % against 60 %: ok
    assert row.at["jobs_continuing_share", "value"] == pytest.approx(76 / 90)
    assert row.at["jobs_continuing_share", "status"] == "ok"
    # per job grant: recruitment bonus 7 of 10 continued, 3 did not: a small count, so its row hides the 7 too;
    # the continuing and not-continuing columns then each have one hidden cell, so Lahti-lisä's 69 and 11 go as
    # well: neither share is published (their statuses with them), only the total
    assert math.isnan(row.at["jobs_continuing_share_lahti_lisa", "value"])
    assert math.isnan(row.at["jobs_continuing_share_recruitment_bonus", "value"])
    assert row.at["jobs_continuing_share_lahti_lisa", "status"] == "none"
    # with a one-month window (February only): Lahti-lisä 13 of 20 continued, 7 did not; recruitment bonus 2 of 2
    # (small), which hides Lahti-lisä's continuing 13 by the column sum: again only the total 15 / 22 is published
    one = small_params(continuation_window_months=1)
    row1 = grants.kpi_rows(_context(one, period), grants.analyse(GRANTS, one, period)).set_index("kpi")
    assert math.isnan(row1.at["jobs_continuing_share_lahti_lisa", "value"])
    assert row1.at["jobs_continuing_share", "value"] == pytest.approx(15 / 22)
    # no vouchers issued or used yet: 0 used, no use share
    assert row.at["summer_job_vouchers_used_ytd", "value"] == 0
    assert math.isnan(row.at["summer_job_voucher_use_share", "value"])


def test_voucher_kpis_after_the_summer():
    params = small_params()
    rows = grant_rows(
        [
            ("2025-04", "summer_job_voucher", 1266, 0, 0.0, None, None),
            ("2025-06", "summer_job_voucher", 0, 457, 137100.0, None, None),
            ("2025-07", "summer_job_voucher", 0, 488, 146400.0, None, None),
        ]
    )
    row = grants.kpi_rows(_context(params, Period(2025, 7)), grants.analyse(rows, params, Period(2025, 7)))
    row = row.set_index("kpi")
    # 457 + 488 = 945 used of 1 266 issued: 74.6 %; paid 283 500 € against the June–July budget 1 000 €
    assert row.at["summer_job_vouchers_used_ytd", "value"] == 945
    assert row.at["summer_job_voucher_use_share", "value"] == pytest.approx(945 / 1266)
    assert row.at["paid_ytd_summer_job_voucher_eur", "target"] == pytest.approx(1000)


def test_kpis_hide_small_counts():
    params = small_params(continuation_window_months=1)
    rows = grant_rows(
        [
            ("2025-03", "lahti_lisa", 2, 3, 300.0, 4, 3),
            ("2025-03", "recruitment_bonus", 8, 8, 80.0, 20, 12),
            ("2025-03", "workshops", 0, 3, 250.0, None, None),
        ]
    )
    row = grants.kpi_rows(_context(params, Period(2025, 3)), grants.analyse(rows, params, Period(2025, 3)))
    row = row.set_index("kpi")
    # 3 Lahti-lisä recipients: hidden; Lahti-lisä 3 of 4 jobs continuing: hidden (and its status with it)
    assert math.isnan(row.at["lahti_lisa_recipients", "value"])
    assert math.isnan(row.at["jobs_continuing_share_lahti_lisa", "value"])
    assert row.at["jobs_continuing_share_lahti_lisa", "status"] == "none"
    # the total 15 / 24 is not hidden
    assert row.at["jobs_continuing_share", "value"] == pytest.approx(15 / 24)


def test_continuation_kpis_per_job_grant_when_no_count_is_small():
    params = small_params(continuation_window_months=1)
    rows = grant_rows(
        [
            ("2025-03", "lahti_lisa", 9, 50, 5000.0, 40, 30),
            ("2025-03", "recruitment_bonus", 8, 8, 80.0, 20, 12),
        ]
    )
    row = grants.kpi_rows(_context(params, Period(2025, 3)), grants.analyse(rows, params, Period(2025, 3)))
    row = row.set_index("kpi")
    # Lahti-lisä 30 / 40 = 75 % (ok against 60 %), recruitment bonus 12 / 20 = 60 % (exactly the target: ok),
    # both 42 / 60 = 70 %
    assert row.at["jobs_continuing_share_lahti_lisa", "value"] == pytest.approx(0.75)
    assert row.at["jobs_continuing_share_recruitment_bonus", "value"] == pytest.approx(0.6)
    assert row.at["jobs_continuing_share_recruitment_bonus", "status"] == "ok"
    assert row.at["jobs_continuing_share", "value"] == pytest.approx(0.7)
    assert row.at["lahti_lisa_recipients", "value"] == 50


# ---- texts -----------------------------------------------------------------------------------------------------


def test_texts_state_the_spend_and_keep_lahti_lisa_capitalised():
    params = small_params()
    analysis = grants.analyse(GRANTS, params, Period(2025, 2))
    text = _plain(grants_text.describe(analysis))
    # 1 270 € against 300 €: 1 270 / 300 − 1 = 323,3 % over
    assert "Vuoden alusta (tammi–helmikuussa 2025) avustuksia maksettiin 1 270 euroa, mikä on 323,3 % yli" in text
    assert "Kauden budjetin ylittäneet avustuslajit: Lahti-lisä (5,0 % yli budjetin) ja rekrytointipalkkio" in text
    # the hidden recipients are named, their numbers are not given
    assert "tietosuojan vuoksi (rekrytointipalkkio ja työpajat)" in text
    titles = grants_text.figure_texts(analysis)
    # recruitment bonus 110 / 100 is further over than Lahti-lisä 210 / 200
    assert _plain(titles["spend"]["title"]) == "Rekrytointipalkkio 10,0 % yli kauden budjetin; yli myös Lahti-lisä"


def test_continuation_table_shows_the_symbol_for_hidden_months():
    params = small_params(continuation_window_months=1)
    analysis = grants.analyse(GRANTS, params, Period(2025, 2))
    table = grants_text.continuation_table(analysis).set_index("Kuukausi")
    # January: Lahti-lisä 6 of 10 and recruitment bonus 5 of 8 continued. The 4 and 3 not continuing are small
    # (primary), so each row hides its continuing count too, and with it the share; the ended stay visible.
    assert _plain(table.at["tammi 2025", "Lahti-lisä"]) == ".. (10)"
    assert _plain(table.at["tammi 2025", "Rekrytointipalkkio"]) == ".. (8)"
    # both together: 11 of 18 = 61,1 %
    assert _plain(table.at["tammi 2025", "Työllistämistuet yhteensä"]) == "61,1 % (18)"


# ---- the notebook ----------------------------------------------------------------------------------------------


def test_notebook_runs_under_papermill_without_warnings(run_page):
    page = run_page(NOTEBOOK.name, "2025-02")
    assert [Path(p).name for _, p in page.images] == [
        "grants-spend.png",
        "grants-monthly.png",
        "grants-continuation.png",
    ]
    for alt, path in page.images:
        assert len(alt) > 60 and (page.folder / path).is_file()
    # the demo's three workshops are a small count: hidden in the recipients table, the rule explained
    rows = re.findall(r"^\| Työpajat \|.*$", page.markdown, flags=re.MULTILINE)  # spend, then recipients table
    assert len(rows) == 2 and "| .. |" not in rows[0] and rows[1].count("| .. |") == 1 and rows[1].endswith("| .. |")
    assert "| Tunnusluku |" in page.markdown and "Tietosuojan vuoksi" in page.markdown


def test_period_line_names_the_years_budget_not_the_plan():
    """The plan (12.12.2024) gives 2025 figures only: main's "Suunnitelma antaa ... 2,6 milj. euroa" was a claim
    about the plan even on the 2026 page, where the figure is the year's budget parameter."""
    params = small_params()
    line = _plain(grants_text.period_line(grants.analyse(GRANTS, params, Period(2025, 2))))
    assert "Suunnitelma antaa" not in line and "Vuoden 2025 budjetissa vapaaehtoisille palveluille on yhteensä" in line
