"""What a benchmark run measures: the month, repetitions, archive sizes, range, areas, where results go."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period

if TYPE_CHECKING:  # the registry imports pandas: loaded only when a benchmark runs, not with the command line
    from serviceplan.metrics.areas import Area


DEFAULT_REPEAT = 3
DEFAULT_ARCHIVE_SIZES = (1, 6, 12, 24)
DEFAULT_RANGE_MONTHS = 12
QUICK_ARCHIVE_SIZES = (1, 2)
QUICK_RANGE_MONTHS = 2
REVISE_REASON = "benchmark: unchanged re-publication"
IMPORT_PROBES = ("papermill", "nbconvert", "serviceplan.publish.batch", "rfc3987_syntax")
SAMPLE_INTERVAL = 0.1  # seconds between two samples of a measured process tree
KERNEL = "python3"
SAMPLES_CSV = "samples.csv"
SUMMARY_CSV = "summary.csv"
CHART_PNG = "benchmark.png"
MACHINE_JSON = "machine.json"


@dataclass(frozen=True)
class BenchConfig:
    """What one benchmark invocation measures, and where."""

    source: Workspace  # where params, notebooks, plan and _quarto.yml are copied from
    out_dir: Path  # results: samples.csv, summary.csv, benchmark.png, machine.json
    period: Period | None = None  # the month measured (default: the newest month of the demo data)
    repeat: int = DEFAULT_REPEAT
    archive_sizes: tuple[int, ...] = DEFAULT_ARCHIVE_SIZES
    range_months: int = DEFAULT_RANGE_MONTHS  # 0 leaves the range out
    range_repeat: int = 1
    jobs: int | None = None  # workers of the batch (default: CPU cores)
    areas: tuple[Area, ...] | None = None  # None: every area of the registry, through the real command line
    notebooks: Path | None = None  # a folder of notebooks copied over the workspace's (same file names)
    raw_data: Path | None = None  # input data copied into the workspaces (default: the demo dataset, generated)
    work_dir: Path | None = None  # where throw-away workspaces go (default: a new temporary folder)
    keep: bool = False  # keep the throw-away workspaces (for inspection)
    probes: tuple[str, ...] = IMPORT_PROBES

    @property
    def workers(self) -> int:
        return max(1, self.jobs or os.cpu_count() or 1)

    @property
    def area_list(self) -> tuple[Area, ...]:
        from serviceplan.metrics.areas import AREAS

        return AREAS if self.areas is None else self.areas


def quick(config: BenchConfig) -> BenchConfig:
    """The same benchmark made small: one repetition, archives of 1 and 2 months, a range of 2 months."""
    return replace(
        config,
        repeat=1,
        archive_sizes=QUICK_ARCHIVE_SIZES,
        range_months=min(config.range_months, QUICK_RANGE_MONTHS),
        range_repeat=1,
    )
