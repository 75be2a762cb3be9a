"""The monthly batch end to end, on fixture notebooks that run in about a second each.

Covered: a cold run publishes a complete version; a re-run leaves it byte-for-byte unchanged; a parallel run
equals a serial one; notebooks are reused when nothing they depend on changed and re-executed on each kind of
change; a failing notebook publishes nothing; a range goes on past a failing month; a killed or terminated run
leaves no version and the next run cleans up; a data error names file, row and column. One test runs the real
notebooks of the area registry when they exist.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import REPO, new_workspace
from serviceplan.cli import main
from serviceplan.core.errors import DataError, RunError
from serviceplan.core.params import load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics.areas import Area
from serviceplan.publish import kernel_fork, versions
from serviceplan.publish import manifest as mf
from serviceplan.publish.batch import run_periods

FIXTURES = Path(__file__).resolve().parent / "fixtures"
JUNE = Period(2025, 6)
LEDGER = Area("fx_ledger", "fx_ledger.ipynb", "Kirjanpito", "1. Budjetti", ("ledger",), "fixture_metrics:ledger_kpis")
KELA = Area("fx_kela", "fx_kela.ipynb", "Kelan lasku", "1. Budjetti", ("kela_invoice",), "fixture_metrics:kela_kpis")
FAIL = Area("fx_fail", "fx_fail.ipynb", "Rikki", "-", (), None)
SLOW = Area("fx_slow", "fx_slow.ipynb", "Hidas", "-", (), None)
AREAS = (LEDGER, KELA)
PIPELINE_DIRS = {versions.STAGING, versions.CACHE, versions.FAILED, versions.LOCK}


# The package's code digest as these tests start: pinned, so that edits made to the checkout while the tests run
# (other work in progress) do not count as code changes. The test of code changes sets a digest of its own.
CODE_DIGEST = mf.code_digest()


@pytest.fixture(autouse=True)
def _fixture_metrics_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.setattr(mf, "code_digest", lambda: CODE_DIGEST)


def add_fixture_notebooks(ws: Workspace) -> None:
    for source in FIXTURES.glob("fx_*.ipynb"):
        shutil.copy2(source, ws.notebooks_dir / source.name)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, demo_raw: Path) -> Workspace:
    """A workspace with the demo data where 2025-06 was published by a cold run (read-only: copy to change)."""
    ws = new_workspace(tmp_path_factory.mktemp("published") / "ws")
    shutil.copytree(demo_raw, ws.raw_dir)
    add_fixture_notebooks(ws)
    mp = pytest.MonkeyPatch()
    mp.syspath_prepend(str(FIXTURES))
    mp.setattr(mf, "code_digest", lambda: CODE_DIGEST)
    try:
        started = time.perf_counter()
        assert run_periods(ws, [JUNE], jobs=2, areas=AREAS) == 0
        (ws.root / "cold_seconds.txt").write_text(f"{time.perf_counter() - started:.2f}")
    finally:
        mp.undo()
    return ws


def copy_workspace(ws: Workspace, target: Path) -> Workspace:
    shutil.copytree(ws.root, target, symlinks=True)
    return Workspace(target)


def tree_state(root: Path) -> dict[str, tuple[str, int]]:
    """Every published file under ``root`` with its hash and modification time (pipeline folders left out)."""
    state = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in PIPELINE_DIRS:
            state[relative.as_posix()] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return state


def ledger_total(ws: Workspace, period: Period) -> float:
    """The month's operating costs summed straight from the delivered ledger file (independent of the code)."""
    path = ws.raw_period_dir(str(period)) / f"kirjanpito_{period}.csv"
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";")
    return round(sum(float(row["Summa"].replace(",", ".")) for row in rows), 2)


def kpi_value(folder: Path, kpi: str) -> float:
    rows = json.loads((folder / "kpi.json").read_text(encoding="utf-8"))["rows"]
    return next(r["value"] for r in rows if r["kpi"] == kpi)


