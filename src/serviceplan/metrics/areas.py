"""The report's pages: one notebook per policy area (plus the summary), with what each one reads.

The batch uses ``datasets`` to decide whether a notebook must run again (its inputs changed) and ``kpis`` to
collect the version's KPI table. A report for a municipality other than the one whose own systems deliver the
city datasets (parameters ``regions``) has only the pages that work from public statistics (:func:`report_areas`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from serviceplan.core.params import Params
from serviceplan.inputs.sources import DATASETS
from serviceplan.metrics.kpis import KpiFunction

# Datasets published for every municipality (the rest are the city's own systems' exports).
PUBLIC_DATASETS: tuple[str, ...] = ("statfin",)


@dataclass(frozen=True)
class Area:
    """One page of the report."""

    id: str
    notebook: str  # file name in notebooks/
    title: str  # Finnish page title
    plan_section: str  # the plan's section the page follows
    datasets: tuple[str, ...]  # canonical tables the notebook reads
    kpi_function: str | None = None  # "module:function" returning the area's KPI table
    # The page works from the public statistics for any municipality (its sections built on the city's own
    # systems say when those data are missing); False: it needs the city's own datasets throughout.
    public: bool = False

    def kpis(self) -> KpiFunction | None:
        """The area's KPI function, imported on demand."""
        if self.kpi_function is None:
            return None
        module, name = self.kpi_function.split(":")
        return getattr(importlib.import_module(module), name)


AREAS: tuple[Area, ...] = (
    Area(
        id="summary",
        notebook="00_summary.ipynb",
        title="Yhteenveto",
        plan_section="Linjaukset ja toimenpiteet, luvut 1–9",
        datasets=tuple(DATASETS),  # the front page calls every area's KPI function
        kpi_function=None,  # its numbers are the other areas' KPIs
        public=True,
    ),
    Area(
        id="budget",
        notebook="01_budget.ipynb",
        title="Budjetti",
        plan_section="1. Budjetti",
        datasets=("ledger", "kela_invoice"),
        kpi_function="serviceplan.metrics.budget:kpis",
    ),
    Area(
        id="target_groups",
        notebook="02_target_groups.ipynb",
        title="Kohderyhmät",
        plan_section="2. Kohderyhmä",
        datasets=("statfin", "customer_events"),
        kpi_function="serviceplan.metrics.target_groups:kpis",
        public=True,
    ),
    Area(
        id="services",
        notebook="03_services.ipynb",
        title="Palvelut",
        plan_section="3. Palvelut",
        datasets=("services", "service_outcomes", "customer_events"),
        kpi_function="serviceplan.metrics.services:kpis",
    ),
    Area(
        id="grants",
        notebook="04_grants.ipynb",
        title="Vapaaehtoiset avustukset",
        plan_section="4. Vapaaehtoiset avustukset",
        datasets=("grants",),
        kpi_function="serviceplan.metrics.grants:kpis",
    ),
    Area(
        id="ecosystems",
        notebook="05_ecosystems.ipynb",
        title="Palvelujen tuottaminen ja ekosysteemit",
        plan_section="5. Palvelujen tuottaminen; 6.1 Sosiaalinen vastuu; 6.2 Ekosysteemien hyödyntäminen",
        datasets=("services", "partner_network", "plan_actions"),  # and plan/actions.yaml (the deadlines)
        kpi_function="serviceplan.metrics.ecosystems:kpis",
    ),
    Area(
        id="employer_services",
        notebook="06_employer_services.ipynb",
        title="Työnantajapalvelut",
        plan_section="7. Työnantajapalvelut",
        datasets=("statfin", "employer_services"),
        kpi_function="serviceplan.metrics.employer_services:kpis",
        public=True,
    ),
    Area(
        id="immigrants",
        notebook="07_immigrants.ipynb",
        title="Maahanmuuttajat",
        plan_section="8. Maahanmuuttajat",
        datasets=("statfin", "immigrants"),
        kpi_function="serviceplan.metrics.immigrants:kpis",
        public=True,
    ),
    Area(
        id="knowledge",
        notebook="08_knowledge_management.ipynb",
        title="Tiedolla johtaminen",
        plan_section="9. Jatkokehittämistoimet, talous ja tiedolla johtaminen; Muutosvaiheen riskit",
        datasets=tuple(DATASETS),  # freshness covers every dataset; the actions come from plan_actions
        kpi_function="serviceplan.metrics.knowledge:kpis",
    ),
)


def get(area_id: str) -> Area:
    """The area with id ``area_id``."""
    return next(a for a in AREAS if a.id == area_id)


def report_areas(params: Params, areas: tuple[Area, ...] | list[Area] | None = None) -> list[Area]:
    """The pages of a report with ``params``: every page when the reporting municipality's own datasets are in the
    workspace (``regions.own_data_municipality``), else only the pages that work from public statistics."""
    chosen = list(AREAS if areas is None else areas)
    return chosen if params.regions.has_own_data else [a for a in chosen if a.public]


def report_datasets(params: Params, areas: list[Area]) -> list[str]:
    """The datasets a report with ``params`` reads for ``areas``: all of theirs, or only the public statistics
    when the reporting municipality's own datasets are not in the workspace."""
    names = sorted({name for area in areas for name in area.datasets})
    return names if params.regions.has_own_data else [n for n in names if n in PUBLIC_DATASETS]


def own_data_areas(params: Params) -> list[Area]:
    """The pages left out of a report with ``params`` because they need the city's own datasets."""
    shown = {a.id for a in report_areas(params)}
    return [a for a in AREAS if a.id not in shown]
