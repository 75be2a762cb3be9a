"""Finance ledger export: the month's operating costs of employment services by cost centre, account and budget
class. Delivered by the city's financial administration as a Finnish CSV (``;``, decimal comma, UTF-8 with BOM).

The ledger holds operating costs only (ASSUMPTION A3). The municipal share of unemployment benefits is booked from
Kela's invoice and comes from :mod:`serviceplan.inputs.sources.kela_invoice`, so the two cost kinds stay separate
(plan, policy line 1).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.inputs.contracts import Column, Contract, recode
from serviceplan.inputs.readers import read_finnish_csv
from serviceplan.inputs.sources.base import Dataset

# Budget class as written in the ledger -> canonical code (the keys of ``budget_eur`` in params).
BUDGET_CLASS_CODES: dict[str, str] = {
    "Vapaaehtoinen": "vapaaehtoinen",
    "Määrärahasidonnainen": "maararahasidonnainen",
    "Määrärahasta riippumaton": "maararahasta_riippumaton",
    "Tarvesidonnainen": "tarvesidonnainen",
    "Toimeksiantotehtävä": "toimeksiantotehtava",
}

CONTRACT = Contract(
    dataset="ledger",
    columns=(
        Column("period", "Kausi", "period", description="booking month"),
        Column("cost_centre", "Kustannuspaikka", "code", description="cost centre number"),
        Column("cost_centre_name", "Kustannuspaikan nimi", "text"),
        Column("account", "Tili", "code", description="account number"),
        Column("account_name", "Tilin nimi", "text"),
        Column("budget_class", "Talousarvioluokka", "code", allowed=tuple(BUDGET_CLASS_CODES)),
        Column(
            "amount_eur", "Summa", "decimal", min=-5_000_000, max=5_000_000, decimals=2, description="euros, + cost"
        ),
    ),
    key=("period", "cost_centre", "account"),
)


def read_csv(path: Path, period: Period) -> pd.DataFrame:
    """Read one monthly ledger export into canonical rows."""
    frame = CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), period)
    frame["budget_class"] = recode(frame["budget_class"], BUDGET_CLASS_CODES)
    return frame


DATASET = Dataset(
    name="ledger",
    title="Kirjanpidon toteuma",
    owner="Lahden kaupungin talouspalvelut (kirjanpito)",
    file_stem="kirjanpito_{period}",
    readers={"csv": read_csv},
    first_period=Period(2025, 1),
    description="Operating costs by cost centre, account and budget class, one file a month.",
)
