"""Demo files of the immigrant services' monthly report (Finnish CSV, UTF-8 with BOM).

Calibration: the foreign-language customers follow the foreign national unemployed of Lahti's public statistics
(``world.labour_market.foreign``: 1,246 in January 2025, docs/domain.md). Customers also include employed jobseekers,
people in services and Finnish citizens with a foreign mother tongue (about 9 % of Lahti's population speaks a
foreign language), hence the factor below. Shares by language group, the integration period and the monthly
moves are demo assumptions; several groups have small counts on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serviceplan.core.finnish_csv import write_finnish_csv
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.demo.world import CITY_FIRST, World
from serviceplan.inputs.sources.breakdown import TOTAL_LABEL
from serviceplan.inputs.sources.immigrants import CONTRACT

CUSTOMERS_PER_FOREIGN_UNEMPLOYED = 1.8  # ASSUMPTION A30
# Per language group: share of the foreign-language customers and share of the group in the integration period.
GROUP_PROFILE: dict[str, tuple[float, float]] = {
    "Ukraina": (0.22, 0.45),
    "Venäjä": (0.17, 0.15),
    "Arabia": (0.14, 0.30),
    "Englanti": (0.10, 0.25),
    "Somali": (0.07, 0.15),
    "Persia ja dari": (0.08, 0.35),
    "Viro": (0.05, 0.05),
    "Muut kielet": (0.17, 0.30),
}
TRAINING_SHARE = 0.38  # of those in the integration period, in integration training (courses pause in July)
MONTHLY_MOVE_RATE = 0.028  # of those in the integration period, moving on to an occupation-based team each month
# The moves start slowly: the services were joined up with International House Lahti by 31.3.2025 (plan, T8.1).
MOVES_FULL_FROM = Period(2025, 4)
MOVES_EARLY_FACTOR = 0.4
IHL_CONTACTS_PER_CUSTOMER = 0.2
SUMMER = {6: 0.8, 7: 0.5, 8: 0.85}


def report_frame(world: World, period: Period) -> pd.DataFrame:
    """One month's report: a row per language group and the total row, with the delivered headers."""
    rng = world.rng(f"immigrants {period}")  # one stream a month: a month's numbers never depend on others
    foreign = float(world.labour_market.set_index("period").at[str(period), "foreign"])
    customers_all = foreign * CUSTOMERS_PER_FOREIGN_UNEMPLOYED
    months = CITY_FIRST.months_until(period)
    summer = SUMMER.get(period.month, 1.0)
    move_factor = 1.0 if period >= MOVES_FULL_FROM else MOVES_EARLY_FACTOR
    rows = []
    for label, (share, integration_share) in GROUP_PROFILE.items():
        customers = round(customers_all * share * rng.normal(1.0, 0.02))
        integration = int(rng.binomial(customers, min(integration_share * (1 + 0.004 * months), 1.0)))
        training = int(rng.binomial(integration, TRAINING_SHARE * (0.5 if period.month == 7 else 1.0)))
        moves = int(rng.poisson(integration * MONTHLY_MOVE_RATE * move_factor))
        contacts = int(rng.poisson(customers * IHL_CONTACTS_PER_CUSTOMER * summer))
        rows.append([str(period), label, customers, integration, training, min(moves, customers), contacts])
    total = [str(period), TOTAL_LABEL, *(sum(r[c] for r in rows) for c in range(2, 7))]
    return pd.DataFrame([*rows, total], columns=CONTRACT.headers)


def write_immigrants(world: World, raw_dir: Path) -> list[Path]:
    """Write one immigrant services report a month, 2025-01 onward."""
    return [
        write_finnish_csv(report_frame(world, p), raw_dir / str(p) / f"maahanmuuttajat_{p}.csv")
        for p in month_range(CITY_FIRST, world.last)
    ]
