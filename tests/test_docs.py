"""The documentation names what the code registers."""

from __future__ import annotations

from pathlib import Path

from serviceplan.sources import DATASETS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_data_log_names_every_dataset():
    text = (DOCS / "data-log.md").read_text(encoding="utf-8")
    missing = [name for name in DATASETS if f"`{name}`" not in text]
    assert not missing, f"docs/data-log.md does not describe: {missing}"
