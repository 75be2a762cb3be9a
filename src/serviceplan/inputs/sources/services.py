"""Employment services and their outcomes: two monthly exports of the service register's older export tool.

Both are Finnish CSV files in the Windows code page cp1252 (``;`` separator, decimal comma).

* **services** (``palvelut_YYYY-MM.csv``): one row per service type and provider with its production mode (own
  production, in-house entity, purchased service, partnership), whether it is procured on an outcome basis, and
  the month's starts, stock at the end of the month, ends and cost in euros.
* **service_outcomes** (``palvelujen_tulokset_YYYY-MM.csv``): for the services that ended 3 and 6 months before
  the month, the status of the people who left them (open-market work, subsidised work, education, unemployed,
  outside the labour force). Outcomes are a table of their own because they describe a cohort of an earlier
  month, not the month itself. The status counts must add up to the cohort's ends on the row, and those ends must
  equal the ends the services export reported for the cohort month (checked whenever that month's export is
  present in the workspace).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from serviceplan.core.errors import DataError, Violation
from serviceplan.core.periods import Period
from serviceplan.core.vocabulary import FOLLOW_UP_MONTHS
from serviceplan.inputs.contracts import Column, Contract, Finding, recode
from serviceplan.inputs.readers import display_name, read_finnish_csv
from serviceplan.inputs.sources.base import Dataset

# Service type as written in the export -> canonical code.
SERVICE_TYPE_CODES: dict[str, str] = {
    "Palkkatuki": "pay_subsidy",
    "Starttiraha": "start_up_grant",
    "Työvoimakoulutus": "labour_market_training",
    "Valmennus": "coaching",
    "Työkokeilu": "work_trial",
    "Kuntouttava työtoiminta": "rehabilitative_work",
    "Kotoutumiskoulutus": "integration_training",
}
# Production mode as written -> canonical code (plan, section 5: the multi-producer model).
PRODUCTION_MODE_CODES: dict[str, str] = {
    "Oma tuotanto": "own",
    "Sidosyksikkö": "in_house",
    "Ostopalvelu": "purchased",
    "Kumppanuus": "partnership",
}
# Modes in which a service can be bought on an outcome basis (a procurement term of a contract with a producer).
OUTCOME_BASED_MODES: tuple[str, ...] = ("Ostopalvelu", "Kumppanuus")

# Status after the service, column header -> canonical column; the statuses of a cohort add up to its ends.
STATUS_COLUMNS: dict[str, str] = {
    "Avoimet työmarkkinat": "open_market",
    "Tuettu työ": "subsidised_work",
    "Koulutus": "education",
    "Työtön": "unemployed",
    "Työvoiman ulkopuolella": "outside_labour_force",
}


def _outcome_basis_needs_procurement(frame: pd.DataFrame) -> list[Finding]:
    bad = frame["outcome_based"] & ~frame["production_mode"].isin(OUTCOME_BASED_MODES)
    return [
        Finding(
            int(p),
            "outcome_based",
            f"kyllä ({frame.at[p, 'production_mode']})",
            "ei unless the production mode is " + " or ".join(OUTCOME_BASED_MODES) + " (only a procured service "
            "can be paid on an outcome basis)",
        )
        for p in bad[bad].index
    ]


def _count(name: str, header: str, description: str = "") -> Column:
    return Column(name, header, "int", min=0, max=100_000, description=description)


CONTRACT = Contract(
    dataset="services",
    columns=(
        Column("period", "Kuukausi", "period", description="reporting month"),
        Column("service_type", "Palvelu", "code", allowed=tuple(SERVICE_TYPE_CODES)),
        Column("provider", "Palveluntuottaja", "text", description="producer of the service"),
        Column("production_mode", "Tuotantotapa", "code", allowed=tuple(PRODUCTION_MODE_CODES)),
        Column("outcome_based", "Tulosperusteinen", "bool", description="procured on an outcome basis"),
        _count("starts", "Aloittaneet", "people who started the service in the month"),
        _count("stock", "Palvelussa kuukauden lopussa", "people in the service at the end of the month"),
        _count("ends", "Päättyneet", "people whose service ended in the month"),
        Column("cost_eur", "Kustannus €", "decimal", min=0, max=10_000_000, decimals=2, description="the month's cost"),
    ),
    key=("period", "service_type", "provider"),
    checks=(_outcome_basis_needs_procurement,),
)


def read_csv(path: Path, period: Period) -> pd.DataFrame:
    """Read one month's services export into canonical rows."""
    frame = CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), period)
    frame["service_type"] = recode(frame["service_type"], SERVICE_TYPE_CODES)
    frame["production_mode"] = recode(frame["production_mode"], PRODUCTION_MODE_CODES)
    _remember_ends(path, period, frame)
    return frame


# Ends by (service type, provider) of each services export read in this process, by (file, its modification time
# and size, month): the outcome exports of two later months check their cohorts against them.
_ENDS: dict[tuple[str, int, int, str], pd.Series] = {}


def _file_key(path: Path, period: Period) -> tuple[str, int, int, str]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size, str(period)


def _remember_ends(path: Path, period: Period, frame: pd.DataFrame) -> None:
    if len(_ENDS) > 256:
        _ENDS.clear()
    _ENDS[_file_key(path, period)] = frame.groupby(["service_type", "provider"])["ends"].sum()


def _ends_of(path: Path, period: Period) -> pd.Series | None:
    """The ends by (service type, provider) of a services export (read once per process); ``None`` if invalid."""
    key = _file_key(path, period)
    if key not in _ENDS:
        try:
            read_csv(path, period)  # remembers them
        except DataError:
            return None
    return _ENDS.get(key)


