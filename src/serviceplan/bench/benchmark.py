"""The benchmark: the monthly batch against the naive way of running the notebooks, and how its cost grows.

``serviceplan bench`` (``make bench``) measures, on the demo data in throw-away workspaces:

* **month**: one month done the *naive* way (each notebook through the ``papermill`` command line, one after
  another, then a full render of every published version) against ``serviceplan run`` of the same month, *cold*
  (a fresh workspace: no canonical tables, no cache, no reports), *warm* (the same command again, unchanged:
  the month is already published) and *revise* (``--revise``: a new revision whose notebooks all come from the
  cache). The two pipelines alternate (naive first in repetitions 0, 2, ...; serviceplan first in 1, 3, ...),
  so that a slow spell of the machine falls on both.
* **archive**: the cost of publishing a new month when 1, 6, 12, 24 ... months are already published. The older
  versions are fabricated by copying a really published version (and its cache entries) under earlier month
  names; the measured step is a real ``serviceplan run`` of the new month. The sizes are visited in a different
  order in each repetition.
* **range**: ``serviceplan run FIRST..LAST`` of twelve months in a fresh workspace (reported in total and per
  month).
* **floor**: the time a fresh kernel takes to start and import the notebooks' libraries, measured directly
  (jupyter_client), times the number of notebooks, divided by the workers. No batch can beat it.
* **imports**: how long a new Python process takes to import Papermill, nbconvert and the batch (diagnostics).

The render. Every figure above is measured without Quarto: the naive render is nbconvert HTML (``jupyter nbconvert
--to html --no-input``) of every executed notebook of every version, the same preview the batch writes when it
finds no Quarto (where Quarto is installed, the measured ``serviceplan`` commands get a stand-in ``quarto`` on
their ``PATH`` that fails, so the batch writes its previews; see :func:`hide_quarto`). Where Quarto is present,
each repetition also measures the month *with Quarto*: the naive pipeline's executed notebooks rendered by
``quarto render`` of the whole naive project (its ``_quarto.yml`` made from the workspace's, every format it
names, see :func:`write_naive_project`), against a cold ``serviceplan run`` that renders its site and PDF
(the whole command timed, so the figure does not depend on how the render step records its own times). These
are reported apart; without Quarto they are skipped and the summary says why.

Each measurement runs its command(s) as child processes and samples the whole process tree with psutil: wall
time, CPU time (user + system of every process seen, at its last sample: a slight under-count) and peak memory
(the largest sum of resident set sizes of the tree at one sample; shared pages count once per process). The
one-minute load average at the start of each measurement is kept, because other work on the machine slows
every number: the ratios are what this benchmark reports.

The measured commands import a copy of the package taken at the start (see :func:`snapshot_package`), so that
edits to the checkout during a long benchmark change neither the code measured nor the batch's cache keys.
Method and results: ``docs/benchmark.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from serviceplan.core.errors import ServiceplanError, UsageError
from serviceplan.core.paths import ENV_HOME, Workspace
from serviceplan.core.periods import Period
from serviceplan.publish.kernel_fork import KERNEL_PROCESS_NAME, notebook_imports

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


# --- configuration -----------------------------------------------------------------------------------------------


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


# --- one measurement ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One measured run: a scenario (month, archive, range, floor, imports), its variant and repetition."""

    scenario: str
    variant: str
    repetition: int
    size: int  # archive: published months before; range: months; floor: notebooks; otherwise 0
    wall_s: float
    cpu_s: float | None
    peak_rss_mb: float | None
    ok: bool
    load1: float | None  # one-minute load average when the measurement started
    note: str = ""
    cpu_command_s: float | None = None  # the measured command's own process (see role_of)
    cpu_kernels_s: float | None = None  # the notebook kernels it started
    cpu_helpers_s: float | None = None  # every other process it started (forkserver, workers, git, ...)


@dataclass
class Usage:
    """Wall time, CPU time and peak memory of one or more commands run one after another."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    ok: bool = True
    failed: list[str] = field(default_factory=list)
    cpu_by_role: dict[str, float] = field(default_factory=dict)  # see ROLES

    def add(self, other: Usage) -> None:
        """Account for a command run after the ones already counted."""
        self.wall_s += other.wall_s
        self.cpu_s += other.cpu_s
        for role, seconds in other.cpu_by_role.items():
            self.cpu_by_role[role] = self.cpu_by_role.get(role, 0.0) + seconds
        self.peak_rss_mb = max(self.peak_rss_mb, other.peak_rss_mb)
        self.ok = self.ok and other.ok
        self.failed.extend(other.failed)


def load_average() -> float | None:
    """The one-minute load average, or ``None`` where the system has none (Windows)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


ROLES = ("command", "kernels", "helpers")


def role_of(is_root: bool, cmdline: Sequence[str], name: str = "") -> str:
    """Which part of a measured run a process is: the ``command`` itself, a notebook kernel (``kernels``), or
    another process it started (``helpers``: the batch's forkserver and workers, git, ...).

    A kernel the batch forked (see :mod:`serviceplan.publish.kernel_fork`) has its worker's command line and is told
    by its process ``name``.
    """
    if is_root:
        return "command"
    if name == KERNEL_PROCESS_NAME or any("ipykernel_launcher" in part or part == "ipykernel" for part in cmdline):
        return "kernels"
    return "helpers"


