"""The latent monthly series behind the demo dataset, calibrated to Lahti (figures from docs/domain.md).

The demo data is not real (ASSUMPTION A6).

Every demo file is rendered from one :class:`World`, so the datasets are consistent with each other. The
numbers depend only on the seed and the month, never on today's date.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serviceplan.core.params import BenefitShareRule
from serviceplan.core.periods import Period, month_range

DEFAULT_SEED = 398_2025
HOME_REGION = "KU398"  # the statistics code of the city the world is calibrated to (Lahti, docs/domain.md)
PUBLIC_FIRST = Period(2024, 1)  # public statistics start here
CITY_FIRST = Period(2025, 1)  # the city's own datasets start when it took over the services
DEMO_LAST = Period(2026, 6)

# Annual demo operating costs by budget class, euros: near the plan's budget (2.6 / 14.3 / 29.8 / 1.0 M€), with
# the appropriation-independent class holding only its operating part (the benefit share comes from Kela).
ANNUAL_OPERATING_EUR = {
    "vapaaehtoinen": 2_450_000,
    "maararahasidonnainen": 14_750_000,  # a little over budget, so the forecast alert has something to show
    "maararahasta_riippumaton": 9_600_000,
    "tarvesidonnainen": 980_000,
    "toimeksiantotehtava": 420_000,
}

# Share of each class's year spent in each calendar month (sums to 1). Voluntary spending peaks in summer
# (summer job vouchers, summer interns); pay-subsidy costs dip in July; the others are nearly flat.
MONTH_PROFILE = {
    "vapaaehtoinen": [0.05, 0.06, 0.07, 0.07, 0.08, 0.16, 0.16, 0.11, 0.07, 0.06, 0.06, 0.05],
    "maararahasidonnainen": [0.080, 0.082, 0.086, 0.086, 0.086, 0.084, 0.060, 0.080, 0.088, 0.088, 0.086, 0.094],
    "maararahasta_riippumaton": [0.085, 0.085, 0.085, 0.085, 0.085, 0.080, 0.060, 0.080, 0.088, 0.088, 0.088, 0.091],
    "tarvesidonnainen": [1 / 12] * 12,
    "toimeksiantotehtava": [1 / 12] * 12,
}

# Benefit recipients with 101+ accumulated days in Lahti by Kela's day class, January 2025 (demo calibration:
# about 9,000 unemployed of whom a third long-term, docs/domain.md), and the average monthly benefit per recipient.
RECIPIENTS_2025_01 = {"101-200": 1500, "201-300": 1100, "301-400": 900, "401-": 3800}
MEAN_BENEFIT_EUR = 805.0
# Kela could not bill some transfers until October 2025 (docs/domain.md): those invoices carry older months.
CATCH_UP = {Period(2025, 10): 0.07, Period(2025, 11): 0.05}


def seasonal_unemployment(period: Period) -> float:
    """Multiplicative seasonal factor of unemployment: peaks in January and July (docs/domain.md)."""
    m = period.month
    return 1.0 + 0.035 * math.cos(2 * math.pi * (m - 1) / 12) + 0.045 * math.exp(-((m - 7) ** 2) / 1.5)


@dataclass
class World:
    """The latent series of the demo, one row per month (and class where relevant)."""

    seed: int
    last: Period
    benefit_rule: BenefitShareRule
    operating_costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    benefit_recipients: pd.DataFrame = field(default_factory=pd.DataFrame)
    labour_market: pd.DataFrame = field(default_factory=pd.DataFrame)
    regions: dict[str, str] = field(default_factory=dict)  # statistics regions of the demo: code -> name

    def rng(self, name: str) -> np.random.Generator:
        """An independent random stream per dataset, so adding one dataset never changes another's numbers."""
        digest = sum((i + 1) * ord(ch) for i, ch in enumerate(name))
        return np.random.default_rng([self.seed, digest])


