"""Service production and ecosystems: plan sections 5 (Palvelujen tuottaminen), 6.1 and 6.2.

The plan produces services with several producers (the multi-producer model: own production, in-house entities,
purchased services and partnerships), prefers outcome-based procurement in purchased services, develops the
partnership model, and maps and manages the network of partners (the network map is due 30.9.2025, action T6.2).
This module turns three inputs into those numbers; every function is pure (tables and parameters in, tables out):

* ``services`` (canonical table): the month's people in service, starts and cost per service type and provider,
  each row with its production mode and whether it was procured on an outcome basis;
* ``partner_network``: the network snapshot in force (partners, service agreements, links between partners);
* ``plan_actions`` with ``plan/actions.yaml``: the status of the actions of the plan's areas 5 and 6.

Definitions
-----------
* *Volume* of a production mode is the number of people in its services at the end of the month (``stock``);
  starts are shown beside it. *Cost* is the month's cost in euros.
* *Outcome-based share* = cost of the outcome-based rows / cost of all rows, both over the production modes in
  ``params.areas.ecosystems.outcome_based_modes`` (the plan speaks of purchased services).
* In the network the employment services' own node (``hub_partner_id``) is the centre, not a partner: partners
  are the other organisations; a *link* is a pair of organisations with at least one kind of cooperation; a
  *partner link* joins two partners without the employment services (what the network map makes visible).
  Agreements count when in force on the period's last day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import networkx as nx
import numpy as np
import pandas as pd

from serviceplan.core.params import EcosystemsParams, Params
from serviceplan.core.periods import Period
from serviceplan.inputs.plan import Plan
from serviceplan.inputs.sources import partners, services
from serviceplan.metrics import plan_status, with_changes
from serviceplan.metrics.kpis import Context, frame, kpi_row

AREA = "ecosystems"
TOTAL = "total"
TOTAL_LABEL = "Yhteensä"

# Production modes in the order the plan lists them (own, in-house, purchased, partnership), with their labels.
MODES: tuple[str, ...] = tuple(services.PRODUCTION_MODE_CODES.values())
MODE_LABELS: dict[str, str] = {code: label for label, code in services.PRODUCTION_MODE_CODES.items()}

PARTNER_TYPES: tuple[str, ...] = tuple(partners.PARTNER_TYPES.values())
PARTNER_TYPE_LABELS: dict[str, str] = {
    code: label[0].upper() + label[1:] for label, code in partners.PARTNER_TYPES.items()
}
AGREEMENT_MODE_LABELS: dict[str, str] = {
    code: label[0].upper() + label[1:] for label, code in partners.PRODUCTION_MODES.items()
}
LINK_KINDS: tuple[str, ...] = tuple(partners.LINK_KINDS.values())
LINK_KIND_LABELS: dict[str, str] = {code: label[0].upper() + label[1:] for label, code in partners.LINK_KINDS.items()}


def _month(table: pd.DataFrame, period: Period | str) -> pd.DataFrame:
    if table.empty or "period" not in table.columns:
        return table.iloc[0:0]
    return table[table["period"].astype(str) == str(period)]


def hidden_count(value: float, min_count: int) -> bool:
    """Whether a count of people must not be shown: 1..``min_count``-1 (zero and missing are shown)."""
    return not pd.isna(value) and 0 < float(value) < min_count


def safe_share(part: float, whole: float, min_count: int) -> float:
    """``part / whole`` for publishing: NaN when ``whole`` is 0 or when the part or the rest (``whole - part``) is
    a small count of people, since either would give the other away."""
    if pd.isna(part) or pd.isna(whole) or whole <= 0:
        return math.nan
    if hidden_count(part, min_count) or hidden_count(whole - part, min_count):
        return math.nan
    return float(part) / float(whole)


# ---- production mode mix -------------------------------------------------------------------------------------


MIX_COLUMNS = ("mode", "label", "providers", "starts", "stock", "cost_eur", "stock_share", "cost_share")


def _mode_sums(services_table: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Per month of ``months`` and production mode (every pair, zeros included; index ``month``, ``mode``):
    ``providers``, ``starts``, ``stock`` and ``cost_eur``. One grouping for all months (fast for a window)."""
    index = pd.MultiIndex.from_product([months, list(MODES)], names=["month", "mode"])
    columns = ["providers", "starts", "stock", "cost_eur"]
    if services_table.empty or "period" not in services_table.columns:
        return pd.DataFrame(0.0, index=index, columns=columns)
    month = services_table["period"].astype(str)
    part = services_table[month.isin(months)]
    keys = [part["period"].astype(str).rename("month"), part["production_mode"].astype(str).rename("mode")]
    grouped = part.groupby(keys)
    sums = pd.DataFrame(
        {
            "providers": grouped["provider"].nunique().astype("float64"),
            "starts": grouped["starts"].sum().astype("float64"),
            "stock": grouped["stock"].sum().astype("float64"),
            "cost_eur": grouped["cost_eur"].sum().astype("float64"),
        }
    )
    return sums.reindex(index, fill_value=0.0)


