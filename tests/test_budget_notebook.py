"""The budget notebook: built from its source, committed without outputs, and runs cleanly under Papermill."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import papermill
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "01_budget.ipynb"


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", REPO / "tools" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_percent_format_cells():
    text = (
        "# ruff: noqa: E402\n"
        "# %% [markdown]\n# # Otsikko\n#\n# Teksti.\n\n"
        '# %% tags=["parameters"]\nperiod = None\n\n'
        "# %%\nprint(period)\n"
    )
    cells = _builder().parse_cells(text)
    assert cells == [
        {"type": "markdown", "source": "# Otsikko\n\nTeksti.", "tags": []},
        {"type": "code", "source": "period = None", "tags": ["parameters"]},
        {"type": "code", "source": "print(period)", "tags": []},
    ]
    with pytest.raises(SystemExit, match="must start with '# '"):
        _builder().parse_cells("# %% [markdown]\nnot a comment\n")


def test_committed_notebook_matches_its_source_and_has_no_outputs():
    builder = _builder()
    assert builder.main(["--check", "01_budget"]) == 0, "run: python tools/build_notebooks.py"
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert code[0].metadata.get("tags") == ["parameters"]
    assert set(papermill.inspect_notebook(str(NOTEBOOK))) == {"period", "workspace"}


@pytest.mark.parametrize("period", ["2025-11"])
def test_notebook_runs_under_papermill_without_warnings(demo_workspace, tmp_path: Path, period: str):
    out = tmp_path / "run" / "01_budget.ipynb"
    out.parent.mkdir()
    papermill.execute_notebook(
        str(NOTEBOOK),
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
    images = re.findall(
        r'!\[(?:\\.|[^\]\\])+\]\((?=[^)]+\)\{fig-alt="((?:\\.|[^"\\])*)")(figures/[^)]+\.png)\)', markdown
    )  # (fig-alt, path)
    assert len(images) == 3
    for alt, path in images:
        assert len(alt) > 40 and (out.parent / path).is_file()
    assert "jälkilaskutusta" in markdown  # November 2025: the catch-up is explained
    assert "| Tunnusluku |" in markdown and "Tietosuojan vuoksi" in markdown
