"""The demo's labour markets outside Lahti: the 12 largest cities, their regions and the whole country.

Lahti's series come from :attr:`serviceplan.inputs.demo.world.World.labour_market` (calibrated to KEHA's figures for
Lahti, docs/domain.md). Every other region gets its own series from a :class:`Profile`: its own level, trend,
seasonality, youth, long-term and foreign-national shares, foreign nationals' and young people's unemployment
rates, and vacancies. No region is a scaled copy of another.

Where the magnitudes come from (docs/assumptions.md, A7):

* whole country: unemployment rate 12.0 % in January 2025 (KEHA, docs/domain.md); in June 2026 about 352,000
  unemployed of a labour force of about 2.74 million (12.8 %), and about 34,900 open and 37,000 new vacancies in
  April 2026 (register figures quoted by third-party StatFin clients, 2026);
* the cities' labour forces: roughly half of their populations (Statistics Finland, 2024: Helsinki about 675,000,
  Espoo 320,000, Tampere 260,000, Vantaa 250,000, Oulu 215,000, Turku 205,000, Jyväskylä 148,000, Kuopio
  125,000, Lahti 120,600, Pori 83,000, Kouvola 79,000, Joensuu 78,000 inhabitants; rounded, as remembered);
* everything else (each city's and region's rate, trend, seasonality, shares, rates of the young and of foreign
  nationals, vacancies per unemployed) is a demo ASSUMPTION A7 in the range such figures take in Finland: the
  capital region lower and less seasonal, the eastern and industrial towns higher and more seasonal, foreign
  nationals concentrated in the capital region. Not real figures: replace the demo with a real fetch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from serviceplan.core.periods import Period, month_range
from serviceplan.inputs.demo.world import (
    HOME_REGION,
    PUBLIC_FIRST,
    World,
    jobseeker_row,
    seasonal_unemployment,
    summer_peak,
)

JANUARY_2025 = Period(2025, 1)


@dataclass(frozen=True)
class Profile:
    """A region's labour market in a few numbers (January 2025 unless said otherwise)."""

    labour_force: int
    rate: float  # unemployment rate, %
    trend_2024: float  # change of the rate, percentage points a year, until January 2025
    trend_2025: float  # ... and after
    season: float  # strength of the seasonal pattern of unemployment (Lahti = 1)
    youth_share: float  # under-25s of the unemployed
    youth_rate: float  # their unemployment rate, %
    youth_summer: float  # summer rise of the young unemployed (Lahti 0.25)
    long_term_share: float  # unemployed for over 12 months, of the unemployed
    foreign_share: float  # foreign nationals of the unemployed
    foreign_rate: float  # their unemployment rate, %
    vacancies: float  # open vacancies per unemployed person, on average
    activation: float  # activation rate (people in services / (unemployed + in services))


# Demo ASSUMPTIONS A7 except where the module docstring names a source (labour forces, the country's rate).
PROFILES: dict[str, Profile] = {
    # the whole country
    "SSS": Profile(2_745_000, 12.0, 1.1, 0.5, 0.9, 0.125, 17.5, 0.22, 0.31, 0.130, 26.0, 0.100, 0.27),
    # the 11 largest cities besides Lahti
    "KU091": Profile(375_000, 12.4, 1.6, 0.6, 0.7, 0.100, 15.0, 0.15, 0.35, 0.235, 23.5, 0.125, 0.25),
    "KU049": Profile(163_000, 10.7, 1.4, 0.5, 0.7, 0.115, 13.5, 0.18, 0.29, 0.270, 21.0, 0.135, 0.26),
    "KU837": Profile(134_000, 14.7, 1.5, 0.4, 0.9, 0.135, 19.5, 0.24, 0.33, 0.120, 31.0, 0.080, 0.28),
    "KU092": Profile(131_000, 13.6, 1.5, 0.7, 0.8, 0.120, 17.0, 0.20, 0.33, 0.285, 25.5, 0.140, 0.24),
    "KU564": Profile(104_000, 13.1, 0.9, 0.3, 1.3, 0.150, 19.0, 0.30, 0.30, 0.080, 33.5, 0.110, 0.30),
    "KU853": Profile(101_000, 14.4, 1.3, 0.5, 1.0, 0.125, 18.0, 0.22, 0.35, 0.165, 32.0, 0.100, 0.27),
    "KU179": Profile(72_000, 15.0, 1.2, 0.4, 1.1, 0.145, 21.5, 0.28, 0.33, 0.090, 35.5, 0.080, 0.29),
    "KU297": Profile(61_500, 12.2, 0.8, 0.2, 1.2, 0.130, 16.5, 0.27, 0.28, 0.080, 30.0, 0.120, 0.31),
    "KU609": Profile(38_500, 15.1, 1.0, 0.6, 1.1, 0.110, 18.5, 0.24, 0.37, 0.080, 36.0, 0.100, 0.28),
    "KU286": Profile(35_000, 13.9, 0.7, 0.3, 1.0, 0.100, 17.0, 0.22, 0.38, 0.070, 33.0, 0.090, 0.27),
    "KU167": Profile(37_000, 15.7, 1.0, 0.5, 1.3, 0.140, 21.0, 0.30, 0.34, 0.080, 38.5, 0.085, 0.30),
    # their regions (Päijät-Häme: about 97,000 in the labour force and a rate of about 14 %)
    "MK01": Profile(900_000, 11.6, 1.4, 0.6, 0.7, 0.110, 14.5, 0.17, 0.32, 0.230, 23.0, 0.130, 0.25),
    "MK02": Profile(240_000, 12.3, 1.1, 0.5, 1.0, 0.125, 16.5, 0.22, 0.32, 0.115, 29.5, 0.105, 0.27),
    "MK04": Profile(100_000, 12.2, 0.9, 0.5, 1.1, 0.115, 16.5, 0.24, 0.34, 0.070, 31.0, 0.110, 0.28),
    "MK06": Profile(270_000, 13.2, 1.3, 0.4, 0.9, 0.130, 17.5, 0.24, 0.32, 0.095, 29.0, 0.090, 0.28),
    "MK07": Profile(97_000, 14.0, 1.2, 0.3, 1.0, 0.120, 18.0, 0.24, 0.34, 0.110, 35.5, 0.095, 0.28),
    "MK08": Profile(77_000, 13.4, 0.7, 0.3, 1.0, 0.100, 16.5, 0.22, 0.37, 0.085, 33.0, 0.090, 0.27),
    "MK11": Profile(120_000, 11.9, 0.7, 0.2, 1.2, 0.125, 16.0, 0.27, 0.29, 0.060, 29.5, 0.115, 0.30),
    "MK12": Profile(76_000, 14.6, 0.9, 0.4, 1.3, 0.130, 19.5, 0.30, 0.34, 0.065, 36.5, 0.090, 0.30),
    "MK13": Profile(130_000, 13.6, 1.1, 0.4, 1.1, 0.135, 19.0, 0.27, 0.33, 0.070, 34.0, 0.085, 0.29),
    "MK17": Profile(200_000, 12.3, 0.8, 0.3, 1.3, 0.150, 17.5, 0.30, 0.30, 0.055, 32.0, 0.115, 0.30),
}
# How the shares drift a year (demo assumption): long-term unemployment grows as the unemployed stay longer,
# the foreign nationals' share grows with immigration, their labour force grows about 4 % a year.
LONG_TERM_DRIFT = 0.012
FOREIGN_SHARE_DRIFT = 0.008
FOREIGN_LABOUR_GROWTH = 0.04


