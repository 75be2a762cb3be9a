"""The batch's worker server: one process that imports Papermill, nbconvert, ipykernel and the notebooks' libraries
once, from which every worker, and every notebook's kernel, is forked (:mod:`serviceplan.publish.kernel_fork`).

Its imports take about two seconds of CPU. ``serviceplan run`` starts it before it imports the batch itself
(:func:`start_early`), so that the two import side by side on a machine with more than one core, and the server
is ready by the time the first notebook may start.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.publish import kernel_fork, versions

# Modules the notebooks' code imports only when it runs, beyond the import statements of the notebooks:
# seaborn (``present.theme.apply``) and pyarrow's dataset layer (Parquet reads); see also runtime_modules.
RUNTIME_IMPORTS = ("seaborn", "pyarrow.dataset")


def runtime_modules() -> list[str]:
    """What the server imports in addition to the notebooks' import statements: :data:`RUNTIME_IMPORTS` and every
    area's KPI module, which the summary reaches through :meth:`~serviceplan.metrics.areas.Area.kpis` (the area
    pages import their own, but a report with only some of the pages would leave the others to the summary's
    kernel: about 0.15 s of CPU at the end of a month)."""
    from serviceplan.metrics.areas import AREAS

    kpi_modules = [area.kpi_function.split(":")[0] for area in AREAS if area.kpi_function]
    return list(dict.fromkeys([*RUNTIME_IMPORTS, *kpi_modules]))


def worker_context(notebooks: Iterable[Path]) -> Any:
    """The multiprocessing context of the workers that execute ``notebooks``.

    ``forkserver`` where there is one: a server process imports Papermill, nbconvert (with the previews'
    exporter built), ipykernel and the notebooks' libraries once, so that a worker starts in milliseconds and the
    kernels it forks need not import them again. ``spawn`` elsewhere (Windows).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    try:
        kernel_modules = kernel_fork.preload_modules(p for p in notebooks if p.is_file())
    except (OSError, ValueError):  # an unreadable notebook fails later, with its name
        kernel_modules = list(kernel_fork.KERNEL_MODULES)
    preload = [
        "serviceplan.publish.worker_imports",
        "serviceplan.publish.notebook_execution",
        "papermill",
        "nbconvert",
        "serviceplan.publish.previews",
    ]
    preload += kernel_modules
    preload += [name for name in runtime_modules() if name not in preload]
    context.set_forkserver_preload(preload)
    return context


def may_execute(ws: Workspace, periods: Sequence[Period], revise: str | None) -> bool:
    """Whether the run may execute notebooks (some month is not published yet, or a revision is asked)."""
    if revise is not None:
        return True
    return any(not versions.revisions_of(ws, period) for period in periods)


def start_server(context: Any) -> None:
    """Start the worker server now, so that it imports its libraries while the months are prepared."""
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def start_early(ws: Workspace) -> None:
    """Start the worker server for every notebook in the workspace's ``notebooks/`` before the batch is imported
    (a run that then executes nothing leaves it unused; it ends with this process)."""
    start_server(worker_context(sorted(ws.notebooks_dir.glob("*.ipynb"))))
