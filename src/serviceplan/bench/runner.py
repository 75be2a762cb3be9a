"""The benchmark run: every scenario, repetition by repetition, alternating the pipelines (see the package
docstring for the method)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from serviceplan.bench.config import REVISE_REASON, BenchConfig
from serviceplan.bench.floor import import_probe_command, kernel_start_and_run
from serviceplan.bench.measure import ROLES, Sample, Usage, load_average, run_measured, run_sequence
from serviceplan.bench.pipelines import naive_commands, naive_render_commands, serviceplan_command
from serviceplan.bench.report import print_summary, summarize, write_results
from serviceplan.bench.results import Results, machine_description
from serviceplan.bench.stats import alternating, rotated
from serviceplan.bench.workspaces import (
    child_environment,
    fabricate_archive,
    fresh_workspace,
    hide_quarto,
    make_template,
    quarto_skipped,
    snapshot_package,
)
from serviceplan.core.errors import UsageError
from serviceplan.core.paths import Workspace
from serviceplan.publish.kernel_fork import notebook_imports

Say = Callable[[str], None]


FAILED_LOGS = "failed-run-logs"  # in the results folder: the logs of a run in which a measurement failed


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
        """Remove the throw-away workspaces unless asked to keep them; the logs of a run in which a measurement
        failed are kept in the results folder first (:data:`FAILED_LOGS`)."""
        kept = self.config.out_dir / FAILED_LOGS
        shutil.rmtree(kept, ignore_errors=True)  # an earlier run's
        if self.logs is not None and self.logs.is_dir() and any(not s.ok for s in self.results.samples):
            shutil.copytree(self.logs, kept)
            self.results.notes.append(f"a measurement failed: the logs of every measured command are in {kept}")
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