def build_world(
    benefit_rule: BenefitShareRule,
    seed: int = DEFAULT_SEED,
    last: Period = DEMO_LAST,
    regions: dict[str, str] | None = None,
) -> World:
    """Build every latent series from ``seed`` for the months up to ``last``.

    ``benefit_rule`` is the benefit-share step table (from the parameters) that Kela applies on its invoices;
    ``regions`` the statistics regions of the demo (code -> name, from the parameters).
    """
    world = World(seed=seed, last=last, benefit_rule=benefit_rule, regions=dict(regions or {}))
    world.operating_costs = _operating_costs(world)
    world.benefit_recipients = _benefit_recipients(world)
    world.labour_market = _labour_market(world)
    return world


def _interpolate(anchors: dict[Period, float], period: Period) -> float:
    """Piecewise-linear value between dated anchors (flat beyond the last)."""
    points = sorted(anchors.items())
    if period <= points[0][0]:
        return points[0][1]
    for (p0, v0), (p1, v1) in itertools.pairwise(points):
        if period <= p1:
            return v0 + (v1 - v0) * p0.months_until(period) / p0.months_until(p1)
    return points[-1][1]


# Lahti anchors (KEHA figures reported by the city, docs/domain.md); values between them are interpolated and the
# seasonal pattern is laid on top. 2026 anchors are demo assumptions (a slow turn of the trend).
UNEMPLOYED_TREND = {
    Period(2024, 1): 8265 / 1.035,
    Period(2025, 1): 9033 / 1.035,
    Period(2026, 1): 9250 / 1.035,
    Period(2026, 6): 9150 / 1.035,
}
FOREIGN_TREND = {Period(2024, 1): 966, Period(2025, 1): 1246, Period(2026, 6): 1420}
LONG_TERM_SHARE = {Period(2024, 1): 2885 / 8265, Period(2025, 1): 3215 / 9033, Period(2026, 6): 0.37}
UNDER25_SHARE = {Period(2024, 1): 954 / 8265, Period(2025, 1): 1071 / 9033, Period(2026, 6): 0.118}
ACTIVATION = {Period(2024, 1): 0.263, Period(2025, 1): 0.255, Period(2025, 9): 0.285, Period(2026, 6): 0.29}
OPEN_VACANCIES = {Period(2024, 8): 1020, Period(2025, 8): 790, Period(2026, 6): 830}
LABOUR_FORCE = 56_800
# Labour force of the under-25s and of foreign nationals, for their unemployment rates (tables 12th and 12tg).
# Calibrated so that January 2025 gives about KEHA's 19.8 % (1,071 young unemployed) and 37.8 % (1,246 foreign
# nationals) (docs/domain.md); the growth of the foreign labour force follows FOREIGN_TREND (demo assumption). The
# young labour force swells in summer, when students look for summer jobs (demo assumption).
YOUTH_LABOUR_FORCE = 1071 / 0.198
FOREIGN_LABOUR_FORCE = {Period(2024, 1): 2600, Period(2025, 1): 1246 / 0.378, Period(2026, 6): 3850}


def summer_peak(period: Period, height: float) -> float:
    """1 + ``height`` in July, fading over the neighbouring months (the summer rise of young jobseekers)."""
    return 1.0 + height * math.exp(-((period.month - 7) ** 2) / 1.2)


# Shares of the unemployed by duration of unemployment (months); the last two make up the long-term unemployed.
DURATION_SHARES = {"0-3": 0.36, "3-6": 0.16, "6-12": 0.13}


def jobseeker_row(
    period: Period,
    rng: np.random.Generator,
    *,
    unemployed: int,
    labour_force: int,
    under25: int,
    youth_rate: float,
    foreign: int,
    foreign_rate: float,
    long_term: int,
    in_services: int,
    open_vacancies: int,
) -> dict[str, object]:
    """A month of a labour market (the columns of :attr:`World.labour_market`) from its main figures: the other
    age groups in fixed proportions, the short-term unemployed split by :data:`DURATION_SHARES` and the long-term
    in two, and the month's flow into over 3 months and new vacancies drawn from ``rng`` (in that order)."""
    short = unemployed - long_term
    d03 = round(short * DURATION_SHARES["0-3"] / 0.65)
    d36 = round(short * DURATION_SHARES["3-6"] / 0.65)
    d1224 = round(long_term * 0.48)
    return {
        "period": str(period),
        "unemployed": unemployed,
        "labour_force": labour_force,
        "under20": round(under25 * 0.21),
        "under25": under25,
        "youth_rate": youth_rate,
        "foreign_rate": foreign_rate,
        "under30": round(under25 * 1.95),
        "over50": round(unemployed * 0.33),
        "foreign": foreign,
        "long_term": long_term,
        "dur_0_3": d03,
        "dur_3_6": d36,
        "dur_6_12": short - d03 - d36,
        "dur_12_24": d1224,
        "dur_24_plus": long_term - d1224,
        "flow_over_3m": round(d03 * 0.22 * rng.normal(1.0, 0.05)),
        "in_services": in_services,
        "open_vacancies": open_vacancies,
        "new_vacancies": round(open_vacancies * 1.15 * rng.normal(1.0, 0.05)),
    }


