"""Customer service events from the city's client system: the month's counts by age group, never person-level.

The client system's monthly report is an Excel workbook (``.xlsx``) with title rows above the header; the same
table saved as a Finnish CSV is accepted too. One row per age group, an optional ``Yhteensä`` row that must be
the sum of the others, and a row ``Nimetön asiointi`` for anonymous Ohjaamo visits (Ohjaamo serves everyone
under 30, also anonymously; plan, section 2).

Initial interviews are counted twice, within 5 and within 10 working days of the start of the job search, so that
the statutory deadline in force for the period (a dated rule in the parameters: 5 working days in 2025, 10 from
2026) can be applied by the KPI code without the data changing shape: see :func:`interviews_within_deadline`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serviceplan.core.errors import ServiceplanError
from serviceplan.core.periods import Period
from serviceplan.core.vocabulary import WITHIN_WORKING_DAYS
from serviceplan.inputs.contracts import Column, Contract, Finding, TableCheck, recode
from serviceplan.inputs.readers import RawTable, read_excel_table, read_finnish_csv
from serviceplan.inputs.sources.base import Dataset

# Age group as written in the report -> canonical code.
AGE_GROUP_CODES: dict[str, str] = {
    "alle 20": "under_20",
    "20-24": "20_24",
    "25-29": "25_29",
    "30-54": "30_54",
    "55-": "55_plus",
    "Nimetön asiointi": "anonymous",
}
TOTAL_LABEL = "Yhteensä"
# Canonical age groups of the plan's target groups.
UNDER_25: tuple[str, ...] = ("under_20", "20_24")
UNDER_30: tuple[str, ...] = ("under_20", "20_24", "25_29")
# Rows that may carry Ohjaamo visits: Ohjaamo is the low-threshold service for the under-30s, anonymous use included.
OHJAAMO_ROWS: tuple[str, ...] = ("alle 20", "20-24", "25-29", "Nimetön asiointi")
ANONYMOUS_LABEL = "Nimetön asiointi"


COUNT_COLUMNS: tuple[str, ...] = (
    "new_jobseekers",
    "initial_interviews",
    "interviews_within_5wd",
    "interviews_within_10wd",
    "discussions_due",
    "discussions_on_time",
    "customers",
    "named_advisor",
    "ohjaamo_visits",
)


def _not_more_than(part: str, whole: str, expected: str) -> TableCheck:
    """A check that column ``part`` is at most column ``whole`` on every row."""

    def check(frame: pd.DataFrame) -> list[Finding]:
        bad = frame[part] > frame[whole]
        return [
            Finding(int(p), part, str(frame.at[p, part]), f"{expected} ({frame.at[p, whole]} on this row)")
            for p in bad[bad].index
        ]

    return check


def _ohjaamo_only_under_30(frame: pd.DataFrame) -> list[Finding]:
    bad = ~frame["age_group"].isin((*OHJAAMO_ROWS, TOTAL_LABEL)) & (frame["ohjaamo_visits"] > 0)
    return [
        Finding(
            int(p),
            "ohjaamo_visits",
            str(frame.at[p, "ohjaamo_visits"]),
            "0 for the age groups 30 and over (Ohjaamo serves the under-30s)",
        )
        for p in bad[bad].index
    ]


def _anonymous_row_holds_visits_only(frame: pd.DataFrame) -> list[Finding]:
    anonymous = frame.index[frame["age_group"] == ANONYMOUS_LABEL]
    findings = []
    for p in anonymous:
        for column in COUNT_COLUMNS:
            if column != "ohjaamo_visits" and frame.at[p, column] != 0:
                findings.append(
                    Finding(
                        int(p),
                        column,
                        str(frame.at[p, column]),
                        "0 on the anonymous row (it counts anonymous Ohjaamo visits only)",
                    )
                )
    return findings


def _total_row_adds_up(frame: pd.DataFrame) -> list[Finding]:
    is_total = frame["age_group"] == TOTAL_LABEL
    if not is_total.any():
        return []
    position = int(frame.index[is_total][0])
    parts = frame[~is_total]
    findings = []
    for column in COUNT_COLUMNS:
        expected_sum = int(parts[column].sum())
        if int(frame.at[position, column]) != expected_sum:
            findings.append(
                Finding(
                    position,
                    column,
                    str(frame.at[position, column]),
                    f"the sum of the age-group rows ({expected_sum})",
                )
            )
    return findings


def _count(name: str, header: str, description: str) -> Column:
    return Column(name, header, "int", min=0, max=100_000, description=description)


CONTRACT = Contract(
    dataset="customer_events",
    columns=(
        Column("period", "Kuukausi", "period", description="reporting month"),
        Column("age_group", "Ikäryhmä", "code", allowed=(*AGE_GROUP_CODES, TOTAL_LABEL)),
        _count("new_jobseekers", "Uudet työnhakijat", "job searches started in the month"),
        _count("initial_interviews", "Alkuhaastattelut", "initial interviews held in the month"),
        _count("interviews_within_5wd", "Alkuhaastattelu 5 työpäivässä", "of those, within 5 working days"),
        _count("interviews_within_10wd", "Alkuhaastattelu 10 työpäivässä", "of those, within 10 working days"),
        _count("discussions_due", "Työnhakukeskustelut erääntyneet", "job-search discussions falling due"),
        _count("discussions_on_time", "Työnhakukeskustelut määräajassa", "of those, held by the due date"),
        _count("customers", "Asiakkaat kuukauden lopussa", "jobseeker customers at the end of the month"),
        _count("named_advisor", "Nimetty omatyöntekijä", "of those, with a named personal advisor"),
        _count("ohjaamo_visits", "Ohjaamo-käynnit", "visits to Ohjaamo (under 30s)"),
    ),
    key=("period", "age_group"),
    checks=(
        _not_more_than(
            "interviews_within_5wd", "interviews_within_10wd", "at most the interviews within 10 working days"
        ),
        _not_more_than("interviews_within_10wd", "initial_interviews", "at most the initial interviews held"),
        _not_more_than("discussions_on_time", "discussions_due", "at most the job-search discussions due"),
        _not_more_than("named_advisor", "customers", "at most the customers"),
        _ohjaamo_only_under_30,
        _anonymous_row_holds_visits_only,
        _total_row_adds_up,
    ),
)


def _canonical(raw: RawTable, period: Period) -> pd.DataFrame:
    """Check a delivered table and return canonical rows: the total row dropped, age groups as codes."""
    frame = CONTRACT.apply(raw, period)
    frame = frame[frame["age_group"] != TOTAL_LABEL].reset_index(drop=True)
    frame["age_group"] = recode(frame["age_group"], AGE_GROUP_CODES)
    return frame


def read_xlsx(path: Path, period: Period) -> pd.DataFrame:
    """Read the client system's Excel report (title rows above the header) into canonical rows."""
    return _canonical(read_excel_table(path, CONTRACT.headers), period)


