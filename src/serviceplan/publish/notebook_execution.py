"""Step 2 of a month: execute the notebooks with Papermill on worker processes, each in a fresh kernel forked
from a server that has the libraries imported; collect each one's output into the staging folder."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import multiprocessing.connection
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from serviceplan.core.errors import DataError, ServiceplanError, redact
from serviceplan.core.paths import Workspace
from serviceplan.inputs import month_tables
from serviceplan.metrics import kpi_store
from serviceplan.publish import kernel_fork, versions
from serviceplan.publish import render as rd
from serviceplan.publish.execution_cache import merge_files, store_cached
from serviceplan.publish.run_messages import write_error
from serviceplan.publish.run_model import KERNEL, KERNEL_OPTIONS, WORK, MonthPlan, NotebookJob


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

    def waitables(self) -> list[Any]:
        """What :func:`multiprocessing.connection.wait` can wait on: a result arriving, the process ending."""
        return [self.connection, self.process.sentinel]

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
    if spec.get("kpi_store"):  # the kernel inherits this process's environment
        os.environ[kpi_store.ENV_STORE] = spec["kpi_store"]
    if spec.get("month_tables"):
        os.environ[month_tables.ENV_FOLDER] = spec["month_tables"]
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
        scrub_log(Path(spec["log"]), spec["parameters"]["workspace"])
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
        "kpi_store": str(plan.kpi_store) if plan.kpi_store else None,
        "month_tables": str(plan.month_tables) if plan.month_tables else None,
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


def execute_notebooks(
    ws: Workspace,
    plans: list[MonthPlan],
    workers: int,
    timeout: float,
    console: Console,
    context: Any,
    preview: bool,
    more: Iterator[MonthPlan] | None = None,
    raise_data_errors: bool = True,
    idle_work: Sequence[Callable[[], object]] = (),
    on_month_done: Callable[[MonthPlan], None] | None = None,
) -> None:
    """Execute every queued notebook of every month on ``workers`` worker processes, showing progress.

    With ``preview`` each worker also writes the notebook's HTML preview (used when Quarto is not available).

    Workers are forked from a clean server process that has Papermill imported already (``forkserver``), or
    started as new interpreters where that is not available (``spawn``, Windows): a script calling
    :func:`run_periods` there must guard its entry point with ``if __name__ == "__main__":``.

    Months go in order, each month's notebooks in :meth:`MonthPlan.execution_order` (the areas that keep their
    KPI tables in the store before the summary that reads them). A worker that has become free gets its next
    notebook before this process prepares or finishes a month; the first workers start in a thread
    (:class:`_WorkerStarts`), so that waiting for the worker server does not hold up the build.

    **Canonical tables.** A month's canonical tables (``plan.build``) are built here, one delivery at a time
    between looking after the workers, in the order its notebooks need them; a notebook starts as soon as the
    datasets it reads are built (the first ones while the rest are still being built). When the build finds
    input data violations, the month stops: its waiting notebooks are dropped, its running ones stopped, and
    ``plan.data_error`` holds the violations (raised at once with ``raise_data_errors``, with
    ``DataError.stopped`` the number of notebooks that had started).

    ``idle_work`` is done in this process, one call at a time, when it has nothing else to do than wait for the
    workers (work that would otherwise wait for the end of the execution); so is the privacy scan of each
    collected notebook's files (``plan.privacy``, :class:`~serviceplan.publish.privacy_gate.FolderScan`).

    ``on_month_done`` is called with each month as soon as none of its notebooks waits or runs (and its tables
    are built) while notebooks of other months still do, marked ``finished`` first; the caller finishes the
    months left (those of the end of the run) after this returns.

    ``more`` yields further months, each prepared when it is asked for (its inputs checked, its execution keys
    computed); it is asked whenever fewer notebooks are queued than there are workers, so that in a range the
    next month is prepared in this process while the workers run the notebooks of the months before. Its months
    are added to ``plans``; an error it raises stops the execution like an interruption.
    """
    pending: list[tuple[MonthPlan, NotebookJob]] = []
    queue = iter(()) if more is None else more
    exhausted = False
    slots: list[_Worker | None] = [None] * workers
    idle = list(idle_work)

    def take(plan: MonthPlan) -> None:
        pending.extend((plan, job) for job in plan.execution_order())

    def refill() -> None:
        nonlocal exhausted
        while not exhausted and len(pending) < workers:
            plan = next(queue, None)
            if plan is None:
                exhausted = True
            else:
                plans.append(plan)
                take(plan)

    def ready(plan: MonthPlan, job: NotebookJob) -> bool:
        return plan.build is None or plan.build.built(list(job.datasets))

    def build_step() -> bool:
        """Build one delivery of the first month whose tables are not all built; ``False`` when none is left."""
        for plan in plans:
            build = plan.build
            if build is None:
                continue
            if build.step():
                return True
            plan.build = None
            try:
                build.check()
            except DataError as exc:
                stop_month(plan, exc)
            return True
        return False

    def finish_done_months() -> None:
        # Only while other notebooks run or wait: the last month is left to the caller, after the progress table.
        if on_month_done is None or not (pending or any(slots) or not exhausted):
            return
        busy = {id(p) for p, _ in pending} | {id(w.job[0]) for w in slots if w is not None and w.job is not None}
        for plan in plans:
            if not plan.finished and plan.build is None and id(plan) not in busy:
                plan.finished = True
                on_month_done(plan)

    def stop_month(plan: MonthPlan, exc: DataError) -> None:
        pending[:] = [(p, j) for p, j in pending if p is not plan]
        exc.stopped = 0
        for index, worker in enumerate(slots):
            if worker is not None and worker.job is not None and worker.job[0] is plan:
                worker.kill()
                slots[index] = None
                exc.stopped += 1
        for job in plan.jobs:
            if job.state in ("queued", "running"):
                job.state, job.error = "failed", "not executed: the month's input data have violations"
        plan.data_error = exc
        if raise_data_errors:
            raise exc

    def submit_ready() -> None:
        """Give every free worker the first queued notebook whose datasets are built."""
        for index, worker in enumerate(slots):
            if worker is not None:
                continue
            waiting = next((entry for entry in pending if ready(*entry)), None)
            if waiting is None:
                return
            worker = starts.take()
            if worker is None:  # the first workers are still starting: build meanwhile
                return
            pending.remove(waiting)
            plan, job = waiting
            job.state, job.started = "running", time.perf_counter()
            slots[index] = worker
            worker.submit(plan, job, _job_spec(ws, plan, job, timeout, preview, context))

    def collect() -> None:
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
            collected = _record(ws, plan, job, result)
            if collected and plan.privacy is not None:  # checked now rather than at the month's end
                idle.append(functools.partial(_scan_early, plan, collected))

    for plan in plans:
        take(plan)
    refill()
    if not pending and not any(plan.build for plan in plans):
        if plans:
            console.print(_progress(plans))
        return
    starts = _WorkerStarts(context, min(workers, len(pending)))
    # A live table on a terminal; elsewhere (logs, CI, tests) the table once at the end.
    live = Live(_progress(plans), console=console, refresh_per_second=4) if console.is_terminal else None
    try:
        with live or contextlib.nullcontext():
            while pending or any(slots) or not exhausted or any(plan.build for plan in plans):
                # A free worker gets its next notebook before this process prepares or finishes a month.
                submit_ready()
                refill()
                submit_ready()
                finish_done_months()
                if build_step():  # the tables still to build take the time the loop would wait
                    pass
                elif idle and any(slots):
                    idle.pop(0)()
                else:
                    _wait_for_workers(slots, 0.05 if starts.all_started else _STARTING_POLL)
                collect()
                if live is not None:
                    live.update(_progress(plans))
        if live is None:
            console.print(_progress(plans))
    finally:
        starts.close()
        for worker in slots:
            if worker is None:
                continue
            if worker.job is None:
                worker.stop()
            else:  # interrupted: do not wait for running notebooks
                worker.kill()


_STARTING_POLL = 0.005  # seconds between looks for a worker that is still starting (nothing else to do)


class _WorkerStarts:
    """The run's first workers, started in a thread of their own while the loop builds the canonical tables.

    A worker forked from the worker server (``forkserver``) cannot start before the server has imported its
    libraries, about two seconds after the run began; :class:`_Worker` waits for that. Started here, that wait
    does not hold up the build of the first month's tables in this process. Later workers start at once
    (:meth:`take` starts them in the caller's thread). With other start methods nothing waits for a server, and
    every worker is started by :meth:`take`.
    """

    def __init__(self, context: Any, count: int):
        self.context = context
        self._started: list[Any] = []  # workers, or the exception that stopped the thread
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if count > 0 and context.get_start_method() == "forkserver":
            self._thread = threading.Thread(target=self._start, args=(count,), daemon=True, name="serviceplan-starts")
            self._thread.start()

    def _start(self, count: int) -> None:
        for _ in range(count):
            try:
                worker = _Worker(self.context)
            except BaseException as exc:  # handed to the loop by take()
                with self._lock:
                    self._started.append(exc)
                return
            with self._lock:
                self._started.append(worker)

    @property
    def all_started(self) -> bool:
        """Whether the thread has nothing left to start."""
        return self._thread is None or not self._thread.is_alive()

    def take(self) -> Any:
        """A started worker; ``None`` while the thread's next worker is still starting."""
        finished = self.all_started  # looked at first: what the thread started before it ended is in the list
        with self._lock:
            first = self._started.pop(0) if self._started else None
        if isinstance(first, BaseException):
            raise first
        if first is not None:
            return first
        return _Worker(self.context) if finished else None

    def close(self) -> None:
        """Wait for the thread and stop the workers it started that were never used."""
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            unused, self._started = self._started, []
        for worker in unused:
            if not isinstance(worker, BaseException):
                worker.stop()


def _scan_early(plan: MonthPlan, files: list[Path]) -> None:
    """The privacy scan of a collected notebook's files, unless its month has been finished meanwhile (and its
    staging folder published or set aside)."""
    if not plan.finished and plan.privacy is not None:
        plan.privacy.scan_files(files)


def _wait_for_workers(slots: Sequence[_Worker | None], timeout: float) -> None:
    """Wait until a worker has sent its result or ended, or ``timeout`` seconds have passed."""
    waitables = [handle for worker in slots if worker is not None for handle in worker.waitables()]
    if waitables:
        multiprocessing.connection.wait(waitables, timeout)
    else:
        time.sleep(timeout)


def _record(ws: Workspace, plan: MonthPlan, job: NotebookJob, result: dict[str, Any]) -> list[Path]:
    """Take a finished execution into the month: collect its output (returns the files it put in the staging
    folder), or note its error (returns nothing)."""
    job.seconds = float(result.get("seconds") or 0.0)
    if not result["ok"]:
        job.state, job.error = "failed", str(result["error"])
        return []
    try:
        files = _collect(ws, plan, job)
    except ServiceplanError as exc:
        job.state, job.error = "failed", str(exc)
    except OSError as exc:  # a full disk while keeping its output
        job.state, job.error = "failed", str(write_error(ws, exc))
    else:
        job.state = "done"
        return files
    return []


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


def scrub_log(log: Path, workspace: str) -> None:
    """Shorten local paths in a notebook's log, which is published with the version, and redact anything
    identity-code-like in it (the kernel's and Papermill's output, tracebacks included)."""
    if log.is_file():
        text = log.read_text(encoding="utf-8", errors="replace")
        log.write_text(redact(_scrub(text, workspace)), encoding="utf-8", newline="\n")


def _collect(ws: Workspace, plan: MonthPlan, job: NotebookJob) -> list[Path]:
    """Move a finished notebook and the files it wrote into the staging folder, and store them in the cache;
    returns them (not the notebook's preview, which the render step writes again with the month's navigation)."""
    work = plan.staging / WORK / job.stem
    shutil.move(work / job.area.notebook, plan.staging / job.area.notebook)
    placed = merge_files(work, plan.staging, job, copy=False)
    store_cached(ws, plan, job, placed)
    shutil.rmtree(work, ignore_errors=True)
    return [plan.staging / job.area.notebook, *(plan.staging / name for name in placed)]
