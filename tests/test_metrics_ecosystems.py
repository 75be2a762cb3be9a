"""Ecosystems metrics (plan sections 5, 6.1, 6.2): hand-built tables with hand-checked numbers (the arithmetic is
written beside each check), the KPI table, the page's texts and the notebook on the demo data."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from serviceplan.core.params import EcosystemsParams, Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.plan import load_plan
from serviceplan.inputs.sources.partners import CANONICAL_DTYPES, PartnerNetwork
from serviceplan.metrics import ecosystems, ecosystems_text
from serviceplan.metrics.kpis import KPI_COLUMNS, Context

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "05_ecosystems.ipynb"
HUB = "hub"


def small_params(**settings: object) -> Params:
    """The 2025 parameters with the page's settings fixed here (so the checks do not follow the defaults)."""
    base = load_params(2025, REPO / "params")
    values: dict[str, object] = {
        "plan_areas": [5, 6],
        "network_map_action": "T6.2",
        "hub_partner_id": HUB,
        "outcome_based_modes": ["purchased"],
        "outcome_based_share_target": 0.5,
        "partnership_cost_share_target": None,
        "late_actions_target": 0,
        "history_months": 12,
    }
    values.update(settings)
    areas = base.areas.model_copy(update={"ecosystems": EcosystemsParams(**values)})
    return base.model_copy(update={"areas": areas})