def read_csv(path: Path, period: Period) -> pd.DataFrame:
    """Read the same report saved as a Finnish CSV into canonical rows."""
    return _canonical(read_finnish_csv(path, CONTRACT.headers), period)


def interviews_within_deadline(frame: pd.DataFrame, working_days: int) -> pd.Series:
    """Initial interviews held within ``working_days`` (the deadline in force, from the parameters) per row.

    The client system counts interviews within 5 and within 10 working days; a rule with another deadline
    cannot be computed from the delivery and raises :class:`ServiceplanError` saying so.
    """
    column = WITHIN_WORKING_DAYS.get(working_days)
    if column is None:
        known = " and ".join(str(d) for d in WITHIN_WORKING_DAYS)
        raise ServiceplanError(
            f"the statutory deadline in force is {working_days} working days, but the client system report counts "
            f"initial interviews within {known} working days only: add that count to the report"
        )
    return frame[column]


DATASET = Dataset(
    name="customer_events",
    title="Asiakastapahtumat (asiakastietojärjestelmä)",
    owner="Lahden työllisyyspalvelut (asiakastietojärjestelmän kuukausiraportti)",
    file_stem="asiakastapahtumat_{period}",
    readers={"xlsx": read_xlsx, "csv": read_csv},
    first_period=Period(2025, 1),
    description=(
        "New jobseekers, initial interviews within 5 and 10 working days, job-search discussions, customers with "
        "a named personal advisor and Ohjaamo visits, by age group, one report a month."
    ),
)
