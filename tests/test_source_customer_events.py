"""Customer service events: the client system's Excel report (and its CSV form), contract and demo calibration."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from serviceplan import cli
from serviceplan.core.errors import ServiceplanError
from serviceplan.core.finnish_csv import write_finnish_csv
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period, month_range
from serviceplan.inputs import canonical as data
from serviceplan.inputs.demo import city_services_files as demo_files
from serviceplan.inputs.demo.world import CITY_FIRST, World, build_world
from serviceplan.inputs.sources import customer_events
from serviceplan.inputs.sources.customer_events import DATASET, interviews_within_deadline

REPO = Path(__file__).resolve().parents[1]
PERIOD = Period(2025, 6)
FILE = f"data/raw/{PERIOD}/asiakastapahtumat_{PERIOD}"
HEADER = ";".join(customer_events.CONTRACT.headers)
IDENTITY_CODE = "131052-308T"  # the well-known example code with a valid check character


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_params(2025, REPO / "params").benefit_rule(CITY_FIRST))


def _xlsx(world: World, ws: Workspace, period: Period = PERIOD) -> Path:
    path = ws.raw_period_dir(str(period)) / f"asiakastapahtumat_{period}.xlsx"
    return demo_files.write_customer_events_xlsx(demo_files.customer_events_rows(world, period), period, path)


def _csv(ws: Workspace, lines: list[str]) -> Path:
    path = ws.raw_period_dir(str(PERIOD)) / f"asiakastapahtumat_{PERIOD}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


# A hand-made month: two age groups, the anonymous row and a total row that adds up.
ROWS = [
    "2025-06;20-24;100;90;9;30;300;200;1000;950;120",
    "2025-06;30-54;400;360;20;80;1500;1100;5000;2500;0",
    "2025-06;Nimetön asiointi;0;0;0;0;0;0;0;0;30",
    "2025-06;Yhteensä;500;450;29;110;1800;1300;6000;3450;150",
]


def _validate(ws: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run ``serviceplan validate`` on this dataset only; it must fail cleanly. Returns the stderr lines."""
    monkeypatch.setattr(data, "DATASETS", {DATASET.name: DATASET})
    code = cli.main(["--workspace", str(ws.root), "validate", str(PERIOD)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    return err.splitlines()


def test_hand_made_csv_becomes_canonical_rows(workspace: Workspace):
    table = DATASET.read(_csv(workspace, [HEADER, *ROWS]), PERIOD)
    assert table["age_group"].tolist() == ["20_24", "30_54", "anonymous"]  # the total row is checked, then dropped
    assert table["new_jobseekers"].tolist() == [100, 400, 0]
    assert table["interviews_within_5wd"].tolist() == [9, 20, 0]
    assert str(table["customers"].dtype) == "Int64"
    assert table["period"].tolist() == ["2025-06"] * 3


def test_kpi_uses_the_deadline_in_force(workspace: Workspace):
    table = DATASET.read(_csv(workspace, [HEADER, *ROWS]), PERIOD)
    params = load_params(2026, REPO / "params")
    days_2025 = params.service_level_rule(Period(2025, 12)).initial_interview_working_days
    days_2026 = params.service_level_rule(Period(2026, 1)).initial_interview_working_days
    assert interviews_within_deadline(table, days_2025).tolist() == [9, 20, 0]  # 5 working days
    assert interviews_within_deadline(table, days_2026).tolist() == [30, 80, 0]  # 10 working days
    with pytest.raises(ServiceplanError, match=r"deadline in force is 7 working days.*within 5 and 10"):
        interviews_within_deadline(table, 7)


def test_xlsx_and_csv_forms_give_the_same_table(world: World, workspace: Workspace, tmp_path: Path):
    rows = demo_files.customer_events_rows(world, PERIOD)
    from_xlsx = DATASET.read(_xlsx(world, workspace), PERIOD)
    csv_path = write_finnish_csv(rows, tmp_path / "raw" / str(PERIOD) / f"asiakastapahtumat_{PERIOD}.csv")
    from_csv = DATASET.read(csv_path, PERIOD)
    pd.testing.assert_frame_equal(from_xlsx, from_csv)
    assert len(from_xlsx) == 6


def test_excel_report_has_title_rows_and_date_cells(world: World, workspace: Workspace):
    sheet = openpyxl.load_workbook(_xlsx(world, workspace)).active
    assert sheet["A5"].value == "Kuukausi"
    assert sheet["A6"].value.year == 2025 and sheet["A6"].value.month == 6  # a real date cell, read as 2025-06


def test_demo_workbook_bytes_do_not_depend_on_the_clock(world: World, tmp_path: Path):
    rows = demo_files.customer_events_rows(world, PERIOD)
    first = demo_files.write_customer_events_xlsx(rows, PERIOD, tmp_path / "a.xlsx").read_bytes()
    second = demo_files.write_customer_events_xlsx(rows, PERIOD, tmp_path / "b.xlsx").read_bytes()
    assert first == second


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda lines: [line.replace(";", ",") for line in lines],
            f"{FILE}.csv, row 1; expected columns separated by ';' (Finnish CSV); the header is separated by ','",
        ),
        (
            lambda lines: [lines[0].replace("Alkuhaastattelut;", "Alkuhaastattelu;"), *lines[1:]],
            f"{FILE}.csv, row 1, column 'Alkuhaastattelut'; expected this column (missing)",
        ),
        (
            lambda lines: [*lines[:2], lines[2].replace(";20;80;", ";90;80;"), *lines[3:]],
            f"{FILE}.csv, row 3, column 'Alkuhaastattelu 5 työpäivässä': got '90'; expected at most the interviews "
            "within 10 working days (80 on this row)",
        ),
        (
            lambda lines: [*lines[:4], lines[4].replace(";500;450;", ";510;450;")],
            f"{FILE}.csv, row 5, column 'Uudet työnhakijat': got '510'; expected the sum of the age-group rows (500)",
        ),
        (
            lambda lines: [lines[0], lines[1].replace("2025-06", "2025-05"), *lines[2:]],
            f"{FILE}.csv, row 2, column 'Kuukausi': got '2025-05'; expected the delivery month 2025-06 "
            "(file is for that month)",
        ),
        (
            lambda lines: [lines[0], lines[1].replace("20-24", "alle 18"), *lines[2:]],
            f"{FILE}.csv, row 2, column 'Ikäryhmä': got 'alle 18'; expected one of alle 20, 20-24, 25-29, 30-54, "
            "55-, Nimetön asiointi, Yhteensä",
        ),
        (
            lambda lines: [*lines[:2], lines[2].replace(";2500;0", ";2500;7"), *lines[3:]],
            f"{FILE}.csv, row 3, column 'Ohjaamo-käynnit': got '7'; expected 0 for the age groups 30 and over "
            "(Ohjaamo serves the under-30s)",
        ),
        (
            lambda lines: [lines[0], lines[1].replace(";100;90;", ";100;-90;"), *lines[2:]],
            f"{FILE}.csv, row 2, column 'Alkuhaastattelut': got '-90'; expected a whole number at least 0 and at "
            "most 100000",
        ),
    ],
    ids=[
        "wrong-separator",
        "renamed-column",
        "within-5-above-within-10",
        "total-does-not-add-up",
        "wrong-period",
        "unknown-age-group",
        "ohjaamo-over-30",
        "negative-count",
    ],
)
def test_malformed_csv_gives_its_precise_error(workspace, monkeypatch, capsys, change, expected):
    _csv(workspace, change([HEADER, *ROWS]))
    lines = _validate(workspace, monkeypatch, capsys)
    assert expected in lines
    assert lines[-1].startswith("error: ")


