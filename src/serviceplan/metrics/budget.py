"""Budget metrics: policy line 1 of the plan (section "1. Budjetti").

The plan: operating costs of the employment services and the municipal share of unemployment benefits are
followed *separately*, monthly, with a forecast of where the year ends; service production stays within its
budget. This module turns the canonical tables ``ledger`` (operating costs) and ``kela_invoice`` (Kela's
invoices of the benefit share) into those numbers. Every function is pure: tables and parameters in, tables out.

Budget lines
------------
* the four budget classes of the plan, operating costs only (``params.budget_eur``); the class
  *määrärahasta riippumaton* includes the benefit share, so its operating line gets the class budget minus
  ``params.benefit_share_budget_eur``;
* *toimeksiantotehtävä* (commissioned cooperation): tracked, but the plan gives it no budget, so it is left out
  of the budget comparisons and totals;
* *kuntaosuus*, the municipal share of unemployment benefits, with ``params.benefit_share_budget_eur``.

Costs count in the month they are booked: the ledger month, and for the benefit share the month Kela bills.
Kela bills in arrears (January's benefits in February), so a year's books hold the invoices billed in it;
in 2025 that is February–December. Catch-up rows (``catch_up``: older benefit months billed late, the
October–November 2025 bump) are real money and count in the actual costs, but never in the run rate.

The year-end forecast (per budget line, documented in Finnish on the report page)
---------------------------------------------------------------------------------
1. *Phasing*: each line's budget is spread over the months by ``params.budget_phasing`` (twelve weights,
   flat when not given; the benefit share only over the months Kela invoices), normalised to sum to one.
2. *Run rate*: the regular cost (catch-up excluded) of the last ``forecast.run_rate_months`` observed months of
   the year divided by their share of the phasing: what the whole year would cost at the recent pace. Dividing
   by the phasing keeps a seasonal month (summer jobs in June) from reading as a trend.
3. *Point forecast* = actual costs so far (catch-up included) + run rate x the phasing share of the months still
   to come.
4. *Interval*: each observed month's own annual pace (its cost / its phasing share) varies; the spread is the
   standard deviation of the last ``forecast.interval_months`` of them, and the interval is the point
   ± ``forecast.interval_z`` spreads x the share still to come. This is deliberately cautious: it lets a
   one-month deviation last for the rest of the year.
5. *Early months*: with n < ``forecast.min_history_months`` (m) observed months one month's pace says little
   (January 2025 was a start-up month), so the run rate is the weighted mean of the observed pace (weight n)
   and the budget (weight m − n), and the spread is ``forecast.prior_spread`` x the run rate, because a spread
   cannot be estimated from one or two months. Before the first observed month (January, when Kela has not yet
   invoiced) the run rate is the budget itself: the forecast equals the budget (method ``"budget"``). The page
   says when either applies.
6. *Totals* add the points; their half-widths combine as the root of the sum of squares (lines assumed to vary
   independently).
7. *Exceedance*: ``"all"`` when the whole interval is above the budget (an overrun is likely), ``"point"`` when
   the forecast is above but the interval reaches below, ``"upper"`` when only the upper end is above,
   ``"none"`` when the whole interval is within the budget.

The benefit share by accumulated-days class and the what-if use Kela's classes (101–200, 201–300, 301–400,
401– days) and the step table in force (``params.benefit_rule``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from serviceplan.core.params import Params
from serviceplan.core.periods import Period
from serviceplan.inputs.sources import kela_invoice, ledger
from serviceplan.metrics import with_changes
from serviceplan.metrics.kpis import Context, frame, kpi_row

AREA = "budget"
OPERATING = "operating"
BENEFIT = "benefit_share"
TOTAL = "total"

BENEFIT_LINE = "kuntaosuus"
OPERATING_TOTAL = "toimintakulut"
GRAND_TOTAL = "yhteensa"
OPERATING_LINES: tuple[str, ...] = tuple(ledger.BUDGET_CLASS_CODES.values())
DAY_CLASSES: dict[str, int] = kela_invoice.DAY_CLASSES
# Kela's regular invoice covers the previous month (sources/kela_invoice.py): a change in benefit month M shows
# on the invoice of month M + 1.
BILLING_LAG_MONTHS = 1
EURO_TOLERANCE = 0.5  # amounts closer than this are equal
CATCH_UP = "catch_up"
TOTAL_ROW = "Yhteensä"
# Kela's accumulated-days classes as the page names them.
DAY_CLASS_LABELS: dict[str, str] = {
    "101-200": "101–200 päivää",
    "201-300": "201–300 päivää",
    "301-400": "301–400 päivää",
    "401-": "yli 400 päivää",
    CATCH_UP: "jälkilaskutus",
    TOTAL_ROW: "Yhteensä",
}

_CLASS_LABELS = {code: label for label, code in ledger.BUDGET_CLASS_CODES.items()}
LABELS: dict[str, str] = {
    **_CLASS_LABELS,
    "maararahasta_riippumaton": "Määrärahasta riippumaton (toimintakulut)",
    BENEFIT_LINE: "Työttömyysetuuksien kuntaosuus",
    OPERATING_TOTAL: "Toimintakulut yhteensä",
    GRAND_TOTAL: "Kaikki yhteensä",
}


@dataclass(frozen=True)
class BudgetLine:
    """One line of the budget follow-up: a budget class's operating costs, or the benefit share."""

    id: str
    label: str
    kind: str  # OPERATING or BENEFIT
    annual_budget_eur: float | None  # None: the plan gives no budget