def services_rows(rows: list[tuple[str, str, str, str, bool, int, int, float]]) -> pd.DataFrame:
    """A canonical services table from (month, service type, provider, mode, outcome-based, starts, stock, cost)."""
    columns = ["period", "service_type", "provider", "production_mode", "outcome_based", "starts", "stock", "cost_eur"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["ends"] = 0
    return frame.astype({"period": "string", "service_type": "string", "provider": "string"})


# March 2025: 100 people in service and 10 000 € of cost.
#   own:         A 30 people 3 000 €, B 10 people 1 000 €  -> 40 people (40 %), 4 000 € (40 %)
#   in-house:    C 20 people 2 000 €                        -> 20 people (20 %), 2 000 € (20 %)
#   purchased:   D 25 people 2 500 € outcome-based, E 15 people 1 500 € -> 40 people (40 %), 4 000 € (40 %)
#   partnership: none                                       -> 0
MARCH = [
    ("2025-03", "coaching", "A", "own", False, 10, 30, 3000.0),
    ("2025-03", "work_trial", "B", "own", False, 2, 10, 1000.0),
    ("2025-03", "labour_market_training", "C", "in_house", False, 5, 20, 2000.0),
    ("2025-03", "coaching", "D", "purchased", True, 8, 25, 2500.0),
    ("2025-03", "coaching", "E", "purchased", False, 4, 15, 1500.0),
]
# February 2025: 40 people and 2 000 € own, 10 people and 2 000 € partnership (no purchases at all).
FEBRUARY = [
    ("2025-02", "coaching", "A", "own", False, 6, 40, 2000.0),
    ("2025-02", "rehabilitative_work", "F", "partnership", False, 3, 10, 2000.0),
]
SERVICES = services_rows(FEBRUARY + MARCH)
MARCH_2025 = Period(2025, 3)


def test_mode_mix_counts_people_and_cost_per_mode_with_shares():
    mix = ecosystems.mode_mix(SERVICES, "2025-03").set_index("mode")
    assert list(mix.index) == ["own", "in_house", "purchased", "partnership", "total"]
    assert mix.at["own", "stock"] == 40 and mix.at["own", "cost_eur"] == 4000  # 30 + 10 people, 3 000 + 1 000 €
    assert mix.at["own", "providers"] == 2 and mix.at["total", "providers"] == 5  # A, B; A..E
    assert mix.at["own", "stock_share"] == pytest.approx(0.4)  # 40 / 100
    assert mix.at["in_house", "cost_share"] == pytest.approx(0.2)  # 2 000 / 10 000
    assert mix.at["purchased", "starts"] == 12  # 8 + 4
    assert mix.at["partnership", "stock"] == 0 and mix.at["partnership", "cost_share"] == 0
    assert mix.at["total", "stock"] == 100 and mix.at["total", "cost_eur"] == 10000
    # 1 - 0.4 of the cost outside own production
    assert ecosystems.external_cost_share(mix.reset_index()) == pytest.approx(0.6)
    empty = ecosystems.mode_mix(SERVICES, "2025-04")
    assert empty["stock"].sum() == 0 and empty["cost_share"].isna().all()


def test_outcome_based_share_within_the_chosen_modes():
    share = ecosystems.outcome_share(SERVICES, "2025-03", ["purchased"])
    # D 2 500 € of the purchases' 2 500 + 1 500 = 4 000 €
    assert share.base_cost_eur == 4000 and share.outcome_cost_eur == 2500 and share.providers == 1
    assert share.share == pytest.approx(0.625)
    # with in-house entities in the base: 2 500 / (4 000 + 2 000)
    assert ecosystems.outcome_share(SERVICES, "2025-03", ["purchased", "in_house"]).share == pytest.approx(2500 / 6000)
    assert math.isnan(ecosystems.outcome_share(SERVICES, "2025-02", ["purchased"]).share)  # no purchases


def test_history_window_starts_at_the_first_month_with_data():
    assert ecosystems.window(Period(2025, 3), 12, Period(2025, 2)) == ["2025-02", "2025-03"]
    assert ecosystems.window(Period(2026, 1), 3) == ["2025-11", "2025-12", "2026-01"]
    history = ecosystems.mode_history(SERVICES, Period(2025, 3), 12)
    assert len(history) == 2 * 4  # two months x four modes
    wide = ecosystems.external_share_history(history).set_index("month")
    assert wide.at["2025-02", "total"] == 4000 and wide.at["2025-02", "external_share"] == pytest.approx(0.5)  # 2/4
    assert wide.at["2025-03", "external_share"] == pytest.approx(0.6)  # 6 000 / 10 000
    outcome = ecosystems.outcome_history(SERVICES, Period(2025, 3), 12, ["purchased"]).set_index("month")
    assert math.isnan(outcome.at["2025-02", "share"]) and outcome.at["2025-03", "share"] == pytest.approx(0.625)


def test_safe_share_hides_a_share_that_reveals_a_small_count():
    assert ecosystems.safe_share(50, 100, 5) == pytest.approx(0.5)
    assert math.isnan(ecosystems.safe_share(3, 100, 5))  # 3 people
    assert math.isnan(ecosystems.safe_share(97, 100, 5))  # the other 3 people
    assert ecosystems.safe_share(0, 100, 5) == 0  # nobody: shown
    assert math.isnan(ecosystems.safe_share(0, 0, 5))


# ---- the partner network -----------------------------------------------------------------------------------


def small_network() -> PartnerNetwork:
    """The hub, a third-sector partner A, an institution B and a company C.

    Agreements: S0 the hub's own service, S1 with A (partnership, in force), S2 with B (purchase, outcome-based,
    in force), S3 with C (purchase, starts 1.1.2026), S4 with B (ended 31.3.2025). Links: hub-A service 3,
    hub-B referral 2 and funding 1 (one pair, weight 3), A-B information 2; C has no link.
    """
    partners = pd.DataFrame(
        {
            "partner_id": [HUB, "a", "b", "c"],
            "partner_name": ["Työllisyyspalvelut", "Yhdistys A", "Oppilaitos B", "Yritys C"],
            "partner_type": ["city_department", "third_sector", "education", "company"],
        }
    )
    agreements = pd.DataFrame(
        {
            "agreement_id": ["S0", "S1", "S2", "S3", "S4"],
            "partner_id": [HUB, "a", "b", "c", "b"],
            "service": ["Työnvälitys", "Paja", "Valmennus", "Koulutus", "Kartoitus"],
            "production_mode": ["own", "partnership", "purchased", "purchased", "partnership"],
            "outcome_based": [False, False, True, False, False],
            "start_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01", "2026-01-01", "2025-01-01"]),
            "end_date": pd.to_datetime([None, None, "2025-12-31", None, "2025-03-31"]),
        }
    )
    links = pd.DataFrame(
        {
            "partner_id": [HUB, HUB, HUB, "a"],
            "other_partner_id": ["a", "b", "b", "b"],
            "link_kind": ["service", "referral", "funding", "information"],
            "weight": [3, 2, 1, 2],
        }
    )
    return PartnerNetwork(period="2025-01", partners=partners, agreements=agreements, links=links)


def network_rows(network: PartnerNetwork) -> pd.DataFrame:
    """The canonical (long) partner network table of a snapshot."""
    parts = []
    for record, table in (("partner", network.partners), ("agreement", network.agreements), ("link", network.links)):
        part = table.copy()
        part["record"] = record
        part["period"] = network.period
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    return long.reindex(columns=list(CANONICAL_DTYPES)).astype(CANONICAL_DTYPES)


