"""The budget datasets (finance ledger, Kela invoice): demo files, contracts and CLI errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from serviceplan import cli
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.inputs.canonical import load, validate_period


def _rewrite(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8-sig")


def _validate(ws: Workspace, period: str, capsys) -> tuple[int, str]:
    code = cli.main(["--workspace", str(ws.root), "validate", period])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_demo_budget_files_are_valid_and_start_when_the_city_took_over(demo_workspace: Workspace):
    assert validate_period(demo_workspace, Period(2025, 1))  # January: ledger only, no Kela invoice yet
    ledger = load("ledger", "2025-12", demo_workspace)
    assert sorted(ledger["period"].unique())[0] == "2025-01"
    yearly = ledger.groupby("budget_class")["amount_eur"].sum() / 1e6
    # the demo is calibrated near the plan's budget (2.6 / 14.3 / 1.0 M€; the appropriation-independent class
    # holds only its operating part in the ledger)
    assert 2.0 < yearly["vapaaehtoinen"] < 3.0
    assert 13.5 < yearly["maararahasidonnainen"] < 15.5
    assert 0.8 < yearly["tarvesidonnainen"] < 1.2


def test_kela_invoice_catch_up_rows_only_in_october_and_november_2025(demo_workspace: Workspace):
    kela = load("kela_invoice", "2026-06", demo_workspace)
    catch_up_months = sorted(kela.loc[kela["catch_up"], "period"].unique())
    assert catch_up_months == ["2025-10", "2025-11"]
    regular = kela[~kela["catch_up"]]
    # every regular row is billed the month after the benefit month
    assert (regular["benefit_period"].map(lambda p: str(Period.parse(p).shift(1))) == regular["period"]).all()


def test_demo_is_deterministic(tmp_path: Path, demo_raw: Path):
    from serviceplan.inputs import demo

    other = tmp_path / "raw"
    demo.generate(other, Path(__file__).resolve().parents[1] / "params")
    for path in sorted(demo_raw.rglob("kirjanpito_*.csv")) + sorted(demo_raw.rglob("kela_*.csv")):
        twin = other / path.relative_to(demo_raw)
        assert twin.read_bytes() == path.read_bytes(), path.name


LEDGER = "data/raw/2025-06/kirjanpito_2025-06.csv"
KELA = "data/raw/2025-06/kela_kuntaosuus_2025-06.csv"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            LEDGER,
            ";Vapaaehtoinen;",
            ";Ei tiedossa;",
            f"{LEDGER}, row 2, column 'Talousarvioluokka': got 'Ei tiedossa'; expected one of Vapaaehtoinen",
        ),
        (LEDGER, "Summa", "Määrä", f"{LEDGER}, row 1, column 'Summa'; expected this column (missing)"),
        (
            LEDGER,
            "2025-06;451010",
            "2025-07;451010",
            f"{LEDGER}, row 2, column 'Kausi': got '2025-07'; expected the delivery month 2025-06",
        ),
        (KELA, ";398;", ";399;", f"{KELA}, row 2, column 'Kunta': got '399'; expected one of 398"),
        (
            KELA,
            "2025-06;2025-05;",
            "2025-06;2025-06;",
            f"{KELA}, row 2, column 'Etuuskuukausi': got '2025-06'; expected a benefit month before the billing month",
        ),
    ],
)
def test_corrupted_budget_files_give_one_clear_error(demo_workspace, capsys, file, old, new, expected):
    _rewrite(demo_workspace.root / file, old, new)
    code, output = _validate(demo_workspace, "2025-06", capsys)
    assert code == 1
    assert expected in output, output
    assert "Traceback" not in output
    assert "input data violation" in output and "nothing was executed" not in output  # validate runs nothing


def _set_field(path: Path, row: int, header: str, value: str) -> None:
    """Set one cell of a Finnish CSV (``row`` counted as the file's lines, header = 1)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    column = lines[0].split(";").index(header)
    fields = lines[row - 1].split(";")
    fields[column] = value
    lines[row - 1] = ";".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("file", "row", "header", "value", "expected"),
    [
        (LEDGER, 4, "Summa", "12O0,00", "expected a number with a decimal comma"),  # letter O typed for a zero
        (LEDGER, 5, "Summa", "1234.50", "expected a number with a decimal comma"),  # decimal point
        (KELA, 3, "Saajat", "-5", "expected a whole number at least 0"),
        (KELA, 2, "Kunnan osuus", "9999999,00", "expected a municipal share no larger than the benefits paid"),
    ],
)
def test_bad_cells(demo_workspace, capsys, file, row, header, value, expected):
    _set_field(demo_workspace.root / file, row, header, value)
    code, output = _validate(demo_workspace, "2025-06", capsys)
    assert code == 1
    assert f"{file}, row {row}, column '{header}': got '{value}'; {expected}" in output, output


def test_missing_delivery_is_named(demo_workspace, capsys):
    (demo_workspace.root / KELA).unlink()
    code, output = _validate(demo_workspace, "2025-06", capsys)
    assert code == 1
    assert "kela_kuntaosuus_2025-06.csv" in output and "missing" in output


def test_validate_without_period_uses_newest_month(demo_workspace, capsys):
    code = cli.main(["--workspace", str(demo_workspace.root), "validate"])
    assert code == 0
    assert capsys.readouterr().out.startswith("2026-06:")
