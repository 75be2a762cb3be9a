"""Grants metrics: policy line 4 of the plan (section "4. Vapaaehtoiset avustukset").

The plan: the city's voluntary grants are reviewed critically; the forms that work are developed and the rest are
discontinued, and new, more effective grants are considered. This module turns the canonical table ``grants``
(decisions, recipients and euros paid per grant type and month, and for the job subsidies the subsidies that
ended and the jobs that continued after them) into the numbers of the grants page. Every function is pure.

Spend against the budget (``params.areas.grants``)
--------------------------------------------------
The voluntary budget class (``params.budget_eur.vapaaehtoinen``) has no split per grant type in the plan; the
split in ``budget_eur`` is an assumption (its sum must stay within the class). Each grant type's budget is
spread over the months by its ``phasing`` weights (flat when not given). The *budget to date* of a month is the
annual budget x the weights of January..that month / the weights of the year; paid to date is compared with it,
so that summer vouchers paid in June do not read as an overrun.

Jobs continuing after the subsidy
---------------------------------
For the grants that subsidise a job (Lahti-lisä, recruitment bonus): the share of the subsidies that ended in the
last ``continuation_window_months`` months whose job continued after the subsidy (continuing / ended, pooled
over the window, because a month's follow-ups are a handful of jobs).

Summer job vouchers: the vouchers issued in the year are that year's decisions of the voucher row; the vouchers
used are the recipients paid (each voucher is paid once, to the employer who used it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from serviceplan.core.errors import ParameterError
from serviceplan.core.params import Disclosure, Params
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.sources import grants
from serviceplan.metrics import with_changes
from serviceplan.metrics.kpis import Context, frame, judge, kpi_row
from serviceplan.present import disclosure

AREA = "grants"
TOTAL = "total"
TOTAL_LABEL = "Yhteensä"
FOLLOW_UP_TOTAL = "job_grants"
GRANT_TYPES: tuple[str, ...] = tuple(grants.GRANT_TYPE_CODES.values())
GRANT_LABELS: dict[str, str] = {code: name for name, code in grants.GRANT_TYPE_CODES.items()} | {
    TOTAL: TOTAL_LABEL,
    FOLLOW_UP_TOTAL: "Työllistämistuet yhteensä",
}
JOB_GRANTS: tuple[str, ...] = tuple(grants.GRANT_TYPE_CODES[name] for name in grants.FOLLOW_UP_GRANTS)
VOUCHER = "summer_job_voucher"
LAHTI_LISA = "lahti_lisa"


def _up_to(table: pd.DataFrame, period: Period) -> pd.DataFrame:
    if table.empty or "period" not in table.columns:
        return table
    return table[table["period"].astype(str) <= str(period)]


def _year(table: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The rows of ``period``'s year up to ``period``."""
    if table.empty:
        return table
    months = table["period"].astype(str)
    return table[(months >= f"{period.year}-01") & (months <= str(period))]


def _by_grant(table: pd.DataFrame, column: str) -> pd.Series:
    """``column`` summed per grant type (all grant types, zeros where missing), as floats."""
    if table.empty:
        return pd.Series(0.0, index=list(GRANT_TYPES))
    values = table[column].astype("float64").fillna(0.0)
    return values.groupby(table["grant_type"].astype(str)).sum().reindex(list(GRANT_TYPES), fill_value=0.0)


# ---- budget ------------------------------------------------------------------------------------------------------


def grant_budgets(params: Params) -> dict[str, float]:
    """The annual budget per grant type (0 for a type without one); their sum must stay within the voluntary class."""
    budgets = {g: float(params.areas.grants.budget_eur.get(g, 0.0)) for g in GRANT_TYPES}
    total, ceiling = sum(budgets.values()), params.budget_eur.vapaaehtoinen
    if total > ceiling + 0.5:
        raise ParameterError(
            f"params: key 'areas.grants.budget_eur': the grant budgets add up to {total:,.0f} €, more than the "
            f"voluntary budget class budget_eur.vapaaehtoinen ({ceiling:,.0f} €) that holds them"
        )
    return budgets


def month_weights(grant: str, params: Params) -> np.ndarray:
    """Twelve monthly weights of a grant type's budget (January first), summing to one; flat when not phased."""
    raw = params.areas.grants.phasing.get(grant)
    weights = np.ones(12) if raw is None else np.asarray(raw, dtype="float64")
    return weights / weights.sum()


