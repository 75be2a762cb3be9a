"""`serviceplan run P` for a month already published: answered without importing the batch (issue 7's re-run)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from serviceplan import cli
from serviceplan.core.errors import RunError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.publish import versions
from serviceplan.publish.manifest import write_json
from serviceplan.publish.render import landing_html, write_landing_page
from serviceplan.publish.run_lock import read_owner
from test_run_lock import lock_held_elsewhere

JUNE = Period(2025, 6)


def tree_state(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``root`` with its hash and modification time."""
    return {
        p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def published(workspace: Workspace) -> Workspace:
    """A workspace with a month of data and that month published (a version folder as a run leaves it)."""
    for month in ("2025-05", "2025-06"):
        folder = workspace.raw_period_dir(month)
        folder.mkdir(parents=True)
        (folder / f"kirjanpito_{month}.csv").write_text("Kausi\n", encoding="utf-8")
    version = workspace.reports_dir / "2025-06"
    version.mkdir(parents=True)
    write_json(version / "manifest.json", {"version": "2025-06", "created": "2025-07-02T08:00:00Z"})
    (version / "kpi.json").write_text('{"rows": []}\n', encoding="utf-8")
    write_landing_page(workspace)
    return workspace


def _run_in_subprocess(ws: Workspace, *args: str) -> tuple[int, str, dict[str, bool]]:
    """``serviceplan run`` in a new interpreter; returns its exit code, output and which modules it imported."""
    probe = (
        "import json, sys\n"
        "from serviceplan.cli import main\n"
        f"code = main({['--workspace', str(ws.root), 'run', *args]!r})\n"
        "print(json.dumps({m: m in sys.modules for m in ('serviceplan.publish.batch', 'pandas', 'papermill')}))\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SERVICEPLAN_HOME"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env, encoding="utf-8"
    )
    *output, modules = done.stdout.splitlines()
    return done.returncode, "\n".join(output) + done.stderr, json.loads(modules)


def test_published_month_is_answered_without_the_batch(published: Workspace) -> None:
    before = tree_state(published.reports_dir)
    code, output, imported = _run_in_subprocess(published, "2025-06")
    assert code == 0
    latest = versions.revisions_of(published, JUNE)[-1]
    assert output == versions.already_published_message(JUNE, latest)
    assert "2025-06 is already published" in output and '--revise "reason"' in output
    assert imported == {"serviceplan.publish.batch": False, "pandas": False, "papermill": False}
    assert tree_state(published.reports_dir) == before  # byte for byte, modification times too
    assert not (published.reports_dir / versions.LOCK).exists()


def test_newest_month_is_the_default_and_the_latest_revision_is_named(published: Workspace) -> None:
    revision = published.reports_dir / "2025-06-r2"
    revision.mkdir()
    write_json(revision / "manifest.json", {"version": "2025-06-r2", "created": "2025-08-01T08:00:00Z"})
    write_landing_page(published)
    code, output, imported = _run_in_subprocess(published)
    assert code == 0
    assert f"({revision})" in output
    assert not imported["serviceplan.publish.batch"]


def test_fast_path_repairs_a_stale_landing_page_as_the_batch_does(
    published: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = published.reports_dir / "index.html"
    landing.write_text("left behind by a run killed after publishing", encoding="utf-8")
    assert cli._rerun_published(published, "2025-06") == 0
    assert landing.read_text(encoding="utf-8") == landing_html(published)
    assert "already published" in capsys.readouterr().out


@pytest.mark.parametrize("periods", ["2025-05", "2025-05..2025-06", "2025-05,2025-06"])
def test_months_to_publish_and_ranges_go_the_normal_way(published: Workspace, periods: str) -> None:
    before = tree_state(published.reports_dir)
    assert cli._rerun_published(published, periods) is None
    assert tree_state(published.reports_dir) == before
    assert not (published.reports_dir / versions.LOCK).exists()


def test_no_data_goes_the_normal_way(workspace: Workspace) -> None:
    (workspace.reports_dir / "2025-06").mkdir(parents=True)
    assert cli._rerun_published(workspace, "2025-06") is None  # the batch writes the demo data first


def test_leftovers_of_a_killed_run_go_the_normal_way(published: Workspace) -> None:
    staging = published.reports_dir / versions.STAGING / "2025-07.999999999"  # no such process
    staging.mkdir(parents=True)
    assert versions.find_leftovers(published) == [staging]
    assert cli._rerun_published(published, "2025-06") is None  # the batch removes them and says so
    assert staging.is_dir()
    assert not (published.reports_dir / versions.LOCK).exists()


def test_a_run_in_progress_is_reported_as_the_batch_reports_it(published: Workspace) -> None:
    with lock_held_elsewhere(published) as holder:  # a live process holds the lock
        with pytest.raises(RunError, match=f"another serviceplan run \\(process {holder.pid} "):
            cli._rerun_published(published, "2025-06")
        assert read_owner(published.reports_dir / versions.LOCK)["pid"] == holder.pid


def test_revise_and_force_never_take_the_fast_path(published: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str | None] = []
    monkeypatch.setattr(cli, "_rerun_published", lambda ws, periods: calls.append(periods))
    import serviceplan.publish.batch

    monkeypatch.setattr(serviceplan.publish.batch, "run_periods", lambda *args, **kwargs: 7)
    root = str(published.root)
    assert cli.main(["--workspace", root, "run", "2025-06", "--revise", "corrected ledger"]) == 7
    assert cli.main(["--workspace", root, "run", "2025-06", "--force"]) == 7
    assert calls == []
    assert cli.main(["--workspace", root, "run", "2025-06"]) == 7  # the fast path declined (stubbed): normal way
    assert calls == ["2025-06"]
