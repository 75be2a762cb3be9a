"""Canonical tables: building, caching, loading up to a period, newest period, demo on first use."""

from __future__ import annotations

import pytest

from serviceplan.core.errors import DataError, UsageError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import build_canonical, ensure_data, input_files, load, newest_period, raw_periods


def test_load_keeps_only_rows_up_to_the_period(demo_workspace: Workspace):
    ledger = load("ledger", "2025-06", demo_workspace)
    assert ledger["period"].max() == "2025-06"
    assert ledger["period"].min() == "2025-01"
    assert str(ledger["amount_eur"].dtype) == "float64"


def test_a_delivery_is_read_once_and_again_only_when_it_changes(demo_workspace: Workspace):
    paths = build_canonical(demo_workspace, ["ledger"])["ledger"]
    march = next(p for p in paths if p.name == "2025-03.parquet")
    april = next(p for p in paths if p.name == "2025-04.parquet")
    before = {p: p.stat().st_mtime_ns for p in (march, april)}
    build_canonical(demo_workspace, ["ledger"])
    assert {p: p.stat().st_mtime_ns for p in (march, april)} == before
    ledger_file = demo_workspace.raw_period_dir("2025-03") / "kirjanpito_2025-03.csv"
    text = ledger_file.read_text(encoding="utf-8-sig").replace("Avustukset ja kesätyö", "Avustukset ja kesätyöt", 1)
    ledger_file.write_text(text, encoding="utf-8-sig")
    assert "Avustukset ja kesätyöt" in set(load("ledger", "2025-03", demo_workspace)["cost_centre_name"])
    assert march.stat().st_mtime_ns != before[march]  # the changed month was read again ...
    assert april.stat().st_mtime_ns == before[april]  # ... and no other


def test_a_broken_later_month_does_not_block_an_earlier_report(demo_workspace: Workspace):
    path = demo_workspace.raw_period_dir("2025-09") / "kirjanpito_2025-09.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace(";Tarvesidonnainen;", ";Muu;"), encoding="utf-8-sig")
    assert load("ledger", "2025-08", demo_workspace)["period"].max() == "2025-08"
    with pytest.raises(DataError, match=r"kirjanpito_2025-09\.csv"):
        load("ledger", "2025-09", demo_workspace)


def test_periods_and_inputs(demo_workspace: Workspace):
    periods = raw_periods(demo_workspace)
    assert str(periods[0]) == "2025-01" or str(periods[0]) == "2024-01"  # public statistics may start earlier
    assert newest_period(demo_workspace) == Period(2026, 6)
    files = input_files(demo_workspace, Period(2025, 2))
    names = {f.name for f in files}
    assert {"kirjanpito_2025-01.csv", "kirjanpito_2025-02.csv", "kela_kuntaosuus_2025-02.csv"} <= names
    assert not any("2025-03" in n for n in names)


def test_empty_workspace_gets_the_demo_once(workspace: Workspace):
    with pytest.raises(UsageError, match="serviceplan demo"):
        newest_period(workspace)
    assert ensure_data(workspace) is True
    assert ensure_data(workspace) is False
    assert newest_period(workspace) == Period(2026, 6)


def test_unknown_dataset(demo_workspace: Workspace):
    with pytest.raises(UsageError, match="unknown dataset"):
        load("nope", "2025-06", demo_workspace)
