"""The cheaper canonical build (issue 7): the same tables, checks and messages, with less work done twice."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from serviceplan.core.errors import DataError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs import canonical as data
from serviceplan.inputs import contracts
from serviceplan.inputs.contracts import Column, Contract
from serviceplan.inputs.readers import RawTable, read_finnish_csv
from serviceplan.inputs.sources import DATASETS, services
from serviceplan.publish import manifest as mf

JUNE = Period(2025, 6)
VALID_CODE = "131052-308T"  # a valid personal identity code (the check character fits)

ALL_KINDS = (
    Column("period", "Kausi", "period"),
    Column("group", "Ryhmä", "code", allowed=("A", "B")),
    Column("name", "Nimike", "text", optional=True),
    Column("count", "Määrä", "int", optional=True),
    Column("amount", "Summa", "decimal", optional=True),
    Column("flag", "Lippu", "bool"),
    Column("day", "Päivä", "date", optional=True),
)


def test_typed_frame_has_the_dtypes_and_values_of_the_column_by_column_conversion() -> None:
    typed: dict[str, list[object]] = {
        "period": ["2025-06", "2025-06", None],
        "group": ["A", "B", "A"],
        "name": ["x", None, "z"],
        "count": [1, None, 100_000],
        "amount": [1234.5, None, -0.25],
        "flag": [True, False, False],
        "day": [date(2025, 6, 30), None, date(2024, 2, 29)],
    }
    direct = contracts._typed_frame(typed, ALL_KINDS)
    by_column = contracts._apply_dtypes(pd.DataFrame(typed), ALL_KINDS)
    assert [str(t) for t in direct.dtypes] == [str(t) for t in by_column.dtypes]
    assert direct.equals(by_column)
    assert direct.to_csv(index=False) == by_column.to_csv(index=False)  # the same text, to the last digit


def test_every_kind_of_column_is_checked_on_every_cell(tmp_path: Path) -> None:
    contract = Contract("example", ALL_KINDS, key=("period", "group"))
    path = tmp_path / "example.csv"
    path.write_text(
        "Kausi;Ryhmä;Nimike;Määrä;Summa;Lippu;Päivä\n"
        "2025-06;A;a;1;1,5;kyllä;30.6.2025\n"
        "2025-06;C;b;x;1.5;ehkä;31.6.2025\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        contract.apply(read_finnish_csv(path, contract.headers), JUNE)
    assert [(v.row, v.column, v.value) for v in info.value.violations] == [
        (3, "Ryhmä", "C"),
        (3, "Määrä", "x"),
        (3, "Summa", "1.5"),
        (3, "Lippu", "ehkä"),
        (3, "Päivä", "31.6.2025"),
    ]


def _raw(columns: dict[str, list[object]]) -> RawTable:
    frame = pd.DataFrame(columns, dtype=object)
    return RawTable("example.csv", frame, list(range(2, len(frame) + 2)))


def _scan_cell_by_cell(raw: RawTable) -> list[tuple[int, str]]:
    return [
        (raw.line_of(position), str(header))
        for header in raw.frame.columns
        for position, cell in enumerate(raw.frame[header].tolist())
        if cell is not None and contracts.contains_identity_code(str(cell))
    ]


@pytest.mark.parametrize(
    "columns",
    [
        {"a": ["1", "2"], "b": ["x", None]},  # nothing to find
        {"a": ["1", f"asiakas {VALID_CODE}"], "b": [VALID_CODE, "y"]},  # codes in two columns
        {"a": ["131052", "-308T"], "b": ["131052-", "308T"]},  # halves in adjacent cells are no code
        {"a": [f"{VALID_CODE}\n{VALID_CODE}", None], "b": ["", "z"]},  # a line break inside a cell
    ],
)
def test_privacy_scan_finds_exactly_what_a_cell_by_cell_scan_finds(columns: dict[str, list[object]]) -> None:
    raw = _raw(columns)
    found = contracts._privacy_scan(raw)
    assert [(v.row, v.column) for v in found] == _scan_cell_by_cell(raw)
    assert all(v.value is None and "personal identity code" in v.expected for v in found)


def test_duplicate_keys_are_the_same_found_from_values_or_from_the_frame() -> None:
    typed: dict[str, list[object]] = {
        "period": ["2025-06"] * 5,
        "group": ["A", "B", "A", None, None],
        "count": [1, 2, 1, None, None],
        "amount": [1.0, 2.0, 1.0, None, None],
        "flag": [True, False, True, False, False],
        "day": [date(2025, 6, 1), None, date(2025, 6, 1), None, None],
        "name": ["n", "n", "n", "n", "n"],
    }
    frame = contracts._typed_frame(typed, ALL_KINDS)
    for key in (("period", "group"), ("group", "count", "amount", "flag", "day"), ("period", "name")):
        assert contracts._duplicate_keys(frame, key, typed) == contracts._duplicate_keys(frame, key)
    assert [f.position for f in contracts._duplicate_keys(frame, ("period", "group"), typed)] == [2, 4]


def test_period_mismatch_is_the_same_found_from_values_or_from_the_frame() -> None:
    typed: dict[str, list[object]] = {"period": ["2025-06", "2025-05", None]}
    frame = pd.DataFrame({"period": pd.array(typed["period"], dtype="string")})
    from_values = contracts._period_mismatch(frame, "period", JUNE, typed["period"])
    assert from_values == contracts._period_mismatch(frame, "period", JUNE)
    assert [f.position for f in from_values] == [1, 2]


@pytest.fixture
def ws(tmp_path: Path, make_demo_workspace) -> Workspace:  # type: ignore[no-untyped-def]
    return make_demo_workspace(tmp_path / "ws")


def test_load_equals_the_deliveries_read_one_by_one_and_concatenated(ws: Workspace) -> None:
    for name in ("ledger", "statfin", "partner_network", "plan_actions", "customer_events"):
        for period in (Period(2025, 3), Period(2026, 6)):
            paths = data.build_canonical(ws, [name], up_to=period)[name]
            expected = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
            if DATASETS[name].as_of is not None:
                expected = DATASETS[name].as_of(expected, period)
            else:
                expected = expected[expected["period"].astype(str) <= str(period)].reset_index(drop=True)
            loaded = data.load(name, period, ws)
            assert [str(t) for t in loaded.dtypes] == [str(t) for t in expected.dtypes]
            assert loaded.equals(expected) and loaded.index.equals(expected.index)


def test_each_delivery_is_read_once_for_every_month_that_shows_it(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's month and the months it compares with (a range's months) share their deliveries' Parquet files."""
    reads: list[str] = []
    original = data.pq.read_table

    def counting(path: str, *args: object, **kwargs: object) -> object:
        reads.append(Path(path).name)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(data.pq, "read_table", counting)
    data._arrow_of.cache_clear()
    data._concatenated.cache_clear()
    months = [Period(2026, 6), Period(2026, 5), Period(2025, 6)]
    for period in months:
        data.load("ledger", period, ws)
    delivered = len(data.build_canonical(ws, ["ledger"], up_to=months[0])["ledger"])
    assert sorted(reads) == sorted(set(reads)) and len(reads) == delivered  # every delivery once, none again
    for period in months:  # the same rows as deliveries read one by one
        paths = data.build_canonical(ws, ["ledger"], up_to=period)["ledger"]
        expected = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
        assert data.load("ledger", period, ws).equals(expected[expected["period"].astype(str) <= str(period)])


