"""Shared fixtures: throw-away workspaces so that no test touches the checkout's data or reports."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest

from serviceplan.core.paths import ENV_HOME, Workspace
from serviceplan.inputs import demo

REPO = Path(__file__).resolve().parents[1]

# tests/fixtures/ holds inputs of the tests, nothing to collect: the batch tests execute its notebooks themselves
# (one of them fails, one sleeps), so they are no nbval targets.
collect_ignore = ["fixtures"]


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


def text_outputs(notebook: Path) -> list[list[Any]]:
    """Every code cell's outputs without image bytes: stream text, and each display's non-image MIME data."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    result = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        shown = []
        for output in cell["outputs"]:
            if output["output_type"] == "stream":
                shown.append([output["name"], "".join(output["text"])])
            else:
                data = output.get("data", {})
                shown.append([output["output_type"], {k: v for k, v in data.items() if not k.startswith("image/")}])
        result.append(shown)
    return result


def add_to_first_amount(path: Path, euros: float) -> None:
    """Add ``euros`` to the ``Summa`` of the first data row of a ledger export (UTF-8 with BOM, decimal comma)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    fields = lines[1].rstrip("\n").split(";")
    fields[-1] = f"{float(fields[-1].replace(',', '.')) + euros:.2f}".replace(".", ",")
    lines[1] = ";".join(fields) + "\n"
    path.write_text("".join(lines), encoding="utf-8-sig")


@pytest.fixture(scope="session")
def demo_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset, generated once per test session (read-only: copy it before changing anything)."""
    raw = tmp_path_factory.mktemp("demo") / "raw"
    demo.generate(raw, REPO / "params")
    return raw


@pytest.fixture(scope="session")
def make_demo_workspace(demo_raw: Path) -> Callable[[Path], Workspace]:
    """A factory of workspaces holding a private copy of the demo dataset, for module- and session-scoped fixtures."""

    def make(root: Path) -> Workspace:
        ws = new_workspace(root)
        shutil.copytree(demo_raw, ws.raw_dir)
        return ws

    return make


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


@dataclass(frozen=True)
class ExecutedPage:
    """A report page executed by Papermill: where it ran and what it showed."""

    folder: Path  # the run's working folder: the charts the page saved are in its figures/
    markdown: str  # every Markdown output of the page's code cells, one after the other
    images: list[tuple[str, str]]  # each chart in the Markdown: (alternative text, path relative to ``folder``)


@pytest.fixture
def run_page(demo_workspace: Workspace, tmp_path: Path) -> Callable[[str, str], ExecutedPage]:
    """Executes ``notebooks/<name>`` for a period on a private demo workspace, as the batch does, and checks that
    the page printed nothing (no print, no warning) and raised no error."""

    def run(name: str, period: str) -> ExecutedPage:
        out = tmp_path / "run" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        papermill.execute_notebook(
            str(REPO / "notebooks" / name),
            str(out),
            parameters={"period": period, "workspace": str(demo_workspace.root)},
            cwd=str(out.parent),
            progress_bar=False,
            kernel_name="python3",
        )
        executed = nbformat.read(out, as_version=4)
        outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type in ("stream", "error")], "no prints, warnings or errors"
        markdown = "\n".join(o.data.get("text/markdown", "") for o in outputs if "data" in o)
        # a chart as Quarto is given it: ![caption](figures/x.png){fig-alt="alternative text"} -> (alt, path)
        images = re.findall(
            r'!\[(?:\\.|[^\]\\])+\]\((?=[^)]+\)\{fig-alt="((?:\\.|[^"\\])*)")(figures/[^)]+\.png)\)', markdown
        )
        return ExecutedPage(out.parent, markdown, images)

    return run


class NbvalWorkspace:
    """Points every kernel nbval starts at a throw-away demo workspace, never at the checkout's data.

    The notebooks find their workspace through ``SERVICEPLAN_HOME`` (:func:`serviceplan.core.paths.find_workspace`); a
    kernel inherits the environment it is started in, so the variable is set only while nbval sets up a notebook
    (which starts its kernel) and the rest of the test session does not see it. The workspace holds the demo
    dataset, generated once per test process on first use, and is removed when the session ends.
    """

    def __init__(self) -> None:
        self.base: Path | None = None

    def root(self) -> Path:
        """The demo workspace folder, created on first use."""
        if self.base is None:
            self.base = Path(tempfile.mkdtemp(prefix="serviceplan-nbval-"))
            ws = new_workspace(self.base / "ws")
            demo.generate(ws.raw_dir, ws.params_dir)
        return self.base / "ws"

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        if type(item).__module__ != "nbval.plugin":
            return (yield)
        previous = os.environ.get(ENV_HOME)
        os.environ[ENV_HOME] = str(self.root())
        try:
            return (yield)
        finally:
            if previous is None:
                os.environ.pop(ENV_HOME, None)
            else:
                os.environ[ENV_HOME] = previous

    def pytest_unconfigure(self) -> None:
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    """With ``--nbval`` or ``--nbval-lax``, run every notebook on a throw-away demo workspace."""
    if getattr(config.option, "nbval", False) or getattr(config.option, "nbval_lax", False):
        config.pluginmanager.register(NbvalWorkspace(), "serviceplan-nbval-workspace")
