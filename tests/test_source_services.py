"""Services and their outcomes: the service register's cp1252 exports, contracts and demo calibration."""

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
from serviceplan.inputs.sources import services
from serviceplan.inputs.sources.services import DATASET, OUTCOMES_DATASET

REPO = Path(__file__).resolve().parents[1]
PERIOD = Period(2025, 6)
COHORT = Period(2025, 3)
SERVICES_FILE = f"data/raw/{PERIOD}/palvelut_{PERIOD}.csv"
OUTCOMES_FILE = f"data/raw/{PERIOD}/palvelujen_tulokset_{PERIOD}.csv"
IDENTITY_CODE = "131052-308T"

SERVICES_HEADER = ";".join(services.CONTRACT.headers)
SERVICES_ROWS = [
    "2025-06;Palkkatuki;Työnantajat;Oma tuotanto;ei;12;140;10;98 765,40",
    "2025-06;Valmennus;Valmennus B Oy;Ostopalvelu;kyllä;8;25;3;1 234,50",
    "2025-06;Valmennus;Yhdistys D ry;Kumppanuus;ei;2;4;1;0",
]
OUTCOMES_HEADER = ";".join(services.OUTCOMES_CONTRACT.headers)
# Cohort 2025-03: its services export (below) reports 10 and 3 ends for these two rows.
OUTCOME_ROWS = [
    "2025-06;Palkkatuki;Työnantajat;3;2025-03;10;3;1;0;5;1",
    "2025-06;Valmennus;Valmennus B Oy;3;2025-03;3;1;0;1;1;0",
]


def _write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    return path


def _services(ws: Workspace, lines: list[str], period: Period = PERIOD) -> Path:
    return _write(ws.raw_period_dir(str(period)) / f"palvelut_{period}.csv", lines)


def _outcomes(ws: Workspace, lines: list[str]) -> Path:
    cohort_rows = [r.replace("2025-06", str(COHORT)) for r in SERVICES_ROWS]
    _services(ws, [SERVICES_HEADER, *cohort_rows], COHORT)
    return _write(ws.raw_period_dir(str(PERIOD)) / f"palvelujen_tulokset_{PERIOD}.csv", lines)


