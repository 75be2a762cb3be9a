"""The commands of the two pipelines: the naive one (Papermill per notebook, then a render of every version) and
``serviceplan run``."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from serviceplan.bench.config import BenchConfig
from serviceplan.core.errors import UsageError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period

if TYPE_CHECKING:  # the registry imports pandas: loaded only when a benchmark runs, not with the command line
    from serviceplan.metrics.areas import Area


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
        "serviceplan.bench.driver",
        "--workspace",
        str(ws.root),
        "--areas-json",
        spec,
        periods,
        *options,
    ]