class _TreeSampler(threading.Thread):
    """Samples a process and its descendants: CPU time per process and the peak sum of resident memory."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL):
        super().__init__(daemon=True, name=f"bench-sampler-{pid}")
        self.pid = pid
        self.interval = interval
        self.cpu: dict[tuple[int, float], float] = {}
        self.roles: dict[tuple[int, float], str] = {}
        self.peak_rss = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        rss = 0
        for process in processes:
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    memory = process.memory_info().rss
                    key = (process.pid, process.create_time())
                    if key not in self.roles:
                        self.roles[key] = role_of(process.pid == self.pid, process.cmdline(), process.name())
            except psutil.Error:
                continue
            self.cpu[key] = max(self.cpu.get(key, 0.0), times.user + times.system)
            rss += memory
        self.peak_rss = max(self.peak_rss, rss)

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds of the command itself, of the kernels and of every other process it started."""
        totals = dict.fromkeys(ROLES, 0.0)
        for key, seconds in self.cpu.items():
            totals[self.roles.get(key, "helpers")] += seconds
        return totals

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_measured(command: Sequence[str], *, cwd: Path, log: Path, env: dict[str, str] | None = None) -> Usage:
    """Run one command to its end (output appended to ``log``) and measure it with its process tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(str(part) for part in command)}\n")
        handle.flush()
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(part) for part in command], cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, env=env
        )
        sampler = _TreeSampler(process.pid)
        sampler.start()
        code = process.wait()
        wall = time.perf_counter() - started
        sampler.stop()
        handle.write(f"(exit code {code}, {wall:.2f} s)\n")
    failed = [] if code == 0 else [f"{Path(str(command[0])).name} ... exited with {code} (see {log})"]
    return Usage(wall, sum(sampler.cpu.values()), sampler.peak_rss / 2**20, code == 0, failed, sampler.cpu_by_role())


def run_sequence(commands: Iterable[Sequence[str]], *, cwd: Path, log: Path, env: dict[str, str]) -> Usage:
    """Run commands one after another (all of them, even after a failure) and add up their usage."""
    total = Usage()
    for command in commands:
        total.add(run_measured(command, cwd=cwd, log=log, env=env))
    return total


# --- statistics ----------------------------------------------------------------------------------------------------


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


# --- workspaces ------------------------------------------------------------------------------------------------


def _copy_project(source: Workspace, root: Path, notebooks: Path | None) -> Workspace:
    """A workspace in ``root`` with ``source``'s params, notebooks, plan and Quarto settings (no data, no reports)."""
    root.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "figures")
    shutil.copytree(source.params_dir, root / "params", ignore=ignore)
    shutil.copytree(source.notebooks_dir, root / "notebooks", ignore=ignore)
    if source.plan_dir.is_dir():
        shutil.copytree(source.plan_dir, root / "plan", ignore=ignore)
    if source.quarto_config.is_file():
        shutil.copy2(source.quarto_config, root / "_quarto.yml")
    if notebooks is not None:
        for path in sorted(notebooks.glob("*.ipynb")):
            shutil.copy2(path, root / "notebooks" / path.name)
    return Workspace(root)


def make_template(config: BenchConfig, root: Path) -> Workspace:
    """The template every measured workspace is copied from: the project files and the input data (raw only)."""
    from serviceplan.inputs import demo

    ws = _copy_project(config.source, root, config.notebooks)
    if config.raw_data is not None:
        shutil.copytree(config.raw_data, ws.raw_dir)
    else:
        demo.generate(ws.raw_dir, ws.params_dir)
    return ws


def snapshot_package(target: Path) -> Path:
    """Copy the serviceplan package (as imported now) to ``target/serviceplan`` and return ``target``.

    The measured commands import this copy (``PYTHONPATH``), so that edits made to the checkout while the
    benchmark runs neither change what is measured nor invalidate the batch's cache: its execution keys include
    a digest of the package's files. (The copy is not in a git checkout, so manifests say ``(no git)``.)
    """
    import serviceplan

    source = Path(serviceplan.__file__).resolve().parent
    shutil.copytree(source, target / "serviceplan", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def child_environment(code: Path | None = None) -> dict[str, str]:
    """The environment of measured commands: the bench's own, without a workspace override, importing the
    package from ``code`` when given (see :func:`snapshot_package`)."""
    env = dict(os.environ)
    env.pop(ENV_HOME, None)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [env.get("PYTHONPATH")])])
    return env


HIDDEN_QUARTO = "the serviceplan benchmark hides Quarto from this command (a measurement without Quarto)"


def hide_quarto(env: dict[str, str], folder: Path) -> dict[str, str]:
    """``env`` with a stand-in ``quarto`` in ``folder`` first on its ``PATH``: it fails (also ``quarto
    --version``), so a command run with it finds no usable Quarto, as on a machine without one (the batch then
    writes its HTML previews). Used for the measurements without Quarto where Quarto is installed."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "quarto"
    script.write_text(f"#!/bin/sh\necho '{HIDDEN_QUARTO}' >&2\nexit 1\n", encoding="utf-8")
    script.chmod(0o755)
    (folder / "quarto.cmd").write_text(f"@echo {HIDDEN_QUARTO} 1>&2\r\n@exit /b 1\r\n", encoding="utf-8")
    return {**env, "PATH": os.pathsep.join([str(folder), *filter(None, [env.get("PATH")])])}


def quarto_skipped(found: str | None) -> str:
    """Why the month with Quarto was not measured (``found``: an older Quarto's version, if one was found)."""
    why = f"Quarto {found} is older than 1.7" if found else "Quarto was not found on PATH"
    return (
        f"{why}: the month with Quarto (naive `quarto render` against `serviceplan run` with site and PDF) was "
        "skipped; the render measured is the nbconvert HTML preview in both pipelines."
    )


def fresh_workspace(template: Workspace, root: Path) -> Workspace:
    """A private copy of the template: raw data, no canonical tables, no cache, no reports."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(template.root, root, ignore=shutil.ignore_patterns("canonical", "reports"))
    return Workspace(root)


def fabricate_archive(ws: Workspace, donor: Path, donor_cache: Sequence[Path], periods: Sequence[Period]) -> None:
    """Publish copies of the version folder ``donor`` under the names of ``periods`` (with their manifests'
    version and period set), and a copy of the donor's cache entries for each, under derived keys.

    Cheap stand-ins for months published earlier: the run measured next sees an archive and a cache of the
    right size. The donor's manifest is left as it is otherwise (its inputs and timings are the donor's).
    """
    import hashlib

    from serviceplan.publish.manifest import read_json, write_json

    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    cache = ws.reports_dir / ".cache"
    for period in periods:
        target = ws.reports_dir / str(period)
        shutil.copytree(donor, target)
        manifest = target / "manifest.json"
        if manifest.is_file():
            record = read_json(manifest)
            record["version"], record["period"] = str(period), str(period)
            write_json(manifest, record)
        for entry in donor_cache:
            key = hashlib.sha256(f"{entry.name}:{period}".encode()).hexdigest()
            shutil.copytree(entry, cache / key)


# --- the pipelines ---------------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    """A command-line tool of this Python environment (beside the interpreter), else the one on PATH."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise UsageError(f"the benchmark needs the `{name}` command, which was not found beside {sys.executable}")
    return found


