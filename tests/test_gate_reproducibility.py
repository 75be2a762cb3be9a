"""Gate 4: reproducibility. The same month run twice from a clean state gives the same published numbers and text.

November 2025 (the month of Kela's catch-up invoice, and one of the periods kept in ``tests/expected/``) is run
through the batch in two separate throw-away workspaces holding the demo data. The tests compare what the two
runs published, byte for byte where it matters, and check that the manifest alone tells which code, parameters
and input files produced the version. The run is also the KPI back-test: its KPI table must equal the expected
demo values in ``tests/expected/2025-11/kpi.csv``. Finally a changed input must show: one changed ledger
amount changes that file's hash in the manifest and exactly the KPIs that depend on it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from conftest import add_to_first_amount, text_outputs
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics.areas import AREAS, Area, get
from serviceplan.publish import manifest as mf
from serviceplan.publish.batch import run_periods

REPO = Path(__file__).resolve().parents[1]
PERIOD = Period(2025, 11)
EXPECTED_KPIS = REPO / "tests" / "expected" / str(PERIOD) / "kpi.csv"
LEDGER = f"kirjanpito_{PERIOD}.csv"
CHANGE_EUR = 1000.0  # added to the first amount of the month's ledger in the changed-input run


def ready_areas() -> tuple[Area, ...]:
    """The areas whose notebook exists (notebooks of other areas may not be written yet)."""
    return tuple(a for a in AREAS if (REPO / "notebooks" / a.notebook).is_file())


def publish(ws: Workspace, areas: tuple[Area, ...]) -> Path:
    """Run the month in ``ws`` from a clean state (no cache, no earlier version) and return its version folder."""
    assert not ws.reports_dir.exists()
    assert run_periods(ws, [PERIOD], areas=areas, render=False, jobs=2, console=Console(quiet=True)) == 0
    return ws.reports_dir / str(PERIOD)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, make_demo_workspace: Callable[[Path], Workspace]) -> dict:
    """The month published twice, in two separate demo workspaces."""
    areas = ready_areas()
    first = make_demo_workspace(tmp_path_factory.mktemp("first") / "ws")
    second = make_demo_workspace(tmp_path_factory.mktemp("second") / "ws")
    return {"areas": areas, "first": first, "second": second, "a": publish(first, areas), "b": publish(second, areas)}


def kpi_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))


# --- the same inputs twice ---------------------------------------------------------------------------------------


def test_kpi_files_are_byte_identical(runs: dict) -> None:
    for name in mf.KPI_FILES:
        first, second = (runs["a"] / name).read_bytes(), (runs["b"] / name).read_bytes()
        assert first == second, name
    assert len(kpi_rows(runs["a"] / "kpi.csv")) >= 10
    assert mf.kpi_schema_errors(mf.read_json(runs["a"] / "kpi.json")) == []  # the published file matches its schema


def test_notebook_text_outputs_and_figures_are_identical(runs: dict) -> None:
    for area in runs["areas"]:
        first, second = text_outputs(runs["a"] / area.notebook), text_outputs(runs["b"] / area.notebook)
        assert first == second, area.notebook
        assert sum(len(outputs) for outputs in first) > 0, f"{area.notebook} shows nothing"
    figures = sorted(p.name for p in (runs["a"] / "figures").glob("*.png"))
    assert figures == sorted(p.name for p in (runs["b"] / "figures").glob("*.png"))
    for name in figures:
        assert (runs["a"] / "figures" / name).read_bytes() == (runs["b"] / "figures" / name).read_bytes(), name


def test_pages_show_what_they_show_on_their_own(runs: dict) -> None:
    """The batch's pages read their KPI tables (and those of the months they compare with) from the run's KPI
    store, and the summary reads every area's: they show what each page shows when run on its own (the executed
    copies in tests/expected/, made without a store)."""
    for area in runs["areas"]:
        expected = REPO / "tests" / "expected" / str(PERIOD) / area.notebook
        assert text_outputs(runs["a"] / area.notebook) == text_outputs(expected), area.notebook


def test_manifests_differ_only_in_their_volatile_fields(runs: dict) -> None:
    first, second = (mf.read_json(runs[k] / "manifest.json") for k in ("a", "b"))
    assert set(mf.VOLATILE_KEYS) <= set(first)
    assert mf.reproducible_view(first) == mf.reproducible_view(second)


def test_kpis_equal_the_expected_demo_values(runs: dict) -> None:
    """The back-test: the KPI table of the run is the one kept with the expected notebooks."""
    got = kpi_rows(runs["a"] / "kpi.csv")
    areas = {row["area"] for row in got}
    expected = [row for row in kpi_rows(EXPECTED_KPIS) if row["area"] in areas]
    assert got == expected, "KPI values changed: if intended, run python tools/update_expected.py and review the diff"


# --- the manifest says what produced the version -----------------------------------------------------------------


def _git_head() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(mf.__file__).parent, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _input_file_hashes(ws: Workspace, up_to: Period) -> dict[str, str]:
    """Every file delivered for the months up to ``up_to`` and the plan's files (actions, risks), hashed here
    independently of the package."""
    folders = [p for p in ws.raw_dir.iterdir() if p.is_dir() and p.name <= str(up_to)] + [ws.plan_dir]
    return {
        path.relative_to(ws.root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_manifest_names_the_code_the_parameters_and_every_input_file(runs: dict) -> None:
    ws, manifest = runs["first"], mf.read_json(runs["a"] / "manifest.json")
    code = manifest["code"]
    head = _git_head()
    assert code["commit"] == head  # None when the package is not in a git checkout
    assert head is None or (len(head) == 40 and isinstance(code["dirty"], bool))
    assert len(code["digest"]) == 64
    params = load_params(PERIOD.year, ws.params_dir)
    assert manifest["parameters"]["digest"] == params.digest()
    assert manifest["parameters"]["values"] == params.model_dump(mode="json")
    inputs = {record["file"]: record["sha256"] for record in manifest["inputs"]}
    assert inputs == _input_file_hashes(ws, PERIOD)
    assert len(inputs) > 100  # every month since 2024-01, every dataset
    assert [n["notebook"] for n in manifest["notebooks"]] == [a.notebook for a in runs["areas"]]


# --- a changed input shows -----------------------------------------------------------------------------------------


def test_a_changed_input_changes_its_hash_and_the_kpis_that_depend_on_it(
    runs: dict, tmp_path: Path, make_demo_workspace: Callable[[Path], Workspace]
) -> None:
    budget = get("budget")
    changed = make_demo_workspace(tmp_path / "ws")
    ledger = changed.raw_period_dir(str(PERIOD)) / LEDGER
    add_to_first_amount(ledger, CHANGE_EUR)
    folder = publish(changed, (budget,))

    before = {r["file"]: r["sha256"] for r in mf.read_json(runs["a"] / "manifest.json")["inputs"]}
    after = {r["file"]: r["sha256"] for r in mf.read_json(folder / "manifest.json")["inputs"]}
    assert before.keys() == after.keys()
    assert [f for f in before if before[f] != after[f]] == [f"data/raw/{PERIOD}/{LEDGER}"]

    old = {r["kpi"]: r for r in kpi_rows(runs["a"] / "kpi.csv") if r["area"] == budget.id}
    new = {r["kpi"]: r for r in kpi_rows(folder / "kpi.csv")}
    assert old.keys() == new.keys()

    def value(row: dict[str, str]) -> float:
        return float(row["value"].replace(",", "."))

    # The first ledger row of the demo is a voluntary grant (budget class "Vapaaehtoinen"): an operating cost.
    assert value(new["operating_ytd_eur"]) - value(old["operating_ytd_eur"]) == pytest.approx(CHANGE_EUR)
    assert new["benefit_share_ytd_eur"] == old["benefit_share_ytd_eur"]  # Kela's invoices did not change
    assert new["forecast_vapaaehtoinen_eur"] != old["forecast_vapaaehtoinen_eur"]
    assert new["forecast_maararahasidonnainen_eur"] == old["forecast_maararahasidonnainen_eur"]
    keys = {n["notebook"]: n["execution_key"] for n in mf.read_json(runs["a"] / "manifest.json")["notebooks"]}
    assert mf.read_json(folder / "manifest.json")["notebooks"][0]["execution_key"] != keys[budget.notebook]