def budget_lines(params: Params) -> list[BudgetLine]:
    """The budget lines of a year with their annual budgets (see the module docstring)."""
    budgets = params.budget_eur.as_dict()
    lines = []
    for code in OPERATING_LINES:
        budget = budgets.get(code)
        if code == "maararahasta_riippumaton" and budget is not None:
            budget -= params.benefit_share_budget_eur
        lines.append(BudgetLine(code, LABELS[code], OPERATING, budget))
    lines.append(BudgetLine(BENEFIT_LINE, LABELS[BENEFIT_LINE], BENEFIT, float(params.benefit_share_budget_eur)))
    return lines


def budgeted_operating(lines: list[BudgetLine]) -> list[BudgetLine]:
    """The operating lines that have a budget (the ones summed into the operating total)."""
    return [line for line in lines if line.kind == OPERATING and line.annual_budget_eur is not None]


def month_weights(line: str, year: int, params: Params) -> np.ndarray:
    """The line's budget phasing for ``year``: twelve shares (January first) that sum to one.

    ``params.budget_phasing`` gives the weights (flat when the line has none); the benefit share has weight only
    in months Kela invoices (from its first billing month on). All zeros if no month qualifies.
    """
    weights = np.asarray(params.budget_phasing.get(line, [1.0] * 12), dtype="float64")
    if line == BENEFIT_LINE:
        first = kela_invoice.DATASET.first_period
        weights = weights * np.array([Period(year, m) >= first for m in range(1, 13)], dtype="float64")
    total = weights.sum()
    return weights / total if total > 0 else weights


# ---- actual costs ------------------------------------------------------------------------------------------


def _months(table: pd.DataFrame) -> list[str]:
    if table.empty or "period" not in table.columns:
        return []
    return sorted(table["period"].astype(str).unique())


_ACTUAL_COLUMNS = {
    "month": "str",
    "line": "str",
    "regular_eur": "float64",
    "catch_up_eur": "float64",
    "actual_eur": "float64",
}


