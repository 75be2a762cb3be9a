"""Reporting periods: calendar months written ``YYYY-MM``, and ranges ``YYYY-MM..YYYY-MM``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from serviceplan.core.errors import UsageError

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """One calendar month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise UsageError(f"month must be 01-12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-MM``; a malformed text is a usage error."""
        match = _PERIOD.match(str(text).strip())
        if not match:
            raise UsageError(f"period must look like 2025-06 (YYYY-MM), got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since year 0, for arithmetic."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Period:
        return cls(index // 12, index % 12 + 1)

    def shift(self, months: int) -> Period:
        """The month ``months`` later (negative for earlier)."""
        return Period.from_index(self.index + months)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        nxt = self.shift(1).first_day
        return date.fromordinal(nxt.toordinal() - 1)

    def months_until(self, other: Period) -> int:
        """How many months from this period to ``other`` (negative if ``other`` is earlier)."""
        return other.index - self.index


def month_range(start: Period, end: Period) -> list[Period]:
    """Every month from ``start`` to ``end``, both included."""
    if end < start:
        raise UsageError(f"range end {end} is before its start {start}")
    return [Period.from_index(i) for i in range(start.index, end.index + 1)]


def parse_periods(text: str) -> list[Period]:
    """Parse ``2025-06``, ``2025-01..2025-06`` or a comma-separated list of either."""
    periods: list[Period] = []
    for part in str(text).split(","):
        part = part.strip()
        if ".." in part:
            first, last = part.split("..", 1)
            periods.extend(month_range(Period.parse(first), Period.parse(last)))
        elif part:
            periods.append(Period.parse(part))
    if not periods:
        raise UsageError("no period given")
    return sorted(set(periods))
