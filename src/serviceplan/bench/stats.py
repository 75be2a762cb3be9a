"""The arithmetic of the benchmark: spreads (median, min, max), per-repetition ratios, the floor, and the order
in which pipelines and archive sizes are visited."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from serviceplan.bench.measure import Sample


@dataclass(frozen=True)
class Spread:
    """Median and range of a set of measurements."""

    median: float
    low: float
    high: float
    n: int

    def text(self, unit: str = "s", digits: int = 1) -> str:
        """``12.3 s (11.0–14.1)``, or the single value when there is one."""
        value = f"{self.median:.{digits}f} {unit}".strip()
        if self.n > 1:
            value += f" ({self.low:.{digits}f}–{self.high:.{digits}f})"
        return value


def spread(values: Iterable[float]) -> Spread | None:
    """Median, minimum and maximum of ``values``; ``None`` when there are none."""
    data = [float(v) for v in values]
    if not data:
        return None
    return Spread(statistics.median(data), min(data), max(data), len(data))


def pair_ratios(
    samples: Sequence[Sample], numerator: str, denominator: str, scenario: str = "month", measure: str = "wall_s"
) -> list[float]:
    """``numerator / denominator`` (wall time, or ``measure``) in each repetition where both variants ran and
    succeeded."""
    by_rep: dict[int, dict[str, float]] = {}
    for s in samples:
        value = getattr(s, measure)
        if s.scenario == scenario and s.ok and value is not None:
            by_rep.setdefault(s.repetition, {})[s.variant] = value
    return [
        times[numerator] / times[denominator]
        for _, times in sorted(by_rep.items())
        if numerator in times and denominator in times and times[denominator] > 0
    ]


def relative(value: Spread | None, reference: float | None) -> Spread | None:
    """``value`` (median, min, max) divided by a reference number; ``None`` when either is missing."""
    if value is None or not reference:
        return None
    return Spread(value.median / reference, value.low / reference, value.high / reference, value.n)


def floor_seconds(kernel_and_imports_s: float, notebooks: int, workers: int) -> float:
    """The least time ``notebooks`` notebooks can take on ``workers`` workers when each one needs a fresh kernel
    that starts and imports the notebooks' libraries: ``kernel_and_imports_s * notebooks / workers``."""
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    return kernel_and_imports_s * notebooks / workers


def alternating(first: str, second: str, repetition: int) -> tuple[str, str]:
    """The order of a pair in a repetition: ``first`` leads in even repetitions, ``second`` in odd ones."""
    return (first, second) if repetition % 2 == 0 else (second, first)


def rotated(sizes: Sequence[int], repetition: int) -> list[int]:
    """The archive sizes in the order a repetition visits them: ascending, then descending, and so on."""
    ordered = sorted(sizes)
    return ordered if repetition % 2 == 0 else ordered[::-1]