def mode_mix(services_table: pd.DataFrame, period: Period | str) -> pd.DataFrame:
    """The production mode mix of one month: a row per mode (every mode, zeros included) and a total row.

    Columns: ``mode``, ``label``, ``providers`` (distinct providers), ``starts``, ``stock`` (people in service at
    the month's end), ``cost_eur``, ``stock_share`` and ``cost_share`` (of the total; NaN when the total is 0).
    """
    table = _mode_sums(services_table, [str(period)]).reset_index(level="month", drop=True).reset_index()
    month = _month(services_table, period)
    total = {c: float(table[c].sum()) for c in ("starts", "stock", "cost_eur")}
    total["providers"] = float(month["provider"].nunique()) if len(month) else 0.0  # a provider may have two modes
    table = pd.concat([table, pd.DataFrame([{"mode": TOTAL, **total}])], ignore_index=True)
    table["label"] = [MODE_LABELS.get(m, TOTAL_LABEL) for m in table["mode"]]
    table["stock_share"] = table["stock"] / total["stock"] if total["stock"] > 0 else math.nan
    table["cost_share"] = table["cost_eur"] / total["cost_eur"] if total["cost_eur"] > 0 else math.nan
    return table[list(MIX_COLUMNS)]


def window(period: Period, months: int, first: Period | None = None) -> list[str]:
    """The ``months`` months up to ``period`` (``YYYY-MM``), none before ``first``."""
    start = period.shift(1 - months)
    if first is not None and first > start:
        start = first
    return [str(Period.from_index(i)) for i in range(start.index, period.index + 1)]


def first_month(table: pd.DataFrame) -> Period | None:
    """The earliest month of a table with a ``period`` column (None when empty)."""
    if table.empty or "period" not in table.columns:
        return None
    return Period.parse(str(table["period"].astype(str).min()))


def mode_history(services_table: pd.DataFrame, period: Period, months: int) -> pd.DataFrame:
    """The mix of each month of the last ``months`` up to ``period`` (from the first month with data): ``month``,
    ``mode``, ``label``, ``stock``, ``cost_eur``, ``stock_share``, ``cost_share`` (total rows left out)."""
    columns = ["month", "mode", "label", "stock", "cost_eur", "stock_share", "cost_share"]
    first = first_month(services_table)
    if first is None or months <= 0:
        return pd.DataFrame(columns=columns)
    sums = _mode_sums(services_table, window(period, months, first))
    totals = sums.groupby(level="month")[["stock", "cost_eur"]].transform("sum")
    history = sums[["stock", "cost_eur"]].reset_index()
    history["label"] = [MODE_LABELS[m] for m in history["mode"]]
    history["stock_share"] = (sums["stock"] / totals["stock"].where(totals["stock"] > 0)).to_numpy()
    history["cost_share"] = (sums["cost_eur"] / totals["cost_eur"].where(totals["cost_eur"] > 0)).to_numpy()
    return history[columns]


