"""Measure the report notebooks' own CPU work: what a kernel spends after the imports, per notebook.

Each notebook runs in a fresh Python process (as each runs in a fresh kernel), with the Agg backend, inside a
throw-away working directory (its ``figures/`` land there), in an IPython shell so that every display is
formatted as the kernel formats it. The import statements of the code cells run first and are timed apart
(``imports``); the rest of the cells is ``work``: everything the floor of ``docs/benchmark.md`` does not
contain, including modules imported lazily by the code. Times are CPU seconds (``time.process_time``) of the
process; the cells' outputs without image bytes can be written to a folder to check that a change left them
as they were (``--outputs``), and the charts kept (``--figures``)::

    python tools/profile_notebook.py                          # every notebook, 2026-06, a new demo workspace
    python tools/profile_notebook.py --repeat 3 --workspace /tmp/ws
    python tools/profile_notebook.py --profile 00             # cProfile of notebook 00's work, top 40
    python tools/profile_notebook.py --outputs /tmp/out-before --figures /tmp/fig-before

Without ``--workspace`` the demo dataset and its canonical tables are written into a temporary workspace first
(not measured). The canonical tables are built before the notebooks run, as the batch does.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from update_expected import scratch_workspace  # beside this script in tools/

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = ROOT / "notebooks"


def split_cells(notebook: Path) -> tuple[str, list[str]]:
    """The import statements of the notebook's code cells (parameters cell excluded) as one source, and each
    code cell's other statements (one source per cell, in order)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    imports: list[ast.stmt] = []
    rest: list[str] = []
    for cell in cells:
        if cell["cell_type"] != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        tree = ast.parse("".join(cell["source"]))
        imports.extend(n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom))
        others = [n for n in tree.body if not isinstance(n, ast.Import | ast.ImportFrom)]
        rest.append(ast.unparse(ast.Module(body=others, type_ignores=[])))
    return ast.unparse(ast.Module(body=imports, type_ignores=[])), rest


def _outputs(captured: Any) -> list[Any]:
    """A captured cell's outputs without image bytes: stdout, stderr and each display's other MIME data."""
    shown: list[Any] = [["stdout", captured.stdout], ["stderr", captured.stderr]]
    for output in captured.outputs:
        shown.append({k: v for k, v in output.data.items() if not k.startswith("image/")})
    return shown


def run_one(
    notebook: Path,
    period: str,
    workspace: Path,
    profile: bool,
    top: int,
    figures: Path | None,
    dump: Path | None = None,
) -> dict:
    """Run ``notebook``'s code in this process; returns its CPU seconds and outputs (see the module docstring)."""
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["SERVICEPLAN_HOME"] = str(workspace)
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    shell.user_ns.update(period=period, workspace=str(workspace))
    import_source, cells = split_cells(notebook)
    with tempfile.TemporaryDirectory(prefix="profile-nb-") as cwd:
        os.chdir(cwd)
        start = time.process_time()
        exec(compile(import_source, f"<{notebook.name} imports>", "exec"), shell.user_ns)
        imports = time.process_time() - start
        outputs = []
        profiler = cProfile.Profile() if profile else None
        start = time.process_time()
        if profiler:
            profiler.enable()
        for number, source in enumerate(cells):
            with capture_output() as captured:
                result = shell.run_cell(source, store_history=False, silent=False)
            if not result.success:
                raise SystemExit(f"{notebook.name} cell {number}: {result.error_in_exec or result.error_before_exec}")
            outputs.append(_outputs(captured))
        if profiler:
            profiler.disable()
        work = time.process_time() - start
        if figures is not None:
            target = figures / notebook.stem
            if target.exists():
                shutil.rmtree(target)
            if (Path(cwd) / "figures").is_dir():
                shutil.copytree(Path(cwd) / "figures", target)
        os.chdir(ROOT)
    report = ""
    if profiler:
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        report = stream.getvalue()
        if dump is not None:
            stats.dump_stats(str(dump))
    return {"imports": imports, "work": work, "outputs": outputs, "profile": report}


