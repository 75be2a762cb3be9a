"""The monthly batch: validate a period's inputs, execute its notebooks, collect KPIs, render, publish.

``serviceplan run PERIOD`` (or a range) goes through these steps for each month:

1. **Inputs**: the month's deliveries are checked against their contracts and the canonical tables are built;
   a data error stops the month before anything runs.
2. **Notebooks**: every area notebook is executed by Papermill in a fresh ``python3`` kernel, several at once
   (``--jobs``, default the number of CPU cores); the kernel is a new process forked from a server that has
   the notebooks' libraries imported already (:mod:`serviceplan.publish.kernel_fork`), so that no notebook pays for
   importing them again. Each runs in a private working folder inside the month's staging
   folder ``reports/.staging/<version>.<pid>/``; files a notebook writes land beside its executed copy. Each
   notebook's log goes to ``logs/<notebook>.log``. A notebook whose execution key (see
   :func:`serviceplan.publish.manifest.execution_key`) is unchanged is not executed again: its executed copy comes from
   ``reports/.cache/<key>/``. ``--force`` executes everything.
3. **KPIs**: each area's KPI function gives its rows of the KPI table, written as ``kpi.csv``, ``kpi_plain.csv``
   and ``kpi.json``.
4. **Manifest** and **render** (Quarto site and PDF, or HTML previews without Quarto).
5. **Publish**: the staging folder is renamed into ``reports/<version>/`` in one step and the landing page is
   rewritten atomically.

A notebook error or time-out fails the month: its partial output is moved to ``reports/.failed/`` and nothing is
published. A killed run leaves only its staging folder, which the next run removes. In a range each month is
its own version; a failing month does not stop the others, and the run ends with a summary of every month.
The cost of a month does not grow with the archive: only the new version and the landing page are written.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.live import Live
from rich.table import Table

from serviceplan.core.errors import DataError, RunError, ServiceplanError, os_problem, redact
from serviceplan.core.params import Params, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import build_canonical, input_files, validate_period
from serviceplan.metrics.areas import AREAS, Area, report_areas, report_datasets
from serviceplan.metrics.kpis import KPI_COLUMNS, Context
from serviceplan.publish import accessibility_gate as accessibility
from serviceplan.publish import kernel_fork, privacy_gate, versions
from serviceplan.publish import manifest as mf
from serviceplan.publish import render as rd
from serviceplan.publish.run_lock import run_lock

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
    kpi_tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # computed while the notebooks run
    kpi_areas: list[Area] = field(default_factory=list)  # the areas with a KPI function
    areas: list[Area] = field(default_factory=list)  # the month's pages (all, or the public ones: report_areas)


@dataclass(frozen=True)
class Outcome:
    """How a month ended: ``published``, ``unchanged`` (already published) or ``failed``."""

    period: Period
    status: str
    version: str | None
    message: str
    seconds: float = 0.0


# --- the entry point ---------------------------------------------------------------------------------------------


def run_periods(
    ws: Workspace,
    periods: Sequence[Period],
    *,
    jobs: int | None = None,
    force: bool = False,
    revise: str | None = None,
    render: bool = True,
    areas: Sequence[Area] | None = None,
    timeout: float = DEFAULT_CELL_TIMEOUT,
    console: Console | None = None,
) -> int:
    """Validate, execute, render and publish each period; returns the exit code (0 when no month failed).

    With a single period an error is raised (the command line prints it); with several, each month's error is
    printed, the other months go on, and a summary lists every month's outcome.
    """
    console = console or Console(highlight=False)
    areas = tuple(AREAS if areas is None else areas)
    workers = max(1, jobs or os.cpu_count() or 1)
    single = len(periods) == 1
    outcomes: list[Outcome] = []
    plans: list[MonthPlan] = []
    with run_lock(ws), _sigterm_as_interrupt():
        kernel_fork.remove_stale_kernel_dirs()  # of kernels of runs killed with kill -9 (not in the workspace)
        removed = versions.clean_leftovers(ws)
        if removed:
            _say(console, f"removed {len(removed)} leftover(s) of interrupted runs from {ws.reports_dir}")
        if versions.list_versions(ws):
            rd.write_landing_page(ws)  # repairs a landing page left behind by a run killed after publishing
        context = _context(ws, areas)
        if _may_execute(ws, periods, revise):
            _start_server(context)  # it imports the libraries while this process checks the inputs
        try:
            for period in periods:
                try:
                    plan = _prepare(ws, period, areas, revise=revise, force=force)
                except ServiceplanError as exc:
                    if single:
                        raise
                    outcomes.append(_failed(console, period, None, exc))
                    continue
                if plan is None:
                    latest = versions.revisions_of(ws, period)[-1]
                    _say(console, versions.already_published_message(period, latest))
                    outcomes.append(Outcome(period, "unchanged", latest.name, "already published; left unchanged"))
                else:
                    plans.append(plan)
            renderer = _Renderer(render, console)
            _execute(ws, plans, workers, timeout, console, context, preview=renderer.wants_previews())
            for plan in plans:
                try:
                    try:
                        outcomes.append(_finish(ws, plan, renderer, console))
                    except OSError as exc:  # a full disk while writing the version: the month fails, one line
                        raise _write_error(ws, exc) from None
                except ServiceplanError as exc:
                    kept = _set_aside(ws, plan)
                    if single:
                        raise RunError(f"{exc} Nothing was published; output and logs kept in {kept}.") from None
                    outcomes.append(_failed(console, plan.period, plan.version, exc, kept))
        except BaseException:
            for plan in plans:
                shutil.rmtree(plan.staging, ignore_errors=True)
            published = [o.version for o in outcomes if o.status == "published"]
            if published:
                _say(console, f"stopped; published before stopping: {', '.join(str(v) for v in published)}")
            raise
        finally:
            if any(o.status == "published" for o in outcomes):
                rd.write_landing_page(ws)
    if not single:
        _summary(console, outcomes)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def _say(console: Console, text: str) -> None:
    """Print one plain line (no markup, no wrapping, identity codes redacted), so that messages stay one line each."""
    console.print(redact(text), markup=False, highlight=False, soft_wrap=True)


def _write_error(ws: Workspace, exc: OSError) -> RunError:
    """An operating-system error while a month's version was written, naming the file in the workspace."""
    where = Path(os.fsdecode(exc.filename)) if exc.filename else None
    if where is not None and where.is_relative_to(ws.root):
        where = where.relative_to(ws.root)
    shown = f" {where.as_posix()}" if where is not None else ""
    return RunError(f"could not write{shown}: {os_problem(exc)}.")


