"""Version names, listing, revisions and their changelog, atomic publishing, the run lock and housekeeping; and
the records a version carries (KPI files, content hashes, manifest views)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from serviceplan.core.errors import RunError, UsageError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics.kpis import KPI_COLUMNS
from serviceplan.publish import manifest as mf
from serviceplan.publish import render as rd
from serviceplan.publish import versions
from serviceplan.publish.manifest import write_json

JUNE = Period(2025, 6)


def make_version(ws: Workspace, name: str, **manifest: object) -> Path:
    folder = ws.reports_dir / name
    folder.mkdir(parents=True)
    write_json(folder / "manifest.json", {"version": name, **manifest})
    return folder


def dead_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_version_names_round_trip() -> None:
    assert versions.version_name(JUNE, 1) == "2025-06"
    assert versions.version_name(JUNE, 3) == "2025-06-r3"
    assert versions.parse_version("2025-06") == (JUNE, 1)
    assert versions.parse_version("2025-06-r12") == (JUNE, 12)
    for not_a_version in ("2025-06-r1", "2025-06-r0", "2025-13", "2025-6", ".staging", "index.html", "2025-06-x"):
        assert versions.parse_version(not_a_version) is None, not_a_version
    with pytest.raises(ValueError):
        versions.version_name(JUNE, 0)


def test_listing_orders_by_period_then_revision_and_skips_other_folders(workspace: Workspace) -> None:
    for name in ("2025-06-r10", "2025-06", "2025-06-r2", "2024-12", ".cache", "notes"):
        (workspace.reports_dir / name).mkdir(parents=True)
    (workspace.reports_dir / "index.html").write_text("x", encoding="utf-8")
    assert [v.name for v in versions.list_versions(workspace)] == ["2024-12", "2025-06", "2025-06-r2", "2025-06-r10"]
    assert [v.revision for v in versions.revisions_of(workspace, JUNE)] == [1, 2, 10]


def test_next_revision(workspace: Workspace) -> None:
    assert versions.next_revision(workspace, JUNE, None) == 1
    with pytest.raises(UsageError, match="not published yet"):
        versions.next_revision(workspace, JUNE, "korjaus")
    make_version(workspace, "2025-06")
    assert versions.next_revision(workspace, JUNE, None) is None  # published: nothing to do
    assert versions.next_revision(workspace, JUNE, "korjaus") == 2
    make_version(workspace, "2025-06-r2")
    assert versions.next_revision(workspace, JUNE, "toinen korjaus") == 3
    with pytest.raises(UsageError, match="needs a reason"):
        versions.next_revision(workspace, JUNE, "  ")


def _manifest(**overrides: object) -> dict:
    base = {
        "version": "2025-06",
        "inputs": [
            {"file": "data/raw/2025-06/kirjanpito_2025-06.csv", "sha256": "a"},
            {"file": "data/raw/2025-06/kela_kuntaosuus_2025-06.csv", "sha256": "b"},
        ],
        "parameters": {"values": {"budget_eur": {"vapaaehtoinen": 2600000.0, "tarvesidonnainen": 1000000.0}}},
        "notebooks": [{"notebook": "01_budget.ipynb", "source_sha256": "n1"}],
        "code": {"commit": "c1", "digest": "d1"},
        "environment": {"packages": {"pandas": "3.1.1"}},
    }
    base.update(overrides)
    return base


def _kpi(kpi: str, value: float | None, target: float | None = None) -> dict:
    return {"area": "budget", "kpi": kpi, "label": kpi.title(), "unit": "eur", "value": value, "target": target}


def test_describe_changes_names_what_differs() -> None:
    old_kpis = [_kpi("cost", 100.0, 90.0), _kpi("share", 5.0), _kpi("gone", 1.0), _kpi("missing", None)]
    new_kpis = [_kpi("cost", 100.0, 95.0), _kpi("share", 7.5), _kpi("added", 2.0), _kpi("missing", None)]
    new = _manifest(
        version="2025-06-r2",
        inputs=[
            {"file": "data/raw/2025-06/kirjanpito_2025-06.csv", "sha256": "A"},
            {"file": "data/raw/2025-06/uusi.csv", "sha256": "c"},
        ],
        parameters={"values": {"budget_eur": {"vapaaehtoinen": 2612000.0, "tarvesidonnainen": 1000000.0}}},
        code={"commit": "c2", "digest": "d2"},
    )
    changes = versions.describe_changes(_manifest(), old_kpis, new, new_kpis)
    assert changes["against"] == "2025-06"
    assert changes["inputs"] == {
        "added": ["data/raw/2025-06/uusi.csv"],
        "removed": ["data/raw/2025-06/kela_kuntaosuus_2025-06.csv"],
        "changed": ["data/raw/2025-06/kirjanpito_2025-06.csv"],
    }
    assert changes["parameters"] == ["budget_eur.vapaaehtoinen"]
    assert changes["code"] == {"from_commit": "c1", "to_commit": "c2", "from_digest": "d1", "to_digest": "d2"}
    assert changes["notebooks"] == [] and changes["packages"] == []
    by_kpi = {k["kpi"]: k for k in changes["kpis"]}
    assert set(by_kpi) == {"cost", "share", "gone", "added"}  # "missing" is missing in both: no change
    assert (by_kpi["cost"]["old_target"], by_kpi["cost"]["new_target"]) == (90.0, 95.0)
    assert (by_kpi["share"]["old"], by_kpi["share"]["new"], by_kpi["share"]["change"]) == (5.0, 7.5, "changed")
    assert by_kpi["gone"]["change"] == "removed" and by_kpi["added"]["change"] == "added"
    assert not versions.nothing_changed(changes)


def test_identical_versions_have_nothing_changed() -> None:
    kpis = [_kpi("cost", 100.0, 90.0)]
    changes = versions.describe_changes(_manifest(), kpis, _manifest(version="2025-06-r2"), kpis)
    assert versions.nothing_changed(changes)


def test_publish_moves_the_folder_and_never_overwrites(workspace: Workspace) -> None:
    staging = versions.staging_dir(workspace, "2025-06")
    (staging / "manifest.json").write_text("{}", encoding="utf-8")
    target = versions.publish(staging, workspace, "2025-06")
    assert target == workspace.reports_dir / "2025-06" and (target / "manifest.json").is_file()
    assert not staging.exists()
    again = versions.staging_dir(workspace, "2025-06")
    (again / "manifest.json").write_text('{"other": 1}', encoding="utf-8")
    with pytest.raises(RunError, match="never overwritten"):
        versions.publish(again, workspace, "2025-06")
    assert (target / "manifest.json").read_text(encoding="utf-8") == "{}"


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "index.html"
    path.write_text("vanha", encoding="utf-8")
    versions.write_atomic(path, "uusi")
    assert path.read_text(encoding="utf-8") == "uusi"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_clean_leftovers_removes_only_what_dead_runs_left(workspace: Workspace) -> None:
    staging = workspace.reports_dir / versions.STAGING
    dead = staging / f"2025-06.{dead_pid()}"
    live = staging / f"2025-07.{os.getppid()}"
    for folder in (dead, live):
        folder.mkdir(parents=True)
    cache = workspace.reports_dir / versions.CACHE
    (cache / "abc.tmp.123").mkdir(parents=True)
    (cache / "def").mkdir()
    (workspace.reports_dir / ".index.html.123.tmp").write_text("x", encoding="utf-8")
    removed = versions.clean_leftovers(workspace)
    assert set(removed) == {dead, cache / "abc.tmp.123", workspace.reports_dir / ".index.html.123.tmp"}
    assert live.is_dir() and (cache / "def").is_dir()


def test_versions_listing_shows_status_commit_and_date(workspace: Workspace, capsys: pytest.CaptureFixture) -> None:
    versions.print_versions(workspace)
    assert "no published versions" in capsys.readouterr().out
    code = {"commit": "0123456789abcdef", "dirty": False, "digest": "d"}
    make_version(workspace, "2025-06", created="2025-07-03T08:00:00Z", code=code)
    make_version(workspace, "2025-06-r2", created="2025-07-10T08:00:00Z", code={**code, "dirty": True})
    make_version(workspace, "2025-07", created="2025-08-04T08:00:00Z", code={"commit": None, "dirty": None})
    (workspace.reports_dir / "2025-08").mkdir()
    rows = versions.version_rows(workspace)
    assert [(r["version"], r["status"]) for r in rows] == [
        ("2025-06", "superseded by 2025-06-r2"),
        ("2025-06-r2", "current"),
        ("2025-07", "current"),
        ("2025-08", "incomplete (no manifest.json)"),
    ]
    assert rows[0]["commit"] == "0123456789" and rows[0]["date"] == "2025-07-03"
    assert rows[1]["commit"] == "0123456789 +local changes"
    assert rows[2]["commit"] == "(no git)"
    versions.print_versions(workspace)
    out = capsys.readouterr().out
    assert "2025-06-r2" in out and "superseded" in out


def test_manifest_is_read_back(workspace: Workspace) -> None:
    make_version(workspace, "2025-06", reason=None)
    version = versions.list_versions(workspace)[0]
    assert version.manifest() == json.loads((version.path / "manifest.json").read_text(encoding="utf-8"))


# --- the records of a version: KPI files and content hashes (serviceplan.publish.manifest) ------------------------


def _kpi_table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            [
                "2025-06",
                "budget",
                "cost_eur",
                "Toimintakulut; kertymä",
                2473346.86,
                "eur",
                3975000.0,
                "lower_better",
                "ok",
            ],
            ["2025-06", "budget", "share", "Osuus", 0.153, "share", float("nan"), "none", "none"],
            ["2025-06", "budget", "rows", "Rivit", 12.0, "count", float("nan"), "none", "none"],
            ["2025-06", "budget", "tiny", "Pieni", 0.00001, "ratio", -0.0, "none", "none"],
        ],
        columns=list(KPI_COLUMNS),
    )


def test_numbers_are_written_exactly_without_rounding() -> None:
    assert mf.format_number(2473346.86) == "2473346.86"
    assert mf.format_number(2473346.86, ",") == "2473346,86"
    assert mf.format_number(12.0) == "12"
    assert mf.format_number(0.00001) == "0.00001"  # no exponent
    assert mf.format_number(-0.0) == "0"
    assert mf.format_number(0.1 + 0.2) == "0.30000000000000004"  # the float as it is, not a rounded look-alike
    assert mf.format_number(float("nan")) == "" and mf.format_number(None) == ""


def test_kpi_files_carry_the_same_values_in_three_formats(tmp_path: Path) -> None:
    hashes = mf.write_kpi_files(_kpi_table(), tmp_path, "2025-06")
    assert set(hashes) == set(mf.KPI_FILES)
    finnish = (tmp_path / "kpi.csv").read_bytes()
    assert finnish.startswith(b"\xef\xbb\xbf")
    lines = finnish.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(KPI_COLUMNS)
    assert lines[1] == '2025-06;budget;cost_eur;"Toimintakulut; kertymä";2473346,86;eur;3975000,00;lower_better;ok'
    assert lines[2] == "2025-06;budget;share;Osuus;0,1530;share;;none;none"  # at the unit's precision
    plain = (tmp_path / "kpi_plain.csv").read_text(encoding="utf-8").splitlines()
    assert plain[1] == "2025-06,budget,cost_eur,Toimintakulut; kertymä,2473346.86,eur,3975000.00,lower_better,ok"
    assert plain[4] == "2025-06,budget,tiny,Pieni,0.0000,ratio,0.0000,none,none"
    data = json.loads((tmp_path / "kpi.json").read_text(encoding="utf-8"))
    assert data["version"] == "2025-06" and data["columns"] == list(KPI_COLUMNS)
    assert data["rows"][0]["value"] == 2473346.86 and data["rows"][1]["target"] is None
    assert data["rows"][2]["value"] == 12 and isinstance(data["rows"][2]["value"], int)  # a count: an integer
    assert mf.read_kpi_json(tmp_path) == data["rows"]
    # read back, the three files give the very same numbers
    back = pd.read_csv(tmp_path / "kpi.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert back["value"].tolist() == [row["value"] for row in data["rows"]]


def test_notebook_digest_ignores_outputs_but_not_sources(tmp_path: Path) -> None:
    path = tmp_path / "a.ipynb"
    cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": ["period = None\n"], "outputs": []}
    notebook = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    original = mf.notebook_digest(path)
    cell.update(outputs=[{"output_type": "stream", "name": "stdout", "text": "x"}], execution_count=3)
    path.write_text(json.dumps(notebook), encoding="utf-8")
    assert mf.notebook_digest(path) == original
    cell["source"] = "period = '2025-06'\n"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    assert mf.notebook_digest(path) != original


def test_execution_key_changes_with_each_dependency() -> None:
    base = {
        "notebook_sha256": "n",
        "period": JUNE,
        "params_digest": "p",
        "datasets": {"ledger": "l", "kela_invoice": "k"},
        "code": "c",
        "env": {"python": "3.11.7"},
        "kernel": "python3",
        "workspace_inputs": {"plan": "a"},
    }
    key = mf.execution_key(**base)
    assert mf.execution_key(**{**base, "datasets": {"kela_invoice": "k", "ledger": "l"}}) == key  # order-free
    changed = [
        {"notebook_sha256": "n2"},
        {"period": Period(2025, 7)},
        {"params_digest": "p2"},
        {"datasets": {"ledger": "l2", "kela_invoice": "k"}},
        {"code": "c2"},
        {"env": {"python": "3.12.0"}},
        {"workspace_inputs": {"plan": "b"}},
    ]
    assert len({mf.execution_key(**{**base, **change}) for change in changed} | {key}) == len(changed) + 1


def test_folder_digests(tmp_path: Path) -> None:
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "actions.yaml").write_text("a: 1\n", encoding="utf-8")
    first = mf.folder_digest(tmp_path / "plan")
    (tmp_path / "plan" / "actions.yaml").write_text("a: 2\n", encoding="utf-8")
    assert mf.folder_digest(tmp_path / "plan") != first
    assert mf.folder_files(tmp_path / "missing") == []


def test_reproducible_view_drops_only_the_volatile_fields() -> None:
    manifest = {"version": "2025-06", "created": "2025-07-01T08:00:00Z", "timings": {"wall_seconds": 3}, "inputs": []}
    assert mf.reproducible_view(manifest) == {"version": "2025-06", "inputs": []}
    environment = mf.environment()
    assert environment["python"] and "pandas" in environment["packages"] and "papermill" in environment["packages"]


def test_versions_and_the_landing_page_give_one_date_in_helsinki_time(workspace: Workspace) -> None:
    """Issue 14: the same run showed one date on the landing page (Helsinki) and another in `versions` (UTC)."""
    make_version(workspace, "2025-06", created="2025-07-03T22:30:00Z", code={"commit": None, "dirty": None})
    (row,) = versions.version_rows(workspace)
    assert row["date"] == "2025-07-04"  # 01:30 on 4 July in Helsinki (UTC+3 in summer)
    assert "<td>4.7.2025</td>" in rd.landing_html(workspace)
    (entry,) = versions.versions_document(workspace)["versions"]
    assert entry["published"] == "2025-07-04"