def child(argv: list[str]) -> int:
    """Entry of the per-notebook process: prints one JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", required=True)
    parser.add_argument("--period", required=True)
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--figures")
    parser.add_argument("--dump")
    args = parser.parse_args(argv)
    result = run_one(
        Path(args.one),
        args.period,
        Path(args.workspace),
        args.profile,
        args.top,
        Path(args.figures) if args.figures else None,
        Path(args.dump) if args.dump else None,
    )
    sys.stdout.write("\n@@RESULT@@" + json.dumps(result, ensure_ascii=False) + "\n")
    return 0


def run_child(
    notebook: Path,
    period: str,
    workspace: Path,
    profile: bool,
    top: int,
    figures: Path | None,
    dump: Path | None = None,
) -> dict[str, Any]:
    """Run one notebook in a fresh process and return its result."""
    command = [sys.executable, __file__, "--one", str(notebook), "--period", period, "--workspace", str(workspace)]
    if profile:
        command += ["--profile", "--top", str(top)]
    if figures is not None:
        command += ["--figures", str(figures)]
    if dump is not None:
        command += ["--dump", str(dump)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or "@@RESULT@@" not in done.stdout:
        raise SystemExit(f"{notebook.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.rsplit("@@RESULT@@", 1)[1])


def main(argv: list[str] | None = None) -> int:
    """Measure every selected notebook and print a table of CPU seconds (median of ``--repeat`` runs)."""
    argv = sys.argv[1:] if argv is None else argv
    if "--one" in argv:
        return child(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2026-06")
    parser.add_argument("--workspace", help="a workspace with data (default: a new demo workspace)")
    parser.add_argument("--notebooks", nargs="*", default=[], help="number prefixes, e.g. 00 03 (default: all)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", metavar="NN", help="print cProfile of this notebook's work")
    parser.add_argument("--top", type=int, default=40, help="rows of the cProfile listing")
    parser.add_argument("--dump", type=Path, help="with --profile: also write the raw cProfile stats here")
    parser.add_argument("--outputs", type=Path, help="write each notebook's outputs (no images) here as JSON")
    parser.add_argument("--figures", type=Path, help="keep each notebook's figures/ here")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--notebook-dir", type=Path, default=NOTEBOOKS, help="where the .ipynb files are")
    args = parser.parse_args(argv)
    selected = [p for p in sorted(args.notebook_dir.glob("[0-9][0-9]_*.ipynb"))]
    if args.notebooks:
        selected = [p for p in selected if p.name[:2] in args.notebooks]
    if args.profile:
        selected = [p for p in selected if p.name.startswith(args.profile)]
    if not selected:
        parser.error(f"no notebook NN_*.ipynb in {args.notebook_dir} matches (give number prefixes, e.g. 00 03)")
    with tempfile.TemporaryDirectory(prefix="profile-ws-") as scratch:
        workspace = Path(args.workspace).resolve() if args.workspace else scratch_workspace(Path(scratch) / "ws")
        rows: dict[str, dict[str, list[float]]] = {}
        for repetition in range(max(1, args.repeat)):
            for notebook in selected:
                figures = args.figures if repetition == 0 else None
                result = run_child(notebook, args.period, workspace, bool(args.profile), args.top, figures, args.dump)
                row = rows.setdefault(notebook.stem, {"imports": [], "work": []})
                row["imports"].append(result["imports"])
                row["work"].append(result["work"])
                if args.profile and repetition == 0:
                    print(result["profile"])
                if args.outputs and repetition == 0:
                    args.outputs.mkdir(parents=True, exist_ok=True)
                    text = json.dumps(result["outputs"], ensure_ascii=False, indent=1)
                    (args.outputs / f"{notebook.stem}.json").write_text(text, encoding="utf-8")
                print(f"  {notebook.stem} run {repetition + 1}: work {result['work']:.2f} s", file=sys.stderr)
    print(f"period {args.period}, CPU seconds, median of {max(1, args.repeat)} run(s)")
    print(f"{'notebook':<28}{'imports':>9}{'work':>9}{'min':>8}{'max':>8}")
    total = 0.0
    for name, row in rows.items():
        work = statistics.median(row["work"])
        total += work
        print(f"{name:<28}{statistics.median(row['imports']):>9.2f}{work:>9.2f}{min(row['work']):>8.2f}"
              f"{max(row['work']):>8.2f}")  # fmt: skip
    print(f"{'total work':<28}{'':>9}{total:>9.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