def _failed(
    console: Console, period: Period, version: str | None, exc: ServiceplanError, kept: Path | None = None
) -> Outcome:
    if isinstance(exc, DataError):
        for line in exc.report().splitlines():
            _say(console, f"{period}: {line}")
        message = f"{len(exc.violations)} input data violation(s); nothing was executed or published"
    else:
        message = str(exc) + (f" Partial output and logs kept in {kept}." if kept else "")
    _say(console, f"{period}: error: {message}")
    return Outcome(period, "failed", version, message)


def _summary(console: Console, outcomes: Sequence[Outcome]) -> None:
    table = Table(title="Summary")
    for column in ("period", "outcome", "version", "work s", "detail"):
        table.add_column(column)
    for o in sorted(outcomes, key=lambda o: o.period):
        table.add_row(str(o.period), o.status, o.version or "–", f"{o.seconds:.1f}", o.message[:120])
    console.print(table)
    failed = sum(o.status == "failed" for o in outcomes)
    _say(console, f"{len(outcomes)} month(s): {len(outcomes) - failed} ok, {failed} failed")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (a killed job, a closed session) like Ctrl-C, so that the run cleans up after itself."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def _interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- 1. inputs and plan ----------------------------------------------------------------------------------------


def _prepare(
    ws: Workspace, period: Period, areas: Sequence[Area], *, revise: str | None, force: bool
) -> MonthPlan | None:
    """Check the month's inputs and decide what to execute; ``None`` when the month is already published."""
    started = time.perf_counter()
    revision = versions.next_revision(ws, period, revise)
    if revision is None:
        return None
    params = load_params(period.year, ws.params_dir)  # a broken parameter file is reported first, in a second
    areas = report_areas(params, areas)  # another municipality than the own data's: the public pages only
    names = report_datasets(params, areas)
    validate_period(ws, period, None if params.regions.has_own_data else names)
    if names:
        build_canonical(ws, names, up_to=period)
    code, env = mf.code_digest(), mf.environment()
    plan_files = {"plan": mf.folder_digest(ws.plan_dir)}  # the plan's actions and risks, read by the pages
    digests = {name: mf.dataset_digest(ws, name, period) for name in names}
    jobs = []
    for area in areas:
        source = ws.notebooks_dir / area.notebook
        if not source.is_file():
            raise RunError(f"the notebook of area '{area.id}' is missing: {source}")
        source_sha = mf.notebook_digest(source)
        datasets = {name: digests[name] for name in area.datasets if name in digests}
        key = mf.execution_key(
            notebook_sha256=source_sha,
            period=period,
            params_digest=params.digest(),
            datasets=datasets,
            code=code,
            env=env,
            kernel=KERNEL,
            workspace_inputs=plan_files,
        )
        jobs.append(NotebookJob(area, source, source_sha, datasets, key))
    version = versions.version_name(period, revision)
    staging = versions.staging_dir(ws, version)
    (staging / "logs").mkdir()
    inputs = [*input_files(ws, period), *mf.folder_files(ws.plan_dir)]
    plan = MonthPlan(period, version, revision, revise, staging, params, inputs, jobs, started)
    plan.kpi_areas = [area for area in areas if area.kpi_function is not None]
    plan.areas = list(areas)
    try:
        for job in jobs:
            if not force and _restore_cached(ws, plan, job):
                job.state = "reused"
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    plan.prepare_seconds = time.perf_counter() - started
    plan.code = code
    return plan