def test_months_of_different_dtypes_are_concatenated_as_pandas_does(tmp_path: Path) -> None:
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pd.DataFrame({"x": pd.array(["a"], dtype="string"), "n": [1]}).to_parquet(first, index=False)
    pd.DataFrame({"x": pd.Series(["b"], dtype=object), "n": [2]}).to_parquet(second, index=False)
    joined = data._concatenated(data._parts_key([first, second]))
    expected = pd.concat([pd.read_parquet(first), pd.read_parquet(second)], ignore_index=True)
    assert joined.equals(expected) and [str(t) for t in joined.dtypes] == [str(t) for t in expected.dtypes]


def test_load_hands_out_copies(ws: Workspace) -> None:
    first = data.load("ledger", JUNE, ws)
    first.loc[0, "amount_eur"] = -1.0
    first["extra"] = 1
    second = data.load("ledger", JUNE, ws)
    assert "extra" not in second.columns and second.loc[0, "amount_eur"] != -1.0


def test_validating_a_month_keeps_its_canonical_rows(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    data.build_canonical(ws, ["ledger", "grants"], up_to=JUNE.shift(-1))  # the months before it
    checked = data.validate_period(ws, JUNE)
    assert checked
    kept = {p.parent.name for p in ws.canonical_dir.glob(f"*/{JUNE}.parquet")}
    assert kept == {d.name for d in DATASETS.values() if d.delivery(ws.raw_period_dir(str(JUNE)), JUNE)}
    # building the month now reads nothing: its deliveries were kept by the validation
    monkeypatch.setattr(data.Dataset, "read_delivery", lambda *args: pytest.fail("read again"))
    built = data.build_canonical(ws, ["ledger", "grants"], up_to=JUNE)
    assert all(any(p.name == f"{JUNE}.parquet" for p in paths) for paths in built.values())


def test_validation_reads_every_file_even_when_its_rows_are_kept(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.build_canonical(ws, ["ledger"], up_to=JUNE)
    reads: list[str] = []
    original = data.Dataset.read_delivery

    def counting(self: data.Dataset, paths: list[Path], period: Period) -> pd.DataFrame:
        reads.append(self.name)
        return original(self, paths, period)

    monkeypatch.setattr(data.Dataset, "read_delivery", counting)
    data.validate_period(ws, JUNE)
    assert "ledger" in reads


def test_a_broken_or_foreign_stamp_rebuilds_the_delivery(ws: Workspace) -> None:
    target = data.build_canonical(ws, ["grants"], up_to=JUNE)["grants"][-1]
    stamp = target.with_suffix(".json")
    for text in ('{"inputs": "', "[]", "not json"):
        stamp.write_text(text, encoding="utf-8")
        data.build_canonical(ws, ["grants"], up_to=JUNE)
        assert json.loads(stamp.read_text(encoding="utf-8"))["inputs"]
    assert not list(target.parent.glob(".*.tmp"))  # written through temporary files, none left


def test_outcomes_are_checked_again_when_a_cohort_export_changes(ws: Workspace) -> None:
    period = Period(2025, 9)
    data.build_canonical(ws, ["service_outcomes"], up_to=period)
    cohort = period.shift(-3)
    export = ws.raw_period_dir(str(cohort)) / f"palvelut_{cohort}.csv"
    lines = export.read_text(encoding="cp1252").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(";")
    ends = header.index("Päättyneet")
    cells = lines[1].rstrip("\n").split(";")
    cells[ends] = str(int(cells[ends]) + 1)
    lines[1] = ";".join(cells) + "\n"
    export.write_text("".join(lines), encoding="cp1252")
    with pytest.raises(DataError, match=rf"palvelut_{cohort}\.csv"):
        data.build_canonical(ws, ["service_outcomes"], up_to=period)


def test_cohort_exports_are_named_for_each_follow_up(ws: Workspace) -> None:
    folder = ws.raw_period_dir("2025-09")
    found = services._cohort_exports(folder, Period(2025, 9))
    assert [p.name if p else None for p in found] == ["palvelut_2025-06.csv", "palvelut_2025-03.csv"]
    assert services._cohort_exports(ws.raw_period_dir("2025-04"), Period(2025, 4))[1] is None  # 2024-10: none


def test_dataset_digest_follows_the_deliveries_up_to_the_month_and_reads_no_table(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = mf.dataset_digest(ws, "ledger", JUNE)
    assert mf.dataset_digest(ws, "ledger", JUNE) == first
    assert mf.dataset_digest(ws, "ledger", Period(2025, 5)) != first  # fewer deliveries
    assert mf.dataset_digest(ws, "kela_invoice", JUNE) != first
    # a later delivery is not part of an earlier month's rows
    may = mf.dataset_digest(ws, "ledger", Period(2025, 5))
    path = ws.raw_period_dir("2025-06") / "kirjanpito_2025-06.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    assert mf.dataset_digest(ws, "ledger", Period(2025, 5)) == may
    # a changed row of an earlier delivery changes the digest
    path = ws.raw_period_dir("2025-03") / "kirjanpito_2025-03.csv"
    text = path.read_text(encoding="utf-8-sig").replace("Avustukset ja kesätyö", "Avustukset ja kesätyöt", 1)
    path.write_text(text, encoding="utf-8-sig")
    monkeypatch.setattr(data, "_load_with_key", lambda *a: pytest.fail("a table was read"))
    changed = mf.dataset_digest(ws, "ledger", JUNE)
    assert changed != first


def test_raw_periods_of_a_workspace(workspace: Workspace) -> None:
    assert workspace.raw_periods() == []
    (workspace.raw_dir / "2025-07").mkdir(parents=True)  # empty: not a delivered month
    (workspace.raw_dir / "notes").mkdir()
    for month in ("2025-06", "2024-12"):
        (workspace.raw_period_dir(month)).mkdir()
        (workspace.raw_period_dir(month) / "x.csv").write_text("x", encoding="utf-8")
    assert workspace.raw_periods() == [Period(2024, 12), Period(2025, 6)] == data.raw_periods(workspace)


def test_recode_is_a_mapping_of_the_column_to_string_codes() -> None:
    codes = {"Palkkatuki": "pay_subsidy", "Valmennus": "coaching"}
    column = pd.Series(["Valmennus", "Palkkatuki", None, "Muu"], dtype="string")
    recoded = pd.Series(contracts.recode(column, codes))
    expected = column.map(codes).astype("string")
    assert str(recoded.dtype) == str(expected.dtype)
    assert recoded.equals(expected)
    assert recoded.tolist()[:2] == ["coaching", "pay_subsidy"] and recoded.isna().tolist() == [False, False, True, True]
