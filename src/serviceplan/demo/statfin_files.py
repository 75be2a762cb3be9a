"""Demo deliveries of the employment service statistics: the JSON-stat2 bodies a monthly fetch would have stored.

For each month ``M`` from 2024-01 on, ``data/raw/<M>/statfin_<table>.json`` holds the last 13 months up to ``M``
of each table, as PxWeb would have returned them when the figures of ``M`` were published. Deliveries before
June 2026 use Statistics Finland's old conventions (long table ids, variables ``Alue``/``Kuukausi``/``Tiedot``);
from June 2026 on the new ones (short ids, ``timeperiod_m``/``contentscode``, prefixed content and category
codes, another dimension order), so the demo itself exercises both.

Lahti's figures come from :attr:`World.labour_market`; Päijät-Häme and the whole country are scaled from them
(whole country's rate about 12 % in January 2025 against Lahti's 15.9 %, docs/domain.md). Realistic details: the first
release of a month's flows is preliminary and revised in the next delivery, small counts of job-alternation
substitutes are confidential (``..``), and that scheme shows ``.`` (not applicable) once it has ended.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from serviceplan.demo.world import PUBLIC_FIRST, World
from serviceplan.periods import Period, month_range
from serviceplan.pxweb import month_code
from serviceplan.sources.statfin import MEASURES, REGIONS, TABLES, TableSpec, dumps, file_name

API_CHANGE = Period(2026, 6)  # deliveries from this month on use the June 2026 conventions
WINDOW_MONTHS = 13  # months in each delivery, as params statfin.window_months
PRELIMINARY = {"flow_over_3m": 0.97, "new_vacancies": 0.96}  # first release / final figure
JOB_ALTERNATION_LAST = Period(2024, 12)  # demo assumption: no job-alternation substitutes counted after this
SECRET_BELOW = 5  # counts 1..4 of a small category are published as ".." (confidential)
SOURCE = "Tilastokeskus, KEHA-keskus (työnvälitystilasto)"

# Shares of people in services by service type (demo calibration; they sum to 1).
SERVICE_SHARES = {
    "services_pay_subsidy": 0.27,
    "services_training": 0.20,
    "services_coaching": 0.17,
    "services_work_trial": 0.08,
    "services_start_up": 0.04,
    "services_rehabilitative": 0.14,
    "services_self_study": 0.10,
}
# Lahti's figure times these gives the comparison regions' (Päijät-Häme's labour force about 97,000 and rate
# about 14 %; the whole country's labour force about 2.76 million and rate about 12 %).
SCALE = {
    "MK07": {"labour_force": 1.72, "unemployed": 1.52, "foreign": 1.30, "vacancies": 1.90, "in_services": 1.58},
    "SSS": {"labour_force": 48.6, "unemployed": 36.7, "foreign": 47.0, "vacancies": 72.0, "in_services": 38.5},
}
_SCALE_GROUP = {
    "labour_force": "labour_force",
    "foreign": "foreign",
    "open_vacancies": "vacancies",
    "new_vacancies": "vacancies",
    "in_services": "in_services",
    **dict.fromkeys(SERVICE_SHARES, "in_services"),
}
_LAHTI_SERIES = (
    "unemployed",
    "labour_force",
    "under20",
    "under25",
    "under30",
    "over50",
    "foreign",
    "long_term",
    "open_vacancies",
    "new_vacancies",
    "dur_0_3",
    "dur_3_6",
    "dur_6_12",
    "dur_12_24",
    "dur_24_plus",
    "flow_over_3m",
    "in_services",
)


@dataclass(frozen=True)
class Convention:
    """How Statistics Finland names things in a body: before or after the change of 8.6.2026."""

    table_id: str
    region: str
    time: str
    content: str
    breakdown: dict[str, str]
    content_prefix: str
    category_prefix: str
    order: tuple[str, ...]  # dimension order by role


OLD = Convention(
    table_id="statfin_tyonv_pxt_{table}",
    region="Alue",
    time="Kuukausi",
    content="Tiedot",
    breakdown={"12ta": "Työttömyyden kesto", "12u6": "Palvelu"},
    content_prefix="",
    category_prefix="",
    order=("region", "breakdown", "time", "content"),
)
NEW = Convention(
    table_id="{table}",
    region="alue",
    time="timeperiod_m",
    content="contentscode",
    breakdown={"12ta": "kesto", "12u6": "palvelu"},
    content_prefix="{table}_",
    category_prefix="{variable}_",
    order=("time", "region", "breakdown", "content"),
)
_CATEGORY_LABELS = {"HENKILOT": "Henkilöitä", "TYOTTOMAT": "Työttömät työnhakijat"}


def convention_for(delivery: Period) -> Convention:
    """The naming convention of the bodies delivered for ``delivery``."""
    return NEW if delivery >= API_CHANGE else OLD


def updated_stamp(delivery: Period) -> str:
    """When the figures of ``delivery`` were published: a weekday near the 24th of the next month, 08:00 Finnish."""
    publication = delivery.shift(1)
    day = 20 + (delivery.month * 5) % 8
    return f"{publication.year:04d}-{publication.month:02d}-{day:02d}T05:00:00Z"


def figures(world: World) -> pd.DataFrame:
    """Final figures of every region, month and measure: columns region, period, measure, value, status."""
    rng = world.rng("statfin")
    lahti = world.labour_market.set_index("period")
    rows: list[dict[str, object]] = []
    for period in lahti.index:
        base = {name: float(lahti.at[period, name]) for name in _LAHTI_SERIES}
        for name, share in SERVICE_SHARES.items():
            base[name] = float(round(base["in_services"] * share))
        alternation = int(rng.integers(0, 9))
        for region in REGIONS:
            noise = 1.0 if region == "KU398" else rng.normal(1.0, 0.004)
            values = {
                name: (
                    value
                    if region == "KU398"
                    else float(round(value * SCALE[region][_SCALE_GROUP.get(name, "unemployed")] * noise))
                )
                for name, value in base.items()
            }
            values["rate"] = round(100 * values["unemployed"] / values["labour_force"], 1)
            values["activation_rate"] = round(
                100 * values["in_services"] / (values["unemployed"] + values["in_services"]), 1
            )
            for measure, value in values.items():
                rows.append({"region": region, "period": period, "measure": measure, "value": value, "status": None})
            rows.append(_alternation_row(region, Period.parse(period), alternation))
    return pd.DataFrame(rows)


def _alternation_row(region: str, period: Period, lahti_count: int) -> dict[str, object]:
    row: dict[str, object] = {"region": region, "period": str(period), "measure": "services_job_alternation"}
    if period > JOB_ALTERNATION_LAST:
        return {**row, "value": math.nan, "status": "."}
    count = lahti_count if region == "KU398" else round(lahti_count * SCALE[region]["in_services"])
    if 0 < count < SECRET_BELOW:
        return {**row, "value": math.nan, "status": ".."}
    return {**row, "value": float(count), "status": None}


Lookup = dict[tuple[str, str, str], tuple[float, str | None]]


def lookup(final: pd.DataFrame) -> Lookup:
    """(region, period, measure) -> (value, status symbol) of the :func:`figures` table."""
    statuses = [None if pd.isna(s) else str(s) for s in final["status"]]
    keys = zip(final["region"].tolist(), final["period"].tolist(), final["measure"].tolist(), strict=True)
    return dict(zip(keys, zip(final["value"].tolist(), statuses, strict=True), strict=True))


def body(
    spec: TableSpec, delivery: Period, final: Lookup, convention: Convention, months: Sequence[Period] | None = None
) -> dict:
    """The JSON-stat2 body PxWeb would return for ``spec`` in the delivery for ``delivery`` (``final``: figures).

    ``months`` defaults to the delivery's window (the 13 months up to ``delivery``, from 2024-01 on).
    """
    if months is None:
        months = [m for m in month_range(delivery.shift(1 - WINDOW_MONTHS), delivery) if m >= PUBLIC_FIRST]
    variable = convention.breakdown.get(spec.table)
    dims: dict[str, tuple[str, str, list[tuple[str, str, object]]]] = {
        "region": (convention.region, "Alue", [(code, label, code) for code, label in REGIONS.items()]),
        "time": (convention.time, "Kuukausi", [(month_code(m), month_code(m), str(m)) for m in months]),
    }
    content_prefix = convention.content_prefix.format(table=spec.table)
    contents = [
        (content_prefix + code, _CATEGORY_LABELS.get(code) or MEASURES[measure].label, measure)
        for code, measure in spec.contents.items()
    ]
    dims["content"] = (convention.content, "Tiedot", contents)
    if spec.breakdown and variable:
        prefix = convention.category_prefix.format(variable=variable)
        dims["breakdown"] = (
            variable,
            "Palvelu" if spec.table == "12u6" else "Työttömyyden kesto",
            [(prefix + code, MEASURES[measure].label, measure) for code, measure in spec.breakdown.items()],
        )
    order = [role for role in convention.order if role in dims]
    sizes = [len(dims[role][2]) for role in order]
    values: list[float | None] = []
    status: dict[str, str] = {}
    for position, combination in enumerate(np.ndindex(*sizes)):
        key = {role: dims[role][2][i][2] for role, i in zip(order, combination, strict=True)}
        measure = key.get("breakdown") or key["content"]
        value, symbol = final[(key["region"], key["time"], measure)]
        if symbol is None and key["time"] == str(delivery) and measure in PRELIMINARY:
            value = float(round(value * PRELIMINARY[measure]))
        values.append(
            None
            if pd.isna(value)
            else (int(value) if float(value).is_integer() and MEASURES[measure].unit == "count" else value)
        )
        if symbol is not None:
            status[str(position)] = symbol
    document = {
        "class": "dataset",
        "version": "2.0",
        "label": f"{spec.title} muuttujina " + ", ".join(dims[role][1] for role in order),
        "source": SOURCE,
        "updated": updated_stamp(delivery),
        "id": [dims[role][0] for role in order],
        "size": sizes,
        "dimension": {
            dims[role][0]: {
                "label": dims[role][1],
                "category": {
                    "index": {code: i for i, (code, _, _) in enumerate(dims[role][2])},
                    "label": {code: label for code, label, _ in dims[role][2]},
                },
            }
            for role in order
        },
        "value": values,
        "role": {"time": [convention.time], "metric": [convention.content]},
        "extension": {"px": {"tableid": convention.table_id.format(table=spec.table), "language": "fi"}},
    }
    if status:
        document["status"] = status
    return document


def write_statfin(world: World, raw_dir: Path) -> list[Path]:
    """Write the statistics bodies of every monthly delivery from 2024-01 to the world's last month."""
    final = lookup(figures(world))
    written = []
    for delivery in month_range(PUBLIC_FIRST, world.last):
        folder = raw_dir / str(delivery)
        folder.mkdir(parents=True, exist_ok=True)
        convention = convention_for(delivery)
        for table, spec in TABLES.items():
            path = folder / file_name(table)
            path.write_bytes(dumps(body(spec, delivery, final, convention)))
            written.append(path)
    return written