def test_cold_run_publishes_a_complete_version(published: Workspace) -> None:
    folder = published.reports_dir / "2025-06"
    expected = ledger_total(published, JUNE)
    # the executed notebooks, the file a notebook wrote, the logs and the KPI files
    executed = json.loads((folder / "fx_ledger.ipynb").read_text(encoding="utf-8"))
    outputs = "".join(
        "".join(out.get("text", ""))
        for cell in executed["cells"]
        if cell["cell_type"] == "code"
        for out in cell["outputs"]
    )
    assert f"Toimintakulut 2025-06: {expected:.2f} euroa" in outputs
    assert (folder / "kirjanpito_summa.txt").read_text(encoding="utf-8").strip() == f"{expected:.2f}"
    assert "Executing notebook with kernel: python3" in (folder / "logs" / "fx_ledger.log").read_text(encoding="utf-8")
    assert kpi_value(folder, "operating_costs_eur") == pytest.approx(expected, abs=0.005)
    finnish = (folder / "kpi.csv").read_bytes()
    assert finnish.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    assert f"Toimintakulut;{expected:.2f}".replace(".", ",").encode() in finnish.replace(b"\n", b";")
    plain = (folder / "kpi_plain.csv").read_text(encoding="utf-8")
    assert f"operating_costs_eur,Toimintakulut,{expected:.2f}," in plain
    # the workspace path of the run is not published
    injected = next(c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert str(published.root) not in "".join(injected["source"])
    assert str(published.root) not in (folder / "fx_ledger.ipynb").read_text(encoding="utf-8")
    log = (folder / "logs" / "fx_ledger.log").read_text(encoding="utf-8")
    assert str(published.root) not in log and "Input Notebook:  <workspace>/notebooks/fx_ledger.ipynb" in log
    if kernel_fork.can_fork():  # the kernel spec names this interpreter: the kernel is forked, imports done
        assert "The kernel was forked from the worker server" in log
    # the manifest
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["version"], manifest["period"], manifest["revision"], manifest["reason"]) == (
        "2025-06",
        "2025-06",
        1,
        None,
    )
    assert manifest["parameters"]["digest"] == load_params(2025, published.params_dir).digest()
    ledger_file = published.raw_period_dir("2025-06") / "kirjanpito_2025-06.csv"
    assert {"file": "data/raw/2025-06/kirjanpito_2025-06.csv", "sha256": mf.sha256_file(ledger_file)} in manifest[
        "inputs"
    ]
    assert not any(r["file"].startswith("data/raw/2025-07") for r in manifest["inputs"])
    assert [n["source_sha256"] for n in manifest["notebooks"]] == [
        mf.notebook_digest(published.notebooks_dir / a.notebook) for a in AREAS
    ]
    assert manifest["kpis"]["files"]["kpi.csv"] == mf.sha256_file(folder / "kpi.csv")
    assert manifest["timings"]["notebooks"]["fx_ledger.ipynb"]["reused"] is False
    assert manifest["environment"]["packages"]["papermill"]
    # the rendered output (Quarto site and PDF, or previews) and the landing page
    rendered = manifest["render"]
    assert (folder / (rendered.get("site") or rendered["preview"])).is_file()
    landing = (published.reports_dir / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fi">' in landing and "kesäkuu 2025" in landing and 'href="2025-06/kpi.csv"' in landing
    # nothing half-written is left behind
    assert not any((published.reports_dir / versions.STAGING).iterdir())
    assert not (folder / ".work").exists()


def test_rerun_leaves_the_published_version_byte_for_byte_unchanged(
    published: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = copy_workspace(published, tmp_path / "ws")
    before = tree_state(ws.reports_dir)
    started = time.perf_counter()
    assert run_periods(ws, [JUNE], jobs=2, areas=AREAS) == 0
    seconds = time.perf_counter() - started
    assert "2025-06 is already published" in capsys.readouterr().out
    assert tree_state(ws.reports_dir) == before
    assert seconds < 10  # nothing is validated, executed or rendered (measured: well under a second)


def test_parallel_run_equals_serial_run(published: Workspace, tmp_path: Path, demo_raw: Path) -> None:
    serial = new_workspace(tmp_path / "serial")
    shutil.copytree(demo_raw, serial.raw_dir)
    add_fixture_notebooks(serial)
    assert run_periods(serial, [JUNE], jobs=1, areas=AREAS) == 0
    one, two = serial.reports_dir / "2025-06", published.reports_dir / "2025-06"
    for name in mf.KPI_FILES:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    first = json.loads((one / "manifest.json").read_text(encoding="utf-8"))
    second = json.loads((two / "manifest.json").read_text(encoding="utf-8"))
    assert mf.reproducible_view(first) == mf.reproducible_view(second)


def _revise(ws: Workspace, reason: str, **kwargs: object) -> dict:
    assert run_periods(ws, [JUNE], jobs=2, areas=AREAS, revise=reason, **kwargs) == 0
    latest = versions.revisions_of(ws, JUNE)[-1]
    manifest = latest.manifest()
    assert manifest is not None and manifest["reason"] == reason
    return manifest


def _reused(manifest: dict) -> dict[str, bool]:
    return {name: t["reused"] for name, t in manifest["timings"]["notebooks"].items()}


def test_notebooks_rerun_only_when_something_they_depend_on_changed(
    published: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = copy_workspace(published, tmp_path / "ws")
    original = tree_state(ws.reports_dir / "2025-06")
    both_reused = {"fx_ledger.ipynb": True, "fx_kela.ipynb": True}
    both_run = {"fx_ledger.ipynb": False, "fx_kela.ipynb": False}

    # a later month's delivery changes nothing a June report can see
    september = ws.raw_period_dir("2025-09") / "kirjanpito_2025-09.csv"
    september.write_text(september.read_text(encoding="utf-8-sig").replace(";1", ";2", 1), encoding="utf-8-sig")
    manifest = _revise(ws, "ei muutoksia")
    assert manifest["version"] == "2025-06-r2" and manifest["revises"] == "2025-06"
    assert _reused(manifest) == both_reused
    assert versions.nothing_changed(manifest["changes"])
    for name in mf.KPI_FILES[:2]:
        assert (ws.reports_dir / "2025-06-r2" / name).read_bytes() == (ws.reports_dir / "2025-06" / name).read_bytes()

    # the notebook's source
    notebook = ws.notebooks_dir / "fx_kela.ipynb"
    content = json.loads(notebook.read_text(encoding="utf-8"))
    content["cells"].append({"cell_type": "markdown", "id": "extra", "metadata": {}, "source": "Lisätty selitys."})
    notebook.write_text(json.dumps(content), encoding="utf-8")
    manifest = _revise(ws, "muistio muuttui")
    assert _reused(manifest) == {"fx_ledger.ipynb": True, "fx_kela.ipynb": False}
    assert manifest["changes"]["notebooks"] == ["fx_kela.ipynb"]

    # the canonical data of a notebook's dataset up to the period: +100,00 euros on one June ledger row
    before = ledger_total(ws, JUNE)
    ledger = ws.raw_period_dir("2025-06") / "kirjanpito_2025-06.csv"
    lines = ledger.read_text(encoding="utf-8-sig").splitlines()
    fields = lines[1].split(";")
    fields[-1] = f"{float(fields[-1].replace(',', '.')) + 100:.2f}".replace(".", ",")
    lines[1] = ";".join(fields)
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    manifest = _revise(ws, "kirjanpito korjattu")
    assert _reused(manifest) == {"fx_ledger.ipynb": False, "fx_kela.ipynb": True}
    assert manifest["changes"]["inputs"]["changed"] == ["data/raw/2025-06/kirjanpito_2025-06.csv"]
    change = next(k for k in manifest["changes"]["kpis"] if k["kpi"] == "operating_costs_eur")
    assert change["old"] == pytest.approx(before, abs=0.005)
    assert change["new"] - change["old"] == pytest.approx(100.0, abs=1e-6)

    # the resolved parameters: 12 000 euros more for the year moves the monthly target by 1 000
    defaults = ws.params_dir / "defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    assert "vapaaehtoinen: 2600000" in text
    defaults.write_text(text.replace("vapaaehtoinen: 2600000", "vapaaehtoinen: 2612000"), encoding="utf-8")
    manifest = _revise(ws, "budjetti muuttui")
    assert _reused(manifest) == both_run
    assert manifest["changes"]["parameters"] == ["budget_eur.vapaaehtoinen"]
    change = next(k for k in manifest["changes"]["kpis"] if k["kpi"] == "operating_costs_eur")
    assert change["new_target"] - change["old_target"] == pytest.approx(1000.0)

    # the plan's actions and risks, which the pages read from the workspace's plan/ folder
    actions = ws.plan_dir / "actions.yaml"
    actions.write_text(actions.read_text(encoding="utf-8") + "\n# tarkennettu\n", encoding="utf-8")
    manifest = _revise(ws, "suunnitelma tarkentui")
    assert _reused(manifest) == both_run
    assert manifest["changes"]["inputs"]["changed"] == ["plan/actions.yaml"]

    # the package code
    monkeypatch.setattr(mf, "code_digest", lambda: "0" * 64)
    manifest = _revise(ws, "koodi muuttui")
    assert _reused(manifest) == both_run
    assert manifest["changes"]["code"]["to_digest"] == "0" * 64

    # nothing changed, but --force
    manifest = _revise(ws, "pakotettu", force=True)
    assert _reused(manifest) == both_run

    # revision numbering, the landing page's order and changelog, and the first version untouched throughout
    names = [v.name for v in versions.revisions_of(ws, JUNE)]
    assert names == ["2025-06", *[f"2025-06-r{n}" for n in range(2, 9)]]
    landing = (ws.reports_dir / "index.html").read_text(encoding="utf-8")
    positions = [landing.index(f">{name} (") for name in reversed(names)]
    assert positions == sorted(positions)
    assert "Syy: kirjanpito korjattu" in landing and "Parametrit: budget_eur.vapaaehtoinen" in landing
    assert tree_state(ws.reports_dir / "2025-06") == original


def test_failing_notebook_publishes_nothing(
    published: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = copy_workspace(published, tmp_path / "ws")
    before = tree_state(ws.reports_dir)
    with pytest.raises(RunError) as raised:
        run_periods(ws, [Period(2025, 7)], jobs=2, areas=(LEDGER, FAIL))
    out = capsys.readouterr().out
    assert "2025-07: fx_fail.ipynb failed: cell 4 `raise ValueError(" in out
    assert "ValueError: testivirhe kolmannessa solussa" in out
    assert "Nothing was published" in str(raised.value)
    assert not (ws.reports_dir / "2025-07").exists()
    assert tree_state(ws.reports_dir) == before  # earlier versions and the landing page untouched
    kept = list((ws.reports_dir / versions.FAILED).iterdir())
    assert len(kept) == 1 and kept[0].name.startswith("2025-07.")
    assert (kept[0] / "logs" / "fx_fail.log").is_file()
    assert (kept[0] / ".work" / "fx_fail" / "fx_fail.ipynb").is_file()  # the partial output, for inspection
    assert not any((ws.reports_dir / versions.STAGING).iterdir())

    # once the notebook is fixed, the notebook that succeeded is reused
    assert run_periods(ws, [Period(2025, 7)], jobs=2, areas=(LEDGER,)) == 0
    manifest = json.loads((ws.reports_dir / "2025-07" / "manifest.json").read_text(encoding="utf-8"))
    assert _reused(manifest) == {"fx_ledger.ipynb": True}


def test_range_goes_on_past_a_failing_month(
    published: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = copy_workspace(published, tmp_path / "ws")
    (ws.raw_period_dir("2025-08") / "kirjanpito_2025-08.csv").unlink()
    before = tree_state(ws.reports_dir / "2025-06")
    months = [Period(2025, 6), Period(2025, 7), Period(2025, 8), Period(2025, 9)]
    assert run_periods(ws, months, jobs=2, areas=AREAS, render=False) == 1
    out = capsys.readouterr().out
    assert (ws.reports_dir / "2025-07" / "manifest.json").is_file()
    assert (ws.reports_dir / "2025-09" / "manifest.json").is_file()
    assert not (ws.reports_dir / "2025-08").exists()
    assert "2025-08: data/raw/2025-08/; expected the delivery kirjanpito_2025-08.csv" in out
    assert "Summary" in out and "4 month(s): 3 ok, 1 failed" in out
    assert tree_state(ws.reports_dir / "2025-06") == before
    # --no-render: the Quarto sources are written, nothing is rendered and Quarto is not mentioned
    assert (ws.reports_dir / "2025-07" / "_quarto.yml").is_file()
    assert not (ws.reports_dir / "2025-07" / "preview").exists()
    assert json.loads((ws.reports_dir / "2025-07" / "manifest.json").read_text(encoding="utf-8"))["render"]["skipped"]
    assert "Quarto" not in out
    assert kpi_value(ws.reports_dir / "2025-09", "operating_costs_eur") == pytest.approx(
        ledger_total(ws, Period(2025, 9)), abs=0.005
    )


def test_corrupted_ledger_row_is_one_clear_error_and_no_version(
    published: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = copy_workspace(published, tmp_path / "ws")
    ledger = ws.raw_period_dir("2025-07") / "kirjanpito_2025-07.csv"
    lines = ledger.read_text(encoding="utf-8-sig").splitlines()
    fields = lines[2].split(";")
    fields[-1] = "12x,5"
    lines[2] = ";".join(fields)
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    with pytest.raises(DataError):
        run_periods(ws, [Period(2025, 7)], areas=AREAS)
    # the same through the command line: one line naming file, row and column, non-zero exit
    code = main(["--workspace", str(ws.root), "run", "2025-07"])
    err = capsys.readouterr().err
    assert code != 0
    assert "kirjanpito_2025-07.csv, row 3, column 'Summa': got '12x,5'" in err
    assert not (ws.reports_dir / "2025-07").exists()
    assert not any((ws.reports_dir / versions.STAGING).iterdir())


RUNNER = """
import sys
from pathlib import Path

from serviceplan.metrics.areas import Area
from serviceplan.publish.batch import run_periods
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period

if __name__ == "__main__":
    slow = Area("fx_slow", "fx_slow.ipynb", "Hidas", "-", (), None)
    run_periods(Workspace(Path(sys.argv[1])), [Period(2025, 7)], jobs=1, areas=(slow,))
"""


def _start_slow_run(ws: Workspace, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    script = tmp_path / "slow_run.py"
    script.write_text(textwrap.dedent(RUNNER), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), str(ws.root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        started = list((ws.reports_dir / versions.STAGING).glob("2025-07.*/.work/fx_slow/started.txt"))
        if started:
            return process, started[0]
        if process.poll() is not None:
            pytest.fail(f"the run ended early with exit code {process.returncode}")
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("the slow notebook did not start within 90 s")


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and signals are POSIX")
def test_killed_run_leaves_no_trace_and_next_run_cleans_up(published: Workspace, tmp_path: Path) -> None:
    ws = copy_workspace(published, tmp_path / "ws")
    before = tree_state(ws.reports_dir)
    process, _ = _start_slow_run(ws, tmp_path)
    os.killpg(process.pid, signal.SIGKILL)  # the whole process group: the run, its workers and kernels
    process.wait(timeout=30)
    assert not (ws.reports_dir / "2025-07").exists()
    assert tree_state(ws.reports_dir) == before
    assert any((ws.reports_dir / versions.STAGING).iterdir())  # the killed run's staging folder is still there
    # the next run takes over the stale lock and removes the leftovers
    assert run_periods(ws, [JUNE], areas=AREAS) == 0
    assert not any((ws.reports_dir / versions.STAGING).iterdir())
    assert not (ws.reports_dir / versions.LOCK).exists()
    assert tree_state(ws.reports_dir) == before


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_terminated_run_cleans_up_after_itself(published: Workspace, tmp_path: Path) -> None:
    ws = copy_workspace(published, tmp_path / "ws")
    before = tree_state(ws.reports_dir)
    process, _ = _start_slow_run(ws, tmp_path)
    process.send_signal(signal.SIGTERM)  # the run alone, as a job scheduler or a closed session would
    assert process.wait(timeout=60) != 0
    assert not any((ws.reports_dir / versions.STAGING).iterdir())
    assert not (ws.reports_dir / versions.LOCK).exists()
    assert tree_state(ws.reports_dir) == before


def test_real_budget_notebook_publishes_and_reruns_unchanged(
    demo_workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """The budget page as registered (the other pages have tests of their own), then the command line."""
    from serviceplan.metrics.areas import get

    budget = get("budget")
    if not (REPO / "notebooks" / budget.notebook).is_file():
        pytest.skip(f"notebooks/{budget.notebook} is not written yet")
    ws = demo_workspace
    assert run_periods(ws, [JUNE], jobs=2, areas=(budget,)) == 0
    folder = ws.reports_dir / "2025-06"
    assert (folder / budget.notebook).is_file()
    kpis = json.loads((folder / "kpi.json").read_text(encoding="utf-8"))["rows"]
    assert kpis and {row["area"] for row in kpis} == {"budget"}
    assert all(row["period"] == "2025-06" for row in kpis)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"][0]["datasets"].keys() == set(budget.datasets)
    capsys.readouterr()
    before = tree_state(ws.reports_dir)
    assert main(["--workspace", str(ws.root), "run", "2025-06"]) == 0
    assert "already published" in capsys.readouterr().out
    assert tree_state(ws.reports_dir) == before
