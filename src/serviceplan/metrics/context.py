"""The one call a notebook makes first: resolve the period, the parameters and the data, and set the theme.

A notebook's parameters cell holds ``period = None`` and ``workspace = None``; with those defaults it runs on
the newest month of the workspace's data (the demo dataset in a new checkout), so it works on its own in
JupyterLab as well as under Papermill.
"""

from __future__ import annotations

from pathlib import Path

from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace, find_workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import ensure_data, newest_period
from serviceplan.metrics.kpis import Context
from serviceplan.present import theme


def setup(period: str | None = None, workspace: str | Path | None = None) -> Context:
    """Resolve everything a notebook needs for ``period`` (default: the newest month with data)."""
    ws = Workspace(Path(workspace).resolve()) if workspace else find_workspace()
    ensure_data(ws)
    resolved = Period.parse(period) if period else newest_period(ws)
    params = load_params(resolved.year, ws.params_dir)
    theme.apply()
    return Context(period=resolved, params=params, workspace=ws)
