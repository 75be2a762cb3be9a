"""What a run is made of: a month's plan, its notebook jobs, and how a month ended."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from serviceplan.core.errors import DataError
from serviceplan.core.params import Params
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import CanonicalBuild
from serviceplan.metrics.areas import Area
from serviceplan.publish.privacy_gate import FolderScan

KERNEL = "python3"
# A batch kernel keeps no IPython input history: nobody reads it, and two kernels writing the history database
# of the user's profile at once only contend for its lock.
KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)
DEFAULT_CELL_TIMEOUT = 600.0  # seconds one notebook cell may run before the month fails (a time-out)
WORK = ".work"


# --- what a run is made of -----------------------------------------------------------------------------------


@dataclass
class NotebookJob:
    """One area notebook of one month: what it depends on, and how its execution went."""

    area: Area
    source: Path
    source_sha256: str
    datasets: dict[str, str]
    key: str
    state: str = "queued"  # queued, running, reused, done, failed
    seconds: float = 0.0
    error: str | None = None
    started: float | None = None

    @property
    def stem(self) -> str:
        return Path(self.area.notebook).stem


@dataclass
class MonthPlan:
    """One month's run: its version, staging folder, parameters and notebooks."""

    period: Period
    version: str
    revision: int
    reason: str | None
    staging: Path
    params: Params
    inputs: list[Path]
    jobs: list[NotebookJob]
    started: float = field(default_factory=time.perf_counter)
    prepare_seconds: float = 0.0
    code: str = ""  # the package code digest the execution keys were made with
    kpi_store: Path | None = None  # the folder of the KPI tables the month's notebooks and KPI files share
    month_tables: Path | None = None  # the folder of the canonical tables the month's kernels share
    areas: list[Area] = field(default_factory=list)  # the month's pages (all, or the public ones: report_areas)
    build: CanonicalBuild | None = None  # the canonical tables its notebooks read, built while notebooks run
    data_error: DataError | None = None  # violations the build found: the month stopped
    privacy: FolderScan | None = None  # the privacy gate's scan of the staging folder, file by file
    finished: bool = False  # handed to the month's last steps (published, or failed)

    def execution_order(self) -> list[NotebookJob]:
        """The notebooks to execute, in the order they start: the areas with a KPI table first (they keep their
        tables in the KPI store, :mod:`serviceplan.metrics.kpi_store`), then the others (the summary, which
        reads them from there instead of computing them again); registry order within each."""
        queued = [job for job in self.jobs if job.state == "queued"]
        return sorted(queued, key=lambda job: job.area.kpi_function is None)  # stable


@dataclass(frozen=True)
class Outcome:
    """How a month ended: ``published``, ``unchanged`` (already published) or ``failed``."""

    period: Period
    status: str
    version: str | None
    message: str
    seconds: float = 0.0
