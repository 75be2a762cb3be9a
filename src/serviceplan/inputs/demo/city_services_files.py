"""Demo files of the city's own service datasets: customer service events, services and outcomes, grants.

Each dataset has its own latent series here, drawn from its own random stream (``world.rng(name)``), and is tied
to the shared world where the datasets must agree: the stock of people in services is the public statistics'
``in_services`` (the activation rate), service costs are the ledger's cost centres of pay subsidy, coaching and
training and of integration training, and the grants paid each month add up to the ledger's grant account of the
voluntary budget class. Calibration figures come from docs/domain.md; the rest are demo assumptions.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from serviceplan.core.finnish_csv import write_finnish_csv
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.demo.budget_files import ledger_rows
from serviceplan.inputs.demo.world import CITY_FIRST, World, seasonal_unemployment
from serviceplan.inputs.sources import customer_events, grants, services

# ---------------------------------------------------------------------------------------------------------------
# Shared helpers


def _curve(anchors: dict[Period, float], period: Period) -> float:
    """Piecewise-linear value between dated anchors, flat outside them."""
    points = sorted(anchors.items())
    return float(np.interp(period.index, [p.index for p, _ in points], [v for _, v in points]))


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into whole numbers proportional to ``weights`` that add up to ``total`` exactly."""
    scaled = np.asarray(weights, dtype=float) / float(sum(weights)) * total
    counts = np.floor(scaled).astype(int)
    order = np.argsort(-(scaled - counts), kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return [int(c) for c in counts]


def month_rng(world: World, dataset: str, period: Period) -> np.random.Generator:
    """The random stream of one dataset's month: a child of ``world.rng(dataset)`` keyed by the month.

    Each month gets its own stream so that a file can be written without drawing all the months before it.
    """
    parent = world.rng(dataset).bit_generator.seed_seq
    return np.random.default_rng(np.random.SeedSequence(parent.entropy, spawn_key=(period.index,)))


def _ledger_amount(world: World, period: Period, cost_centre: str, account: str | None = None) -> float:
    """Euros the demo ledger books for a cost centre (and account) in a month, so datasets agree with it."""
    rows = ledger_rows(world, period)
    rows = rows[rows["Kustannuspaikka"] == cost_centre]
    if account is not None:
        rows = rows[rows["Tili"] == account]
    return float(rows["Summa"].sum())


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")


def save_workbook(workbook: openpyxl.Workbook, path: Path, stamp: datetime) -> Path:
    """Save ``workbook`` with byte-identical output for identical content.

    openpyxl writes the current time into the document properties and the zip entries; both are replaced by
    ``stamp`` and a fixed zip time, so that the demo files (and the content hashes built on them) never depend on
    when the demo was generated.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(lambda m: m.group(1) + iso, data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return path


# ---------------------------------------------------------------------------------------------------------------
# Customer service events (client system report, .xlsx)

# New job searches a month at 9,000 unemployed (trend) outside the seasons (docs/domain.md: about 700–900, July peak).
NEW_JOBSEEKERS_BASE = 770
NEW_SHARE = {"alle 20": 0.07, "20-24": 0.15, "25-29": 0.13, "30-54": 0.50, "55-": 0.15}
SUMMER_YOUTH = {"alle 20": 1.6, "20-24": 1.3}  # school leavers register in June–July
# Share of initial interviews held within 10 working days. The average wait in Päijät-Häme was about 35 days in
# 2025 (docs/domain.md), so few made the 5-day rule; staffing up for the 10-day rule of 2026 lifts the shares.
WITHIN_10_SHARE = {Period(2025, 1): 0.14, Period(2025, 12): 0.30, Period(2026, 1): 0.55, Period(2026, 6): 0.74}
WITHIN_5_OF_10 = {Period(2025, 1): 0.38, Period(2026, 6): 0.46}  # of those within 10 days, the share within 5
INTERVIEWS_PER_NEW = {Period(2025, 1): 0.90, Period(2025, 12): 0.96, Period(2026, 6): 0.99}
DISCUSSIONS_ON_TIME = {Period(2025, 1): 0.52, Period(2025, 12): 0.74, Period(2026, 6): 0.83}
# A named personal advisor: the plan promises one to every under-25 customer (plan, section 2).
NAMED_ADVISOR_UNDER_25 = {Period(2025, 1): 0.64, Period(2025, 12): 0.93, Period(2026, 6): 0.985}
NAMED_ADVISOR_OTHERS = {Period(2025, 1): 0.42, Period(2026, 6): 0.58}
CUSTOMERS_PER_JOBSEEKER = 1.08  # employed and laid-off jobseekers are customers too
OVER_55_OF_OVER_50 = 0.62  # the public statistics give the over-50s; the report's oldest group starts at 55
# A job-search discussion falls due every 3 months (params: service_level; the demo world carries no parameters).
DISCUSSION_INTERVAL_MONTHS = 3
OHJAAMO_VISITS = {"alle 20": 85, "20-24": 150, "25-29": 65, "Nimetön asiointi": 35}
OHJAAMO_SEASON = {6: 0.8, 7: 0.45, 8: 0.85, 12: 0.8}


def _customers_by_age(labour: pd.Series) -> dict[str, int]:
    """Jobseeker customers at the end of the month by age group, from the public statistics' stocks."""
    per_person = (labour["unemployed"] + labour["in_services"]) / labour["unemployed"] * CUSTOMERS_PER_JOBSEEKER
    under20 = int(labour["under20"])
    u20_24 = int(labour["under25"]) - under20
    u25_29 = int(labour["under30"]) - int(labour["under25"])
    over55 = round(int(labour["over50"]) * OVER_55_OF_OVER_50)
    middle = int(labour["unemployed"]) - int(labour["under30"]) - over55
    unemployed = {"alle 20": under20, "20-24": u20_24, "25-29": u25_29, "30-54": middle, "55-": over55}
    return {group: round(n * per_person) for group, n in unemployed.items()}


def customer_events_rows(world: World, period: Period) -> pd.DataFrame:
    """The client system's report of one month: a row per age group, the anonymous row and the total row."""
    rng = month_rng(world, "customer_events", period)
    labour = world.labour_market.set_index("period").loc[str(period)]
    season = 1.0 + 0.13 * math.exp(-((period.month - 7) ** 2) / 0.8) + 0.05 * math.exp(-((period.month - 1) ** 2))
    trend = labour["unemployed"] / seasonal_unemployment(period)  # unemployment without its own season
    expected_new = NEW_JOBSEEKERS_BASE * trend / 9000 * season
    youth = {g: SUMMER_YOUTH.get(g, 1.0) if period.month in (6, 7) else 1.0 for g in NEW_SHARE}
    shares = np.array([NEW_SHARE[g] * youth[g] for g in NEW_SHARE])
    new_by_group = rng.multinomial(rng.poisson(expected_new), shares / shares.sum())
    customers = _customers_by_age(labour)
    summer_staff = 0.85 if period.month == 7 else 1.0  # holidays: fewer interviews, later
    rows = []
    for group, new in zip(NEW_SHARE, new_by_group, strict=True):
        under25 = customer_events.AGE_GROUP_CODES[group] in customer_events.UNDER_25
        held = rng.binomial(new, min(1.0, _curve(INTERVIEWS_PER_NEW, period) * summer_staff))
        within10 = rng.binomial(held, _curve(WITHIN_10_SHARE, period) * summer_staff)
        within5 = rng.binomial(within10, _curve(WITHIN_5_OF_10, period))
        due = round(customers[group] / DISCUSSION_INTERVAL_MONTHS * rng.normal(1.0, 0.03))
        on_time = rng.binomial(due, _curve(DISCUSSIONS_ON_TIME, period) * summer_staff)
        advisor = rng.binomial(
            customers[group], _curve(NAMED_ADVISOR_UNDER_25 if under25 else NAMED_ADVISOR_OTHERS, period)
        )
        visits = rng.poisson(OHJAAMO_VISITS.get(group, 0) * OHJAAMO_SEASON.get(period.month, 1.0))
        counts = (new, held, within5, within10, due, on_time, customers[group], advisor, visits)
        rows.append([group, *(int(c) for c in counts)])
    anonymous_visits = OHJAAMO_VISITS["Nimetön asiointi"] * OHJAAMO_SEASON.get(period.month, 1.0)
    rows.append(["Nimetön asiointi", 0, 0, 0, 0, 0, 0, 0, 0, int(rng.poisson(anonymous_visits))])
    headers = customer_events.CONTRACT.headers
    frame = pd.DataFrame([[str(period), *row] for row in rows], columns=headers)
    total = [str(period), customer_events.TOTAL_LABEL, *(int(frame[h].sum()) for h in headers[2:])]
    frame.loc[len(frame)] = total
    return frame


def write_customer_events_xlsx(frame: pd.DataFrame, period: Period, path: Path) -> Path:
    """Write one month's report as the client system does: title rows, then the table; months as date cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Asiakastapahtumat"
    run_day = period.shift(1).first_day
    sheet.append(["Lahden kaupunki – työllisyyspalvelut"])
    sheet.append([f"Asiakastapahtumat ikäryhmittäin {period.month}/{period.year}"])
    sheet.append([f"Raportti ajettu {run_day.day}.{run_day.month}.{run_day.year}"])
    sheet.append([])
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([date(period.year, period.month, 1), *(v if isinstance(v, str) else int(v) for v in values[1:])])
        sheet.cell(row=sheet.max_row, column=1).number_format = "m/yyyy"
    return save_workbook(workbook, path, datetime(run_day.year, run_day.month, run_day.day, 6, 0, 0))


def write_customer_events(world: World, raw_dir: Path) -> list[Path]:
    """Write the client system's Excel report for every month, 2025-01 onward."""
    stem = customer_events.DATASET.file_stem
    return [
        write_customer_events_xlsx(
            customer_events_rows(world, p), p, raw_dir / str(p) / f"{stem.format(period=p)}.xlsx"
        )
        for p in month_range(CITY_FIRST, world.last)
    ]


# ---------------------------------------------------------------------------------------------------------------
# Services and outcomes (service register export, cp1252 CSV)


@dataclass(frozen=True)
class ServiceLine:
    """One service type as one provider produces it, with its demo calibration."""

    service: str  # service type as written in the export
    provider: str
    mode: str  # production mode as written in the export
    outcome_based: bool
    weight: float  # relative share of the people in services
    duration_months: float  # mean time in the service


# Demo providers are fictitious on purpose: the figures must not be read as facts about real organisations.
SERVICE_LINES: tuple[ServiceLine, ...] = (
    ServiceLine("Palkkatuki", "Työnantajat (palkkatuki)", "Oma tuotanto", False, 0.34, 8.0),
    ServiceLine("Starttiraha", "Lahden kaupunki", "Oma tuotanto", False, 0.04, 6.0),
    ServiceLine("Työvoimakoulutus", "Koulutuskuntayhtymä (sidosyksikkö)", "Sidosyksikkö", False, 0.10, 5.0),
    ServiceLine("Työvoimakoulutus", "Koulutus A Oy", "Ostopalvelu", False, 0.04, 4.0),
    ServiceLine("Valmennus", "Lahden kaupunki", "Oma tuotanto", False, 0.05, 3.0),
    ServiceLine("Valmennus", "Valmennus B Oy", "Ostopalvelu", True, 0.05, 3.0),
    ServiceLine("Valmennus", "Valmennus C Oy", "Ostopalvelu", False, 0.03, 3.0),
    ServiceLine("Valmennus", "Yhdistys D ry", "Kumppanuus", False, 0.012, 4.0),
    ServiceLine("Työkokeilu", "Lahden kaupunki", "Oma tuotanto", False, 0.06, 3.0),
    ServiceLine("Työkokeilu", "Yhdistys D ry", "Kumppanuus", False, 0.01, 3.0),
    ServiceLine("Kuntouttava työtoiminta", "Lahden kaupunki", "Oma tuotanto", False, 0.10, 6.0),
    ServiceLine("Kuntouttava työtoiminta", "Yhdistys E ry", "Kumppanuus", False, 0.05, 6.0),
    ServiceLine("Kotoutumiskoulutus", "Koulutuskuntayhtymä (sidosyksikkö)", "Sidosyksikkö", False, 0.06, 10.0),
    ServiceLine("Kotoutumiskoulutus", "Kielikoulu F Oy", "Ostopalvelu", True, 0.028, 8.0),
)
# Service costs come from the ledger's cost centres (demo/budget_files.py): cost centre -> share per service type.
COST_POOLS: dict[str, dict[str, float]] = {
    "451020": {"Palkkatuki": 0.92, "Starttiraha": 0.08},  # pay subsidy and start-up grant
    "451030": {"Työvoimakoulutus": 0.45, "Valmennus": 0.38, "Työkokeilu": 0.05, "Kuntouttava työtoiminta": 0.12},
    "451060": {"Kotoutumiskoulutus": 0.70},  # the rest of that centre is change security
}
# Status 3 and 6 months after the service: open-market work, subsidised work, education, unemployed, outside the
# labour force. All services together land near the national 22 % / 25 % open-market shares (docs/domain.md);
# rehabilitative work and integration training are clearly weaker, so an effectiveness threshold flags them.
STATUS_PROBABILITIES: dict[str, dict[int, tuple[float, float, float, float, float]]] = {
    "Palkkatuki": {3: (0.30, 0.12, 0.04, 0.46, 0.08), 6: (0.33, 0.08, 0.05, 0.45, 0.09)},
    "Starttiraha": {3: (0.72, 0.02, 0.02, 0.20, 0.04), 6: (0.68, 0.02, 0.03, 0.22, 0.05)},
    "Työvoimakoulutus": {3: (0.28, 0.06, 0.10, 0.48, 0.08), 6: (0.32, 0.06, 0.10, 0.43, 0.09)},
    "Valmennus": {3: (0.20, 0.07, 0.12, 0.52, 0.09), 6: (0.24, 0.07, 0.13, 0.46, 0.10)},
    "Työkokeilu": {3: (0.16, 0.10, 0.12, 0.52, 0.10), 6: (0.19, 0.09, 0.13, 0.48, 0.11)},
    "Kuntouttava työtoiminta": {3: (0.03, 0.06, 0.05, 0.56, 0.30), 6: (0.04, 0.06, 0.06, 0.53, 0.31)},
    "Kotoutumiskoulutus": {3: (0.08, 0.05, 0.25, 0.52, 0.10), 6: (0.11, 0.05, 0.24, 0.49, 0.11)},
}
OUTCOME_BASED_LIFT = 1.25  # outcome-based contracts place a quarter more people in open-market work


def service_flows(world: World) -> pd.DataFrame:
    """Starts, stock, ends and cost per service line and month, 2025-01 onward (one row per line and month).

    The total stock of every month is the public statistics' ``in_services``; each line's ends are drawn from its
    stock and mean duration, and starts are whatever keeps the stock on course.
    """
    rng = world.rng("services")
    in_services = world.labour_market.set_index("period")["in_services"]
    weights = [line.weight for line in SERVICE_LINES]
    previous = _allocate(int(in_services[str(CITY_FIRST.shift(-1))]), weights)
    rows = []
    for period in month_range(CITY_FIRST, world.last):
        noisy = [w * rng.normal(1.0, 0.02) for w in weights]
        stock = _allocate(int(in_services[str(period)]), noisy)
        costs = _service_costs(world, period, stock)
        for line, before, now, cost in zip(SERVICE_LINES, previous, stock, costs, strict=True):
            ends = min(before, int(rng.poisson(before / line.duration_months)))
            starts = now - before + ends
            if starts < 0:
                ends, starts = ends - starts, 0
            rows.append(
                {
                    "period": str(period),
                    "service": line.service,
                    "provider": line.provider,
                    "mode": line.mode,
                    "outcome_based": line.outcome_based,
                    "starts": starts,
                    "stock": now,
                    "ends": ends,
                    "cost_eur": cost,
                }
            )
        previous = stock
    return pd.DataFrame(rows)


def _service_costs(world: World, period: Period, stock: list[int]) -> list[float]:
    """Each line's cost: its service type's share of a ledger cost centre, split between providers by stock."""
    type_cost: dict[str, float] = {}
    for centre, shares in COST_POOLS.items():
        amount = _ledger_amount(world, period, centre)
        for service, share in shares.items():
            type_cost[service] = amount * share
    costs = []
    for line, people in zip(SERVICE_LINES, stock, strict=True):
        type_stock = sum(s for other, s in zip(SERVICE_LINES, stock, strict=True) if other.service == line.service)
        costs.append(round(type_cost[line.service] * people / max(type_stock, 1), 2))
    return costs


def services_rows(flows: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The services export of one month, with the export's Finnish headers."""
    month = flows[flows["period"] == str(period)]
    return pd.DataFrame(
        {
            "Kuukausi": month["period"],
            "Palvelu": month["service"],
            "Palveluntuottaja": month["provider"],
            "Tuotantotapa": month["mode"],
            "Tulosperusteinen": ["kyllä" if flag else "ei" for flag in month["outcome_based"]],
            "Aloittaneet": month["starts"],
            "Palvelussa kuukauden lopussa": month["stock"],
            "Päättyneet": month["ends"],
            "Kustannus €": month["cost_eur"].astype(float),
        }
    )


def _status_probabilities(line: ServiceLine, follow_up: int) -> np.ndarray:
    probabilities = np.array(STATUS_PROBABILITIES[line.service][follow_up])
    if line.outcome_based:
        lifted = probabilities[0] * OUTCOME_BASED_LIFT
        probabilities[3] -= lifted - probabilities[0]
        probabilities[0] = lifted
    return probabilities / probabilities.sum()


def outcome_rows(world: World, flows: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The outcome export of one month: statuses of the cohorts that ended 3 and 6 months earlier."""
    rng = month_rng(world, "service_outcomes", period)
    rows = []
    for follow_up in services.FOLLOW_UP_MONTHS:
        cohort = period.shift(-follow_up)
        if cohort < CITY_FIRST:
            continue
        ended = flows[flows["period"] == str(cohort)]
        for line, ends in zip(SERVICE_LINES, ended["ends"], strict=True):
            if ends == 0:
                continue
            statuses = rng.multinomial(int(ends), _status_probabilities(line, follow_up))
            rows.append(
                [str(period), line.service, line.provider, str(follow_up), str(cohort), int(ends)]
                + [int(n) for n in statuses]
            )
    return pd.DataFrame(rows, columns=services.OUTCOMES_CONTRACT.headers)


def write_services(world: World, raw_dir: Path) -> list[Path]:
    """Write the services export (cp1252, as the older export tool does) for every month, 2025-01 onward."""
    flows = service_flows(world)
    stem = services.DATASET.file_stem
    return [
        write_finnish_csv(services_rows(flows, p), raw_dir / str(p) / f"{stem.format(period=p)}.csv", encoding="cp1252")
        for p in month_range(CITY_FIRST, world.last)
    ]


def write_service_outcomes(world: World, raw_dir: Path) -> list[Path]:
    """Write the outcome export (cp1252) for every month with a cohort to follow up, 2025-04 onward."""
    flows = service_flows(world)
    stem = services.OUTCOMES_DATASET.file_stem
    return [
        write_finnish_csv(
            outcome_rows(world, flows, p), raw_dir / str(p) / f"{stem.format(period=p)}.csv", encoding="cp1252"
        )
        for p in month_range(services.OUTCOMES_DATASET.first_period, world.last)
    ]


# ---------------------------------------------------------------------------------------------------------------
# Grants (grants administration export, UTF-8 CSV without BOM)

GRANT_LEDGER = ("451010", "4700")  # the ledger's grant account of the voluntary class (demo/budget_files.py)
# Share of the month's grant payments per grant type by calendar month (rows add up to 1). Vouchers and summer
# interns are paid in the summer; association grants mostly in February–March.
GRANT_MONTH_SHARES: dict[str, list[float]] = {
    #                      Jan   Feb   Mar   Apr   May   Jun   Jul   Aug   Sep   Oct   Nov   Dec
    "Lahti-lisä": [0.55, 0.45, 0.45, 0.55, 0.50, 0.18, 0.15, 0.35, 0.58, 0.58, 0.58, 0.58],
    "Rekrytointipalkkio": [0.12, 0.10, 0.10, 0.12, 0.10, 0.04, 0.03, 0.08, 0.12, 0.12, 0.12, 0.12],
    "Kesätyöseteli": [0.00, 0.00, 0.00, 0.00, 0.02, 0.40, 0.40, 0.20, 0.02, 0.00, 0.00, 0.00],
    "Kesäharjoittelijat": [0.00, 0.00, 0.00, 0.00, 0.10, 0.30, 0.35, 0.20, 0.00, 0.00, 0.00, 0.00],
    "Työpajat": [0.23, 0.20, 0.20, 0.23, 0.20, 0.06, 0.05, 0.12, 0.23, 0.23, 0.23, 0.23],
    "Yhdistysavustukset": [0.10, 0.25, 0.25, 0.10, 0.08, 0.02, 0.02, 0.05, 0.05, 0.07, 0.07, 0.07],
}
LAHTI_LISA_FIRST = Period(2025, 2)  # Lahti-lisä under the city's new rules from February 2025 (docs/domain.md)
SUMMER_JOB_VOUCHER_EUR = 300  # every 9th-grader (docs/domain.md)
NINTH_GRADERS = (1250, 1300)  # the cohort that gets a voucher each spring (docs/domain.md)
LAHTI_LISA_MONTHLY_EUR = (950.0, 1200.0)  # mean paid per recipient and month; the maximum is 1,260 (docs/domain.md)
LAHTI_LISA_MONTHS = 4.5  # mean subsidy length (at most 6 months, docs/domain.md)
RECRUITMENT_BONUS_EUR = 2000.0  # demo assumption
INTERN_MONTHLY_EUR = 1900.0  # demo assumption
WORKSHOPS = 3  # the environmental workshop and two youth workshops (plan, section 1 table)
CONTINUING_SHARE = {"Lahti-lisä": 0.62, "Rekrytointipalkkio": 0.72}
BONUS_FOLLOW_UPS_PER_HIRE = 0.8  # recruitment-bonus jobs reaching their follow-up point a month, per new hire


def grant_payments(world: World) -> pd.DataFrame:
    """Euros paid per grant type and month: the ledger's grant account split by the month's shares, to the cent."""
    rows = []
    for period in month_range(CITY_FIRST, world.last):
        total = _ledger_amount(world, period, *GRANT_LEDGER)
        shares = {g: s[period.month - 1] for g, s in GRANT_MONTH_SHARES.items()}
        if period < LAHTI_LISA_FIRST:
            shares["Lahti-lisä"] = 0.0
        weight = sum(shares.values())
        for grant, share in shares.items():
            rows.append({"period": str(period), "grant": grant, "planned_eur": total * share / weight})
        rows.append({"period": str(period), "grant": "_total", "planned_eur": total})
    return pd.DataFrame(rows)


def grants_rows(world: World, period: Period, payments: pd.DataFrame | None = None) -> pd.DataFrame:
    """The grants export of one month, with the export's Finnish headers.

    ``payments`` is :func:`grant_payments` of the world, computed once by the writer (it is derived if omitted).
    """
    rng = month_rng(world, "grants", period)
    payments = grant_payments(world) if payments is None else payments
    planned = payments[payments["period"] == str(period)].set_index("grant")["planned_eur"]
    previous = payments[payments["period"] == str(period.shift(-1))].set_index("grant")["planned_eur"]
    rows: dict[str, list[object]] = {}

    vouchers = round(planned["Kesätyöseteli"] / SUMMER_JOB_VOUCHER_EUR)
    issued = int(rng.integers(NINTH_GRADERS[0], NINTH_GRADERS[1] + 1)) if period.month == 4 else 0
    rows["Kesätyöseteli"] = [issued, vouchers, float(vouchers * SUMMER_JOB_VOUCHER_EUR), None, None]

    lahti_lisa = float(planned["Lahti-lisä"])
    mean_paid = rng.uniform(*LAHTI_LISA_MONTHLY_EUR)
    recipients = math.ceil(lahti_lisa / mean_paid) if lahti_lisa > 0 else 0
    earlier = math.ceil(float(previous.get("Lahti-lisä", 0.0)) / mean_paid)
    ended = int(rng.binomial(earlier, 1 / LAHTI_LISA_MONTHS)) if earlier else 0
    rows["Lahti-lisä"] = [
        int(rng.poisson(recipients / LAHTI_LISA_MONTHS)),
        recipients,
        round(lahti_lisa, 2),
        ended,
        int(rng.binomial(ended, CONTINUING_SHARE["Lahti-lisä"])),
    ]

    bonus = float(planned["Rekrytointipalkkio"])
    hires = max(1, round(bonus / RECRUITMENT_BONUS_EUR))
    followed = int(rng.poisson(hires * BONUS_FOLLOW_UPS_PER_HIRE))
    rows["Rekrytointipalkkio"] = [
        hires + int(rng.integers(0, 3)),
        hires,
        round(bonus, 2),
        followed,
        int(rng.binomial(followed, CONTINUING_SHARE["Rekrytointipalkkio"])),
    ]

    interns_paid = float(planned["Kesäharjoittelijat"])
    interns = round(interns_paid / INTERN_MONTHLY_EUR)
    june = payments[(payments["period"] == f"{period.year}-06") & (payments["grant"] == "Kesäharjoittelijat")]
    hired = round(float(june["planned_eur"].sum()) / INTERN_MONTHLY_EUR) if period.month == 4 else 0
    rows["Kesäharjoittelijat"] = [hired, interns, round(interns_paid, 2) if interns else 0.0, None, None]

    rows["Työpajat"] = [WORKSHOPS if period.month == 1 else 0, WORKSHOPS, round(float(planned["Työpajat"]), 2)]
    rows["Työpajat"] += [None, None]

    spring = period.month in (2, 3)
    associations = int(rng.integers(14, 21)) if spring else int(rng.integers(1, 5))
    paid_so_far = sum(float(r[2]) for r in rows.values())
    rows["Yhdistysavustukset"] = [
        int(rng.integers(30, 38)) if period.month == 2 else 0,
        associations,
        round(float(planned["_total"]) - paid_so_far, 2),
        None,
        None,
    ]
    frame = pd.DataFrame(
        [[str(period), grant, *rows[grant]] for grant in GRANT_MONTH_SHARES],
        columns=grants.CONTRACT.headers,
    )
    for column in ("Päättyneet tuet", "Työsuhde jatkuu"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame


def write_grants(world: World, raw_dir: Path) -> list[Path]:
    """Write the grants export (UTF-8 without BOM) for every month, 2025-01 onward."""
    stem = grants.DATASET.file_stem
    payments = grant_payments(world)
    return [
        write_finnish_csv(
            grants_rows(world, p, payments), raw_dir / str(p) / f"{stem.format(period=p)}.csv", encoding="utf-8"
        )
        for p in month_range(CITY_FIRST, world.last)
    ]
