"""Demo deliveries of the employment service statistics: the JSON-stat2 bodies a monthly fetch would have stored.

For each month ``M`` from 2024-01 on, ``data/raw/<M>/statfin_<table>.json`` holds the last 13 months up to ``M``
of each table, as PxWeb would have returned them when the figures of ``M`` were published, for every region a
report may need (:func:`demo_regions`): each city of the parameters' comparison group (the 12 largest cities)
with its region (maakunta), and the whole country. So any of those cities can be the reporting municipality with
one parameter change.

Deliveries before June 2026 use Statistics Finland's old conventions (long table ids, variables
``Alue``/``Kuukausi``/``Tiedot``, no prefixes). From June 2026 on they follow what was observed of the live API v1
after the change of 8.6.2026 (docs/domain.md): short table ids, ``Alue`` kept, ``timeperiod_m`` and ``contentscode``,
12r5's content codes unprefixed, and ``role.geo``, ``note`` and ``extension.px`` present. In both, a true zero
is sent as ``null`` with the status ``-`` (PX "nil"). Where nothing was observed for ``tyonv`` the demo
ASSUMES what was seen elsewhere (hyphen-prefixed value codes like ``tyonv-AKTASTE``, breakdown variables named by
code-list id) so that the readers meet those shapes too.

Lahti's figures come from :attr:`World.labour_market`; every other region has its own series
(:mod:`serviceplan.inputs.demo.labour_markets`). Realistic details: the first release of a month's flows is preliminary
and revised in the next delivery, small counts of job-alternation substitutes are confidential (``..``), months
without any are true zeros (``-``), and the scheme shows ``.`` (not applicable) once it has ended.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from serviceplan.core.params import Regions
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.demo.labour_markets import labour_markets
from serviceplan.inputs.demo.world import HOME_REGION, PUBLIC_FIRST, World
from serviceplan.inputs.jsonstat import NIL
from serviceplan.inputs.pxweb import month_code
from serviceplan.inputs.sources.statfin import MEASURES, TABLES, TableSpec, dumps, file_name

API_CHANGE = Period(2026, 6)  # deliveries from this month on use the June 2026 conventions
WINDOW_MONTHS = 13  # months in each delivery, as params statfin.window_months
PRELIMINARY = {"flow_over_3m": 0.97, "new_vacancies": 0.96}  # first release / final figure
# Job-alternation leave was abolished in 2024; the demo ASSUMES its substitutes fade out from 2025-01 (none left
# from October 2025, a true zero) and the statistic is not applicable after 2025-12.
JOB_ALTERNATION_FADE = (Period(2025, 1), Period(2025, 10))
JOB_ALTERNATION_LAST = Period(2025, 12)
SECRET_BELOW = 5  # counts 1..4 of a small category are published as ".." (confidential)
SOURCE = "KEHA-keskus, työnvälitystilasto"
NOTE = "Symbolit: - = ei mitään ilmoitettavaa, . = tieto on epälooginen esitettäväksi, .. = tietoa ei ole saatu"

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


@dataclass(frozen=True)
class Convention:
    """How Statistics Finland names things in a body: before or after the change of 8.6.2026."""

    table_id: str
    region: str
    time: str
    content: str
    breakdown: dict[str, str]
    content_prefix: str
    unprefixed: tuple[str, ...]  # tables whose content codes come without the prefix
    category_prefix: str
    order: tuple[str, ...]  # dimension order by role
    live: bool = False  # role.geo and note, as seen in the live service

    def content_code(self, table: str, code: str) -> str:
        """A content code of ``table`` as the body writes it."""
        return code if table in self.unprefixed else self.content_prefix + code


OLD = Convention(
    table_id="statfin_tyonv_pxt_{table}",
    region="Alue",
    time="Kuukausi",
    content="Tiedot",
    breakdown={"12ta": "Työttömyyden kesto", "12u6": "Palvelu"},
    content_prefix="",
    unprefixed=tuple(TABLES),
    category_prefix="",
    order=("region", "breakdown", "time", "content"),
)
NEW = Convention(
    table_id="{table}",
    region="Alue",
    time="timeperiod_m",
    content="contentscode",
    breakdown={"12ta": "tyottomyyden_kesto_1_20260101", "12u6": "palvelu_2_20260101"},
    content_prefix="tyonv-",
    unprefixed=("12r5",),
    category_prefix="tyonv-",
    order=("region", "breakdown", "time", "content"),
    live=True,
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


def demo_regions(regions: Regions) -> dict[str, str]:
    """Every region of the demo statistics, code -> Finnish name: each city of the comparison group (and the
    reporting and own-data municipalities) with its employment area and region, and the whole country; the
    reporting municipality's regions first, as a fetch asks for them."""
    cities = dict.fromkeys([regions.municipality, regions.own_data_municipality, *regions.comparison_group])
    codes = dict.fromkeys(code for city in cities for code in regions.report_regions(city))
    return {code: regions.name(code) for code in codes}