def test_network_summary_counts_partners_agreements_and_links():
    summary = ecosystems.summarise_network(small_network(), HUB, date(2025, 6, 30))
    assert summary.partners == 3  # A, B, C (the hub is not a partner)
    assert summary.agreements == 3 and summary.outcome_based_agreements == 1  # S0, S1, S2; S2
    assert summary.hub_agreements == 1  # S0
    assert summary.upcoming_agreements == 1  # S3 starts in 2026
    assert (summary.links, summary.hub_links, summary.partner_links) == (3, 2, 1)  # hub-A, hub-B; A-B
    assert summary.unlinked_partners == 1  # C
    by_type = summary.partners_by_type.set_index("type")
    assert by_type.loc["third_sector", ["partners", "agreements", "hub_links", "partner_link_ends"]].tolist() == [
        1,
        1,
        1,
        1,
    ]
    assert by_type.loc["company", ["partners", "agreements", "hub_links"]].tolist() == [1, 0, 0]
    assert by_type.at["state", "partners"] == 0
    by_mode = summary.agreements_by_mode.set_index("mode")
    assert by_mode.at["purchased", "agreements"] == 1 and by_mode.at["purchased", "outcome_based"] == 1
    assert by_mode.at["partnership", "agreements"] == 1  # S4 has ended
    assert by_mode.at["own", "agreements"] == 1
    by_kind = summary.links_by_kind.set_index("kind")
    assert by_kind.at["referral", "links"] == 1 and by_kind.at["service", "mean_weight"] == 3


def test_layout_puts_the_hub_in_the_middle_and_groups_partners_by_type():
    graph = small_network().graph()
    positions = ecosystems.network_layout(graph, HUB)
    assert positions[HUB] == (0.0, 0.0)
    # three partners in type order (third sector, education, company) at 90° - (i + 0.5) x 120°: 30°, -90°, -210°
    assert positions["a"] == pytest.approx((math.sqrt(3) / 2, 0.5))
    assert positions["b"] == pytest.approx((0.0, -1.0))
    assert positions["c"] == pytest.approx((-math.sqrt(3) / 2, 0.5))


def test_partner_table_lists_each_partners_links():
    table = ecosystems.partner_table(small_network(), HUB, date(2025, 6, 30)).set_index("partner_id")
    assert list(table.index) == ["a", "b", "c"]
    assert table.at["b", "hub_link"] == "asiakasohjaus, rahoitus" and table.at["b", "hub_weight"] == 3
    assert table.at["a", "partners_linked"] == "Oppilaitos B" and table.at["c", "hub_link"] == ""
    assert table.at["b", "agreements"] == 1  # S2 only: S4 has ended


# ---- milestones --------------------------------------------------------------------------------------------