def spend_table(grants_table: pd.DataFrame, params: Params, period: Period) -> pd.DataFrame:
    """Spend against the budget per grant type in ``period``'s year up to ``period``, and a total row last.

    Columns: ``grant_type``, ``label``, ``annual_budget_eur``, ``budget_to_date_eur`` (the phased budget of
    January..period), ``paid_month_eur``, ``paid_ytd_eur``, ``used_share`` (paid to date / annual budget),
    ``diff_to_date_eur`` (paid to date − budget to date) and ``status`` (:func:`serviceplan.metrics.kpis.judge` of paid
    to date against the budget to date, lower is better).
    """
    budgets = grant_budgets(params)
    year = _year(_up_to(grants_table, period), period)
    month = year[year["period"].astype(str) == str(period)] if len(year) else year
    paid_ytd = _by_grant(year, "paid_eur")
    paid_month = _by_grant(month, "paid_eur")
    rows = []
    for grant in GRANT_TYPES:
        annual = budgets[grant]
        rows.append(
            {
                "grant_type": grant,
                "annual_budget_eur": annual,
                "budget_to_date_eur": annual * float(month_weights(grant, params)[: period.month].sum()),
                "paid_month_eur": float(paid_month[grant]),
                "paid_ytd_eur": float(paid_ytd[grant]),
            }
        )
    table = pd.DataFrame(rows)
    sums = {
        c: float(table[c].sum()) for c in ("annual_budget_eur", "budget_to_date_eur", "paid_month_eur", "paid_ytd_eur")
    }
    table = pd.concat([table, pd.DataFrame([{"grant_type": TOTAL, **sums}])], ignore_index=True)
    table["label"] = [GRANT_LABELS[g] for g in table["grant_type"]]
    table["used_share"] = table["paid_ytd_eur"] / table["annual_budget_eur"].where(table["annual_budget_eur"] > 0)
    table["diff_to_date_eur"] = table["paid_ytd_eur"] - table["budget_to_date_eur"]
    # a grant type with an annual budget is judged against its budget to date (also when that is still 0)
    table["status"] = [
        judge(paid, budget if annual > 0 else None, "lower_better")
        for paid, budget, annual in zip(
            table["paid_ytd_eur"], table["budget_to_date_eur"], table["annual_budget_eur"], strict=True
        )
    ]
    columns = ["grant_type", "label", "annual_budget_eur", "budget_to_date_eur", "paid_month_eur", "paid_ytd_eur"]
    return table[[*columns, "used_share", "diff_to_date_eur", "status"]]


def monthly_paid(grants_table: pd.DataFrame, params: Params, period: Period) -> pd.DataFrame:
    """Euros paid per month of ``period``'s year (January..December; months after ``period`` empty), one column
    per grant type, and ``budget_eur``: the month's phased budget of all grant types.

    Columns: ``month``, one column per grant type code, ``paid_eur`` (the month's total) and ``budget_eur``.
    """
    budgets = grant_budgets(params)
    year = _year(_up_to(grants_table, period), period)
    months = [str(Period(period.year, m)) for m in range(1, 13)]
    out = pd.DataFrame({"month": months})
    for grant in GRANT_TYPES:
        part = year[year["grant_type"].astype(str) == grant] if len(year) else year
        sums = part["paid_eur"].astype("float64").groupby(part["period"].astype(str)).sum() if len(part) else None
        observed = [m <= str(period) and (sums is not None and m in sums.index) for m in months]
        out[grant] = [float(sums[m]) if seen else math.nan for m, seen in zip(months, observed, strict=True)]
    out["paid_eur"] = out[list(GRANT_TYPES)].sum(axis=1, min_count=1)
    out["budget_eur"] = sum(budgets[g] * month_weights(g, params) for g in GRANT_TYPES)
    return out


# ---- recipients and vouchers -------------------------------------------------------------------------------------


