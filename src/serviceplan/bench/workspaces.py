"""The benchmark's throw-away workspaces: a template with the demo data, fresh copies, a frozen copy of the
package, the child processes' environment (with Quarto hidden where asked) and fabricated archives."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from serviceplan.bench.config import BenchConfig
from serviceplan.core.paths import ENV_HOME, Workspace
from serviceplan.core.periods import Period


def _copy_project(source: Workspace, root: Path, notebooks: Path | None) -> Workspace:
    """A workspace in ``root`` with ``source``'s params, notebooks, plan and Quarto settings (no data, no reports)."""
    root.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "figures")
    shutil.copytree(source.params_dir, root / "params", ignore=ignore)
    shutil.copytree(source.notebooks_dir, root / "notebooks", ignore=ignore)
    if source.plan_dir.is_dir():
        shutil.copytree(source.plan_dir, root / "plan", ignore=ignore)
    if source.quarto_config.is_file():
        shutil.copy2(source.quarto_config, root / "_quarto.yml")
    if notebooks is not None:
        for path in sorted(notebooks.glob("*.ipynb")):
            shutil.copy2(path, root / "notebooks" / path.name)
    return Workspace(root)


def make_template(config: BenchConfig, root: Path) -> Workspace:
    """The template every measured workspace is copied from: the project files and the input data (raw only)."""
    from serviceplan.inputs import demo

    ws = _copy_project(config.source, root, config.notebooks)
    if config.raw_data is not None:
        shutil.copytree(config.raw_data, ws.raw_dir)
    else:
        demo.generate(ws.raw_dir, ws.params_dir)
    return ws


def snapshot_package(target: Path) -> Path:
    """Copy the serviceplan package (as imported now) to ``target/serviceplan`` and return ``target``.

    The measured commands import this copy (``PYTHONPATH``), so that edits made to the checkout while the
    benchmark runs neither change what is measured nor invalidate the batch's cache: its execution keys include
    a digest of the package's files. (The copy is not in a git checkout, so manifests say ``(no git)``.)
    """
    import serviceplan

    source = Path(serviceplan.__file__).resolve().parent
    shutil.copytree(source, target / "serviceplan", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def child_environment(code: Path | None = None) -> dict[str, str]:
    """The environment of measured commands: the bench's own, without a workspace override, importing the
    package from ``code`` when given (see :func:`snapshot_package`)."""
    env = dict(os.environ)
    env.pop(ENV_HOME, None)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [env.get("PYTHONPATH")])])
    return env


HIDDEN_QUARTO = "the serviceplan benchmark hides Quarto from this command (a measurement without Quarto)"


def hide_quarto(env: dict[str, str], folder: Path) -> dict[str, str]:
    """``env`` with a stand-in ``quarto`` in ``folder`` first on its ``PATH``: it fails (also ``quarto
    --version``), so a command run with it finds no usable Quarto, as on a machine without one (the batch then
    writes its HTML previews). Used for the measurements without Quarto where Quarto is installed."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "quarto"
    script.write_text(f"#!/bin/sh\necho '{HIDDEN_QUARTO}' >&2\nexit 1\n", encoding="utf-8")
    script.chmod(0o755)
    (folder / "quarto.cmd").write_text(f"@echo {HIDDEN_QUARTO} 1>&2\r\n@exit /b 1\r\n", encoding="utf-8")
    return {**env, "PATH": os.pathsep.join([str(folder), *filter(None, [env.get("PATH")])])}


def quarto_skipped(found: str | None) -> str:
    """Why the month with Quarto was not measured (``found``: an older Quarto's version, if one was found)."""
    why = f"Quarto {found} is older than 1.7" if found else "Quarto was not found on PATH"
    return (
        f"{why}: the month with Quarto (naive `quarto render` against `serviceplan run` with site and PDF) was "
        "skipped; the render measured is the nbconvert HTML preview in both pipelines."
    )


def fresh_workspace(template: Workspace, root: Path) -> Workspace:
    """A private copy of the template: raw data, no canonical tables, no cache, no reports."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(template.root, root, ignore=shutil.ignore_patterns("canonical", "reports"))
    return Workspace(root)


def fabricate_archive(ws: Workspace, donor: Path, donor_cache: Sequence[Path], periods: Sequence[Period]) -> None:
    """Publish copies of the version folder ``donor`` under the names of ``periods`` (with their manifests'
    version and period set), and a copy of the donor's cache entries for each, under derived keys.

    Cheap stand-ins for months published earlier: the run measured next sees an archive and a cache of the
    right size. The donor's manifest is left as it is otherwise (its inputs and timings are the donor's).
    """
    import hashlib

    from serviceplan.publish.manifest import read_json, write_json

    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    cache = ws.reports_dir / ".cache"
    for period in periods:
        target = ws.reports_dir / str(period)
        shutil.copytree(donor, target)
        manifest = target / "manifest.json"
        if manifest.is_file():
            record = read_json(manifest)
            record["version"], record["period"] = str(period), str(period)
            write_json(manifest, record)
        for entry in donor_cache:
            key = hashlib.sha256(f"{entry.name}:{period}".encode()).hexdigest()
            shutil.copytree(entry, cache / key)