def updates(rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    """A canonical plan_actions table from (month, action, status, completed on)."""
    frame = pd.DataFrame(rows, columns=["period", "action_id", "status", "completed_on"])
    frame["completed_on"] = pd.to_datetime(frame["completed_on"])
    frame["note"] = ""
    return frame.astype({"period": "string", "action_id": "string", "status": "string", "note": "string"})


def test_network_map_milestone_before_and_after_its_deadline():
    plan = load_plan(REPO / "plan")
    reported = updates([("2025-06", "T6.2", "in_progress", None), ("2025-09", "T6.2", "done", "2025-09-12")])
    june = ecosystems.milestones(plan, reported, Period(2025, 6), [5, 6])
    assert set(june["action_id"]) == {"T5.1", "T5.2", "T5.3", "T6.1", "T6.2"}
    item = ecosystems.milestone(june, "T6.2", Period(2025, 6))
    assert item.state == "on_track" and item.days_to_deadline == 92  # 30.6. -> 30.9.2025: 0 + 31 + 31 + 30
    late = june.set_index("action_id").loc["T5.3"]  # due 31.5.2025 and not reported done
    assert late["state"] == "late" and late["days_past_deadline"] == 30  # 31.5. -> 30.6.
    october = ecosystems.milestones(plan, reported, Period(2025, 10), [5, 6])
    done = ecosystems.milestone(october, "T6.2", Period(2025, 10))
    assert done.state == "done" and done.completed_on == date(2025, 9, 12) and not done.completed_late
    assert "valmistui 12.9.2025" in ecosystems_text.milestone_sentence(done)
    assert "määräaikaan on 92 päivää" in ecosystems_text.milestone_sentence(item)
    assert ecosystems.milestone(june, "T9.9", Period(2025, 6)) is None


def test_areas_phrase():
    assert ecosystems.areas_phrase([6, 5]) == "luvut 5–6"
    assert ecosystems.areas_phrase([5]) == "luku 5"
    assert ecosystems.areas_phrase([5, 6, 8]) == "luvut 5, 6 ja 8"


# ---- the whole month and its KPIs ----------------------------------------------------------------------------


def analysed(period: Period = MARCH_2025, services: pd.DataFrame = SERVICES, **settings: object):
    params = small_params(**settings)
    plan = load_plan(REPO / "plan")
    reported = updates([("2025-03", "T6.2", "in_progress", None)])
    return params, ecosystems.analyse(services, network_rows(small_network()), plan, reported, params, period)


def test_every_kpi_from_hand_built_tables(tmp_path: Path):
    params, analysis = analysed()
    ctx = Context(period=Period(2025, 3), params=params, workspace=Workspace(tmp_path))
    table = ecosystems.kpi_rows(ctx, analysis)
    assert list(table.columns) == list(KPI_COLUMNS)
    kpis = table.set_index("kpi")
    assert kpis.index.is_unique and set(kpis["area"]) == {"ecosystems"}
    expected = {
        "eco_outcome_based_share": (0.625, "ok"),  # 2 500 / 4 000 against at least 0.5
        "eco_partnership_cost_share": (0.0, "none"),  # no partnership in March; no target
        "eco_partnership_stock_share": (0.0, "none"),
        "eco_partners": (3, "none"),
        "eco_agreements": (4, "none"),  # on 31.3.2025: S0, S1, S2 and S4 (ends that day); S3 not yet
        "eco_outcome_based_agreements": (1, "none"),
        "eco_partner_links": (1, "none"),
        "eco_actions_done": (0, "none"),
        "eco_actions_late": (0, "ok"),  # nothing of areas 5-6 was due by 31.3.2025
    }
    for kpi, (value, status) in expected.items():
        assert kpis.at[kpi, "value"] == pytest.approx(value), kpi
        assert kpis.at[kpi, "status"] == status, kpi
    assert set(expected) == set(kpis.index)


def test_kpi_statuses_against_targets_and_a_hidden_share(tmp_path: Path):
    # February: no purchases (share unknown), 10 of 50 people and 2 000 of 4 000 € in partnership
    params, analysis = analysed(Period(2025, 2), partnership_cost_share_target=0.6)
    ctx = Context(period=Period(2025, 2), params=params, workspace=Workspace(tmp_path))
    kpis = ecosystems.kpi_rows(ctx, analysis).set_index("kpi")
    assert math.isnan(kpis.at["eco_outcome_based_share", "value"])
    assert kpis.at["eco_outcome_based_share", "status"] == "none"
    assert kpis.at["eco_partnership_cost_share", "value"] == pytest.approx(0.5)  # 2 000 / 4 000
    assert kpis.at["eco_partnership_cost_share", "status"] == "alert"  # 0.1 below 0.6 is more than 5 % of it
    assert kpis.at["eco_partnership_stock_share", "value"] == pytest.approx(0.2)  # 10 / 50
    small = services_rows([("2025-02", "coaching", "A", "own", False, 6, 40, 2000.0),
                           ("2025-02", "coaching", "F", "partnership", False, 1, 3, 500.0)])  # fmt: skip
    params, analysis = analysed(Period(2025, 2), services=small)
    kpis = ecosystems.kpi_rows(ctx, analysis).set_index("kpi")
    assert math.isnan(kpis.at["eco_partnership_stock_share", "value"])  # 3 people: not published
    # December 2025 without any update: T5.1 (31.12.) is on track, the four others are late
    params, analysis = analysed(Period(2025, 12))
    kpis = ecosystems.kpi_rows(Context(Period(2025, 12), params, Workspace(tmp_path)), analysis).set_index("kpi")
    assert kpis.at["eco_actions_late", "value"] == 4 and kpis.at["eco_actions_late", "status"] == "alert"


def test_mix_display_suppresses_small_counts_and_their_shares():
    small = services_rows(
        [
            ("2025-03", "coaching", "A", "own", False, 10, 60, 6000.0),
            ("2025-03", "coaching", "C", "in_house", False, 2, 30, 3000.0),
            ("2025-03", "coaching", "D", "purchased", False, 5, 7, 700.0),
            ("2025-03", "coaching", "F", "partnership", False, 1, 3, 300.0),
        ]
    )
    _, analysis = analysed(services=small)
    shown = ecosystems_text.mix_display(analysis).set_index("mode")
    # stock: partnership 3 is hidden, and with it the next smallest, purchased 7 (else 100 - 60 - 30 - 7 = 3)
    assert shown.at["partnership", "stock"] == ".." and shown.at["purchased", "stock"] == ".."
    assert shown.at["partnership", "stock_share"] == ".." and shown.at["own", "stock"] == 60
    # starts: in-house 2 and partnership 1 are both small, so each hides the other; 18 in all
    assert shown.at["in_house", "starts"] == ".." and shown.at["partnership", "starts"] == ".."
    assert shown.at["total", "starts"] == 18
    # costs are not about people: shown
    assert shown.at["partnership", "cost_eur"] == 300
    chart = ecosystems_text.mix_chart_data(analysis)
    assert chart.loc[chart["label"] == "Kumppanuus", "stock_share"].iloc[0] == ".."  # never drawn at its value
    sentences = " ".join(ecosystems_text.describe(analysis))
    assert "kumppanuusmallin .." in sentences and "3 %" not in sentences


def test_page_texts_state_the_numbers():
    _, analysis = analysed()
    sentences = ecosystems_text.describe(analysis)
    assert sentences[0] == "Maaliskuussa 2025 palveluissa oli kuukauden lopussa 100 asiakasta, ja palvelujen " \
        "kustannukset olivat 10\u202f000\u00a0euroa."  # fmt: skip
    assert any("62,5\u00a0% hankittiin tulosperusteisesti" in s and "täyttyi" in s for s in sentences)
    assert any(s.startswith("Kumppaniverkostossa on 3 kumppania") and "yksi on tulosperusteinen" in s
               for s in sentences)  # fmt: skip
    texts = ecosystems_text.figure_texts(analysis)
    assert texts["mix"]["title"].startswith("Oma tuotanto tuotti 40\u00a0% maaliskuun kustannuksista")
    assert "1 kumppanien välisiä" in texts["network"]["title"]
    assert all(len(t["alt"]) > 40 for t in texts.values())


def test_network_tables_for_showing_add_up():
    _, analysis = analysed(Period(2025, 6))
    by_type = ecosystems_text.partners_by_type_display(analysis).set_index("label")
    # partners of the types (1 + 1 + 1) and the hub's own agreement S0 make the totals
    assert by_type.at["Työllisyyspalvelut itse", "agreements"] == 1
    assert by_type.at["Yhteensä", "agreements"] == 3 == by_type["agreements"].iloc[:-1].sum()
    assert by_type.at["Yhteensä", "partners"] == 3
    by_mode = ecosystems_text.agreements_by_mode_display(analysis).set_index("label")
    assert by_mode.at["Yhteensä", "agreements"] == 3 and by_mode.at["Ostopalvelu", "outcome_based"] == 1
    listed = ecosystems_text.partners_display(analysis).set_index("name")
    assert listed.at["Yritys C", "hub_link"] == "–"  # no link: an en dash, not an empty cell


def test_page_before_any_network_or_services_data():
    params = small_params()
    empty_network = pd.DataFrame({c: pd.Series(dtype=t) for c, t in CANONICAL_DTYPES.items()})
    analysis = ecosystems.analyse(
        SERVICES.iloc[0:0], empty_network, load_plan(REPO / "plan"), updates([]), params, Period(2025, 1)
    )
    assert analysis.network is None and not analysis.has_services
    assert "ei ole vielä toimitettu" in " ".join(ecosystems_text.describe(analysis))
    assert "Kumppaniverkoston tietoja ei ole" in ecosystems_text.period_line(analysis)


# ---- the notebook ------------------------------------------------------------------------------------------


def test_notebook_runs_under_papermill_without_warnings(run_page):
    page = run_page(NOTEBOOK.name, "2025-10")
    assert [Path(p).stem for _, p in page.images] == [
        "ecosystems-mix",
        "ecosystems-cost-by-mode",
        "ecosystems-outcome-based",
        "ecosystems-network",
    ]
    for alt, path in page.images:
        assert len(alt) > 60 and (page.folder / path).is_file()
    assert "valmistui 12.9.2025" in page.markdown  # the demo reports the network map done on 12.9.2025
    assert "| Tunnusluku |" in page.markdown and "Tietosuojan vuoksi" in page.markdown