def external_cost_share(mix: pd.DataFrame) -> float:
    """The share of the cost produced outside the city's own production (in-house entities, purchases and
    partnerships together): ``1 - own cost share``; NaN without cost."""
    own = mix.loc[mix["mode"] == "own", "cost_share"]
    return math.nan if own.empty or pd.isna(own.iloc[0]) else 1.0 - float(own.iloc[0])


def external_share_history(history: pd.DataFrame) -> pd.DataFrame:
    """Per month of a :func:`mode_history` table, the cost of each mode side by side (``own``, ``in_house``,
    ``purchased``, ``partnership``), ``total`` and ``external_share`` (cost outside own production / total)."""
    if history.empty:
        return pd.DataFrame(columns=["month", *MODES, "total", "external_share"])
    wide = history.pivot_table(index="month", columns="mode", values="cost_eur", aggfunc="sum")
    wide = wide.reindex(columns=list(MODES)).fillna(0.0)
    wide["total"] = wide[list(MODES)].sum(axis=1)
    wide["external_share"] = (wide["total"] - wide["own"]) / wide["total"].where(wide["total"] > 0)
    wide.columns.name = None
    return wide.reset_index()


@dataclass(frozen=True)
class OutcomeShare:
    """Outcome-based procurement in one month: cost of the base modes, of its outcome-based part, and the share."""

    month: str
    base_cost_eur: float
    outcome_cost_eur: float
    providers: int  # providers with outcome-based rows
    share: float  # NaN without base cost


def outcome_share(services_table: pd.DataFrame, period: Period | str, modes: list[str]) -> OutcomeShare:
    """The outcome-based share of ``period``'s cost within the production modes ``modes``."""
    month = _month(services_table, period)
    base = month[month["production_mode"].astype(str).isin(modes)]
    outcome = base[base["outcome_based"].astype(bool)]
    base_cost = float(base["cost_eur"].astype("float64").sum())
    outcome_cost = float(outcome["cost_eur"].astype("float64").sum())
    return OutcomeShare(
        month=str(period),
        base_cost_eur=base_cost,
        outcome_cost_eur=outcome_cost,
        providers=int(outcome["provider"].nunique()),
        share=outcome_cost / base_cost if base_cost > 0 else math.nan,
    )


def outcome_history(services_table: pd.DataFrame, period: Period, months: int, modes: list[str]) -> pd.DataFrame:
    """:func:`outcome_share` for each month of the window: ``month``, ``base_cost_eur``, ``outcome_cost_eur``,
    ``providers``, ``share`` (one grouping for all months)."""
    first = first_month(services_table)
    columns = ["month", "base_cost_eur", "outcome_cost_eur", "providers", "share"]
    if first is None or months <= 0:
        return pd.DataFrame(columns=columns)
    wanted = window(period, months, first)
    month = services_table["period"].astype(str)
    base = services_table[month.isin(wanted) & services_table["production_mode"].astype(str).isin(modes)]
    outcome = base[base["outcome_based"].astype(bool)]
    base_month, outcome_month = base["period"].astype(str), outcome["period"].astype(str)

    def per_month(values: pd.Series, by: pd.Series) -> np.ndarray:
        return values.astype("float64").groupby(by).sum().reindex(wanted, fill_value=0.0).to_numpy()

    table = pd.DataFrame(
        {
            "month": wanted,
            "base_cost_eur": per_month(base["cost_eur"], base_month),
            "outcome_cost_eur": per_month(outcome["cost_eur"], outcome_month),
            "providers": outcome["provider"].groupby(outcome_month).nunique().reindex(wanted, fill_value=0).to_numpy(),
        }
    )
    table["share"] = table["outcome_cost_eur"] / table["base_cost_eur"].where(table["base_cost_eur"] > 0)
    return table[columns]


