"""Knowledge management: policy area 9 of the plan ("Jatkokehittämistoimet, talous ja tiedolla johtaminen") and
its transition risks ("Muutosvaiheen riskit"); the report's page 8.

Three things are followed here, each from data, never typed in:

* the plan's concrete actions with their deadlines and their state as of the period (done / on track / late),
  computed by :mod:`serviceplan.metrics.plan_status` from ``plan/actions.yaml`` and the monthly status updates;
* the risk register (``plan/risks.yaml``): each risk's likelihood x impact score and its band (low / medium /
  high from ``params.areas.knowledge.risk_bands``), laid out as a 5 x 5 grid;
* data freshness and completeness of every input dataset (:mod:`serviceplan.metrics.freshness`).

Actions due
-----------
An action is *due* when its deadline is before the period's last day (the same rule that makes an unfinished
action late in :mod:`~serviceplan.metrics.plan_status`), so every due action is either done or late, and
``due = done_due + late``. The KPI "share of due actions done" is ``done_due / due``; continuing actions (no
deadline) are never due.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from serviceplan.core.params import KnowledgeParams, RiskBands
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.plan import Plan, load_plan
from serviceplan.inputs.sources.base import Dataset
from serviceplan.metrics import freshness, plan_status, with_changes
from serviceplan.metrics.kpis import Context, frame, kpi_row

AREA = "knowledge"
BANDS: tuple[str, ...] = ("low", "medium", "high")
BAND_LABELS: dict[str, str] = {"low": "matala", "medium": "kohtalainen", "high": "korkea"}
SCALE: tuple[int, ...] = (1, 2, 3, 4, 5)  # likelihood and impact are rated 1..5 (plan/risks.yaml)


def risk_band(score: int, bands: RiskBands) -> str:
    """The band of a likelihood x impact score: ``high`` from ``bands.high``, ``medium`` from ``bands.medium``,
    else ``low``."""
    if score >= bands.high:
        return "high"
    if score >= bands.medium:
        return "medium"
    return "low"


def score_bands(bands: RiskBands) -> dict[int, str]:
    """The band of every score the 5 x 5 grid can hold (products of two ratings 1..5)."""
    return {a * b: risk_band(a * b, bands) for a in SCALE for b in SCALE}


def band_ranges(bands: RiskBands) -> dict[str, str]:
    """Each band's score range as text: ``{"low": "1–7", "medium": "8–14", "high": "15–25"}``."""
    top = SCALE[-1] * SCALE[-1]
    return {"low": f"1–{bands.medium - 1}", "medium": f"{bands.medium}–{bands.high - 1}", "high": f"{bands.high}–{top}"}


def risk_register(plan: Plan, bands: RiskBands) -> pd.DataFrame:
    """The plan's risks, highest score first, with their band (``band``) beside the rating."""
    risks = plan.risks_frame()
    risks["band"] = pd.array([risk_band(int(s), bands) for s in risks["score"]], dtype="string")
    return risks


def risk_cells(risks: pd.DataFrame) -> pd.DataFrame:
    """The risk grid: one row per (likelihood, impact) cell that holds risks, with their ids in the plan's order."""
    rows = []
    for (likelihood, impact), part in risks.groupby(["likelihood", "impact"], sort=True):
        ids = sorted(part["risk_id"].astype(str), key=lambda r: int(r[1:]))
        rows.append(
            {
                "likelihood": int(likelihood),
                "impact": int(impact),
                "score": int(likelihood) * int(impact),
                "risks": ids,
                "band": str(part["band"].iloc[0]),
            }
        )
    return pd.DataFrame(rows, columns=["likelihood", "impact", "score", "risks", "band"])


def due_summary(status: pd.DataFrame, period: Period) -> dict[str, int]:
    """How many actions are due by ``period`` (deadline before its last day), how many of those are done, and how
    many are late (see the module docstring: ``due == done_due + late``)."""
    as_of = pd.Timestamp(period.last_day)
    due = status["deadline"].notna() & (status["deadline"] < as_of)
    state = status["state"].astype(str)
    return {
        "due": int(due.sum()),
        "done_due": int((due & (state == "done")).sum()),
        "late": int((state == "late").sum()),
    }


