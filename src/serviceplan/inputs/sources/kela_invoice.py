"""Kela's monthly invoice of the municipal share of unemployment benefits.

Kela bills the home municipality monthly in arrears for people who have received benefit for 101 or more days;
the share grows with accumulated days (the step table is a parameter). One file a billing month, Finnish CSV.
Rows are by benefit month and accumulated-days class; a regular invoice covers the previous month, and a
catch-up invoice (October–November 2025, docs/domain.md) also carries older benefit months (ASSUMPTION A5).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.core.vocabulary import DAY_CLASSES
from serviceplan.inputs.contracts import AS_DELIVERED, Column, Contract, Finding
from serviceplan.inputs.readers import read_finnish_csv
from serviceplan.inputs.sources.base import Dataset


def _share_not_above_paid(frame: pd.DataFrame) -> list[Finding]:
    bad = frame["municipal_share_eur"] > frame["benefits_paid_eur"] + 0.005
    return [
        Finding(
            int(p),
            "municipal_share_eur",
            AS_DELIVERED,
            "a municipal share no larger than the benefits paid on the same row",
        )
        for p in bad[bad].index
    ]


def _benefit_month_before_billing(frame: pd.DataFrame) -> list[Finding]:
    bad = frame["benefit_period"].astype(str) >= frame["period"].astype(str)
    return [
        Finding(
            int(p),
            "benefit_period",
            AS_DELIVERED,
            "a benefit month before the billing month (Kela bills in arrears)",
        )
        for p in bad[bad].index
    ]


CONTRACT = Contract(
    dataset="kela_invoice",
    columns=(
        Column("period", "Laskutuskuukausi", "period", description="billing month"),
        Column("benefit_period", "Etuuskuukausi", "period", description="month the benefit was paid for"),
        Column("municipality", "Kunta", "code", allowed=("398",)),
        Column("day_class", "Kertymäluokka", "code", allowed=tuple(DAY_CLASSES)),
        Column("recipients", "Saajat", "int", min=0, max=100_000),
        Column("benefits_paid_eur", "Maksetut etuudet", "decimal", min=0, max=50_000_000, decimals=2),
        Column("municipal_share_eur", "Kunnan osuus", "decimal", min=0, max=50_000_000, decimals=2),
    ),
    key=("period", "benefit_period", "day_class"),
    checks=(_share_not_above_paid, _benefit_month_before_billing),
)


def read_csv(path: Path, period: Period) -> pd.DataFrame:
    """Read one Kela invoice into canonical rows; ``catch_up`` marks rows older than the regular month."""
    frame = CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), period)
    frame["catch_up"] = frame["benefit_period"].astype(str) < str(period.shift(-1))
    frame["min_days"] = frame["day_class"].map(DAY_CLASSES).astype("Int64")
    return frame


DATASET = Dataset(
    name="kela_invoice",
    title="Kelan lasku: työttömyysetuuksien kuntaosuus",
    owner="Kela (laskutus), vastaanottaja: Lahden kaupungin talouspalvelut",
    file_stem="kela_kuntaosuus_{period}",
    readers={"csv": read_csv},
    first_period=Period(2025, 2),
    description="Municipal share of unemployment benefits by benefit month and accumulated-days class.",
)
