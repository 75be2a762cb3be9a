"""Demo files of the employer services' monthly report (Excel workbooks with title rows above the header).

Calibration: the vacancies the employer services receive follow the new vacancies of Lahti's public statistics
(``world.labour_market.new_vacancies``) and the open ones at month end its open vacancies (just under 800 in
August 2025, over 1,000 a year earlier; docs/domain.md). The other figures are demo assumptions, stated below.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font

from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.demo.city_services_files import save_workbook  # byte-reproducible .xlsx
from serviceplan.inputs.demo.world import CITY_FIRST, World
from serviceplan.inputs.sources.breakdown import TOTAL_LABEL
from serviceplan.inputs.sources.employer_services import CONTRACT

MONTHS_FI = (
    "tammikuu",
    "helmikuu",
    "maaliskuu",
    "huhtikuu",
    "toukokuu",
    "kesäkuu",
    "heinäkuu",
    "elokuu",
    "syyskuu",
    "lokakuu",
    "marraskuu",
    "joulukuu",
)

# Per occupational field (same order as FIELDS): share of the vacancies, mean days to fill in early 2025 and
# share of received vacancies that get filled. ASSUMPTIONS A29 of the demo: health care fills slowest, hospitality
# fastest; about 55 % of vacancies are marked filled.
FIELD_PROFILE: dict[str, tuple[float, float, float]] = {
    "Teollisuus ja tekniikka": (0.20, 34.0, 0.56),
    "Rakentaminen": (0.08, 29.0, 0.52),
    "Sosiaali- ja terveysala": (0.22, 46.0, 0.48),
    "Kauppa ja asiakaspalvelu": (0.18, 24.0, 0.60),
    "Logistiikka ja kuljetus": (0.10, 22.0, 0.62),
    "Ravintola- ja majoitusala": (0.10, 17.0, 0.64),
    "Toimisto-, ICT- ja asiantuntijatyö": (0.07, 38.0, 0.50),
    "Muut alat": (0.05, 30.0, 0.50),
}
FASTER_BY_2026_06 = 0.12  # time to fill shortens by this share over the demo (the plan's aim, policy line 7)
FILL_RATE_GAIN = 0.05  # and the share of vacancies filled rises by this much
VISITS_PER_MONTH = 70  # employer visits, all fields
CALLS_PER_MONTH = 460
LADEC_EVENTS = 5.0  # mean cooperation events a month with Ladec
EDUCATION_EVENTS = 8.0  # ... and with educational institutions
# Contacts dip in the summer holidays; educational institutions are closed in June-August.
CONTACT_SEASON = [1.0, 1.0, 1.05, 1.0, 1.0, 0.8, 0.45, 0.8, 1.1, 1.1, 1.05, 0.85]
EDUCATION_SEASON = [0.9, 1.1, 1.2, 1.1, 1.0, 0.3, 0.1, 0.5, 1.3, 1.3, 1.2, 0.8]


def _seasonal_shares(month: int) -> np.ndarray:
    """Field shares of the month's vacancies: hospitality peaks before summer, construction in spring."""
    shares = np.array([p[0] for p in FIELD_PROFILE.values()])
    names = list(FIELD_PROFILE)
    shares[names.index("Ravintola- ja majoitusala")] *= 1.0 + 0.4 * math.exp(-((month - 5.5) ** 2) / 2.0)
    shares[names.index("Rakentaminen")] *= 1.0 + 0.3 * math.exp(-((month - 4) ** 2) / 2.0)
    return shares / shares.sum()


def _split(total: int, shares: np.ndarray, rng: np.random.Generator) -> list[int]:
    """Split a whole count over the fields at random in proportion to ``shares``."""
    return [int(x) for x in rng.multinomial(total, shares)]


def report_rows(world: World, period: Period) -> list[list[object]]:
    """The body rows of one month's report (field rows, then the total row), cells as Excel would hold them."""
    rng = world.rng(f"employer_services {period}")  # one stream a month: a month's numbers never depend on others
    market = world.labour_market.set_index("period").loc[str(period)]
    progress = CITY_FIRST.months_until(period) / 17
    shares = _seasonal_shares(period.month)
    received = _split(int(market["new_vacancies"]), shares, rng)
    open_end = _split(int(market["open_vacancies"]), shares, rng)
    season = CONTACT_SEASON[period.month - 1]
    visits = _split(int(rng.poisson(VISITS_PER_MONTH * season)), shares, rng)
    calls = _split(int(rng.poisson(CALLS_PER_MONTH * season)), shares, rng)
    ladec = _split(int(rng.poisson(LADEC_EVENTS * season)), shares, rng)
    education = _split(int(rng.poisson(EDUCATION_EVENTS * EDUCATION_SEASON[period.month - 1])), shares, rng)
    rows: list[list[object]] = []
    for i, (label, (_, days, fill_rate)) in enumerate(FIELD_PROFILE.items()):
        filled = int(rng.binomial(received[i], min(fill_rate + FILL_RATE_GAIN * progress, 0.95)))
        placements = int(rng.binomial(filled, 0.44))
        if filled:
            mean = round(days * (1 - FASTER_BY_2026_06 * progress) * rng.normal(1.0, 0.06), 1)
            median = round(mean * rng.uniform(0.72, 0.86), 1)
        else:
            mean = median = None
        contacts = [visits[i], calls[i], ladec[i], education[i]]
        rows.append([str(period), label, received[i], filled, open_end[i], median, mean, placements, *contacts])
    rows.append(_total_row(period, rows))
    return rows


def _total_row(period: Period, rows: list[list[object]]) -> list[object]:
    timed = [(r[5], r[6], int(r[3])) for r in rows if r[3]]
    weight = sum(w for _, _, w in timed)
    mean = round(sum(m * w for _, m, w in timed) / weight, 1) if weight else None
    # the month's median over all filled vacancies lies between the fields' medians; the demo takes their
    # filled-weighted mean
    median = round(sum(md * w for md, _, w in timed) / weight, 1) if weight else None
    counts = [sum(int(r[c]) for r in rows) for c in (2, 3, 4)]
    others = [sum(int(r[c]) for r in rows) for c in range(7, 12)]
    return [str(period), TOTAL_LABEL, *counts, median, mean, *others]


def write_workbook(rows: list[list[object]], period: Period, path: Path) -> Path:
    """Write one month's report as the reporting tool exports it: title rows, a blank row, the header, the body."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Raportti"
    sheet.append(["Lahden kaupunki / Työllisyyspalvelut"])
    sheet.append([f"Työnantajapalvelujen kuukausiraportti, {MONTHS_FI[period.month - 1]} {period.year}"])
    sheet.append(["Lähde: työnantajapalvelujen kirjaukset ja työnvälityksen asiakastietojärjestelmä"])
    sheet.append([])
    sheet.append(CONTRACT.headers)
    for row in rows:
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=12)
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    # exported on the third day after the month, at 7 o'clock: a fixed stamp keeps the file's bytes reproducible
    run_day = period.last_day + timedelta(days=3)
    return save_workbook(book, path, datetime(run_day.year, run_day.month, run_day.day, 7, 0, 0))


def write_employer_services(world: World, raw_dir: Path) -> list[Path]:
    """Write one employer services workbook a month, 2025-01 onward."""
    return [
        write_workbook(report_rows(world, p), p, raw_dir / str(p) / f"tyonantajapalvelut_{p}.xlsx")
        for p in month_range(CITY_FIRST, world.last)
    ]
