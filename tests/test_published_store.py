"""tools/published_store.py: published versions kept on a storage branch, never overwritten.

Each test works with real git repositories in a temporary folder: a bare repository stands for GitHub ("origin"),
and each clone of it for one run of the monthly workflow on a fresh machine.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools_loader import load_tool

AUTHOR = ["-c", "user.name=test", "-c", "user.email=test@example.invalid"]

store = load_tool("published_store")


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *AUTHOR, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare repository holding the main branch of a project whose reports/ has only its README."""
    bare = tmp_path / "origin.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare), cwd=tmp_path)
    seed = tmp_path / "seed"
    git("clone", "--quiet", str(bare), str(seed), cwd=tmp_path)
    (seed / "reports").mkdir()
    (seed / "reports" / "README.md").write_text("reports/: the published versions\n")
    git("add", ".", cwd=seed)
    git("commit", "--quiet", "-m", "main", cwd=seed)
    git("push", "--quiet", "origin", "HEAD:main", cwd=seed)
    return bare


def fresh_run(origin: Path, name: str) -> Path:
    """A clone of the project as a workflow run gets it, with the storage branch checked out as reports/."""
    clone = origin.parent / name
    git("clone", "--quiet", "--depth=1", origin.as_uri(), str(clone), cwd=origin.parent)
    store.checkout(clone)
    return clone


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def published(origin: Path) -> dict[str, str]:
    """The files on the storage branch of ``origin`` with their text."""
    names = git("ls-tree", "-r", "--name-only", store.BRANCH, cwd=origin).split()
    return {name: git("show", f"{store.BRANCH}:{name}", cwd=origin) for name in names}


def test_the_first_run_starts_the_branch_without_the_pipelines_own_folders(origin: Path) -> None:
    run = fresh_run(origin, "run1")
    assert sorted(p.name for p in (run / "reports").iterdir()) == [".git"]  # an empty worktree
    write(
        run / "reports",
        {"2025-06/index.html": "kesäkuu", "index.html": "1", ".staging/x": "", ".cache/y": "", ".lock": ""},
    )
    assert store.commit(run / "reports", "Publish 2025-06") == "published 2025-06 on published-reports"
    assert published(origin) == {"2025-06/index.html": "kesäkuu", "index.html": "1"}


def test_a_later_run_sees_every_published_version_and_adds_its_own(origin: Path) -> None:
    first = fresh_run(origin, "run1")
    write(first / "reports", {"2025-06/index.html": "kesäkuu", "index.html": "1"})
    store.commit(first / "reports", "Publish 2025-06")
    second = fresh_run(origin, "run2")
    assert (second / "reports" / "2025-06" / "index.html").read_text() == "kesäkuu"
    write(second / "reports", {"2025-07/index.html": "heinäkuu", "index.html": "2", "2025-06-r2/index.html": "korj."})
    assert store.commit(second / "reports", "Publish 2025-07") == ("published 2025-06-r2, 2025-07 on published-reports")
    assert published(origin) == {
        "2025-06/index.html": "kesäkuu",
        "2025-06-r2/index.html": "korj.",
        "2025-07/index.html": "heinäkuu",
        "index.html": "2",
    }
    third = fresh_run(origin, "run3")
    assert store.commit(third / "reports", "Publish 2025-07") == "nothing new to publish"


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_a_run_that_would_change_a_published_version_commits_nothing(origin: Path, change: str) -> None:
    first = fresh_run(origin, "run1")
    write(first / "reports", {"2025-06/index.html": "kesäkuu", "2025-06/kpi.csv": "1", "index.html": "1"})
    store.commit(first / "reports", "Publish 2025-06")
    before = published(origin)
    second = fresh_run(origin, "run2")
    target = second / "reports" / "2025-06" / "kpi.csv"
    target.write_text("2") if change == "edit" else target.unlink()
    write(second / "reports", {"2025-07/index.html": "heinäkuu", "index.html": "2"})
    with pytest.raises(store.StoreError, match=r"change 1 file\(s\) of published versions \(2025-06/kpi.csv\)"):
        store.commit(second / "reports", "Publish 2025-07")
    assert published(origin) == before


def test_two_runs_at_once_cannot_overwrite_each_other(origin: Path) -> None:
    first = fresh_run(origin, "run1")
    write(first / "reports", {"2025-06/index.html": "kesäkuu", "index.html": "1"})
    store.commit(first / "reports", "Publish 2025-06")
    a, b = fresh_run(origin, "a"), fresh_run(origin, "b")
    write(a / "reports", {"2025-07/index.html": "a", "index.html": "a"})
    write(b / "reports", {"2025-07/index.html": "b", "index.html": "b"})
    store.commit(a / "reports", "Publish 2025-07")
    with pytest.raises(store.StoreError, match="git push"):
        store.commit(b / "reports", "Publish 2025-07")
    assert published(origin)["2025-07/index.html"] == "a"


def test_checkout_refuses_a_reports_folder_that_holds_more_than_its_readme(origin: Path, tmp_path: Path) -> None:
    clone = tmp_path / "local"
    git("clone", "--quiet", origin.as_uri(), str(clone), cwd=tmp_path)
    write(clone / "reports", {"2025-06/index.html": "paikallinen"})
    with pytest.raises(store.StoreError, match="reports/ already holds 2025-06: refusing to replace it"):
        store.checkout(clone)
    assert (clone / "reports" / "2025-06" / "index.html").read_text() == "paikallinen"