def monthly_actuals(ledger_table: pd.DataFrame, invoices: pd.DataFrame) -> pd.DataFrame:
    """Actual costs per line and observed month: ``month``, ``line``, ``regular_eur``, ``catch_up_eur``,
    ``actual_eur``.

    A month is observed for the operating lines when the ledger has rows for it (a class without rows that month
    cost 0), and for the benefit share when Kela's invoice of that billing month is in.
    """
    parts = []
    ledger_months = _months(ledger_table)
    if ledger_months:
        sums = ledger_table.groupby([ledger_table["period"].astype(str), ledger_table["budget_class"].astype(str)])[
            "amount_eur"
        ].sum()
        index = pd.MultiIndex.from_product([ledger_months, OPERATING_LINES])
        regular = sums.reindex(index, fill_value=0.0).astype("float64")
        parts.append(
            pd.DataFrame(
                {
                    "month": regular.index.get_level_values(0).astype(str),
                    "line": regular.index.get_level_values(1).astype(str),
                    "regular_eur": regular.to_numpy(),
                    "catch_up_eur": 0.0,
                }
            )
        )
    invoice_months = _months(invoices)
    if invoice_months:
        month = invoices["period"].astype(str)
        catch_up = invoices["catch_up"].astype(bool)
        share = invoices["municipal_share_eur"].astype("float64")
        regular = share[~catch_up].groupby(month[~catch_up]).sum().reindex(invoice_months, fill_value=0.0)
        late = share[catch_up].groupby(month[catch_up]).sum().reindex(invoice_months, fill_value=0.0)
        parts.append(
            pd.DataFrame(
                {
                    "month": invoice_months,
                    "line": BENEFIT_LINE,
                    "regular_eur": regular.to_numpy(dtype="float64"),
                    "catch_up_eur": late.to_numpy(dtype="float64"),
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _ACTUAL_COLUMNS.items()})
    out = pd.concat(parts, ignore_index=True)
    out["actual_eur"] = out["regular_eur"] + out["catch_up_eur"]
    return out.astype(_ACTUAL_COLUMNS)


def budget_table(actuals: pd.DataFrame, params: Params, period: Period) -> pd.DataFrame:
    """Actual vs budget per line and month of ``period``'s year up to ``period``, and year to date.

    Columns: ``month``, ``line``, ``label``, ``kind``, ``observed``, ``regular_eur``, ``catch_up_eur``,
    ``actual_eur`` (NaN when the month is not observed), ``budget_eur`` (the phased monthly budget, NaN without
    a budget), ``cum_actual_eur``, ``cum_budget_eur``, ``cum_diff_eur`` and ``cum_diff_share`` (year to date,
    actual minus budget and as a share of the budget). Includes the totals ``toimintakulut`` (budgeted operating
    lines) and ``yhteensa`` (those and the benefit share).
    """
    months = [str(Period(period.year, m)) for m in range(1, period.month + 1)]
    rows = []
    lines = budget_lines(params)
    for line in lines:
        weights = month_weights(line.id, period.year, params)
        mine = actuals[actuals["line"] == line.id].set_index("month")
        for i, month in enumerate(months):
            observed = month in mine.index
            rows.append(
                {
                    "month": month,
                    "line": line.id,
                    "label": line.label,
                    "kind": line.kind,
                    "observed": observed,
                    "regular_eur": float(mine.at[month, "regular_eur"]) if observed else math.nan,
                    "catch_up_eur": float(mine.at[month, "catch_up_eur"]) if observed else math.nan,
                    "actual_eur": float(mine.at[month, "actual_eur"]) if observed else math.nan,
                    "budget_eur": math.nan if line.annual_budget_eur is None else line.annual_budget_eur * weights[i],
                }
            )
    table = pd.DataFrame(rows)
    operating = [line.id for line in budgeted_operating(lines)]
    totals = [
        _sum_lines(table, operating, OPERATING_TOTAL, TOTAL),
        _sum_lines(table, [*operating, BENEFIT_LINE], GRAND_TOTAL, TOTAL),
    ]
    table = pd.concat([table, *totals], ignore_index=True)
    grouped = table.groupby("line", sort=False)
    table["cum_actual_eur"] = grouped["actual_eur"].transform(lambda s: s.fillna(0.0).cumsum())
    table["cum_budget_eur"] = grouped["budget_eur"].transform(lambda s: s.cumsum())
    table["cum_diff_eur"] = table["cum_actual_eur"] - table["cum_budget_eur"]
    table["cum_diff_share"] = table["cum_diff_eur"] / table["cum_budget_eur"].where(table["cum_budget_eur"] > 0)
    return table


def _sum_lines(table: pd.DataFrame, lines: list[str], line_id: str, kind: str) -> pd.DataFrame:
    part = table[table["line"].isin(lines)]
    summed = part.groupby("month", sort=True).agg(
        observed=("observed", "any"),
        regular_eur=("regular_eur", lambda s: s.sum(min_count=1)),
        catch_up_eur=("catch_up_eur", lambda s: s.sum(min_count=1)),
        actual_eur=("actual_eur", lambda s: s.sum(min_count=1)),
        budget_eur=("budget_eur", "sum"),
    )
    summed = summed.reset_index()
    summed.insert(1, "line", line_id)
    summed.insert(2, "label", LABELS[line_id])
    summed.insert(3, "kind", kind)
    return summed


# ---- forecast ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineForecast:
    """The year-end forecast of one line (see the module docstring for the method)."""

    line: str
    label: str
    kind: str
    annual_budget_eur: float
    ytd_eur: float
    catch_up_eur: float
    pace_eur: float  # the year's cost at the recent run rate
    spread_eur: float  # spread of one month's annual pace
    remaining_weight: float  # phasing share of the months still to come
    months_observed: int
    months_in_run_rate: int
    point_eur: float
    low_eur: float
    high_eur: float
    method: str  # "run_rate", "budget" (nothing observed yet), "complete" (every month observed), "none"
    spread_source: str  # "observed" or "prior"
    exceedance: str

    @property
    def half_width_eur(self) -> float:
        return (self.high_eur - self.low_eur) / 2


def exceedance(low: float, point: float, high: float, budget: float | None) -> str:
    """How the forecast interval stands against the budget: ``all``, ``point``, ``upper``, ``none`` or
    ``no_budget``."""
    if budget is None or math.isnan(budget) or math.isnan(point):
        return "no_budget"
    above = budget + EURO_TOLERANCE  # sums of phasing shares carry floating-point dust
    if low > above:
        return "all"
    if point > above:
        return "point"
    if high > above:
        return "upper"
    return "none"


def forecast_line(line: BudgetLine, actuals: pd.DataFrame, params: Params, period: Period) -> LineForecast:
    """The year-end forecast of ``line`` for ``period``'s year from the observed months up to ``period``."""
    settings = params.forecast
    weights = month_weights(line.id, period.year, params)
    mine = actuals[actuals["line"] == line.id].set_index("month")
    year_months = [Period(period.year, m) for m in range(1, 13)]
    observed = [p for p in year_months if p <= period and str(p) in mine.index]
    ytd = float(sum(mine.at[str(p), "actual_eur"] for p in observed))
    catch_up = float(sum(mine.at[str(p), "catch_up_eur"] for p in observed))
    usable = [p for p in observed if weights[p.month - 1] > 0]
    remaining = float(sum(weights[p.month - 1] for p in year_months if p not in observed))
    budget = math.nan if line.annual_budget_eur is None else float(line.annual_budget_eur)
    window = usable[-settings.run_rate_months :]
    if window:
        pace = sum(float(mine.at[str(p), "regular_eur"]) for p in window) / sum(weights[p.month - 1] for p in window)
        missing = settings.min_history_months - len(usable)
        if missing > 0 and not math.isnan(budget):  # early months: the budget counts as the missing months
            pace = (len(usable) * pace + missing * budget) / settings.min_history_months
        paces = [float(mine.at[str(p), "regular_eur"]) / weights[p.month - 1] for p in usable]
        recent = paces[-settings.interval_months :]
        if len(recent) >= settings.min_history_months:
            spread, source = float(np.std(recent, ddof=1)), "observed"
        else:
            spread, source = settings.prior_spread * abs(pace), "prior"
        method = "complete" if remaining == 0 else "run_rate"
    elif not math.isnan(budget):
        pace, spread, source, method = budget, settings.prior_spread * budget, "prior", "budget"
    else:
        pace, spread, source, method = math.nan, math.nan, "prior", "none"
    point = ytd + pace * remaining
    half = settings.interval_z * spread * remaining
    return LineForecast(
        line=line.id,
        label=line.label,
        kind=line.kind,
        annual_budget_eur=budget,
        ytd_eur=ytd,
        catch_up_eur=catch_up,
        pace_eur=pace,
        spread_eur=spread,
        remaining_weight=remaining,
        months_observed=len(usable),
        months_in_run_rate=len(window),
        point_eur=point,
        low_eur=point - half,
        high_eur=point + half,
        method=method,
        spread_source=source,
        exceedance=exceedance(point - half, point, point + half, budget),
    )


def combine(parts: list[LineForecast], line_id: str, kind: str) -> LineForecast:
    """A total of several lines: points and year-to-date add up, half-widths combine as the root of the sum of
    squares."""
    point = sum(p.point_eur for p in parts)
    half = math.sqrt(sum(p.half_width_eur**2 for p in parts))
    budget = sum(p.annual_budget_eur for p in parts)
    methods = {p.method for p in parts}
    return LineForecast(
        line=line_id,
        label=LABELS[line_id],
        kind=kind,
        annual_budget_eur=budget,
        ytd_eur=sum(p.ytd_eur for p in parts),
        catch_up_eur=sum(p.catch_up_eur for p in parts),
        pace_eur=sum(p.pace_eur for p in parts),
        spread_eur=math.nan,
        remaining_weight=math.nan,
        months_observed=min(p.months_observed for p in parts),
        months_in_run_rate=min(p.months_in_run_rate for p in parts),
        point_eur=point,
        low_eur=point - half,
        high_eur=point + half,
        method=methods.pop() if len(methods) == 1 else "combined",
        spread_source="prior" if any(p.spread_source == "prior" for p in parts) else "observed",
        exceedance=exceedance(point - half, point, point + half, budget),
    )


def forecasts(actuals: pd.DataFrame, params: Params, period: Period) -> list[LineForecast]:
    """Year-end forecasts of every line, then the operating total and the grand total."""
    lines = budget_lines(params)
    per_line = [forecast_line(line, actuals, params, period) for line in lines]
    operating_ids = {line.id for line in budgeted_operating(lines)}
    operating = combine([f for f in per_line if f.line in operating_ids], OPERATING_TOTAL, TOTAL)
    benefit = next(f for f in per_line if f.line == BENEFIT_LINE)
    return [*per_line, operating, combine([operating, benefit], GRAND_TOTAL, TOTAL)]


def forecast_paths(actuals: pd.DataFrame, params: Params, period: Period, items: list[LineForecast]) -> pd.DataFrame:
    """Monthly cumulative series of the year for the charts: for the operating total and the benefit share,
    ``cum_actual_eur`` (observed months), ``cum_budget_eur`` (all twelve) and the forecast path ``cum_point_eur``
    with ``cum_low_eur``/``cum_high_eur`` from the last observed month to December."""
    by_id = {f.line: f for f in items}
    lines = budget_lines(params)
    groups = {
        OPERATING_TOTAL: [line for line in budgeted_operating(lines)],
        BENEFIT_LINE: [line for line in lines if line.id == BENEFIT_LINE],
    }
    months = [Period(period.year, m) for m in range(1, 13)]
    z = params.forecast.interval_z
    rows = []
    for series, members in groups.items():
        cum_budget = np.zeros(12)
        cum_actual = np.zeros(12)
        point_path = np.zeros(12)
        half_sq = np.zeros(12)
        last_observed = 0
        for line in members:
            weights = month_weights(line.id, period.year, params)
            cum_budget += np.cumsum(weights * (line.annual_budget_eur or 0.0))
            mine = actuals[actuals["line"] == line.id].set_index("month")
            observed = [p for p in months if p <= period and str(p) in mine.index]
            last_observed = max([last_observed, *(p.month for p in observed)])
            actual = np.array([float(mine.at[str(p), "actual_eur"]) if p in observed else 0.0 for p in months])
            cum_actual += np.cumsum(actual)
            forecast = by_id[line.id]
            future = np.array([0.0 if p in observed else weights[p.month - 1] for p in months])
            point_path += forecast.ytd_eur + forecast.pace_eur * np.cumsum(future)
            half_sq += (z * forecast.spread_eur * np.cumsum(future)) ** 2
        half = np.sqrt(half_sq)
        for i, month in enumerate(months):
            shown_actual = i < last_observed
            in_forecast = i + 1 >= max(last_observed, 1)
            rows.append(
                {
                    "month": str(month),
                    "series": series,
                    "label": LABELS[series],
                    "cum_actual_eur": cum_actual[i] if shown_actual else math.nan,
                    "cum_budget_eur": cum_budget[i],
                    "cum_point_eur": point_path[i] if in_forecast else math.nan,
                    "cum_low_eur": point_path[i] - half[i] if in_forecast else math.nan,
                    "cum_high_eur": point_path[i] + half[i] if in_forecast else math.nan,
                }
            )
    return pd.DataFrame(rows)


# ---- benefit share by accumulated days and the what-if -------------------------------------------------------


def _regular(invoices: pd.DataFrame) -> pd.DataFrame:
    if invoices.empty or "catch_up" not in invoices.columns:
        return invoices.iloc[0:0]
    return invoices[~invoices["catch_up"].astype(bool)]


def day_class_table(invoices: pd.DataFrame, params: Params, period: Period) -> pd.DataFrame:
    """The benefit share of the latest regular invoice up to ``period`` by accumulated-days class, with a total row.

    Columns: ``billing_month``, ``benefit_month``, ``day_class``, ``min_days``, ``recipients``,
    ``benefits_paid_eur``, ``municipal_share_eur``, ``step_share`` (the step in force for the benefit month),
    ``invoiced_share`` (municipal share / benefits paid on the invoice), ``mean_benefit_eur`` (per recipient),
    ``share_of_total`` (of the month's municipal share), and ``ytd_regular_eur`` / ``ytd_catch_up_eur`` (the
    year's invoices so far), and ``label`` (Finnish). The last row (``day_class`` = ``Yhteensä``) holds the
    totals. Empty before the first
    invoice.
    """
    regular = _regular(invoices)
    columns = [
        "billing_month",
        "benefit_month",
        "day_class",
        "label",
        "min_days",
        "recipients",
        "benefits_paid_eur",
        "municipal_share_eur",
        "step_share",
        "invoiced_share",
        "mean_benefit_eur",
        "share_of_total",
        "ytd_regular_eur",
        "ytd_catch_up_eur",
    ]
    if regular.empty:
        return pd.DataFrame(columns=columns)
    billing = max(regular["period"].astype(str))
    latest = regular[regular["period"].astype(str) == billing]
    benefit_month = max(latest["benefit_period"].astype(str))
    rule = params.benefit_rule(Period.parse(benefit_month))
    year = invoices[invoices["period"].astype(str).str.startswith(f"{period.year}-")]
    year_catch = year["catch_up"].astype(bool)
    rows = []
    for day_class, min_days in DAY_CLASSES.items():
        part = latest[latest["day_class"].astype(str) == day_class]
        of_class = year["day_class"].astype(str) == day_class
        rows.append(
            {
                "day_class": day_class,
                "min_days": min_days,
                "recipients": float(part["recipients"].astype("float64").sum()),
                "benefits_paid_eur": float(part["benefits_paid_eur"].sum()),
                "municipal_share_eur": float(part["municipal_share_eur"].sum()),
                "step_share": rule.share_for_days(min_days),
                "ytd_regular_eur": float(year.loc[of_class & ~year_catch, "municipal_share_eur"].sum()),
                "ytd_catch_up_eur": float(year.loc[of_class & year_catch, "municipal_share_eur"].sum()),
            }
        )
    table = pd.DataFrame(rows)
    total = {c: float(table[c].sum()) for c in ("recipients", "benefits_paid_eur", "municipal_share_eur")}
    total |= {c: float(table[c].sum()) for c in ("ytd_regular_eur", "ytd_catch_up_eur")}
    table = pd.concat([table, pd.DataFrame([{"day_class": TOTAL_ROW, **total}])], ignore_index=True)
    table["label"] = [DAY_CLASS_LABELS[c] for c in table["day_class"]]
    table["invoiced_share"] = table["municipal_share_eur"] / table["benefits_paid_eur"].where(
        table["benefits_paid_eur"] > 0
    )
    table["mean_benefit_eur"] = table["benefits_paid_eur"] / table["recipients"].where(table["recipients"] > 0)
    table["share_of_total"] = table["municipal_share_eur"] / total["municipal_share_eur"]
    table["billing_month"] = billing
    table["benefit_month"] = benefit_month
    return table[columns]


def day_class_history(invoices: pd.DataFrame, period: Period, months: int = 12) -> pd.DataFrame:
    """The benefit share per billing month over the last ``months`` months up to ``period`` (from the first
    invoice on), split into the day classes' regular amounts and the catch-up: ``month``, ``component`` (a day
    class or ``catch_up``), ``label``, ``eur``."""
    components = [*DAY_CLASSES, CATCH_UP]
    if invoices.empty or "period" not in invoices.columns:
        return pd.DataFrame(columns=["month", "component", "label", "eur"])
    first = max(Period.parse(min(invoices["period"].astype(str))), period.shift(1 - months))
    wanted = [str(Period.from_index(i)) for i in range(first.index, period.index + 1)]
    catch_up = invoices["catch_up"].astype(bool)
    component = invoices["day_class"].astype(str).where(~catch_up, CATCH_UP)
    sums = invoices["municipal_share_eur"].astype("float64").groupby([invoices["period"].astype(str), component]).sum()
    index = pd.MultiIndex.from_product([wanted, components])
    return pd.DataFrame(
        {
            "month": index.get_level_values(0).astype(str),
            "component": index.get_level_values(1).astype(str),
            "label": [DAY_CLASS_LABELS[c] for c in index.get_level_values(1)],
            "eur": sums.reindex(index, fill_value=0.0).to_numpy(dtype="float64"),
        }
    )


@dataclass(frozen=True)
class WhatIfResult:
    """The euro effect on the benefit share of ``people`` recipients leaving day class ``from_class`` (for
    ``to_class``, or off benefits when it is ``None``). Positive euros are savings."""

    people: int
    from_class: str
    to_class: str | None
    share_from: float  # municipal share step of the class left
    share_to: float  # step of the class entered (0 off benefits)
    mean_benefit_eur: float  # monthly benefit per recipient in from_class on the latest regular invoice
    basis_months: tuple[str, ...]  # the billing month the mean is from (the day-class table's invoice)
    recipients_in_class: float  # recipients in from_class on the latest invoice
    per_month_eur: float
    months_this_year: int  # invoices of this year that would carry the change
    rest_of_year_eur: float
    full_year_eur: float


def what_if(invoices: pd.DataFrame, params: Params, period: Period) -> WhatIfResult:
    """What ``params.what_if`` would save: from the next benefit month on, each person saves their mean
    monthly benefit x (step of the class left − step of the class entered).

    The mean benefit is the class's benefit per recipient on the latest regular invoice, taken from
    :func:`day_class_table`: the page shows the what-if under that table, so both show one number. The steps come
    from the rule in force for the next benefit month. "This year" counts the invoices still billed in
    ``period``'s year that would carry the change (Kela bills a month in arrears).
    """
    scenario = params.what_if
    rule = params.benefit_rule(period.shift(1))
    share_from = rule.share_for_days(DAY_CLASSES[scenario.from_class])
    share_to = 0.0 if scenario.to_class is None else rule.share_for_days(DAY_CLASSES[scenario.to_class])
    table = day_class_table(invoices, params, period)
    row = table[table["day_class"] == scenario.from_class]
    basis = [str(table["billing_month"].iloc[0])] if len(table) else []
    mean = float(row["mean_benefit_eur"].iloc[0]) if len(row) else math.nan
    latest = float(row["recipients"].iloc[0]) if len(row) else math.nan
    per_month = scenario.people * mean * (share_from - share_to)
    first_billing = max(period.shift(1 + BILLING_LAG_MONTHS), kela_invoice.DATASET.first_period)
    months_left = max(0, 12 - first_billing.month + 1) if first_billing.year == period.year else 0
    return WhatIfResult(
        people=scenario.people,
        from_class=scenario.from_class,
        to_class=scenario.to_class,
        share_from=share_from,
        share_to=share_to,
        mean_benefit_eur=mean,
        basis_months=tuple(basis),
        recipients_in_class=latest,
        per_month_eur=per_month,
        months_this_year=months_left,
        rest_of_year_eur=per_month * months_left,
        full_year_eur=per_month * 12,
    )


# ---- the whole analysis of a month ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetAnalysis:
    """Everything the budget page shows for one month."""

    period: Period
    params: Params
    monthly: pd.DataFrame  # budget_table
    forecasts: list[LineForecast]
    paths: pd.DataFrame  # forecast_paths
    day_classes: pd.DataFrame  # day_class_table
    day_class_history: pd.DataFrame
    what_if: WhatIfResult

    def lines_monthly(self) -> pd.DataFrame:
        """The monthly table without the total rows: one row per budget line and month."""
        return self.monthly[self.monthly["kind"] != TOTAL].reset_index(drop=True)

    @property
    def year_months(self) -> list[str]:
        """The twelve months of the report's year (``YYYY-MM``), the x axis of the year charts."""
        return [str(Period(self.period.year, m)) for m in range(1, 13)]

    def forecast(self, line: str) -> LineForecast:
        """The forecast of one line or total."""
        return next(f for f in self.forecasts if f.line == line)

    def month_row(self, line: str) -> pd.Series:
        """The report month's row of ``line`` in the monthly table."""
        table = self.monthly
        return table[(table["line"] == line) & (table["month"] == str(self.period))].iloc[0]


def analyse(ledger_table: pd.DataFrame, invoices: pd.DataFrame, params: Params, period: Period) -> BudgetAnalysis:
    """All budget numbers for ``period`` from the canonical tables (rows after ``period`` are ignored)."""
    ledger_table = _up_to(ledger_table, period)
    invoices = _up_to(invoices, period)
    actuals = monthly_actuals(ledger_table, invoices)
    items = forecasts(actuals, params, period)
    return BudgetAnalysis(
        period=period,
        params=params,
        monthly=budget_table(actuals, params, period),
        forecasts=items,
        paths=forecast_paths(actuals, params, period, items),
        day_classes=day_class_table(invoices, params, period),
        day_class_history=day_class_history(invoices, period),
        what_if=what_if(invoices, params, period),
    )


def _up_to(table: pd.DataFrame, period: Period) -> pd.DataFrame:
    if table.empty or "period" not in table.columns:
        return table
    return table[table["period"].astype(str) <= str(period)]


def analyse_period(ctx: Context) -> BudgetAnalysis:
    """Load the canonical tables of the workspace and analyse ``ctx.period``."""
    from serviceplan.metrics import load

    return analyse(
        load("ledger", ctx.period, ctx.workspace),
        load("kela_invoice", ctx.period, ctx.workspace),
        ctx.params,
        ctx.period,
    )


# ---- KPIs --------------------------------------------------------------------------------------------------


def kpi_rows(ctx: Context, analysis: BudgetAnalysis) -> pd.DataFrame:
    """The budget KPIs of an analysed month (see :func:`kpis`)."""
    rows = []
    for line, kpi, label in (
        (OPERATING_TOTAL, "operating_ytd_eur", "Toimintakulut vuoden alusta"),
        (BENEFIT_LINE, "benefit_share_ytd_eur", "Työttömyysetuuksien kuntaosuus vuoden alusta"),
    ):
        row = analysis.month_row(line)
        status = "none" if row["cum_budget_eur"] == 0 else None  # nothing budgeted yet (no invoice in January)
        rows.append(
            kpi_row(ctx, AREA, kpi, label, row["cum_actual_eur"], "eur", row["cum_budget_eur"], "lower_better", status)
        )
    benefit = analysis.forecast(BENEFIT_LINE)
    rows.append(
        kpi_row(ctx, AREA, "benefit_share_catch_up_ytd_eur", "Kuntaosuuden jälkilaskutus vuoden alusta",
                benefit.catch_up_eur, "eur")
    )  # fmt: skip
    for line, kpi, label in (
        (OPERATING_TOTAL, "forecast_operating_eur", "Toimintakulujen ennuste vuodelle"),
        (BENEFIT_LINE, "forecast_benefit_share_eur", "Kuntaosuuden ennuste vuodelle"),
        (GRAND_TOTAL, "forecast_total_eur", "Kokonaiskulujen ennuste vuodelle"),
    ):
        item = analysis.forecast(line)
        status = "none" if item.method == "budget" else None
        rows.append(
            kpi_row(ctx, AREA, kpi, label, item.point_eur, "eur", item.annual_budget_eur, "lower_better", status)
        )
    total = analysis.forecast(GRAND_TOTAL)
    rows.append(kpi_row(ctx, AREA, "forecast_total_low_eur", "Kokonaiskulujen ennuste: alaraja", total.low_eur, "eur"))
    rows.append(
        kpi_row(ctx, AREA, "forecast_total_high_eur", "Kokonaiskulujen ennuste: yläraja", total.high_eur, "eur")
    )
    for line in budgeted_operating(budget_lines(ctx.params)):
        item = analysis.forecast(line.id)
        status = "none" if item.method == "budget" else None
        rows.append(
            kpi_row(ctx, AREA, f"forecast_{line.id}_eur", f"Ennuste vuodelle: {line.label}", item.point_eur, "eur",
                    item.annual_budget_eur, "lower_better", status)
        )  # fmt: skip
    recipients = analysis.day_classes
    count = float(recipients["recipients"].iloc[-1]) if len(recipients) else None
    rows.append(kpi_row(ctx, AREA, "benefit_share_recipients", "Kuntaosuuden piirissä olevat saajat", count, "count"))
    return frame(rows)


def kpis(ctx: Context) -> pd.DataFrame:
    """The budget area's KPI table for ``ctx.period``: costs year to date against the budget to date, the
    catch-up billed this year, year-end forecasts (with the total's interval) against the annual budgets, and
    the number of recipients in the benefit share's scope."""
    return kpi_rows(ctx, analyse_period(ctx))


def kpis_with_changes(ctx: Context, analysis: BudgetAnalysis) -> pd.DataFrame:
    """:func:`kpis` beside the same KPIs a month and a year earlier (:func:`serviceplan.metrics.with_changes`),
    reusing the page's analysis of the report month instead of analysing it again."""
    return with_changes(kpis, ctx, first_period=ledger.DATASET.first_period, current=kpi_rows(ctx, analysis))
