"""What a benchmark run collected: its samples, the machine it ran on, and notes."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from serviceplan.bench.config import BenchConfig
from serviceplan.bench.measure import Sample, load_average
from serviceplan.bench.stats import Spread, spread


@dataclass
class Results:
    """Every sample of one benchmark invocation, and what it ran on."""

    config: BenchConfig
    samples: list[Sample] = field(default_factory=list)
    machine: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def of(self, scenario: str, variant: str, size: int | None = None, ok_only: bool = True) -> list[Sample]:
        """The samples of one scenario and variant (and archive size)."""
        return [
            s
            for s in self.samples
            if s.scenario == scenario
            and s.variant == variant
            and (size is None or s.size == size)
            and (s.ok or not ok_only)
        ]

    def wall(self, scenario: str, variant: str, size: int | None = None) -> Spread | None:
        return spread(s.wall_s for s in self.of(scenario, variant, size))


def machine_description() -> dict[str, Any]:
    """CPU count, memory, Python and platform of this machine, and whether Quarto is there."""
    import platform

    from serviceplan.publish import render as rd

    memory = None
    try:
        import psutil

        memory = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        pass
    quarto, found = rd.find_quarto()
    return {
        "cpus": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "quarto": quarto.version if quarto else None,
        "quarto_found": found,
        "load1_at_start": load_average(),
    }
