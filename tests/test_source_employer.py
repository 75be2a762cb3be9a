"""Employer services' monthly workbook: demo calibration, contract rules and CLI errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from serviceplan import cli
from serviceplan.core.errors import DataError
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import load, validate_period
from serviceplan.inputs.demo.world import build_world
from serviceplan.inputs.readers import read_excel_table
from serviceplan.inputs.sources.employer_services import CONTRACT, FIELDS, read_xlsx, totals

REPO = Path(__file__).resolve().parents[1]
FILE = "data/raw/2025-06/tyonantajapalvelut_2025-06.xlsx"
HEADER_ROW, FIRST_ROW, TOTAL_ROW = 5, 6, 6 + len(FIELDS)  # three title rows and a blank row above the header
COLUMN = {c.header: chr(ord("A") + i) for i, c in enumerate(CONTRACT.columns)}


def _world():
    return build_world(load_params(2025, REPO / "params").benefit_rule(Period(2025, 1)))


def test_demo_workbooks_are_valid_and_calibrated_to_the_public_vacancies(demo_workspace: Workspace):
    assert any(
        p.name.endswith(".xlsx") and "tyonantaja" in p.name for p in validate_period(demo_workspace, Period(2025, 6))
    )
    table = load("employer_services", "2026-06", demo_workspace)
    month_totals = totals(table).set_index("period")
    assert len(month_totals) == 18 and month_totals.index[0] == "2025-01"
    market = _world().labour_market.set_index("period")
    for period, row in month_totals.iterrows():
        assert row["vacancies_received"] == market.at[period, "new_vacancies"]
        assert row["vacancies_open"] == market.at[period, "open_vacancies"]
    # docs/domain.md: just under 800 open vacancies in Lahti in August 2025
    assert 700 <= month_totals.at["2025-08", "vacancies_open"] < 800
    # the field rows add up to the total row in the canonical table too
    fields = table[~table["is_total"]].groupby("period")["placements"].sum()
    assert (fields == month_totals["placements"]).all()
    assert set(table["field"]) == {*FIELDS.values(), "total"}
    assert (month_totals["days_to_fill_median"] <= month_totals["days_to_fill_mean"]).all()


def test_header_below_title_rows_and_excel_row_numbers(demo_workspace: Workspace):
    raw = read_excel_table(demo_workspace.root / FILE, CONTRACT.headers)
    assert list(raw.frame.columns) == CONTRACT.headers
    assert raw.lines[0] == FIRST_ROW and raw.lines[-1] == TOTAL_ROW
    frame = read_xlsx(demo_workspace.root / FILE, Period(2025, 6))
    assert str(frame["vacancies_received"].dtype) == "Int64"
    assert str(frame["days_to_fill_mean"].dtype) == "float64"
    assert frame["is_total"].sum() == 1


def _set_cells(path: Path, changes: dict[str, object]) -> dict[str, object]:
    """Set cells (``{"C6": 12}``) of the first sheet; returns the values they had."""
    book = load_workbook(path)
    sheet = book.active
    before = {}
    for ref, value in changes.items():
        before[ref] = sheet[ref].value
        sheet[ref] = value
    book.save(path)
    return before


def _cell(path: Path, ref: str) -> object:
    return load_workbook(path, read_only=True).active[ref].value


def _validate(ws: Workspace, capsys) -> tuple[int, str]:
    code = cli.main(["--workspace", str(ws.root), "validate", "2025-06"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _where(row: int, header: str) -> str:
    return f"{FILE}, row {row}, column '{header}'"


@pytest.mark.parametrize(
    ("header", "row", "value", "expected"),
    [
        ("Vastaanotetut työpaikat", 6, "n. 40", "got 'n. 40'; expected a whole number at least 0"),
        ("Ammattiala", 7, "Kaivosala", "got 'Kaivosala'; expected one of Teollisuus ja tekniikka"),
        ("Kuukausi", 8, "2025-05", "got '2025-05'; expected the delivery month 2025-06"),
        ("Täyttöaika, mediaani (pv)", 6, None, "got ''; expected a time to fill when vacancies were filled on the row"),
        (
            "Täyttöaika, keskiarvo (pv)",
            9,
            400,
            "got '400'; expected a number with a decimal comma (e.g. 1234,50) at least 0 and at most 365",
        ),
        ("Yrityskäynnit", 10, -1, "got '-1'; expected a whole number at least 0"),
    ],
)
def test_bad_cells_via_cli(demo_workspace: Workspace, capsys, header: str, row: int, value: object, expected: str):
    _set_cells(demo_workspace.root / FILE, {f"{COLUMN[header]}{row}": value})
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert f"{_where(row, header)}: {expected}" in output, output
    assert "Traceback" not in output
    assert "input data violation" in output and "nothing was executed" not in output  # validate runs nothing


def test_total_row_must_add_up(demo_workspace: Workspace, capsys):
    path = demo_workspace.root / FILE
    column = COLUMN["Vastaanotetut työpaikat"]
    parts = sum(int(_cell(path, f"{column}{r}")) for r in range(FIRST_ROW, TOTAL_ROW))
    _set_cells(path, {f"{column}{TOTAL_ROW}": parts + 10})
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    expected = f"got '{parts + 10}'; expected the sum of the group rows above it, {parts} (total row)"
    assert f"{_where(TOTAL_ROW, 'Vastaanotetut työpaikat')}: {expected}" in output, output


def test_placements_cannot_exceed_filled_vacancies(demo_workspace: Workspace, capsys):
    path = demo_workspace.root / FILE
    filled = int(_cell(path, f"{COLUMN['Täytetyt työpaikat']}7"))
    placements_cell = f"{COLUMN['Työhön sijoittuneet']}7"
    before = int(_cell(path, placements_cell))
    total_cell = f"{COLUMN['Työhön sijoittuneet']}{TOTAL_ROW}"
    total = int(_cell(path, total_cell))
    # keep the total consistent so that only the subset rule is broken
    _set_cells(path, {placements_cell: filled + 1, total_cell: total - before + filled + 1})
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    expected = f"got '{filled + 1}'; expected at most 'Täytetyt työpaikat' on the same row ({filled})"
    assert f"{_where(7, 'Työhön sijoittuneet')}: {expected}" in output, output
    assert output.count(FILE) == 1  # only that rule is broken


def test_total_mean_is_the_weighted_mean_of_the_fields(demo_workspace: Workspace, capsys):
    path = demo_workspace.root / FILE
    mean_cell = f"{COLUMN['Täyttöaika, keskiarvo (pv)']}{TOTAL_ROW}"
    delivered = float(_cell(path, mean_cell))
    _set_cells(path, {mean_cell: delivered + 5})
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert f"{_where(TOTAL_ROW, 'Täyttöaika, keskiarvo (pv)')}: got '" in output
    assert "expected the mean of the field rows weighted by filled vacancies" in output, output


def test_no_time_to_fill_on_a_row_without_filled_vacancies(demo_workspace: Workspace):
    """Hand-made table: a field with no filled vacancy has empty times, and the total mean is weighted."""
    path = demo_workspace.root / FILE
    rows = []
    labels = list(FIELDS)
    # received, filled, open, median, mean, placements, visits, calls, ladec, education
    numbers = {labels[0]: (10, 4, 6, 20.0, 25.0, 2, 1, 1, 0, 0), labels[1]: (5, 0, 5, None, None, 0, 0, 0, 0, 0)}
    for label in labels:
        rows.append([label, *numbers.get(label, (1, 1, 0, 10.0, 10.0, 0, 0, 0, 0, 0))])
    # mean: (4 * 25 + 6 * 1 * 10) / (4 + 6) = 160 / 10 = 16.0; median between 10 and 20
    total = ["Yhteensä", 10 + 5 + 6, 4 + 0 + 6, 6 + 5 + 0, 15.0, 16.0, 2, 1, 1, 0, 0]
    book = load_workbook(path)
    sheet = book.active
    for offset, values in enumerate([*rows, total]):
        for i, value in enumerate(["2025-06", *values]):
            sheet.cell(row=FIRST_ROW + offset, column=i + 1).value = value
    book.save(path)
    frame = read_xlsx(path, Period(2025, 6))
    assert frame.loc[frame["is_total"], "days_to_fill_mean"].item() == 16.0
    assert frame["days_to_fill_mean"].isna().sum() == 1
    # a time to fill on the row without filled vacancies is refused
    _set_cells(path, {f"{COLUMN['Täyttöaika, keskiarvo (pv)']}{FIRST_ROW + 1}": 12.5})
    with pytest.raises(DataError) as info:
        read_xlsx(path, Period(2025, 6))
    assert str(info.value.violations[0]) == (
        f"{FILE}, row {FIRST_ROW + 1}, column 'Täyttöaika, keskiarvo (pv)': got '12,5'; "
        "expected an empty cell: no vacancy was filled on the row"
    )


def test_missing_column_and_broken_workbook(demo_workspace: Workspace, capsys):
    path = demo_workspace.root / FILE
    _set_cells(path, {f"{COLUMN['Puhelinkontaktit']}{HEADER_ROW}": "Puhelut"})
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert f"{FILE}; expected a header row with the columns" in output, output
    path.write_text("Kuukausi;Ammattiala\n2025-06;Rakentaminen\n", encoding="utf-8")
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert f"{FILE}; expected a readable .xlsx workbook" in output, output
    assert "Traceback" not in output


def test_identity_code_is_rejected_without_echo(demo_workspace: Workspace, capsys):
    _set_cells(demo_workspace.root / FILE, {f"{COLUMN['Yrityskäynnit']}8": "131052-308T"})
    code, output = _validate(demo_workspace, capsys)
    assert code == 1
    assert f"{_where(8, 'Yrityskäynnit')}; expected aggregated data only" in output, output
    assert "131052-308T" not in output


def test_canonical_types_survive_parquet(demo_workspace: Workspace):
    table = load("employer_services", "2025-03", demo_workspace)
    assert sorted(table["period"].unique()) == ["2025-01", "2025-02", "2025-03"]
    assert table["is_total"].dtype == bool
    assert isinstance(table, pd.DataFrame) and len(table) == 3 * (len(FIELDS) + 1)


def test_demo_files_are_byte_identical_across_runs(tmp_path: Path):
    """Workbooks carry no generation time, so content hashes of the inputs stay stable (also for the other
    city datasets of this group)."""
    from serviceplan.inputs.demo import WRITERS

    world = _world()
    first, second = tmp_path / "a", tmp_path / "b"
    for name in ("employer_services", "immigrants", "partner_network", "plan_actions"):
        written = WRITERS[name](world, first)
        again = WRITERS[name](world, second)
        assert [p.relative_to(first) for p in written] == [p.relative_to(second) for p in again]
        for one, other in zip(written, again, strict=True):
            assert one.read_bytes() == other.read_bytes(), one.name
    import zipfile

    with zipfile.ZipFile(first / "2025-06" / "tyonantajapalvelut_2025-06.xlsx") as book:
        core = book.read("docProps/core.xml").decode()
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in book.infolist())
    assert core.count("2025-07-03T07:00:00Z") == 2  # created and modified: the export day, not today