def _cache_dir(ws: Workspace) -> Path:
    return ws.reports_dir / versions.CACHE


def _restore_cached(ws: Workspace, plan: MonthPlan, job: NotebookJob) -> bool:
    """Copy a cached execution of ``job`` into the staging folder; ``False`` when there is none."""
    entry = _cache_dir(ws) / job.key
    if not (entry / "notebook.ipynb").is_file():
        return False
    shutil.copy2(entry / "notebook.ipynb", plan.staging / job.area.notebook)
    if (entry / "log.txt").is_file():
        shutil.copy2(entry / "log.txt", plan.staging / "logs" / f"{job.stem}.log")
    if (entry / "preview.html").is_file():
        target = plan.staging / rd.preview_name(job.area.notebook)
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(entry / "preview.html", target)
    if (entry / "files").is_dir():
        _merge_files(entry / "files", plan.staging, job, copy=True)
    return True


def _merge_files(source: Path, staging: Path, job: NotebookJob, *, copy: bool) -> list[str]:
    """Put the files a notebook wrote beside the executed notebooks; two notebooks may not write one file."""
    placed = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source)
        target = staging / relative
        if target.exists():
            raise RunError(f"{job.area.notebook} wrote {relative.as_posix()}, which another notebook also wrote")
        target.parent.mkdir(parents=True, exist_ok=True)
        if copy:
            shutil.copy2(path, target)
        else:
            shutil.move(path, target)
        placed.append(relative.as_posix())
    return placed


# --- 2. executing notebooks ------------------------------------------------------------------------------------


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(143)


def _worker_main(connection: Any) -> None:
    """A worker process: execute the one notebook it is sent, send back what happened, and end.

    Workers leave Ctrl-C to the main process (which stops them) and turn SIGTERM into an exit that still
    shuts the running kernel down. A worker serves one notebook so that it is still untouched (no sockets, no
    threads) when it forks the notebook's kernel (see :mod:`serviceplan.publish.kernel_fork`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        spec = connection.recv()
    except (EOFError, OSError):  # the main process is gone
        return
    if spec is None:
        return
    result = _execute_notebook(spec)
    with contextlib.suppress(OSError):  # BrokenPipeError: the main process is gone, nobody to tell
        connection.send(result)


def _exit_when_gone(pid: int, interval: float = 0.5) -> None:
    """In a worker: end the worker at once when the main process ``pid`` is gone (killed with ``kill -9``), so
    that no orphan goes on executing a notebook of a run that no longer exists. Its kernel follows within a
    second: ipykernel ends when its parent process changes."""
    while True:
        time.sleep(interval)
        if not versions.pid_alive(pid):
            os._exit(0)


def _context(ws: Workspace, areas: Sequence[Area]) -> Any:
    """The multiprocessing context of the workers.

    ``forkserver`` where there is one: a server process imports Papermill, nbconvert (with the previews'
    exporter built), ipykernel and the notebooks' libraries once, so that a worker starts in milliseconds and the
    kernels it forks need not import them again. ``spawn`` elsewhere (Windows).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    notebooks = [ws.notebooks_dir / area.notebook for area in areas]
    try:
        kernel_modules = kernel_fork.preload_modules(p for p in notebooks if p.is_file())
    except (OSError, ValueError):  # an unreadable notebook fails later, with its name
        kernel_modules = list(kernel_fork.KERNEL_MODULES)
    preload = [
        "serviceplan.publish.worker_imports",
        "serviceplan.publish.batch",
        "papermill",
        "nbconvert",
        "serviceplan.publish.previews",
    ]
    preload += kernel_modules
    context.set_forkserver_preload(preload)
    return context