def _labour_market(world: World) -> pd.DataFrame:
    """Lahti's monthly labour market (public statistics, 2024-01 onward): stocks and flows of jobseekers."""
    rng = world.rng("labour_market")
    rows = []
    for period in month_range(PUBLIC_FIRST, world.last):
        season = seasonal_unemployment(period)
        unemployed = round(_interpolate(UNEMPLOYED_TREND, period) * season * rng.normal(1.0, 0.006))
        youth_season = summer_peak(period, 0.25)  # summer peak of young jobseekers
        under25 = round(unemployed * _interpolate(UNDER25_SHARE, period) * youth_season / 1.03)
        long_term = round(unemployed * _interpolate(LONG_TERM_SHARE, period) / season)
        activation = _interpolate(ACTIVATION, period) * (0.88 if period.month == 7 else 1.0)
        vacancy_season = 1.0 + 0.15 * math.cos(2 * math.pi * (period.month - 4) / 12)
        open_vacancies = round(_interpolate(OPEN_VACANCIES, period) * vacancy_season * rng.normal(1.0, 0.04))
        foreign = round(_interpolate(FOREIGN_TREND, period) * season)
        rows.append(
            jobseeker_row(
                period,
                rng,
                unemployed=unemployed,
                labour_force=round(LABOUR_FORCE * (1 + 0.01 * math.sin(2 * math.pi * period.month / 12))),
                under25=under25,
                youth_rate=round(100 * under25 / (YOUTH_LABOUR_FORCE * summer_peak(period, 0.12)), 1),
                foreign=foreign,
                foreign_rate=round(100 * foreign / _interpolate(FOREIGN_LABOUR_FORCE, period), 1),
                long_term=long_term,
                in_services=round(activation * unemployed / (1 - activation)),
                open_vacancies=open_vacancies,
            )
        )
    return pd.DataFrame(rows)


def _operating_costs(world: World) -> pd.DataFrame:
    rng = world.rng("operating_costs")
    rows = []
    for period in month_range(CITY_FIRST, world.last):
        growth = 1.0 + 0.02 * (period.year - 2025)  # costs rise 2 % a year
        for budget_class, annual in ANNUAL_OPERATING_EUR.items():
            planned = annual * growth * MONTH_PROFILE[budget_class][period.month - 1]
            start_up = 0.85 if period == CITY_FIRST else 1.0  # January 2025: services still ramping up
            amount = planned * start_up * rng.normal(1.0, 0.04)
            rows.append({"period": str(period), "budget_class": budget_class, "amount_eur": round(amount, 2)})
    return pd.DataFrame(rows)


def _benefit_recipients(world: World) -> pd.DataFrame:
    """Recipients and benefits paid per benefit month and day class (the month benefits were paid for)."""
    rng = world.rng("benefit_recipients")
    rows = []
    for period in month_range(CITY_FIRST, world.last):
        months = CITY_FIRST.months_until(period)
        trend = 1.0 + 0.004 * months  # unemployment slowly rising through 2025–2026
        for day_class, base in RECIPIENTS_2025_01.items():
            recipients = round(base * trend * seasonal_unemployment(period) * rng.normal(1.0, 0.01))
            paid = recipients * MEAN_BENEFIT_EUR * rng.normal(1.0, 0.015)
            rows.append(
                {
                    "benefit_period": str(period),
                    "day_class": day_class,
                    "recipients": recipients,
                    "benefits_paid_eur": round(paid, 2),
                }
            )
    return pd.DataFrame(rows)
