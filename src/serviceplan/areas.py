"""The report's pages: one notebook per policy area (plus the summary), with what each one reads.

The batch uses ``datasets`` to decide whether a notebook must run again (its inputs changed) and ``kpis`` to
collect the version's KPI table.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from serviceplan.kpis import KpiFunction


@dataclass(frozen=True)
class Area:
    """One page of the report."""

    id: str
    notebook: str  # file name in notebooks/
    title: str  # Finnish page title
    plan_section: str  # the plan's section the page follows
    datasets: tuple[str, ...]  # canonical tables the notebook reads
    kpi_function: str | None = None  # "module:function" returning the area's KPI table

    def kpis(self) -> KpiFunction | None:
        """The area's KPI function, imported on demand."""
        if self.kpi_function is None:
            return None
        module, name = self.kpi_function.split(":")
        return getattr(importlib.import_module(module), name)


AREAS: tuple[Area, ...] = (
    Area(
        id="budget",
        notebook="01_budget.ipynb",
        title="Budjetti",
        plan_section="1. Budjetti",
        datasets=("ledger", "kela_invoice"),
        kpi_function="serviceplan.metrics.budget:kpis",
    ),
)


def get(area_id: str) -> Area:
    """The area with id ``area_id``."""
    return next(a for a in AREAS if a.id == area_id)
