"""Voluntary grants: the grants administration's UTF-8 export, its contract and demo calibration."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from serviceplan import cli
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs import canonical as data
from serviceplan.inputs.demo import city_services_files as demo_files
from serviceplan.inputs.demo.budget_files import ledger_rows
from serviceplan.inputs.demo.world import CITY_FIRST, World, build_world
from serviceplan.inputs.sources import grants
from serviceplan.inputs.sources.grants import DATASET

REPO = Path(__file__).resolve().parents[1]
PERIOD = Period(2025, 6)
FILE = f"data/raw/{PERIOD}/avustukset_{PERIOD}.csv"
IDENTITY_CODE = "131052-308T"
HEADER = ";".join(grants.CONTRACT.headers)
ROWS = [
    "2025-06;Lahti-lisä;12;60;65 520,00;15;9",
    "2025-06;Kesätyöseteli;0;450;135 000,00;;",
    "2025-06;Työpajat;0;3;20 000,50;;",
    "2025-06;Yhdistysavustukset;0;0;0;;",
]


def _csv(ws: Workspace, lines: list[str]) -> Path:
    path = ws.raw_period_dir(str(PERIOD)) / f"avustukset_{PERIOD}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def _validate(ws: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run ``serviceplan validate`` on this dataset only; it must fail cleanly. Returns the stderr lines."""
    monkeypatch.setattr(data, "DATASETS", {DATASET.name: DATASET})
    code = cli.main(["--workspace", str(ws.root), "validate", str(PERIOD)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    return err.splitlines()


def test_export_becomes_canonical_rows(workspace: Workspace):
    table = DATASET.read(_csv(workspace, [HEADER, *ROWS]), PERIOD)
    assert table["grant_type"].tolist() == ["lahti_lisa", "summer_job_voucher", "workshops", "association_grants"]
    assert table["paid_eur"].tolist() == [65_520.0, 135_000.0, 20_000.5, 0.0]
    assert table["paid_eur"].sum() == pytest.approx(220_520.5)
    assert table["jobs_continuing"].tolist()[0] == 9
    assert table["jobs_continuing"].isna().tolist() == [False, True, True, True]  # no follow-up: empty, not 0


def test_bom_is_accepted_too(workspace: Workspace):
    path = _csv(workspace, [HEADER, *ROWS])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(DATASET.read(path, PERIOD)) == 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda rows: [rows[0].replace(";15;9", ";15;16"), *rows[1:]],
            f"{FILE}, row 2, column 'Työsuhde jatkuu': got '16'; expected at most the subsidies that ended "
            "(15 on this row)",
        ),
        (
            lambda rows: [rows[0], rows[1].replace(";;", ";5;3"), *rows[2:]],
            f"{FILE}, row 3, column 'Päättyneet tuet': got '5'; expected an empty cell: only Lahti-lisä and "
            "Rekrytointipalkkio have a follow-up of the job",
        ),
        (
            lambda rows: [rows[0].replace(";15;9", ";;"), *rows[1:]],
            f"{FILE}, row 2, column 'Päättyneet tuet': got ''; expected a whole number for Lahti-lisä (a grant with "
            "a follow-up)",
        ),
        (
            lambda rows: [*rows[:2], rows[2].replace(";3;20 000,50;", ";0;20 000,50;"), rows[3]],
            f"{FILE}, row 4, column 'Saajat': got '0'; expected at least 1 when euros were paid on the row",
        ),
        (
            lambda rows: [rows[0].replace("65 520,00", "65.520,00"), *rows[1:]],
            f"{FILE}, row 2, column 'Maksettu €': got '65.520,00'; expected a number with a decimal comma "
            "and at most 2 decimals (e.g. 1234,50) at least 0 and at most 5000000",
        ),
        (
            lambda rows: [*rows, rows[0]],
            f"{FILE}, row 6, column 'Avustuslaji': got '2025-06, Lahti-lisä'; expected one row per "
            "(period, grant_type) (duplicate key)",
        ),
        (
            lambda rows: [rows[0].replace("Lahti-lisä", "Lahtilisä"), *rows[1:]],
            f"{FILE}, row 2, column 'Avustuslaji': got 'Lahtilisä'; expected one of Lahti-lisä, Rekrytointipalkkio, "
            "Kesätyöseteli, Kesäharjoittelijat, Työpajat, Yhdistysavustukset",
        ),
    ],
    ids=[
        "continuing-above-ended",
        "follow-up-for-voucher",
        "missing-follow-up",
        "paid-without-recipients",
        "dot-as-thousands-separator",
        "duplicate-key",
        "unknown-grant-type",
    ],
)
def test_malformed_export_gives_its_precise_error(workspace, monkeypatch, capsys, change, expected):
    _csv(workspace, [HEADER, *change(list(ROWS))])
    lines = _validate(workspace, monkeypatch, capsys)
    assert lines[0] == expected


