"""The budget notebook runs cleanly under Papermill and explains the catch-up invoice of November 2025."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "01_budget.ipynb"


@pytest.mark.parametrize("period", ["2025-11"])
def test_notebook_runs_under_papermill_without_warnings(run_page, period: str):
    page = run_page(NOTEBOOK.name, period)
    assert len(page.images) == 3
    for alt, path in page.images:
        assert len(alt) > 40 and (page.folder / path).is_file()
    assert "jälkilaskutusta" in page.markdown  # November 2025: the catch-up is explained
    assert "| Tunnusluku |" in page.markdown and "Tietosuojan vuoksi" in page.markdown
