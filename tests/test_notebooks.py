"""The report pages' notebooks: each paired by jupytext with its reviewable source, committed without outputs.

A page is two files kept in step by jupytext (settings in ``jupytext.toml``): ``notebooks/NN_<area>.ipynb``, which
Papermill executes, and ``notebooks/src/NN_<area>.py`` in the percent format, which reviewers read. Saving in
JupyterLab writes both; after an edit of either outside JupyterLab, ``jupytext --sync`` writes the other. The
tests here fail when the two of a page differ, and check the pairing itself through jupytext's own contents manager
(the one JupyterLab saves through) on a copy of the pages.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import jupytext
import nbformat
import papermill
import pytest
from jupytext.compare import NotebookDifference, compare_notebooks
from jupytext.config import load_jupytext_configuration_file
from jupytext.paired_paths import paired_paths

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
CONFIG = REPO / "jupytext.toml"
PAGES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
SYNC = "run: jupytext --sync notebooks/src/*.py (the newer file of each pair wins)"


def paired_source(root: Path, notebook: str) -> Path:
    """The text file that ``root/jupytext.toml`` pairs with ``notebooks/<notebook>``."""
    config = load_jupytext_configuration_file(str(root / "jupytext.toml"))
    path = (root / "notebooks" / notebook).as_posix()
    formats = config.default_formats(path)
    assert formats, f"jupytext.toml pairs no format with notebooks/{notebook}"
    [(text, _fmt)] = [(p, f) for p, f in paired_paths(path, "ipynb", formats) if f["extension"] == ".py"]
    return Path(text)


def out_of_step(root: Path, notebook: str) -> str | None:
    """What differs between ``notebooks/<notebook>`` and its paired source under ``root``; None when in step."""
    source = paired_source(root, notebook)
    if not source.is_file():
        return f"{source.relative_to(root).as_posix()} is missing"
    try:
        compare_notebooks(jupytext.read(source), jupytext.read(root / "notebooks" / notebook), fmt="py:percent")
    except NotebookDifference as difference:
        return f"notebooks/{notebook} and {source.relative_to(root).as_posix()} differ: {difference}"
    return None


@pytest.fixture
def pages_copy(tmp_path: Path) -> Path:
    """A copy of the pages (notebooks and sources), the jupytext settings and one executed expected copy."""
    shutil.copy2(CONFIG, tmp_path / CONFIG.name)
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "figures"))
    expected = tmp_path / "tests" / "expected" / "2025-11"
    expected.mkdir(parents=True)
    shutil.copy2(REPO / "tests" / "expected" / "2025-11" / "01_budget.ipynb", expected)
    return tmp_path


def test_every_page_has_both_files() -> None:
    assert PAGES, "no notebooks in notebooks/"
    sources = sorted(p.stem for p in (NOTEBOOKS / "src").glob("*.py"))
    assert sources == [Path(name).stem for name in PAGES], "every notebooks/NN_<area>.ipynb pairs with a .py"


@pytest.mark.parametrize("notebook", PAGES)
def test_notebook_and_its_source_are_in_step(notebook: str) -> None:
    assert paired_source(REPO, notebook) == NOTEBOOKS / "src" / notebook.replace(".ipynb", ".py")
    difference = out_of_step(REPO, notebook)
    assert difference is None, f"{difference}\n{SYNC}"


@pytest.mark.parametrize("notebook", PAGES)
def test_committed_notebook_has_parameters_and_no_outputs(notebook: str) -> None:
    page = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    code = [c for c in page.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), f"run: nbstripout notebooks/{notebook}"
    assert code[0].metadata.get("tags") == ["parameters"]
    assert set(papermill.inspect_notebook(str(NOTEBOOKS / notebook))) == {"period", "workspace"}


def test_the_check_sees_a_changed_cell_on_either_side(pages_copy: Path) -> None:
    source = pages_copy / "notebooks" / "src" / "01_budget.py"
    assert out_of_step(pages_copy, "01_budget.ipynb") is None
    source.write_text(source.read_text(encoding="utf-8").replace("# # Budjetti", "# # Talous"), encoding="utf-8")
    assert "Budjetti" in (out_of_step(pages_copy, "01_budget.ipynb") or "")
    page = pages_copy / "notebooks" / "04_grants.ipynb"
    notebook = nbformat.read(page, as_version=4)
    notebook.cells[1].metadata["tags"] = []  # the parameters cell loses its tag
    nbformat.write(notebook, page)
    assert "parameters" in (out_of_step(pages_copy, "04_grants.ipynb") or "")


def _contents_manager(root: Path) -> jupytext.AsyncTextFileContentsManager:
    """jupytext's contents manager over ``root``: what JupyterLab 4 reads and saves notebooks through."""
    return jupytext.AsyncTextFileContentsManager(root_dir=str(root))


def test_saving_a_page_in_jupyterlab_writes_its_source(pages_copy: Path) -> None:
    manager = _contents_manager(pages_copy)
    source = pages_copy / "notebooks" / "src" / "03_services.py"
    before = source.read_text(encoding="utf-8")
    model = asyncio.run(manager.get("notebooks/03_services.ipynb"))
    model["content"].cells[0].source += "\nKirjoitettu JupyterLabissa."
    model["content"].cells.append(nbformat.v4.new_code_cell("uusi = 1"))
    asyncio.run(manager.save({"type": "notebook", "content": model["content"]}, "notebooks/03_services.ipynb"))
    first_cell_end = before.index("\n\n# %%", before.index("# %% [markdown]"))
    added_line = "\n# Kirjoitettu JupyterLabissa."
    expected = before[:first_cell_end] + added_line + before[first_cell_end:] + "\n# %%\nuusi = 1\n"
    assert source.read_text(encoding="utf-8") == expected
    assert out_of_step(pages_copy, "03_services.ipynb") is None


def test_opening_a_page_after_its_source_changed_reads_the_source(pages_copy: Path) -> None:
    source = pages_copy / "notebooks" / "src" / "08_knowledge_management.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# %%\nprint('lisätty tekstieditorissa')\n")
    later = (pages_copy / "notebooks" / "08_knowledge_management.ipynb").stat().st_mtime + 10
    os.utime(source, (later, later))
    model = asyncio.run(_contents_manager(pages_copy).get("notebooks/08_knowledge_management.ipynb"))
    assert model["content"].cells[-1].source == "print('lisätty tekstieditorissa')"


def test_executed_copies_are_not_paired(pages_copy: Path) -> None:
    manager = _contents_manager(pages_copy)
    path = "tests/expected/2025-11/01_budget.ipynb"
    model = asyncio.run(manager.get(path))
    asyncio.run(manager.save({"type": "notebook", "content": model["content"]}, path))
    files = [p for p in (pages_copy / "tests").rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts]
    assert [p.relative_to(pages_copy).as_posix() for p in files] == [path]
