"""Gate 1: notebook validation with nbval.

``make test`` runs nbval strictly (``--nbval``) over ``tests/expected/<period>/``: executed copies of every report
notebook on the demo data, written by ``tools/update_expected.py``. nbval executes each copy again in a fresh
kernel on a throw-away demo workspace (``tests/conftest.py``) and compares every code cell's output with the
stored one after the volatile parts are sanitised (``tests/nbval_sanitize.cfg``). So a key figure that changes
fails the gate, and a clock time, a temporary path or a memory address does not.

The tests here keep the gate honest: the expected copies are complete and executed from the current notebook
sources; the sanitize patterns replace exactly the volatile parts; and, run in a separate pytest, a changed key
figure makes nbval fail while sanitised volatile output does not.
"""

from __future__ import annotations

import base64
import concurrent.futures
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import get_sanitize_patterns

from serviceplan.core.paths import ENV_HOME, Workspace
from serviceplan.metrics.areas import AREAS, get
from tools_loader import load_tool

REPO = Path(__file__).resolve().parents[1]
EXPECTED = REPO / "tests" / "expected"
SANITIZE = REPO / "tests" / "nbval_sanitize.cfg"
REGENERATE = "run: python tools/update_expected.py (see docs/quality-gates.md)"


TOOL = load_tool("update_expected")


def _is_injected(cell: nbformat.NotebookNode) -> bool:
    return "injected-parameters" in cell.metadata.get("tags", [])


def _cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """What a notebook *is* (cell types and sources), without the parameters Papermill injected."""
    return [(cell.cell_type, cell.source) for cell in notebook.cells if not _is_injected(cell)]


# --- the expected copies ----------------------------------------------------------------------------------------


def test_expected_periods_are_the_tools_periods() -> None:
    folders = sorted(p.name for p in EXPECTED.iterdir() if p.is_dir())
    assert folders == sorted(TOOL.PERIODS), REGENERATE


def test_every_existing_notebook_is_an_area_with_expected_copies() -> None:
    ready = TOOL.ready_notebooks()
    assert ready, "no notebook of serviceplan.metrics.areas.AREAS exists in notebooks/"
    assert ready == [a.notebook for a in AREAS if (REPO / "notebooks" / a.notebook).is_file()]
    for period in TOOL.PERIODS:
        present = sorted(p.name for p in (EXPECTED / period).glob("*.ipynb"))
        assert present == sorted(ready), f"tests/expected/{period}/ does not match notebooks/: {REGENERATE}"


@pytest.mark.parametrize("period", TOOL.PERIODS)
def test_expected_copies_are_executed_from_the_current_sources(period: str) -> None:
    for name in TOOL.ready_notebooks():
        expected = nbformat.read(EXPECTED / period / name, as_version=4)
        source = nbformat.read(REPO / "notebooks" / name, as_version=4)
        assert _cells(expected) == _cells(source), f"tests/expected/{period}/{name} is older than its notebook: " + (
            REGENERATE
        )
        injected = [cell for cell in expected.cells if _is_injected(cell)]
        assert [cell.source for cell in injected] == [f'# Parameters\nperiod = "{period}"\n']
        code = [cell for cell in expected.cells if cell.cell_type == "code"]
        # nbval compares the outputs of executed cells only: an unexecuted cell would check nothing
        assert all(cell.execution_count is not None for cell in code)
        kinds = [(o.output_type, o.get("name")) for cell in code for o in cell.outputs]
        assert ("error", None) not in kinds and ("stream", "stderr") not in kinds, f"{name}: errors or warnings"
        assert sum(len(cell.outputs) for cell in code) > 0
        assert "papermill" not in expected.metadata  # normalised: nothing that changes from run to run


@pytest.mark.parametrize("period", TOOL.PERIODS)
def test_expected_kpi_file_covers_every_area_with_kpis(period: str) -> None:
    text = (EXPECTED / period / TOOL.KPI_FILE).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(";")[:3] == ["period", "area", "kpi"]
    areas = {line.split(";")[1] for line in lines[1:]}
    periods = {line.split(";")[0] for line in lines[1:]}
    ready = set(TOOL.ready_notebooks())
    assert periods == {period}
    assert areas == {a.id for a in AREAS if a.notebook in ready and a.kpi_function}, REGENERATE


def test_make_test_runs_the_expected_notebooks_strictly() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "--nbval " in recipe and "--nbval-lax" not in recipe
    assert "--nbval-sanitize-with tests/nbval_sanitize.cfg" in recipe


