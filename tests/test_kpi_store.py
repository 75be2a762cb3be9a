"""The KPI store: one computation per KPI table and month in a batch run, under keys computed from the inputs.

Covered: a kept table reads back exactly as computed (every area, two months); the key follows every input (a
ledger row, a later delivery that the month cannot see, the parameters, the plan, the code); a changed input is
never read stale; the summary and the pages read what is kept and keep what they compute; outside a batch run
nothing is kept; and, through the batch with the real pages, one changed ledger row changes the budget page, the
summary and the KPI files exactly as a run from scratch shows them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from conftest import add_to_first_amount, text_outputs
from serviceplan.core import digests
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs import month_tables
from serviceplan.inputs.sources import DATASETS, ledger
from serviceplan.metrics import budget, kpi_store, summary, with_changes
from serviceplan.metrics.areas import AREAS, get
from serviceplan.metrics.kpi_store import KpiStore
from serviceplan.metrics.kpis import Context
from serviceplan.publish import manifest as mf
from serviceplan.publish.batch import run_periods

JUNE = Period(2025, 6)
BUDGET = get("budget")
GRANTS = get("grants")
CHANGE_EUR = 1000.0  # added to the first ledger amount of a month: a voluntary grant, an operating cost


def context(ws: Workspace, period: Period) -> Context:
    return Context(period, load_params(period.year, ws.params_dir), ws)


def ledger_file(ws: Workspace, period: Period) -> Path:
    return ws.raw_period_dir(str(period)) / f"kirjanpito_{period}.csv"


@pytest.fixture(scope="module")
def shared_demo(tmp_path_factory: pytest.TempPathFactory, make_demo_workspace: Callable[[Path], Workspace]):
    """A demo workspace the tests only read (copy it to change anything)."""
    return make_demo_workspace(tmp_path_factory.mktemp("kpi-store") / "ws")


@pytest.mark.parametrize("period", [Period(2025, 11), Period(2026, 6)])
def test_a_kept_table_reads_back_exactly_as_computed(shared_demo: Workspace, tmp_path: Path, period: Period) -> None:
    store = KpiStore(tmp_path / "kpis")
    ctx = context(shared_demo, period)
    for area in (a for a in AREAS if a.kpi_function):
        function = area.kpis()
        assert kpi_store.area_of(function) == area
        computed = function(ctx)
        assert store.get(area, ctx) is None
        store.put(area, ctx, computed)
        kept = store.get(area, ctx)
        pd.testing.assert_frame_equal(kept, computed, check_exact=True)  # values, dtypes, index
        entry = json.loads((store.folder / f"{store.key(area, ctx)}.json").read_text(encoding="utf-8"))
        assert (entry["area"], entry["period"], len(entry["rows"])) == (area.id, str(period), len(computed))
    assert len(list(store.folder.glob("*.json"))) == 8
    assert not list(store.folder.glob(".*.tmp"))  # written under a temporary name, renamed into place


def test_the_key_follows_every_input(demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = demo_workspace

    def keys() -> dict[str, str]:
        store = KpiStore(ws.root / "unused")  # a new store object: nothing remembered from before
        months = {"may": JUNE.shift(-1), "june": JUNE, "july": JUNE.shift(1)}
        found = {name: store.key(BUDGET, context(ws, month)) for name, month in months.items()}
        found["grants"] = store.key(GRANTS, context(ws, JUNE))
        return found

    first = keys()
    assert first == keys()  # computed again, the same
    assert len(set(first.values())) == 4  # each month and area a key of its own

    add_to_first_amount(ledger_file(ws, JUNE), CHANGE_EUR)  # a June delivery: June and later see it
    second = keys()
    assert [name for name in first if first[name] != second[name]] == ["june", "july"]

    add_to_first_amount(ledger_file(ws, Period(2025, 9)), CHANGE_EUR)  # a later month: June cannot see it
    assert keys() == second

    defaults = ws.params_dir / "defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    assert "vapaaehtoinen: 2600000" in text
    defaults.write_text(text.replace("vapaaehtoinen: 2600000", "vapaaehtoinen: 2612000"), encoding="utf-8")
    third = keys()
    assert all(third[name] != second[name] for name in ("may", "june", "july"))  # the 2025 parameters

    actions = ws.plan_dir / "actions.yaml"
    actions.write_text(actions.read_text(encoding="utf-8") + "\n# tarkennettu\n", encoding="utf-8")
    fourth = keys()
    assert all(fourth[name] != third[name] for name in first)

    monkeypatch.setattr(digests, "code_digest", lambda: "0" * 64)
    assert all(keys()[name] != fourth[name] for name in first)


def test_a_changed_input_is_never_read_stale(demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = demo_workspace
    monkeypatch.setenv(kpi_store.ENV_STORE, str(ws.root / "kpis"))
    ctx = context(ws, JUNE)

    def shown() -> pd.DataFrame:  # what the budget page shows
        return budget.kpis_with_changes(ctx, budget.analyse_period(ctx)).set_index("kpi")

    before = shown()
    assert len(list((ws.root / "kpis").glob("*.json"))) == 2  # June (the page's own) and May (2024-06: no data)
    pd.testing.assert_frame_equal(shown(), before, check_exact=True)  # read back: the same
    add_to_first_amount(ledger_file(ws, JUNE.shift(-1)), CHANGE_EUR)  # May: both months see it
    after = shown()
    for column in ("prev_month_value", "value"):
        difference = after.loc["operating_ytd_eur", column] - before.loc["operating_ytd_eur", column]
        assert difference == pytest.approx(CHANGE_EUR, abs=1e-6), column
    monkeypatch.delenv(kpi_store.ENV_STORE)
    expected = with_changes(budget.kpis, ctx, first_period=ledger.DATASET.first_period).set_index("kpi")
    pd.testing.assert_frame_equal(after, expected, check_exact=True)  # what a computation from scratch gives


def test_the_summary_reads_what_is_kept_and_keeps_what_it_computes(
    shared_demo: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = KpiStore(tmp_path / "kpis")
    monkeypatch.setenv(kpi_store.ENV_STORE, str(store.folder))
    ctx = context(shared_demo, JUNE)
    marked = BUDGET.kpis()(ctx)
    marked.loc[marked["kpi"] == "operating_ytd_eur", "value"] = 123.0  # a value no computation gives
    store.put(BUDGET, ctx, marked)
    table, _ = summary.collect(ctx)
    assert table.set_index("id").loc["budget.operating_ytd_eur", "value"] == 123.0  # read, not computed
    kpi_areas = [a for a in AREAS if a.kpi_function]
    expected = {store.key(a, context(shared_demo, m)) for a in kpi_areas for m in (JUNE, JUNE.shift(-1))}
    kept = {p.stem for p in store.folder.glob("*.json")}
    assert expected <= kept  # every area's June and May (June 2024 is kept where an area has data then)


def test_outside_a_batch_run_nothing_is_kept(shared_demo: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(kpi_store.ENV_STORE, raising=False)
    assert kpi_store.from_environment() is None
    before = sorted(p.name for p in shared_demo.root.rglob("*"))
    ctx = context(shared_demo, JUNE)
    budget.kpis_with_changes(ctx, budget.analyse_period(ctx))
    summary.collect(ctx, [BUDGET])
    assert sorted(p.name for p in shared_demo.root.rglob("*")) == before
    assert kpi_store.area_of(budget.kpi_rows) is None and kpi_store.area_of(lambda c: c) is None


def test_an_unreadable_entry_is_computed_again(shared_demo: Workspace, tmp_path: Path) -> None:
    store = KpiStore(tmp_path / "kpis")
    ctx = context(shared_demo, JUNE)
    store.folder.mkdir()
    path = store.folder / f"{store.key(GRANTS, ctx)}.json"
    path.write_text('{"key": "half-writt', encoding="utf-8")
    assert store.get(GRANTS, ctx) is None
    table = store.table(GRANTS, ctx, lambda: GRANTS.kpis()(ctx))
    pd.testing.assert_frame_equal(store.get(GRANTS, ctx), table, check_exact=True)


def test_a_store_that_cannot_be_written_only_saves_nothing(shared_demo: Workspace, tmp_path: Path) -> None:
    """A full disk or a read-only folder must not fail a page: the table is computed, shown and not kept."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store's folder should be", encoding="utf-8")
    store = KpiStore(blocked / "kpis")
    ctx = context(shared_demo, JUNE)
    table = store.table(GRANTS, ctx, lambda: GRANTS.kpis()(ctx))
    pd.testing.assert_frame_equal(table, GRANTS.kpis()(ctx), check_exact=True)
    assert store.get(GRANTS, ctx) is None and blocked.is_file()