def timeline_order(status: pd.DataFrame) -> pd.DataFrame:
    """The actions in timeline order: by deadline (earliest first), continuing actions (no deadline) last, ties in
    the plan's order."""
    ordered = status.assign(_plan_order=range(len(status)), _no_deadline=status["deadline"].isna())
    ordered = ordered.sort_values(["_no_deadline", "deadline", "_plan_order"], kind="stable")
    return ordered.drop(columns=["_plan_order", "_no_deadline"]).reset_index(drop=True)


@dataclass(frozen=True)
class KnowledgeAnalysis:
    """Everything the page shows for one month."""

    period: Period
    params: KnowledgeParams
    plan: Plan
    status: pd.DataFrame  # plan_status.status_as_of, in timeline order
    previous: pd.DataFrame  # the same a month earlier (what changed this month)
    risks: pd.DataFrame  # risk_register
    freshness: pd.DataFrame  # freshness.freshness_table
    grid: pd.DataFrame  # freshness.delivery_grid over grid_months
    grid_months: list[str]
    statfin: pd.DataFrame  # freshness.statfin_updates (empty when not asked for)

    @property
    def plan_started(self) -> bool:
        """Whether the plan existed by the end of the period (before it, its actions have no state)."""
        return self.period.last_day >= self.plan.info.date

    def action_counts(self) -> dict[str, int]:
        """Actions per state (``done``, ``on_track``, ``late``), ``total``, and ``due``/``done_due`` (see
        :func:`due_summary`)."""
        counts: dict[str, int] = {k: int(v) for k, v in plan_status.count_by_state(self.status).items()}
        counts["total"] = len(self.status)
        counts.update({k: v for k, v in due_summary(self.status, self.period).items() if k != "late"})
        return counts

    def due_done_share(self) -> float | None:
        """Share of the due actions that are done (``None`` when nothing is due yet)."""
        counts = self.action_counts()
        return counts["done_due"] / counts["due"] if counts["due"] else None

    def late_actions(self) -> pd.DataFrame:
        """The late actions, the longest overdue first."""
        late = self.status[self.status["state"] == "late"]
        return late.sort_values("days_past_deadline", ascending=False, kind="stable").reset_index(drop=True)

    def completed_this_month(self) -> pd.DataFrame:
        """Actions done by the end of the period that were not done a month earlier (timeline order)."""
        before = set(self.previous.loc[self.previous["state"] == "done", "action_id"].astype(str))
        done = self.status[(self.status["state"] == "done") & ~self.status["action_id"].astype(str).isin(before)]
        return done.reset_index(drop=True)

    def upcoming(self) -> pd.DataFrame:
        """Unfinished actions whose deadline falls after the period and at most ``params.upcoming_months`` months
        after its last day (deadline order)."""
        start = pd.Timestamp(self.period.last_day)
        end = pd.Timestamp(self.period.shift(self.params.upcoming_months).last_day)
        deadline = self.status["deadline"]
        soon = (self.status["state"] != "done") & (deadline > start) & (deadline <= end)
        return self.status[soon].reset_index(drop=True)

    def risk_counts(self) -> dict[str, int]:
        """Risks per band (every band listed)."""
        bands = self.risks["band"].astype(str).value_counts()
        return {band: int(bands.get(band, 0)) for band in BANDS}


def analyse(
    period: Period,
    params: KnowledgeParams,
    plan: Plan,
    updates: pd.DataFrame,
    datasets: dict[str, Dataset],
    delivered: dict[str, list[Period]],
    statfin_updates: pd.DataFrame | None = None,
) -> KnowledgeAnalysis:
    """Analyse one month from its inputs (pure: no file is read here)."""
    status = timeline_order(plan_status.status_as_of(plan, updates, period))
    previous = timeline_order(plan_status.status_as_of(plan, updates, period.shift(-1)))
    first = min(d.first_period for d in datasets.values())
    start = max(min(first, period), period.shift(1 - params.delivery_months_shown))
    months = month_range(start, period)
    return KnowledgeAnalysis(
        period=period,
        params=params,
        plan=plan,
        status=status,
        previous=previous,
        risks=risk_register(plan, params.risk_bands),
        freshness=freshness.freshness_table(datasets, delivered, period, params.max_delivery_lag_months),
        grid=freshness.delivery_grid(datasets, delivered, months),
        grid_months=[str(m) for m in months],
        statfin=statfin_updates if statfin_updates is not None else freshness.statfin_updates(pd.DataFrame(), ""),
    )


