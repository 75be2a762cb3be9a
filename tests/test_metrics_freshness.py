"""Data freshness and completeness: hand-made delivery listings with hand-checked months and states."""

from __future__ import annotations

import pandas as pd
import pytest

from serviceplan.core.periods import Period
from serviceplan.inputs.sources import DATASETS
from serviceplan.inputs.sources.base import Dataset
from serviceplan.metrics import freshness

P = Period.parse


def dataset(name: str, first: str, required: bool = True) -> Dataset:
    """A registry entry with no readers (only the delivery calendar matters here)."""
    return Dataset(
        name=name,
        title=f"Aineisto {name} (lisätieto)",
        owner=f"Toimittaja {name}; jakelu",
        file_stem=f"{name}_{{period}}",
        readers={"csv": lambda path, period: pd.DataFrame()},
        first_period=P(first),
        required=required,
    )


DATASETS_HAND = {
    "a": dataset("a", "2025-01"),  # monthly, March missing
    "b": dataset("b", "2025-01"),  # monthly, nothing since February
    "c": dataset("c", "2025-06"),  # starts after the period
    "d": dataset("d", "2025-01", required=False),  # snapshot, one delivery in February
    "e": dataset("e", "2025-03"),  # monthly, never delivered
}
DELIVERED = {
    "a": [P("2025-01"), P("2025-02"), P("2025-04"), P("2025-05")],  # May is after the period: ignored
    "b": [P("2025-01"), P("2025-02")],
    "c": [],
    "d": [P("2025-02")],
    "e": [],
}
APRIL = P("2025-04")


def test_freshness_rows_months_missing_and_states():
    table = freshness.freshness_table(DATASETS_HAND, DELIVERED, APRIL, max_lag_months=0).set_index("dataset")
    # a: expected Jan..Apr = 4 months, delivered Jan, Feb, Apr = 3 -> March missing; newest April, lag 0: current
    assert table.loc["a", "expected_months"] == 4 and table.loc["a", "delivered_months"] == 3
    assert table.loc["a", "months_missing"] == 1 and table.loc["a", "missing_list"] == "2025-03"
    assert table.loc["a", "newest_delivery"] == "2025-04" and table.loc["a", "state"] == "current"
    # b: newest February, two months before April (lag 2 > 0): late; March and April missing
    assert table.loc["b", "lag_months"] == 2 and table.loc["b", "state"] == "late"
    assert table.loc["b", "months_missing"] == 2 and table.loc["b", "missing_list"] == "2025-03, 2025-04"
    # c: first month June, after April: nothing expected yet
    assert table.loc["c", "state"] == "not_started" and table.loc["c", "months_missing"] == 0
    # d: a snapshot dataset: current while a snapshot exists, never "missing" months
    assert table.loc["d", "state"] == "current" and pd.isna(table.loc["d", "months_missing"])
    assert table.loc["d", "lag_months"] == 2
    # e: expected March and April, nothing delivered
    assert table.loc["e", "state"] == "missing" and table.loc["e", "months_missing"] == 2
    assert pd.isna(table.loc["e", "newest_delivery"])


def test_lag_tolerance_comes_from_the_parameter():
    table = freshness.freshness_table(DATASETS_HAND, DELIVERED, APRIL, max_lag_months=2).set_index("dataset")
    assert table.loc["b", "state"] == "current"  # February is at most 2 months before April
    assert table.loc["b", "months_missing"] == 2  # completeness does not depend on the tolerance


def test_counts_and_current_share():
    table = freshness.freshness_table(DATASETS_HAND, DELIVERED, APRIL, max_lag_months=0)
    tally = freshness.counts(table)
    # current a, d; late b; missing e; not started c. Expected = 5 - 1 = 4; missing months 1 + 2 + 0 + 2 = 5
    assert tally == {"current": 2, "late": 1, "missing": 1, "not_started": 1, "expected": 4, "months_missing": 5}
    assert freshness.current_share(table) == pytest.approx(2 / 4)
    before_all = freshness.freshness_table({"c": DATASETS_HAND["c"]}, DELIVERED, APRIL, 0)
    assert freshness.current_share(before_all) is None  # nothing expected: no share


def test_delivery_grid_cells():
    months = [P("2024-12"), P("2025-01"), P("2025-02"), P("2025-03")]
    grid = freshness.delivery_grid(DATASETS_HAND, DELIVERED, months)
    cell = grid.set_index(["dataset", "month"])["cell"]
    assert cell["a", "2024-12"] == "not_expected"  # before a's first month
    assert cell["a", "2025-02"] == "delivered" and cell["a", "2025-03"] == "missing"
    assert cell["d", "2025-01"] == "not_expected"  # a snapshot dataset before its first snapshot
    assert cell["d", "2025-02"] == "delivered" and cell["d", "2025-03"] == "covered"
    assert cell["e", "2025-02"] == "not_expected" and cell["e", "2025-03"] == "missing"
    assert len(grid) == 5 * 4


def test_delivered_months_lists_files_in_the_month_folders(workspace):
    ledger, statfin = DATASETS["ledger"], DATASETS["statfin"]
    for month, names in {
        "2024-12": ["statfin_12r5.json", "kirjanpito_2024-12.csv"],  # ledger before its first month: not counted
        "2025-01": ["statfin_12r5.json", "kirjanpito_2025-01.csv"],
        "2025-02": ["statfin_12r5.json"],
        "2025-03": ["kirjanpito_2025-03.csv"],  # after up_to
    }.items():
        folder = workspace.raw_period_dir(month)
        folder.mkdir(parents=True)
        for name in names:
            (folder / name).write_text("x", encoding="utf-8")
    found = freshness.delivered_months(workspace, {"ledger": ledger, "statfin": statfin}, P("2025-02"))
    assert found == {"ledger": [P("2025-01")], "statfin": [P("2024-12"), P("2025-01"), P("2025-02")]}


def test_statfin_updates_newest_month_with_a_value_and_stamp():
    stamp = pd.Timestamp
    rows = [
        # table, region, period, value, updated, delivery
        ("12r5", "KU398", "2025-05", 1.0, stamp("2025-06-24T05:00:00Z"), "2025-05"),
        ("12r5", "KU398", "2025-06", 2.0, stamp("2025-07-23T05:00:00Z"), "2025-06"),
        ("12r5", "SSS", "2025-06", 3.0, stamp("2025-07-23T05:00:00Z"), "2025-06"),
        ("12ta", "KU398", "2025-05", 4.0, stamp("2025-06-24T05:00:00Z"), "2025-06"),
        ("12ta", "KU398", "2025-06", float("nan"), stamp("2025-07-23T05:00:00Z"), "2025-06"),  # hidden
    ]
    table = pd.DataFrame(rows, columns=["table", "region", "period", "value", "updated", "delivery"])
    out = freshness.statfin_updates(table, "KU398", {"12r5": "Työttömät"}).set_index("table")
    assert out.loc["12r5", "newest_month"] == "2025-06" and out.loc["12r5", "title"] == "Työttömät"
    assert out.loc["12ta", "newest_month"] == "2025-05"  # June has no value for Lahti
    assert out.loc["12ta", "updated"] == stamp("2025-07-23T05:00:00Z") and out.loc["12ta", "delivery"] == "2025-06"
    assert freshness.statfin_updates(pd.DataFrame(), "KU398").empty


def test_short_title():
    assert freshness.short_title("Työnvälitystilasto (KEHA-keskus / Tilastokeskus, PxWeb)") == "Työnvälitystilasto"
    assert freshness.short_title("Kirjanpidon toteuma") == "Kirjanpidon toteuma"
