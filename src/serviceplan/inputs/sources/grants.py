"""Voluntary grants (the plan's budget class *vapaaehtoinen*): decisions and payments by grant type, monthly.

Delivered by the grants administration as a Finnish CSV (``;``, decimal comma) in UTF-8 without a byte-order mark.
One row per grant type: decisions made in the month, recipients paid, euros paid, and for the grants that
subsidise a job (Lahti-lisä, recruitment bonus) the subsidies that ended in the month and how many of those jobs
continued after the subsidy. Grant types may be discontinued (plan, section 4), so a month need not list all.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serviceplan.core.periods import Period
from serviceplan.core.vocabulary import GRANT_TYPE_CODES
from serviceplan.inputs.contracts import Column, Contract, Finding, recode
from serviceplan.inputs.readers import read_finnish_csv
from serviceplan.inputs.sources.base import Dataset

# Grant type as written in the export -> canonical code (plan: "Vapaaehtoinen" budget class).
# Grants that subsidise a job: only these report ended subsidies and jobs continuing after them.
FOLLOW_UP_GRANTS: tuple[str, ...] = ("Lahti-lisä", "Rekrytointipalkkio")


def _follow_up_only_for_job_grants(frame: pd.DataFrame) -> list[Finding]:
    findings = []
    for p in frame.index:
        grant = str(frame.at[p, "grant_type"])
        for column in ("subsidies_ended", "jobs_continuing"):
            value = frame.at[p, column]
            if grant in FOLLOW_UP_GRANTS and pd.isna(value):
                findings.append(Finding(int(p), column, "", f"a whole number for {grant} (a grant with a follow-up)"))
            elif grant not in FOLLOW_UP_GRANTS and not pd.isna(value):
                findings.append(
                    Finding(
                        int(p),
                        column,
                        str(value),
                        "an empty cell: only " + " and ".join(FOLLOW_UP_GRANTS) + " have a follow-up of the job",
                    )
                )
    return findings


def _continuing_within_ended(frame: pd.DataFrame) -> list[Finding]:
    bad = (frame["jobs_continuing"] > frame["subsidies_ended"]).fillna(False)
    return [
        Finding(
            int(p),
            "jobs_continuing",
            str(frame.at[p, "jobs_continuing"]),
            f"at most the subsidies that ended ({frame.at[p, 'subsidies_ended']} on this row)",
        )
        for p in bad[bad].index
    ]


def _payments_have_recipients(frame: pd.DataFrame) -> list[Finding]:
    paid = (frame["paid_eur"] > 0).to_numpy(dtype=bool)
    has_recipients = (frame["recipients"] > 0).to_numpy(dtype=bool)
    findings = [
        Finding(int(p), "recipients", "0", "at least 1 when euros were paid on the row")
        for p in frame.index[paid & ~has_recipients]
    ]
    findings += [
        Finding(int(p), "paid_eur", "0", "more than 0 when the row has recipients")
        for p in frame.index[~paid & has_recipients]
    ]
    return findings


CONTRACT = Contract(
    dataset="grants",
    columns=(
        Column("period", "Kuukausi", "period", description="payment month"),
        Column("grant_type", "Avustuslaji", "code", allowed=tuple(GRANT_TYPE_CODES)),
        Column("decisions", "Päätökset", "int", min=0, max=100_000, description="grant decisions made"),
        Column("recipients", "Saajat", "int", min=0, max=100_000, description="recipients paid in the month"),
        Column(
            "paid_eur", "Maksettu €", "decimal", min=0, max=5_000_000, decimals=2, description="euros paid in the month"
        ),
        Column(
            "subsidies_ended",
            "Päättyneet tuet",
            "int",
            min=0,
            max=100_000,
            optional=True,
            description="subsidised jobs whose subsidy ended in the month",
        ),
        Column(
            "jobs_continuing",
            "Työsuhde jatkuu",
            "int",
            min=0,
            max=100_000,
            optional=True,
            description="of those, jobs that continued after the subsidy",
        ),
    ),
    key=("period", "grant_type"),
    checks=(_follow_up_only_for_job_grants, _continuing_within_ended, _payments_have_recipients),
)


def read_csv(path: Path, period: Period) -> pd.DataFrame:
    """Read one month's grants export into canonical rows."""
    frame = CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), period)
    frame["grant_type"] = recode(frame["grant_type"], GRANT_TYPE_CODES)
    return frame


DATASET = Dataset(
    name="grants",
    title="Vapaaehtoiset avustukset: päätökset ja maksut",
    owner="Lahden työllisyyspalvelut (avustusten hallinta)",
    file_stem="avustukset_{period}",
    readers={"csv": read_csv},
    first_period=Period(2025, 1),
    description="Decisions, recipients, euros paid and jobs continuing after the subsidy, by grant type.",
)