def test_malformed_xlsx_names_the_sheet_row(world: World, workspace, monkeypatch, capsys):
    path = _xlsx(world, workspace)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet["I8"] = sheet["I8"].value + 5  # 'Asiakkaat kuukauden lopussa' of 25-29: the total no longer adds up
    book.save(path)
    lines = _validate(workspace, monkeypatch, capsys)
    total = sheet["I12"].value
    assert lines[0] == (
        f"{FILE}.xlsx, row 12, column 'Asiakkaat kuukauden lopussa': got '{total}'; "
        f"expected the sum of the age-group rows ({total + 5})"
    )


def test_anonymous_row_holds_only_visits(workspace, monkeypatch, capsys):
    rows = [*ROWS[:2], "2025-06;Nimetön asiointi;3;0;0;0;0;0;0;0;30", ROWS[3].replace(";500;", ";503;")]
    _csv(workspace, [HEADER, *rows])
    lines = _validate(workspace, monkeypatch, capsys)
    assert lines[0] == (
        f"{FILE}.csv, row 4, column 'Uudet työnhakijat': got '3'; expected 0 on the anonymous row "
        "(it counts anonymous Ohjaamo visits only)"
    )


def test_identity_code_is_rejected_without_echoing_it(world: World, workspace, monkeypatch, capsys):
    path = _xlsx(world, workspace)
    book = openpyxl.load_workbook(path)
    book.active["B7"] = IDENTITY_CODE
    book.save(path)
    lines = _validate(workspace, monkeypatch, capsys)
    assert (
        f"{FILE}.xlsx, row 7, column 'Ikäryhmä'; expected aggregated data only: the cell holds a personal identity "
        "code (value not shown)"
    ) in lines
    assert not any(IDENTITY_CODE in line for line in lines)


