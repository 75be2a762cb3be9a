"""Shared fixtures: throw-away workspaces so that no test touches the checkout's data or reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from serviceplan import demo
from serviceplan.paths import Workspace

REPO = Path(__file__).resolve().parents[1]


def new_workspace(root: Path) -> Workspace:
    """A workspace in ``root`` with the project's params, notebooks and Quarto config, but no data."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "params", root / "params")
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    if (REPO / "_quarto.yml").is_file():
        shutil.copy2(REPO / "_quarto.yml", root / "_quarto.yml")
    if (REPO / "plan").is_dir():
        shutil.copytree(REPO / "plan", root / "plan")
    return Workspace(root)


@pytest.fixture(scope="session")
def demo_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset, generated once per test session (read-only: copy it before changing anything)."""
    raw = tmp_path_factory.mktemp("demo") / "raw"
    demo.generate(raw, REPO / "params")
    return raw


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """An empty workspace (params and notebooks, no data)."""
    return new_workspace(tmp_path / "ws")


@pytest.fixture
def demo_workspace(tmp_path: Path, demo_raw: Path) -> Workspace:
    """A workspace holding a private copy of the demo dataset."""
    ws = new_workspace(tmp_path / "ws")
    shutil.copytree(demo_raw, ws.raw_dir)
    return ws