def naive_commands(ws: Workspace, period: Period, areas: Sequence[Area]) -> list[list[str]]:
    """Papermill's command line for each notebook of ``period``, one after another, into ``naive/<period>/``."""
    folder = ws.root / "naive" / str(period)
    folder.mkdir(parents=True, exist_ok=True)
    papermill = _tool("papermill")
    return [
        [
            papermill,
            str(ws.notebooks_dir / area.notebook),
            str(folder / area.notebook),
            "-p",
            "period",
            str(period),
            "-p",
            "workspace",
            str(ws.root),
            "--cwd",
            str(folder),
            "--no-progress-bar",
        ]
        for area in areas
    ]


NAIVE_PROJECT_KEYS = ("lang", "execute", "website", "format")  # carried over from the workspace's _quarto.yml


def write_naive_project(ws: Workspace) -> Path:
    """Make ``naive/`` a Quarto website project of every executed notebook of every month (``*/*.ipynb``), with
    the workspace's shared settings (language, execution, website, and the formats: HTML and Typst); returns
    its ``_quarto.yml``. Quarto renders every file of a project in every format the project names; the notebooks
    are rendered as executed (``execute: enabled: false``)."""
    import yaml

    from serviceplan.publish import render as rd

    settings = rd.shared_settings(ws)
    config: dict[str, Any] = {"project": {"type": "website", "render": ["*/*.ipynb"]}}
    config.update({key: settings[key] for key in NAIVE_PROJECT_KEYS if key in settings})
    config["execute"] = {**dict(config.get("execute") or {}), "enabled": False}
    path = ws.root / "naive" / "_quarto.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def naive_render_commands(ws: Workspace, quarto: str | None) -> list[list[str]]:
    """A full render of every version the naive pipeline has produced: with ``quarto``, ``quarto render`` of the
    naive project (:func:`write_naive_project`); otherwise nbconvert HTML of every executed notebook of every
    version (the preview the batch writes without Quarto)."""
    root = ws.root / "naive"
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if quarto:
        if not any(any(folder.glob("*.ipynb")) for folder in folders):
            return []
        return [[quarto, "render", str(write_naive_project(ws).parent)]]
    commands = []
    for folder in folders:
        notebooks = sorted(str(p) for p in folder.glob("*.ipynb"))
        if notebooks:
            commands.append(
                [
                    _tool("jupyter-nbconvert"),
                    "--to",
                    "html",
                    "--no-input",
                    "--output-dir",
                    str(folder / "html"),
                    *notebooks,
                ]
            )
    return commands


def serviceplan_command(config: BenchConfig, ws: Workspace, periods: str, revise: str | None = None) -> list[str]:
    """``serviceplan run`` of ``periods`` in ``ws``: the real command line when every area is measured, else
    this module's driver (the same :func:`serviceplan.publish.batch.run_periods` on the chosen areas)."""
    options = [*(["--jobs", str(config.jobs)] if config.jobs else []), *(["--revise", revise] if revise else [])]
    if config.areas is None:
        return [sys.executable, "-m", "serviceplan.cli", "--workspace", str(ws.root), "run", periods, *options]
    spec = json.dumps([asdict(area) for area in config.areas])
    return [
        sys.executable,
        "-m",
        "serviceplan.bench.benchmark",
        "--workspace",
        str(ws.root),
        "--areas-json",
        spec,
        periods,
        *options,
    ]


# --- the floor -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KernelTiming:
    """How long a fresh kernel took to be ready, and to be ready and run the imports (wall and its CPU)."""

    ready_s: float
    done_s: float
    ready_cpu_s: float | None
    done_cpu_s: float | None