# ---- the partner network -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkSummary:
    """The partner network in force in a period, counted (see the module docstring for the definitions)."""

    snapshot_period: str  # the month the snapshot applies from
    partners: int  # organisations other than the employment services
    agreements: int  # in force on the period's last day
    hub_agreements: int  # of which the employment services' own (own production, no partner)
    outcome_based_agreements: int
    upcoming_agreements: int  # listed, starting after the period
    links: int  # pairs of organisations with cooperation
    hub_links: int  # of which with the employment services
    partner_links: int  # of which between two partners
    unlinked_partners: int  # partners without any link
    partners_by_type: pd.DataFrame  # type, label, partners, agreements, hub_links, partner_link_ends
    agreements_by_mode: pd.DataFrame  # mode, label, agreements, outcome_based
    links_by_kind: pd.DataFrame  # kind, label, links, mean_weight


def summarise_network(network: partners.PartnerNetwork, hub: str, on: date) -> NetworkSummary:
    """Count the network ``network`` as of ``on`` with ``hub`` as the employment services' own node."""
    graph = network.graph()
    active = network.active_agreements(on)
    upcoming = network.agreements[network.agreements["start_date"] > pd.Timestamp(on)]
    types = {str(n): str(d["type"]) for n, d in graph.nodes(data=True)}
    hub_edges = [(a, b) for a, b in graph.edges() if hub in (a, b)]
    partner_edges = [(a, b) for a, b in graph.edges() if hub not in (a, b)]
    partner_nodes = [n for n in graph.nodes() if n != hub]
    by_type = []
    active_partner = active["partner_id"].astype(str)
    for kind in PARTNER_TYPES:
        members = [n for n in partner_nodes if types[n] == kind]
        by_type.append(
            {
                "type": kind,
                "label": PARTNER_TYPE_LABELS[kind],
                "partners": len(members),
                "agreements": int(active_partner.isin(members).sum()),
                "hub_links": sum(1 for n in members if graph.has_edge(n, hub)),
                "partner_link_ends": sum(1 for a, b in partner_edges for n in (a, b) if n in members),
            }
        )
    modes = active["production_mode"].astype(str)
    outcome = active["outcome_based"].astype(bool)
    by_mode = [
        {
            "mode": mode,
            "label": AGREEMENT_MODE_LABELS[mode],
            "agreements": int((modes == mode).sum()),
            "outcome_based": int(((modes == mode) & outcome).sum()),
        }
        for mode in partners.PRODUCTION_MODES.values()
    ]
    kinds = network.links["link_kind"].astype(str)
    weights = network.links["weight"].astype("float64")
    by_kind = [
        {
            "kind": kind,
            "label": LINK_KIND_LABELS[kind],
            "links": int((kinds == kind).sum()),
            "mean_weight": float(weights[kinds == kind].mean()) if (kinds == kind).any() else math.nan,
        }
        for kind in LINK_KINDS
    ]
    return NetworkSummary(
        snapshot_period=network.period,
        partners=len(partner_nodes),
        agreements=len(active),
        hub_agreements=int((active_partner == hub).sum()),
        outcome_based_agreements=int(outcome.sum()),
        upcoming_agreements=len(upcoming),
        links=graph.number_of_edges(),
        hub_links=len(hub_edges),
        partner_links=len(partner_edges),
        unlinked_partners=sum(1 for n in partner_nodes if graph.degree(n) == 0),
        partners_by_type=pd.DataFrame(by_type),
        agreements_by_mode=pd.DataFrame(by_mode),
        links_by_kind=pd.DataFrame(by_kind),
    )


def _kinds_text(kinds: list[str]) -> str:
    return ", ".join(LINK_KIND_LABELS.get(k, k).lower() for k in kinds)