# --- the sanitize patterns -------------------------------------------------------------------------------------


def _sanitise(text: str) -> str:
    for regex, replace in get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8")):
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize(
    ("text", "sanitised"),
    [
        # clock times: ISO 8601 as Papermill, pandas and datetime write them, and the Finnish way
        ("alkoi 2026-11-28T08:11:23.135236+00:00.", "alkoi <TIME>."),
        ("2026-11-28 08:11:23 ja 2026-11-28T08:11Z", "<TIME> ja <TIME>"),
        ("Ajettu 28.11.2026 klo 8.11.", "Ajettu <TIME>."),
        # paths of temporary and home folders
        ("Työtila: /tmp/pytest-of-ci/pytest-7/serviceplan-nbval-x1/ws", "Työtila: <PATH>"),
        ("(/home/analyytikko/lahti/data/raw/2026-06/kirjanpito_2026-06.csv)", "(<PATH>)"),
        ("'/private/var/folders/x7/T/ws' ja C:\\Users\\analyytikko\\AppData\\Local\\Temp\\ws", "'<PATH>' ja <PATH>"),
        # memory addresses and embedded image bytes
        ("<object object at 0x7f3a2c1b9e40>", "<object object at 0x<ADDRESS>>"),
        ("![Kuvio](data:image/png;base64,iVBORw0KGgo+/AAAA==)", "![Kuvio](data:image/<IMAGE>)"),
    ],
)
def test_sanitize_patterns_replace_volatile_parts(text: str, sanitised: str) -> None:
    assert _sanitise(text) == sanitised


@pytest.mark.parametrize(
    "text",
    [
        "| Toimintakulut vuoden alusta | 13,59\u00a0M€ | +21,9\u00a0% | – | 14,10\u00a0M€ | tavoitteessa |",
        "| 101–200 päivää | 1\u202f513 | 1\u202f215\u202f082\u00a0€ | 803\u00a0€ | 10\u00a0% |",
        "Valmistui 30.6.2025; määräaika 2025-12-31; kausi 2026-06; 12.5.2026 klo",
        "![Pylväskaavio kuukausittain](figures/budget-monthly.png)",
        "tunnus 0x1F ja 2024M06, 45,5–48,3\u00a0milj.\u00a0euroa, data/raw/2026-06/statfin_12r5.json",
    ],
)
def test_sanitize_patterns_leave_key_figures_dates_and_relative_paths_alone(text: str) -> None:
    assert _sanitise(text) == text


# --- proof: strict nbval fails on a changed key figure, not on volatile output -----------------------------------

VOLATILE_CELL = """import base64
import concurrent.futures
import datetime
import os

from IPython.display import Markdown, display

from serviceplan.core.paths import find_workspace

now = datetime.datetime.now()
print(f"Ajettu {now.isoformat()} eli {now.day}.{now.month}.{now.year} klo {now.hour}.{now.minute:02d}")
print(f"Työtila: {find_workspace().root}")
print(f"Olio: {object()}")
display(Markdown(f"![Kuvio](data:image/png;base64,{base64.b64encode(os.urandom(30)).decode()})"))
print("Kokonaiskulujen ennuste 46,87 milj. euroa")"""