def _cpu_of(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        import psutil

        times = psutil.Process(pid).cpu_times()
    except Exception:  # psutil missing, or the process gone: the CPU time is then not known
        return None
    return times.user + times.system


def kernel_start_and_run(
    code: str, cwd: Path, kernel: str = KERNEL, timeout: float = 600.0, env: dict[str, str] | None = None
) -> KernelTiming:
    """Start a fresh kernel (as Papermill does, through jupyter_client), run ``code`` in it and shut it down.

    An error in ``code`` is raised as :class:`RuntimeError`. The kernel's own output is discarded.
    """
    from jupyter_client.manager import start_new_kernel

    started = time.perf_counter()
    manager, client = start_new_kernel(
        kernel_name=kernel,
        startup_timeout=timeout,
        cwd=str(cwd),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ready = time.perf_counter() - started
    pid = getattr(manager.provisioner, "pid", None)
    ready_cpu = _cpu_of(pid)
    try:
        reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda message: None)
        done = time.perf_counter() - started
        done_cpu = _cpu_of(pid)
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
    return KernelTiming(ready, done, ready_cpu, done_cpu)


def import_probe_command(module: str) -> list[str]:
    """A new interpreter that imports ``module`` and ends."""
    return [sys.executable, "-c", f"import {module}"]


# --- the benchmark ---------------------------------------------------------------------------------------------


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


Say = Callable[[str], None]


class Bench:
    """Runs the measurements of a :class:`BenchConfig` and collects their samples."""

    def __init__(self, config: BenchConfig, say: Say = print):
        self.config = config
        self.say = say
        self.results = Results(config)
        self.env = child_environment()  # the measurements without Quarto
        self.env_quarto: dict[str, str] | None = None  # the measurements with Quarto (when it is installed)
        self.period = config.period
        self.quarto: str | None = None
        self.work: Path | None = None
        self.template: Workspace | None = None
        self.logs: Path | None = None
        self.donor: Workspace | None = None  # a workspace whose published month is copied to fabricate archives
        self._load: float | None = None

    # -- bookkeeping

    def _record(self, sample: Sample) -> Sample:
        self.results.samples.append(sample)
        state = "" if sample.ok else "  FAILED: " + sample.note
        cpu = f", cpu {sample.cpu_s:.1f} s" if sample.cpu_s is not None else ""
        self.say(
            f"  {sample.scenario:<8} {sample.variant:<22} rep {sample.repetition} size {sample.size:>2}: "
            f"{sample.wall_s:7.2f} s{cpu} (load {sample.load1}){state}"
        )
        return sample

    def _sample(self, scenario: str, variant: str, repetition: int, size: int, usage: Usage) -> Sample:
        return Sample(
            scenario,
            variant,
            repetition,
            size,
            round(usage.wall_s, 3),
            round(usage.cpu_s, 3),
            round(usage.peak_rss_mb, 1),
            usage.ok,
            self._load,
            "; ".join(usage.failed),
            *(round(usage.cpu_by_role[r], 3) if r in usage.cpu_by_role else None for r in ROLES),
        )

    def _start(self) -> None:
        self._load = load_average()

    def _log(self, name: str) -> Path:
        assert self.logs is not None
        return self.logs / f"{name}.log"

    # -- set-up

    def setup(self) -> None:
        """Make the working folder and the template workspace with the demo data."""
        from serviceplan.inputs.canonical import newest_period
        from serviceplan.publish import render as rd

        if self.config.work_dir is not None:
            self.config.work_dir.mkdir(parents=True, exist_ok=True)
            self.work = Path(tempfile.mkdtemp(prefix="bench-", dir=self.config.work_dir))
        else:
            self.work = Path(tempfile.mkdtemp(prefix="serviceplan-bench-"))
        self.logs = self.work / "logs"
        self.logs.mkdir()
        self.env = child_environment(snapshot_package(self.work / "code"))
        self.results.machine = machine_description()
        quarto, found = rd.find_quarto()
        self.quarto = quarto.executable if quarto else None
        if self.quarto is None:
            self.results.notes.append(quarto_skipped(found))
        else:
            self.env_quarto = self.env
            self.env = hide_quarto(self.env, self.work / "no-quarto")
            self.results.notes.append(
                f"Quarto {quarto.version if quarto else ''} found: the month is also measured with Quarto (site and "
                "PDF); every other measurement hides it (nbconvert HTML previews in both pipelines)."
            )
        self.say(f"benchmark workspaces in {self.work}")
        self.template = make_template(self.config, self.work / "template")
        self.period = self.config.period or newest_period(self.template)
        earliest = self.period.shift(-max(self.config.range_months, 1) + 1)
        from serviceplan.inputs.canonical import raw_periods

        if earliest not in raw_periods(self.template):
            raise UsageError(f"the demo data has no month {earliest}: choose a later --period or a shorter range")
        self.results.config = replace(self.config, period=self.period)

    def cleanup(self) -> None:
        """Remove the throw-away workspaces unless asked to keep them."""
        if self.work is not None and not self.config.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    # -- the scenarios

    def measure_floor(self) -> None:
        """Kernel start alone, and kernel start + the notebooks' imports, once per repetition."""
        assert self.template is not None and self.work is not None
        sources = [self.template.notebooks_dir / area.notebook for area in self.config.area_list]
        code = "\n".join(notebook_imports(p for p in sources if p.is_file()))
        cwd = self.work / "floor"
        cwd.mkdir(exist_ok=True)
        notebooks = len(self.config.area_list)
        for repetition in range(self.config.repeat):
            self._start()
            try:
                timing = kernel_start_and_run(code or "pass", cwd, env=self.env)
            except RuntimeError as exc:
                note = f"the notebooks' imports failed in a kernel: {exc}"
                self._record(Sample("floor", "kernel+imports", repetition, notebooks, 0.0, None, None, False,
                                    self._load, note))  # fmt: skip
                continue
            for variant, wall, cpu in (
                ("kernel", timing.ready_s, timing.ready_cpu_s),
                ("kernel+imports", timing.done_s, timing.done_cpu_s),
            ):
                cpu = None if cpu is None else round(cpu, 3)
                self._record(Sample("floor", variant, repetition, notebooks, round(wall, 3), cpu, None, True,
                                    self._load))  # fmt: skip

    def measure_imports(self) -> None:
        """How long a new interpreter takes to import each probe module (skipped when it is not installed)."""
        import importlib.util

        assert self.work is not None
        for module in self.config.probes:
            if importlib.util.find_spec(module.split(".")[0]) is None:
                continue
            for repetition in range(self.config.repeat):
                self._start()
                usage = run_measured(
                    import_probe_command(module), cwd=self.work, log=self._log("imports"), env=self.env
                )
                self._record(self._sample("imports", module, repetition, 0, usage))

    def _naive(self, repetition: int) -> None:
        assert self.template is not None and self.work is not None and self.period is not None
        ws = fresh_workspace(self.template, self.work / f"naive-{repetition}")
        log = self._log(f"naive-{repetition}")
        self._start()
        execute = run_sequence(
            naive_commands(ws, self.period, self.config.area_list), cwd=ws.root, log=log, env=self.env
        )
        self._record(self._sample("month", "naive-execute", repetition, 0, execute))
        self._start()
        rendered = run_sequence(naive_render_commands(ws, None), cwd=ws.root, log=log, env=self.env)
        self._record(self._sample("month", "naive-render", repetition, 0, rendered))
        total = Usage()
        total.add(execute)
        total.add(rendered)
        self._load = self.results.samples[-2].load1
        self._record(self._sample("month", "naive", repetition, 0, total))
        if self.env_quarto is not None:  # the same executed notebooks, rendered by Quarto
            self._start()
            commands = naive_render_commands(ws, self.quarto)
            quarto = run_sequence(commands, cwd=ws.root, log=log, env=self.env_quarto)
            self._record(self._sample("month", "naive-quarto-render", repetition, 0, quarto))
            total = Usage()
            total.add(execute)
            total.add(quarto)
            self._record(self._sample("month", "naive-quarto", repetition, 0, total))
        if not self.config.keep:
            shutil.rmtree(ws.root, ignore_errors=True)

    def _serviceplan(self, repetition: int) -> None:
        assert self.template is not None and self.work is not None and self.period is not None
        ws = fresh_workspace(self.template, self.work / f"serviceplan-{repetition}")
        log = self._log(f"serviceplan-{repetition}")
        for variant, revise in (("cold", None), ("warm", None), ("revise", REVISE_REASON)):
            self._start()
            command = serviceplan_command(self.config, ws, str(self.period), revise)
            usage = run_measured(command, cwd=ws.root, log=log, env=self.env)
            self._record(self._sample("month", variant, repetition, 0, usage))
        if self.donor is None and (ws.reports_dir / str(self.period)).is_dir():
            self.donor = ws  # its first publication is copied to fabricate archives
        elif not self.config.keep:
            shutil.rmtree(ws.root, ignore_errors=True)
        if self.env_quarto is not None:  # a cold month that renders its site and PDF: the whole command timed
            ws = fresh_workspace(self.template, self.work / f"serviceplan-quarto-{repetition}")
            self._start()
            command = serviceplan_command(self.config, ws, str(self.period))
            usage = run_measured(command, cwd=ws.root, log=self._log(f"serviceplan-quarto-{repetition}"),
                                 env=self.env_quarto)  # fmt: skip
            self._record(self._sample("month", "cold-quarto", repetition, 0, usage))
            if not self.config.keep:
                shutil.rmtree(ws.root, ignore_errors=True)

    def measure_month(self) -> None:
        """Naive against serviceplan (cold, warm, revise), alternating which goes first; each also with Quarto
        where it is installed."""
        for repetition in range(self.config.repeat):
            for pipeline in alternating("naive", "serviceplan", repetition):
                if pipeline == "naive":
                    self._naive(repetition)
                else:
                    self._serviceplan(repetition)

    def measure_archive(self) -> None:
        """Publishing a new month with 1, 6, 12, 24 ... months already published (fabricated from a real one)."""
        assert self.template is not None and self.work is not None and self.period is not None
        if not self.config.archive_sizes:
            return
        if self.donor is None:
            self.results.notes.append("archive growth skipped: no month was published in the month scenario")
            self.say("  archive growth skipped: no month was published in the month scenario")
            return
        donor = self.donor.reports_dir / str(self.period)
        cache_root = self.donor.reports_dir / ".cache"
        donor_cache = sorted(p for p in cache_root.iterdir() if p.is_dir()) if cache_root.is_dir() else []
        for repetition in range(self.config.repeat):
            for size in rotated(self.config.archive_sizes, repetition):
                ws = fresh_workspace(self.template, self.work / f"archive-{size}-{repetition}")
                fabricate_archive(ws, donor, donor_cache, [self.period.shift(-k) for k in range(size, 0, -1)])
                self._start()
                usage = run_measured(
                    serviceplan_command(self.config, ws, str(self.period)),
                    cwd=ws.root,
                    log=self._log(f"archive-{size}-{repetition}"),
                    env=self.env,
                )
                self._record(self._sample("archive", "serviceplan", repetition, size, usage))
                if not self.config.keep:
                    shutil.rmtree(ws.root, ignore_errors=True)

    def measure_range(self) -> None:
        """``serviceplan run FIRST..LAST`` of ``range_months`` months in a fresh workspace."""
        assert self.template is not None and self.work is not None and self.period is not None
        months = self.config.range_months
        if months < 1:
            return
        periods = f"{self.period.shift(-months + 1)}..{self.period}"
        for repetition in range(self.config.range_repeat):
            ws = fresh_workspace(self.template, self.work / f"range-{repetition}")
            self._start()
            usage = run_measured(
                serviceplan_command(self.config, ws, periods),
                cwd=ws.root,
                log=self._log(f"range-{repetition}"),
                env=self.env,
            )
            self._record(self._sample("range", "serviceplan", repetition, months, usage))
            if not self.config.keep:
                shutil.rmtree(ws.root, ignore_errors=True)

    def run(self) -> Results:
        """Every scenario in turn; the throw-away workspaces are removed at the end (unless kept)."""
        try:
            self.setup()
            self.say("floor: kernel start + the notebooks' imports")
            self.measure_floor()
            self.say("imports in a new interpreter")
            self.measure_imports()
            self.say(f"month {self.period}: naive vs serviceplan")
            self.measure_month()
            self.say("archive growth")
            self.measure_archive()
            self.say("range")
            self.measure_range()
        finally:
            self.cleanup()
        return self.results


# --- the summary ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of the summary table."""

    what: str
    wall: Spread | None
    cpu: Spread | None = None
    peak_mb: Spread | None = None
    ratio: Spread | None = None  # naive / this, per pair (or this / reference, as ``ratio_of`` says)
    cpu_ratio: Spread | None = None  # the same ratio of CPU times
    ratio_of: str = ""
    failed: int = 0
    cpu_roles: tuple[float | None, ...] = ()  # medians of CPU by role (command, kernels, helpers; see ROLES)


def summarize(results: Results) -> list[Line]:
    """The summary: month variants with naive/serviceplan ratios, the floor, archive growth and the range."""
    config = results.config
    samples = results.samples
    notebooks = len(config.area_list)
    lines: list[Line] = []

    def line(scenario: str, variant: str, what: str, size: int | None = None, **extra: Any) -> Line:
        chosen = results.of(scenario, variant, size)
        return Line(
            what,
            spread(s.wall_s for s in chosen),
            spread(s.cpu_s for s in chosen if s.cpu_s is not None),
            spread(s.peak_rss_mb for s in chosen if s.peak_rss_mb is not None),
            failed=len(results.of(scenario, variant, size, ok_only=False)) - len(chosen),
            cpu_roles=tuple(_median_of(chosen, f"cpu_{role}_s") for role in ROLES),
            **extra,
        )

    lines.append(line("month", "naive", f"naive: {notebooks} × papermill CLI + render"))
    lines.append(line("month", "naive-execute", "  naive: papermill CLI only"))
    lines.append(line("month", "naive-render", "  naive: render (nbconvert HTML)"))
    for variant, what in (
        ("cold", "serviceplan run, cold"),
        ("warm", "serviceplan run, unchanged re-run"),
        ("revise", "serviceplan run --revise (all reused)"),
    ):
        ratio = spread(pair_ratios(samples, "naive", variant))
        cpu_ratio = spread(pair_ratios(samples, "naive", variant, measure="cpu_s"))
        lines.append(line("month", variant, what, ratio=ratio, cpu_ratio=cpu_ratio, ratio_of="naive / this"))
    lines.extend(_quarto_lines(results, line))
    lines.append(line("floor", "kernel", "kernel start (one)"))
    lines.append(line("floor", "kernel+imports", "kernel start + notebook imports (one)"))
    both = results.wall("floor", "kernel+imports")
    both_cpu = spread(s.cpu_s for s in results.of("floor", "kernel+imports") if s.cpu_s is not None)
    cold = results.wall("month", "cold")
    cold_cpu = spread(s.cpu_s for s in results.of("month", "cold") if s.cpu_s is not None)
    if both is not None:
        floor = Spread(*(floor_seconds(v, notebooks, config.workers) for v in (both.median, both.low, both.high)),
                       both.n)  # fmt: skip
        floor_cpu = None if both_cpu is None else relative(both_cpu, 1 / notebooks)  # CPU of every notebook's kernel
        lines.append(
            Line(
                f"floor = that × {notebooks} notebooks / {config.workers} workers",
                floor,
                cpu=floor_cpu,
                ratio=relative(cold, floor.median),
                cpu_ratio=relative(cold_cpu, floor_cpu.median if floor_cpu else None),
                ratio_of="cold / floor",
            )
        )
    for module in config.probes:
        if results.of("imports", module):
            lines.append(line("imports", module, f"python -c 'import {module}'"))
    if config.archive_sizes:
        first = min(config.archive_sizes)
        base = results.wall("archive", "serviceplan", first)
        base_cpu = spread(s.cpu_s for s in results.of("archive", "serviceplan", first) if s.cpu_s is not None)
        for size in sorted(config.archive_sizes):
            this = line("archive", "serviceplan", f"publish {config.period or 'a month'} with {size} published", size)
            lines.append(replace(this, ratio=relative(this.wall, base.median if base else None),
                                 cpu_ratio=relative(this.cpu, base_cpu.median if base_cpu else None),
                                 ratio_of=f"this / {first} published"))  # fmt: skip
    if config.range_months:
        months = config.range_months
        this = line("range", "serviceplan", f"range of {months} months", months)
        lines.append(this)
        per_month = Line(
            "  range: per month",
            relative(this.wall, months),
            relative(this.cpu, months),
            failed=this.failed,
            cpu_roles=tuple(None if v is None else v / months for v in this.cpu_roles),
        )
        lines.append(replace(per_month, ratio=relative(per_month.wall, cold.median if cold else None),
                             cpu_ratio=relative(per_month.cpu, cold_cpu.median if cold_cpu else None),
                             ratio_of="per month / cold month"))  # fmt: skip
    return lines


def _quarto_lines(results: Results, line: Callable[..., Line]) -> list[Line]:
    """The month with Quarto (naive ``quarto render`` against ``serviceplan run`` with site and PDF), or one line
    saying it was skipped and why."""
    notebooks = len(results.config.area_list)
    if not (results.of("month", "naive-quarto", ok_only=False) or results.of("month", "cold-quarto", ok_only=False)):
        found = results.machine.get("quarto_found")
        why = f"Quarto {found} is older than 1.7" if found else "no Quarto on PATH"
        return [Line(f"with Quarto (site + PDF): skipped, {why}", None)]
    ratio = spread(pair_ratios(results.samples, "naive-quarto", "cold-quarto"))
    cpu_ratio = spread(pair_ratios(results.samples, "naive-quarto", "cold-quarto", measure="cpu_s"))
    return [
        line("month", "naive-quarto", f"with Quarto: naive {notebooks} × papermill CLI + quarto render"),
        line("month", "naive-quarto-render", "  naive: quarto render of the project (every format)"),
        line("month", "cold-quarto", "with Quarto: serviceplan run, cold (site + PDF)", ratio=ratio,
             cpu_ratio=cpu_ratio, ratio_of="naive / this"),
    ]  # fmt: skip


def _fmt(value: Spread | None, unit: str = "s", digits: int = 1) -> str:
    return "–" if value is None else value.text(unit, digits)


def _median_of(samples: Sequence[Sample], name: str) -> float | None:
    values = [getattr(s, name) for s in samples if getattr(s, name) is not None]
    return statistics.median(values) if values else None


def summary_rows(lines: Sequence[Line]) -> list[dict[str, str]]:
    """The summary as rows of text (for the CSV and the printed table)."""
    rows = []
    for line in lines:
        rows.append(
            {
                "what": line.what,
                "wall_median_s": "" if line.wall is None else f"{line.wall.median:.3f}",
                "wall_min_s": "" if line.wall is None else f"{line.wall.low:.3f}",
                "wall_max_s": "" if line.wall is None else f"{line.wall.high:.3f}",
                "n": "" if line.wall is None else str(line.wall.n),
                "cpu_median_s": "" if line.cpu is None else f"{line.cpu.median:.3f}",
                **{
                    f"cpu_{role}_median_s": "" if value is None else f"{value:.3f}"
                    for role, value in zip(ROLES, line.cpu_roles or (None,) * len(ROLES), strict=True)
                },
                "peak_rss_median_mb": "" if line.peak_mb is None else f"{line.peak_mb.median:.0f}",
                "ratio": "" if line.ratio is None else f"{line.ratio.median:.3f}",
                "ratio_min": "" if line.ratio is None else f"{line.ratio.low:.3f}",
                "ratio_max": "" if line.ratio is None else f"{line.ratio.high:.3f}",
                "cpu_ratio": "" if line.cpu_ratio is None else f"{line.cpu_ratio.median:.3f}",
                "ratio_of": line.ratio_of,
                "failed": str(line.failed),
            }
        )
    return rows


def write_results(results: Results, lines: Sequence[Line], out_dir: Path) -> dict[str, Path]:
    """Write ``samples.csv`` (every measurement), ``summary.csv``, ``machine.json`` and the chart."""
    out_dir.mkdir(parents=True, exist_ok=True)
    samples = out_dir / SAMPLES_CSV
    with samples.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(Sample)])
        writer.writeheader()
        for sample in results.samples:
            writer.writerow(asdict(sample))
    summary = out_dir / SUMMARY_CSV
    rows = summary_rows(lines)
    with summary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["what"])
        writer.writeheader()
        writer.writerows(rows)
    machine = out_dir / MACHINE_JSON
    record = {
        **results.machine,
        "load1_at_end": load_average(),
        "period": str(results.config.period or ""),
        "repeat": results.config.repeat,
        "workers": results.config.workers,
        "notebooks": [a.notebook for a in results.config.area_list],
        "notes": results.notes,
    }
    machine.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    chart = write_chart(results, out_dir / CHART_PNG)
    return {"samples": samples, "summary": summary, "machine": machine, "chart": chart}