def partner_table(network: partners.PartnerNetwork, hub: str, on: date) -> pd.DataFrame:
    """Every partner (the hub left out) with what the network map shows of it: ``partner_id``, ``name``,
    ``type``, ``type_label``, ``agreements`` (in force on ``on``), ``hub_link`` (kinds of cooperation with the
    employment services, Finnish, empty if none), ``hub_weight`` and ``partners_linked`` (names of the other
    partners it cooperates with). Sorted by type (as :data:`PARTNER_TYPES`) and name."""
    graph = network.graph()
    active = network.active_agreements(on)["partner_id"].astype(str).value_counts()
    order = {kind: i for i, kind in enumerate(PARTNER_TYPES)}
    rows = []
    for node, data in graph.nodes(data=True):
        if node == hub:
            continue
        hub_data = graph.get_edge_data(node, hub)
        others = sorted(str(graph.nodes[n]["name"]) for n in graph.neighbors(node) if n != hub)
        rows.append(
            {
                "partner_id": str(node),
                "name": str(data["name"]),
                "type": str(data["type"]),
                "type_label": PARTNER_TYPE_LABELS.get(str(data["type"]), str(data["type"])),
                "agreements": int(active.get(str(node), 0)),
                "hub_link": "" if hub_data is None else _kinds_text(hub_data["kinds"]),
                "hub_weight": 0 if hub_data is None else int(hub_data["weight"]),
                "partners_linked": ", ".join(others),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=["partner_id", "name", "type", "type_label", "agreements", "hub_link", "hub_weight", "partners_linked"],
    )
    table["_order"] = [order.get(t, len(order)) for t in table["type"]]
    return table.sort_values(["_order", "name"]).drop(columns="_order").reset_index(drop=True)


def network_layout(graph: nx.Graph, hub: str | None) -> dict[str, tuple[float, float]]:
    """Positions for the network map: the hub at the centre, the other organisations evenly on a unit circle,
    grouped by partner type (in the order of :data:`PARTNER_TYPES`) and by name within a type.

    The first organisation sits half a step clockwise from the top, and the others follow clockwise, each
    ``360° / n`` further: node ``i`` of ``n`` is at angle ``90° - (i + 0.5) x 360° / n``. Half a step keeps the
    top free of a node, where labels would collide (with an odd ``n`` one node sits at the bottom). networkx's
    ``shell_layout`` also spaces a shell evenly, but from 0° (the far right) and counter-clockwise; the few lines
    here give the reading order a map needs, and the positions are hand-checked in the tests.
    """
    order = {kind: i for i, kind in enumerate(PARTNER_TYPES)}
    others = sorted(
        (n for n in graph.nodes() if n != hub),
        key=lambda n: (order.get(str(graph.nodes[n].get("type")), len(order)), str(graph.nodes[n].get("name", n))),
    )
    positions: dict[str, tuple[float, float]] = {}
    if hub is not None and hub in graph:
        positions[hub] = (0.0, 0.0)
    count = len(others)
    for i, node in enumerate(others):
        angle = math.radians(90.0 - (i + 0.5) * 360.0 / count)
        positions[node] = (math.cos(angle), math.sin(angle))
    return positions


# ---- milestones (the plan's actions of the areas) ------------------------------------------------------------


def milestones(plan: Plan, updates: pd.DataFrame, period: Period, areas: list[int]) -> pd.DataFrame:
    """The plan's actions of ``areas`` with their state as of ``period`` (:func:`plan_status.status_as_of`), with
    the plan's ``section`` heading and Finnish ``state_label``."""
    status = plan_status.status_as_of(plan, updates, period)
    status = status[status["area"].isin(areas)].reset_index(drop=True)
    status["section"] = [plan.action(str(a)).section for a in status["action_id"]]
    status["state_label"] = [plan_status.STATE_LABELS[str(s)] for s in status["state"]]
    return status


@dataclass(frozen=True)
class Milestone:
    """One action's standing as of the period's last day, for the page's sentence about it."""

    action_id: str
    title: str
    deadline: date | None
    state: str  # done, on_track, late
    completed_on: date | None
    days_to_deadline: int | None  # from the period's last day; negative when past
    days_past_deadline: int | None
    completed_late: bool


def milestone(table: pd.DataFrame, action_id: str, period: Period) -> Milestone | None:
    """The standing of ``action_id`` in a :func:`milestones` table (None when the plan has no such action)."""
    rows = table[table["action_id"].astype(str) == action_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    deadline = None if pd.isna(row["deadline"]) else pd.Timestamp(row["deadline"]).date()
    completed = None if pd.isna(row["completed_on"]) else pd.Timestamp(row["completed_on"]).date()
    past = row["days_past_deadline"]
    return Milestone(
        action_id=action_id,
        title=str(row["title"]),
        deadline=deadline,
        state=str(row["state"]),
        completed_on=completed,
        days_to_deadline=None if deadline is None else (deadline - period.last_day).days,
        days_past_deadline=None if pd.isna(past) else int(past),
        completed_late=bool(row["completed_late"]),
    )


# ---- the whole analysis of a month ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EcosystemsAnalysis:
    """Everything the ecosystems page shows for one month."""

    period: Period
    params: Params
    mix: pd.DataFrame  # mode_mix of the period
    mix_year_ago: pd.DataFrame  # mode_mix a year earlier (zeros before the first month)
    mix_history: pd.DataFrame
    outcome: OutcomeShare
    outcome_history: pd.DataFrame
    network: partners.PartnerNetwork | None
    network_summary: NetworkSummary | None
    milestones: pd.DataFrame
    network_milestone: Milestone | None

    @property
    def settings(self) -> EcosystemsParams:
        """The page's parameters."""
        return self.params.areas.ecosystems

    @property
    def has_services(self) -> bool:
        """Whether the services export of the period is in."""
        return bool(self.mix["stock"].iloc[-1] > 0 or self.mix["cost_eur"].iloc[-1] > 0)

    def mix_row(self, mode: str, year_ago: bool = False) -> pd.Series:
        """The mix row of ``mode`` (or ``total``)."""
        table = self.mix_year_ago if year_ago else self.mix
        return table[table["mode"] == mode].iloc[0]


def analyse(
    services_table: pd.DataFrame,
    network_table: pd.DataFrame,
    plan: Plan,
    updates: pd.DataFrame,
    params: Params,
    period: Period,
    history: bool = True,
) -> EcosystemsAnalysis:
    """All numbers of the ecosystems page for ``period`` from the canonical tables (later rows are ignored);
    ``history=False`` leaves out the monthly series of the charts (the KPIs do not need them)."""
    settings = params.areas.ecosystems
    months = settings.history_months if history else 0
    services_table = _up_to(services_table, period)
    network = None
    summary = None
    if not partners.latest_snapshot(network_table, period).empty:
        network = partners.snapshot_as_of(network_table, period)
        summary = summarise_network(network, settings.hub_partner_id, period.last_day)
    table = milestones(plan, updates, period, settings.plan_areas)
    return EcosystemsAnalysis(
        period=period,
        params=params,
        mix=mode_mix(services_table, period),
        mix_year_ago=mode_mix(services_table, period.shift(-12)),
        mix_history=mode_history(services_table, period, months),
        outcome=outcome_share(services_table, period, list(settings.outcome_based_modes)),
        outcome_history=outcome_history(services_table, period, months, list(settings.outcome_based_modes)),
        network=network,
        network_summary=summary,
        milestones=table,
        network_milestone=milestone(table, settings.network_map_action, period),
    )


def _up_to(table: pd.DataFrame, period: Period) -> pd.DataFrame:
    if table.empty or "period" not in table.columns:
        return table
    return table[table["period"].astype(str) <= str(period)]


def analyse_period(ctx: Context, history: bool = True) -> EcosystemsAnalysis:
    """Load the canonical tables and the plan of the workspace and analyse ``ctx.period`` (see :func:`analyse`)."""
    from serviceplan.inputs.plan import load_plan
    from serviceplan.metrics import load

    return analyse(
        load("services", ctx.period, ctx.workspace),
        load("partner_network", ctx.period, ctx.workspace),
        load_plan(ctx.workspace.plan_dir),
        load("plan_actions", ctx.period, ctx.workspace),
        ctx.params,
        ctx.period,
        history,
    )


# ---- KPIs --------------------------------------------------------------------------------------------------


def areas_phrase(areas: list[int]) -> str:
    """The plan's areas as a Finnish parenthesis for labels: ``luku 5`` or ``luvut 5–6`` / ``luvut 5, 6 ja 8``."""
    ordered = sorted(set(areas))
    if len(ordered) == 1:
        return f"luku {ordered[0]}"
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) == 2:
        return f"luvut {ordered[0]}–{ordered[-1]}"
    return "luvut " + ", ".join(str(a) for a in ordered[:-1]) + f" ja {ordered[-1]}"


def kpi_rows(ctx: Context, analysis: EcosystemsAnalysis) -> pd.DataFrame:
    """The ecosystems KPIs of an analysed month (see :func:`kpis`)."""
    settings = analysis.settings
    min_count = ctx.params.disclosure.min_count
    partnership = analysis.mix_row("partnership")
    total = analysis.mix_row(TOTAL)
    cost_share = partnership["cost_share"] if analysis.has_services else math.nan
    stock_share = safe_share(partnership["stock"], total["stock"], min_count)
    summary = analysis.network_summary
    states = plan_status.count_by_state(analysis.milestones)
    scope = areas_phrase(settings.plan_areas)
    rows = [
        kpi_row(ctx, AREA, "eco_outcome_based_share", "Tulosperusteisen hankinnan osuus ostopalvelujen kustannuksista",
                analysis.outcome.share, "share", settings.outcome_based_share_target, "higher_better"),
        kpi_row(ctx, AREA, "eco_partnership_cost_share", "Kumppanuusmallin osuus palvelujen kustannuksista",
                cost_share, "share", settings.partnership_cost_share_target, "higher_better"),
        kpi_row(ctx, AREA, "eco_partnership_stock_share", "Kumppanuusmallin osuus palveluissa olevista asiakkaista",
                stock_share, "share"),
        kpi_row(ctx, AREA, "eco_partners", "Kumppaneita verkostossa",
                None if summary is None else summary.partners, "count"),
        kpi_row(ctx, AREA, "eco_agreements", "Voimassa olevia palvelusopimuksia",
                None if summary is None else summary.agreements, "count"),
        kpi_row(ctx, AREA, "eco_outcome_based_agreements", "Tulosperusteisia palvelusopimuksia",
                None if summary is None else summary.outcome_based_agreements, "count", None, "higher_better"),
        kpi_row(ctx, AREA, "eco_partner_links", "Kumppanien väliset yhteydet verkostokartassa",
                None if summary is None else summary.partner_links, "count", None, "higher_better"),
        kpi_row(ctx, AREA, "eco_actions_done", f"Valmiit toimenpiteet ({scope})", states["done"], "count",
                None, "higher_better"),
        kpi_row(ctx, AREA, "eco_actions_late", f"Myöhässä olevat toimenpiteet ({scope})", states["late"], "count",
                settings.late_actions_target, "lower_better"),
    ]  # fmt: skip
    return frame(rows)


def kpis(ctx: Context) -> pd.DataFrame:
    """The ecosystems area's KPI table for ``ctx.period``: outcome-based procurement and the partnership model's
    share (against their targets in params), the partner network's size and its partner-to-partner links, and
    the plan's actions of areas 5–6 done and late (target: none late)."""
    return kpi_rows(ctx, analyse_period(ctx, history=False))


def kpis_with_changes(ctx: Context, analysis: EcosystemsAnalysis) -> pd.DataFrame:
    """:func:`kpis` beside the same KPIs a month and a year earlier (:func:`serviceplan.metrics.with_changes`),
    reusing the page's analysis of the report month instead of analysing it again
    (the page's analysis keeps the monthly series, which the KPIs do not read)."""
    return with_changes(kpis, ctx, first_period=services.DATASET.first_period, current=kpi_rows(ctx, analysis))