def figures(world: World, regions: Sequence[str]) -> pd.DataFrame:
    """Final figures of every region, month and measure: columns region, period, measure, value, status."""
    rng = world.rng("statfin")
    series = {code: frame.set_index("period") for code, frame in labour_markets(world, list(regions)).items()}
    home_services = series[HOME_REGION]["in_services"] if HOME_REGION in series else None
    rows: list[dict[str, object]] = []
    for period in series[regions[0]].index:
        alternation = int(rng.integers(0, 9))  # Lahti's job-alternation substitutes this month
        for region in regions:
            table = series[region]
            values = {name: float(table.at[period, name]) for name in table.columns}
            for name, share in SERVICE_SHARES.items():
                values[name] = float(round(values["in_services"] * share))
            values["rate"] = round(100 * values["unemployed"] / values["labour_force"], 1)
            values["activation_rate"] = round(
                100 * values["in_services"] / (values["unemployed"] + values["in_services"]), 1
            )
            for measure, value in values.items():
                rows.append({"region": region, "period": period, "measure": measure, "value": value, "status": None})
            scale = 1.0 if home_services is None else values["in_services"] / float(home_services.at[period])
            rows.append(_alternation_row(region, Period.parse(period), alternation * scale))
    return pd.DataFrame(rows)


def _alternation_row(region: str, period: Period, count: float) -> dict[str, object]:
    row: dict[str, object] = {"region": region, "period": str(period), "measure": "services_job_alternation"}
    if period > JOB_ALTERNATION_LAST:
        return {**row, "value": math.nan, "status": "."}
    start, end = JOB_ALTERNATION_FADE
    if period >= start:
        count = count * max(0.0, 1.0 - start.months_until(period) / start.months_until(end))
    count = round(count)
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
    spec: TableSpec,
    delivery: Period,
    final: Lookup,
    convention: Convention,
    regions: dict[str, str],
    months: Sequence[Period] | None = None,
) -> dict:
    """The JSON-stat2 body PxWeb would return for ``spec`` in the delivery for ``delivery`` (``final``: figures;
    ``regions``: code -> name of the regions asked for).

    ``months`` defaults to the delivery's window (the 13 months up to ``delivery``, from 2024-01 on).
    """
    if months is None:
        months = [m for m in month_range(delivery.shift(1 - WINDOW_MONTHS), delivery) if m >= PUBLIC_FIRST]
    variable = convention.breakdown.get(spec.table)
    dims: dict[str, tuple[str, str, list[tuple[str, str, object]]]] = {
        "region": (convention.region, "Alue", [(code, label, code) for code, label in regions.items()]),
        "time": (convention.time, "Kuukausi", [(month_code(m), month_code(m), str(m)) for m in months]),
    }
    contents = [
        (
            convention.content_code(spec.table, code),
            _CATEGORY_LABELS.get(code) or MEASURES[measure].label,
            measure,
        )
        for code, measure in spec.contents.items()
    ]
    dims["content"] = (convention.content, "Tiedot", contents)
    if spec.breakdown and variable:
        dims["breakdown"] = (
            variable,
            "Palvelu" if spec.table == "12u6" else "Työttömyyden kesto",
            [
                (convention.category_prefix + code, MEASURES[measure].label, measure)
                for code, measure in spec.breakdown.items()
            ],
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
        if symbol is None and MEASURES[measure].unit == "count" and value == 0:
            value, symbol = math.nan, NIL  # PxWeb sends a true zero as null with the status "-"
        values.append(
            None
            if pd.isna(value)
            else (int(value) if float(value).is_integer() and MEASURES[measure].unit == "count" else value)
        )
        if symbol is not None:
            status[str(position)] = symbol
    document: dict[str, object] = {
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
    if convention.live:
        document["role"] = {"time": [convention.time], "metric": [convention.content], "geo": [convention.region]}
        document["note"] = [NOTE]
    if status:
        document["status"] = status
    return document


def write_statfin(world: World, raw_dir: Path) -> list[Path]:
    """Write the statistics bodies of every monthly delivery from 2024-01 to the world's last month."""
    if not world.regions:
        raise ValueError("the demo world has no statistics regions (build_world(..., regions=demo_regions(...)))")
    final = lookup(figures(world, list(world.regions)))
    written = []
    for delivery in month_range(PUBLIC_FIRST, world.last):
        folder = raw_dir / str(delivery)
        folder.mkdir(parents=True, exist_ok=True)
        convention = convention_for(delivery)
        for table, spec in TABLES.items():
            path = folder / file_name(table)
            path.write_bytes(dumps(body(spec, delivery, final, convention, world.regions)))
            written.append(path)
    return written