def test_missing_column_is_named(workspace, monkeypatch, capsys):
    header = HEADER.replace(";Työsuhde jatkuu", "")
    _csv(workspace, [header, *(row.rsplit(";", 1)[0] for row in ROWS)])
    lines = _validate(workspace, monkeypatch, capsys)
    assert lines[0] == f"{FILE}, row 1, column 'Työsuhde jatkuu'; expected this column (missing)"


def test_identity_code_is_rejected_without_echoing_it(workspace, monkeypatch, capsys):
    _csv(workspace, [HEADER, *ROWS[:3], ROWS[3].replace(";0;0;0;;", f";0;0;0;{IDENTITY_CODE};")])
    lines = _validate(workspace, monkeypatch, capsys)
    assert (
        f"{FILE}, row 5, column 'Päättyneet tuet'; expected aggregated data only: the cell holds a personal "
        "identity code (value not shown)"
    ) in lines
    assert not any(IDENTITY_CODE in line for line in lines)


# --- demo calibration (docs/domain.md) -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_params(2025, REPO / "params").benefit_rule(CITY_FIRST))


@pytest.fixture(scope="module")
def demo(world: World) -> pd.DataFrame:
    payments = demo_files.grant_payments(world)
    months = month_range(CITY_FIRST, world.last)
    return pd.concat([demo_files.grants_rows(world, p, payments) for p in months], ignore_index=True)


def test_demo_grants_add_up_to_the_ledger_grant_account(world: World, demo: pd.DataFrame):
    paid = demo.groupby("Kuukausi")["Maksettu €"].sum()
    for period in month_range(CITY_FIRST, world.last):
        ledger = ledger_rows(world, period)
        account = ledger[(ledger["Kustannuspaikka"] == "451010") & (ledger["Tili"] == "4700")]["Summa"].sum()
        assert paid[str(period)] == pytest.approx(account, abs=0.005)


def test_demo_summer_job_vouchers_are_300_euros_for_the_ninth_graders(demo: pd.DataFrame):
    vouchers = demo[demo["Avustuslaji"] == "Kesätyöseteli"]
    assert (vouchers["Maksettu €"] == 300 * vouchers["Saajat"]).all()
    used_months = {int(p[5:]) for p in vouchers.loc[vouchers["Saajat"] > 0, "Kuukausi"]}
    assert used_months <= {5, 6, 7, 8, 9}
    year = vouchers[vouchers["Kuukausi"].str.startswith("2025")]
    assert 1250 <= year["Päätökset"].sum() <= 1300  # one voucher for every 9th-grader
    assert year["Saajat"].sum() <= year["Päätökset"].sum()


def test_demo_lahti_lisa_stays_within_the_monthly_maximum(demo: pd.DataFrame):
    lahti_lisa = demo[(demo["Avustuslaji"] == "Lahti-lisä") & (demo["Saajat"] > 0)]
    assert (lahti_lisa["Maksettu €"] <= 1260 * lahti_lisa["Saajat"]).all()
    assert demo.loc[(demo["Avustuslaji"] == "Lahti-lisä") & (demo["Kuukausi"] == "2025-01"), "Saajat"].item() == 0


def test_demo_has_small_counts_and_every_file_validates(world: World, demo: pd.DataFrame, workspace: Workspace):
    counts = demo[["Päätökset", "Saajat"]].to_numpy().ravel()
    assert ((counts >= 1) & (counts <= 4)).any()
    for path in demo_files.write_grants(world, workspace.raw_dir):
        period = Period.parse(path.parent.name)
        assert not path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
        assert len(DATASET.read(path, period)) == len(grants.GRANT_TYPE_CODES)