def recipients_table(grants_table: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Decisions and recipients per grant type: ``decisions`` and ``recipients`` of ``period``, ``decisions_ytd``
    (``period``'s year up to it), ``paid_month_eur`` and ``mean_paid_eur`` (paid / recipients in the month); a
    total row last. Columns also ``grant_type`` and ``label``."""
    year = _year(_up_to(grants_table, period), period)
    month = year[year["period"].astype(str) == str(period)] if len(year) else year
    table = pd.DataFrame(
        {
            "grant_type": list(GRANT_TYPES),
            "decisions": _by_grant(month, "decisions").to_numpy(),
            "decisions_ytd": _by_grant(year, "decisions").to_numpy(),
            "recipients": _by_grant(month, "recipients").to_numpy(),
            "paid_month_eur": _by_grant(month, "paid_eur").to_numpy(),
        }
    )
    sums = {c: float(table[c].sum()) for c in ("decisions", "decisions_ytd", "recipients", "paid_month_eur")}
    table = pd.concat([table, pd.DataFrame([{"grant_type": TOTAL, **sums}])], ignore_index=True)
    table["label"] = [GRANT_LABELS[g] for g in table["grant_type"]]
    table["mean_paid_eur"] = table["paid_month_eur"] / table["recipients"].where(table["recipients"] > 0)
    return table[["grant_type", "label", "decisions", "decisions_ytd", "recipients", "paid_month_eur", "mean_paid_eur"]]


@dataclass(frozen=True)
class Vouchers:
    """Summer job vouchers of ``period``'s year up to ``period``."""

    issued: float  # vouchers issued this year (decisions)
    used: float  # vouchers used (paid) this year
    paid_eur: float

    @property
    def use_share(self) -> float:
        """Used / issued; NaN before any voucher is issued."""
        return self.used / self.issued if self.issued > 0 else math.nan


def vouchers(grants_table: pd.DataFrame, period: Period) -> Vouchers:
    """The summer job vouchers issued and used in ``period``'s year up to ``period``."""
    year = _year(_up_to(grants_table, period), period)
    part = year[year["grant_type"].astype(str) == VOUCHER] if len(year) else year
    return Vouchers(
        issued=float(part["decisions"].astype("float64").sum()) if len(part) else 0.0,
        used=float(part["recipients"].astype("float64").sum()) if len(part) else 0.0,
        paid_eur=float(part["paid_eur"].astype("float64").sum()) if len(part) else 0.0,
    )


# ---- jobs continuing after the subsidy ---------------------------------------------------------------------------


def continuation(grants_table: pd.DataFrame, period: Period, window_months: int) -> pd.DataFrame:
    """Jobs continuing after the subsidy, pooled over the ``window_months`` months up to ``period``: one row per
    job grant and a total row (``grant_type`` = ``job_grants``) with ``ended``, ``continuing``,
    ``not_continuing``, ``share`` (continuing / ended; NaN without ended subsidies), ``first_month`` and
    ``last_month`` (the window's months with data) and ``label``."""
    table = _up_to(grants_table, period)
    first = str(period.shift(1 - window_months))
    part = table[(table["period"].astype(str) >= first) & table["grant_type"].astype(str).isin(JOB_GRANTS)] if len(
        table
    ) else table  # fmt: skip
    ended = _by_grant(part, "subsidies_ended").reindex(list(JOB_GRANTS))
    continuing = _by_grant(part, "jobs_continuing").reindex(list(JOB_GRANTS))
    out = pd.DataFrame(
        {
            "grant_type": [*JOB_GRANTS, FOLLOW_UP_TOTAL],
            "ended": [*ended.tolist(), float(ended.sum())],
            "continuing": [*continuing.tolist(), float(continuing.sum())],
        }
    )
    out["not_continuing"] = out["ended"] - out["continuing"]
    out["share"] = out["continuing"] / out["ended"].where(out["ended"] > 0)
    months = sorted(part["period"].astype(str).unique()) if len(part) else []
    out["first_month"] = months[0] if months else None
    out["last_month"] = months[-1] if months else None
    out["label"] = [GRANT_LABELS[g] for g in out["grant_type"]]
    return out


def continuation_history(grants_table: pd.DataFrame, period: Period, window_months: int, months: int) -> pd.DataFrame:
    """:func:`continuation` at each of the last ``months`` months up to ``period`` (from the first month of data):
    a long table with ``month`` and the columns of :func:`continuation`."""
    table = _up_to(grants_table, period)
    if table.empty:
        return pd.DataFrame(columns=["month", "grant_type", "label", "ended", "continuing", "not_continuing", "share"])
    first = max(Period.parse(min(table["period"].astype(str))), period.shift(1 - months))
    parts = [continuation(table, p, window_months).assign(month=str(p)) for p in month_range(first, period)]
    return pd.concat(parts, ignore_index=True)


# ---- disclosure control of what is published ---------------------------------------------------------------------

CONTINUATION_COUNTS: tuple[str, ...] = ("continuing", "not_continuing", "ended")
# Published per month only: a count "this year so far" beside the month's count would let a reader of two
# consecutive reports recover a hidden month by subtraction.
RECIPIENT_COUNTS: tuple[str, ...] = ("decisions", "recipients")


def published_continuation(table: pd.DataFrame, rule: Disclosure, *, as_missing: bool = True) -> pd.DataFrame:
    """A :func:`continuation` table as it may be published: continuing + not continuing = ended on every row and
    the job grants add up to the total row, so small counts and the cells that reveal them are hidden, and the
    share with the continuing count. Hidden cells are NaN (``as_missing``) or the disclosure symbol."""
    method = disclosure.hide if as_missing else disclosure.suppress
    return method(
        table.set_index("grant_type", drop=False),
        rule,
        counts=list(CONTINUATION_COUNTS),
        derived={"share": "continuing"},
        total_row=FOLLOW_UP_TOTAL,
        total_col="ended",
    ).reset_index(drop=True)


def published_recipients(table: pd.DataFrame, rule: Disclosure) -> pd.DataFrame:
    """A :func:`recipients_table` as it may be published (``decisions_ytd`` left out), small counts replaced by
    the disclosure symbol: each count column against its total row (decisions and recipients do not add up
    along a row), and the mean paid per recipient hidden with the recipients."""
    return disclosure.suppress_columns(
        table.drop(columns=["decisions_ytd"]).set_index("grant_type", drop=False),
        rule,
        counts=list(RECIPIENT_COUNTS),
        derived={"mean_paid_eur": ["recipients"]},
        total_row=TOTAL,
    ).reset_index(drop=True)


def _published_number(value: object) -> float:
    """A published cell as a number: NaN for the disclosure symbol."""
    return math.nan if isinstance(value, str) else float(value)  # type: ignore[arg-type]


# ---- the whole analysis of a month -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantsAnalysis:
    """Everything the grants page shows for one month."""

    period: Period
    params: Params
    spend: pd.DataFrame  # spend_table
    monthly: pd.DataFrame  # monthly_paid
    recipients: pd.DataFrame  # recipients_table
    vouchers: Vouchers
    continuation: pd.DataFrame
    continuation_history: pd.DataFrame
    has_month: bool  # the grants export of the period is present

    def spend_row(self, grant: str) -> pd.Series:
        """The spend table's row of a grant type (or ``total``)."""
        return self.spend[self.spend["grant_type"] == grant].iloc[0]

    def continuation_row(self, grant: str) -> pd.Series:
        """The continuation table's row of a job grant (or ``job_grants``)."""
        return self.continuation[self.continuation["grant_type"] == grant].iloc[0]


def analyse(grants_table: pd.DataFrame, params: Params, period: Period, *, history: bool = True) -> GrantsAnalysis:
    """All grants numbers for ``period`` from the canonical table (rows after ``period`` are ignored).

    ``history=False`` keeps only the report month in the continuation history (what the KPIs need).
    """
    settings = params.areas.grants
    table = _up_to(grants_table, period)
    window = settings.continuation_window_months
    return GrantsAnalysis(
        period=period,
        params=params,
        spend=spend_table(table, params, period),
        monthly=monthly_paid(table, params, period),
        recipients=recipients_table(table, period),
        vouchers=vouchers(table, period),
        continuation=continuation(table, period, window),
        continuation_history=continuation_history(table, period, window, settings.history_months if history else 1),
        has_month=bool((table["period"].astype(str) == str(period)).any()) if len(table) else False,
    )


def analyse_period(ctx: Context, *, history: bool = True) -> GrantsAnalysis:
    """Load the canonical table of the workspace and analyse ``ctx.period`` (see :func:`analyse`)."""
    from serviceplan.metrics import load

    return analyse(load("grants", ctx.period, ctx.workspace), ctx.params, ctx.period, history=history)


# ---- KPIs ----------------------------------------------------------------------------------------------------


def _count(value: float, params: Params) -> float:
    """A count as published: NaN when disclosure control hides it (1..min_count-1)."""
    return math.nan if 0 < value < params.disclosure.min_count else value


def _share(part: float, whole: float, params: Params) -> float:
    """``part / whole`` as published: NaN without a denominator or when the part or the rest is a hidden count."""
    if whole <= 0 or math.isnan(_count(part, params)) or math.isnan(_count(whole - part, params)):
        return math.nan
    return part / whole


def kpi_rows(ctx: Context, analysis: GrantsAnalysis) -> pd.DataFrame:
    """The grants KPIs of an analysed month (see :func:`kpis`)."""
    params = ctx.params
    settings = params.areas.grants
    total = analysis.spend_row(TOTAL)
    rows = [
        kpi_row(ctx, AREA, "grants_paid_ytd_eur", "Avustuksia maksettu vuoden alusta", total["paid_ytd_eur"], "eur",
                total["budget_to_date_eur"], "lower_better"),
        kpi_row(ctx, AREA, "grants_budget_used_share", "Avustusbudjetista käytetty vuoden alusta",
                total["used_share"], "share"),
    ]  # fmt: skip
    for grant in GRANT_TYPES:
        row = analysis.spend_row(grant)
        budget = row["budget_to_date_eur"] if row["annual_budget_eur"] > 0 else None
        rows.append(
            kpi_row(ctx, AREA, f"paid_ytd_{grant}_eur", f"Maksettu vuoden alusta: {GRANT_LABELS[grant]}",
                    row["paid_ytd_eur"], "eur", budget, "lower_better")
        )  # fmt: skip
    recipients = published_recipients(analysis.recipients, params.disclosure).set_index("grant_type")
    month_value = analysis.has_month
    rows.append(
        kpi_row(ctx, AREA, "grant_recipients", "Avustusten saajat kuukaudessa",
                _published_number(recipients.loc[TOTAL, "recipients"]) if month_value else None, "count")
    )  # fmt: skip
    rows.append(
        kpi_row(ctx, AREA, "lahti_lisa_recipients", "Lahti-lisän saajat kuukaudessa",
                _published_number(recipients.loc[LAHTI_LISA, "recipients"]) if month_value else None, "count")
    )  # fmt: skip
    voucher = analysis.vouchers
    rows.append(
        kpi_row(ctx, AREA, "summer_job_vouchers_used_ytd", "Kesätyöseteleitä käytetty vuoden alusta",
                _count(voucher.used, params), "count")
    )  # fmt: skip
    rows.append(
        kpi_row(ctx, AREA, "summer_job_voucher_use_share", "Jaetuista kesätyöseteleistä käytetty",
                _share(voucher.used, voucher.issued, params), "share")
    )  # fmt: skip
    target = settings.continuing_target_share
    published = published_continuation(analysis.continuation, params.disclosure).set_index("grant_type")
    for grant, kpi, label in (
        (FOLLOW_UP_TOTAL, "jobs_continuing_share", "Työsuhde jatkui tuen päätyttyä"),
        (LAHTI_LISA, "jobs_continuing_share_lahti_lisa", "Työsuhde jatkui tuen päätyttyä: Lahti-lisä"),
        ("recruitment_bonus", "jobs_continuing_share_recruitment_bonus",
         "Työsuhde jatkui tuen päätyttyä: rekrytointipalkkio"),
    ):  # fmt: skip
        share = published.loc[grant, "share"]
        rows.append(kpi_row(ctx, AREA, kpi, label, share, "share", target, "higher_better"))
    return frame(rows)


def kpis(ctx: Context) -> pd.DataFrame:
    """The grants area's KPI table for ``ctx.period``: euros paid this year against the budget to date (in total
    and per grant type), the share of the year's grant budget used, recipients in the month (all grants and
    Lahti-lisä), summer job vouchers used and their share of those issued, and the share of subsidised jobs that
    continued after the subsidy (in total and per job grant) against the target."""
    return kpi_rows(ctx, analyse_period(ctx, history=False))


def kpis_with_changes(ctx: Context, analysis: GrantsAnalysis) -> pd.DataFrame:
    """:func:`kpis` beside the same KPIs a month and a year earlier (:func:`serviceplan.metrics.with_changes`),
    reusing the page's analysis of the report month instead of analysing it again
    (the page's analysis keeps the continuation history, which the KPIs do not read)."""
    return with_changes(kpis, ctx, first_period=grants.DATASET.first_period, current=kpi_rows(ctx, analysis))