def _cpu(results: Results, scenario: str, variant: str, size: int | None = None) -> Spread | None:
    return spread(s.cpu_s for s in results.of(scenario, variant, size) if s.cpu_s is not None)


def write_chart(results: Results, path: Path) -> Path:
    """Three panels: one month (wall medians with min–max bars, CPU as diamonds, and the floor), the cost of
    publishing a month against the archive's size, and the range per month against one cold month."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    config = results.config
    fig, (month, archive, ranged) = plt.subplots(
        1, 3, figsize=(15, 5), gridspec_kw={"width_ratios": [1.5, 1, 0.8]}, layout="tight"
    )
    notebooks = len(config.area_list)

    bars = [
        ("naive (papermill CLI + render)", results.wall("month", "naive"), _cpu(results, "month", "naive"), "#b2182b"),
        ("serviceplan run, cold", results.wall("month", "cold"), _cpu(results, "month", "cold"), "#2166ac"),
        ("serviceplan run, unchanged", results.wall("month", "warm"), _cpu(results, "month", "warm"), "#67a9cf"),
        ("serviceplan --revise (reused)", results.wall("month", "revise"), _cpu(results, "month", "revise"),
         "#92c5de"),
        ("naive + quarto render", results.wall("month", "naive-quarto"), _cpu(results, "month", "naive-quarto"),
         "#d6604d"),
        ("serviceplan cold, site + PDF", results.wall("month", "cold-quarto"), _cpu(results, "month", "cold-quarto"),
         "#053061"),
    ]  # fmt: skip
    both = results.wall("floor", "kernel+imports")
    if both is not None:
        floor = floor_seconds(both.median, notebooks, config.workers)
        floor_cpu = _cpu(results, "floor", "kernel+imports")
        bars.append(("floor (kernel + imports)", Spread(floor, floor, floor, 1), relative(floor_cpu, 1 / notebooks),
                     "#999999"))  # fmt: skip
    shown = [bar for bar in bars if bar[1] is not None]
    positions = list(range(len(shown)))[::-1]
    for y, (_label, wall, cpu, colour) in zip(positions, shown, strict=True):
        assert wall is not None
        month.barh(y, wall.median, color=colour)
        month.errorbar(wall.median, y, xerr=[[wall.median - wall.low], [wall.high - wall.median]], fmt="none",
                       ecolor="black", capsize=3, lw=1)  # fmt: skip
        if cpu is not None:
            month.plot(cpu.median, y, marker="D", color="black", markersize=5, linestyle="none")
        month.text(max(wall.high, cpu.median if cpu else 0), y, f"  {wall.median:.1f} s", va="center", fontsize=9)
    month.plot([], [], marker="D", color="black", markersize=5, linestyle="none", label="CPU time (all processes)")
    month.legend(loc="lower right", fontsize=8)
    month.set_yticks(positions, [bar[0] for bar in shown])
    month.set_xlabel("wall time, s (median; whisker = min–max)")
    ratio = spread(pair_ratios(results.samples, "naive", "cold"))
    month.set_title(f"One month {config.period or ''}" + (f": naive / cold = {ratio.median:.2f}×" if ratio else ""),
                    loc="left")  # fmt: skip
    month.margins(x=0.2)

    points = [(size, results.wall("archive", "serviceplan", size)) for size in sorted(config.archive_sizes)]
    points = [(size, value) for size, value in points if value is not None]
    if points:
        xs = [size for size, _ in points]
        first = points[0][1].median
        archive.plot(xs, [v.median for _, v in points], marker="o", color="#2166ac", label="wall, median")
        archive.fill_between(xs, [v.low for _, v in points], [v.high for _, v in points], color="#2166ac",
                             alpha=0.2, label="wall, min–max")  # fmt: skip
        cpus = [(size, _cpu(results, "archive", "serviceplan", size)) for size, _ in points]
        archive.plot([x for x, c in cpus if c], [c.median for _, c in cpus if c], marker="D", color="black",
                     linestyle="--", lw=1, label="CPU, median")  # fmt: skip
        archive.set_xticks(xs)
        archive.set_ylim(bottom=0)
        archive.legend(loc="lower right", fontsize=8)
        archive.set_title(f"Publishing a month: last / first = {points[-1][1].median / first:.2f}×", loc="left")
    else:
        archive.set_title("Publishing a month (not measured)", loc="left")
    archive.set_xlabel("months already published")
    archive.set_ylabel("s")

    cold = results.wall("month", "cold")
    span = results.wall("range", "serviceplan")
    if span is not None and cold is not None and config.range_months:
        labels = ["one cold month", f"range, per month\n({config.range_months} months)"]
        values = [cold.median, span.median / config.range_months]
        ranged.bar(labels, values, color=["#2166ac", "#4393c3"])
        for x, value in enumerate(values):
            ranged.text(x, value, f"{value:.1f} s", ha="center", va="bottom", fontsize=9)
        cpus = [_cpu(results, "month", "cold"), relative(_cpu(results, "range", "serviceplan"), config.range_months)]
        ranged.plot([x for x, c in enumerate(cpus) if c], [c.median for c in cpus if c], marker="D", color="black",
                    linestyle="none", label="CPU time")  # fmt: skip
        ranged.legend(loc="lower right", fontsize=8)
        ranged.set_title(f"Range: {span.median:.0f} s in total", loc="left")
    else:
        ranged.set_title("Range (not measured)", loc="left")
    ranged.set_ylabel("wall time, s")
    machine = results.machine
    loads = [s.load1 for s in results.samples if s.load1 is not None]
    fig.suptitle(
        f"serviceplan benchmark: {machine.get('cpus')} CPUs, {machine.get('memory_gib')} GiB, Python "
        f"{machine.get('python')}, {config.workers} workers, {config.repeat} repetition(s), "
        f"{notebooks} notebooks" + (f"; 1-min load average {min(loads):.1f}–{max(loads):.1f}" if loads else ""),
        x=0.01,
        ha="left",
        fontsize=10,
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def print_summary(lines: Sequence[Line], results: Results) -> None:
    """Print the summary as a table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="serviceplan benchmark (wall: median (min–max))")
    for column in ("what", "wall", "cpu", "cpu: command / kernels / helpers", "peak memory", "ratio (wall)",
                   "ratio (cpu)", "ratio of", "failed"):  # fmt: skip
        table.add_column(column)
    for line in lines:
        roles = " / ".join("–" if v is None else f"{v:.1f}" for v in line.cpu_roles) if line.cpu_roles else ""
        table.add_row(
            line.what,
            _fmt(line.wall),
            _fmt(line.cpu),
            roles,
            _fmt(line.peak_mb, "MB", 0),
            _fmt(line.ratio, "×", 2),
            _fmt(line.cpu_ratio, "×", 2),
            line.ratio_of,
            str(line.failed or ""),
        )
    console = Console(highlight=False)
    if not console.is_terminal:  # a log file or a pipe: wide enough for one line per row
        console = Console(highlight=False, width=200)
    console.print(table)
    for note in results.notes:
        console.print(note, markup=False)


