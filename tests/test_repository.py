"""The repository stands on its own and carries its tools' settings: no tracked file points at a document outside
the checkout, notebooks diff readably with nbdime, and the pre-commit hooks are local ones that work."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from pre_commit.clientlib import load_config

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Documents a clone does not contain: the project's briefs outside the repository and paths of one machine.
OUTSIDE = re.compile(r"\bDOMAIN\.md\b|\bDESIGN\.md\b|\.\./shared\b|/work/|lahti-palvelusuunnitelma-2\.0\.txt")
DOC_REFERENCE = re.compile(r"\bdocs/[\w.-]+\.md\b")


def tracked_texts() -> dict[str, str]:
    """Every tracked text file of the checkout, by its path."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    names = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    texts = {}
    for name in names.decode().split("\0"):
        path = REPO / name
        if name and path.is_file():
            try:
                texts[name] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # a binary file
    return texts


def test_no_tracked_file_refers_to_a_document_outside_the_repository() -> None:
    texts = tracked_texts()
    this = Path(__file__).relative_to(REPO).as_posix()
    found = [
        f"{name}:{text.count(chr(10), 0, match.start()) + 1}: {match.group()}"
        for name, text in texts.items()
        if name != this
        for match in OUTSIDE.finditer(text)
    ]
    assert not found, "write the fact into docs/domain.md or docs/architecture.md and point there:\n" + "\n".join(found)


def test_every_docs_page_named_exists() -> None:
    named = {m.group() for text in tracked_texts().values() for m in DOC_REFERENCE.finditer(text)}
    assert {"docs/domain.md", "docs/architecture.md", "docs/assumptions.md"} <= named
    assert sorted(name for name in named if not (REPO / name).is_file()) == []


def test_an_expected_notebooks_output_diffs_as_text_with_nbdime(tmp_path: Path) -> None:
    """With .gitattributes and nbdime's driver, a changed output of tests/expected/ shows as its changed line."""
    driver = shutil.which("git-nbdiffdriver", path=str(BIN))
    assert driver, "nbdime is a dev dependency: pip install -e '.[dev]'"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "--quiet", str(tmp_path)], check=True)
    shutil.copy2(REPO / ".gitattributes", tmp_path / ".gitattributes")
    page = tmp_path / "tests" / "expected" / "2025-11" / "01_budget.ipynb"
    page.parent.mkdir(parents=True)
    shutil.copy2(REPO / "tests" / "expected" / "2025-11" / "01_budget.ipynb", page)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "expected"], cwd=tmp_path, check=True)
    notebook = nbformat.read(page, as_version=4)
    output = next(o for c in notebook.cells for o in c.get("outputs", []) if "jälkilaskutusta" in str(o))
    output.data["text/markdown"] = output.data["text/markdown"].replace("jälkilaskutusta", "JÄLKILASKUTUSTA")
    nbformat.write(notebook, page)
    diff = subprocess.run(
        [*git, "-c", f"diff.jupyternotebook.command={driver} diff --no-color", "diff"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and "LASKUTUSTA" in line.upper()]
    assert len(changed) == 2 and "/outputs/" in diff, diff[:2000]
    assert max(len(line) for line in diff.splitlines()) < 400  # no JSON arrays or base64 on one line


def test_pre_commit_hooks_are_local_and_their_tools_installed() -> None:
    config = load_config(str(REPO / ".pre-commit-config.yaml"))  # pre-commit's own validation
    [repo] = config["repos"]
    assert repo["repo"] == "local", "nothing is fetched from GitHub"
    hooks = {hook["id"]: hook for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "jupytext-sync", "nbstripout", "check-yaml"} <= set(hooks)
    for hook in hooks.values():
        assert hook["language"] in {"system", "unsupported"}  # newer pre-commit reads system as unsupported
        tool = hook["entry"].split()[0]
        assert shutil.which(tool, path=str(BIN)), f"{hook['id']}: {tool} is not installed by the dev extras"
    pages = [f"notebooks/{p.name}" for p in (REPO / "notebooks").glob("*.ipynb")]
    sources = [f"notebooks/src/{p.name}" for p in (REPO / "notebooks" / "src").glob("*.py")]
    executed = [p.relative_to(REPO).as_posix() for p in (REPO / "tests" / "expected").rglob("*.ipynb")]
    assert pages and sources and executed
    strip, sync = re.compile(hooks["nbstripout"]["files"]), re.compile(hooks["jupytext-sync"]["files"])
    assert all(strip.search(p) for p in pages) and not any(strip.search(p) for p in executed + sources)
    assert all(sync.search(p) for p in pages + sources) and not any(sync.search(p) for p in executed)


def test_the_nbstripout_hook_strips_outputs_and_kernel_details_but_keeps_cell_ids(tmp_path: Path) -> None:
    hook = next(
        h for h in load_config(str(REPO / ".pre-commit-config.yaml"))["repos"][0]["hooks"] if h["id"] == "nbstripout"
    )
    page = tmp_path / "04_grants.ipynb"
    committed = nbformat.read(REPO / "notebooks" / page.name, as_version=4)
    executed = nbformat.read(REPO / "tests" / "expected" / "2025-11" / page.name, as_version=4)
    executed.cells = [c for c in executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    executed.metadata["language_info"].update(version="3.11.2", mimetype="text/x-python", file_extension=".py")
    nbformat.write(executed, page)
    command = [str(BIN / hook["entry"].split()[0]), *hook["entry"].split()[1:], *hook["args"], str(page)]
    subprocess.run(command, check=True)
    stripped = nbformat.read(page, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in stripped.cells)
    assert [c.id for c in stripped.cells] == [c.id for c in committed.cells]
    assert stripped.metadata["language_info"] == {"name": "python"}
