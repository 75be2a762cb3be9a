"""Knowledge management: plan actions, risk register and data freshness, with a hand-built plan and hand-checked
numbers; the KPIs on the demo data; the charts; and the page under Papermill."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from serviceplan.core.params import RiskBands, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.plan import Action, Assessment, DeadlineRules, Plan, PlanInfo, Risk
from serviceplan.inputs.sources import statfin
from serviceplan.inputs.sources.base import Dataset
from serviceplan.metrics import knowledge, knowledge_text
from serviceplan.metrics.kpis import KPI_COLUMNS, Context
from serviceplan.present import knowledge_charts

REPO = Path(__file__).resolve().parents[1]
P = Period.parse
BANDS = RiskBands(medium=8, high=15)
PARAMS = load_params(2025, REPO / "params")
KNOWLEDGE = PARAMS.areas.knowledge.model_copy(update={"risk_bands": BANDS, "upcoming_months": 2})


def action(action_id: str, deadline: date | None, title: str = "Toimenpide testiä varten") -> Action:
    text = None if deadline is None else f"{deadline.day}.{deadline.month}.{deadline.year}"
    area = int(action_id[1])
    return Action(
        id=action_id,
        area=area,
        section="testi",
        title=title,
        deadline_text=text,
        deadline_basis=text,
        deadline=deadline,
    )


def risk(risk_id: str, likelihood: int, impact: int) -> Risk:
    return Risk(
        id=risk_id, title="Riski testiä varten", areas=[1], likelihood=likelihood, impact=impact, rationale="testi"
    )


# A1 due 31.3. and done 20.3.; A2 due 30.4. and never done; A3 due 31.5.; A4 continuing (no deadline).
PLAN = Plan(
    info=PlanInfo(title="Testisuunnitelma", date=date(2025, 1, 10), source="testi", tracking_from=date(2025, 1, 1)),
    deadline_rules=DeadlineRules(spring="05-31", autumn="11-30", year="12-31"),
    actions=(
        action("T1.1", date(2025, 3, 31)),
        action("T2.1", date(2025, 4, 30)),
        action("T3.1", date(2025, 5, 31)),
        action("T4.1", None),
    ),
    assessment=Assessment(kind="testiarvio", by="testaaja", basis="testi"),
    risks=(risk("R1", 4, 4), risk("R2", 2, 4), risk("R10", 2, 4), risk("R3", 1, 2)),
)


def updates(rows: list[tuple[str, str, str, str | None, str]]) -> pd.DataFrame:
    """A canonical plan_actions table from (period, action, status, completed_on, note)."""
    frame = pd.DataFrame(rows, columns=["period", "action_id", "status", "completed_on", "note"])
    frame["completed_on"] = pd.to_datetime(frame["completed_on"])
    return frame.astype({"period": "string", "action_id": "string", "status": "string", "note": "string"})


UPDATES = updates(
    [
        ("2025-03", "T1.1", "done", "2025-03-20", ""),
        ("2025-03", "T2.1", "in_progress", None, ""),
        ("2025-03", "T3.1", "not_started", None, ""),
        ("2025-03", "T4.1", "in_progress", None, ""),
        ("2025-05", "T1.1", "done", "2025-03-20", ""),
        ("2025-05", "T2.1", "in_progress", None, "Odottaa päätöstä."),
        ("2025-05", "T3.1", "in_progress", None, ""),
        ("2025-05", "T4.1", "in_progress", None, ""),
    ]
)
DATASET = Dataset("a", "Aineisto A", "Toimittaja", "a_{period}", {"csv": lambda p, m: pd.DataFrame()}, P("2025-01"))


def analyse(period: str, delivered: list[str] | None = None) -> knowledge.KnowledgeAnalysis:
    months = [P(m) for m in (delivered if delivered is not None else ["2025-01", "2025-02", "2025-03"])]
    return knowledge.analyse(P(period), KNOWLEDGE, PLAN, UPDATES, {"a": DATASET}, {"a": months})


def context(period: str) -> Context:
    return Context(period=P(period), params=PARAMS, workspace=Workspace(Path("/nonexistent")))


# ---- risks ---------------------------------------------------------------------------------------------------


def test_risk_bands_at_their_edges():
    assert [knowledge.risk_band(s, BANDS) for s in (1, 7, 8, 14, 15, 25)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]
    bands = knowledge.score_bands(BANDS)
    assert bands[12] == "medium" and bands[16] == "high" and bands[6] == "low" and len(bands) == 14  # distinct products
    assert knowledge.band_ranges(BANDS) == {"low": "1–7", "medium": "8–14", "high": "15–25"}


def test_risk_register_and_cells():
    risks = knowledge.risk_register(PLAN, BANDS)
    # scores: R1 4x4 = 16 high, R2 and R10 2x4 = 8 medium, R3 1x2 = 2 low; highest first, ties in the plan's order
    assert risks["risk_id"].tolist() == ["R1", "R2", "R10", "R3"]
    assert risks["band"].tolist() == ["high", "medium", "medium", "low"]
    cells = knowledge.risk_cells(risks).set_index(["likelihood", "impact"])
    assert cells.loc[(2, 4), "risks"] == ["R2", "R10"]  # numeric order, not text order
    assert cells.loc[(4, 4), "score"] == 16 and len(cells) == 3


# ---- actions -------------------------------------------------------------------------------------------------


def test_action_counts_due_and_share_in_may():
    analysis = analyse("2025-05")
    counts = analysis.action_counts()
    # as of 31.5.: T1.1 done; T2.1 past 30.4. and not done -> late; T3.1 due on the period's last day -> on track;
    # T4.1 continuing -> on track. Due (deadline before 31.5.): T1.1 and T2.1 = 2, of which done 1 -> share 1/2
    assert counts == {"done": 1, "on_track": 2, "late": 1, "total": 4, "due": 2, "done_due": 1}
    assert analysis.due_done_share() == pytest.approx(0.5)
    assert analysis.late_actions()["action_id"].tolist() == ["T2.1"]
    assert int(analysis.late_actions()["days_past_deadline"].iloc[0]) == 31  # 30.4. -> 31.5.


def test_nothing_due_gives_no_share_and_upcoming_deadlines():
    analysis = analyse("2025-02")
    assert analysis.action_counts()["due"] == 0 and analysis.due_done_share() is None
    # upcoming_months = 2: deadlines after 28.2. and on or before 30.4.: T1.1 (31.3.) and T2.1 (30.4.)
    assert analysis.upcoming()["action_id"].tolist() == ["T1.1", "T2.1"]


def test_completed_this_month_compares_with_the_month_before():
    assert analyse("2025-03").completed_this_month()["action_id"].tolist() == ["T1.1"]
    assert analyse("2025-04").completed_this_month().empty  # already done in March


def test_timeline_order_by_deadline_continuing_last():
    analysis = analyse("2025-05")
    assert analysis.status["action_id"].tolist() == ["T1.1", "T2.1", "T3.1", "T4.1"]
    rows = knowledge_text.timeline_rows(analysis)
    assert rows["state_text"].tolist() == [
        "✔ valmis 20.3.2025",
        "✖ myöhässä 31 pv",
        "► aikataulussa",
        "► jatkuva, käynnissä",
    ]


# ---- KPIs ----------------------------------------------------------------------------------------------------


def kpi_values(analysis: knowledge.KnowledgeAnalysis, period: str) -> pd.DataFrame:
    table = knowledge.kpi_rows(context(period), analysis)
    assert list(table.columns) == list(KPI_COLUMNS)
    assert (table["area"] == "knowledge").all() and (table["period"] == period).all()
    return table.set_index("kpi")


def test_kpis_in_may_with_targets_from_params():
    table = kpi_values(analyse("2025-05", ["2025-01", "2025-02", "2025-04"]), "2025-05")
    assert table.loc["plan_actions_late", "value"] == 1 and table.loc["plan_actions_late", "target"] == 0
    assert table.loc["plan_actions_late", "status"] == "alert"  # 1 late against a target of 0
    assert table.loc["plan_actions_due_done_share", "value"] == pytest.approx(0.5)
    assert table.loc["plan_actions_due_done_share", "status"] == "alert"  # 0.5 is far below 1.0
    assert table.loc["plan_actions_done", "value"] == 1
    assert table.loc["plan_actions_on_track", "value"] == 2
    assert table.loc["plan_actions_total", "value"] == 4
    assert table.loc["risks_high", "value"] == 1  # R1 only
    # dataset a: Jan, Feb, Apr delivered for May: newest April (lag 1 > 0) -> late; March and May missing
    assert table.loc["datasets_current_share", "value"] == 0.0
    assert table.loc["datasets_current_share", "status"] == "alert"
    assert table.loc["deliveries_missing", "value"] == 2 and table.loc["deliveries_missing", "status"] == "alert"


def test_kpis_on_target_in_march():
    table = kpi_values(analyse("2025-03"), "2025-03")
    # 31.3.: T1.1 done 20.3. (due 31.3. is the last day: not yet due); nothing late; every month delivered
    assert table.loc["plan_actions_late", "value"] == 0 and table.loc["plan_actions_late", "status"] == "ok"
    assert math.isnan(table.loc["plan_actions_due_done_share", "value"])  # nothing due yet
    assert table.loc["plan_actions_due_done_share", "status"] == "none"
    assert table.loc["datasets_current_share", "value"] == 1.0 and table.loc["datasets_current_share", "status"] == "ok"
    assert table.loc["deliveries_missing", "value"] == 0


def test_kpis_before_the_plan_are_missing():
    analysis = analyse("2024-12", [])
    assert not analysis.plan_started  # the plan is dated 10.1.2025
    table = kpi_values(analysis, "2024-12")
    for kpi in ("plan_actions_late", "plan_actions_due_done_share", "plan_actions_done", "plan_actions_total"):
        assert math.isnan(table.loc[kpi, "value"])
    assert table.loc["risks_high", "value"] == 1  # the register is known regardless


def test_kpis_on_the_demo_data(demo_workspace):
    ctx = Context(P("2025-06"), load_params(2025, demo_workspace.params_dir), demo_workspace)
    table = knowledge.kpis(ctx).set_index("kpi")
    # The demo's plan (plan/actions.yaml, 19 actions) has one designed exception late at the end of June 2025:
    # T5.3 (due 31.5.2025, finished only 20.8.2025; demo/plan_status_files.py).
    assert table.loc["plan_actions_late", "value"] == 1
    assert table.loc["plan_actions_total", "value"] == 19
    status = knowledge.analyse_period(ctx)
    assert status.late_actions()["action_id"].tolist() == ["T5.3"]
    assert table.loc["plan_actions_due_done_share", "value"] == pytest.approx(
        status.action_counts()["done_due"] / status.action_counts()["due"]
    )
    assert table.loc["datasets_current_share", "value"] == 1.0  # the demo delivers every dataset every month
    assert table.loc["deliveries_missing", "value"] == 0
    assert table.loc["risks_high", "value"] == 2  # plan/risks.yaml: R1 (4x4) and R8 (4x5) score 15 or more
    assert len(status.statfin) == len(statfin.TABLES) and (status.statfin["newest_month"] == "2025-06").all()


# ---- texts and charts ------------------------------------------------------------------------------------------


def test_texts_name_the_late_action_and_the_gaps():
    analysis = analyse("2025-05", ["2025-01", "2025-02", "2025-04"])
    text = " ".join(knowledge_text.describe(analysis))
    assert "4 toimenpiteestä 1 on valmiina, 2 etenee aikataulussa ja 1 on myöhässä" in text
    assert "Myöhässä: T2.1" in text and "Odottaa päätöstä" in text
    assert "Puuttuvia kuukausitoimituksia on 2 (Aineisto A: maalis 2025, touko 2025)" in text
    titles = knowledge_text.figure_texts(analysis)
    assert titles["timeline"]["title"] == "1 toimenpide on myöhässä toukokuun 2025 lopussa: T2.1"
    assert titles["deliveries"]["title"] == "2 kuukausitoimitusta puuttuu"
    assert titles["risks"]["title"] == "4 riskistä 1 on arvioitu korkeiksi: R1"
    assert all(len(t["alt"]) > 80 for t in titles.values())
    shown = knowledge_text.freshness_display(analysis)
    assert shown.loc[0, "Tila"] == "▲\u00a0myöhässä"
    assert shown.loc[0, "Puuttuvat kuukaudet"] == "2 (maalis 2025, touko 2025)"


def test_noun_and_shorten():
    assert knowledge_text.noun(1, "toimenpide", "toimenpidettä") == "1 toimenpide"
    assert knowledge_text.noun(3, "toimenpide", "toimenpidettä") == "3 toimenpidettä"
    assert knowledge_text.shorten("yksi kaksi kolme neljä", 12) == "yksi kaksi…"
    assert knowledge_text.shorten("lyhyt", 12) == "lyhyt"


def test_charts_draw_every_row():
    analysis = analyse("2025-05")
    figure = knowledge_charts.action_timeline(
        knowledge_text.timeline_rows(analysis), as_of=date(2025, 5, 31), as_of_label="tilanne", title="Otsikko"
    )
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[-1].startswith("T1.1") and len(labels) == 4  # first action on top
    plt.close(figure)
    figure = knowledge_charts.risk_matrix(
        knowledge.risk_cells(analysis.risks),
        band_labels=knowledge.BAND_LABELS,
        band_ranges=knowledge.band_ranges(BANDS),
        band_of=knowledge.score_bands(BANDS),
        title="Otsikko",
    )
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "R2 R10" in texts and "R1" in texts
    plt.close(figure)
    figure = knowledge_charts.delivery_grid(
        analysis.grid, rows=["a"], row_labels={"a": "Aineisto A"}, months=analysis.grid_months, title="Otsikko"
    )
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == ["Aineisto A"]
    plt.close(figure)


# ---- the page ------------------------------------------------------------------------------------------------

NOTEBOOK = REPO / "notebooks" / "08_knowledge_management.ipynb"


def test_notebook_matches_source_and_runs_cleanly(run_page):
    page = run_page(NOTEBOOK.name, "2025-06")
    assert [Path(p).stem for _, p in page.images] == [
        "knowledge-actions-timeline",
        "knowledge-risk-matrix",
        "knowledge-deliveries",
    ]
    assert all(len(alt) > 80 and (page.folder / p).is_file() for alt, p in page.images)
    assert "| Tunnusluku |" in page.markdown and "T5.3" in page.markdown