def run_benchmark(config: BenchConfig, say: Say = print) -> tuple[Results, dict[str, Path]]:
    """Measure everything, write the results to ``config.out_dir`` and print the summary table."""
    results = Bench(config, say).run()
    lines = summarize(results)
    written = write_results(results, lines, config.out_dir)
    print_summary(lines, results)
    failed = [s for s in results.samples if not s.ok]
    if failed:
        say(f"{len(failed)} measurement(s) failed; the first: {failed[0].variant}: {failed[0].note}")
    say(f"results: {', '.join(str(p) for p in written.values())}")
    return results, written


# --- the command line ---------------------------------------------------------------------------------------------


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected archive sizes like 1,6,12,24, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"archive sizes must be 1 or more, got {text!r}")
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``serviceplan bench``."""
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="repetitions of each measurement (3)")
    parser.add_argument("--quick", action="store_true", help="one repetition, archives of 1 and 2, a 2-month range")
    parser.add_argument("--period", help="the month measured (default: the newest month of the demo data)")
    parser.add_argument(
        "--archive",
        type=_sizes,
        default=DEFAULT_ARCHIVE_SIZES,
        metavar="N,N,...",
        help="months already published before the measured one (1,6,12,24)",
    )
    parser.add_argument(
        "--range-months", type=int, default=DEFAULT_RANGE_MONTHS, help="months in the range run (12; 0 leaves it out)"
    )
    parser.add_argument("--range-repeat", type=int, default=1, help="repetitions of the range run (1)")
    parser.add_argument("--jobs", type=int, default=None, help="workers of the batch (default: CPU cores)")
    parser.add_argument("--areas", help="comma list of area ids to measure (default: every area)")
    parser.add_argument("--notebooks", type=Path, help="a folder of notebooks used instead of the workspace's")
    parser.add_argument("--out", type=Path, help="results folder (default: bench/results/ in the workspace)")
    parser.add_argument("--work-dir", type=Path, help="where the throw-away workspaces go (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away workspaces and their logs")


def config_from_args(args: argparse.Namespace, ws: Workspace) -> BenchConfig:
    """The benchmark configuration of parsed ``serviceplan bench`` arguments."""
    from serviceplan.metrics.areas import AREAS

    areas = None
    if args.areas:
        wanted = [part.strip() for part in args.areas.split(",") if part.strip()]
        known = {area.id: area for area in AREAS}
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise UsageError(f"unknown area(s) {', '.join(unknown)}; known: {', '.join(known)}")
        areas = tuple(known[name] for name in wanted)
    if args.repeat < 1:
        raise UsageError(f"--repeat must be 1 or more, got {args.repeat}")
    config = BenchConfig(
        source=ws,
        out_dir=(args.out or ws.root / "bench" / "results").resolve(),
        period=Period.parse(args.period) if args.period else None,
        repeat=args.repeat,
        archive_sizes=args.archive,
        range_months=max(0, args.range_months),
        range_repeat=max(1, args.range_repeat),
        jobs=args.jobs,
        areas=areas,
        notebooks=args.notebooks.resolve() if args.notebooks else None,
        work_dir=args.work_dir.resolve() if args.work_dir else None,
        keep=args.keep,
    )
    return quick(config) if args.quick else config


def command(args: argparse.Namespace, ws: Workspace) -> int:
    """``serviceplan bench``: returns 1 when a measurement failed (its pipeline did not finish), else 0."""
    results, _written = run_benchmark(config_from_args(args, ws))
    return 1 if any(not s.ok for s in results.samples) else 0


# --- the driver of a subset of areas (python -m serviceplan.bench.benchmark) ------------------------------------


def _driver(argv: Sequence[str]) -> int:
    """``serviceplan run`` on a given list of areas: what the benchmark runs when not every area is measured."""
    from serviceplan.core.periods import parse_periods
    from serviceplan.metrics.areas import Area
    from serviceplan.publish.batch import run_periods

    parser = argparse.ArgumentParser(prog="python -m serviceplan.bench.benchmark")
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--areas-json", required=True, help="a JSON list of the areas' fields")
    parser.add_argument("periods")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--revise", default=None)
    args = parser.parse_args(argv)
    areas = [Area(**{**spec, "datasets": tuple(spec["datasets"])}) for spec in json.loads(args.areas_json)]
    try:
        return run_periods(
            Workspace(args.workspace.resolve()),
            parse_periods(args.periods),
            jobs=args.jobs,
            revise=args.revise,
            areas=areas,
        )
    except ServiceplanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(_driver(sys.argv[1:]))