def _volatile_notebook(figure: str) -> nbformat.NotebookNode:
    """A notebook whose stored output is "another run's" (other time, path, address, image) with ``figure``."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(VOLATILE_CELL, execution_count=1)
    image = base64.b64encode(bytes(range(30))).decode()
    cell.outputs = [
        nbformat.v4.new_output(
            "stream",
            name="stdout",
            text="Ajettu 2024-01-02T03:04:05.678901 eli 2.1.2024 klo 3.04\n"
            "Työtila: /home/analyytikko/serviceplan\n"
            "Olio: <object object at 0x7f00deadbeef>\n",
        ),
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/markdown": f"![Kuvio](data:image/png;base64,{image})",
                "text/plain": "<IPython.core.display.Markdown object>",
            },
        ),
        nbformat.v4.new_output("stream", name="stdout", text=f"Kokonaiskulujen ennuste {figure} milj. euroa\n"),
    ]
    notebook.cells.append(cell)
    return notebook


_FIGURE = re.compile(r"\d+,\d+(?=\u00a0M€)")


def _with_changed_key_figure(path: Path) -> tuple[nbformat.NotebookNode, int, str]:
    """The expected notebook with one figure of its KPI table changed in the last digit.

    Returns the notebook, the changed cell's nbval name (``Cell N`` counts code cells from 0) and the new figure.
    """
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code):
        for output in cell.outputs:
            markdown = output.get("data", {}).get("text/markdown", "")
            match = _FIGURE.search(markdown) if "| Tunnusluku |" in markdown else None
            if match:
                old = match.group()
                new = old[:-1] + str((int(old[-1]) + 1) % 10)
                output.data["text/markdown"] = markdown[: match.start()] + new + markdown[match.end() :]
                return notebook, number, new
    raise AssertionError(f"{path} shows no KPI table with a figure in M€")


def _run_nbval(folder: Path, home: Path, *, sanitise: bool) -> tuple[dict[str, str], str]:
    """Run strict nbval in a separate pytest over the notebooks in ``folder``.

    Returns ``{"<notebook>::Cell N": "passed" | "failed"}`` and pytest's output.
    """
    report = folder / "report.xml"
    args = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider"]
    args += ["-o", "addopts=", "-q", f"--junitxml={report}", str(folder)]
    if sanitise:
        args += ["--nbval-sanitize-with", str(SANITIZE)]
    env = {**os.environ, ENV_HOME: str(home)}
    done = subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=900, check=False)
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        notebook = case.get("classname", "").rsplit(".", 1)[0].rsplit(".", 1)[-1] + ".ipynb"
        failed = case.find("failure") is not None or case.find("error") is not None
        outcomes[f"{notebook}::{case.get('name')}"] = "failed" if failed else "passed"
    return outcomes, done.stdout + done.stderr


@pytest.fixture(scope="module")
def proof_runs(tmp_path_factory: pytest.TempPathFactory, make_demo_workspace: Callable[[Path], Workspace]) -> dict:
    """Two separate strict nbval runs, side by side, on a demo workspace of their own.

    ``sanitised`` runs with the sanitize file over: the budget page's expected notebook with a key figure changed,
    the volatile notebook as stored, and the volatile notebook with its key figure changed. ``unsanitised`` runs
    the volatile notebook as stored without the sanitize file (the control: its output really is volatile).
    """
    home = make_demo_workspace(tmp_path_factory.mktemp("proof") / "ws").root
    sanitised, unsanitised = tmp_path_factory.mktemp("sanitised"), tmp_path_factory.mktemp("unsanitised")
    changed, cell, figure = _with_changed_key_figure(EXPECTED / "2026-06" / get("budget").notebook)
    nbformat.write(changed, sanitised / "changed_figure.ipynb")
    nbformat.write(_volatile_notebook("46,87"), sanitised / "volatile.ipynb")
    nbformat.write(_volatile_notebook("46,88"), sanitised / "volatile_changed_figure.ipynb")
    nbformat.write(_volatile_notebook("46,87"), unsanitised / "volatile.ipynb")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        runs = {
            "sanitised": pool.submit(_run_nbval, sanitised, home, sanitise=True),
            "unsanitised": pool.submit(_run_nbval, unsanitised, home, sanitise=False),
        }
        results = {name: future.result() for name, future in runs.items()}
    cells = sum(c.cell_type == "code" for c in changed.cells)
    return {**results, "cell": cell, "cells": cells, "figure": figure}


def test_a_changed_key_figure_fails_strict_nbval(proof_runs: dict) -> None:
    outcomes, output = proof_runs["sanitised"]
    mine = {name: state for name, state in outcomes.items() if name.startswith("changed_figure.ipynb::")}
    assert len(mine) == proof_runs["cells"], output
    failed = [name for name, state in mine.items() if state == "failed"]
    assert failed == [f"changed_figure.ipynb::Cell {proof_runs['cell']}"], output  # that cell, and only it
    assert "Cell outputs differ" in output and proof_runs["figure"] in output


def test_sanitised_volatile_output_passes_but_a_key_figure_beside_it_does_not(proof_runs: dict) -> None:
    outcomes, output = proof_runs["sanitised"]
    assert outcomes["volatile.ipynb::Cell 0"] == "passed", output
    assert outcomes["volatile_changed_figure.ipynb::Cell 0"] == "failed", output


def test_without_the_sanitize_file_the_volatile_output_fails(proof_runs: dict) -> None:
    outcomes, output = proof_runs["unsanitised"]
    assert outcomes == {"volatile.ipynb::Cell 0": "failed"}, output
