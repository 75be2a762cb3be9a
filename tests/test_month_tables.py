"""Month tables: a batch's kernels share each dataset's table for a month, kept under a key computed from its inputs.

Covered: a kept table reads back exactly as built (every dataset, two months) and is read instead of built; the key
follows the deliveries up to the month and the code, not later deliveries; a changed delivery is never read
stale; a broken file is built again; a folder that cannot be written only saves nothing; outside a batch run
nothing is kept. The batch's end-to-end use (a changed ledger row reaching every page) is covered in
``test_kpi_store.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from conftest import add_to_first_amount
from serviceplan.core import digests
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs import canonical, month_tables
from serviceplan.inputs.sources import DATASETS

JUNE = Period(2025, 6)


def ledger_file(ws: Workspace, period: Period) -> Path:
    return ws.raw_period_dir(str(period)) / f"kirjanpito_{period}.csv"


def table_key(ws: Workspace, name: str, period: Period) -> str:
    return month_tables.key(name, str(period), canonical.delivery_digests(ws, name, up_to=period))


@pytest.fixture(scope="module")
def shared_demo(tmp_path_factory: pytest.TempPathFactory, make_demo_workspace: Callable[[Path], Workspace]):
    """A demo workspace the tests only read (copy it to change anything)."""
    return make_demo_workspace(tmp_path_factory.mktemp("month-tables") / "ws")


@pytest.mark.parametrize("period", [Period(2025, 11), Period(2026, 6)])
def test_a_kept_table_reads_back_exactly_as_built_and_is_not_built_again(
    shared_demo: Workspace, tmp_path: Path, period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = {name: canonical.load(name, period, shared_demo) for name in DATASETS}  # no folder: built
    folder = tmp_path / "tables"
    monkeypatch.setenv(month_tables.ENV_FOLDER, str(folder))
    for name in DATASETS:
        pd.testing.assert_frame_equal(canonical.load(name, period, shared_demo), built[name], check_exact=True)
    assert len(list(folder.glob("*.parquet"))) == len(DATASETS)
    assert not list(folder.glob(".*.tmp"))  # written under a temporary name, renamed into place

    def not_again(*args: object) -> pd.DataFrame:
        raise AssertionError("a kept table was built again")

    monkeypatch.setattr(canonical, "_month_table", not_again)
    for name in DATASETS:
        kept = canonical.load(name, period, shared_demo)
        pd.testing.assert_frame_equal(kept, built[name], check_exact=True)  # values, dtypes, index
        assert list(kept.dtypes) == list(built[name].dtypes)


def test_the_key_follows_the_deliveries_up_to_the_month_and_the_code(
    demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = demo_workspace
    months = {"may": JUNE.shift(-1), "june": JUNE, "july": JUNE.shift(1)}

    def keys() -> dict[str, str]:
        found = {name: table_key(ws, "ledger", month) for name, month in months.items()}
        found["grants"] = table_key(ws, "grants", JUNE)
        return found

    first = keys()
    assert first == keys()
    assert len(set(first.values())) == 4  # each month and dataset a key of its own

    add_to_first_amount(ledger_file(ws, JUNE), 1000.0)  # a June delivery: June and later see it
    second = keys()
    assert [name for name in first if first[name] != second[name]] == ["june", "july"]

    add_to_first_amount(ledger_file(ws, Period(2025, 9)), 1000.0)  # a later month: June cannot see it
    assert keys() == second

    month_tables._code_digest.cache_clear()  # a new process ...
    monkeypatch.setattr(digests, "code_digest", lambda: "0" * 64)  # ... with other code
    try:
        assert all(keys()[name] != second[name] for name in first)
    finally:
        month_tables._code_digest.cache_clear()  # the real code's digest for the tests that follow


def test_a_changed_delivery_is_never_read_stale(demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = demo_workspace
    monkeypatch.setenv(month_tables.ENV_FOLDER, str(ws.root / "tables"))
    before = canonical.load("ledger", JUNE, ws)
    add_to_first_amount(ledger_file(ws, JUNE.shift(-1)), 1000.0)  # May: June's table holds May's rows
    after = canonical.load("ledger", JUNE, ws)
    assert after["amount_eur"].sum() - before["amount_eur"].sum() == pytest.approx(1000.0)
    assert len(list((ws.root / "tables").glob("*.parquet"))) == 2  # the table before and after the change
    monkeypatch.delenv(month_tables.ENV_FOLDER)
    pd.testing.assert_frame_equal(after, canonical.load("ledger", JUNE, ws), check_exact=True)


def test_a_broken_file_is_built_again(shared_demo: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = {name: canonical.load(name, JUNE, shared_demo) for name in ("services", "grants")}
    folder = tmp_path / "tables"
    monkeypatch.setenv(month_tables.ENV_FOLDER, str(folder))
    canonical.load("services", JUNE, shared_demo)
    services = folder / f"{table_key(shared_demo, 'services', JUNE)}.parquet"
    whole = services.read_bytes()
    for broken in (b"not parquet", whole[:100]):
        services.write_bytes(broken)
        pd.testing.assert_frame_equal(
            canonical.load("services", JUNE, shared_demo), expected["services"], check_exact=True
        )
        assert services.read_bytes() == whole  # built and written again
    grants = folder / f"{table_key(shared_demo, 'grants', JUNE)}.parquet"
    grants.write_bytes(whole)  # a whole file under another key's name (copied by hand): not taken for that table
    assert month_tables.read(folder, table_key(shared_demo, "grants", JUNE)) is None
    pd.testing.assert_frame_equal(canonical.load("grants", JUNE, shared_demo), expected["grants"], check_exact=True)


def test_a_folder_that_cannot_be_written_only_saves_nothing(
    shared_demo: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    expected = canonical.load("grants", JUNE, shared_demo)
    monkeypatch.setenv(month_tables.ENV_FOLDER, str(blocked / "tables"))
    pd.testing.assert_frame_equal(canonical.load("grants", JUNE, shared_demo), expected, check_exact=True)
    assert blocked.read_text(encoding="utf-8") == "not a folder"


def test_outside_a_batch_run_nothing_is_kept(shared_demo: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(month_tables.ENV_FOLDER, raising=False)
    canonical.load("ledger", JUNE, shared_demo)
    assert month_tables.from_environment() is None
    assert not month_tables.folder_of(shared_demo).exists()