# --- through the batch ---------------------------------------------------------------------------------------------


def publish(ws: Workspace, **options: object) -> Path:
    areas = (get("summary"), BUDGET)
    assert run_periods(ws, [JUNE], areas=areas, render=False, jobs=2, console=Console(quiet=True), **options) == 0
    return sorted(p for p in ws.reports_dir.iterdir() if p.name.startswith(str(JUNE)))[-1]


def kpi_value(folder: Path, kpi: str) -> float:
    rows = json.loads((folder / "kpi.json").read_text(encoding="utf-8"))["rows"]
    return next(r["value"] for r in rows if r["kpi"] == kpi)


def test_a_changed_ledger_row_changes_every_page_that_shows_it(demo_workspace: Workspace, tmp_path: Path) -> None:
    """A run keeps its KPI tables (and its kernels' month tables), a revision after a changed ledger row shows the
    change on the budget page, the summary and in the KPI files, and shows exactly what a run from scratch on the
    changed data shows: neither store serves a table made before the change."""
    ws = demo_workspace
    first = publish(ws)
    kept = len(list(kpi_store.folder_of(ws).glob("*.json")))
    assert kept >= 8 * 2  # every area's June and May, kept by the budget page or the summary
    assert len(list(month_tables.folder_of(ws).glob("*.parquet"))) >= len(DATASETS)  # the kernels' shared tables
    add_to_first_amount(ledger_file(ws, JUNE.shift(-1)), CHANGE_EUR)  # May: June's totals and comparisons
    revised = publish(ws, revise="kirjanpito korjattu")
    assert revised.name == f"{JUNE}-r2"
    scratch = Workspace(tmp_path / "scratch")
    shutil.copytree(ws.root, scratch.root, ignore=shutil.ignore_patterns("reports", "canonical"))
    fresh = publish(scratch)

    for notebook in ("00_summary.ipynb", BUDGET.notebook):
        assert text_outputs(revised / notebook) != text_outputs(first / notebook), notebook
        assert text_outputs(revised / notebook) == text_outputs(fresh / notebook), notebook
    assert kpi_value(revised, "operating_ytd_eur") - kpi_value(first, "operating_ytd_eur") == pytest.approx(CHANGE_EUR)
    for name in mf.KPI_FILES[:2]:
        assert (revised / name).read_bytes() == (fresh / name).read_bytes(), name