def _years_from_2025(period: Period) -> float:
    return JANUARY_2025.months_until(period) / 12.0


def _rate_level(profile: Profile, period: Period) -> float:
    """The rate's trend level (before seasonality), January 2025 = ``profile.rate``."""
    years = _years_from_2025(period)
    trend = profile.trend_2024 if years < 0 else profile.trend_2025
    return profile.rate + trend * years


def _season(profile: Profile, period: Period) -> float:
    """The seasonal factor of unemployment relative to January (Lahti's pattern, ``profile.season`` as strong)."""
    january = 1.0 + profile.season * (seasonal_unemployment(JANUARY_2025) - 1.0)
    return (1.0 + profile.season * (seasonal_unemployment(period) - 1.0)) / january


def region_series(code: str, profile: Profile, world: World) -> pd.DataFrame:
    """A region's monthly series (the columns of :attr:`World.labour_market`), 2024-01 to the world's last month."""
    rng = world.rng(f"labour_market_{code}")
    youth_force = profile.labour_force * profile.rate / 100 * profile.youth_share / (profile.youth_rate / 100)
    foreign_force = profile.labour_force * profile.rate / 100 * profile.foreign_share / (profile.foreign_rate / 100)
    rows = []
    for period in month_range(PUBLIC_FIRST, world.last):
        years = _years_from_2025(period)
        season = _season(profile, period)
        labour_force = round(profile.labour_force * (1 + 0.01 * math.sin(2 * math.pi * period.month / 12)))
        trend_unemployed = profile.labour_force * _rate_level(profile, period) / 100
        unemployed = round(trend_unemployed * season * rng.normal(1.0, 0.006))
        youth_season = summer_peak(period, profile.youth_summer)
        under25 = round(unemployed * profile.youth_share * youth_season / (1 + profile.youth_summer / 25))
        long_term = round(unemployed * (profile.long_term_share + LONG_TERM_DRIFT * years) / season)
        foreign = round(unemployed * (profile.foreign_share + FOREIGN_SHARE_DRIFT * years))
        activation = (profile.activation + 0.01 * years) * (0.88 if period.month == 7 else 1.0)
        vacancy_season = 1.0 + 0.15 * math.cos(2 * math.pi * (period.month - 4) / 12)
        open_vacancies = round(trend_unemployed * profile.vacancies * vacancy_season * rng.normal(1.0, 0.04))
        rows.append(
            jobseeker_row(
                period,
                rng,
                unemployed=unemployed,
                labour_force=labour_force,
                under25=under25,
                youth_rate=round(100 * under25 / (youth_force * summer_peak(period, 0.12)), 1),
                foreign=foreign,
                foreign_rate=round(100 * foreign / (foreign_force * (1 + FOREIGN_LABOUR_GROWTH) ** years), 1),
                long_term=long_term,
                in_services=round(activation * unemployed / (1 - activation)),
                open_vacancies=open_vacancies,
            )
        )
    return pd.DataFrame(rows)


def labour_markets(world: World, regions: list[str]) -> dict[str, pd.DataFrame]:
    """Every region's monthly series: Lahti's from the world, the others from their :data:`PROFILES`."""
    out: dict[str, pd.DataFrame] = {}
    for code in regions:
        if code == HOME_REGION:
            out[code] = world.labour_market
        elif code in PROFILES:
            out[code] = region_series(code, PROFILES[code], world)
        else:
            known = ", ".join([HOME_REGION, *PROFILES])
            raise ValueError(f"the demo has no labour market for region {code} (it has: {known})")
    return out