def _validate(ws: Workspace, dataset, monkeypatch, capsys) -> list[str]:
    """Run ``serviceplan validate`` on one dataset only; it must fail cleanly. Returns the stderr lines."""
    monkeypatch.setattr(data, "DATASETS", {dataset.name: dataset})
    code = cli.main(["--workspace", str(ws.root), "validate", str(PERIOD)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    return err.splitlines()


def test_cp1252_export_becomes_canonical_rows(workspace: Workspace):
    path = _services(workspace, [SERVICES_HEADER, *SERVICES_ROWS])
    assert "€".encode("cp1252") in path.read_bytes()  # really the Windows code page, not UTF-8
    table = DATASET.read(path, PERIOD)
    assert table["service_type"].tolist() == ["pay_subsidy", "coaching", "coaching"]
    assert table["production_mode"].tolist() == ["own", "purchased", "partnership"]
    assert table["outcome_based"].tolist() == [False, True, False]
    assert table["cost_eur"].tolist() == [98_765.40, 1_234.50, 0.0]
    assert table["stock"].sum() == 169


def test_outcome_export_becomes_canonical_rows(workspace: Workspace):
    table = OUTCOMES_DATASET.read(_outcomes(workspace, [OUTCOMES_HEADER, *OUTCOME_ROWS]), PERIOD)
    assert table["follow_up_months"].tolist() == [3, 3]
    assert table["cohort_period"].tolist() == ["2025-03", "2025-03"]
    assert table["open_market"].sum() == 4
    assert (table[list(services.STATUS_COLUMNS.values())].sum(axis=1) == table["ended"]).all()


def test_outcome_cohort_need_not_be_present(workspace: Workspace):
    lines = [OUTCOMES_HEADER, *OUTCOME_ROWS]
    path = _write(workspace.raw_period_dir(str(PERIOD)) / f"palvelujen_tulokset_{PERIOD}.csv", lines)
    assert len(OUTCOMES_DATASET.read(path, PERIOD)) == 2  # no 2025-03 export in the workspace: nothing to compare


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda rows: [rows[0].replace("98 765,40", "98765.40"), *rows[1:]],
            f"{SERVICES_FILE}, row 2, column 'Kustannus €': got '98765.40'; expected a number with a decimal comma "
            "and at most 2 decimals (e.g. 1234,50) at least 0 and at most 10000000",
        ),
        (
            lambda rows: [rows[0].replace(";Palkkatuki;", ";Palkkatukityö;"), *rows[1:]],
            f"{SERVICES_FILE}, row 2, column 'Palvelu': got 'Palkkatukityö'; expected one of Palkkatuki, "
            "Starttiraha, Työvoimakoulutus, Valmennus, Työkokeilu, Kuntouttava työtoiminta, Kotoutumiskoulutus",
        ),
        (
            lambda rows: [*rows, rows[1].replace(";8;25;3;", ";1;1;1;")],
            f"{SERVICES_FILE}, row 5, column 'Palveluntuottaja': got '2025-06, Valmennus, Valmennus B Oy'; "
            "expected one row per (period, service_type, provider) (duplicate key)",
        ),
        (
            lambda rows: [rows[0].replace(";Oma tuotanto;ei;", ";Oma tuotanto;kyllä;"), *rows[1:]],
            f"{SERVICES_FILE}, row 2, column 'Tulosperusteinen': got 'kyllä (Oma tuotanto)'; expected ei unless the "
            "production mode is Ostopalvelu or Kumppanuus (only a procured service can be paid on an outcome basis)",
        ),
        (
            lambda rows: [rows[0].replace("2025-06", "2025-07"), *rows[1:]],
            f"{SERVICES_FILE}, row 2, column 'Kuukausi': got '2025-07'; expected the delivery month 2025-06 "
            "(file is for that month)",
        ),
    ],
    ids=["decimal-point", "unknown-service", "duplicate-key", "outcome-based-own-production", "wrong-period"],
)
def test_malformed_services_export_gives_its_precise_error(workspace, monkeypatch, capsys, change, expected):
    _services(workspace, [SERVICES_HEADER, *change(list(SERVICES_ROWS))])
    lines = _validate(workspace, DATASET, monkeypatch, capsys)
    assert lines[0] == expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda rows: [rows[0].replace(";10;3;1;0;5;1", ";10;3;1;0;4;1"), rows[1]],
            f"{OUTCOMES_FILE}, row 2, column 'Päättyneet': got '10'; expected the sum of the status columns (9): "
            "every person who ended the service has one status",
        ),
        (
            lambda rows: [rows[0].replace(";3;2025-03;", ";3;2025-02;"), rows[1]],
            f"{OUTCOMES_FILE}, row 2, column 'Palvelu päättynyt': got '2025-02'; expected 2025-03: the month 3 "
            "months before the follow-up month",
        ),
        (
            lambda rows: [rows[0], rows[1].replace(";3;1;0;1;1;0", ";4;1;0;1;2;0")],
            f"{OUTCOMES_FILE}, row 3, column 'Päättyneet': got '4'; expected 3: the ends of this service and "
            f"provider in data/raw/{COHORT}/palvelut_{COHORT}.csv",
        ),
        (
            lambda rows: [rows[0].replace(";3;2025-03;", ";4;2025-02;"), rows[1]],
            f"{OUTCOMES_FILE}, row 2, column 'Seuranta-aika kk': got '4'; expected one of 3, 6",
        ),
        (
            lambda rows: [rows[0], rows[1].replace("Valmennus;Valmennus B Oy", "Valmennus;")],
            f"{OUTCOMES_FILE}, row 3, column 'Palveluntuottaja': got ''; expected text",
        ),
    ],
    ids=["statuses-do-not-add-up", "wrong-cohort-month", "ends-differ-from-services", "unknown-follow-up", "empty"],
)
def test_malformed_outcome_export_gives_its_precise_error(workspace, monkeypatch, capsys, change, expected):
    _outcomes(workspace, [OUTCOMES_HEADER, *change(list(OUTCOME_ROWS))])
    lines = _validate(workspace, OUTCOMES_DATASET, monkeypatch, capsys)
    assert lines[0] == expected


