"""Employer services' monthly report: vacancies, time to fill, placements, employer contacts and cooperation
events with Ladec (the city's business development company) and educational institutions (Salpaus, LAB, LUT...).

Delivered by the employer services team as an Excel workbook (``tyonantajapalvelut_YYYY-MM.xlsx``) with title
rows above the header: one row per occupational field (the teams are organised by field, plan policy line 7)
and a total row ``Yhteensä``. The total row carries the month's median time to fill, which cannot be rebuilt from
the field rows, so the canonical table keeps it, marked ``is_total``: sum the field rows *or* read the total row,
never both.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.inputs.contracts import AS_DELIVERED, Column, Contract, Finding, recode
from serviceplan.inputs.readers import read_excel_table
from serviceplan.inputs.sources.base import Dataset
from serviceplan.inputs.sources.breakdown import TOTAL_LABEL, every_group_once, not_above, totals_add_up

# Occupational field as written in the report -> canonical code.
FIELDS: dict[str, str] = {
    "Teollisuus ja tekniikka": "industry",
    "Rakentaminen": "construction",
    "Sosiaali- ja terveysala": "health_social",
    "Kauppa ja asiakaspalvelu": "retail_service",
    "Logistiikka ja kuljetus": "logistics",
    "Ravintola- ja majoitusala": "hospitality",
    "Toimisto-, ICT- ja asiantuntijatyö": "office_ict",
    "Muut alat": "other",
}
TOTAL_CODE = "total"
COUNT_COLUMNS: tuple[str, ...] = (
    "vacancies_received",
    "vacancies_filled",
    "vacancies_open",
    "placements",
    "employer_visits",
    "employer_calls",
    "events_ladec",
    "events_education",
)
# Means are delivered with one decimal, so the total row's mean may differ from the filled-weighted mean of the
# rounded field means by up to half a unit of the last decimal; allow one unit.
MEAN_ROUNDING_DAYS = 0.1

_MAX_COUNT = 100_000
_MAX_DAYS = 365

CONTRACT_COLUMNS = (
    Column("period", "Kuukausi", "period"),
    Column("field", "Ammattiala", "code", allowed=(*FIELDS, TOTAL_LABEL)),
    Column("vacancies_received", "Vastaanotetut työpaikat", "int", min=0, max=_MAX_COUNT),
    Column("vacancies_filled", "Täytetyt työpaikat", "int", min=0, max=_MAX_COUNT),
    Column("vacancies_open", "Avoimet kuun lopussa", "int", min=0, max=_MAX_COUNT),
    Column("days_to_fill_median", "Täyttöaika, mediaani (pv)", "decimal", min=0, max=_MAX_DAYS, optional=True),
    Column("days_to_fill_mean", "Täyttöaika, keskiarvo (pv)", "decimal", min=0, max=_MAX_DAYS, optional=True),
    Column("placements", "Työhön sijoittuneet", "int", min=0, max=_MAX_COUNT),
    Column("employer_visits", "Yrityskäynnit", "int", min=0, max=_MAX_COUNT),
    Column("employer_calls", "Puhelinkontaktit", "int", min=0, max=_MAX_COUNT),
    Column("events_ladec", "Yhteistyötapahtumat, Ladec", "int", min=0, max=_MAX_COUNT),
    Column("events_education", "Yhteistyötapahtumat, oppilaitokset", "int", min=0, max=_MAX_COUNT),
)
_HEADER = {c.name: c.header for c in CONTRACT_COLUMNS}


def _time_to_fill_given_when_filled(frame: pd.DataFrame) -> list[Finding]:
    """A row that filled vacancies states its times to fill; a row that filled none has none to state."""
    findings = []
    filled_column = frame["vacancies_filled"].tolist()
    times = {name: frame[name].tolist() for name in ("days_to_fill_median", "days_to_fill_mean")}
    for position in range(len(frame)):
        filled = int(filled_column[position])
        for name in ("days_to_fill_median", "days_to_fill_mean"):
            missing = pd.isna(times[name][position])
            if filled > 0 and missing:
                findings.append(Finding(position, name, "", "a time to fill when vacancies were filled on the row"))
            elif filled == 0 and not missing:
                findings.append(
                    Finding(position, name, AS_DELIVERED, "an empty cell: no vacancy was filled on the row")
                )
    return findings


def _total_times_consistent(frame: pd.DataFrame) -> list[Finding]:
    """The total row's mean is the filled-weighted mean of the fields'; its median lies within theirs."""
    is_total = frame["field"].astype(str) == TOTAL_LABEL
    if is_total.sum() != 1:
        return []
    position = int(is_total[is_total].index[0])
    parts = frame[~is_total & (frame["vacancies_filled"] > 0)]
    if parts.empty or parts["days_to_fill_mean"].isna().any() or pd.isna(frame.at[position, "days_to_fill_mean"]):
        return []
    findings = []
    weights = parts["vacancies_filled"].astype(float)
    expected_mean = float((parts["days_to_fill_mean"] * weights).sum() / weights.sum())
    if abs(float(frame.at[position, "days_to_fill_mean"]) - expected_mean) > MEAN_ROUNDING_DAYS + 1e-9:
        shown_mean = f"{expected_mean:.1f}".replace(".", ",")
        findings.append(
            Finding(
                position,
                "days_to_fill_mean",
                AS_DELIVERED,
                f"the mean of the field rows weighted by filled vacancies, {shown_mean} (total row)",
            )
        )
    median = frame.at[position, "days_to_fill_median"]
    low, high = parts["days_to_fill_median"].min(), parts["days_to_fill_median"].max()
    if pd.notna(median) and not parts["days_to_fill_median"].isna().any() and not low <= float(median) <= high:
        findings.append(
            Finding(
                position,
                "days_to_fill_median",
                AS_DELIVERED,
                f"a median between the field rows' smallest and largest median ({low:g}-{high:g} days; total row)",
            )
        )
    return findings


CONTRACT = Contract(
    dataset="employer_services",
    columns=CONTRACT_COLUMNS,
    key=("period", "field"),
    checks=(
        every_group_once("field", tuple(FIELDS)),
        totals_add_up("field", COUNT_COLUMNS),
        not_above("placements", "vacancies_filled", _HEADER["vacancies_filled"]),
        _time_to_fill_given_when_filled,
        _total_times_consistent,
    ),
)


def read_xlsx(path: Path, period: Period) -> pd.DataFrame:
    """Read one monthly employer services workbook (first sheet) into canonical rows."""
    frame = CONTRACT.apply(read_excel_table(path, CONTRACT.headers), period)
    frame["is_total"] = (frame["field"] == TOTAL_LABEL).astype(bool)
    frame["field"] = recode(frame["field"], {**FIELDS, TOTAL_LABEL: TOTAL_CODE})
    return frame


def totals(table: pd.DataFrame) -> pd.DataFrame:
    """The total rows of the canonical table (one a month), for the month's headline numbers."""
    return table[table["is_total"]].reset_index(drop=True)


DATASET = Dataset(
    name="employer_services",
    title="Työnantajapalvelujen kuukausiraportti",
    owner="Lahden työllisyyspalvelut, työnantajapalvelut",
    file_stem="tyonantajapalvelut_{period}",
    readers={"xlsx": read_xlsx},
    first_period=Period(2025, 1),
    description="Vacancies, time to fill, placements, employer contacts and cooperation events by occupational field.",
)
