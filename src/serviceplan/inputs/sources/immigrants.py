"""Immigrant services' monthly report: foreign-language customers, people in the integration period and in
integration training, moves to the occupation-based teams after the integration period (plan policy line 8) and
International House Lahti contacts.

Delivered by the immigrant services team as a Finnish CSV (``maahanmuuttajat_YYYY-MM.csv``: ``;``, UTF-8 with
BOM), one row per language group and a total row ``Yhteensä``. Counts are small for some groups; they are
accepted as delivered and suppressed only when published. The canonical table keeps the total row, marked
``is_total``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.inputs.contracts import Column, Contract, recode
from serviceplan.inputs.readers import read_finnish_csv
from serviceplan.inputs.sources.base import Dataset
from serviceplan.inputs.sources.breakdown import TOTAL_LABEL, every_group_once, not_above, totals_add_up

# Language group as written in the report -> canonical code.
LANGUAGE_GROUPS: dict[str, str] = {
    "Ukraina": "ukrainian",
    "Venäjä": "russian",
    "Arabia": "arabic",
    "Englanti": "english",
    "Somali": "somali",
    "Persia ja dari": "persian_dari",
    "Viro": "estonian",
    "Muut kielet": "other",
}
TOTAL_CODE = "total"
COUNT_COLUMNS: tuple[str, ...] = (
    "customers",
    "in_integration_period",
    "in_integration_training",
    "moved_to_occupation_teams",
    "ihl_contacts",
)
_MAX_COUNT = 100_000

CONTRACT_COLUMNS = (
    Column("period", "Kuukausi", "period"),
    Column("language_group", "Kieliryhmä", "code", allowed=(*LANGUAGE_GROUPS, TOTAL_LABEL)),
    Column(
        "customers", "Vieraskieliset asiakkaat", "int", min=0, max=_MAX_COUNT, description="at the end of the month"
    ),
    Column("in_integration_period", "Kotoutumisajalla", "int", min=0, max=_MAX_COUNT),
    Column("in_integration_training", "Kotoutumiskoulutuksessa", "int", min=0, max=_MAX_COUNT),
    Column(
        "moved_to_occupation_teams",
        "Siirtyneet ammattialatiimeihin",
        "int",
        min=0,
        max=_MAX_COUNT,
        description="moved during the month to an occupation-based team after the integration period",
    ),
    Column("ihl_contacts", "International House Lahti -yhteydenotot", "int", min=0, max=_MAX_COUNT),
)
_HEADER = {c.name: c.header for c in CONTRACT_COLUMNS}

CONTRACT = Contract(
    dataset="immigrants",
    columns=CONTRACT_COLUMNS,
    key=("period", "language_group"),
    checks=(
        every_group_once("language_group", tuple(LANGUAGE_GROUPS)),
        totals_add_up("language_group", COUNT_COLUMNS),
        not_above("in_integration_period", "customers", _HEADER["customers"]),
        # integration training is part of the integration plan, so its participants are in the integration period
        not_above("in_integration_training", "in_integration_period", _HEADER["in_integration_period"]),
        not_above("moved_to_occupation_teams", "customers", _HEADER["customers"]),
    ),
)


def read_csv(path: Path, period: Period) -> pd.DataFrame:
    """Read one monthly immigrant services report into canonical rows."""
    frame = CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), period)
    frame["is_total"] = (frame["language_group"] == TOTAL_LABEL).astype(bool)
    frame["language_group"] = recode(frame["language_group"], {**LANGUAGE_GROUPS, TOTAL_LABEL: TOTAL_CODE})
    return frame


def totals(table: pd.DataFrame) -> pd.DataFrame:
    """The total rows of the canonical table (one a month), for the month's headline numbers."""
    return table[table["is_total"]].reset_index(drop=True)


DATASET = Dataset(
    name="immigrants",
    title="Maahanmuuttajapalvelujen kuukausiraportti",
    owner="Lahden työllisyyspalvelut, maahanmuuttajapalvelut",
    file_stem="maahanmuuttajat_{period}",
    readers={"csv": read_csv},
    first_period=Period(2025, 1),
    description="Foreign-language customers, integration period and training, moves to occupation-based teams, "
    "International House Lahti contacts, by language group.",
)
