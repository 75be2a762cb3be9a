"""The registry of input datasets. Each module owns one dataset's contract, readers and demo writer."""

from __future__ import annotations

from serviceplan.sources import kela_invoice, ledger
from serviceplan.sources.base import Dataset

DATASETS: dict[str, Dataset] = {d.name: d for d in (ledger.DATASET, kela_invoice.DATASET)}


def get(name: str) -> Dataset:
    """The dataset called ``name``."""
    return DATASETS[name]