DATASET = Dataset(
    name="services",
    title="Palvelut: aloittaneet, palvelussa olevat, päättyneet ja kustannukset",
    owner="Lahden työllisyyspalvelut (palvelurekisterin kuukausivienti)",
    file_stem="palvelut_{period}",
    readers={"csv": read_csv},
    first_period=Period(2025, 1),
    description="Starts, stock, ends and cost by service type and provider, with production mode and outcome basis.",
)


def _statuses_add_up(frame: pd.DataFrame) -> list[Finding]:
    statuses = frame[list(STATUS_COLUMNS.values())].sum(axis=1)
    bad = statuses != frame["ended"]
    return [
        Finding(
            int(p),
            "ended",
            str(frame.at[p, "ended"]),
            f"the sum of the status columns ({int(statuses[p])}): every person who ended the service has one status",
        )
        for p in bad[bad].index
    ]


def _cohort_month_matches(frame: pd.DataFrame) -> list[Finding]:
    findings = []
    for p in frame.index:
        follow_up = int(frame.at[p, "follow_up_months"])
        expected = Period.parse(str(frame.at[p, "period"])).shift(-follow_up)
        if str(frame.at[p, "cohort_period"]) != str(expected):
            findings.append(
                Finding(
                    int(p),
                    "cohort_period",
                    str(frame.at[p, "cohort_period"]),
                    f"{expected}: the month {follow_up} months before the follow-up month",
                )
            )
    return findings


OUTCOMES_CONTRACT = Contract(
    dataset="service_outcomes",
    columns=(
        Column("period", "Kuukausi", "period", description="follow-up month"),
        Column("service_type", "Palvelu", "code", allowed=tuple(SERVICE_TYPE_CODES)),
        Column("provider", "Palveluntuottaja", "text"),
        Column(
            "follow_up_months",
            "Seuranta-aika kk",
            "code",
            allowed=tuple(str(m) for m in FOLLOW_UP_MONTHS),
            description="months from the end of the service to the follow-up",
        ),
        Column(  # exactly the follow-up months before the delivery month: _cohort_month_matches
            "cohort_period",
            "Palvelu päättynyt",
            "period",
            description="month the services of the cohort ended",
            delivery_bounds=False,
        ),
        _count("ended", "Päättyneet", "people whose service ended in the cohort month"),
        *(_count(name, header) for header, name in STATUS_COLUMNS.items()),
    ),
    key=("period", "service_type", "provider", "follow_up_months"),
    checks=(_statuses_add_up, _cohort_month_matches),
)


def _cohort_ends_match_services(path: Path, raw_lines: list[int], frame: pd.DataFrame) -> list[Violation]:
    """Compare each row's ends with the services export of its cohort month, when that export is present.

    A cohort export that is missing or itself invalid is skipped here: its own validation reports it.
    """
    period_dir = path.parent
    violations = []
    file = display_name(path)
    header = OUTCOMES_CONTRACT.column("ended").header
    for cohort in sorted(set(frame["cohort_period"].astype(str))):
        cohort_period = Period.parse(cohort)
        cohort_file = DATASET.find(period_dir.parent / cohort, cohort_period)
        if cohort_file is None:
            continue
        ends = _ends_of(cohort_file, cohort_period)
        if ends is None:
            continue
        rows = frame[frame["cohort_period"].astype(str) == cohort]
        for p in rows.index:
            key = (frame.at[p, "service_type"], frame.at[p, "provider"])
            reported = int(ends.get(key, 0))
            if int(frame.at[p, "ended"]) != reported:
                violations.append(
                    Violation(
                        file,
                        raw_lines[p],
                        header,
                        str(frame.at[p, "ended"]),
                        f"{reported}: the ends of this service and provider in {display_name(cohort_file)}",
                    )
                )
    return violations


def read_outcomes_csv(path: Path, period: Period) -> pd.DataFrame:
    """Read one month's outcome export into canonical rows, checking each cohort against its services export."""
    raw = read_finnish_csv(path, OUTCOMES_CONTRACT.headers)
    frame = OUTCOMES_CONTRACT.apply(raw, period)
    frame["service_type"] = recode(frame["service_type"], SERVICE_TYPE_CODES)
    frame["follow_up_months"] = pd.array([int(m) for m in frame["follow_up_months"]], dtype="Int64")
    violations = _cohort_ends_match_services(path, raw.lines, frame)
    if violations:
        raise DataError(violations)
    return frame


def _cohort_exports(period_dir: Path, period: Period) -> list[Path | None]:
    """The services exports an outcome delivery is checked against (``None`` for a month without one)."""
    cohorts = [period.shift(-months) for months in FOLLOW_UP_MONTHS]
    return [DATASET.find(period_dir.parent / str(cohort), cohort) for cohort in cohorts]


OUTCOMES_DATASET = Dataset(
    name="service_outcomes",
    title="Palvelujen tulokset 3 ja 6 kuukautta palvelun päättymisestä",
    owner="Lahden työllisyyspalvelut (palvelurekisterin seurantavienti)",
    file_stem="palvelujen_tulokset_{period}",
    readers={"csv": read_outcomes_csv},
    checked_against=_cohort_exports,
    # The first cohort is the city's first month, 2025-01; its 3-month follow-up is 2025-04.
    first_period=Period(2025, 1).shift(min(FOLLOW_UP_MONTHS)),
    description="Status 3 and 6 months after a service ended, by service type and provider.",
)
