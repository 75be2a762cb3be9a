"""Codes that both the parameters and a later stage name, kept here so that each can import them without a loop.

The parameters (:mod:`serviceplan.core.params`) are checked against these when they load; the datasets'
contracts (:mod:`serviceplan.inputs.sources`) and the page registry (:mod:`serviceplan.metrics.areas`) use the
same names, and ``tests/test_architecture.py`` checks that the registry agrees with :data:`KPI_AREAS`.
"""

from __future__ import annotations

# Kela's accumulated-days classes of the municipal share of unemployment benefits, as Kela writes them, with the
# first day of each class (docs/domain.md: the share steps at 101, 201, 301 and 401 days).
DAY_CLASSES: dict[str, int] = {"101-200": 101, "201-300": 201, "301-400": 301, "401-": 401}

# Months after a service ended at which the service register reports whether people are in open-market work.
FOLLOW_UP_MONTHS: tuple[int, ...] = (3, 6)

# The voluntary grants as the grants export names them -> their canonical codes.
GRANT_TYPE_CODES: dict[str, str] = {
    "Lahti-lisä": "lahti_lisa",
    "Rekrytointipalkkio": "recruitment_bonus",
    "Kesätyöseteli": "summer_job_voucher",
    "Kesäharjoittelijat": "summer_interns",
    "Työpajat": "workshops",
    "Yhdistysavustukset": "association_grants",
}

# The client system's canonical column of the count of initial interviews held within N working days.
WITHIN_WORKING_DAYS: dict[int, str] = {5: "interviews_within_5wd", 10: "interviews_within_10wd"}

# The report's areas that have a KPI table (page registry order), and those of them that work from the public
# statistics for any municipality (the rest need the city's own systems).
KPI_AREAS: tuple[str, ...] = (
    "budget",
    "target_groups",
    "services",
    "grants",
    "ecosystems",
    "employer_services",
    "immigrants",
    "knowledge",
)
PUBLIC_KPI_AREAS: tuple[str, ...] = ("target_groups", "employer_services", "immigrants")