def _may_execute(ws: Workspace, periods: Sequence[Period], revise: str | None) -> bool:
    """Whether the run may execute notebooks (some month is not published yet, or a revision is asked)."""
    if revise is not None:
        return True
    return any(not versions.revisions_of(ws, period) for period in periods)


def _start_server(context: Any) -> None:
    """Start the worker server now, so that it imports its libraries while the months are prepared."""
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class _Worker:
    """A worker process that runs one notebook in a fresh kernel (forked from the preloaded server).

    Built on the public ``multiprocessing`` API so that a worker that dies is noticed (its job fails instead of
    hanging) and an interrupted run can stop every worker.
    """

    def __init__(self, context: Any):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child,), daemon=True, name="serviceplan-worker")
        self.process.start()
        child.close()
        self.job: tuple[MonthPlan, NotebookJob] | None = None

    def submit(self, plan: MonthPlan, job: NotebookJob, spec: dict[str, Any]) -> None:
        self.job = (plan, job)
        self.connection.send(spec)

    def result(self) -> dict[str, Any] | None:
        """The finished job's result, or ``None`` while it runs."""
        if self.connection.poll():
            try:
                return self.connection.recv()
            except EOFError:
                pass
        if not self.process.is_alive():
            return {"ok": False, "error": f"the worker process ended (exit code {self.process.exitcode})", "seconds": 0}
        return None

    def stop(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.connection.send(None)
        self.process.join(timeout=10)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.connection.close()


def _execute_notebook(spec: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook with Papermill (in a pool worker); never raises, returns what happened.

    The kernel's and Papermill's output go to the notebook's log file, not to the terminal.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    log_fd = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    saved = [os.dup(1), os.dup(2)]
    handler = logging.FileHandler(spec["log"], encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("papermill")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    result: dict[str, Any] = {"ok": True, "error": None}
    try:
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        with kernel_fork.zygote(enabled=spec["fork_kernel"]) as launch:
            # after the zygote's fork: a thread must not exist when the process forks
            threading.Thread(target=_exit_when_gone, args=(spec["main_pid"],), daemon=True).start()
            papermill.execute_notebook(
                spec["input"],
                spec["output"],
                parameters=spec["parameters"],
                kernel_name=spec["kernel"],
                cwd=spec["cwd"],
                log_output=True,
                progress_bar=False,
                request_save_on_cell_execute=False,  # written once at the end (and when a cell fails)
                execution_timeout=spec["timeout"],
                kernel_manager_class=kernel_fork.ForkingKernelManager,
                shutdown_kernel="immediate",  # every output has arrived: no need to wait for a clean exit
                extra_arguments=list(KERNEL_OPTIONS),
            )
        how = "forked from the worker server (libraries imported)" if launch.forked else "started as a new process"
        logger.info(f"The kernel was {how}.")
        _sanitize(Path(spec["output"]), spec["parameters"]["period"], spec["parameters"]["workspace"])
        if spec.get("preview"):
            try:
                rd.write_preview(Path(spec["output"]), Path(spec["preview"]), spec["title"])
            except Exception as exc:
                result = {"ok": False, "error": f"the HTML preview failed: {type(exc).__name__}: {exc}"}
    except PapermillExecutionError as exc:
        first = next((line.strip() for line in (exc.source or "").splitlines() if line.strip()), "")
        number = _source_cell_number(Path(spec["output"]), exc.cell_index)
        result = {
            "ok": False,
            "error": f"cell {number} `{first[:80]}` raised {exc.ename}: {str(exc.evalue).strip()}",
        }
    except CellTimeoutError as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        result = {"ok": False, "error": f"time-out: a cell ran longer than {spec['timeout']:.0f} s ({text})"}
    except DeadKernelError as exc:
        result = {"ok": False, "error": f"the kernel died: {exc}"}
    except Exception as exc:
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        for fd, saved_fd in zip((1, 2), saved, strict=True):
            os.dup2(saved_fd, fd)
            os.close(saved_fd)
        os.close(log_fd)
        logger.removeHandler(handler)
        handler.close()
        _scrub_log(Path(spec["log"]), spec["parameters"]["workspace"])
    result["seconds"] = time.perf_counter() - started
    return result


def _source_cell_number(executed: Path, cell_index: int) -> int:
    """The 1-based position, in the notebook as its author sees it, of cell ``cell_index`` of the executed copy
    (which holds Papermill's injected parameters cell in addition)."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"][:cell_index]
    except (OSError, ValueError, KeyError):
        return cell_index + 1
    injected = sum("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in cells)
    return cell_index - injected + 1


def _job_spec(
    ws: Workspace, plan: MonthPlan, job: NotebookJob, timeout: float, preview: bool, context: Any
) -> dict[str, Any]:
    work = plan.staging / WORK / job.stem
    work.mkdir(parents=True, exist_ok=True)
    return {
        "fork_kernel": context.get_start_method() == "forkserver",  # workers forked from the preloaded server
        "main_pid": os.getpid(),  # the worker ends when this process is gone
        "title": job.area.title,
        "preview": str(plan.staging / rd.preview_name(job.area.notebook)) if preview else None,
        "input": str(job.source),
        "output": str(work / job.area.notebook),
        "cwd": str(work),
        "log": str(plan.staging / "logs" / f"{job.stem}.log"),
        "parameters": {"period": str(plan.period), "workspace": str(ws.root)},
        "kernel": KERNEL,
        "timeout": float(timeout),
    }


def _progress(plans: Sequence[MonthPlan]) -> Table:
    table = Table(title="Notebooks", expand=False)
    for column in ("month", "notebook", "state", "seconds"):
        table.add_column(column)
    now = time.perf_counter()
    rows = [(plan, job) for plan in plans for job in plan.jobs]
    if len(rows) > 24:  # a long range: show what is active or went wrong, count the rest
        shown = [(p, j) for p, j in rows if j.state in ("running", "failed")]
        hidden = len(rows) - len(shown)
        done = sum(j.state in ("done", "reused") for _, j in rows)
        table.caption = f"{done}/{len(rows)} finished; {hidden} not shown"
        rows = shown
    for plan, job in rows:
        seconds = now - job.started if job.state == "running" and job.started else job.seconds
        table.add_row(plan.version, job.area.notebook, job.state, f"{seconds:.1f}")
    return table


def _execute(
    ws: Workspace,
    plans: Sequence[MonthPlan],
    workers: int,
    timeout: float,
    console: Console,
    context: Any,
    preview: bool,
) -> None:
    """Execute every queued notebook of every month on ``workers`` worker processes, showing progress.

    With ``preview`` each worker also writes the notebook's HTML preview (used when Quarto is not available).

    Workers are forked from a clean server process that has Papermill imported already (``forkserver``), or
    started as new interpreters where that is not available (``spawn``, Windows): a script calling
    :func:`run_periods` there must guard its entry point with ``if __name__ == "__main__":``.
    """
    pending = [(plan, job) for plan in plans for job in plan.jobs if job.state == "queued"]
    if not pending:
        if plans:
            console.print(_progress(plans))
        return
    slots: list[_Worker | None] = [None] * min(workers, len(pending))
    # A live table on a terminal; elsewhere (logs, CI, tests) the table once at the end.
    live = Live(_progress(plans), console=console, refresh_per_second=4) if console.is_terminal else None
    stop = threading.Event()
    kpis = threading.Thread(target=_compute_kpis, args=(ws, plans, stop), name="serviceplan-kpis", daemon=True)
    kpis.start()
    try:
        with live or contextlib.nullcontext():
            while pending or any(slots):
                for index, worker in enumerate(slots):
                    if worker is None and pending:
                        plan, job = pending.pop(0)
                        job.state, job.started = "running", time.perf_counter()
                        worker = slots[index] = _Worker(context)
                        worker.submit(plan, job, _job_spec(ws, plan, job, timeout, preview, context))
                time.sleep(0.05)
                for index, worker in enumerate(slots):
                    if worker is None or worker.job is None:
                        continue
                    result = worker.result()
                    if result is None:
                        continue
                    plan, job = worker.job
                    worker.job = None
                    worker.stop()
                    slots[index] = None
                    _record(ws, plan, job, result)
                if live is not None:
                    live.update(_progress(plans))
        if live is None:
            console.print(_progress(plans))
        kpis.join()
    finally:
        stop.set()
        for worker in slots:
            if worker is None:
                continue
            if worker.job is None:
                worker.stop()
            else:  # interrupted: do not wait for running notebooks
                worker.kill()


def _compute_kpis(ws: Workspace, plans: Sequence[MonthPlan], stop: threading.Event) -> None:
    """Compute the months' KPI tables while the workers run the notebooks (in a thread of this process, which
    would otherwise only wait), until done or ``stop`` is set.

    A KPI function that fails ends this for its month: :func:`collect_kpis` meets the error again when the month
    is finished, and reports it there, in area order.
    """
    for plan in plans:
        for area in plan.kpi_areas:
            if stop.is_set():
                return
            try:
                table = area_kpis(ws, plan.period, plan.params, area)
            except Exception:
                break
            if table is not None:
                plan.kpi_tables[area.id] = table


def _record(ws: Workspace, plan: MonthPlan, job: NotebookJob, result: dict[str, Any]) -> None:
    """Take a finished execution into the month: collect its output, or note its error."""
    job.seconds = float(result.get("seconds") or 0.0)
    if not result["ok"]:
        job.state, job.error = "failed", str(result["error"])
        return
    try:
        _collect(ws, plan, job)
    except ServiceplanError as exc:
        job.state, job.error = "failed", str(exc)
    except OSError as exc:  # a full disk while keeping its output
        job.state, job.error = "failed", str(_write_error(ws, exc))
    else:
        job.state = "done"


def _private_paths(workspace: str) -> list[tuple[str, str]]:
    """Local paths that must not appear in published files (they often hold a user name), and their stand-ins."""
    pairs = [(str(Path(workspace)), "<workspace>"), (str(Path.home()), "~")]
    return [(path, shown) for path, shown in pairs if len(path) > 1]


def _scrub(text: str, workspace: str) -> str:
    for path, shown in _private_paths(workspace):
        text = text.replace(path, shown)
    return text


def _sanitize(path: Path, period: str, workspace: str) -> None:
    """Make an executed notebook independent of where it ran: relative paths, and no local path in its outputs.

    The workspace path of the analyst's machine (often with a user name in it) is not published: the injected
    parameters say ``workspace = None`` and paths in outputs (warnings, tracebacks) are shortened.
    """
    content = json.loads(path.read_text(encoding="utf-8"))
    papermill = content.get("metadata", {}).get("papermill", {})
    if papermill:
        papermill["input_path"] = f"notebooks/{path.name}"
        papermill["output_path"] = path.name
        if "workspace" in papermill.get("parameters", {}):
            papermill["parameters"]["workspace"] = None
    for cell in content.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = (
                f'# Parameters\nperiod = "{period}"\n'
                "workspace = None  # the run's workspace folder; its path is not published\n"
            )
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
                output["text"] = _scrub("".join(text) if isinstance(text, list) else text, workspace)
            elif output.get("output_type") == "error":
                output["traceback"] = [_scrub(line, workspace) for line in output.get("traceback", [])]
    path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")


def _scrub_log(log: Path, workspace: str) -> None:
    """Shorten local paths in a notebook's log, which is published with the version, and redact anything
    identity-code-like in it (the kernel's and Papermill's output, tracebacks included)."""
    if log.is_file():
        text = log.read_text(encoding="utf-8", errors="replace")
        log.write_text(redact(_scrub(text, workspace)), encoding="utf-8", newline="\n")


def _collect(ws: Workspace, plan: MonthPlan, job: NotebookJob) -> None:
    """Move a finished notebook and the files it wrote into the staging folder, and store them in the cache."""
    work = plan.staging / WORK / job.stem
    shutil.move(work / job.area.notebook, plan.staging / job.area.notebook)
    placed = _merge_files(work, plan.staging, job, copy=False)
    _store_cached(ws, plan, job, placed)
    shutil.rmtree(work, ignore_errors=True)


def _store_cached(ws: Workspace, plan: MonthPlan, job: NotebookJob, files: Sequence[str]) -> None:
    """Keep the execution under its key (written beside, then renamed into place in one step)."""
    cache = _cache_dir(ws)
    entry = cache / job.key
    if entry.exists():
        return
    tmp = cache / f"{job.key}.tmp.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copy2(plan.staging / job.area.notebook, tmp / "notebook.ipynb")
    log = plan.staging / "logs" / f"{job.stem}.log"
    if log.is_file():
        shutil.copy2(log, tmp / "log.txt")
    preview = plan.staging / rd.preview_name(job.area.notebook)
    if preview.is_file():
        shutil.copy2(preview, tmp / "preview.html")
    for relative in files:
        target = tmp / "files" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(plan.staging / relative, target)
    mf.write_json(
        tmp / "meta.json",
        {"area": job.area.id, "notebook": job.area.notebook, "period": str(plan.period), "seconds": job.seconds},
    )
    try:
        os.rename(tmp, entry)
    except OSError:  # another run stored the same execution meanwhile
        shutil.rmtree(tmp, ignore_errors=True)


# --- 3.-5. KPIs, manifest, render, publish ---------------------------------------------------------------------


class _Renderer:
    """Renders versions with Quarto when it is there, else writes previews and says so once per run."""

    def __init__(self, enabled: bool, console: Console):
        self.enabled = enabled
        self.console = console
        self._looked = False
        self._quarto: rd.Quarto | None = None
        self._found: str | None = None
        self._warned = False

    def quarto(self) -> rd.Quarto | None:
        if not self._looked:
            self._quarto, self._found = rd.find_quarto()
            self._looked = True
        return self._quarto

    def wants_previews(self) -> bool:
        """Whether versions get HTML previews (rendering asked for, and no usable Quarto)."""
        return self.enabled and self.quarto() is None

    def render(
        self, folder: Path, pages: Sequence[rd.Page], title: str, pdf_name: str, **version: str
    ) -> dict[str, Any]:
        """Render one version folder (the site and the PDF side by side, or the previews); returns the manifest's
        ``render`` record. ``version`` holds the version bar's texts: ``version``, ``label`` and ``published``."""
        if not self.enabled:
            return {"quarto": None, "skipped": True}
        quarto = self.quarto()
        if quarto is not None:
            return {"quarto": quarto.version, **rd.render_quarto(folder, quarto, pdf_name)}
        if not self._warned:
            _say(self.console, rd.quarto_missing_message(self._found))
            self._warned = True
        return {"quarto": None, **rd.write_previews(folder, pages, title, **version)}


def area_kpis(ws: Workspace, period: Period, params: Params, area: Area) -> pd.DataFrame | None:
    """One area's rows of the month's KPI table, checked against the KPI schema (``None``: the area has none)."""
    if area.kpi_function is None:
        return None
    try:
        function = area.kpis()
    except (ImportError, AttributeError) as exc:
        raise RunError(f"the KPI function {area.kpi_function} of area '{area.id}' cannot be loaded: {exc}") from None
    assert function is not None
    try:
        table = function(Context(period=period, params=params, workspace=ws))
    except ServiceplanError:
        raise
    except Exception as exc:
        raise RunError(f"the KPI function {area.kpi_function} raised {type(exc).__name__}: {exc}") from None
    missing = [c for c in KPI_COLUMNS if c not in table.columns]
    if missing:
        raise RunError(f"the KPI table of area '{area.id}' lacks the column(s) {', '.join(missing)}")
    table = table[list(KPI_COLUMNS)]
    wrong = table[(table["period"].astype(str) != str(period)) | (table["area"].astype(str) != area.id)]
    if len(wrong):
        first = wrong.iloc[0]
        raise RunError(
            f"the KPI table of area '{area.id}' has a row for period {first['period']!r}, area "
            f"{first['area']!r}; expected period {period} and area {area.id!r}"
        )
    return table


def collect_kpis(
    ws: Workspace,
    period: Period,
    params: Params,
    areas: Sequence[Area],
    computed: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The month's KPI table: every area's KPI function, checked against the KPI schema, in area order.

    ``computed`` holds tables already computed (and checked) by :func:`area_kpis`, by area id.
    """
    computed = computed or {}
    frames = []
    for area in areas:
        table = computed.get(area.id)
        if table is None:
            table = area_kpis(ws, period, params, area)
        if table is not None:
            frames.append(table)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in KPI_COLUMNS})
    kpis = pd.concat(frames, ignore_index=True)
    duplicated = kpis[kpis.duplicated(["area", "kpi"])]
    if len(duplicated):
        raise RunError(f"KPI {duplicated.iloc[0]['kpi']!r} of area '{duplicated.iloc[0]['area']}' appears twice")
    return kpis


def _finish(ws: Workspace, plan: MonthPlan, renderer: _Renderer, console: Console) -> Outcome:
    """KPIs, manifest, render and publish one month whose notebooks have run."""
    finish_started = time.perf_counter()
    areas = plan.areas
    failed = [job for job in plan.jobs if job.state == "failed"]
    if failed:
        for job in failed:
            _say(console, f"{plan.period}: {job.area.notebook} failed: {job.error}")
        names = ", ".join(job.area.notebook for job in failed)
        raise RunError(f"{plan.period} not published: notebook {names} failed ({failed[0].error}).")
    shutil.rmtree(plan.staging / WORK, ignore_errors=True)
    kpis = collect_kpis(ws, plan.period, plan.params, areas, plan.kpi_tables)
    kpi_hashes = mf.write_kpi_files(kpis, plan.staging, plan.version)
    records = mf.kpi_records(kpis)
    record = _manifest(ws, plan, kpi_hashes, len(records))
    changes = None
    previous = [v for v in versions.revisions_of(ws, plan.period) if v.revision < plan.revision]
    if previous:
        before = previous[-1]
        changes = versions.describe_changes(before.manifest() or {}, mf.read_kpi_json(before.path), record, records)
    record["changes"] = changes
    pages = [rd.Page(area.notebook, area.title) for area in areas]
    pdf_name = rd.pdf_file_name(plan.version)
    record["created"] = mf.utc_now()  # the publication time the pages, the PDF and the landing page show
    rd.write_quarto_sources(
        plan.staging,
        ws,
        version=plan.version,
        period=plan.period,
        revision=plan.revision,
        pages=pages,
        kpis=records,
        changes=changes,
        reason=plan.reason,
        pdf_name=pdf_name,
        resources=list(mf.KPI_FILES),
        area_titles={area.id: area.title for area in areas},
        published=record["created"],
        organisation=plan.params.accessibility.organisation,
    )
    render_started = time.perf_counter()
    title = rd.version_title(rd.shared_settings(ws), plan.period, plan.revision)
    record["render"] = renderer.render(
        plan.staging,
        pages,
        title,
        pdf_name,
        version=plan.version,
        label=rd.revision_label_fi(plan.revision),
        published=rd.date_fi(record["created"]),
    )
    config = ws.quarto_config
    record["render"]["config_sha256"] = mf.sha256_file(config) if config.is_file() else None
    quarto_seconds = record["render"].pop("seconds", {})
    work = plan.prepare_seconds + sum(job.seconds for job in plan.jobs) + time.perf_counter() - finish_started
    record["timings"] = {
        "wall_seconds": round(time.perf_counter() - plan.started, 3),  # in a range, includes other months' turns
        "work_seconds": round(work, 3),  # this month's own work: checks, its notebooks, KPIs, render
        "render_seconds": round(time.perf_counter() - render_started, 3),
        # the two Quarto runs, side by side (null without Quarto): each one's own wall time
        "render_site_seconds": quarto_seconds.get("site"),
        "render_pdf_seconds": quarto_seconds.get("pdf"),
        "notebooks": {
            job.area.notebook: {"seconds": round(job.seconds, 3), "reused": job.state == "reused"} for job in plan.jobs
        },
    }
    mf.write_json(plan.staging / "manifest.json", record)
    leaks = privacy_gate.scan_publishable(plan.staging, plan.params, inputs=plan.inputs)
    for leak in leaks[:50]:
        _say(console, f"{plan.period}: {leak}")
    if leaks:
        raise privacy_gate.PrivacyError(leaks)  # the month fails: nothing is published, the folder is set aside
    target = versions.publish(plan.staging, ws, plan.version)
    accessibility.write_statement(ws, plan.params)
    reused = sum(job.state == "reused" for job in plan.jobs)
    detail = f"{len(plan.jobs) - reused} notebook(s) executed, {reused} reused"
    _say(console, f"{plan.period}: published {plan.version} in {target} ({detail}; {work:.1f} s of work)")
    return Outcome(plan.period, "published", plan.version, detail, work)


def _manifest(ws: Workspace, plan: MonthPlan, kpi_hashes: dict[str, str], rows: int) -> dict[str, Any]:
    """The manifest of a month without its render record and volatile fields."""
    previous = [v.name for v in versions.revisions_of(ws, plan.period) if v.revision < plan.revision]
    return {
        "schema": mf.SCHEMA_VERSION,
        "version": plan.version,
        "period": str(plan.period),
        "revision": plan.revision,
        "reason": plan.reason,
        "revises": previous[-1] if previous else None,
        "code": {**mf.git_state(), "digest": plan.code},
        "environment": mf.environment(),
        "parameters": {"digest": plan.params.digest(), "values": plan.params.model_dump(mode="json")},
        "inputs": mf.input_records(ws, plan.inputs),
        "notebooks": [
            {
                "area": job.area.id,
                "notebook": job.area.notebook,
                "title": job.area.title,
                "source_sha256": job.source_sha256,
                "datasets": job.datasets,
                "execution_key": job.key,
                "log": f"logs/{job.stem}.log",
            }
            for job in plan.jobs
        ],
        "kernel": KERNEL,
        "kpis": {"rows": rows, "files": kpi_hashes},
    }


def _set_aside(ws: Workspace, plan: MonthPlan) -> Path:
    """Move a failed month's staging folder to ``reports/.failed/`` for inspection; returns where it went."""
    failed_dir = ws.reports_dir / versions.FAILED
    failed_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = failed_dir / f"{plan.version}.{stamp}.{os.getpid()}"
    if plan.staging.exists():
        shutil.move(plan.staging, target)
    return target
