"""The KPI table: the headline numbers of each policy area for one period, in one shape for every area.

Each policy area's metrics module provides a function ``kpis(context) -> pandas.DataFrame`` with the columns of
:data:`KPI_COLUMNS`; the batch collects them into the version's ``kpi.csv`` and ``kpi.json``. The notebooks show
the same numbers by calling the same functions, so the KPI files and the report cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from serviceplan.core.params import Params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period

KPI_COLUMNS: tuple[str, ...] = (
    "period",  # YYYY-MM
    "area",  # policy area id, e.g. "budget"
    "kpi",  # stable id, e.g. "forecast_total_eur"
    "label",  # Finnish label shown to readers
    "value",  # float; NaN when not available (the files round it to UNIT_DECIMALS)
    "unit",  # "eur", "count", "share" (a fraction, 1 = 100 %), "days", "ratio", "rank" (a place, 1 = best)
    "target",  # float or NaN: the target from params
    "direction",  # "higher_better", "lower_better" or "none"
    "status",  # "ok", "warn", "alert" or "none" against the target
)

Direction = Literal["higher_better", "lower_better", "none"]

# The precision each unit is published with in the KPI files (decimals; counts are whole numbers). Shares are
# fractions (1 = 100 %), so four decimals keep a hundredth of a percentage point.
UNIT_DECIMALS: dict[str, int] = {"eur": 2, "count": 0, "share": 4, "days": 1, "ratio": 4, "rank": 0}


def published_number(value: object, unit: str) -> int | float | None:
    """``value`` at its unit's published precision (:data:`UNIT_DECIMALS`): an ``int`` for a count, a float
    rounded to the unit's decimals otherwise, ``None`` when missing. ``14421771.379999999`` euros ->
    ``14421771.38``; ``7616.0`` people -> ``7616``."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    decimals = UNIT_DECIMALS.get(unit, 4)
    number = round(float(value), decimals)  # type: ignore[arg-type]
    if decimals == 0:
        return int(number)
    return 0.0 if number == 0 else number  # no "-0.0"


@dataclass(frozen=True)
class Context:
    """What every metrics function needs: the period, its resolved parameters and the workspace."""

    period: Period
    params: Params
    workspace: Workspace


KpiFunction = Callable[[Context], pd.DataFrame]


def kpi_row(
    ctx: Context,
    area: str,
    kpi: str,
    label: str,
    value: float | None,
    unit: str,
    target: float | None = None,
    direction: Direction = "none",
    status: str | None = None,
) -> dict[str, object]:
    """One KPI record; ``status`` is derived from the target and direction unless given."""
    if status is None:
        status = judge(value, target, direction)
    return {
        "period": str(ctx.period),
        "area": area,
        "kpi": kpi,
        "label": label,
        "value": float("nan") if value is None else float(value),
        "unit": unit,
        "target": float("nan") if target is None else float(target),
        "direction": direction,
        "status": status,
    }


def judge(value: float | None, target: float | None, direction: Direction, tolerance: float = 0.05) -> str:
    """Traffic light against a target: ``ok`` on the right side, ``warn`` within ``tolerance`` (relative) on the
    wrong side, ``alert`` beyond it; ``none`` without a target or a value."""
    if value is None or target is None or direction == "none" or pd.isna(value) or pd.isna(target):
        return "none"
    gap = (value - target) if direction == "higher_better" else (target - value)
    if gap >= 0:
        return "ok"
    scale = abs(target) if target else 1.0
    # a relative epsilon keeps a value exactly on the tolerance edge (e.g. 0.95 against 1.0) on the warn side
    return "warn" if -gap <= tolerance * scale * (1 + 1e-9) else "alert"


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """A KPI table with the standard columns in the standard order."""
    return pd.DataFrame(rows, columns=list(KPI_COLUMNS))