def test_person_level_column_is_refused(workspace, monkeypatch, capsys):
    _csv(workspace, [HEADER + ";Hetu", *(row + ";" for row in ROWS)])
    lines = _validate(workspace, monkeypatch, capsys)
    assert lines[0] == (
        f"{FILE}.csv, row 1, column 'Hetu'; expected aggregated data only: this column holds person-level data "
        "and is not accepted"
    )


# --- demo calibration (docs/domain.md) -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_table(world: World) -> pd.DataFrame:
    frames = [demo_files.customer_events_rows(world, p) for p in month_range(CITY_FIRST, world.last)]
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["Ikäryhmä"] != customer_events.TOTAL_LABEL]
    names = {c.header: c.name for c in customer_events.CONTRACT.columns}
    return rows.rename(columns=names).groupby("period")[list(customer_events.COUNT_COLUMNS)].sum()


def test_demo_new_jobseekers_match_lahti_with_a_july_peak(demo_table: pd.DataFrame):
    new = demo_table["new_jobseekers"]
    assert new.between(700, 900).all()
    year_2025 = new[new.index.str.startswith("2025")]
    assert year_2025.idxmax() == "2025-07"


def test_demo_deadline_shares_are_low_in_2025_and_improve_under_the_10_day_rule(demo_table: pd.DataFrame):
    within5 = demo_table["interviews_within_5wd"] / demo_table["initial_interviews"]
    within10 = demo_table["interviews_within_10wd"] / demo_table["initial_interviews"]
    in_2025 = demo_table.index.str.startswith("2025")
    assert within5[in_2025].max() < 0.2  # an average wait of ~35 days in 2025 leaves few within 5 working days
    assert within10[~in_2025].min() > within10[in_2025].max()


def test_demo_under_25_named_advisor_share_rises_towards_everyone(world: World):
    shares = []
    for period in (CITY_FIRST, world.last):
        rows = demo_files.customer_events_rows(world, period)
        young = rows[rows["Ikäryhmä"].isin(["alle 20", "20-24"])]
        shares.append(young["Nimetty omatyöntekijä"].sum() / young["Asiakkaat kuukauden lopussa"].sum())
    assert shares[0] < 0.75 < 0.95 < shares[1] <= 1.0


def test_demo_has_small_counts_for_disclosure_control(demo_table: pd.DataFrame, world: World):
    rows = pd.concat([demo_files.customer_events_rows(world, p) for p in month_range(CITY_FIRST, world.last)])
    counts = rows.iloc[:, 2:].to_numpy().ravel()
    assert ((counts >= 1) & (counts <= 4)).any()
