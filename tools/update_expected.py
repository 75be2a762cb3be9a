"""Regenerate the expected outputs of the notebook gate: ``tests/expected/<period>/`` for every report page.

The nbval gate (``docs/quality-gates.md``) runs the executed copies kept in ``tests/expected/`` strictly: every
code cell's output must come out the same on the demo data. After an *intended* change (a notebook, the metrics,
the formats, the demo data) a reviewer regenerates them with this script and reviews the diff of the outputs
like any other change::

    python tools/update_expected.py            # every page whose notebook exists, every expected period
    python tools/update_expected.py --jobs 1   # one notebook at a time

For each period in :data:`PERIODS` the script writes the demo dataset into a throw-away workspace (never the
checkout's ``data/``), executes each notebook of :data:`serviceplan.metrics.areas.AREAS` there with Papermill, exactly
as nbval will (parameter ``period`` only, the workspace found through ``SERVICEPLAN_HOME``), and stores:

* ``<notebook>.ipynb``: the executed notebook with the metadata that changes on every run (timings, Papermill's
  time stamps, the Python patch version) removed, so that an unchanged page gives a byte-identical file;
* ``kpi.csv``: the month's KPI table, written by the batch's own functions, for the KPI back-test.

A notebook that fails is reported and its old expected copy is left as it was; the script then exits with 1.
Expected copies of notebooks that no longer exist are removed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "expected"
# The periods kept as expected outputs: the newest demo month (what a new user sees first) and November 2025,
# the month of Kela's catch-up invoice (docs/domain.md), which exercises the budget page's special case.
PERIODS: tuple[str, ...] = ("2025-11", "2026-06")
KPI_FILE = "kpi.csv"
KERNEL = "python3"

# Copied into the throw-away workspace: what a notebook reads besides the data.
WORKSPACE_PARTS: tuple[str, ...] = ("params", "notebooks", "plan", "_quarto.yml")


def ready_notebooks(root: Path = ROOT) -> list[str]:
    """The notebooks of :data:`serviceplan.metrics.areas.AREAS` that exist in ``root/notebooks`` (others are not written
    yet), in the registry's order."""
    from serviceplan.metrics.areas import AREAS

    return [area.notebook for area in AREAS if (root / "notebooks" / area.notebook).is_file()]


def scratch_workspace(folder: Path) -> Path:
    """A throw-away workspace in ``folder`` holding a copy of the checkout's parameters, notebooks and plan, and
    the demo dataset with its canonical tables. Returns its root."""
    from serviceplan.inputs import demo

    folder.mkdir(parents=True, exist_ok=True)
    for name in WORKSPACE_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "figures"))
        elif source.is_file():
            shutil.copy2(source, folder / name)
    demo.generate(folder / "data" / "raw", folder / "params")
    # Build the canonical tables once, before notebooks run side by side (each would otherwise build them).
    from serviceplan.core.paths import Workspace
    from serviceplan.inputs.canonical import build_canonical

    build_canonical(Workspace(folder))
    return folder


def normalise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what differs between two executions of the same notebook on the same data (the outputs stay).

    nbval compares outputs only; these fields would just make every regeneration a diff.
    """
    notebook.metadata.pop("papermill", None)
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # Papermill gives it a random id
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
    return notebook


def execute(notebook: str, period: str, workspace: Path, work: Path) -> tuple[str, str, str | None]:
    """Execute ``notebook`` of ``workspace`` for ``period`` into ``work``; returns (notebook, period, error)."""
    import papermill

    os.environ["SERVICEPLAN_HOME"] = str(workspace)  # the kernel inherits it: the notebook finds the workspace
    output = work / period / notebook
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(workspace / "notebooks" / notebook),
            str(output),
            parameters={"period": period},
            kernel_name=KERNEL,
            cwd=str(output.parent),
            progress_bar=False,
        )
    except Exception as exc:  # report every failure and go on with the other notebooks
        first = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
        return notebook, period, f"{type(exc).__name__}: {first[0]}"
    return notebook, period, None


def write_kpis(workspace: Path, period: str, target: Path) -> None:
    """Write the month's KPI table as the batch publishes it (``kpi.csv``) into ``target``."""
    from serviceplan.core.params import load_params
    from serviceplan.core.paths import Workspace
    from serviceplan.core.periods import Period
    from serviceplan.metrics.areas import AREAS
    from serviceplan.publish import manifest
    from serviceplan.publish.kpi_tables import collect_kpis

    ws = Workspace(workspace)
    month = Period.parse(period)
    ready = set(ready_notebooks())
    areas = [area for area in AREAS if area.notebook in ready]
    kpis = collect_kpis(ws, month, load_params(month.year, ws.params_dir), areas)
    with tempfile.TemporaryDirectory() as folder:
        manifest.write_kpi_files(kpis, Path(folder), period)
        shutil.copy2(Path(folder) / KPI_FILE, target / KPI_FILE)


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate every expected notebook and KPI file; returns 1 when a notebook failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks executed at once")
    args = parser.parse_args(argv)
    notebooks = ready_notebooks()
    if not notebooks:
        print("no notebooks in notebooks/ belong to serviceplan.metrics.areas.AREAS: nothing to do", file=sys.stderr)
        return 1
    started = time.perf_counter()
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="serviceplan-expected-") as scratch:
        workspace = scratch_workspace(Path(scratch) / "ws")
        work = Path(scratch) / "executed"
        print(f"demo data written; executing {len(notebooks)} notebook(s) for {', '.join(PERIODS)}")
        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [
                pool.submit(execute, notebook, period, workspace, work) for period in PERIODS for notebook in notebooks
            ]
            for future in concurrent.futures.as_completed(futures):
                notebook, period, error = future.result()
                if error:
                    failed.append(f"{period}/{notebook}: {error}")
                    print(f"FAILED {period}/{notebook}: {error}", file=sys.stderr)
                else:
                    print(f"executed {period}/{notebook}")
        for period in PERIODS:
            target = EXPECTED / period
            target.mkdir(parents=True, exist_ok=True)
            for notebook in notebooks:
                executed = work / period / notebook
                if executed.is_file() and not any(f.startswith(f"{period}/{notebook}:") for f in failed):
                    text = nbformat.writes(normalise(nbformat.read(executed, as_version=4))) + "\n"
                    (target / notebook).write_text(text, encoding="utf-8", newline="\n")
            for stale in sorted(set(p.name for p in target.glob("*.ipynb")) - set(notebooks)):
                (target / stale).unlink()
                print(f"removed {target.relative_to(ROOT).as_posix()}/{stale} (no such notebook any more)")
            if not failed:
                write_kpis(workspace, period, target)
        for folder in sorted(p for p in EXPECTED.iterdir() if p.is_dir() and p.name not in PERIODS):
            shutil.rmtree(folder)
            print(f"removed {folder.relative_to(ROOT).as_posix()} (not an expected period any more)")
    seconds = time.perf_counter() - started
    if failed:
        print(f"{len(failed)} notebook run(s) failed; their expected copies and the KPI files were left as they were")
        return 1
    print(f"wrote the expected outputs of {len(notebooks)} notebook(s) x {len(PERIODS)} period(s) in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