def test_identity_code_is_rejected_without_echoing_it(workspace, monkeypatch, capsys):
    _services(workspace, [SERVICES_HEADER, SERVICES_ROWS[0].replace("Työnantajat", IDENTITY_CODE), *SERVICES_ROWS[1:]])
    lines = _validate(workspace, DATASET, monkeypatch, capsys)
    assert lines[0] == (
        f"{SERVICES_FILE}, row 2, column 'Palveluntuottaja'; expected aggregated data only: the cell holds a "
        "personal identity code (value not shown)"
    )
    assert not any(IDENTITY_CODE in line for line in lines)


# --- demo calibration (docs/domain.md) -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_params(2025, REPO / "params").benefit_rule(CITY_FIRST))


@pytest.fixture(scope="module")
def flows(world: World) -> pd.DataFrame:
    return demo_files.service_flows(world)


def test_demo_stock_is_the_public_statistics_in_services(world: World, flows: pd.DataFrame):
    stock = flows.groupby("period")["stock"].sum()
    in_services = world.labour_market.set_index("period")["in_services"]
    assert (stock == in_services.loc[stock.index]).all()


def test_demo_stock_follows_starts_and_ends(flows: pd.DataFrame):
    for _, line in flows.groupby(["service", "provider"]):
        stock = line["stock"].to_numpy()
        assert (stock[1:] == stock[:-1] + line["starts"].to_numpy()[1:] - line["ends"].to_numpy()[1:]).all()
    assert (flows[["starts", "stock", "ends"]] >= 0).all().all()


def test_demo_costs_agree_with_the_ledger_cost_centre(world: World, flows: pd.DataFrame):
    pay = flows[flows["service"].isin(["Palkkatuki", "Starttiraha"])].groupby("period")["cost_eur"].sum()
    for period in month_range(CITY_FIRST, world.last):
        ledger = ledger_rows(world, period)
        centre = ledger.loc[ledger["Kustannuspaikka"] == "451020", "Summa"].sum()
        assert pay[str(period)] == pytest.approx(centre, abs=0.05)  # cents of rounding per line


@pytest.fixture(scope="module")
def outcomes(world: World, flows: pd.DataFrame) -> pd.DataFrame:
    months = month_range(OUTCOMES_DATASET.first_period, world.last)
    return pd.concat([demo_files.outcome_rows(world, flows, p) for p in months], ignore_index=True)


def test_demo_outcomes_follow_the_cohorts_that_ended(flows: pd.DataFrame, outcomes: pd.DataFrame):
    ends = flows.set_index(["period", "service", "provider"])["ends"]
    for row in outcomes.itertuples(index=False):
        assert row[5] == ends[(row[4], row[1], row[2])]  # Päättyneet == the cohort month's ends
    statuses = outcomes[list(services.STATUS_COLUMNS)].sum(axis=1)
    assert (statuses == outcomes["Päättyneet"]).all()


def test_demo_effectiveness_is_national_level_with_weak_services(outcomes: pd.DataFrame):
    def open_market_share(frame: pd.DataFrame) -> float:
        return frame["Avoimet työmarkkinat"].sum() / frame["Päättyneet"].sum()

    at3 = outcomes[outcomes["Seuranta-aika kk"] == "3"]
    assert 0.18 <= open_market_share(at3) <= 0.30  # nationally about 22 % at 3 months
    at6 = outcomes[outcomes["Seuranta-aika kk"] == "6"]
    assert open_market_share(at6) > open_market_share(at3)  # about 25 % at 6 months
    by_service = {service: open_market_share(group) for service, group in at3.groupby("Palvelu")}
    assert by_service["Kuntouttava työtoiminta"] < 0.10
    assert by_service["Kotoutumiskoulutus"] < 0.15
    assert by_service["Palkkatuki"] > 0.25


def test_demo_has_small_counts_for_disclosure_control(outcomes: pd.DataFrame):
    counts = outcomes[list(services.STATUS_COLUMNS)].to_numpy().ravel()
    assert ((counts >= 1) & (counts <= 4)).any()


def test_demo_files_validate(world: World, workspace: Workspace):
    written = demo_files.write_services(world, workspace.raw_dir) + demo_files.write_service_outcomes(
        world, workspace.raw_dir
    )
    assert len(written) == 18 + 15
    table = OUTCOMES_DATASET.read(
        workspace.raw_period_dir("2025-09") / "palvelujen_tulokset_2025-09.csv", Period(2025, 9)
    )
    assert set(table["follow_up_months"]) == {3, 6}
    assert set(table["cohort_period"]) == {"2025-06", "2025-03"}
