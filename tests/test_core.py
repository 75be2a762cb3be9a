"""Periods, Finnish number parsing, readers, privacy checks and the contract engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from serviceplan.core.errors import DataError, UsageError
from serviceplan.core.identity_codes import contains_identity_code
from serviceplan.core.periods import Period, month_range, parse_periods
from serviceplan.inputs.contracts import Column, Contract, parse_fi_number, parse_period_text
from serviceplan.inputs.readers import read_finnish_csv


def test_periods():
    assert str(Period.parse("2025-06").shift(7)) == "2026-01"
    assert Period(2025, 2).last_day.day == 28
    assert [str(p) for p in parse_periods("2025-11..2026-02")] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert len(month_range(Period(2025, 1), Period(2026, 6))) == 18
    with pytest.raises(UsageError, match="YYYY-MM"):
        Period.parse("6/2025")
    with pytest.raises(UsageError):
        parse_periods("2025-06..2025-01")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234,50", 1234.5), ("1 234,5", 1234.5), ("1\u00a0234", 1234.0), ("−12,5", -12.5), ("-3", -3.0)],
)
def test_fi_numbers(text, expected):
    assert parse_fi_number(text) == expected


@pytest.mark.parametrize("text", ["1234.50", "1.234,50", "abc", "", "12,3,4"])
def test_not_fi_numbers(text):
    assert parse_fi_number(text) is None


def test_period_forms():
    assert [parse_period_text(t) for t in ("2025-6", "2025M06", "6/2025", "2025-06-01", "2025-13")] == [
        "2025-06",
        "2025-06",
        "2025-06",
        "2025-06",
        None,
    ]


def test_identity_codes_need_a_valid_check_character():
    # 131052-308T is the example code of the Digital and Population Data Services Agency: 131052308 % 31 = 25 -> T
    assert contains_identity_code("asiakas 131052-308T")
    assert not contains_identity_code("asiakas 131052-308U")  # wrong check character
    assert not contains_identity_code("tili 451010-4700")  # not a date + check character
    assert contains_identity_code("010101A123N")  # 010101123 % 31 = 21 -> N (born in 2001)


CONTRACT = Contract(
    dataset="example",
    columns=(
        Column("period", "Kausi", "period"),
        Column("group", "Ryhmä", "code", allowed=("A", "B")),
        Column("count", "Määrä", "int", min=0),
    ),
    key=("period", "group"),
)


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / "example.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_contract_reads_cp1252_and_types_columns(tmp_path: Path):
    path = _csv(tmp_path, "Kausi;Ryhmä;Määrä\n2025-06;A;3\n2025-06;B;12\n", encoding="cp1252")
    frame = CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), Period(2025, 6))
    assert frame["count"].tolist() == [3, 12]
    assert str(frame["count"].dtype) == "Int64"


def test_contract_reports_every_violation_with_line_and_column(tmp_path: Path):
    path = _csv(tmp_path, "Kausi;Ryhmä;Määrä\n2025-06;A;-1\n2025-06;C;x\n2025-07;B;2\n")
    with pytest.raises(DataError) as info:
        CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), Period(2025, 6))
    shown = [str(v).replace(f"{tmp_path}/", "") for v in info.value.violations]
    assert shown == [  # in file order: by row, then by column
        "example.csv, row 2, column 'Määrä': got '-1'; expected a whole number at least 0",
        "example.csv, row 3, column 'Ryhmä': got 'C'; expected one of A, B",
        "example.csv, row 3, column 'Määrä': got 'x'; expected a whole number at least 0",
    ]


def test_duplicate_keys_and_wrong_period_are_found_after_typing(tmp_path: Path):
    path = _csv(tmp_path, "Kausi;Ryhmä;Määrä\n2025-06;A;1\n2025-06;A;2\n2025-05;B;2\n")
    with pytest.raises(DataError) as info:
        CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), Period(2025, 6))
    shown = [str(v).replace(f"{tmp_path}/", "") for v in info.value.violations]
    assert shown == [
        "example.csv, row 3, column 'Ryhmä': got '2025-06, A'; expected one row per (period, group) (duplicate key)",
        "example.csv, row 4, column 'Kausi': got '2025-05'; expected the delivery month 2025-06 (file is for that "
        "month)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "expected a ';'-separated table with a header row (file is empty)"),
        ("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "not an HTML page"),
        ("Kausi,Ryhmä,Määrä\n2025-06,A,1\n", "the header is separated by ','"),
        ("Kausi;Ryhmä;Määrä\n2025-06;A\n", "row 2; expected 3 ';'-separated fields"),
        ("Kausi;Ryhmä\n2025-06;A\n", "column 'Määrä'; expected this column (missing)"),
        ("Kausi;Ryhmä;Määrä;Muuta\n2025-06;A;1;x\n", "column 'Muuta'; expected only the columns"),
        ("Kausi;Ryhmä;Määrä;Hetu\n2025-06;A;1;x\n", "column 'Hetu'; expected aggregated data only"),
        ("Kausi;Ryhmä;Määrä\n", "at least one data row"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, expected: str):
    path = _csv(tmp_path, text)
    with pytest.raises(DataError) as info:
        CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), Period(2025, 6))
    assert expected in str(info.value)


def test_identity_code_is_rejected_without_echo(tmp_path: Path):
    path = _csv(tmp_path, "Kausi;Ryhmä;Määrä\n2025-06;131052-308T;1\n")
    with pytest.raises(DataError) as info:
        CONTRACT.apply(read_finnish_csv(path, CONTRACT.headers), Period(2025, 6))
    message = info.value.report()
    assert "personal identity code" in message
    assert "131052-308T" not in message