def analyse_period(ctx: Context, with_statfin: bool = True) -> KnowledgeAnalysis:
    """Load what the page needs for ``ctx.period`` and analyse it (``with_statfin``: also the statistics' update
    stamps, which the KPIs do not need)."""
    from serviceplan.inputs.sources import DATASETS, statfin
    from serviceplan.metrics import load

    plan = load_plan(ctx.workspace.plan_dir)
    updates = load("plan_actions", ctx.period, ctx.workspace)
    datasets = dict(DATASETS)
    delivered = freshness.delivered_months(ctx.workspace, datasets, ctx.period)
    stamps = None
    if with_statfin and delivered.get(statfin.DATASET.name):
        titles = {table: spec.title for table, spec in statfin.TABLES.items()}
        stamps = freshness.statfin_updates(
            load(statfin.DATASET.name, ctx.period, ctx.workspace), ctx.params.regions.municipality, titles
        )
    return analyse(ctx.period, ctx.params.areas.knowledge, plan, updates, datasets, delivered, stamps)


def _nan_unless(condition: bool, value: Any) -> Any:
    return value if condition else None


def kpi_rows(ctx: Context, analysis: KnowledgeAnalysis) -> pd.DataFrame:
    """The knowledge-management KPIs of an analysed month (see :func:`kpis`)."""
    params = analysis.params
    started = analysis.plan_started
    actions = analysis.action_counts()
    fresh = freshness.counts(analysis.freshness)
    rows = [
        kpi_row(
            ctx,
            AREA,
            "plan_actions_late",
            "Määräajasta myöhässä olevat toimenpiteet",
            _nan_unless(started, actions["late"]),
            "count",
            params.max_late_actions,
            "lower_better",
        ),
        kpi_row(
            ctx,
            AREA,
            "plan_actions_due_done_share",
            "Määräajan ohittaneista toimenpiteistä valmiina",
            _nan_unless(started, analysis.due_done_share()),
            "share",
            params.due_done_share_target,
            "higher_better",
        ),
        kpi_row(
            ctx,
            AREA,
            "plan_actions_done",
            "Valmiit toimenpiteet",
            _nan_unless(started, actions["done"]),
            "count",
            None,
            "higher_better",
        ),
        kpi_row(
            ctx,
            AREA,
            "plan_actions_on_track",
            "Aikataulussa etenevät toimenpiteet",
            _nan_unless(started, actions["on_track"]),
            "count",
        ),
        kpi_row(
            ctx,
            AREA,
            "plan_actions_total",
            "Toimenpiteitä suunnitelmassa",
            _nan_unless(started, actions["total"]),
            "count",
        ),
        kpi_row(ctx, AREA, "risks_high", "Korkeiksi arvioidut riskit", analysis.risk_counts()["high"], "count"),
        kpi_row(
            ctx,
            AREA,
            "datasets_current_share",
            "Ajan tasalla olevat aineistot",
            freshness.current_share(analysis.freshness),
            "share",
            params.current_share_target,
            "higher_better",
        ),
        kpi_row(
            ctx,
            AREA,
            "deliveries_missing",
            "Puuttuvat kuukausitoimitukset",
            fresh["months_missing"],
            "count",
            params.max_missing_deliveries,
            "lower_better",
        ),
    ]
    return frame(rows)


def kpis(ctx: Context) -> pd.DataFrame:
    """The knowledge-management KPI table for ``ctx.period``: the plan's actions late (target from params), the
    share of due actions done, actions done / on track / in total, risks rated high, and the data's freshness
    (share of expected datasets current, monthly deliveries missing)."""
    return kpi_rows(ctx, analyse_period(ctx, with_statfin=False))


def kpis_with_changes(ctx: Context, analysis: KnowledgeAnalysis) -> pd.DataFrame:
    """:func:`kpis` beside the same KPIs a month and a year earlier (:func:`serviceplan.metrics.with_changes`),
    reusing the page's analysis of the report month instead of analysing it again
    (the page's analysis also has the statistics' update stamps, which the KPIs do not read)."""
    from serviceplan.inputs.sources import statfin

    return with_changes(kpis, ctx, first_period=statfin.DATASET.first_period, current=kpi_rows(ctx, analysis))
