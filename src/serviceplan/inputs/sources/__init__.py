"""The registry of input datasets. Each module owns one dataset's contract, readers and demo writer."""

from __future__ import annotations

from serviceplan.inputs.sources import (
    customer_events,
    employer_services,
    grants,
    immigrants,
    kela_invoice,
    ledger,
    partners,
    plan_actions,
    services,
    statfin,
)
from serviceplan.inputs.sources.base import Dataset

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        ledger.DATASET,
        kela_invoice.DATASET,
        customer_events.DATASET,
        services.DATASET,
        services.OUTCOMES_DATASET,
        grants.DATASET,
        statfin.DATASET,
        employer_services.DATASET,
        immigrants.DATASET,
        partners.DATASET,
        plan_actions.DATASET,
    )
}


def get(name: str) -> Dataset:
    """The dataset called ``name``."""
    return DATASETS[name]
